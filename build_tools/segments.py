"""Overlapping spans to well-nested HTML: the text is cut into flat segments.

Each segment knows the marks that cover it, outermost first. Walking the segments in
order, the renderer closes the elements that no longer apply and opens the new ones,
so that crossing spans are split into several elements (the first piece carries the
``id``; every piece carries ``data-ann``) and the HTML is always properly nested.
Every piece of text is escaped on the way out; no character is dropped, doubled or
moved: concatenating the segments gives back the source exactly.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True, slots=True)
class Mark:
    """One annotation to draw over ``[start, end)``.

    ``rank`` orders marks of equal extent (lower is outer); ``key`` is the element id
    of the first piece; ``tag`` is ``a`` or ``span``; ``attrs`` are emitted escaped.
    """

    start: int
    end: int
    rank: int
    key: str
    tag: str = "span"
    attrs: tuple[tuple[str, str], ...] = ()

    @property
    def order(self) -> tuple:
        return (self.start, -self.end, self.rank, self.key)


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    marks: tuple[Mark, ...]   # outermost first


def segment(lo: int, hi: int, marks: Iterable[Mark]) -> list[Segment]:
    """Cut ``[lo, hi)`` at every mark boundary; each piece lists the marks covering it."""
    inside = [m for m in marks if m.start < hi and m.end > lo and m.end > m.start]
    cuts = {lo, hi}
    for m in inside:
        cuts.add(max(lo, m.start))
        cuts.add(min(hi, m.end))
    points = sorted(cuts)
    ordered = sorted(inside, key=lambda m: m.order)
    segments = []
    for a, b in zip(points, points[1:]):
        covering = tuple(m for m in ordered if m.start <= a and m.end >= b)
        segments.append(Segment(a, b, covering))
    return segments


def escape_text(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(name: str, value: str) -> str:
    return f' {name}="{html.escape(value, quote=True)}"'


def open_tag(mark: Mark, first: bool, inside_link: bool) -> str:
    """The start tag of one piece of a mark; a link inside a link becomes a span."""
    tag = mark.tag
    parts = []
    for name, value in mark.attrs:
        if name == "href" and inside_link:
            parts.append(_attr("data-href", value))
        else:
            parts.append(_attr(name, value))
    if tag == "a" and inside_link:
        tag = "span"
    piece = "" if first else _attr("data-piece", "continued")
    ident = _attr("id", mark.key) if first else ""
    return f"<{tag}{ident}{_attr('data-ann', mark.key)}{piece}{''.join(parts)}>"


def render_segments(text: str, segments: Sequence[Segment]) -> str:
    """HTML for consecutive segments of ``text``: escaped text, well-nested elements."""
    out: list[str] = []
    stack: list[tuple[Mark, str]] = []       # (mark, closing tag) from outermost
    opened: set[str] = set()
    for seg in segments:
        wanted = seg.marks
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep][0] is wanted[keep]:
            keep += 1
        while len(stack) > keep:
            out.append(stack.pop()[1])
        for mark in wanted[keep:]:
            inside_link = any(t == "</a>" for _, t in stack)
            first = mark.key not in opened and seg.start == mark.start
            opened.add(mark.key)
            tag = "span" if (mark.tag == "a" and inside_link) else mark.tag
            out.append(open_tag(mark, first, inside_link))
            stack.append((mark, f"</{tag}>"))
        out.append(escape_text(text[seg.start:seg.end]))
    while stack:
        out.append(stack.pop()[1])
    return "".join(out)


def render_range(text: str, lo: int, hi: int, marks: Iterable[Mark]) -> str:
    return render_segments(text, segment(lo, hi, marks))
