"""`corpus serve`: the preview regenerates pages when an annotation file changes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from corpus_fixtures import REPO
from sitecheck import copy_sources

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def start_preview(root, port: int) -> subprocess.Popen:
    """``corpus serve`` on ``root``, in a process group of its own (output: one pipe)."""
    return subprocess.Popen(
        [sys.executable, "-m", "build_tools", "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        env=dict(os.environ, NO_COLOR="1"))


def test_serve_regenerates_on_annotation_change(make_project):
    root = make_project()
    port = free_port()
    process = start_preview(root, port)
    url = f"http://127.0.0.1:{port}/corpus/claims/"
    try:
        assert wait_for(lambda: (fetch(url) or "").find("الحكومة تكذب") != -1, 90), "the preview never came up"
        claims = root / "annotations/sample/claims.yml"
        claims.write_text(claims.read_text(encoding="utf-8").replace("الحكومة تكذب", "ملخص جديد"), encoding="utf-8")
        assert wait_for(lambda: "ملخص جديد" in (fetch(url) or ""), 60), "the change never reached the preview"
        # serve rebuilds only the changed pages (--dirty): every page the change touched is among them
        document = f"http://127.0.0.1:{port}/corpus/documents/sample/"
        assert wait_for(lambda: "ملخص جديد" in (fetch(document) or ""), 30)
        # a broken edit keeps the last good pages and reports the problem
        claims.write_text("claims:\n  - id: [\n", encoding="utf-8")
        time.sleep(3)
        assert "ملخص جديد" in (fetch(url) or "")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert "annotations/sample/claims.yml:" in output and "error[yaml-syntax]" in output
    assert "regenerated in" in output and "parts rendered" in output


def test_serve_previews_the_repository_own_project(tmp_path):
    """The README's companion command, on this repository's project: its mkdocs.yml says
    ``strict: true``, and MkDocs' own warning that a preview build is dirty aborted the
    first build. The preview serves the seed document, keeps running, and picks up an edit."""
    root = copy_sources(REPO, tmp_path / "repo")
    assert "strict: true" in (root / "mkdocs.yml").read_text(encoding="utf-8")
    port = free_port()
    process = start_preview(root, port)
    url = f"http://127.0.0.1:{port}/corpus/documents/nadortoday-2012-cyberwar/"
    try:
        assert wait_for(lambda: 'class="doc-body"' in (fetch(url) or "") or process.poll() is not None, 120)
        assert process.poll() is None, "the preview stopped"
        export = fetch(f"http://127.0.0.1:{port}/corpus/exports/documents/nadortoday-2012-cyberwar.json")
        assert export is not None and '"id": "nadortoday-2012-cyberwar"' in export
        metadata = root / "corpus/nadortoday-2012-cyberwar.yml"
        source = metadata.read_text(encoding="utf-8")
        title = next(line for line in source.splitlines() if line.startswith("title:"))
        metadata.write_text(source.replace(title, "title: عنوان للمعاينة"), encoding="utf-8")
        assert wait_for(lambda: "عنوان للمعاينة" in (fetch(url) or ""), 60), "the edit never reached the preview"
        # the document's exports (linked into the preview's site by the plugin) are the new ones
        export = f"http://127.0.0.1:{port}/corpus/exports/documents/nadortoday-2012-cyberwar.json"
        assert wait_for(lambda: "عنوان للمعاينة" in (fetch(export) or ""), 30), "the export was not updated"
        assert process.poll() is None
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert "Aborted" not in output and "strict mode" not in output, output[-2000:]
    assert "regenerated in" in output
    # docs/ is not listed every half second by MkDocs (the plugin watches it through the
    # system's notifications), and the edit's generation made one rebuild, after it was done
    watching = next(line for line in output.splitlines() if "Watching paths for changes" in line)
    assert "'docs'" not in watching and "'mkdocs.yml'" in watching
    assert output.count("Building documentation...") == 2, output[-3000:]
    assert "Error building page" not in output


def test_stopping_the_preview_stops_its_server(make_project):
    """SIGTERM to `corpus serve` alone (as a process manager sends it) stops MkDocs' server
    too: it kept running, and kept the address, after the preview had stopped."""
    root = make_project()
    port = free_port()
    process = start_preview(root, port)
    try:
        assert wait_for(lambda: fetch(f"http://127.0.0.1:{port}/") is not None, 90), "the preview never came up"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        assert wait_for(lambda: fetch(f"http://127.0.0.1:{port}/") is None, 10), "the server outlived the preview"
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate(timeout=30)
