"""W3C JSON-LD import: export → import → export is identical (the seed, and random corpora
by a property test); annotations from other tools; what is refused and reported."""

from __future__ import annotations

import json
import posixpath
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools import export, urls
from build_tools.cli import main
from build_tools.corpus import Project, load_and_resolve, require
from build_tools.importing import AnchorWriter, field_lines, render_list, yaml_str
from build_tools.model import CLAIM_KINDS, CLAIM_STATUSES, ENTITY_TYPES, QUOTE_CHANNELS, QUOTE_KINDS, Span
from build_tools.w3c import import_w3c
from corpus_fixtures import REPO, write_files

BASE = "https://example.org/site/"


def fresh_copy(source: Path, target: Path) -> Path:
    """A project with the texts and metadata of ``source`` and an empty registry."""
    shutil.copytree(source / "corpus", target / "corpus")
    write_files(target, {"annotations/entities.yml": "entities: []\n"})
    return target


def write_exports(files: dict, folder: Path) -> Path:
    """The export files as a download of the site's exports folder; the collection's path."""
    for rel, content in files.items():
        path = folder / posixpath.relpath(rel, urls.EXPORTS)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(export.text_of(content), encoding="utf-8")
    return folder / posixpath.relpath(export.CORPUS_JSONLD, urls.EXPORTS)


def round_trip(source: Path, work: Path, export_path: str = export.CORPUS_JSONLD) -> tuple[dict, dict]:
    corpus, _ = require(Project(source))
    before = export.site_files(corpus, BASE)
    write_exports(before, work / "exports")
    jsonld = work / "exports" / posixpath.relpath(export_path, urls.EXPORTS)
    target = fresh_copy(source, work / "target")
    plan = import_w3c(jsonld, target)
    assert not plan.diagnostics.has_errors(), [d.format() for d in plan.diagnostics]
    assert not list(plan.diagnostics), [d.format() for d in plan.diagnostics]
    corpus_after, diagnostics = require(Project(target))
    return before, export.site_files(corpus_after, BASE)


def test_seed_round_trip_is_identical(tmp_path):
    before, after = round_trip(REPO, tmp_path)
    assert after[export.CORPUS_JSONLD] == before[export.CORPUS_JSONLD]
    assert after == before            # and so are the CSV tables, the JSON dump and the texts


def test_per_document_export_round_trips_too(tmp_path):
    doc_id = "nadortoday-2012-cyberwar"
    before, after = round_trip(REPO, tmp_path, export.document_file(doc_id, "jsonld"))
    assert after[export.document_file(doc_id, "jsonld")] == before[export.document_file(doc_id, "jsonld")]


def test_the_import_writes_ordinary_source_files(tmp_path):
    round_trip(REPO, tmp_path)
    mentions = (tmp_path / "target/annotations/nadortoday-2012-cyberwar/mentions.yml").read_text(encoding="utf-8")
    assert mentions.startswith("# Imported by 'corpus import-w3c' from corpus.jsonld.\nmentions:\n  - entity: ")
    assert "occurrence: all" in mentions and "start:" not in mentions
    registry = (tmp_path / "target/annotations/entities.yml").read_text(encoding="utf-8")
    assert "  - id: abdelkrim-el-khattabi\n    type: person\n" in registry      # an entity with no mention
    assert '  - id: "2m"\n' in registry                                       # a digit-first id stays quoted


# ---- the property: random corpora ----------------------------------------------------------

WORDS = ["المغرب", "الحكومة", "تازة", "أنونيموس", "قال", "في", "كِتَابٌ", "،", ".", "“", "”", "2012", "Facebook",
         "\u00a0", "\n", "𝕏", "ﷲ"]
free_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=20)
some_text = free_text.filter(lambda s: s.strip())
slug_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)


@st.composite
def corpora(draw):
    """Files of a random valid project: 1-4 entities, 1-2 documents, random spans."""
    entity_ids = [f"e{i}-{draw(slug_part)}" for i in range(draw(st.integers(1, 4)))]
    registry = []
    for entity_id in entity_ids:
        registry.append(field_lines({
            "id": entity_id, "type": draw(st.sampled_from(sorted(ENTITY_TYPES))), "name": draw(some_text),
            "label": draw(some_text), "aliases": draw(st.lists(some_text, max_size=2)),
            "description": draw(free_text), "description_ar": draw(free_text),
            "wikidata": draw(st.sampled_from(["", "Q1028", "Q355"])),
        }))
    files = {"annotations/entities.yml": render_list("entities", registry)}
    for d in range(draw(st.integers(1, 2))):
        doc_id = f"doc-{d}"
        words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=25))
        text = " ".join(words) + "\n"
        if not text.strip():
            text = "نص\n"
            words = ["نص"]
        tokens, pos = [], 0
        for word in words:
            if word.strip():
                tokens.append((pos, pos + len(word)))
            pos += len(word) + 1
        if not tokens:
            tokens = [(0, len(text) - 1)]
        span = st.tuples(st.integers(0, len(tokens) - 1), st.integers(0, len(tokens) - 1)).map(
            lambda ij: Span(tokens[min(ij)][0], tokens[max(ij)][1]))
        writer = AnchorWriter(text)
        mentions = []
        for s in sorted(set(draw(st.lists(span, max_size=6))), key=lambda s: (s.start, s.end)):
            entry = writer.single(s)
            mentions.append([f"    entity: {draw(st.sampled_from(entity_ids))}",
                             f"    quote: {yaml_str(entry['quote'])}"]
                            + ([f"    occurrence: {entry['occurrence']}"] if "occurrence" in entry else []))
        quote_ids = [f"q{d}-{k}" for k in range(draw(st.integers(0, 2)))]
        quotes = [field_lines({"id": q, "speaker": draw(st.sampled_from(entity_ids)),
                               "kind": draw(st.sampled_from(sorted(QUOTE_KINDS))),
                               "channel": draw(st.sampled_from(sorted(QUOTE_CHANNELS))),
                               "via": draw(free_text), "note": draw(free_text),
                               **writer.single(draw(span))}) for q in quote_ids]
        claims = [field_lines({"id": f"c{d}-{k}", "claimant": draw(st.sampled_from(entity_ids)),
                               "kind": draw(st.sampled_from(sorted(CLAIM_KINDS))),
                               "status": draw(st.sampled_from(sorted(CLAIM_STATUSES))),
                               "about": draw(st.lists(st.sampled_from(entity_ids), unique=True, max_size=2)),
                               "summary": draw(some_text), "summary_en": draw(free_text),
                               "quotes": draw(st.lists(st.sampled_from(quote_ids), unique=True, max_size=2))
                               if quote_ids else [],
                               "note": draw(free_text), **writer.single(draw(span))})
                  for k in range(draw(st.integers(0, 2)))]
        # "occurrence" went through field_lines as text: write it back as a number
        fix = lambda entries: [[line.replace('occurrence: "', "occurrence: ").rstrip('"')
                                if "occurrence:" in line else line for line in e] for e in entries]
        files.update({
            f"corpus/{doc_id}.txt": text,
            f"corpus/{doc_id}.yml": "\n".join(field_lines({
                "title": draw(some_text), "language": draw(st.sampled_from(["ar", "ar-MA", "en"])),
                "headline": draw(st.booleans())}, indent="")) + "\n",
            f"annotations/{doc_id}/mentions.yml": render_list("mentions", mentions),
            f"annotations/{doc_id}/claims.yml": render_list("claims", fix(claims)),
            f"annotations/{doc_id}/quotes.yml": render_list("quotes", fix(quotes)),
        })
    return files


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(corpora())
def test_export_import_export_is_identical(files):
    with tempfile.TemporaryDirectory() as tmp:
        source = write_files(Path(tmp) / "source", files)
        corpus, diagnostics = load_and_resolve(Project(source))
        assert corpus is not None, [d.format() for d in diagnostics.errors]
        before, after = round_trip(source, Path(tmp))
        assert after == before


# ---- other tools' annotations ------------------------------------------------------------

def annotation(body, selectors, source="https://example.com/article.html", **extra) -> dict:
    return {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "id": "urn:x:1",
            "body": body, "target": {"source": source, "selector": selectors}, **extra}


def quote(exact, prefix="", suffix=""):
    return {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix}


def test_annotations_from_other_tools_become_mentions(make_project, tmp_path):
    root = make_project({"annotations/sample/mentions.yml": None, "annotations/sample/claims.yml": None})
    items = [
        # Hypothesis: a tag, an XPath range (ignored), a position on the HTML page (wrong here), a quote
        annotation([{"type": "TextualBody", "purpose": "tagging", "value": "PER"}],
                   [{"type": "RangeSelector", "startSelector": {"type": "XPathSelector", "value": "/p[1]"}},
                    {"type": "TextPositionSelector", "start": 2, "end": 9},
                    quote("الحكومة", prefix="وردت ", suffix=" بالمغرب")], motivation="tagging"),
        # Recogito: a place identified by a Wikidata item
        annotation([{"type": "SpecificResource", "purpose": "identifying",
                     "source": "http://www.wikidata.org/entity/Q1028"},
                    {"type": "TextualBody", "purpose": "classifying", "value": "Place"}],
                   [quote("المغرب", suffix=".")]),
        # one of our entity pages as the identifying body, on another site
        annotation({"type": "SpecificResource", "purpose": "identifying",
                    "source": "https://elsewhere.example/corpus/entities/anonymous-morocco/"},
                   [quote("أنونيموس المغرب")]),
        # a comment: no layer for it here
        annotation({"type": "TextualBody", "value": "interesting", "purpose": "commenting"},
                   [quote("تكذب")], motivation="commenting"),
        # text that is not in the document
        annotation([{"type": "TextualBody", "purpose": "tagging", "value": "place"}], [quote("الرباط")]),
        # ambiguous: «الحكومة» twice, no context
        annotation([{"type": "TextualBody", "purpose": "tagging", "value": "ORG"}], [quote("الحكومة")]),
    ]
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    plan = import_w3c(path, root, document_id="sample")
    codes = sorted(d.code for d in plan.diagnostics)
    assert codes == ["w3c-position-mismatch", "w3c-quote-ambiguous", "w3c-quote-not-found", "w3c-skipped"], codes
    assert plan.summary["mentions"] == 3 and plan.summary["skipped"] == 3
    corpus, diagnostics = require(Project(root))
    [doc] = corpus.documents
    marked = [(doc.text[m.span.start:m.span.end], m.entity.id, m.entity.type) for m in doc.mentions]
    assert marked == [("أنونيموس المغرب", "anonymous-morocco", "group"),
                      ("الحكومة", "alhkwma", "person"),
                      ("المغرب", "morocco", "place")]          # matched by type and Wikidata item
    assert doc.text.index("وردت الحكومة") + 5 == doc.mentions[1].span.start


def test_refusals_are_reported_not_crashes(make_project, tmp_path):
    root = make_project()
    bad = tmp_path / "bad.json"
    for content, code in (("{not json", "w3c-json"), ('{"type": "Nonsense"}', "w3c-shape"),
                          ('"just a string"', "w3c-shape"), ('"\\ud800"', "w3c-json"),
                          ('{"type": "AnnotationCollection", "first": "https://example.org/page1"}',
                           "w3c-page-not-embedded")):
        bad.write_text(content, encoding="utf-8")
        plan = import_w3c(bad, root)
        assert code in {d.code for d in plan.diagnostics.errors}, content
        assert not plan.written
    bad.write_bytes(b"\xff\xfe")
    assert import_w3c(bad, root).diagnostics.has_errors()


def test_missing_document_and_existing_files(tmp_path, make_project):
    corpus, _ = require(Project(REPO))
    path = write_exports(export.site_files(corpus), tmp_path / "exports")
    empty = tmp_path / "empty"
    (empty / "corpus").mkdir(parents=True)
    plan = import_w3c(path, empty)
    assert "w3c-missing-document" in {d.code for d in plan.diagnostics.errors} and not plan.written
    target = fresh_copy(REPO, tmp_path / "target")
    assert import_w3c(path, target).written
    before = {p: p.read_bytes() for p in (target / "annotations").rglob("*.yml")}
    again = import_w3c(path, target)
    assert {d.code for d in again.diagnostics.errors} == {"import-file-exists"} and not again.written
    assert {p: p.read_bytes() for p in (target / "annotations").rglob("*.yml")} == before
    forced = import_w3c(path, target, force=True)
    assert sorted(forced.written) == sorted(p.relative_to(target).as_posix() for p in before
                                            if p.name != "entities.yml")
    assert {p: p.read_bytes() for p in (target / "annotations").rglob("*.yml")} == before


def test_cli_import_w3c(tmp_path, capsys):
    corpus, _ = require(Project(REPO))
    path = write_exports(export.site_files(corpus), tmp_path / "exports")
    target = fresh_copy(REPO, tmp_path / "target")
    assert main(["import-w3c", str(path), "--root", str(target)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["mentions"] == 49
    assert "corpus check: ok: 1 documents, 21 entities, 49 mentions, 24 claims, 12 quotes" in captured.err
    assert main(["import-w3c", str(path), "--root", str(target)]) == 1


def test_collection_pages_are_read_only_from_beside_the_collection(make_project, tmp_path):
    """A page given by IRI is read from the collection's own folder, never from elsewhere
    (no network, no '..'); a missing page or a loop of pages is reported."""
    root = make_project()
    folder = tmp_path / "exports"
    (folder / "documents").mkdir(parents=True)
    (tmp_path / "secret.jsonld").write_text('{"type": "AnnotationPage", "items": []}', encoding="utf-8")
    own = "https://example.org/site/corpus/exports/"
    (folder / "documents/loop.jsonld").write_text(json.dumps(
        {"type": "AnnotationPage", "id": own + "documents/loop.jsonld", "items": [],
         "next": own + "documents/loop.jsonld"}), encoding="utf-8")
    collection = folder / "corpus.jsonld"
    for first, code in ((own + "../secret.jsonld", "w3c-page-not-embedded"),
                        ("https://example.org/elsewhere/secret.jsonld", "w3c-page-not-embedded"),
                        (own + "documents/missing.jsonld", "w3c-page-not-embedded"),
                        (own + "documents/loop.jsonld", "w3c-page-loop")):
        collection.write_text(json.dumps({"type": "AnnotationCollection", "id": own + "corpus.jsonld",
                                          "first": first}), encoding="utf-8")
        plan = import_w3c(collection, root)
        assert [d.code for d in plan.diagnostics.errors] == [code], first
        assert not plan.written
