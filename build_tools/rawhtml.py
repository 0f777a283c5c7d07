"""Raw HTML regions in generated Markdown, and how a generator can skip parsing them.

Generated pages are Markdown headings (for the table of contents) around blocks of HTML
that this package has already escaped and balanced. Python-Markdown parses every raw
HTML block twice with ``html.parser`` (MkDocs collects its ids, ``md_in_html`` finds where
the block ends): measured on 1,000 annotated news articles, two thirds of MkDocs' time.

So the templates wrap each such block in two HTML comments::

    <!-- raw-html -->
    <div>…</div>
    <!-- /raw-html -->

Any Markdown processor reads that as the same raw HTML (comments are invisible). A build
adapter may instead :func:`stash` the regions before Markdown, leaving one placeholder
paragraph each, and :func:`restore` them in the converted HTML; :func:`anchor_ids` gives
the ids inside them, which a generator needs to check links to fragments.

Nothing here knows MkDocs; ``mkdocs_plugin.py`` is the adapter.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass, field

OPEN = "<!-- raw-html -->"
CLOSE = "<!-- /raw-html -->"

_ID_ATTRIBUTE = 'id="'
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# A placeholder paragraph of any page, as Python-Markdown writes it (groups: the page's nonce,
# the region's number; restore keeps those of its own page's nonce): one pattern compiled
# once, rather than one per page (a regular expression takes ~80 us to compile).
PLACEHOLDER = re.compile(r"<p>rawhtml([0-9a-f]+)x(\d+)</p>")


def wrap(fragment: str) -> str:
    """``fragment`` (HTML, no line with a marker of its own) as a marked raw region."""
    body = fragment.strip("\n")
    if not body.strip():
        return ""
    return f"{OPEN}\n{body}\n{CLOSE}\n\n"


@dataclass
class Stash:
    """The regions taken out of one page, and the token that stands for each."""

    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    regions: list[str] = field(default_factory=list)

    def token(self, index: int) -> str:
        # letters and digits only: Markdown leaves the paragraph as it is
        return f"rawhtml{self.nonce}x{index}"

    def paragraph(self, index: int) -> str:
        """The placeholder as Python-Markdown converts it (what :data:`PLACEHOLDER` finds)."""
        return f"<p>{self.token(index)}</p>"


def stash(markdown: str) -> tuple[str, Stash]:
    """Replace each marked region by a placeholder paragraph (a random token per page, so
    no text can forge one).

    A region is an opening line, any text, then a closing line: the first one after the
    opening line, without the newline before it (the pattern ``REGION`` of
    tests/test_rawhtml.py, which holds the two equal). Found with ``str.find``: that
    pattern's lazy match across lines took 0.7 ms for a 14,000-character page."""
    store = Stash()
    out: list[str] = []
    done = 0                   # markdown[:done] is in out
    start = 0
    while (region := _next_region(markdown, start)) is not None:
        opened, body_start, body_end, closed = region
        out.append(markdown[done:opened])
        store.regions.append(markdown[body_start:body_end])
        out.append(f"\n\n{store.token(len(store.regions) - 1)}\n\n")
        done = start = closed
    out.append(markdown[done:])
    return "".join(out), store


_OPEN_LINE = OPEN + "\n"


def _next_region(text: str, start: int) -> tuple[int, int, int, int] | None:
    """The first marked region from ``start`` (see :func:`stash`): where its opening
    line starts, where its content starts and ends (without the newline before the closing
    line), and where the closing marker ends; None when there is none."""
    opened = text.find(_OPEN_LINE, start)
    while opened != -1:
        if opened == 0 or text[opened - 1] == "\n":
            body_start = opened + len(_OPEN_LINE)
            close = text.find(CLOSE, body_start)
            while close != -1:
                at_line_start = close == body_start or text[close - 1] == "\n"
                end = close + len(CLOSE)
                if at_line_start and (end == len(text) or text[end] == "\n"):
                    body_end = close - 1 if close > body_start and text[close - 1] == "\n" else close
                    return opened, body_start, body_end, end
                close = text.find(CLOSE, close + 1)
        opened = text.find(_OPEN_LINE, opened + 1)
    return None


def restore(converted: str, store: Stash) -> str:
    """Put the regions back where their placeholder paragraphs are in the converted HTML."""
    if not store.regions:
        return converted
    found = 0

    def put(match: re.Match) -> str:
        nonlocal found
        if match.group(1) != store.nonce:
            return match.group(0)
        found += 1
        return store.regions[int(match.group(2))] + "\n"   # as Python-Markdown ends a raw block

    restored = PLACEHOLDER.sub(put, converted)
    missing = len(store.regions) - found
    if missing:
        raise ValueError(f"{missing} raw HTML region(s) lost by the Markdown conversion")
    return restored


def anchor_ids(store: Stash) -> set[str]:
    """Every ``id`` attribute in the stashed regions."""
    found: set[str] = set()
    for region in store.regions:
        found.update(ids_in(region))
    return found


def ids_in(fragment: str) -> list[str]:
    """The ``id`` attributes of HTML this package wrote (attributes double-quoted and
    escaped), unescaped: the first ``id="..."`` of each tag, the values the pattern
    ``<[a-zA-Z][^>]*?\\sid="([^"]*)"`` finds (tests/test_rawhtml.py holds it to that).
    Found with ``str.find``: on document pages, which hold a tag per mention, the
    pattern's lazy scan of every tag took 0.2 ms a page."""
    ids = []
    resume = 0                  # a match ends at its closing quote; the next starts after it
    at = fragment.find(_ID_ATTRIBUTE)
    while at != -1:
        if at >= 3 and fragment[at - 1].isspace() and _tag_opens_before(fragment, resume, at - 1):
            close = fragment.find('"', at + len(_ID_ATTRIBUTE))
            if close == -1:
                break
            ids.append(html.unescape(fragment[at + len(_ID_ATTRIBUTE):close]))
            resume = close + 1
        at = fragment.find(_ID_ATTRIBUTE, max(at + 1, resume))
    return ids


def _tag_opens_before(fragment: str, start: int, space: int) -> bool:
    """Whether a ``<`` and an ASCII letter open a tag at or after ``start`` that is still
    open at ``space`` (no ``>`` between), with at least the letter before ``space``."""
    low = max(start, fragment.rfind(">", start, space) + 1)
    lt = fragment.rfind("<", low, space - 1)
    while lt != -1:
        if fragment[lt + 1] in _ASCII_LETTERS:
            return True
        lt = fragment.rfind("<", low, lt)
    return False
