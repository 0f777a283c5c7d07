"""The serve session: each run reloads only the documents whose files changed, and its
output always equals a clean generation."""

from __future__ import annotations

import os

import pytest

from build_tools.corpus import Project
from build_tools.diagnostics import CorpusError
from build_tools.output import MANIFEST
from build_tools.pipeline import generate
from build_tools.session import Session

OTHER = {"corpus/other.txt": "نص آخر عن المغرب.\n", "corpus/other.yml": 'title: "وثيقة أخرى"\nlanguage: ar\n',
         "annotations/other/mentions.yml": "mentions:\n  - {entity: morocco, quote: المغرب}\n"}


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


def same_as_clean(root, tmp_path, name="clean"):
    generate(Project(root), docs_dir=tmp_path / name)
    assert files(root / "docs/corpus") == files(tmp_path / name / "corpus")


def touch(path, text):
    """Write and make sure the modification time moves (coarse clocks)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@pytest.fixture
def session(make_project):
    root = make_project(OTHER)
    s = Session(Project(root))
    first = s.generate()
    assert s.last_was_full and first.rendered > 0
    return root, s, first


def test_a_second_run_with_nothing_changed_reloads_and_renders_nothing(session, tmp_path):
    root, s, first = session
    again = s.generate()
    assert not s.last_was_full
    assert (again.rendered, again.stats.written, again.stats.removed) == (0, 0, 0)
    same_as_clean(root, tmp_path)


def test_an_edited_layer_reloads_its_document_only(session, tmp_path, monkeypatch):
    root, s, first = session
    loaded = []
    import build_tools.session as module
    original = module._load_document
    monkeypatch.setattr(module, "_load_document", lambda doc_id, *a: loaded.append(doc_id) or original(doc_id, *a))
    touch(root / "annotations/other/mentions.yml", "mentions: []\n")
    again = s.generate()
    assert not s.last_was_full and loaded == ["other"]
    assert 0 < again.rendered < first.rendered
    same_as_clean(root, tmp_path)


def test_a_text_edit_that_breaks_an_anchor_is_an_error_and_writes_nothing(session):
    root, s, first = session
    before = files(root / "docs/corpus")
    touch(root / "corpus/other.txt", "نص آخر عن تونس.\n")
    with pytest.raises(CorpusError) as caught:
        s.generate()
    assert any(d.code == "anchor-not-found" for d in caught.value.diagnostics.errors)
    assert files(root / "docs/corpus") == before
    touch(root / "corpus/other.txt", "نص آخر عن المغرب والمغرب.\n")
    with pytest.raises(CorpusError):          # now ambiguous
        s.generate()
    touch(root / "annotations/other/mentions.yml", "mentions:\n  - {entity: morocco, quote: المغرب, occurrence: 2}\n")
    s.generate()
    assert s.last_was_full                    # after an error, the next run starts afresh


def test_registry_change_and_new_document_mean_a_full_run(session, tmp_path):
    root, s, first = session
    registry = root / "annotations/entities.yml"
    touch(registry, registry.read_text(encoding="utf-8").replace("label: Morocco", "label: Kingdom of Morocco"))
    s.generate()
    assert s.last_was_full
    same_as_clean(root, tmp_path, "after-registry")
    touch(root / "corpus/third.txt", "نص ثالث.\n")
    touch(root / "corpus/third.yml", 'title: "ثالثة"\nlanguage: ar\n')
    s.generate()
    assert s.last_was_full
    same_as_clean(root, tmp_path, "after-new")


def test_a_removed_layer_file_and_duplicate_ids_across_documents(session, tmp_path):
    root, s, first = session
    (root / "annotations/other/mentions.yml").unlink()
    s.generate()
    assert not s.last_was_full
    same_as_clean(root, tmp_path, "removed")
    claims = (root / "annotations/sample/claims.yml").read_text(encoding="utf-8")
    touch(root / "annotations/other/claims.yml", claims.replace("start: \"قال\"\n    end: \"تكذب.\"\n",
                                                                "quote: \"نص\"\n").replace(
        "    quotes: [government-lies-quote]\n", ""))
    with pytest.raises(CorpusError) as caught:
        s.generate()
    assert any(d.code == "duplicate-id" for d in caught.value.diagnostics.errors)


def test_warnings_of_unchanged_documents_are_still_reported(make_project):
    root = make_project({**OTHER, "annotations/other/mentions.yml":
                         "mentions:\n  - entity: morocco\n    quote: المغرب # the country\n"})
    clean = generate(Project(root), docs_dir=root / "clean-docs").diagnostics
    s = Session(Project(root))
    first = s.generate().diagnostics
    touch(root / "annotations/sample/quotes.yml", (root / "annotations/sample/quotes.yml").read_text(encoding="utf-8"))
    again = s.generate().diagnostics
    assert not s.last_was_full
    assert len(clean) >= 1
    assert [d.format() for d in again] == [d.format() for d in first] == [d.format() for d in clean]


def test_paths_from_a_watcher_spare_the_scan(session, tmp_path, monkeypatch):
    root, s, first = session
    import build_tools.session as module
    scans = []
    original = module.scan
    monkeypatch.setattr(module, "scan", lambda project: scans.append(1) or original(project))
    mentions = root / "annotations/other/mentions.yml"
    touch(mentions, "mentions: []\n")
    again = s.generate(changed=[str(mentions)])
    assert scans == [] and not s.last_was_full and again.rendered > 0
    same_as_clean(root, tmp_path, "hinted")
    # the registry (or anything that is not a document's file) needs the full scan
    registry = root / "annotations/entities.yml"
    touch(registry, registry.read_text(encoding="utf-8") + "\n")
    s.generate(changed=[str(registry)])
    assert scans == [1] and s.last_was_full
    # a new document too
    touch(root / "corpus/third.txt", "نص ثالث.\n")
    touch(root / "corpus/third.yml", 'title: "ثالثة"\nlanguage: ar\n')
    s.generate(changed=[str(root / "corpus/third.txt"), str(root / "corpus/third.yml")])
    assert scans == [1, 1] and s.last_was_full
    same_as_clean(root, tmp_path, "hinted-new")
