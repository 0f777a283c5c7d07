"""Pages built from hostile sources open no dialog in a real browser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TESTS))

from xss_fixture import write_hostile_project  # noqa: E402


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory, serve_folder):
    root = write_hostile_project(tmp_path_factory.mktemp("xss-browser") / "project")
    result = subprocess.run([sys.executable, "-m", "build_tools", "build", "--root", str(root), "--site-dir",
                             str(root / "site"), "--quiet"], capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, NO_COLOR="1"))
    assert result.returncode == 0, result.stderr
    url = serve_folder(root / "site")
    pages = sorted(p.parent.relative_to(root / "site").as_posix() for p in (root / "site").rglob("index.html"))
    return url, pages


def test_no_dialog_opens_on_any_page(page, hostile_url):
    base, pages = hostile_url
    assert len(pages) >= 8
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    for rel in pages:
        url = base + ("" if rel == "." else rel + "/")
        page.goto(url, wait_until="load")
        page.wait_for_timeout(150)
        # hover and focus every annotation, so that handlers that build tooltips run too
        for element in page.locator("[data-ann]").all()[:40]:
            element.hover()
            element.focus()
    assert dialogs == []
    # the page really contains the payloads, as text
    page.goto(base + "corpus/documents/evil/", wait_until="load")
    assert "<script>alert(1)</script>" in page.locator(".doc-text").inner_text()
