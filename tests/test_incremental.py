"""Incremental generation: what is rendered again, what is kept, and that it never differs
from a clean generation (the 230-document case is in test_scale.py)."""

from __future__ import annotations

import json

import pytest

from build_tools import fingerprints
from build_tools.corpus import Project, require
from build_tools.output import MANIFEST
from build_tools.pipeline import generate


def files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


@pytest.fixture
def generated(make_project):
    root = make_project()
    first = generate(Project(root))
    assert first.reused == 0 and first.rendered > 0
    return root, first


def same_as_clean(root, tmp_path):
    generate(Project(root), docs_dir=tmp_path / "clean")
    assert files(root / "docs/corpus") == files(tmp_path / "clean/corpus")


def test_nothing_changed_nothing_rendered(generated, tmp_path):
    root, first = generated
    again = generate(Project(root))
    assert (again.rendered, again.reused, again.stats.written) == (0, first.rendered, 0)
    same_as_clean(root, tmp_path)


def test_a_changed_registry_renders_everything_again(generated, tmp_path):
    root, first = generated
    registry = root / "annotations/entities.yml"
    registry.write_text(registry.read_text(encoding="utf-8").replace("label: Morocco", "label: The Kingdom of Morocco"),
                        encoding="utf-8")
    again = generate(Project(root))
    assert (again.rendered, again.reused) == (first.rendered, 0)
    same_as_clean(root, tmp_path)


def test_changed_code_renders_everything_again(generated, monkeypatch):
    root, first = generated
    monkeypatch.setattr(fingerprints, "code_version", lambda: "another version")
    again = generate(Project(root))
    assert (again.rendered, again.reused) == (first.rendered, 0)


def test_a_generated_file_edited_by_hand_is_put_back(generated, tmp_path):
    root, first = generated
    page = root / "docs/corpus/entities/morocco.md"
    original = page.read_bytes()
    page.write_bytes(original.replace("المغرب".encode(), "XXXX".encode()))
    again = generate(Project(root))
    assert again.rendered == 1 and page.read_bytes() == original
    page.unlink()
    again = generate(Project(root))
    assert again.rendered == 1 and page.read_bytes() == original
    same_as_clean(root, tmp_path)


@pytest.mark.parametrize("manifest", ["{not json", "[]", '{"entity-pages:morocco": {"key": 1, "files": 2}}'])
def test_a_damaged_manifest_means_a_full_generation(generated, tmp_path, manifest):
    root, first = generated
    (root / "docs/corpus" / MANIFEST).write_text(manifest, encoding="utf-8")
    again = generate(Project(root))
    assert again.rendered >= 1
    same_as_clean(root, tmp_path)
    assert json.loads((root / "docs/corpus" / MANIFEST).read_text(encoding="utf-8"))


def test_an_annotation_change_renders_its_document_and_entities_only(make_project, tmp_path):
    root = make_project({"corpus/other.txt": "نص آخر لا شرح فيه.\n",
                         "corpus/other.yml": 'title: "وثيقة أخرى"\nlanguage: ar\n'})
    first = generate(Project(root))
    claims = root / "annotations/sample/claims.yml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace('summary: "الحكومة تكذب"', 'summary: "الحكومة تكذب دائما"'), encoding="utf-8")
    again = generate(Project(root))
    # 16 parts: 2 document pages, 2 documents' exports, 3 entities, 8 listing pages, the
    # corpus-wide exports. Rendered again: the sample's page and exports, its 3 entities,
    # the listings that show its content (documents, claims, claims of that kind, quotes)
    # and the corpus exports. Kept: the other document's page and exports, the entities
    # index and the 3 entity-type pages (their counts did not change)
    assert (first.rendered, again.rendered, again.reused) == (16, 10, 6)
    same_as_clean(root, tmp_path)


def test_documents_added_and_removed_relink_their_neighbours_pages(make_project, tmp_path):
    """Each document's W3C annotation page links the pages before and after it: adding or
    removing a document renders its neighbours' exports again, and only theirs."""
    other = {"corpus/{}.txt": "نص آخر لا شرح فيه.\n", "corpus/{}.yml": 'title: "وثيقة أخرى"\nlanguage: ar\n'}
    root = make_project({path.format(name): text for name in ("alpha", "zulu") for path, text in other.items()})
    generate(Project(root))
    pages = root / "docs/corpus/exports/documents"
    stamps = {name: (pages / f"{name}.jsonld").stat().st_mtime_ns for name in ("alpha", "sample", "zulu")}
    for path, text in other.items():                 # between alpha and sample
        (root / path.format("beta")).write_text(text, encoding="utf-8")
    generate(Project(root))
    same_as_clean(root, tmp_path / "added")
    changed = {name for name, stamp in stamps.items() if (pages / f"{name}.jsonld").stat().st_mtime_ns != stamp}
    assert changed == {"alpha", "sample"}            # zulu's neighbours are the same
    exports = json.loads((root / "docs/corpus/exports/documents/alpha.jsonld").read_text(encoding="utf-8"))
    assert exports["next"].endswith("/documents/beta.jsonld")
    for path in other:
        (root / path.format("beta")).unlink()
    generate(Project(root))
    same_as_clean(root, tmp_path / "removed")
    exports = json.loads((root / "docs/corpus/exports/documents/alpha.jsonld").read_text(encoding="utf-8"))
    assert exports["next"].endswith("/documents/sample.jsonld")


def test_without_incremental_everything_is_rendered(generated):
    root, first = generated
    again = generate(Project(root), incremental=False)
    assert (again.rendered, again.reused, again.stats.written) == (first.rendered, 0, 0)


def test_a_file_in_pieces_is_compared_and_written_piece_by_piece(tmp_path):
    from build_tools.export import Chunks
    from build_tools.output import OutputTree

    tree = OutputTree(tmp_path, "corpus")
    path = tmp_path / "corpus/exports/corpus.json"
    assert tree.write({"corpus/exports/corpus.json": Chunks(("{\"ا\": ", "1}"))}) == (1, 0)
    assert path.read_text(encoding="utf-8") == '{"ا": 1}'
    stamp = path.stat().st_mtime_ns
    assert tree.write({"corpus/exports/corpus.json": Chunks(('{"ا', '": 1}'))}) == (0, 1)   # same text
    assert path.stat().st_mtime_ns == stamp
    assert tree.write({"corpus/exports/corpus.json": Chunks(('{"ا": 2}',))}) == (1, 0)
    assert path.read_text(encoding="utf-8") == '{"ا": 2}'
    assert tree.write({"corpus/exports/corpus.json": Chunks(('{"ا": ', "3".encode(), "}"))}) == (1, 0)
    assert path.read_text(encoding="utf-8") == '{"ا": 3}'       # str and UTF-8 bytes pieces mix
    assert Chunks(('{"ا": ', "3".encode(), "}")).text() == '{"ا": 3}'


def test_replaced_files_have_the_usual_permissions_and_large_ones_are_freed_later(tmp_path, monkeypatch):
    import os
    import threading

    from build_tools import output

    old_umask = os.umask(0o022)
    try:
        monkeypatch.setattr(output, "_UMASK", 0o022)
        monkeypatch.setattr(output, "LARGE", 10)
        path = tmp_path / "corpus/exports/corpus.jsonld"
        output.write_atomic(path, b"small")                  # new: no file to free
        assert oct(path.stat().st_mode & 0o777) == "0o644"   # not mkstemp's 0o600
        output.write_atomic(path, b"x" * 20)                 # replaces a small file
        output.write_atomic(path, b"the third content")      # replaces a large one
        for thread in threading.enumerate():
            if thread.name == "unlink-replaced":
                thread.join()
    finally:
        os.umask(old_umask)
    assert path.read_bytes() == b"the third content"
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in path.parent.iterdir()) == ["corpus.jsonld"]   # no temporary file left


def test_a_new_generated_folder_is_not_scanned_an_existing_one_is(tmp_path, monkeypatch):
    from pathlib import Path

    from build_tools.output import OutputTree

    tree = OutputTree(tmp_path, "corpus")                       # the folder does not exist yet
    tree.write({"corpus/a.md": "a", "corpus/b/c.md": "c"})
    monkeypatch.setattr(Path, "rglob", lambda *a, **k: pytest.fail("scanned a folder it just made"))
    assert tree.finish({"corpus/a.md", "corpus/b/c.md"}) == 0
    monkeypatch.undo()
    (tmp_path / "corpus/stray.md").write_text("left by an older version", encoding="utf-8")
    again = OutputTree(tmp_path, "corpus")                      # exists: scanned for stale files
    again.write({"corpus/a.md": "a"})
    assert again.finish({"corpus/a.md"}) == 2                   # b/c.md and stray.md
    assert sorted(p.name for p in (tmp_path / "corpus").rglob("*") if p.is_file()) == [
        ".generated-by-corpus-publisher", "a.md"]


def test_a_generation_interrupted_in_a_new_folder_leaves_one_the_next_recognises(tmp_path):
    from build_tools.output import MARKER, OutputTree

    tree = OutputTree(tmp_path, "corpus")
    tree.write({"corpus/a.md": "a"})                            # and then the process dies: no finish()
    assert (tmp_path / "corpus" / MARKER).is_file()
    again = OutputTree(tmp_path, "corpus")                      # would raise for a folder it did not make
    assert again.write({"corpus/a.md": "a", "corpus/b.md": "b"}) == (1, 1)
    assert again.finish({"corpus/a.md", "corpus/b.md"}) == 0


def test_a_new_folder_is_written_without_looking_for_files_first(tmp_path, monkeypatch):
    import os

    from build_tools import output

    tree = output.OutputTree(tmp_path, "corpus")
    real_stat = os.stat
    looked = []
    monkeypatch.setattr(output.os, "stat", lambda path, *a, **k: looked.append(path) or real_stat(path, *a, **k))
    assert tree.write({"corpus/a.md": "a", "corpus/d/b.md": "b"}) == (2, 0)
    assert [path for path in looked if str(path).endswith(".md")] == []
    assert (tmp_path / "corpus/d/b.md").read_text(encoding="utf-8") == "b"


def test_a_document_s_source_key_covers_every_file_beside_its_layers(make_project):
    """The key of a document's parts hashes its text, its metadata and every file of its
    layers' folder, those the loader read (their digests recorded) and those it did not."""
    root = make_project()
    project = Project(root)
    require(project)
    key = fingerprints.document_sources(project, "sample")
    assert key == fingerprints.document_sources(Project(root), "sample")      # recorded or read: the same
    proposed = root / "annotations/sample/mentions.proposed.yml"
    proposed.write_text("mentions: []\n", encoding="utf-8")
    with_proposed = fingerprints.document_sources(project, "sample")
    proposed.write_text("mentions: []  # edited\n", encoding="utf-8")
    assert len({key, with_proposed, fingerprints.document_sources(project, "sample")}) == 3
    proposed.unlink()
    (root / "annotations/sample/notes").mkdir()                                 # a folder is not a source
    assert fingerprints.document_sources(project, "sample") == key
    (root / "corpus/sample.txt").write_text("نص آخر\n", encoding="utf-8")
    assert fingerprints.document_sources(Project(root), "sample") != key
    assert fingerprints.document_sources(project, "no-layers") != key           # no folder, no files: a key
