"""Generated pages: Markdown with HTML blocks, written for any MkDocs-compatible generator.

Each function returns the text of one page. Templates autoescape; every value that
comes from the sources is escaped on the way out (titles in front matter too, since
MkDocs does not escape them). Nothing here knows about MkDocs.
"""

from __future__ import annotations

import functools
import heapq
import html
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

import jinja2
import regex
from markupsafe import Markup, escape

from . import rawhtml, urls
from .corpus import ResolvedCorpus
from .model import (
    CLAIM_KINDS, CLAIM_STATUSES, ENTITY_TYPES, QUOTE_CHANNELS, QUOTE_KINDS, Entity,
    ResolvedDocument,
)
from .render import excerpt, render_text

AR_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
             "أكتوبر", "نوفمبر", "ديسمبر")
# Singular names of the entity types, for the details shown over an annotation.
ENTITY_TYPE_NAMES: dict[str, str] = {
    "person": "شخص",
    "organisation": "هيئة أو مؤسسة",
    "group": "جماعة أو حركة",
    "place": "مكان",
    "platform": "منصة",
    "media": "وسيلة إعلام",
    "webpage": "صفحة أو حساب",
    "operation": "عملية",
    "event": "حدث",
    "misc": "كيان آخر",
}
EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ZWJ = "\u200d"
# Cursive joining (Unicode Joining_Type): a letter that joins the one after it (dual or
# join-causing), one that joins the one before it (dual, right or join-causing), and the
# transparent marks (harakat) that sit between them without interrupting the join.
_JOINS_NEXT = regex.compile(r"[\p{Joining_Type=Dual_Joining}\p{Joining_Type=Join_Causing}]")
_JOINS_PREVIOUS = regex.compile(
    r"[\p{Joining_Type=Dual_Joining}\p{Joining_Type=Right_Joining}\p{Joining_Type=Join_Causing}]")
_TRANSPARENT = regex.compile(r"\p{Joining_Type=Transparent}")
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
    "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
}


def ar_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{int(day)} {AR_MONTHS[int(month) - 1]} {year}"


def date_text(doc: ResolvedDocument) -> str:
    date = doc.meta.date
    if date is None:
        return "غير مؤرخ"
    if date.exact:
        return ar_date(date.earliest)
    return f"بين {ar_date(date.earliest)} و{ar_date(date.latest)} (تاريخ تقريبي)"


def joined_at(text: str, cut: int) -> bool:
    """Whether the letters either side of ``text[cut]`` are cursively joined in ``text``."""
    before = cut - 1
    while before >= 0 and _TRANSPARENT.match(text[before]):
        before -= 1
    after = cut
    while after < len(text) and _TRANSPARENT.match(text[after]):
        after += 1
    if before < 0 or after >= len(text):
        return False
    return bool(_JOINS_NEXT.match(text[before]) and _JOINS_PREVIOUS.match(text[after]))


def json_for_html(data) -> str:
    """JSON that stays inert in HTML: ``<``, ``>``, ``&`` (and U+2028/9) as ``\\u`` escapes.

    The result still goes through the template's HTML escaping (it sits in an attribute).
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def bibtex_escape(value: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(char, char) for char in " ".join(value.split()))


_YAML_UNSAFE = regex.compile(r"[^\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar: JSON's string syntax, with the characters YAML does not
    allow raw escaped too (json.dumps is ten times faster than yaml.safe_dump here)."""
    text = json.dumps(value, ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def front_matter(title: str, description: str = "") -> str:
    lines = ["---"]
    if description:
        lines.append("description: " + yaml_string(html.escape(description, quote=True)))
    lines.append("title: " + yaml_string(html.escape(title, quote=True)))
    return "\n".join(lines) + "\n---\n"


# ---- pagination: no generated page grows with the corpus ------------------------------

PAGE_SIZE = 100      # items on one page of a listing (documents, mentions, claims, quotes)
TOP = 50             # rows of an overview table (claimants, speakers, entities of a type)


def chunked(items: list, size: int = PAGE_SIZE) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def listing_page(first: str, number: int) -> str:
    """Page ``number`` of a listing whose first page is ``first``: ``x.md``, ``x/2.md``…"""
    return first if number == 1 else f"{first[:-3]}/{number}.md"


def pager_html(first: str, count: int, current: int) -> Markup:
    """Links to the pages of a listing (first, last and the neighbours of the current one)."""
    if count <= 1:
        return Markup("")
    here = listing_page(first, current)
    shown = sorted({1, count, *range(max(1, current - 2), min(count, current + 2) + 1)})
    parts, previous = [], 0
    for number in shown:
        if number - previous > 1:
            parts.append('<span class="pager-gap">…</span>')
        if number == current:
            parts.append(f'<span class="pager-current" aria-current="page">{number}</span>')
        else:
            parts.append(f'<a href="{html.escape(urls.link(here, listing_page(first, number)))}">{number}</a>')
        previous = number
    return Markup(f'<nav class="pager" aria-label="صفحات القائمة"><span class="pager-label">الصفحة {current} من '
                  f'{count}:</span> ' + " ".join(parts) + "</nav>")


# In the card of an entity's first page: where a hub (``corpus join``, hub_entities.py) puts
# the links to the same entity in the other collections. An HTML comment, invisible in a
# site of its own; no source text can make it, since every text is escaped.
HUB_SLOT = "<!-- corpus-hub:elsewhere -->"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The package's templates (autoescaped), one environment per process: templates are
    compiled once (0.3 s), not per generation."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("build_tools", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,      # the package's templates do not change while it runs (two stats a page)
    )
    env.filters["raw_html"] = lambda fragment: Markup(rawhtml.wrap(str(fragment)))
    env.globals.update(
        ENTITY_TYPES=ENTITY_TYPES, CLAIM_KINDS=CLAIM_KINDS, CLAIM_STATUSES=CLAIM_STATUSES,
        QUOTE_KINDS=QUOTE_KINDS, QUOTE_CHANNELS=QUOTE_CHANNELS, link=urls.link, urls=urls,
        date_text=date_text, HUB_SLOT=Markup(HUB_SLOT),
    )
    return env


@dataclass(frozen=True)
class Listing:
    """A listing page before rendering, with everything its content depends on besides the
    registry and the code: the documents whose content it shows (titles, passages) and a
    text of the rest it shows (totals, page count, counts, ranks)."""

    path: str
    documents: tuple[str, ...]
    shows: str
    render: Callable[[], str]


def _documents_of(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.document_id for item in items))


class PageWriter:
    """Renders every page of a resolved corpus to ``{path: text}``."""

    def __init__(self, corpus: ResolvedCorpus):
        self.corpus = corpus
        self.env = environment()
        self.claims = [c for d in corpus.documents for c in d.claims]
        self.quotes = [q for d in corpus.documents for q in d.quotes]
        # the page of the corpus-wide listing that holds each claim and quote (for permalinks)
        self.claim_page = {c.id: listing_page(urls.CLAIMS_PAGE, i // PAGE_SIZE + 1)
                           for i, c in enumerate(self.claims)}
        self.quote_page = {q.id: listing_page(urls.QUOTES_PAGE, i // PAGE_SIZE + 1)
                           for i, q in enumerate(self.quotes)}
        self._mentioned: dict[str, frozenset[str]] = {}

    def _entities_in(self, doc_id: str) -> frozenset[str]:
        """The ids of the entities a document mentions (each entity page asks for those of
        each of its documents)."""
        found = self._mentioned.get(doc_id)
        if found is None:
            found = self._mentioned[doc_id] = frozenset(m.entity.id for m in self.corpus.by_id[doc_id].mentions)
        return found

    def _render(self, template: str, page: str, **context) -> str:
        return self.env.get_template(template).render(page=page, corpus=self.corpus, **context)

    def passage(self, doc: ResolvedDocument, span) -> str:
        text = doc.text[span.start:span.end]
        return text if len(text) <= 300 else text[:200] + " … " + text[-80:]

    def kwic(self, doc: ResolvedDocument, span) -> tuple[str, str, str]:
        """Keyword in context. When a cut falls inside a word whose letters join there,
        both sides get a zero-width joiner, so each cell shows the joined letter forms."""
        before, keyword, after = excerpt(doc.text, span.start, span.end)
        if joined_at(doc.text, span.start):
            before, keyword = before + ZWJ, ZWJ + keyword
        if joined_at(doc.text, span.end):
            keyword, after = keyword + ZWJ, ZWJ + after
        return before, keyword, after

    # ---- data for the reader (details over annotations, citation) --------------------

    def entity_data(self, entity: Entity) -> dict:
        """What the reader shows of an entity; its page and type name it makes from
        ``entityPages`` and ``typeNames``, written once per page (a long article names a
        hundred entities)."""
        return {"name": entity.name, "label": entity.label, "type": entity.type}

    def annotation_data(self, doc: ResolvedDocument, page: str) -> str:
        """What the reader shows over each annotation of a document, as HTML-inert JSON.

        ``entities`` by id (mentions carry ``data-entity``); ``claims`` and ``quotes`` by
        element id (``data-ann``). Every value is source text: the script that reads this
        only ever puts it into the page as text.
        """
        entities: dict[str, dict] = {}

        def ref(entity: Entity) -> str:
            if entity.id not in entities:
                entities[entity.id] = self.entity_data(entity)
            return entity.id

        for mention in doc.mentions:
            ref(mention.entity)
        claims = {}
        for claim in doc.claims:
            c = claim.claim
            claims[claim.html_id] = {
                "kind": c.kind, "kindName": CLAIM_KINDS.get(c.kind, c.kind),
                "status": c.status, "statusName": CLAIM_STATUSES.get(c.status, c.status),
                "summary": c.summary, "summaryEn": c.summary_en,
                "claimant": ref(claim.claimant), "about": [ref(t) for t in claim.about],
                "item": f"claim-{c.id}", "url": urls.link(page, self.claim_page[c.id], f"claim-{c.id}"),
            }
        quotes = {}
        for quote in doc.quotes:
            q = quote.quote
            quotes[quote.html_id] = {
                "kind": q.kind, "kindName": QUOTE_KINDS.get(q.kind, q.kind),
                "channel": q.channel, "channelName": QUOTE_CHANNELS.get(q.channel, q.channel),
                "speaker": ref(quote.speaker),
                "item": f"quote-{q.id}", "url": urls.link(page, self.quote_page[q.id], f"quote-{q.id}"),
            }
        types = sorted({e["type"] for e in entities.values()})
        return json_for_html({"entities": entities, "claims": claims, "quotes": quotes,
                              "entityPages": urls.link(page, urls.ENTITIES_INDEX),
                              "typeNames": {t: ENTITY_TYPE_NAMES.get(t, t) for t in types}})

    def citation(self, doc: ResolvedDocument) -> dict[str, str]:
        """How to cite a document: Arabic plain text, and a BibTeX entry in two halves.

        The URL of the annotated page goes between the halves (the end of the note); the
        template writes the page's relative address there and the reader's script makes
        it absolute (the site's address is known only in the browser)."""
        meta = doc.meta
        date = meta.date
        parts = []
        if meta.author:
            parts.append(f"{meta.author}.")
        parts.append(f"«{meta.title}».")
        where = meta.source or ""
        when = date_text(doc) if date else "غير مؤرخ"
        parts.append(f"{where}، {when}." if where else f"{when}.")
        if meta.url:
            parts.append(f"{meta.url}.")
        fields: list[tuple[str, str]] = []
        if meta.author:
            fields.append(("author", "{" + bibtex_escape(meta.author) + "}"))
        fields.append(("title", "{" + bibtex_escape(meta.title) + "}"))
        if meta.source:
            fields.append(("journal", "{" + bibtex_escape(meta.source) + "}"))
        notes = []
        if date:
            fields.append(("year", "{" + date.earliest[:4] + "}" if date.earliest[:4] == date.latest[:4]
                           else "{" + date.earliest[:4] + "--" + date.latest[:4] + "}"))
            if date.earliest[:7] == date.latest[:7]:
                fields.append(("month", EN_MONTHS[int(date.earliest[5:7]) - 1]))
            fields.append(("date", "{" + (date.earliest if date.exact else f"{date.earliest}/{date.latest}") + "}"))
            if not date.exact:
                notes.append(f"Undated; published between {date.earliest} and {date.latest}")
        if meta.title_en:
            notes.append(f"English title: {meta.title_en}")
        if meta.source_en:
            notes.append(f"Source: {meta.source_en}")
        if meta.url:
            url = meta.url.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C").replace(" ", "%20")
            fields.append(("url", "{" + url + "}"))
        fields.append(("language", "{arabic}"))
        notes.append("Annotated edition")
        width = max(len(name) for name, _ in fields + [("note", "")])
        body = ",\n".join(f"  {name.ljust(width)} = {value}" for name, value in fields)
        note = bibtex_escape(". ".join(notes))
        return {
            "plain": " ".join(parts),
            "bibtex": (f"@article{{{doc.id},\n{body},\n  {'note'.ljust(width)} = {{{note}: ", "}\n}"),
        }

    # ---- pages ----------------------------------------------------------------------

    def document(self, doc: ResolvedDocument) -> str:
        page = urls.document_page(doc.id)
        counts = Counter(m.entity.id for m in doc.mentions)
        entities = sorted({m.entity for m in doc.mentions}, key=lambda e: (e.type, e.name, e.id))
        type_counts = Counter(m.entity.type for m in doc.mentions)
        body = self._render(
            "document.md.j2", page, doc=doc, text_html=Markup(render_text(doc, page)),
            entities=entities, counts=counts, writer=self,
            types=[(t, ENTITY_TYPE_NAMES.get(t, t), type_counts[t]) for t in ENTITY_TYPES if type_counts[t]],
            data=self.annotation_data(doc, page), citation=self.citation(doc),
        )
        return front_matter(doc.meta.title, doc.meta.summary_en) + body

    def kwic_html(self, mentions: list, page: str) -> Markup:
        """Keyword-in-context tables, one per document (built here, not in the template:
        it is the largest part of the largest pages)."""
        if not mentions:
            return Markup("<p>لا إحالات إلى هذا الكيان بعد.</p>")
        escape = html.escape
        parts: list[str] = []
        current = None
        doc = None
        for mention in mentions:
            if mention.document_id != current:
                if current is not None:
                    parts.append("</tbody>\n</table>")
                current = mention.document_id
                doc = self.corpus.by_id[current]
                href = escape(urls.link(page, urls.document_page(current)))
                parts.append(f'<h3 class="kwic-doc"><a href="{href}">{escape(doc.meta.title)}</a></h3>\n'
                             '<table class="kwic" dir="rtl">\n<tbody>')
            before, keyword, after = self.kwic(doc, mention.span)
            href = escape(urls.link(page, urls.document_page(current), mention.html_id))
            parts.append(f'<tr id="kwic-{current}-{mention.id}"><td class="kwic-before">{escape(before)}</td>'
                         f'<td class="kwic-keyword"><a href="{href}">{escape(keyword)}</a></td>'
                         f'<td class="kwic-after">{escape(after)}</td></tr>')
        parts.append("</tbody>\n</table>")
        return Markup("\n".join(parts))

    # ---- list items of many pages, built here rather than by template loops and macros (the
    # claim item was a macro in two templates): the pages of 1,000 documents took 1.405 s
    # against 1.53 s, the listings 0.55 s against 0.60 s. Each gives the items, each ended by
    # a line break, escaped as the templates' autoescaping escapes (markupsafe).

    def entity_items(self, entities: list[Entity], counts: Counter, page: str) -> Markup:
        """A document's entities: name (linked), type, mentions in the document."""
        out = []
        for entity in entities:
            href = escape(urls.link(page, urls.entity_page(entity.id)))
            out.append(f'<li><a class="ent-{escape(entity.type)}" href="{href}">{escape(entity.name)}</a> '
                       f'<span class="ent-type">{escape(ENTITY_TYPES[entity.type][0])}</span> '
                       f'<span class="count">({counts[entity.id]})</span></li>\n')
        return Markup("".join(out))

    def claim_items(self, claims: list, page: str, anchor: bool) -> Markup:
        """Claims as the listings show them: kind (linked to the claim in its text), claimant,
        targets, status, summaries, the passage; with ``anchor``, each with its id."""
        out = []
        for claim in claims:
            c = claim.claim
            here = f' id="claim-{escape(c.id)}"' if anchor else ""
            href = escape(urls.link(page, urls.document_page(claim.document_id), claim.html_id))
            claimant = escape(urls.link(page, urls.entity_page(claim.claimant.id)))
            about = ""
            if claim.about:
                about = " ← " + "، ".join(f'<a href="{escape(urls.link(page, urls.entity_page(t.id)))}">'
                                          f"{escape(t.name)}</a>" for t in claim.about)
            summary = f"<p>{escape(c.summary)}</p>" if c.summary else ""
            summary_en = f'<p lang="en" dir="ltr">{escape(c.summary_en)}</p>' if c.summary_en else ""
            passage = escape(self.passage(self.corpus.by_id[claim.document_id], claim.span))
            out.append(f'<li{here}><p class="claim-head"><a href="{href}">{escape(CLAIM_KINDS[c.kind])}</a> — '
                       f'<a href="{claimant}">{escape(claim.claimant.name)}</a>{about} '
                       f'<span class="claim-status status-{escape(c.status)}">{escape(CLAIM_STATUSES[c.status])}'
                       f"</span></p>{summary}{summary_en}<blockquote>{passage}</blockquote></li>\n")
        return Markup("".join(out))

    def quote_items(self, quotes: list, page: str) -> Markup:
        """Quotes as the listing shows them: kind (linked to the quote in its text), speaker,
        channel, document, the passage, how it was reported."""
        out = []
        for quote in quotes:
            q = quote.quote
            doc = self.corpus.by_id[quote.document_id]
            href = escape(urls.link(page, urls.document_page(quote.document_id), quote.html_id))
            speaker = escape(urls.link(page, urls.entity_page(quote.speaker.id)))
            document = escape(urls.link(page, urls.document_page(quote.document_id)))
            via = f'<p class="note" lang="en" dir="ltr">{escape(q.via)}</p>' if q.via else ""
            out.append(f'<li id="quote-{escape(q.id)}"><p class="quote-head"><a href="{href}">'
                       f"{escape(QUOTE_KINDS[q.kind])}</a> — <a href=\"{speaker}\">{escape(quote.speaker.name)}</a> "
                       f'<span class="quote-channel">({escape(QUOTE_CHANNELS[q.channel])})</span> — '
                       f'<a href="{document}">{escape(doc.meta.title)}</a></p>'
                       f"<blockquote>{escape(self.passage(doc, quote.span))}</blockquote>{via}</li>\n")
        return Markup("".join(out))

    def entity(self, entity: Entity) -> dict[str, str]:
        """The entity's page, and further pages of its mentions when there are many."""
        first = urls.entity_page(entity.id)
        mentions = self.corpus.mentions_by_entity.get(entity.id, [])
        documents = {m.document_id for m in mentions}
        co_occurring: Counter = Counter()
        for doc_id in documents:
            co_occurring.update(self._entities_in(doc_id))
        co_occurring.pop(entity.id, None)
        names = self.corpus.entities
        top = heapq.nsmallest(12, co_occurring.items(), key=lambda kv: (-kv[1], names[kv[0]].name, kv[0]))
        claims_by = self.corpus.claims_by_claimant.get(entity.id, [])
        claims_about = self.corpus.claims_about.get(entity.id, [])
        quotes = self.corpus.quotes_by_speaker.get(entity.id, [])
        slices = chunked(mentions)
        pages = {}
        for number, part in enumerate(slices, 1):
            page = listing_page(first, number)
            body = self._render(
                "entity.md.j2", page, entity=entity, mention_count=len(mentions), document_count=len(documents),
                kwic=self.kwic_html(part, page), pager=pager_html(first, len(slices), number),
                page_number=number, page_count=len(slices),
                claims_by=claims_by[:PAGE_SIZE], claims_by_total=len(claims_by),
                claims_about=claims_about[:PAGE_SIZE], claims_about_total=len(claims_about),
                quotes=quotes[:PAGE_SIZE], quotes_total=len(quotes),
                co_occurring=[(self.corpus.entities[i], n) for i, n in top], writer=self,
            )
            title = entity.name if number == 1 else f"{entity.name} ({number})"
            pages[page] = front_matter(title, entity.description) + body
        return pages

    # ---- listings: each page with what it shows, so that generation can tell whether it changed

    def listings(self) -> list[Listing]:
        """Every listing page (documents, entities by type, claims, quotes), not yet rendered."""
        return (self.documents_listings() + self.entities_listings() + self.claims_listings()
                + self.quotes_listings())

    def _paged(self, first: str, title: str, template: str, name: str, items: list, *, size: int = PAGE_SIZE,
               first_shows: str = "", shows_of=None, documents_of=None, **context) -> list[Listing]:
        """A listing cut into pages of ``size``: page N renders ``template`` with its slice of
        ``items`` as ``name``, the total, its number and the pager; ``first_shows`` is what
        only the first page shows, ``shows_of(slice)`` what a page shows of its items besides
        the documents ``documents_of(slice)`` (by default those the items belong to)."""
        slices = chunked(items, size)
        out = []
        for number, part in enumerate(slices, 1):
            page = listing_page(first, number)

            def render(page=page, part=part, number=number) -> str:
                body = self._render(template, page, **{name: part}, total=len(items), page_number=number,
                                    pager=pager_html(first, len(slices), number), **context)
                return front_matter(title if number == 1 else f"{title} ({number})") + body
            shows = f"{len(items)}|{len(slices)}"
            if number == 1 and first_shows:
                shows += f"|{first_shows}"
            if shows_of is not None:
                shows += f"|{shows_of(part)}"
            out.append(Listing(page, (documents_of or _documents_of)(part), shows, render))
        return out

    def documents_listings(self) -> list[Listing]:
        return self._paged(urls.DOCUMENTS_INDEX, "الوثائق", "documents.md.j2", "documents", self.corpus.documents,
                           documents_of=lambda part: tuple(d.id for d in part))

    def entities_listings(self) -> list[Listing]:
        """Entities by type: the most mentioned on the index, every one on the type's pages."""
        counts = {e: len(self.corpus.mentions_by_entity.get(e, [])) for e in self.corpus.entities}
        by_type: dict[str, list[Entity]] = defaultdict(list)
        for entity in self.corpus.entities.values():
            by_type[entity.type].append(entity)
        out = []
        top: dict[str, list[Entity]] = {}
        for type_, items in by_type.items():
            items.sort(key=lambda e: (e.name, e.id))
            top[type_] = sorted(items, key=lambda e: (-counts[e.id], e.name, e.id))[:TOP] if len(items) > TOP else items
            out += self._paged(urls.type_page(type_), ENTITY_TYPES[type_][0], "entity_type.md.j2", "entities", items,
                               size=PAGE_SIZE * 2, type=type_, counts=counts, documents_of=lambda part: (),
                               shows_of=lambda part: ",".join(f"{e.id}:{counts[e.id]}" for e in part))
        totals = {t: len(v) for t, v in by_type.items()}

        def render_index() -> str:
            body = self._render("entities.md.j2", urls.ENTITIES_INDEX, by_type=top, totals=totals, counts=counts)
            return front_matter("الكيانات") + body
        shown = "|".join(f"{t}:{totals[t]}:" + ",".join(f"{e.id}:{counts[e.id]}" for e in top[t]) for t in top)
        out.append(Listing(urls.ENTITIES_INDEX, (), shown, render_index))
        return out

    def _ranked(self, counter: Counter) -> list[tuple[Entity, int]]:
        return [(self.corpus.entities[i], n) for i, n in
                sorted(counter.items(), key=lambda kv: (-kv[1], self.corpus.entities[kv[0]].name, kv[0]))[:TOP]]

    def claims_listings(self) -> list[Listing]:
        """Every claim, in corpus order, a page at a time; the first page adds overviews by
        kind, claimant and target (each claim's entity pages list it by claimant and target)."""
        by_claimant: Counter = Counter(c.claimant.id for c in self.claims)
        by_target: Counter = Counter(t.id for c in self.claims for t in c.about)
        by_kind: Counter = Counter(c.claim.kind for c in self.claims)
        overview = dict(by_kind=[(k, by_kind[k]) for k in CLAIM_KINDS if by_kind[k]],
                        by_claimant=self._ranked(by_claimant), claimant_total=len(by_claimant),
                        by_target=self._ranked(by_target), target_total=len(by_target))
        overview_text = repr([overview["by_kind"], [(e.id, n) for e, n in overview["by_claimant"]],
                              [(e.id, n) for e, n in overview["by_target"]], len(by_claimant), len(by_target)])
        out = self._paged(urls.CLAIMS_PAGE, "الادعاءات", "claims.md.j2", "claims", self.claims,
                          first_shows=overview_text, writer=self, **overview)
        for kind in CLAIM_KINDS:
            items = [c for c in self.claims if c.claim.kind == kind]
            if items:
                out += self._paged(urls.claim_kind_page(kind), CLAIM_KINDS[kind], "claims_kind.md.j2", "claims",
                                   items, kind=kind, writer=self)
        return out

    def quotes_listings(self) -> list[Listing]:
        by_speaker: Counter = Counter(q.speaker.id for q in self.quotes)
        speakers = self._ranked(by_speaker)
        speakers_text = repr([(e.id, n) for e, n in speakers]) + f"|{len(by_speaker)}"
        return self._paged(urls.QUOTES_PAGE, "الاقتباسات", "quotes.md.j2", "quotes", self.quotes,
                           first_shows=speakers_text, by_speaker=speakers, speaker_total=len(by_speaker), writer=self)

    def documents_index(self) -> dict[str, str]:
        return {listing.path: listing.render() for listing in self.documents_listings()}

    def entities_index(self) -> dict[str, str]:
        return {listing.path: listing.render() for listing in self.entities_listings()}

    def claims_pages(self) -> dict[str, str]:
        return {listing.path: listing.render() for listing in self.claims_listings()}

    def quotes_pages(self) -> dict[str, str]:
        return {listing.path: listing.render() for listing in self.quotes_listings()}

    def all_pages(self) -> dict[str, str]:
        """Every page, rendered in this process (pipeline.py renders them in parts, in
        parallel, writing as it goes; this is for tests and small tools)."""
        pages = {}
        for listing in self.listings():
            pages[listing.path] = listing.render()
        for doc in self.corpus.documents:
            pages[urls.document_page(doc.id)] = self.document(doc)
        for entity in self.corpus.entities.values():
            pages.update(self.entity(entity))
        return dict(sorted(pages.items()))
