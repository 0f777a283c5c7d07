"""Generated pages: Markdown with HTML blocks, written for any MkDocs-compatible generator.

Each function returns the text of one page. Templates autoescape; every value that
comes from the sources is escaped on the way out (titles in front matter too, since
MkDocs does not escape them). Nothing here knows about MkDocs.
"""

from __future__ import annotations

import html
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
        return excerpt(doc.text, span.start, span.end)

    # ---- pages ----------------------------------------------------------------------

    def document(self, doc: ResolvedDocument) -> str:
        page = urls.document_page(doc.id)
        counts = Counter(m.entity.id for m in doc.mentions)
        entities = sorted({m.entity for m in doc.mentions}, key=lambda e: (e.type, e.name))
        body = self._render(
            "document.md.j2", page, doc=doc, text_html=Markup(render_text(doc, page)),
            entities=entities, counts=counts, writer=self,
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
