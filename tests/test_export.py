"""Exports: W3C Web Annotation JSON-LD (validated against the W3C assertions), CSV tables
(read back with the csv module, every row checked), the JSON dump and its schema, and the
files the build puts on the site."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from pathlib import Path

import pytest

from build_tools import export, urls
from build_tools.corpus import Project, require
from build_tools.pipeline import generate
from corpus_fixtures import REPO, fixture_files
from w3c_schemas import W3C_DIR, W3CValidator, available

needs_w3c = pytest.mark.skipif(not available(), reason=f"W3C annotation-model assertions not found in {W3C_DIR} "
                                                       "(../shared/data is absent on this machine)")
BASE = "https://example.org/corpus-site/"


@pytest.fixture(scope="module")
def seed():
    corpus, _ = require(Project(REPO))
    return corpus


@pytest.fixture(scope="module")
def validator():
    if not available():
        pytest.skip(f"W3C annotation-model assertions not found in {W3C_DIR} (../shared/data is absent)")
    pytest.importorskip("jsonschema", reason="jsonschema is a test extra: pip install -e '.[test]'")
    return W3CValidator()


# ---- the validator itself ------------------------------------------------------------

# The samples were written for an earlier draft of the model, in which a target could be a
# Composite, List or Independents; the Recommendation (and these assertions) dropped those
# types. These three "correct" samples use them, so the assertions rightly reject them.
DROPPED_TYPES = {"anno11.json": "Composite", "anno12.json": "List", "anno13.json": "Independents"}
# Two page samples give ``partOf`` as an IRI, which the model allows; but the page assertions
# read ``partOf`` as an embedded collection description (``"type": "object"``), so they fail
# there. Our pages have no ``partOf``.
PART_OF_IRI = {"example42.json", "example43.json"}
PAGE_ASSERTIONS_ON_PART_OF = [f"collections/pages/{name}.json" for name in (
    "5.2-pageTotalValidated", "5.2-pageLabelValidated", "5.2-pageFirstValidated", "5.2-pageLastValidated",
    "3.3.1-pageCreatedValidated", "3.3.1-pageModifiedValidated", "3.3.6-pageRightsValidated")]


def _sample(path: Path):
    """A sample as JSON; ``None`` when it is not JSON at all. Trailing commas (a JSON syntax
    slip in several 'incorrect' samples that are meant to test something else) are dropped
    so that the schemas still see what the sample is about."""
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError:
        try:
            return json.loads(re.sub(r",(\s*[}\]])", r"\1", text))
        except ValueError:
            return None


@needs_w3c
def test_validator_passes_every_correct_sample(validator):
    samples = sorted((W3C_DIR / "tools/samples/correct").glob("*.json"))
    assert len(samples) >= 40
    checked = 0
    for path in samples:
        data = _sample(path)
        assert data is not None, path.name
        if path.name in DROPPED_TYPES:
            assert data["target"]["type"] == DROPPED_TYPES[path.name]
            assert validator.annotation_failures(data) == ["annotations/3.2-targetObjectsRecognized.json"]
            continue
        if data.get("type") == "AnnotationCollection":
            failures = validator.collection_failures(data)
        elif data.get("type") == "AnnotationPage":
            failures = validator.page_failures(data)
        else:
            failures = validator.annotation_failures(data)
        if path.name == "collection1.json":      # it embeds anno11-13
            assert failures == [f"http://example.org/{n[:-5]}: annotations/3.2-targetObjectsRecognized.json"
                                for n in sorted(DROPPED_TYPES)]
            continue
        if path.name in PART_OF_IRI:
            assert data["partOf"].startswith("http") and failures == PAGE_ASSERTIONS_ON_PART_OF, path.name
            continue
        assert failures == [], f"{path.name}: {failures}"
        checked += 1
    assert checked == len(samples) - len(DROPPED_TYPES) - len(PART_OF_IRI) - 1


@needs_w3c
def test_validator_fails_every_incorrect_sample(validator):
    samples = sorted((W3C_DIR / "tools/samples/incorrect").glob("*.json"))
    assert len(samples) >= 39
    not_json = 0
    for path in samples:
        data = _sample(path)
        if data is None:
            not_json += 1
            continue
        assert validator.annotation_failures(data), f"{path.name} passed every assertion"
    assert not_json <= 1          # anno1.json: "this is not json"


@needs_w3c
def test_validator_catches_each_defect_on_its_own(validator, seed):
    """Break one thing at a time in a valid annotation of ours: each break is caught."""
    good = export.W3CExporter(seed, BASE).pages()[0]["items"][0]
    good = {"@context": export.ANNO_CONTEXT, **good}
    assert validator.annotation_failures(good) == []
    breaks = {
        "id": lambda a: a.update(id="not a uri"),
        "type": lambda a: a.update(type="Note"),
        "context": lambda a: a.update({"@context": "http://example.org/context.jsonld"}),
        "target": lambda a: a.pop("target"),
        "textDirection": lambda a: a["body"][-1].update(textDirection="sideways"),
        "position": lambda a: a["target"]["selector"][1].update(start="zero"),
    }
    for name, breaker in breaks.items():
        broken = json.loads(json.dumps(good))
        breaker(broken)
        assert validator.annotation_failures(broken), name


# ---- W3C JSON-LD of the seed -------------------------------------------------------------

@needs_w3c
def test_seed_jsonld_validates_against_the_w3c_assertions(validator, seed):
    exporter = export.W3CExporter(seed, BASE)
    collection = exporter.corpus_collection()
    assert validator.collection_failures(collection) == []
    assert collection["total"] == sum(len(d.mentions) + len(d.claims) + len(d.quotes) for d in seed.documents)
    for page in exporter.pages():
        assert validator.page_failures(page) == [], page["id"]


def test_the_collection_is_paged_by_document(make_project):
    """corpus.jsonld links its pages, the documents' files, in order: first, next..., last."""
    files = fixture_files()
    for name in ("alpha", "beta"):
        files[f"corpus/{name}.txt"] = files["corpus/sample.txt"]
        files[f"corpus/{name}.yml"] = files["corpus/sample.yml"]
        files[f"annotations/{name}/mentions.yml"] = files["annotations/sample/mentions.yml"]
    corpus, _ = require(Project(make_project(files)))
    exporter = export.W3CExporter(corpus, BASE)
    collection, pages = exporter.corpus_collection(), exporter.pages()
    page_iri = f"{BASE}corpus/exports/documents/{{}}.jsonld".format
    assert (collection["first"], collection["last"]) == (page_iri("alpha"), page_iri("sample"))
    assert [p["id"] for p in pages] == [page_iri(d) for d in ("alpha", "beta", "sample")]
    assert [(p.get("prev"), p.get("next")) for p in pages] == [
        (None, page_iri("beta")), (page_iri("alpha"), page_iri("sample")), (page_iri("beta"), None)]
    assert all(p["partOf"]["id"] == collection["id"] == f"{BASE}corpus/exports/corpus.jsonld" for p in pages)
    assert collection["total"] == sum(len(p["items"]) for p in pages) == 3 * 3 + 1 + 1
    assert "items" not in collection and all("startIndex" not in p for p in pages)
    files = export.site_files(corpus, BASE)
    assert json.loads(files[export.CORPUS_JSONLD]) == collection
    assert [json.loads(files[export.document_file(d, "jsonld")]) for d in ("alpha", "beta", "sample")] == pages


def test_seed_jsonld_selectors_and_bodies(seed):
    collection = export.W3CExporter(seed, BASE).corpus_collection()
    [page] = export.W3CExporter(seed, BASE).pages()
    items = page["items"]
    assert collection["total"] == len(items) == 85
    assert len({a["id"] for a in items}) == len(items)
    doc = seed.documents[0]
    layers = {"m": 0, "c": 0, "q": 0}
    for annotation in items:
        assert annotation["id"].startswith(f"{BASE}corpus/exports/documents/{doc.id}.jsonld#")
        layers[annotation["id"].rsplit("#", 1)[1][0]] += 1
        target = annotation["target"]
        assert target["source"]["id"] == f"{BASE}corpus/exports/documents/{doc.id}.txt"
        assert (target["source"]["language"], target["source"]["textDirection"]) == ("ar", "rtl")
        assert target["scope"] == f"{BASE}corpus/documents/{doc.id}/"
        quote, position = target["selector"]
        start, end = position["start"], position["end"]
        assert doc.text[start:end] == quote["exact"]                     # code points
        assert doc.text[:start].endswith(quote["prefix"]) and doc.text[end:].startswith(quote["suffix"])
        assert len(quote["prefix"]) == min(export.CONTEXT, start)
        for body in annotation["body"]:
            if body["type"] == "TextualBody":
                assert body["language"] in ("ar", "en") and body["value"]
                assert body["textDirection"] == ("rtl" if body["language"] == "ar" else "ltr")
    assert layers == {"m": 49, "c": 24, "q": 12}
    facebook = next(a for a in items if a["id"].endswith("#m-facebook-1"))
    assert {"type": "SpecificResource", "purpose": "identifying",
            "source": f"{BASE}corpus/entities/facebook/"} in facebook["body"]
    assert {"type": "SpecificResource", "purpose": "identifying",
            "source": "http://www.wikidata.org/entity/Q355"} in facebook["body"]
    assert facebook["motivation"] == "identifying" and facebook["mentionRecord"]["entity"] == "facebook"
    records = {r["id"]: r for r in collection["entityRecords"]}
    assert set(records) == set(seed.entities)
    assert records["morocco"]["wikidata"] == "Q1028"


def test_offsets_are_code_points_not_utf16_units(make_project):
    """Astral characters count one: W3C offsets are code points, not JavaScript string units."""
    text = "𝕏 قال “أنونيموس المغرب” إن الحكومة المغربية تكذب.\n"
    root = make_project({"corpus/sample.txt": text, "annotations/sample/claims.yml": None,
                         "annotations/sample/quotes.yml": None, "annotations/sample/mentions.yml":
                         "mentions:\n  - entity: morocco\n    quote: \"المغرب\"\n    suffix: \"”\"\n"})
    corpus, _ = require(Project(root))
    [page] = export.W3CExporter(corpus).pages()
    [annotation] = page["items"]
    position = annotation["target"]["selector"][1]
    assert (position["start"], position["end"]) == (text.index("المغرب"), text.index("المغرب") + 6)
    assert position["start"] == 16       # 17 in UTF-16 code units: 𝕏 is two of them
    assert len(text[:16].encode("utf-16-le")) // 2 == 17


def test_base_iri_comes_from_site_url_else_a_placeholder(tmp_path):
    assert export.read_site_url(tmp_path) is None
    assert export.Iris().base == export.PLACEHOLDER_BASE == "https://corpus.invalid/"
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\nsite_url: https://example.net/arabic\nmarkdown_extensions:\n  - toc:\n"
        "      slugify: !!python/object/apply:pymdownx.slugs.slugify\n        kwds:\n          case: lower\n",
        encoding="utf-8")
    assert export.read_site_url(tmp_path) == "https://example.net/arabic"
    assert export.Iris("https://example.net/arabic").entity("x") == "https://example.net/arabic/corpus/entities/x/"
    (tmp_path / "mkdocs.yml").write_text("site_name: [unclosed\n", encoding="utf-8")
    assert export.read_site_url(tmp_path) is None


# ---- CSV -------------------------------------------------------------------------------

def test_csv_tables_read_back_and_every_row_matches_the_model(seed):
    tables = export.csv_tables(seed, BASE)
    assert set(tables) == set(export.CSV_TABLES)
    rows = {}
    for name, text in tables.items():
        raw = text.encode("utf-8")
        assert raw.startswith(b"\xef\xbb\xbf")
        with io.StringIO(raw.decode("utf-8-sig"), newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            assert tuple(header) == export.CSV_COLUMNS[name]
            rows[name] = [dict(zip(header, row)) for row in reader]
            assert all(len(row) == len(header) for row in rows[name])
    doc = seed.documents[0]
    [doc_row] = rows["documents"]
    assert doc_row["id"] == doc.id and doc_row["title"] == doc.meta.title
    assert int(doc_row["characters"]) == len(doc.text)
    assert (int(doc_row["mentions"]), int(doc_row["claims"]), int(doc_row["quotes"])) == (49, 24, 12)
    assert (doc_row["date_earliest"], doc_row["date_latest"], doc_row["headline"]) == ("2012-02-02", "2012-02-29", "true")

    assert [r["id"] for r in rows["entities"]] == list(seed.entities)
    for row in rows["entities"]:
        entity = seed.entities[row["id"]]
        assert (row["type"], row["name"], row["label"], row["wikidata"]) == \
               (entity.type, entity.name, entity.label, entity.wikidata)
        assert row["aliases"] == " | ".join(entity.aliases)
        assert int(row["mentions"]) == len(seed.mentions_by_entity.get(entity.id, []))
        assert row["page"] == f"{BASE}corpus/entities/{entity.id}/"

    assert len(rows["mentions"]) == len(doc.mentions)
    for row, mention in zip(rows["mentions"], doc.mentions):
        start, end = int(row["start"]), int(row["end"])
        assert (row["document"], row["id"], row["entity"], row["entity_type"]) == \
               (doc.id, mention.id, mention.entity.id, mention.entity.type)
        assert (start, end) == (mention.span.start, mention.span.end)
        assert row["text"] == doc.text[start:end]
        assert row["page"].endswith(f"#m-{mention.id}")

    assert len(rows["claims"]) == len(doc.claims)
    for row, claim in zip(rows["claims"], doc.claims):
        c = claim.claim
        assert (row["id"], row["claimant"], row["kind"], row["status"]) == (c.id, claim.claimant.id, c.kind, c.status)
        assert row["about"] == " | ".join(e.id for e in claim.about)
        assert row["quotes"] == " | ".join(c.quotes)
        assert (row["summary"], row["summary_en"], row["note"]) == (c.summary, c.summary_en, c.note)
        assert row["text"] == doc.text[int(row["start"]):int(row["end"])]
        assert (int(row["start"]), int(row["end"])) == (claim.span.start, claim.span.end)

    assert len(rows["quotes"]) == len(doc.quotes)
    for row, quote in zip(rows["quotes"], doc.quotes):
        q = quote.quote
        assert (row["id"], row["speaker"], row["kind"], row["channel"], row["via"], row["note"]) == \
               (q.id, quote.speaker.id, q.kind, q.channel, q.via, q.note)
        assert row["text"] == doc.text[int(row["start"]):int(row["end"])]


def test_csv_keeps_newlines_quotes_and_commas_inside_cells(make_project):
    meta = 'title: "عنوان، مع \\"علامات\\"\\nعلى سطرين"\nsummary_en: "a, b; c"\n'
    claims = ("claims:\n  - id: government-lies\n    claimant: anonymous-morocco\n    kind: accusation\n"
              "    status: attributed\n    summary: \"x\"\n    start: \"قال\"\n    end: \"بالمغرب.\"\n")
    root = make_project({"corpus/sample.yml": meta, "annotations/sample/claims.yml": claims})
    corpus, _ = require(Project(root))
    tables = export.csv_tables(corpus)
    [row] = list(csv.DictReader(io.StringIO(tables["documents"].lstrip("\ufeff"), newline="")))
    assert row["title"] == 'عنوان، مع "علامات"\nعلى سطرين'
    assert row["summary_en"] == "a, b; c"
    claims = list(csv.DictReader(io.StringIO(tables["claims"].lstrip("\ufeff"), newline="")))
    assert "\n" in corpus.documents[0].text[int(claims[0]["start"]):int(claims[0]["end"])]
    assert claims[0]["text"] == corpus.documents[0].text[int(claims[0]["start"]):int(claims[0]["end"])]


# ---- JSON dump and schema --------------------------------------------------------------

def test_json_dump_validates_against_its_schema(seed, make_project):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a test extra: pip install -e '.[test]'")
    schema = export.json_schema(BASE)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    fixture, _ = require(Project(make_project()))
    for corpus in (seed, fixture):
        dump = json.loads(export.dumps(export.json_dump(corpus, base=BASE)))
        assert list(validator.iter_errors(dump)) == []
        for doc_data in dump["documents"]:
            for layer in ("mentions", "claims", "quotes"):
                for item in doc_data[layer]:
                    assert doc_data["text"][item["start"]:item["end"]] == item["text"]
        for doc in corpus.documents:
            single = export.json_dump(corpus, [doc], BASE)
            assert list(validator.iter_errors(single)) == []
    broken = export.json_dump(seed, base=BASE)
    broken["documents"][0]["mentions"][0]["entity"] = "Not A Slug"
    assert list(validator.iter_errors(broken))


# ---- on the site -------------------------------------------------------------------------

def test_generate_writes_the_exports_and_the_pages_link_to_them(make_project):
    root = make_project()
    generate(Project(root))
    exports = root / "docs" / urls.EXPORTS
    expected = {"corpus.jsonld", "corpus.json", "corpus.schema.json", "summary.json", "documents.csv", "entities.csv",
                "mentions.csv", "claims.csv", "quotes.csv", "documents/sample.jsonld", "documents/sample.json",
                "documents/sample.txt"}
    assert {p.relative_to(exports).as_posix() for p in exports.rglob("*") if p.is_file()} == expected
    assert (exports / "documents/sample.txt").read_bytes() == (root / "corpus/sample.txt").read_bytes()
    assert (exports / "mentions.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    data = json.loads((exports / "corpus.jsonld").read_text(encoding="utf-8"))
    assert data["id"] == "https://corpus.invalid/corpus/exports/corpus.jsonld"
    docs = root / "docs"
    for page, links in (("corpus/index.md", ["exports/corpus.jsonld", "exports/mentions.csv",
                                             "exports/corpus.schema.json"]),
                        ("corpus/documents/sample.md", ["../../exports/documents/sample.jsonld",
                                                        "../../exports/documents/sample.txt"])):
        text = (docs / page).read_text(encoding="utf-8")
        for link in links:
            assert f'href="{link}"' in text
            # the page is served at its directory URL; the file is copied as it is
            assert (docs / posixpath.normpath(posixpath.join(urls.page_url(page), link))).is_file(), link


def test_generate_uses_site_url_and_is_deterministic(make_project):
    files = fixture_files()
    files["mkdocs.yml"] = files["mkdocs.yml"] + "site_url: https://example.org/site/\n"
    root = make_project({"mkdocs.yml": files["mkdocs.yml"]})
    first = generate(Project(root))
    data = json.loads((root / "docs" / urls.EXPORTS / "documents/sample.jsonld").read_text(encoding="utf-8"))
    assert data["id"] == "https://example.org/site/corpus/exports/documents/sample.jsonld"
    assert first.stats.written > 0
    again = generate(Project(root))
    assert again.stats.written == 0 and again.stats.removed == 0


def test_site_files_do_not_read_the_yaml_sources(make_project, monkeypatch):
    """The exports are computed from the resolved model: once it is loaded, no file is read."""
    corpus, _ = require(Project(make_project()))
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: pytest.fail("read a file"))
    monkeypatch.setattr(Path, "read_bytes", lambda *a, **k: pytest.fail("read a file"))
    files = export.site_files(corpus, BASE)
    assert urls.document_export("sample", "jsonld") in files


def test_fast_json_writes_exactly_what_the_json_module_writes():
    """export.dumps uses orjson for speed; the files must stay the json module's text."""
    import json

    from build_tools.corpus import Project, require
    from corpus_fixtures import REPO

    corpus, _ = require(Project(REPO))
    for data in (export.json_dump(corpus, base=BASE), export.json_schema(BASE),
                 export.W3CExporter(corpus, BASE).corpus_collection(), export.W3CExporter(corpus, BASE).pages()[0],
                 {"ar": "نص\u2028سطر", "ctl": "\x01\x1f\"\\", "n": [0, -3, 10**12], "e": {}, "l": []}):
        assert export.dumps(data) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("which", ["seed", "fixture", "hostile"])
def test_corpus_exports_from_document_pieces_equal_the_plain_ones(which, tmp_path):
    from corpus_fixtures import REPO, fixture_files, write_files
    from xss_fixture import write_hostile_project

    root = {"seed": lambda: REPO, "fixture": lambda: write_files(tmp_path, fixture_files()),
            "hostile": lambda: write_hostile_project(tmp_path / "hostile")}[which]()
    corpus, _ = require(Project(root))
    exports = export.CorpusExports(BASE)
    keys = {doc.id: f"key-{doc.id}" for doc in corpus.documents}
    plain = export.corpus_files(corpus, BASE)
    assert texts(exports.files(corpus, keys)) == plain
    assert texts(exports.files(corpus, keys)) == plain      # from the kept pieces
    assert texts(exports.files(corpus, None)) == plain


def test_corpus_exports_pieces_follow_their_keys(make_project):
    from build_tools.corpus import require as load

    root = make_project()
    corpus, _ = load(Project(root))
    exports = export.CorpusExports(BASE)
    first = texts(exports.files(corpus, {"sample": "a"}))
    (root / "annotations/sample/mentions.yml").write_text("mentions: []\n", encoding="utf-8")
    changed, _ = load(Project(root))
    stale = texts(exports.files(changed, {"sample": "a"}))   # same key: the kept pieces (the key is the contract)
    assert stale[export.csv_path("mentions")] == first[export.csv_path("mentions")]
    assert stale[export.csv_path("mentions")].count("\r\n") > 1
    assert texts(exports.files(changed, {"sample": "b"})) == export.corpus_files(changed, BASE)


def texts(files):
    return {path: export.text_of(content) for path, content in files.items()}


def test_summary_counts_what_the_corpus_holds(make_project):
    """summary.json, read by a collections hub, counts the same annotations as the model."""
    root = make_project()
    corpus = generate(Project(root)).corpus
    data = json.loads((root / "docs" / export.SUMMARY_JSON).read_text(encoding="utf-8"))
    assert data["format"] == "arabic-corpus-publisher/summary" and data["version"] == 1
    assert data["documents"] == len(corpus.documents) == 1
    assert data["entities"] == len(corpus.entities)
    assert data["mentions"] == sum(len(d.mentions) for d in corpus.documents) > 0
    assert data["claims"] == sum(len(d.claims) for d in corpus.documents) > 0
    assert data["quotes"] == sum(len(d.quotes) for d in corpus.documents) > 0
    assert sum(data["mentions_by_type"].values()) == data["mentions"]
    assert export.corpus_files(corpus)[export.SUMMARY_JSON] == export.summary_file(corpus)
