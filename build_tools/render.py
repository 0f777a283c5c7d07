"""Rendering a resolved document's text as annotated HTML.

The text is split into its lines; each non-blank line is a paragraph with a stable
id (``p-1``, ``p-2``…; the headline, when the metadata says there is one, is ``h1``);
blank and no-break-space separator lines are kept as empty paragraphs, and the line
breaks stay as text between the elements, so that the ``textContent`` of the text
container is exactly the source text.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import urls
from .model import ResolvedDocument
from .segments import Mark, render_range

RANK_CLAIM, RANK_QUOTE, RANK_MENTION = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int
    number: int          # paragraph number, 0 for separator lines


def split_lines(text: str) -> list[Line]:
    lines = []
    pos = 0
    number = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        blank = not raw.strip()      # str.strip() removes NBSP too
        if not blank:
            number += 1
        lines.append(Line(pos, end, 0 if blank else number))
        pos = end + 1
    return lines


def document_marks(doc: ResolvedDocument, page: str) -> list[Mark]:
    """Every annotation of a document as a mark: claims outermost, then quotes, then mentions."""
    marks = []
    for claim in doc.claims:
        c = claim.claim
        marks.append(Mark(claim.span.start, claim.span.end, RANK_CLAIM, claim.html_id, "span", (
            ("class", f"ann ann-claim claim-{c.kind}"),
            ("data-layer", "claim"),
            ("data-kind", c.kind),
            ("data-status", c.status),
            ("data-claimant", claim.claimant.id),
        )))
    for quote in doc.quotes:
        q = quote.quote
        marks.append(Mark(quote.span.start, quote.span.end, RANK_QUOTE, quote.html_id, "span", (
            ("class", f"ann ann-quote quote-{q.kind}"),
            ("data-layer", "quote"),
            ("data-kind", q.kind),
            ("data-speaker", quote.speaker.id),
        )))
    for mention in doc.mentions:
        entity = mention.entity
        marks.append(Mark(mention.span.start, mention.span.end, RANK_MENTION, mention.html_id, "a", (
            ("class", f"ann ann-mention ent-{entity.type}"),
            ("href", urls.link(page, urls.entity_page(entity.id))),
            ("data-layer", "mention"),
            ("data-type", entity.type),
            ("data-entity", entity.id),
        )))
    return marks


def render_text(doc: ResolvedDocument, page: str) -> str:
    """The annotated text as one HTML block whose text content is the source text."""
    text = doc.text
    marks = document_marks(doc, page)
    marks.sort(key=lambda m: m.start)
    parts = []
    lang = doc.meta.language
    active: list[Mark] = []          # marks that started before the current line's end
    following = 0                    # the next mark (by start) not yet in ``active``
    for line in split_lines(text):
        # One sweep over the lines: marks join when they start, leave once they have ended.
        while following < len(marks) and marks[following].start < line.end:
            active.append(marks[following])
            following += 1
        active = [m for m in active if m.end > line.start]
        inner = render_range(text, line.start, line.end, active)
        if line.number == 0:
            parts.append(f'<p class="doc-sep" aria-hidden="true">{inner}</p>')
        elif line.number == 1 and doc.meta.headline:
            parts.append(f'<h1 class="doc-headline" id="p-1">{inner}</h1>')
        else:
            parts.append(f'<p class="doc-para" id="p-{line.number}">{inner}</p>')
    return f'<div class="doc-text" dir="rtl" lang="{lang}">' + "\n".join(parts) + "</div>"


def excerpt(text: str, start: int, end: int, width: int = 60) -> tuple[str, str, str]:
    """Keyword in context: (before, keyword, after), within the line, cut at spaces."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end == -1:
        line_end = len(text)
    lo = max(line_start, start - width)
    hi = min(line_end, end + width)
    if lo > line_start:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < line_end:
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    before = ("…" if lo > line_start else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < line_end else "")
    return before, text[start:end], after
