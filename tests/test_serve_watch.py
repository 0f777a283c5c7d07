"""``mkdocs serve`` with the plugin: docs/ is watched through the operating system's
notifications, and the generated folder starts a rebuild only when a generation is done
(mkdocs_plugin.watch_docs; output.FINISHED)."""

from __future__ import annotations

import os
import time

import pytest
from corpus_fixtures import fixture_files, write_files
from mkdocs.livereload import LiveReloadServer

from build_tools.corpus import Project
from build_tools.mkdocs_plugin import watch_docs
from build_tools.output import FINISHED, MANIFEST, MARKER
from build_tools.pipeline import generate


@pytest.fixture
def server(tmp_path):
    """A LiveReloadServer as ``mkdocs serve`` sets it up before plugins' ``on_serve``
    (never started: its flag is what a rebuild waits for)."""
    made = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    yield made
    made.server_close()


def rebuild_asked(server, within: float = 2.0) -> bool:
    """Whether the server was asked to rebuild within ``within`` seconds; then, as MkDocs'
    build loop does, the events of the same change are let in before the flag is reset."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with server._rebuild_cond:
            asked = server._want_rebuild
        if asked:
            time.sleep(0.3)
            with server._rebuild_cond:
                server._want_rebuild = False
            return True
        time.sleep(0.02)
    return False


def test_generated_pages_start_one_rebuild_when_the_generation_is_done(tmp_path, server):
    root = write_files(tmp_path / "project", fixture_files())
    generate(Project(root))
    docs = root / "docs"
    assert (docs / "corpus" / FINISHED).is_file()
    server.watch(str(docs))                         # what mkdocs serve does before on_serve
    stop = watch_docs(server, str(docs))
    try:
        assert stop is not None
        assert str(docs) not in server._watched_paths, "MkDocs still lists docs/ every half second"
        # a generated page written: not yet (the generation is not done)
        page = docs / "corpus/documents/sample.md"
        page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert not rebuild_asked(server, 0.5)
        # the generation done
        (root / "annotations/sample/claims.yml").write_text("claims: []\n", encoding="utf-8")
        result = generate(Project(root))
        assert result.stats.written
        assert rebuild_asked(server)
        # a generation that changes nothing asks for nothing
        assert generate(Project(root)).stats.written == 0
        assert not rebuild_asked(server, 0.5)
        # a hand-written page: edited, asks; read, does not
        handwritten = docs / "index.md"
        handwritten.write_text("# صفحة\n", encoding="utf-8")
        assert rebuild_asked(server)
        handwritten.read_text(encoding="utf-8")
        assert not rebuild_asked(server, 0.5)
        # a new hand-written page in a new folder; the folder moved out of docs/ (one event)
        (docs / "guide").mkdir()
        assert rebuild_asked(server)
        (docs / "guide/page.md").write_text("# دليل\n", encoding="utf-8")
        assert rebuild_asked(server)
        (docs / "guide").rename(tmp_path / "guide")
        assert rebuild_asked(server)
    finally:
        if stop is not None:
            stop()


def test_without_the_generators_folder_mkdocs_watch_is_kept(tmp_path, server):
    docs = tmp_path / "docs"
    (docs / "corpus").mkdir(parents=True)
    (docs / "index.md").write_text("# x\n", encoding="utf-8")
    server.watch(str(docs))
    assert watch_docs(server, str(docs)) is None
    assert str(docs) in server._watched_paths
    (docs / "corpus" / MARKER).write_text("", encoding="utf-8")
    stop = watch_docs(server, str(docs))
    try:
        assert stop is not None and str(docs) not in server._watched_paths
    finally:
        stop()


def test_the_finished_file_survives_a_clean_up(tmp_path):
    """A generation that scans the folder for stale files keeps the FINISHED file: had it
    removed it, it would have counted a removal and written the file again."""
    root = write_files(tmp_path / "project", fixture_files())
    generate(Project(root))
    finished = root / "docs/corpus" / FINISHED
    before = finished.stat().st_mtime_ns
    os.remove(root / "docs/corpus" / MANIFEST)          # the next generation scans the folder
    result = generate(Project(root), incremental=False)
    assert (result.stats.written, result.stats.removed) == (0, 0)
    assert finished.stat().st_mtime_ns == before
