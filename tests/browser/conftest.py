"""Browser test fixtures: one built site per session, served on 127.0.0.1, driven by
Debian's chromium through Playwright (never a downloaded browser).

- ``built_site``: the repository's own site, built once per session into a temporary folder;
- ``site_url``: that site served by a threaded ``http.server`` (base URL ending in ``/``);
- ``serve_folder(folder)``: any folder served so, for the session;
- ``browser``: chromium; skipped when it is missing, except under ``CI=true`` (a failure);
- ``page``: a fresh context and page that records every request and fails the test when
  one of them went to a host other than 127.0.0.1 / localhost; ``make_page(**options)``
  makes such pages with other context options (phone viewport, touch, dark scheme);
- ``save_screenshot`` / ``screenshot``: PNGs into ``test-artifacts/`` at the repository root.

Every test in this folder gets the ``browser`` marker (``-m "not browser"`` skips them).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
HERE = Path(__file__).resolve().parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str | None:
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run in CI)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The repository's site, built once per session (``corpus build --site-dir <tmp>``)."""
    site = tmp_path_factory.mktemp("browser-site") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "build_tools", "build", "--root", str(REPO), "--site-dir", str(site), "--quiet"],
        cwd=REPO, capture_output=True, text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"corpus build failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}",
                    pytrace=False)
    return site


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, with no log line per request."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class _SiteHandler(QuietHandler):
    """Static files, quietly; ``/sitemap.xml`` lists the site's pages at this server's address.

    Material's instant navigation only intercepts links to URLs listed in sitemap.xml,
    and compares them including the port. The built sitemap names the deployed address
    (``site_url``), or nothing when ``site_url`` is not set; served on a free port, the
    site would never navigate instantly. So, as if the site were deployed here, the
    sitemap lists every built page at this server's origin.
    """

    def do_GET(self):
        if self.path.split("?", 1)[0] != "/sitemap.xml":
            return super().do_GET()
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        root = Path(self.directory)
        urls = sorted(
            "" if p.parent == root else p.parent.relative_to(root).as_posix() + "/"
            for p in root.rglob("index.html")
        )
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + "".join(f"  <url><loc>http://{host}/{url}</loc></url>\n" for url in urls)
                + "</urlset>\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="session")
def serve_folder():
    """``serve_folder(folder, handler=QuietHandler)``: ``folder`` served on 127.0.0.1 and a
    free port until the session ends; returns its base URL (ending in ``/``)."""
    servers = []

    def serve(folder: Path, handler=QuietHandler) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site, serve_folder):
    """``built_site`` served on 127.0.0.1 and a free port; the base URL ends in ``/``."""
    return serve_folder(built_site, _SiteHandler)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        _missing("chromium is not installed (apt-get install chromium, or bash scripts/test.sh as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    manager = sync_playwright().start()
    try:
        try:
            instance = manager.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken browser install is "no browser", with the reason
            _missing(f"chromium at {executable} could not be started: {exc}")
        yield instance
        instance.close()
    finally:
        manager.stop()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@pytest.fixture
def make_page(browser, request):
    """``make_page(**context_options)``: a page in a fresh context (e.g. a phone viewport,
    ``has_touch=True``, ``color_scheme="dark"``), under the same request guard as ``page``."""
    contexts = []
    requests: list[str] = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "ar")
        context = browser.new_context(**options)
        context.on("request", lambda req: requests.append(req.url))
        contexts.append(context)
        pg = context.new_page()
        pg.requests = requests  # type: ignore[attr-defined]
        return pg

    yield make
    for context in contexts:
        context.close()
    foreign = sorted({url for url in requests if not _is_local(url)})
    if foreign:
        pytest.fail(f"{request.node.nodeid}: requests left localhost:\n  " + "\n  ".join(foreign), pytrace=False)


@pytest.fixture
def page(make_page):
    """A fresh context and page (1280×900); fails the test if any request left
    127.0.0.1/localhost. Requests are recorded in ``page.requests`` (a list of URLs)."""
    return make_page()


def save_screenshot(pg, name: str, **options) -> Path:
    """Save a PNG of ``pg`` as ``test-artifacts/<name>.png`` (full page unless told otherwise)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (name if name.endswith(".png") else f"{name}.png")
    options.setdefault("full_page", True)
    pg.screenshot(path=str(path), **options)
    return path


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves ``test-artifacts/name.png`` and returns its path."""
    return save_screenshot
