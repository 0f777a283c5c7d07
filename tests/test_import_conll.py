"""CoNLL/IOB import: tag repairs, text rebuilding, anchors that pass ``corpus check``,
the registry, overwrite protection; and all 28 AQMAR articles end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.anchoring import TextIndex, resolve_anchor
from build_tools.cli import main
from build_tools.conll import document_id_for, import_conll, parse_tag, read_conll
from build_tools.corpus import Project, load_and_resolve, require
from build_tools.diagnostics import Diagnostics, Location
from build_tools.importing import AnchorWriter, romanise, slugify, yaml_str
from build_tools.model import ALL, Anchor, Span
from build_tools.yamlstrict import load_yaml
from corpus_fixtures import REGISTRY, SHARED_DATA, write_files

AQMAR = SHARED_DATA / "aqmar"


@pytest.mark.parametrize("raw, prefix, source_type, type_, repaired", [
    ("O", "O", "", "", False),
    ("B-PER", "B", "PER", "person", False),
    ("I-LOC", "I", "LOC", "place", False),
    ("B-ORG", "B", "ORG", "organisation", False),
    ("B-MIS0", "B", "MIS0", "misc", False),
    ("I-MIS3", "I", "MIS3", "misc", False),
    ("B-MISC", "B", "MISC", "misc", False),
    ("S-PER", "B", "PER", "person", False),          # BIOES
    ("E-PER", "I", "PER", "person", False),
    ("OO", "O", "", "", True),
    ("IO", "O", "", "", True),
    ("I--ORG", "I", "ORG", "organisation", True),
    ("B-MISS1", "B", "MIS1", "misc", True),
    ("B-MIS1`", "B", "MIS1", "misc", True),
    ("B-MIS-2", "B", "MIS2", "misc", True),
    ("B-MIS", "B", "MIS", "misc", True),
    ("B-ENGLISH", "B", "ENGLISH", "misc", True),
    ("b-per", "B", "PER", "person", True),
    ("X", "O", "", "", True),
    ("B-", "O", "", "", True),
])
def test_tags_are_read_or_repaired(raw, prefix, source_type, type_, repaired):
    tag = parse_tag(raw)
    assert (tag.prefix, tag.source_type, tag.type, bool(tag.problem)) == (prefix, source_type, type_, repaired)


SAMPLE = (
    "دمشق B-LOC\nهي O\nالعاصمة B-LOC\nالسورية I-LOC\n، O\nقال O\nأحمد I-PER\nبن I-PER\n( O\nعلي B-PER\n) O\n"
    "\u200f O\nفي\u200f O\nدمشق B-LOC\nو O\nكرة B-MISS1\nالقدم I-MIS1\n. O\n"
    "\n"
    "زار O\nنيوتن B-PER\nبالميكانيكا I-MIS0\n\" O\nالكلاسيكية B-MIS1\n\" O\nدمشق B-LOC\nمرتين O\n. O\n"
)
SAMPLE_TEXT = ("دمشق هي العاصمة السورية، قال أحمد بن (علي) في دمشق و كرة القدم.\n"
               "زار نيوتن بالميكانيكا \"الكلاسيكية\" دمشق مرتين.\n")


def test_text_is_rebuilt_and_every_mention_found():
    diagnostics = Diagnostics()
    parsed = read_conll(SAMPLE, "sample.conll", diagnostics)
    assert parsed.text == SAMPLE_TEXT
    assert parsed.sentences == 2 and parsed.tokens == 26      # the RLM-only token is dropped
    found = [(parsed.text[m.start:m.end], m.type) for m in parsed.mentions]
    assert found == [("دمشق", "place"), ("العاصمة السورية", "place"), ("أحمد بن", "person"), ("علي", "person"),
                     ("دمشق", "place"), ("كرة القدم", "misc"), ("نيوتن", "person"), ("بالميكانيكا", "misc"),
                     ("الكلاسيكية", "misc"), ("دمشق", "place")]
    assert parsed.source_counts == Counter({"LOC": 4, "PER": 2, "MISC": 2})
    codes = Counter(d.code for d in diagnostics)
    assert codes == Counter({"conll-tag-repaired": 1, "conll-i-start": 1, "conll-type-change": 1,
                             "conll-bidi-mark": 1, "conll-empty-token": 1})
    assert not diagnostics.has_errors()
    i_start = next(d for d in diagnostics if d.code == "conll-i-start")
    assert i_start.location == Location("sample.conll", 7, 1)


def test_garbage_never_crashes():
    diagnostics = Diagnostics()
    parsed = read_conll("\ufeff-DOCSTART- O\n\nكلمة\n\t\n  \nB-PER B-PER B-PER\nx y z B-\r\n\x00 O\n", "g", diagnostics)
    assert parsed.text == "كلمة\nB-PER x\n"      # blank-looking lines end a sentence; NUL dropped
    assert not diagnostics.has_errors()
    assert read_conll("", "empty", diagnostics).tokens == 0
    assert diagnostics.has_errors()


def project_root(tmp_path: Path, registry: str | None = REGISTRY) -> Path:
    root = tmp_path / "project"
    write_files(root, {"annotations/entities.yml": registry} if registry is not None else {})
    (root / "corpus").mkdir(parents=True, exist_ok=True)
    return root


def test_import_writes_a_project_that_passes_check(tmp_path):
    source = tmp_path / "Sample_Article.conll"
    source.write_text(SAMPLE, encoding="utf-8")
    root = project_root(tmp_path, registry=REGISTRY.replace('name: "المغرب"', 'name: "دمشق"\n    aliases: ["الشام"]'))
    plan = import_conll([source], root, id_prefix="t-", source="مثال")
    assert not plan.diagnostics.has_errors(), list(plan.diagnostics)
    assert sorted(plan.written) == ["annotations/entities.yml", "annotations/t-sample-article/mentions.yml",
                                    "corpus/t-sample-article.txt", "corpus/t-sample-article.yml"]
    corpus, diagnostics = load_and_resolve(Project(root))
    assert corpus is not None, [d.format() for d in diagnostics]
    [doc] = corpus.documents
    assert doc.text == SAMPLE_TEXT and doc.meta.title == "Sample Article" and doc.meta.source == "مثال"
    assert [(doc.text[m.span.start:m.span.end], m.entity.type) for m in doc.mentions] == \
        [("دمشق", "place"), ("العاصمة السورية", "place"), ("أحمد بن", "person"), ("علي", "person"),
         ("دمشق", "place"), ("كرة القدم", "misc"), ("نيوتن", "person"), ("بالميكانيكا", "misc"),
         ("الكلاسيكية", "misc"), ("دمشق", "place")]
    # "دمشق" is an existing place of the registry (id "morocco" in this fixture): reused, not duplicated
    assert {m.entity.id for m in doc.mentions if doc.text[m.span.start:m.span.end] == "دمشق"} == {"morocco"}
    new = {e.id: e for e in corpus.entities.values() if e.id not in ("anonymous-morocco", "morocco",
                                                                     "moroccan-government")}
    assert set(new) == {"alasma-alswrya", "ahmd-bn", "ly", "kra-alqdm", "nywtn", "balmykanyka", "alklasykya"}
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in new)
    assert new["alasma-alswrya"].label == "alasma alswrya" and "not reviewed" in new["nywtn"].description
    mentions = (root / "annotations/t-sample-article/mentions.yml").read_text(encoding="utf-8")
    assert "occurrence: all" in mentions             # the three «دمشق»
    registry = (root / "annotations/entities.yml").read_text(encoding="utf-8")
    assert registry.startswith(REGISTRY.replace('name: "المغرب"', 'name: "دمشق"\n    aliases: ["الشام"]'))


def test_existing_files_are_never_overwritten_without_force(tmp_path):
    source = tmp_path / "a.conll"
    source.write_text(SAMPLE, encoding="utf-8")
    root = project_root(tmp_path)
    assert import_conll([source], root).written
    registry_before = (root / "annotations/entities.yml").read_bytes()
    (root / "corpus/a.txt").write_text("نص آخر\n", encoding="utf-8")
    again = import_conll([source], root)
    assert not again.written
    assert {d.code for d in again.diagnostics.errors} == {"import-file-exists"}
    assert (root / "corpus/a.txt").read_text(encoding="utf-8") == "نص آخر\n"
    assert (root / "annotations/entities.yml").read_bytes() == registry_before
    forced = import_conll([source], root, force=True)
    assert "corpus/a.txt" in forced.written
    assert (root / "corpus/a.txt").read_text(encoding="utf-8") == SAMPLE_TEXT
    assert (root / "annotations/entities.yml").read_bytes() == registry_before      # nothing new to add
    assert load_and_resolve(Project(root))[0] is not None


def test_a_registry_that_cannot_be_appended_to_is_left_alone(tmp_path):
    source = tmp_path / "a.conll"
    source.write_text("دمشق B-LOC\n", encoding="utf-8")
    flow = 'entities: [{id: x, type: place, name: "س", label: "x"}]\n'
    root = project_root(tmp_path, registry=flow)
    plan = import_conll([source], root)
    assert [d.code for d in plan.diagnostics.errors] == ["import-registry"] and not plan.written
    assert (root / "annotations/entities.yml").read_text(encoding="utf-8") == flow
    assert not (root / "corpus/a.txt").exists()


def test_cli_import_then_check(tmp_path, capsys):
    source = tmp_path / "Two Words.txt"
    source.write_text(SAMPLE, encoding="utf-8")
    root = project_root(tmp_path, registry=None)
    assert main(["import-conll", str(source), "--root", str(root), "--document-id", "two"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["documents"] == 1 and summary["mentions_by_type"] == {"misc": 3, "person": 3, "place": 4}
    assert "corpus check: ok: 1 documents" in captured.err
    assert (root / "annotations/entities.yml").read_text(encoding="utf-8").startswith("entities:\n  - id: ")
    assert main(["import-conll", str(source), "--root", str(root), "--document-id", "two"]) == 1
    assert "import-file-exists" in capsys.readouterr().err
    assert main(["import-conll", str(source), str(source), "--root", str(root), "--document-id", "x"]) == 1


def test_document_ids_are_safe_slugs():
    assert slugify("Christiano_Ronaldo".replace("_", " ")) == "christiano-ronaldo"
    assert slugify("aqmar-X_window_system".replace("_", " ")) == "aqmar-x-window-system"
    assert slugify("دمشق") == "dmshq" and romanise("الْعَرَبِيَّة ٢٠١٢") == "alrbya 2012"     # ع is dropped, harakat too
    assert slugify("!!!", fallback="place") == "place"
    assert len(slugify("كلمة " * 60)) <= 76


# ---- YAML strings and anchors (properties) ------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_yaml_strings_load_back_exactly(value):
    diagnostics = Diagnostics()
    node = load_yaml(f"key: {yaml_str(value)}\n", "t.yml", diagnostics)
    assert not diagnostics.has_errors(), [d.format() for d in diagnostics]
    assert node.get("key").value == value


WORDS = ["دمشق", "بدمشق", "في", "مدينة", "كِتَابٌ", "و", "،", ".", "2012", "AT&T", "\u00a0"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30), st.data())
def test_written_anchors_resolve_to_exactly_their_spans(words, data):
    text = " ".join(words)
    starts = []
    pos = 0
    for word in words:
        starts.append((pos, pos + len(word)))
        pos += len(word) + 1
    chosen = data.draw(st.sets(st.integers(0, len(words) - 1), min_size=1))
    spans = [Span(*starts[i]) for i in sorted(chosen) if words[i].strip()]
    if not spans:
        return
    writer = AnchorWriter(text)
    for entry in writer.grouped(spans):
        entry.pop("_first")
        expected = sorted([s for s in spans if text[s.start:s.end] == entry["quote"]], key=lambda s: s.start)
        occurrence = entry.get("occurrence")
        anchor = Anchor(Location("t"), quote=entry["quote"], occurrences=(
            ALL if occurrence == ALL else (occurrence,) if isinstance(occurrence, int) else
            tuple(occurrence) if occurrence else None))
        result = resolve_anchor(anchor, TextIndex(text, "t"), Diagnostics(), "m")
        assert result.ok and sorted(result.spans, key=lambda s: s.start) == expected
    for span in spans:
        single = writer.single(span)
        anchor = Anchor(Location("t"), quote=single["quote"],
                        occurrences=(single["occurrence"],) if "occurrence" in single else None)
        assert resolve_anchor(anchor, TextIndex(text, "t"), Diagnostics(), "m").spans == (span,)


# ---- AQMAR: all 28 articles ---------------------------------------------------------------

AQMAR_README_COUNTS = {"PER": 1472, "LOC": 1442, "ORG": 456, "MISC": 2476}


def gold_mentions(path: Path) -> list[tuple[str, str]]:
    """An independent reading of a file: (class, the mention's characters without spaces and
    marks) for every mention, a mention starting at B- or at I- after O or another class."""
    found = []
    previous = "O"
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            previous = "O"
            continue
        token, tag = line.rsplit(" ", 1)
        token = re.sub("[\u200e\u200f]", "", token)
        if tag in ("O", "OO", "IO"):
            previous = "O"
            continue
        kind = tag[2:].lstrip("-")
        cls = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}.get(kind, "MISC")
        if tag.startswith("I") and previous == cls and found:
            found[-1] = (cls, found[-1][1] + token)
        else:
            found.append((cls, token))
        previous = cls
    return found


@pytest.mark.e2e
@pytest.mark.skipif(not AQMAR.is_dir(), reason=f"AQMAR data not found in {AQMAR} (../shared/data is absent)")
def test_aqmar_imports_checks_and_generates_with_every_gold_mention_marked(tmp_path):
    files = sorted(AQMAR.glob("*.txt"))
    assert len(files) == 28
    root = tmp_path / "aqmar"
    (root / "corpus").mkdir(parents=True)
    plan = import_conll(files, root, id_prefix="aqmar-", source="ويكيبيديا العربية", source_en="Arabic Wikipedia")
    assert not plan.diagnostics.has_errors()
    summary = plan.summary
    assert summary["documents"] == 28 and summary["tokens"] == 73_853 - 33       # 33 tokens were only an RLM
    assert summary["sentences"] == 2_687 - 4                                       # 4 sentences were only RLMs
    # Every B- tag of the source, by class (the README's counts are the B- tags of the clean
    # tags; its MISC count leaves out some of the noisy B-MIS* tags, which are imported):
    counts = summary["source_counts"]
    assert {k: counts[k] for k in ("PER", "LOC", "ORG")} == {"PER": 1472, "LOC": 1442, "ORG": 456}
    assert counts["MISC"] == 2482 and counts["ENGLISH"] == counts["SPANISH"] == 1
    assert summary["repairs"]["i-start"] == 54 and summary["repairs"]["bidi-mark"] == 72

    corpus, diagnostics = load_and_resolve(Project(root))
    assert corpus is not None, [d.format() for d in diagnostics.errors][:5]
    assert not diagnostics.errors
    by_type = Counter(m.entity.type for d in corpus.documents for m in d.mentions)
    assert by_type == Counter(summary["mentions_by_type"])
    assert by_type == Counter({"person": 1478, "place": 1447, "organisation": 472, "misc": 2512})
    # every gold mention, in order, with its class, in the resolved documents
    type_of = {"PER": "person", "LOC": "place", "ORG": "organisation", "MISC": "misc"}
    for path in files:
        doc = corpus.by_id[document_id_for(path, "aqmar-")]
        gold = [(type_of[c], text) for c, text in gold_mentions(path)]
        marked = [(m.entity.type, re.sub(r"\s", "", doc.text[m.span.start:m.span.end])) for m in doc.mentions]
        assert marked == gold, path.name

    from build_tools.pipeline import generate
    result = generate(Project(root))
    pages = root / "docs/corpus/documents"
    marked_in_pages = 0
    for doc in corpus.documents:
        html = (pages / f"{doc.id}.md").read_text(encoding="utf-8")
        ids = set(re.findall(r'id="m-([^"]+)"', html))
        assert ids == {m.id for m in doc.mentions}, doc.id
        marked_in_pages += len(ids)
    assert marked_in_pages == sum(by_type.values()) == 5909
    exports = root / "docs/corpus/exports"
    assert json.loads((exports / "corpus.jsonld").read_text(encoding="utf-8"))["total"] == 5909
    assert result.stats.total > 3000
    print(f"\nAQMAR: source B- tags {dict(counts)}; marked {dict(by_type)} "
          f"({marked_in_pages} mentions on {len(corpus.documents)} pages); README {AQMAR_README_COUNTS}")


@pytest.mark.e2e
@pytest.mark.skipif(not AQMAR.is_dir(), reason=f"AQMAR data not found in {AQMAR} (../shared/data is absent)")
@pytest.mark.skipif(os.environ.get("AQMAR_FULL_BUILD") != "1",
                    reason="the full MkDocs build of the 28 AQMAR articles takes minutes: set AQMAR_FULL_BUILD=1")
def test_aqmar_full_site_build(tmp_path):
    from sitecheck import copy_sources, read_page
    from corpus_fixtures import REPO

    root = tmp_path / "aqmar"
    copy_sources(REPO, root)            # the repository's site, with the seed (its pages link to it)
    files = [str(p) for p in sorted(AQMAR.glob("*.txt"))]
    run = subprocess.run([sys.executable, "-m", "build_tools", "import-conll", *files, "--id-prefix", "aqmar-",
                          "--root", str(root)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    build = subprocess.run([sys.executable, "-m", "build_tools", "build", "--root", str(root)],
                           capture_output=True, text=True, timeout=3600)
    assert build.returncode == 0, build.stderr[-3000:]
    corpus, _ = require(Project(root))
    total = 0
    for doc in (d for d in corpus.documents if d.id.startswith("aqmar-")):
        page = read_page(root / "site/corpus/documents" / doc.id / "index.html")
        ids = {i[2:] for i in page.ids if i.startswith("m-")}
        assert ids == {m.id for m in doc.mentions}
        total += len(ids)
    assert total == 5909
