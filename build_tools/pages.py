"""Generated pages: Markdown with HTML blocks, written for any MkDocs-compatible generator.

Each function returns the text of one page. Templates autoescape; every value that
comes from the sources is escaped on the way out (titles in front matter too, since
MkDocs does not escape them). Nothing here knows about MkDocs.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict

import jinja2
import regex
import yaml
from markupsafe import Markup

from . import urls
from .corpus import ResolvedCorpus
from .model import (
    CLAIM_KINDS, CLAIM_STATUSES, ENTITY_TYPES, QUOTE_CHANNELS, QUOTE_KINDS, Entity,
    ResolvedDocument,
)
from .render import excerpt, render_text

AR_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
             "أكتوبر", "نوفمبر", "ديسمبر")
_MD_SPECIAL = regex.compile(r"([\\`*_{}\[\]()#+\-.!|>~^=:])")

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


def md_text(value: str) -> Markup:
    """Text for a Markdown context (a heading): HTML-escaped, Markdown syntax disarmed."""
    escaped = html.escape(value, quote=True)
    return Markup(_MD_SPECIAL.sub(r"\\\1", escaped).replace("\n", " "))


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


def front_matter(title: str, description: str = "") -> str:
    data = {"title": html.escape(title, quote=True)}
    if description:
        data["description"] = html.escape(description, quote=True)
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=10_000) + "---\n"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("build_tools", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md_text
    env.globals.update(
        ENTITY_TYPES=ENTITY_TYPES, CLAIM_KINDS=CLAIM_KINDS, CLAIM_STATUSES=CLAIM_STATUSES,
        QUOTE_KINDS=QUOTE_KINDS, QUOTE_CHANNELS=QUOTE_CHANNELS, link=urls.link, urls=urls,
        date_text=date_text,
    )
    return env


class PageWriter:
    """Renders every page of a resolved corpus to ``{path: text}``."""

    def __init__(self, corpus: ResolvedCorpus):
        self.corpus = corpus
        self.env = _environment()

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

    def entity_data(self, entity: Entity, page: str) -> dict:
        return {
            "name": entity.name, "label": entity.label, "type": entity.type,
            "typeName": ENTITY_TYPE_NAMES.get(entity.type, entity.type),
            "url": urls.link(page, urls.entity_page(entity.id)),
        }

    def annotation_data(self, doc: ResolvedDocument, page: str) -> str:
        """What the reader shows over each annotation of a document, as HTML-inert JSON.

        ``entities`` by id (mentions carry ``data-entity``); ``claims`` and ``quotes`` by
        element id (``data-ann``). Every value is source text: the script that reads this
        only ever puts it into the page as text.
        """
        entities: dict[str, dict] = {}

        def ref(entity: Entity) -> str:
            entities.setdefault(entity.id, self.entity_data(entity, page))
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
                "item": f"claim-{c.id}", "url": urls.link(page, urls.CLAIMS_PAGE, f"claim-{c.id}"),
            }
        quotes = {}
        for quote in doc.quotes:
            q = quote.quote
            quotes[quote.html_id] = {
                "kind": q.kind, "kindName": QUOTE_KINDS.get(q.kind, q.kind),
                "channel": q.channel, "channelName": QUOTE_CHANNELS.get(q.channel, q.channel),
                "speaker": ref(quote.speaker),
                "item": f"quote-{q.id}", "url": urls.link(page, urls.QUOTES_PAGE, f"quote-{q.id}"),
            }
        return json_for_html({"entities": entities, "claims": claims, "quotes": quotes})

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
        entities = sorted({m.entity for m in doc.mentions}, key=lambda e: (e.type, e.name))
        type_counts = Counter(m.entity.type for m in doc.mentions)
        body = self._render(
            "document.md.j2", page, doc=doc, text_html=Markup(render_text(doc, page)),
            entities=entities, counts=counts, writer=self,
            types=[(t, ENTITY_TYPE_NAMES.get(t, t), type_counts[t]) for t in ENTITY_TYPES if type_counts[t]],
            data=self.annotation_data(doc, page), citation=self.citation(doc),
        )
        return front_matter(doc.meta.title, doc.meta.summary_en) + body

    def entity(self, entity: Entity) -> str:
        page = urls.entity_page(entity.id)
        mentions = self.corpus.mentions_by_entity.get(entity.id, [])
        by_document: dict[str, list] = defaultdict(list)
        for mention in mentions:
            by_document[mention.document_id].append(mention)
        co_occurring: Counter = Counter()
        for doc_id in by_document:
            for other in {m.entity for m in self.corpus.by_id[doc_id].mentions}:
                if other.id != entity.id:
                    co_occurring[other] += 1
        body = self._render(
            "entity.md.j2", page, entity=entity, by_document=by_document, mention_count=len(mentions),
            claims_by=self.corpus.claims_by_claimant.get(entity.id, []),
            claims_about=self.corpus.claims_about.get(entity.id, []),
            quotes=self.corpus.quotes_by_speaker.get(entity.id, []),
            co_occurring=sorted(co_occurring.items(), key=lambda kv: (-kv[1], kv[0].name))[:12],
            writer=self,
        )
        return front_matter(entity.name, entity.description) + body

    def documents_index(self) -> str:
        body = self._render("documents.md.j2", urls.DOCUMENTS_INDEX, documents=self.corpus.documents)
        return front_matter("الوثائق") + body

    def entities_index(self) -> str:
        by_type: dict[str, list[Entity]] = defaultdict(list)
        for entity in self.corpus.entities.values():
            by_type[entity.type].append(entity)
        for items in by_type.values():
            items.sort(key=lambda e: e.name)
        counts = {e: len(self.corpus.mentions_by_entity.get(e, [])) for e in self.corpus.entities}
        body = self._render("entities.md.j2", urls.ENTITIES_INDEX, by_type=by_type, counts=counts)
        return front_matter("الكيانات") + body

    def claims_page(self) -> str:
        claims = [c for d in self.corpus.documents for c in d.claims]
        by_claimant: dict[Entity, list] = defaultdict(list)
        by_kind: dict[str, list] = defaultdict(list)
        by_target: dict[Entity, list] = defaultdict(list)
        for claim in claims:
            by_claimant[claim.claimant].append(claim)
            by_kind[claim.claim.kind].append(claim)
            for target in claim.about:
                by_target[target].append(claim)
        body = self._render(
            "claims.md.j2", urls.CLAIMS_PAGE, claims=claims,
            by_claimant=sorted(by_claimant.items(), key=lambda kv: (-len(kv[1]), kv[0].name)),
            by_kind=[(k, by_kind[k]) for k in CLAIM_KINDS if k in by_kind],
            by_target=sorted(by_target.items(), key=lambda kv: (-len(kv[1]), kv[0].name)),
            writer=self,
        )
        return front_matter("الادعاءات") + body

    def quotes_page(self) -> str:
        quotes = [q for d in self.corpus.documents for q in d.quotes]
        by_speaker: dict[Entity, list] = defaultdict(list)
        for quote in quotes:
            by_speaker[quote.speaker].append(quote)
        body = self._render(
            "quotes.md.j2", urls.QUOTES_PAGE, quotes=quotes,
            by_speaker=sorted(by_speaker.items(), key=lambda kv: (-len(kv[1]), kv[0].name)),
            writer=self,
        )
        return front_matter("الاقتباسات") + body

    def all_pages(self) -> dict[str, str]:
        pages = {
            urls.DOCUMENTS_INDEX: self.documents_index(),
            urls.ENTITIES_INDEX: self.entities_index(),
            urls.CLAIMS_PAGE: self.claims_page(),
            urls.QUOTES_PAGE: self.quotes_page(),
        }
        for doc in self.corpus.documents:
            pages[urls.document_page(doc.id)] = self.document(doc)
        for entity in self.corpus.entities.values():
            pages[urls.entity_page(entity.id)] = self.entity(entity)
        return pages
