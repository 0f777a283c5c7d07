"""Import W3C Web Annotation JSON-LD: our own exports (a lossless round trip) and
annotations made with other tools (Recogito, Hypothesis, INCEpTION...).

Accepted input: an ``AnnotationCollection`` whose pages (``first``, then ``next``) are
embedded or are files beside it (our corpus export: ``corpus.jsonld`` and a page per
document in ``documents/``; nothing is fetched from the network), an ``AnnotationPage``,
a single ``Annotation``, or a JSON list of annotations.

Which document: the target's ``source`` IRI when it is one of ours
(``…/corpus/exports/documents/<id>.txt`` or the page ``…/corpus/documents/<id>/``), else
``--document-id``. The document's text must already be in ``<root>/corpus/<id>.txt``:
annotations carry selectors, not texts.

Which text: a ``TextPositionSelector`` whose span holds exactly the ``TextQuoteSelector``'s
``exact`` text; else the occurrence of ``exact`` whose surroundings agree best with
``prefix``/``suffix`` (ties broken by the position, when given); else the position alone.
Nothing is guessed: ``exact`` text that is not in the document is reported, and the
annotation skipped (each annotation that cannot be imported is reported as a warning and
skipped; the others are imported). Every span is written back as a quote anchor (``build_tools.importing``).

What it becomes:
- an annotation of ours (``mentionRecord``, ``claimRecord``, ``quoteRecord``, with the
  registry entries in the collection's ``entityRecords``) becomes exactly what was exported;
- another tool's annotation becomes a mention when it says which entity (an identifying
  body pointing to one of our entity pages, or a Wikidata item) or which type (a
  ``classifying`` or ``tagging`` body such as ``person``, ``PER``, ``Place``); new entities
  are added to the registry by type and exact text, as the CoNLL import does. Comments and
  highlights without an entity or type have no layer here: they are reported and skipped.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .diagnostics import Diagnostics, Location
from .importing import (
    AnchorWriter, ImportPlan, Registry, anchor_lines, field_lines, render_list, write_plan, yaml_value,
)
from .loading import WIKIDATA, is_slug
from .model import CLAIM_KINDS, CLAIM_STATUSES, ENTITY_TYPES, QUOTE_CHANNELS, QUOTE_KINDS, Entity, Span
from .yamlstrict import decode_utf8

DOCUMENT_IRI = regex.compile(r"/corpus/(?:exports/documents/([a-z0-9]+(?:-[a-z0-9]+)*)\.txt|"
                             r"documents/([a-z0-9]+(?:-[a-z0-9]+)*)/?)(?:[?#].*)?$")
ENTITY_IRI = regex.compile(r"/corpus/entities/([a-z0-9]+(?:-[a-z0-9]+)*)/?(?:[?#].*)?$")
WIKIDATA_IRI = regex.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[1-9][0-9]*)$")
TYPE_WORDS = {
    **{t: t for t in ENTITY_TYPES},
    "per": "person", "pers": "person", "persname": "person", "people": "person", "human": "person",
    "loc": "place", "location": "place", "placename": "place", "gpe": "place", "geo": "place",
    "org": "organisation", "organization": "organisation", "orgname": "organisation",
    "misc": "misc", "miscellaneous": "misc", "mis": "misc",
}
MAX_PAGES = 1_000_000         # a corpus's collection has one page per document


def _types(value) -> list[str]:
    """``type`` values without a prefix (``oa:Annotation`` → ``Annotation``)."""
    values = value if isinstance(value, list) else [value]
    return [v.split(":")[-1].split("#")[-1] for v in values if isinstance(v, str)]


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _has_surrogates(value) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, list):
        return any(_has_surrogates(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogates(k) or _has_surrogates(v) for k, v in value.items())
    return False


def collect(data, where: str, diagnostics: Diagnostics, fetch=None) -> tuple[list[dict], list]:
    """The annotations of a file, and the entity records it carries. ``fetch(iri)`` gives
    a collection's page that is not embedded (``None``: not available)."""
    records = []
    if isinstance(data, list):
        return [a for a in data if isinstance(a, dict)], records
    if not isinstance(data, dict):
        diagnostics.error(Location(where), "w3c-shape", "the file holds no annotation",
                          "give an AnnotationCollection, an AnnotationPage, an Annotation or a list of them")
        return [], records
    if isinstance(data.get("@graph"), list):
        return [a for a in data["@graph"] if isinstance(a, dict)], records
    types = _types(data.get("type", data.get("@type")))
    if "Annotation" in types:
        return [data], records
    if "AnnotationCollection" in types:
        return _collection_items(data, where, diagnostics, fetch), _as_list(data.get("entityRecords"))
    if "AnnotationPage" in types:
        return ([a for a in _as_list(data.get("items")) if isinstance(a, dict)],
                _as_list(data.get("entityRecords")))
    diagnostics.error(Location(where), "w3c-shape", f"unknown type {data.get('type')!r}",
                      "give an AnnotationCollection, an AnnotationPage, an Annotation or a list of them")
    return [], records


def _collection_items(data: dict, where: str, diagnostics: Diagnostics, fetch) -> list[dict]:
    """The items of every page of a collection, from ``first`` along ``next``."""
    items: list[dict] = []
    page = data.get("first")
    seen: set[str] = set()
    while page is not None and len(seen) < MAX_PAGES:
        if isinstance(page, str):
            if page in seen:
                diagnostics.error(Location(where), "w3c-page-loop", f"the collection's pages loop back to {page}",
                                  "check the pages' 'next' links")
                break
            seen.add(page)
            fetched = fetch(page) if fetch is not None else None
            if fetched is None:
                diagnostics.error(Location(where), "w3c-page-not-embedded",
                                  f"the collection's page {page!r} is neither in the file nor beside it",
                                  "keep the collection's page files where the export put them (the folder "
                                  "documents/ beside corpus.jsonld), or give a collection with its pages "
                                  "embedded (nothing is fetched from the network)")
                break
            page = fetched
        if not isinstance(page, dict):
            diagnostics.error(Location(where), "w3c-shape", "a page of the collection is not a JSON object",
                              "give each page as an AnnotationPage")
            break
        items.extend(a for a in _as_list(page.get("items")) if isinstance(a, dict))
        page = page.get("next")
    return items


def page_files(path: Path, collection: dict, diagnostics: Diagnostics):
    """A ``fetch`` for :func:`collect` that reads a collection's pages from the files
    beside it: a page whose IRI is in the collection's own folder (its ``id`` up to the
    last ``/``) is the file at the same place under the collection file's folder, as our
    exports lay them out (``corpus.jsonld`` and ``documents/<id>.jsonld``). Nothing is
    fetched from the network, and nothing outside that folder is read."""
    own = collection.get("id") if isinstance(collection, dict) else None
    if not isinstance(own, str) or "/" not in own:
        return None
    folder_iri = own.rsplit("/", 1)[0] + "/"

    def read(iri: str) -> dict | None:
        if not iri.startswith(folder_iri):
            return None
        parts = iri[len(folder_iri):].split("#", 1)[0].split("/")
        if any(part in ("", ".", "..") or "\\" in part for part in parts):
            return None
        file = path.parent.joinpath(*parts)
        if not file.is_file():
            return None                     # reported by the caller, with its hint
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            diagnostics.error(Location(str(file)), "w3c-json", f"cannot read the collection's page {iri}: {exc}",
                              "keep the page files as the export wrote them")
            return {}                       # reported: the pages end here
        return data if isinstance(data, dict) else None

    return read


# ---- selectors ----------------------------------------------------------------------

def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def locate(text: str, selectors: list, what: str, where: Location, diagnostics: Diagnostics) -> Span | None:
    """The span a target's selectors point at in ``text`` (see the module docstring)."""
    quote = position = None
    for selector in selectors:
        if not isinstance(selector, dict):
            continue
        kind = _types(selector.get("type"))
        if "TextQuoteSelector" in kind and quote is None:
            quote = selector
        elif "TextPositionSelector" in kind and position is None:
            position = selector
    span = None
    if position is not None:
        start, end = position.get("start"), position.get("end")
        if isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool) \
                and not isinstance(end, bool) and 0 <= start < end <= len(text):
            span = Span(start, end)
        else:
            diagnostics.warning(where, "w3c-bad-position", f"{what}: the TextPositionSelector "
                                f"{start!r}–{end!r} is not a span of the text; ignored")
    if quote is not None:
        exact = quote.get("exact")
        if not isinstance(exact, str) or not exact:
            diagnostics.warning(where, "w3c-bad-selector", f"{what}: the TextQuoteSelector has no 'exact' text")
            return None
        if span is not None and text[span.start:span.end] == exact:
            return span
        prefix = quote.get("prefix") if isinstance(quote.get("prefix"), str) else ""
        suffix = quote.get("suffix") if isinstance(quote.get("suffix"), str) else ""
        starts = []
        pos = text.find(exact)
        while pos != -1:
            starts.append(pos)
            pos = text.find(exact, pos + 1)
        if not starts:
            diagnostics.warning(where, "w3c-quote-not-found",
                              f"{what}: the quoted text «{exact[:60]}» is not in the document",
                              "the annotation was made on another version of the text; it was skipped")
            return None
        scored = sorted(((_common_suffix(text[:s], prefix) + _common_prefix(text[s + len(exact):], suffix),
                          -abs(s - span.start) if span is not None else 0, s) for s in starts), reverse=True)
        best = scored[0]
        ties = [s for s in scored if s[:2] == best[:2]]
        if len(ties) > 1:
            diagnostics.warning(where, "w3c-quote-ambiguous",
                              f"{what}: «{exact[:60]}» occurs {len(starts)} times and the prefix/suffix do "
                              "not tell which", "add a TextPositionSelector or longer prefix and suffix")
            return None
        if span is not None:
            diagnostics.warning(where, "w3c-position-mismatch",
                                f"{what}: the TextPositionSelector does not hold the quoted text; "
                                "the quote was followed")
        return Span(best[2], best[2] + len(exact))
    if span is not None:
        diagnostics.warning(where, "w3c-position-only", f"{what}: anchored by its TextPositionSelector only "
                            "(no TextQuoteSelector to check it against)")
        return span
    diagnostics.warning(where, "w3c-no-text-selector", f"{what}: no TextQuoteSelector or TextPositionSelector",
                      "only text selectors can be imported (XPath and range selectors need the HTML page)")
    return None


# ---- records --------------------------------------------------------------------------

def _text(record: dict, key: str) -> str:
    value = record.get(key, "")
    return value if isinstance(value, str) else ""


def _slugs(record: dict, key: str) -> tuple[str, ...] | None:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and is_slug(v) for v in value):
        return None
    return tuple(value)


def entity_from_record(record, where: Location, diagnostics: Diagnostics) -> Entity | None:
    if not isinstance(record, dict):
        diagnostics.warning(where, "w3c-bad-record", "an entity record is not an object; skipped")
        return None
    entity_id = record.get("id")
    aliases = record.get("aliases", [])
    wikidata = _text(record, "wikidata")
    problems = []
    if not isinstance(entity_id, str) or not is_slug(entity_id):
        problems.append("id")
    if record.get("type") not in ENTITY_TYPES:
        problems.append("type")
    if not _text(record, "name").strip() or not _text(record, "label").strip():
        problems.append("name/label")
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.append("aliases")
    if wikidata and not WIKIDATA.fullmatch(wikidata):
        problems.append("wikidata")
    if problems:
        diagnostics.warning(where, "w3c-bad-record",
                            f"entity record {entity_id!r} has bad {', '.join(problems)}; skipped")
        return None
    return Entity(id=entity_id, type=record["type"], name=record["name"], label=record["label"], loc=where,
                  aliases=tuple(aliases), description=_text(record, "description"),
                  description_ar=_text(record, "description_ar"), wikidata=wikidata)


@dataclass
class DocumentAnnotations:
    mentions: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))
    claims: list[tuple[Span, dict]] = field(default_factory=list)
    quotes: list[tuple[Span, dict]] = field(default_factory=list)
    spans: set[tuple[int, int]] = field(default_factory=set)


def _claim_fields(record: dict) -> dict | None:
    about, quotes = _slugs(record, "about"), _slugs(record, "quotes")
    fields = {
        "id": record.get("id"), "claimant": record.get("claimant"), "kind": record.get("kind"),
        "status": record.get("status"), "about": about, "summary": _text(record, "summary"),
        "summary_en": _text(record, "summary_en"), "quotes": quotes, "note": _text(record, "note"),
    }
    if not (isinstance(fields["id"], str) and is_slug(fields["id"]) and isinstance(fields["claimant"], str)
            and is_slug(fields["claimant"]) and fields["kind"] in CLAIM_KINDS
            and fields["status"] in CLAIM_STATUSES and about is not None and quotes is not None
            and (fields["summary"].strip() or fields["summary_en"].strip())):
        return None
    return fields


def _quote_fields(record: dict) -> dict | None:
    fields = {
        "id": record.get("id"), "speaker": record.get("speaker"), "kind": record.get("kind"),
        "channel": record.get("channel", "unknown"), "via": _text(record, "via"), "note": _text(record, "note"),
    }
    if not (isinstance(fields["id"], str) and is_slug(fields["id"]) and isinstance(fields["speaker"], str)
            and is_slug(fields["speaker"]) and fields["kind"] in QUOTE_KINDS
            and fields["channel"] in QUOTE_CHANNELS):
        return None
    return fields


def foreign_entity(annotation: dict, exact: str, registry: Registry) -> tuple[str | None, str]:
    """The entity another tool's annotation names: (id or None, why not)."""
    entity_id = wikidata = None
    type_ = None
    for body in _as_list(annotation.get("body")) + _as_list(annotation.get("bodyValue")):
        if isinstance(body, str):
            iri = body
            purpose, value = "", None
        elif isinstance(body, dict):
            source = body.get("source")
            iri = source.get("id") if isinstance(source, dict) else source if isinstance(source, str) else body.get("id")
            purpose = body.get("purpose", "")
            value = body.get("value")
        else:
            continue
        if isinstance(iri, str):
            match = ENTITY_IRI.search(iri)
            if match and registry.get(match.group(1)):
                entity_id = match.group(1)
            match = WIKIDATA_IRI.match(iri)
            if match:
                wikidata = match.group(1)
        purposes = _as_list(purpose) + _as_list(annotation.get("motivation"))
        if isinstance(value, str) and any(p in ("classifying", "tagging") for p in purposes):
            word = value.strip().lower()
            if word in TYPE_WORDS and type_ is None:
                type_ = TYPE_WORDS[word]
    if entity_id:
        return entity_id, ""
    if type_ is None:
        return None, ("it names no entity of the registry and no entity type (a classifying or tagging "
                      "body such as 'person', 'PER' or 'place')")
    return registry.find_or_add(type_, exact, description="Created by 'corpus import-w3c' from an annotation "
                                "made with another tool; not reviewed.", wikidata=wikidata or ""), ""


# ---- the import -------------------------------------------------------------------------

def import_w3c(path: Path, root: Path, document_id: str | None = None, force: bool = False,
               write: bool = True) -> ImportPlan:
    plan = ImportPlan(root)
    diagnostics = plan.diagnostics
    where = str(path)
    registry = Registry(root, diagnostics)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        diagnostics.error(Location(where), "unreadable", f"cannot read the file: {exc.strerror}")
        return plan
    source = decode_utf8(raw, where, diagnostics)
    if source is None:
        return plan
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        diagnostics.error(Location(where, exc.lineno, exc.colno), "w3c-json", f"not JSON: {exc.msg}",
                          "give a JSON-LD file")
        return plan
    if _has_surrogates(data):
        diagnostics.error(Location(where), "w3c-json", "the file has unpaired UTF-16 surrogate escapes",
                          "fix the \\uD8xx escapes of the file")
        return plan
    annotations, records = collect(data, where, diagnostics, page_files(path, data, diagnostics))
    for record in records:
        entity = entity_from_record(record, Location(where), diagnostics)
        if entity is not None:
            registry.add_record(entity, diagnostics, Location(where))

    texts: dict[str, str | None] = {}
    per_doc: dict[str, DocumentAnnotations] = defaultdict(DocumentAnnotations)
    counts = Counter()
    for n, annotation in enumerate(annotations, 1):
        what = f"annotation {annotation.get('id') or n}"
        targets = [t for t in _as_list(annotation.get("target")) if isinstance(t, dict)]
        if not targets:
            diagnostics.warning(Location(where), "w3c-no-target", f"{what}: no target with selectors; skipped",
                              "only annotations on a part of a text can be imported")
            counts["skipped"] += 1
            continue
        target = targets[0]
        source_iri = target.get("source")
        if isinstance(source_iri, dict):
            source_iri = source_iri.get("id")
        doc_id = document_id
        if doc_id is None and isinstance(source_iri, str):
            match = DOCUMENT_IRI.search(source_iri)
            doc_id = (match.group(1) or match.group(2)) if match else None
        if doc_id is None:
            diagnostics.warning(Location(where), "w3c-which-document",
                              f"{what}: cannot tell which document {source_iri!r} is", "pass --document-id")
            counts["skipped"] += 1
            continue
        if doc_id not in texts:
            texts[doc_id] = _read_text(root, doc_id, where, diagnostics)
        text = texts[doc_id]
        if text is None:
            counts["skipped"] += 1
            continue
        span = locate(text, _as_list(target.get("selector")), what, Location(where), diagnostics)
        if span is None:
            counts["skipped"] += 1
            continue
        layer = per_doc[doc_id]
        claim, quote, mention = (annotation.get(k) for k in ("claimRecord", "quoteRecord", "mentionRecord"))
        if isinstance(claim, dict):
            fields = _claim_fields(claim)
            if fields is None:
                diagnostics.warning(Location(where), "w3c-bad-record", f"{what}: the claim record is incomplete; skipped")
                counts["skipped"] += 1
                continue
            layer.claims.append((span, fields))
            counts["claims"] += 1
            continue
        if isinstance(quote, dict):
            fields = _quote_fields(quote)
            if fields is None:
                diagnostics.warning(Location(where), "w3c-bad-record", f"{what}: the quote record is incomplete; skipped")
                counts["skipped"] += 1
                continue
            layer.quotes.append((span, fields))
            counts["quotes"] += 1
            continue
        if isinstance(mention, dict) and isinstance(mention.get("entity"), str) and is_slug(mention["entity"]):
            entity_id, why = mention["entity"], ""
        else:
            entity_id, why = foreign_entity(annotation, text[span.start:span.end], registry)
        if entity_id is None:
            diagnostics.warning(Location(where), "w3c-skipped", f"{what}: skipped: {why}")
            counts["skipped"] += 1
            continue
        if (span.start, span.end) in layer.spans:
            diagnostics.warning(Location(where), "w3c-duplicate", f"{what}: a mention already marks this text; skipped")
            counts["skipped"] += 1
            continue
        layer.spans.add((span.start, span.end))
        layer.mentions[entity_id].append(span)
        counts["mentions"] += 1

    for doc_id, layer in sorted(per_doc.items()):
        _plan_document(plan, doc_id, texts[doc_id], layer, path.name, diagnostics)
    for entity_id in sorted({e for layer in per_doc.values() for e in layer.mentions}
                            | {f[k] for layer in per_doc.values() for _, f in layer.claims for k in ("claimant",)}
                            | {a for layer in per_doc.values() for _, f in layer.claims for a in f["about"]}
                            | {f["speaker"] for layer in per_doc.values() for _, f in layer.quotes}):
        if registry.get(entity_id) is None:
            diagnostics.error(Location(where), "w3c-unknown-entity",
                              f"entity '{entity_id}' is neither in the registry nor in the file's entityRecords",
                              "import the corpus-wide export (it carries every entity) or add the entity first")
    plan.summary = {"annotations": len(annotations), **dict(sorted(counts.items())),
                    "documents": sorted(per_doc), "entities_added": len(registry.added)}
    if write:
        write_plan(plan, registry, force)
    return plan


def _read_text(root: Path, doc_id: str, where: str, diagnostics: Diagnostics) -> str | None:
    path = root / "corpus" / f"{doc_id}.txt"
    if not path.is_file() or not (root / "corpus" / f"{doc_id}.yml").is_file():
        diagnostics.error(Location(where), "w3c-missing-document",
                          f"document '{doc_id}' is not in {root / 'corpus'} (its .txt and .yml)",
                          "annotations carry no text: add the document first (or pass --document-id)")
        return None
    return decode_utf8(path.read_bytes(), f"corpus/{doc_id}.txt", diagnostics)


def _plan_document(plan: ImportPlan, doc_id: str, text: str, layer: DocumentAnnotations, source_name: str,
                   diagnostics: Diagnostics) -> None:
    writer = AnchorWriter(text, f"corpus/{doc_id}.txt")
    header = f"Imported by 'corpus import-w3c' from {source_name}."
    if layer.mentions:
        entries = []
        for entity_id, spans in layer.mentions.items():
            for entry in writer.grouped(spans):
                expected = [s for s in spans if text[s.start:s.end] == entry["quote"]]
                if writer.check(entry, expected, f"mention of '{entity_id}'", diagnostics):
                    entries.append((entry.pop("_first"), entity_id, entry))
        entries.sort(key=lambda e: (e[0], e[1]))
        plan.add(f"annotations/{doc_id}/mentions.yml", render_list(
            "mentions", [[f"    entity: {yaml_value(entity_id)}", *anchor_lines(entry)] for _, entity_id, entry in entries],
            header))
    for layer_name, items in (("claims", layer.claims), ("quotes", layer.quotes)):
        if not items:
            continue
        entries = []
        for span, fields in sorted(items, key=lambda item: (item[0].start, -item[0].end, item[1]["id"])):
            entry = writer.single(span)
            if not writer.check(entry, [span], f"{layer_name[:-1]} '{fields['id']}'", diagnostics):
                continue
            entries.append(field_lines(fields) + anchor_lines(entry))
        plan.add(f"annotations/{doc_id}/{layer_name}.yml", render_list(layer_name, entries, header))
