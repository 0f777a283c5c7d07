"""Anchoring: a contributor's quote becomes Unicode code-point offsets, or a clear error.

Exact matching only. A quote that matches nothing is reported with the closest passage
in the text and the characters that differ; a quote that matches several places
without ``occurrence`` or context is reported with every place. Nothing is guessed
(fuzzy re-anchoring that returns its best guess misplaces annotations silently).
"""

from __future__ import annotations

import bisect
import difflib
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import regex

from .diagnostics import Diagnostics, Location
from .model import ALL, Anchor, Span

CONTEXT = 24          # characters of context shown around a place in messages
MAX_LISTED = 40       # occurrences listed for an ambiguous quote


class TextIndex:
    """Lookups over one document's text: occurrences, lines and grapheme boundaries."""

    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        find = self.text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        return starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of an offset."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def location(self, offset: int) -> Location:
        line, col = self.line_col(offset)
        return Location(self.path, line, col)

    @cached_property
    def _grapheme_breaks(self) -> frozenset[int]:
        breaks = {0, len(self.text)}
        breaks.update(m.end() for m in regex.finditer(r"\X", self.text))
        return frozenset(breaks)

    def is_grapheme_boundary(self, offset: int) -> bool:
        # Fast path: a break is certain before a character that cannot extend a cluster.
        if offset in (0, len(self.text)):
            return True
        following = self.text[offset]
        if unicodedata.category(following) not in ("Mn", "Mc", "Me", "Cf") and not (
            "\udc00" <= following <= "\udfff") and self.text[offset - 1] != "\r":
            return True
        return offset in self._grapheme_breaks

    def occurrences(self, needle: str, start: int = 0) -> list[int]:
        """Start offsets of every occurrence of ``needle`` (overlapping ones included)."""
        found = []
        find = self.text.find
        pos = find(needle, start)
        while pos != -1:
            found.append(pos)
            pos = find(needle, pos + 1)
        return found

    def context(self, start: int, end: int) -> str:
        """``…before[passage]after…`` on one line, for messages."""
        before = self.text[max(0, start - CONTEXT):start]
        after = self.text[end:end + CONTEXT]
        passage = self.text[start:end]
        flat = lambda s: s.replace("\n", " ⏎ ")
        return f"…{flat(before)}[{flat(passage)}]{flat(after)}…"


@dataclass(frozen=True, slots=True)
class AnchorResult:
    spans: tuple[Span, ...]
    ok: bool


def char_name(ch: str) -> str:
    """A character for messages: shown, coded and named; invisible ones only coded and named."""
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") or not name:
        return f"{code} {name or 'control character'}"
    return f"'{ch}' ({code} {name})"


def describe_difference(expected: str, found: str) -> list[str]:
    """The characters that differ between the quote and the closest text, named."""
    lines = []
    matcher = difflib.SequenceMatcher(None, expected, found, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        ours = ", ".join(char_name(c) for c in expected[a0:a1][:4]) or "nothing"
        theirs = ", ".join(char_name(c) for c in found[b0:b1][:4]) or "nothing"
        lines.append(f"at character {a0 + 1} of the quote: the quote has {ours}, the text has {theirs}")
        if len(lines) == 4:
            lines.append("…")
            break
    return lines


def closest_passage(index: TextIndex, quote: str) -> tuple[int, int] | None:
    """The passage of the text most like ``quote`` (for messages only, never for anchoring)."""
    text = index.text
    if not text or not quote:
        return None
    if len(quote) <= 80:
        budget = max(1, min(8, len(quote) // 3))
        pattern = f"(?:{regex.escape(quote)}){{e<={budget}}}"
        try:
            match = regex.search(pattern, text, flags=regex.BESTMATCH, timeout=2.0)
        except TimeoutError:
            match = None
        if match is not None:
            return match.start(), match.end()
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    block = matcher.find_longest_match(0, len(text), 0, len(quote))
    if block.size < 2:
        return None
    start = max(0, block.a - block.b)
    end = min(len(text), start + len(quote))
    # The longest shared block only fixes the window up to a few characters (an inserted
    # or missing character before it shifts it): try the nearby windows, keep the closest.
    best_ratio, best = -1.0, (start, end)
    for ds in range(-4, 5):
        for de in range(-4, 5):
            s, e = max(0, start + ds), min(len(text), end + de)
            if e <= s:
                continue
            ratio = difflib.SequenceMatcher(None, quote, text[s:e], autojunk=False).ratio()
            if ratio > best_ratio:
                best_ratio, best = ratio, (s, e)
    return best


def resolve_anchor(anchor: Anchor, index: TextIndex, diagnostics: Diagnostics, what: str) -> AnchorResult:
    """Resolve one anchor to its span(s); report and return ``ok=False`` on any problem."""
    if anchor.quote is not None:
        spans = _resolve_quote(anchor, index, diagnostics, what)
    else:
        spans = _resolve_range(anchor, index, diagnostics, what)
    if spans is None:
        return AnchorResult((), False)
    ok = True
    for span in spans:
        for offset, side in ((span.start, "starts"), (span.end, "ends")):
            if not index.is_grapheme_boundary(offset):
                ok = False
                diagnostics.error(
                    anchor.quote_loc or anchor.loc, "anchor-splits-letter",
                    f"{what} {side} inside a letter: the quote would separate "
                    f"{char_name(index.text[offset])} from the letter it belongs to",
                    "extend the quote to include the whole letter with its diacritics",
                    [f"text at {index.location(offset)}: {index.context(span.start, span.end)}"])
    return AnchorResult(tuple(spans), ok)


def _not_found(anchor: Anchor, index: TextIndex, diagnostics: Diagnostics, what: str, needle: str,
               key: str) -> None:
    detail = []
    near = closest_passage(index, needle)
    if near is not None:
        start, end = near
        found = index.text[start:end]
        detail.append(f"closest text, at {index.location(start)}: {index.context(start, end)}")
        detail.extend(describe_difference(needle, found))
    hint = ("copy the words from the text file exactly (letters such as ه/ة, ي/ى, أ/ا and "
            "spaces or no-break spaces must match); the text is never changed to fit an annotation")
    diagnostics.error(anchor.quote_loc or anchor.loc, "anchor-not-found",
                      f"{what}: the {key} {_short(needle)} does not occur in the text", hint, detail)


def _short(text: str, limit: int = 60) -> str:
    flat = text.replace("\n", "⏎")
    return f"«{flat}»" if len(flat) <= limit else f"«{flat[:limit]}…»"


def _list_places(index: TextIndex, starts: list[int], length: int) -> list[str]:
    lines = [f"occurrence {n} at {index.location(s)}: {index.context(s, s + length)}"
             for n, s in enumerate(starts[:MAX_LISTED], 1)]
    if len(starts) > MAX_LISTED:
        lines.append(f"… and {len(starts) - MAX_LISTED} more")
    return lines


def _pick(anchor: Anchor, index: TextIndex, diagnostics: Diagnostics, what: str, starts: list[int],
          length: int, needle: str) -> list[int] | None:
    """Apply ``occurrence`` to the candidate places; report ambiguity and overshoot."""
    wanted = anchor.occurrences
    if wanted == ALL:
        return starts
    if wanted is None:
        if len(starts) == 1:
            return starts
        diagnostics.error(
            anchor.quote_loc or anchor.loc, "anchor-ambiguous",
            f"{what}: {_short(needle)} occurs {len(starts)} times" +
            (" with this context" if anchor.prefix or anchor.suffix else ""),
            "say which one: add 'occurrence: N' (counted from the start of the text), or "
            "'prefix:'/'suffix:' with the words just before or after it",
            _list_places(index, starts, length))
        return None
    missing = [n for n in wanted if n > len(starts)]
    if missing:
        diagnostics.error(
            anchor.occurrence_loc or anchor.loc, "anchor-occurrence",
            f"{what}: occurrence {missing[0]} asked, but {_short(needle)} occurs only "
            f"{len(starts)} time{'s' if len(starts) != 1 else ''}" +
            (" with this context" if anchor.prefix or anchor.suffix else ""),
            "count the occurrences again: the list below shows where each one is",
            _list_places(index, starts, length))
        return None
    return [starts[n - 1] for n in wanted]


def _resolve_quote(anchor: Anchor, index: TextIndex, diagnostics: Diagnostics, what: str) -> list[Span] | None:
    quote = anchor.quote or ""
    text = index.text
    starts = index.occurrences(quote)
    if not starts:
        _not_found(anchor, index, diagnostics, what, quote, "quote")
        return None
    if anchor.prefix or anchor.suffix:
        prefix, suffix = anchor.prefix, anchor.suffix
        fitting = [s for s in starts
                   if text.startswith(suffix, s + len(quote))
                   and text[max(0, s - len(prefix)):s] == prefix]
        if not fitting:
            diagnostics.error(
                anchor.quote_loc or anchor.loc, "anchor-context",
                f"{what}: {_short(quote)} occurs {len(starts)} time{'s' if len(starts) != 1 else ''}, "
                "but never with this prefix/suffix",
                "make 'prefix' the exact text just before the quote and 'suffix' the exact text just "
                "after it (spaces included)",
                _list_places(index, starts, len(quote)))
            return None
        starts = fitting
    picked = _pick(anchor, index, diagnostics, what, starts, len(quote), quote)
    if picked is None:
        return None
    return [Span(s, s + len(quote)) for s in picked]


def _resolve_range(anchor: Anchor, index: TextIndex, diagnostics: Diagnostics, what: str) -> list[Span] | None:
    start_quote, end_quote = anchor.start or "", anchor.end or ""
    starts = index.occurrences(start_quote)
    if not starts:
        _not_found(anchor, index, diagnostics, what, start_quote, "start")
        return None
    picked = _pick(anchor, index, diagnostics, what, starts, len(start_quote), start_quote)
    if picked is None:
        return None
    begin = picked[0]
    minimum_end = begin + len(start_quote)
    pos = index.text.find(end_quote, begin)
    while pos != -1 and pos + len(end_quote) < minimum_end:
        pos = index.text.find(end_quote, pos + 1)
    if pos == -1:
        if end_quote in index.text:
            diagnostics.error(
                anchor.loc, "anchor-range",
                f"{what}: the end {_short(end_quote)} occurs only before the start {_short(start_quote)}",
                "'end' must be words that come after 'start' in the text",
                [f"start at {index.location(begin)}: {index.context(begin, minimum_end)}"])
        else:
            _not_found(anchor, index, diagnostics, what, end_quote, "end")
        return None
    return [Span(begin, pos + len(end_quote))]
