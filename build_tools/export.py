"""Exports of the resolved corpus: W3C Web Annotation JSON-LD, CSV tables, a JSON dump.

Everything here is computed from the resolved model (``ResolvedCorpus``), never from
the YAML sources, and is deterministic (no dates, sorted output), so that generating
twice writes nothing new and an export → import → export round trip is byte-identical.
Nothing here knows about MkDocs: ``site_files`` returns ``{path: text}`` for the
generated folder, and the site generator copies those files as downloads.

Identifiers
    Every IRI is built on a *base*: ``site_url`` from ``mkdocs.yml`` when it is set,
    else ``PLACEHOLDER_BASE`` (``https://corpus.invalid/``; the ``.invalid`` top-level
    domain is reserved and never resolves, so a placeholder cannot be mistaken for a
    real address). With the base ``B``:

    - the text a document's selectors count in: ``B corpus/exports/documents/<id>.txt``
      (published beside the exports; UTF-8, exactly the source text);
    - the document page: ``B corpus/documents/<id>/``; an entity page: ``B corpus/entities/<id>/``;
    - an annotation: ``B corpus/exports/documents/<id>.jsonld#m-<mention>`` (``#c-<claim>``,
      ``#q-<quote>``): the fragment is the element id the site gives the same annotation.

Offsets
    ``TextPositionSelector`` ``start``/``end`` count Unicode code points (as the W3C model
    requires, and as the whole build does); ``TextQuoteSelector`` carries the exact text
    and up to ``CONTEXT`` code points of prefix and suffix.

Our own data (entity registry records, claim and quote fields) travels in four
extension properties defined in an inline JSON-LD 1.1 context as JSON literals
(``entityRecords``, ``mentionRecord``, ``claimRecord``, ``quoteRecord``), beside the
standard bodies that other tools understand; ``build_tools.w3c`` reads them back.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import orjson
import yaml

from . import urls
from .output import encoded_pieces
from .corpus import ResolvedCorpus
from .model import (
    CLAIM_KINDS, CLAIM_STATUSES, ENTITY_TYPES, QUOTE_CHANNELS, QUOTE_KINDS, Entity, Mention,
    ResolvedClaim, ResolvedDocument, ResolvedQuote, Span,
)

PLACEHOLDER_BASE = "https://corpus.invalid/"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT = 32                     # code points of prefix/suffix in a TextQuoteSelector
FORMAT = "arabic-corpus-publisher/resolved-corpus"
FORMAT_VERSION = 1
RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi"}
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

CORPUS_JSONLD = urls.export_file("corpus.jsonld")
CORPUS_LABEL = "Annotated corpus: all annotations"
CORPUS_JSON = urls.export_file("corpus.json")
SCHEMA_JSON = urls.export_file("corpus.schema.json")
SUMMARY_JSON = urls.export_file("summary.json")          # counts only: read by a collections hub
SUMMARY_FORMAT = "arabic-corpus-publisher/summary"
CSV_TABLES = ("documents", "entities", "mentions", "claims", "quotes")
document_file = urls.document_export      # (doc_id, "jsonld" | "json" | "txt")


def csv_path(table: str) -> str:
    return urls.export_file(f"{table}.csv")


# ---- the base IRI ----------------------------------------------------------------------

class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running its ``!!python/...`` tags (they become None)."""


def _environment_tag(loader: yaml.SafeLoader, node: yaml.Node):
    """MkDocs's ``!ENV NAME`` or ``!ENV [NAME, …, default]``: the first variable that is set."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    elif isinstance(node, yaml.SequenceNode):
        items = loader.construct_sequence(node)
        names, default = (items[:-1], items[-1]) if len(items) > 1 else (items, None)
    else:
        return None
    for name in names:
        if isinstance(name, str) and os.environ.get(name):
            return os.environ[name]
    return default


_LenientLoader.add_constructor("!ENV", _environment_tag)
_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def read_site_setting(root: Path, name: str) -> str | None:
    """A text setting (``site_url``, ``site_name``) of ``<root>/mkdocs.yml``, or None when
    unset or unreadable."""
    try:
        data = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_LenientLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    value = data.get(name) if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_site_url(root: Path) -> str | None:
    """``site_url`` from ``<root>/mkdocs.yml``, or None when unset or unreadable."""
    return read_site_setting(root, "site_url")


def normalise_base(base: str | None) -> str:
    """The base IRI, ending with one slash; the placeholder when none is given."""
    base = (base or PLACEHOLDER_BASE).strip()
    return base if base.endswith("/") else base + "/"


class Iris:
    """Every IRI of the exports, built on one base."""

    def __init__(self, base: str | None = None):
        self.base = normalise_base(base)

    def page(self, page: str) -> str:
        return self.base + urls.page_url(page)

    def file(self, path: str) -> str:
        return self.base + path

    def document(self, doc_id: str) -> str:
        return self.page(urls.document_page(doc_id))

    def entity(self, entity_id: str) -> str:
        return self.page(urls.entity_page(entity_id))

    def text(self, doc_id: str) -> str:
        return self.file(document_file(doc_id, "txt"))

    def annotation_page(self, doc_id: str) -> str:
        """A document's annotations: one page of the corpus's annotation collection."""
        return self.file(document_file(doc_id, "jsonld"))

    def corpus_collection(self) -> str:
        return self.file(CORPUS_JSONLD)

    def annotation(self, doc_id: str, html_id: str) -> str:
        return f"{self.annotation_page(doc_id)}#{html_id}"

    def vocabulary(self) -> str:
        return self.file(urls.export_file("vocabulary#"))


# ---- shared helpers ----------------------------------------------------------------------

def text_direction(language: str) -> str:
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def textual_body(value: str, purpose: str, language: str) -> dict:
    return {
        "type": "TextualBody",
        "purpose": purpose,
        "value": value,
        "format": "text/plain",
        "language": language,
        "textDirection": text_direction(language),
    }


def entity_record(entity: Entity) -> dict:
    """A registry entry as plain data (the same keys as ``annotations/entities.yml``)."""
    return {
        "id": entity.id,
        "type": entity.type,
        "name": entity.name,
        "label": entity.label,
        "aliases": list(entity.aliases),
        "description": entity.description,
        "description_ar": entity.description_ar,
        "wikidata": entity.wikidata,
    }


def claim_record(claim: ResolvedClaim) -> dict:
    c = claim.claim
    return {
        "id": c.id,
        "claimant": claim.claimant.id,
        "kind": c.kind,
        "status": c.status,
        "about": [e.id for e in claim.about],
        "summary": c.summary,
        "summary_en": c.summary_en,
        "quotes": list(c.quotes),
        "note": c.note,
    }


def quote_record(quote: ResolvedQuote) -> dict:
    q = quote.quote
    return {
        "id": q.id,
        "speaker": quote.speaker.id,
        "kind": q.kind,
        "channel": q.channel,
        "via": q.via,
        "note": q.note,
    }


def referenced_entities(corpus: ResolvedCorpus, docs: Iterable[ResolvedDocument]) -> list[Entity]:
    """The entities the annotations and metadata of ``docs`` refer to, sorted by id."""
    ids: set[str] = set()
    for doc in docs:
        ids.update(m.entity.id for m in doc.mentions)
        for claim in doc.claims:
            ids.add(claim.claimant.id)
            ids.update(e.id for e in claim.about)
        ids.update(q.speaker.id for q in doc.quotes)
        ids.update(i for i in (doc.meta.source_entity, doc.meta.author_entity) if i)
    return [corpus.entities[i] for i in sorted(ids) if i in corpus.entities]


def dumps(data: Any) -> str:
    """Deterministic, readable JSON (UTF-8 characters kept, two-space indent, final newline).

    orjson writes the same bytes as ``json.dumps(data, ensure_ascii=False, indent=2)`` for
    this data (strings, integers, lists, dicts with string keys; tested) about five times
    faster: the standard library falls back to pure Python as soon as it indents."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")


def dumps_page(page: dict) -> str:
    """An AnnotationPage as JSON with one annotation per line: half the size of an indented
    file, and a change to one annotation is a one-line diff. The lines are compact JSON
    (orjson: a quarter of the time of ``json.dumps``, the most of a document's exports at
    10,000 documents, and 6 % fewer bytes)."""
    text = dumps({**page, "items": []})
    marker = '"items": []'
    assert text.count(marker) == 1
    items = ",\n".join("    " + orjson.dumps(item).decode("utf-8") for item in page["items"])
    return text.replace(marker, '"items": [\n' + items + "\n  ]" if items else marker)


# ---- W3C Web Annotation ---------------------------------------------------------------

class W3CExporter:
    """Annotations and collections of the W3C Web Annotation Data Model."""

    def __init__(self, corpus: ResolvedCorpus, base: str | None = None):
        self.corpus = corpus
        self.iris = Iris(base)

    def context(self) -> list:
        return [ANNO_CONTEXT, {
            "@version": 1.1,
            "corpus": self.iris.vocabulary(),
            "entityRecords": {"@id": "corpus:entityRecords", "@type": "@json"},
            "mentionRecord": {"@id": "corpus:mentionRecord", "@type": "@json"},
            "claimRecord": {"@id": "corpus:claimRecord", "@type": "@json"},
            "quoteRecord": {"@id": "corpus:quoteRecord", "@type": "@json"},
        }]

    def target(self, doc: ResolvedDocument, span: Span) -> dict:
        text = doc.text
        quote = {
            "type": "TextQuoteSelector",
            "exact": text[span.start:span.end],
            "prefix": text[max(0, span.start - CONTEXT):span.start],     # "" at the start of the text
            "suffix": text[span.end:span.end + CONTEXT],
        }
        language = doc.meta.language
        return {
            "type": "SpecificResource",
            "source": {
                "id": self.iris.text(doc.id),
                "type": "Text",
                "format": "text/plain",
                "language": language,
                "textDirection": text_direction(language),
            },
            "scope": self.iris.document(doc.id),
            "selector": [quote, {"type": "TextPositionSelector", "start": span.start, "end": span.end}],
        }

    def _entity_link(self, entity: Entity, purpose: str) -> dict:
        return {"type": "SpecificResource", "purpose": purpose, "source": self.iris.entity(entity.id)}

    def mention(self, doc: ResolvedDocument, mention: Mention) -> dict:
        entity = mention.entity
        body = [self._entity_link(entity, "identifying")]
        if entity.wikidata:
            body.append({"type": "SpecificResource", "purpose": "identifying",
                         "source": WIKIDATA_ENTITY + entity.wikidata})
        body.append(textual_body(entity.type, "classifying", "en"))
        body.append(textual_body(entity.name, "tagging", "ar"))
        return {
            "id": self.iris.annotation(doc.id, mention.html_id),
            "type": "Annotation",
            "motivation": "identifying",
            "body": body,
            "target": self.target(doc, mention.span),
            "mentionRecord": {"id": mention.id, "entity": entity.id},
        }

    def claim(self, doc: ResolvedDocument, claim: ResolvedClaim) -> dict:
        c = claim.claim
        body = []
        if c.summary:
            body.append(textual_body(c.summary, "describing", "ar"))
        if c.summary_en:
            body.append(textual_body(c.summary_en, "describing", "en"))
        body.append(textual_body(c.kind, "classifying", "en"))
        body.append(textual_body(c.status, "assessing", "en"))
        body.append(self._entity_link(claim.claimant, "linking"))
        body.extend(self._entity_link(e, "linking") for e in claim.about)
        if c.note:
            body.append(textual_body(c.note, "commenting", "en"))
        return {
            "id": self.iris.annotation(doc.id, claim.html_id),
            "type": "Annotation",
            "motivation": "describing",
            "body": body,
            "target": self.target(doc, claim.span),
            "claimRecord": claim_record(claim),
        }

    def quote(self, doc: ResolvedDocument, quote: ResolvedQuote) -> dict:
        q = quote.quote
        body = [textual_body(q.kind, "classifying", "en"), textual_body(q.channel, "classifying", "en"),
                self._entity_link(quote.speaker, "linking")]
        if q.via:
            body.append(textual_body(q.via, "commenting", "en"))
        if q.note:
            body.append(textual_body(q.note, "commenting", "en"))
        return {
            "id": self.iris.annotation(doc.id, quote.html_id),
            "type": "Annotation",
            "motivation": "classifying",
            "body": body,
            "target": self.target(doc, quote.span),
            "quoteRecord": quote_record(quote),
        }

    def annotations(self, doc: ResolvedDocument) -> list[dict]:
        """Every annotation of a document: mentions, then claims, then quotes, in text order."""
        return ([self.mention(doc, m) for m in doc.mentions]
                + [self.claim(doc, c) for c in doc.claims]
                + [self.quote(doc, q) for q in doc.quotes])

    def corpus_collection(self) -> dict:
        """The corpus's AnnotationCollection, paged as the W3C Web Annotation Protocol pages
        a collection: its pages are the documents' files (:meth:`page`), in document order,
        linked by ``first``/``last`` here and ``next``/``prev`` on each page. No file grows
        with the corpus, each annotation is written once, and a change to one document
        rewrites its page and this small file only.

        The pages carry no ``startIndex`` (a SHOULD of the protocol): it would change on
        every page after a document whose annotations were added or removed."""
        documents = self.corpus.documents
        collection = {
            "@context": self.context(),
            "id": self.iris.corpus_collection(),
            "type": "AnnotationCollection",
            "label": CORPUS_LABEL,
            "total": sum(len(d.mentions) + len(d.claims) + len(d.quotes) for d in documents),
            "entityRecords": [entity_record(e) for e in self.corpus.entities.values()],
        }
        if documents:
            collection["first"] = self.iris.annotation_page(documents[0].id)
            collection["last"] = self.iris.annotation_page(documents[-1].id)
        return collection

    def page(self, doc: ResolvedDocument, previous: str | None = None, following: str | None = None) -> dict:
        """A document's annotations as a page of the corpus collection; ``previous`` and
        ``following`` are the ids of the documents before and after it. The page also
        carries the records of the entities it refers to, so that it imports on its own."""
        page = {
            "@context": self.context(),
            "id": self.iris.annotation_page(doc.id),
            "type": "AnnotationPage",
            "label": doc.meta.title,
            "partOf": {"id": self.iris.corpus_collection(), "type": "AnnotationCollection", "label": CORPUS_LABEL},
        }
        if previous:
            page["prev"] = self.iris.annotation_page(previous)
        if following:
            page["next"] = self.iris.annotation_page(following)
        page["entityRecords"] = [entity_record(e) for e in referenced_entities(self.corpus, [doc])]
        page["items"] = self.annotations(doc)
        return page

    def pages(self) -> list[dict]:
        """Every page of the corpus collection, in order."""
        around = neighbours(self.corpus)
        return [self.page(doc, *around[doc.id]) for doc in self.corpus.documents]


# ---- CSV ---------------------------------------------------------------------------------

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("id", "title", "title_en", "language", "source", "source_en", "source_entity", "author",
                  "author_en", "author_entity", "date_earliest", "date_latest", "date_note", "url", "origin",
                  "headline", "summary_en", "characters", "mentions", "claims", "quotes", "page"),
    "entities": ("id", "type", "type_ar", "name", "label", "aliases", "description", "description_ar",
                 "wikidata", "mentions", "documents", "page"),
    "mentions": ("document", "id", "entity", "entity_type", "start", "end", "text", "page"),
    "claims": ("document", "id", "claimant", "kind", "status", "about", "summary", "summary_en", "quotes",
               "note", "start", "end", "text", "page"),
    "quotes": ("document", "id", "speaker", "kind", "channel", "via", "note", "start", "end", "text", "page"),
}
LIST_SEPARATOR = " | "


def _csv_rows(columns: tuple[str, ...], rows: Iterable[dict]) -> str:
    """RFC 4180 CSV lines (CRLF, minimal quoting), no header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return out.getvalue()


def _csv_text(columns: tuple[str, ...], body: str) -> str:
    """A whole table: a UTF-8 byte order mark (for Excel), the header, the rows."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(columns)
    return "\ufeff" + out.getvalue() + body


def document_rows(doc: ResolvedDocument, iris: Iris) -> dict[str, list[dict]]:
    """A document's rows of the documents, mentions, claims and quotes tables."""
    join = LIST_SEPARATOR.join
    meta = doc.meta
    page = iris.document(doc.id)
    claims = []
    for c in doc.claims:
        record = claim_record(c)
        claims.append({
            "document": doc.id, **record, "about": join(record["about"]), "quotes": join(record["quotes"]),
            "start": c.span.start, "end": c.span.end, "text": doc.text[c.span.start:c.span.end],
            "page": f"{page}#{c.html_id}",
        })
    return {
        "documents": [{
            "id": doc.id, "title": meta.title, "title_en": meta.title_en, "language": meta.language,
            "source": meta.source, "source_en": meta.source_en, "source_entity": meta.source_entity,
            "author": meta.author, "author_en": meta.author_en, "author_entity": meta.author_entity,
            "date_earliest": meta.date.earliest if meta.date else "",
            "date_latest": meta.date.latest if meta.date else "",
            "date_note": meta.date.note if meta.date else "",
            "url": meta.url, "origin": meta.origin, "headline": "true" if meta.headline else "false",
            "summary_en": meta.summary_en, "characters": len(doc.text), "mentions": len(doc.mentions),
            "claims": len(doc.claims), "quotes": len(doc.quotes), "page": page,
        }],
        "mentions": [{
            "document": doc.id, "id": m.id, "entity": m.entity.id, "entity_type": m.entity.type,
            "start": m.span.start, "end": m.span.end, "text": doc.text[m.span.start:m.span.end],
            "page": f"{page}#{m.html_id}",
        } for m in doc.mentions],
        "claims": claims,
        "quotes": [{
            "document": doc.id, **quote_record(q), "start": q.span.start, "end": q.span.end,
            "text": doc.text[q.span.start:q.span.end], "page": f"{page}#{q.html_id}",
        } for q in doc.quotes],
    }


def entity_rows(corpus: ResolvedCorpus, iris: Iris) -> list[dict]:
    documents_of: dict[str, set[str]] = {e: set() for e in corpus.entities}
    for entity_id, mentions in corpus.mentions_by_entity.items():
        documents_of[entity_id].update(m.document_id for m in mentions)
    return [{
        **entity_record(e), "type_ar": ENTITY_TYPES[e.type][0], "aliases": LIST_SEPARATOR.join(e.aliases),
        "mentions": len(corpus.mentions_by_entity.get(e.id, [])), "documents": len(documents_of[e.id]),
        "page": iris.entity(e.id),
    } for e in corpus.entities.values()]


def csv_tables(corpus: ResolvedCorpus, base: str | None = None) -> dict[str, str]:
    """The five tables as CSV text, keyed by table name."""
    iris = Iris(base)
    bodies = {name: [] for name in CSV_TABLES}
    for doc in corpus.documents:
        for name, rows in document_rows(doc, iris).items():
            bodies[name].append(_csv_rows(CSV_COLUMNS[name], rows))
    bodies["entities"] = [_csv_rows(CSV_COLUMNS["entities"], entity_rows(corpus, iris))]
    return {name: _csv_text(CSV_COLUMNS[name], "".join(bodies[name])) for name in CSV_TABLES}


# ---- JSON dump and its schema ----------------------------------------------------------

def _span_data(doc: ResolvedDocument, span: Span) -> dict:
    return {"start": span.start, "end": span.end, "text": doc.text[span.start:span.end]}


def document_data(doc: ResolvedDocument) -> dict:
    meta = doc.meta
    return {
        "id": doc.id,
        "meta": {
            "title": meta.title, "title_en": meta.title_en, "language": meta.language,
            "source": meta.source, "source_en": meta.source_en, "source_entity": meta.source_entity,
            "author": meta.author, "author_en": meta.author_en, "author_entity": meta.author_entity,
            "date": ({"earliest": meta.date.earliest, "latest": meta.date.latest, "note": meta.date.note}
                     if meta.date else None),
            "url": meta.url, "origin": meta.origin, "headline": meta.headline, "summary_en": meta.summary_en,
        },
        "text": doc.text,
        "mentions": [{"id": m.id, "entity": m.entity.id, **_span_data(doc, m.span)} for m in doc.mentions],
        "claims": [{**claim_record(c), **_span_data(doc, c.span)} for c in doc.claims],
        "quotes": [{**quote_record(q), **_span_data(doc, q.span)} for q in doc.quotes],
    }


def json_dump(corpus: ResolvedCorpus, docs: list[ResolvedDocument] | None = None,
              base: str | None = None) -> dict:
    """The resolved model as plain JSON data (the whole corpus, or some documents and
    the entities they refer to); ``corpus.schema.json`` describes it."""
    if docs is None:
        docs = corpus.documents
        entities = list(corpus.entities.values())
    else:
        entities = referenced_entities(corpus, docs)
    return {
        "$schema": Iris(base).file(SCHEMA_JSON),
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "offsets": "unicode-code-points",
        "entities": [entity_record(e) for e in entities],
        "documents": [document_data(d) for d in docs],
    }


def json_schema(base: str | None = None) -> dict:
    """JSON Schema (draft 2020-12) of ``json_dump``."""
    slug = {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80}
    text = {"type": "string"}
    date = {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    offset = {"type": "integer", "minimum": 0}

    def obj(properties: dict, required: Iterable[str] | None = None) -> dict:
        return {"type": "object", "additionalProperties": False, "properties": properties,
                "required": list(required if required is not None else properties)}

    anchored = {"start": offset, "end": offset, "text": {"type": "string", "minLength": 1}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": Iris(base).file(SCHEMA_JSON),
        "title": "Annotated Arabic corpus: the resolved model",
        "description": ("Documents with their text and their resolved annotations. Offsets count Unicode "
                        "code points of 'text'; for every annotation, text[start:end] equals its 'text'. "
                        "Empty strings stand for fields that are not set."),
        **obj({
            "$schema": {"type": "string"},
            "format": {"const": FORMAT},
            "version": {"const": FORMAT_VERSION},
            "offsets": {"const": "unicode-code-points"},
            "entities": {"type": "array", "items": {"$ref": "#/$defs/entity"}},
            "documents": {"type": "array", "items": {"$ref": "#/$defs/document"}},
        }),
        "$defs": {
            "slug": slug,
            "entity": obj({
                "id": slug, "type": {"enum": list(ENTITY_TYPES)}, "name": {"type": "string", "minLength": 1},
                "label": {"type": "string", "minLength": 1}, "aliases": {"type": "array", "items": text},
                "description": text, "description_ar": text,
                "wikidata": {"type": "string", "pattern": r"^(Q[1-9][0-9]*)?$"},
            }),
            "document": obj({
                "id": slug,
                "meta": obj({
                    "title": {"type": "string", "minLength": 1}, "title_en": text, "language": text,
                    "source": text, "source_en": text, "source_entity": {"anyOf": [slug, {"const": ""}]},
                    "author": text, "author_en": text, "author_entity": {"anyOf": [slug, {"const": ""}]},
                    "date": {"anyOf": [{"type": "null"},
                                       obj({"earliest": date, "latest": date, "note": text})]},
                    "url": text, "origin": text, "headline": {"type": "boolean"}, "summary_en": text,
                }),
                "text": {"type": "string", "minLength": 1},
                "mentions": {"type": "array", "items": obj({"id": text, "entity": slug, **anchored})},
                "claims": {"type": "array", "items": obj({
                    "id": slug, "claimant": slug, "kind": {"enum": list(CLAIM_KINDS)},
                    "status": {"enum": list(CLAIM_STATUSES)}, "about": {"type": "array", "items": slug},
                    "summary": text, "summary_en": text, "quotes": {"type": "array", "items": slug},
                    "note": text, **anchored})},
                "quotes": {"type": "array", "items": obj({
                    "id": slug, "speaker": slug, "kind": {"enum": list(QUOTE_KINDS)},
                    "channel": {"enum": list(QUOTE_CHANNELS)}, "via": text, "note": text, **anchored})},
            }),
        },
    }


# ---- everything for the site -------------------------------------------------------------

class CorpusExports:
    """The corpus-wide exports, assembled from each document's pieces of text (its lines of
    the JSON-LD items, its object in the JSON dump, its CSV rows), which are kept between
    runs keyed by the document's source hash: a serve session re-serialises only the
    documents that changed. The files are the same text as :func:`corpus_files` writes
    (tested)."""

    def __init__(self, base: str | None = None):
        self.base = base
        self._pieces: dict[str, tuple[str, dict[str, bytes]]] = {}   # doc id -> (key, pieces)

    def _document_pieces(self, iris: Iris, doc: ResolvedDocument) -> dict[str, bytes]:
        """The document's pieces, encoded once: at 10,000 documents, encoding every piece
        again on each run of a session took half a second."""
        data = orjson.dumps(document_data(doc), option=orjson.OPT_INDENT_2).decode("utf-8")
        pieces = {"json": "\n".join("    " + line for line in data.split("\n"))}
        for name, rows in document_rows(doc, iris).items():
            pieces[name] = _csv_rows(CSV_COLUMNS[name], rows)
        return {name: text.encode("utf-8") for name, text in pieces.items()}

    def prepare(self, corpus: ResolvedCorpus, keys: dict[str, str]) -> None:
        """Make the pieces of every document that has none for its key yet: a session does
        this after its first run, whose corpus-wide exports were kept from the last
        generation, so that its first change does not make 10,000 documents' pieces."""
        self._pieces_of(corpus, keys)

    def _pieces_of(self, corpus: ResolvedCorpus, keys: dict[str, str]) -> list[dict[str, bytes]]:
        """Each document's pieces in corpus order, kept for its key (``keys``: each
        document's source hash; the pieces of a document without one are made afresh)."""
        iris = Iris(self.base)
        pieces = {}
        for doc in corpus.documents:
            key = keys.get(doc.id)
            kept = self._pieces.get(doc.id)
            if key is None or kept is None or kept[0] != key:
                kept = (key, self._document_pieces(iris, doc))
                if key is not None:
                    self._pieces[doc.id] = kept
            pieces[doc.id] = kept[1]
        for gone in set(self._pieces) - set(pieces):
            del self._pieces[gone]
        return [pieces[doc.id] for doc in corpus.documents]

    def files(self, corpus: ResolvedCorpus, keys: dict[str, str] | None = None) -> dict[str, str]:
        """``keys``: each document's source hash (pieces of documents without one are made afresh)."""
        w3c = W3CExporter(corpus, self.base)
        iris = Iris(self.base)
        ordered = self._pieces_of(corpus, keys or {})
        dump = json_dump(corpus, [], self.base) | {"entities": [entity_record(e) for e in corpus.entities.values()]}
        files: dict[str, str | Chunks] = {
            CORPUS_JSONLD: dumps(w3c.corpus_collection()),
            CORPUS_JSON: _fill(dumps(dump), '"documents": []', '"documents": [\n', ",\n",
                               [p["json"] for p in ordered], "\n  ]"),
            SCHEMA_JSON: dumps(json_schema(self.base)),
            SUMMARY_JSON: summary_file(corpus),
        }
        for name in CSV_TABLES:
            rows = ([_csv_rows(CSV_COLUMNS[name], entity_rows(corpus, iris))] if name == "entities"
                    else [p[name] for p in ordered])
            files[csv_path(name)] = Chunks((_csv_text(CSV_COLUMNS[name], ""), *rows))
        return files


class Chunks(tuple):
    """A file's text in pieces (``str``, or ``bytes`` in UTF-8), in order: the corpus-wide
    exports (hundreds of MB at 10,000 documents) are written piece by piece, never joined
    into one string in memory."""

    def encoded(self) -> list[bytes]:
        return encoded_pieces(self)

    def text(self) -> str:
        return b"".join(self.encoded()).decode("utf-8")


def text_of(content: "str | Chunks") -> str:
    return content.text() if isinstance(content, Chunks) else content


def _fill(text: str, marker: str, opening: str, separator: str, pieces: list[bytes], closing: str) -> "str | Chunks":
    """``text`` with its one ``marker`` (an empty list) replaced by the list of ``pieces``."""
    head, found, tail = text.partition(marker)
    assert found and marker not in tail, marker
    if not pieces:
        return text
    chunks = [head + opening]
    for index, piece in enumerate(pieces):
        if index:
            chunks.append(separator)
        chunks.append(piece)
    chunks.append(closing + tail)
    return Chunks(chunks)


def corpus_summary(corpus: ResolvedCorpus) -> dict:
    """Annotation counts by layer and type: ``summary.json`` (what a collections hub lists,
    see hub.py) and ``corpus stats``."""
    mentions = Counter()
    claims = Counter()
    statuses = Counter()
    quotes = Counter()
    for doc in corpus.documents:
        mentions.update(m.entity.type for m in doc.mentions)
        claims.update(c.claim.kind for c in doc.claims)
        statuses.update(c.claim.status for c in doc.claims)
        quotes.update(q.quote.kind for q in doc.quotes)
    return {
        "documents": len(corpus.documents),
        "entities": len(corpus.entities),
        "entities_by_type": dict(sorted(Counter(e.type for e in corpus.entities.values()).items())),
        "mentions": sum(mentions.values()),
        "mentions_by_type": dict(sorted(mentions.items())),
        "claims": sum(claims.values()),
        "claims_by_kind": dict(sorted(claims.items())),
        "claims_by_status": dict(sorted(statuses.items())),
        "quotes": sum(quotes.values()),
        "quotes_by_kind": dict(sorted(quotes.items())),
    }


def summary_file(corpus: ResolvedCorpus) -> str:
    """``summary.json``: the format, then :func:`corpus_summary`."""
    return dumps({"format": SUMMARY_FORMAT, "version": FORMAT_VERSION, **corpus_summary(corpus)})


def corpus_files(corpus: ResolvedCorpus, base: str | None = None) -> dict[str, str]:
    """The corpus-wide export files, ``{path under docs/: text}``."""
    w3c = W3CExporter(corpus, base)
    files = {
        CORPUS_JSONLD: dumps(w3c.corpus_collection()),
        CORPUS_JSON: dumps(json_dump(corpus, base=base)),
        SCHEMA_JSON: dumps(json_schema(base)),
        SUMMARY_JSON: summary_file(corpus),
    }
    for name, text in csv_tables(corpus, base).items():
        files[csv_path(name)] = text
    return files


def document_files(w3c: W3CExporter, doc: ResolvedDocument, base: str | None = None,
                   previous: str | None = None, following: str | None = None) -> dict[str, str]:
    """One document's export files: its annotations (JSON-LD, a page of the corpus
    collection between the documents ``previous`` and ``following``), its model (JSON),
    its text."""
    return {
        document_file(doc.id, "jsonld"): dumps_page(w3c.page(doc, previous, following)),
        document_file(doc.id, "json"): dumps(json_dump(w3c.corpus, [doc], base)),
        document_file(doc.id, "txt"): doc.text,
    }


def site_files(corpus: ResolvedCorpus, base: str | None = None) -> dict[str, str]:
    """Every export file, ``{path under docs/: text}``, for the generated folder."""
    files = corpus_files(corpus, base)
    w3c = W3CExporter(corpus, base)
    around = neighbours(corpus)
    for doc in corpus.documents:
        files.update(document_files(w3c, doc, base, *around[doc.id]))
    return files


def neighbours(corpus: ResolvedCorpus) -> dict[str, tuple[str | None, str | None]]:
    """The documents before and after each one, in corpus order (the pages' ``prev`` and
    ``next``)."""
    ids = [None] + [doc.id for doc in corpus.documents] + [None]
    return {ids[i]: (ids[i - 1], ids[i + 1]) for i in range(1, len(ids) - 1)}

