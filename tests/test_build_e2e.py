"""End-to-end: build whole sites with the CLI and MkDocs, then read the HTML."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_fixtures import FIXTURE_MKDOCS, REPO, TEXT, fake_pagefind
from sitecheck import broken_links, copy_sources, differences, doc_text, read_page, tree_hash

pytestmark = pytest.mark.e2e


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "build_tools", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


def test_fixture_site_builds_strict_and_links_back(make_project):
    root = make_project()
    result = run_cli("build", "--root", str(root), "--site-dir", str(root / "site"))
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    site = root / "site"
    page = site / "corpus/documents/sample/index.html"
    assert doc_text(page) == TEXT
    parsed = read_page(page)
    assert "../../entities/morocco/" in parsed.links
    assert {"m-morocco-1", "c-government-lies", "q-government-lies-quote", "p-1", "p-3"} <= parsed.ids
    entity = read_page(site / "corpus/entities/morocco/index.html")
    assert "../../documents/sample/#m-morocco-1" in entity.links
    assert broken_links(site) == []
    # the built site is a collection a hub can publish: its summary export is in the site
    collection = root.rename(root.parent / "fixture-collection")
    result = run_cli("join", str(collection), "--site-dir", str(collection.parent / "hub"))
    assert result.returncode == 0, result.stderr
    hub = collection.parent / "hub"
    assert doc_text(hub / "fixture-collection/corpus/documents/sample/index.html") == TEXT
    assert "الوثائق: 1 · الكيانات: " in (hub / "index.html").read_text(encoding="utf-8")
    assert broken_links(hub / "fixture-collection") == []


def test_broken_annotation_fails_and_keeps_the_previous_site(make_project):
    root = make_project()
    assert run_cli("build", "--root", str(root), "--site-dir", str(root / "site")).returncode == 0
    before_site = tree_hash(root / "site")
    before_pages = tree_hash(root / "docs/corpus")
    sources = {p: p.read_bytes() for p in (root / "annotations").rglob("*.yml")}
    (root / "annotations/sample/quotes.yml").write_text(
        "quotes:\n  - id: q\n    speaker: anonymous-morocco\n    kind: direct\n    quote: \"لا يوجد\"\n",
        encoding="utf-8")
    sources[root / "annotations/sample/quotes.yml"] = (root / "annotations/sample/quotes.yml").read_bytes()
    result = run_cli("build", "--root", str(root), "--site-dir", str(root / "site"))
    assert result.returncode == 1
    assert "annotations/sample/quotes.yml:5:12: error[anchor-not-found]" in result.stderr
    assert "hint:" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree_hash(root / "site") == before_site
    assert tree_hash(root / "docs/corpus") == before_pages
    assert {p: p.read_bytes() for p in (root / "annotations").rglob("*.yml")} == sources


NEW_INDEX_PAGE = "# فهرس جديد\n\n[الوثائق](corpus/index.md)\n"


def failed_rebuild(root: Path, env: dict[str, str] | None = None,
                   index_page: str = NEW_INDEX_PAGE) -> subprocess.CompletedProcess:
    """Build ``root``'s site, write ``index_page`` (the site would change), build again with
    ``env``: that build fails, and leaves the first site and no scratch folder."""
    assert run_cli("build", "--root", str(root), "--site-dir", str(root / "site")).returncode == 0
    before = tree_hash(root / "site")
    (root / "docs/index.md").write_text(index_page, encoding="utf-8")
    result = run_cli("build", "--root", str(root), "--site-dir", str(root / "site"), env=env)
    assert result.returncode == 1
    assert tree_hash(root / "site") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site-building-")], "no scratch folder left behind"
    return result


def test_mkdocs_failure_keeps_the_previous_site(make_project):
    result = failed_rebuild(make_project(), index_page="[broken](nowhere.md)\n")
    assert "previous site is untouched" in result.stderr


def test_search_index_failure_keeps_the_previous_site(make_project, tmp_path):
    """Pagefind fails when it writes the index, after MkDocs built the scratch site."""
    result = failed_rebuild(make_project(), {"PAGEFIND_BINARY_PATH": str(fake_pagefind(tmp_path, "GetFiles"))})
    assert ("search index failed: pagefind failed: no space left on device; the previous site is untouched"
            in result.stderr)


def test_a_search_index_that_cannot_start_keeps_the_previous_site(make_project, tmp_path):
    """Pagefind cannot start: the build stops before MkDocs, after the generation."""
    result = failed_rebuild(make_project(), {"PAGEFIND_BINARY_PATH": str(tmp_path / "missing")})
    assert "search index failed: pagefind failed to start" in result.stderr
    assert "the previous site is untouched" in result.stderr
    assert "generated " in result.stderr       # the generation went to its end


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_search_index_written_while_mkdocs_runs_is_the_one_written_after(make_project, jobs):
    """The hand-written pages come from the MkDocs plugin as soon as they are rendered, and
    the index is written while MkDocs still runs (in one process, or in shards): the site
    is the one the index made after MkDocs gives, to the byte (the sitemap too, which lists
    the pages in MkDocs' order: the plugin has the search pages converted first, then puts
    the order back); nothing is left beside it."""
    root = make_project({"docs/notes.md": "# ملاحظات\n\nنص مكتوب باليد للبحث.\n",
                         "mkdocs.yml": "site_url: https://example.org/c/\n" + FIXTURE_MKDOCS
                         + "plugins:\n  - corpus-publisher\n"})
    sites = {}
    for early in ("1", "0"):
        result = run_cli("build", "--root", str(root), "--jobs", jobs, "--site-dir", str(root / f"site-{early}"),
                         env={"SOURCE_DATE_EPOCH": "1328400000", "CORPUS_EARLY_SEARCH_INDEX": early})
        assert result.returncode == 0, result.stderr
        assert ("written while MkDocs ran" in result.stderr) == (early == "1"), result.stderr
        sites[early] = root / f"site-{early}"
    assert differences(sites["1"], sites["0"]) == []
    sitemap = (sites["1"] / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/c/notes/" in sitemap and "https://example.org/c/corpus/documents/sample/" in sitemap
    assert (sites["1"] / "pagefind/pagefind-entry.json").is_file()
    assert not [p.name for p in root.iterdir() if "-building-" in p.name]


def test_the_search_pages_are_sent_before_mkdocs_converts_the_corpus(make_project, tmp_path, monkeypatch):
    """The plugin has MkDocs convert the navigation's pages and the pages the index reads
    first, renders those as soon as the first other page comes (in path order, the
    corpus's pages came first, and MkDocs renders no page before it has converted them
    all), and sends the HTML MkDocs then writes for them."""
    import json

    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config

    root = make_project({"docs/notes.md": "# ملاحظات\n\nنص مكتوب باليد للبحث.\n",
                         "mkdocs.yml": FIXTURE_MKDOCS + "plugins:\n  - corpus-publisher\n"})
    assert run_cli("generate", "--root", str(root)).returncode == 0
    pages_file = tmp_path / "search-pages.json"
    monkeypatch.setenv("CORPUS_SEARCH_PAGES", str(pages_file))
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    converted = []          # (page, whether the pages had been sent when it was converted)
    populate_page = mkdocs_build._populate_page

    def noting(page, *args, **kwargs):
        populate_page(page, *args, **kwargs)
        converted.append((page.file.src_uri, pages_file.is_file()))

    monkeypatch.setattr(mkdocs_build, "_populate_page", noting)
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    mkdocs_build.build(config)
    corpus_pages = [sent for src_uri, sent in converted if src_uri.startswith("corpus/documents/")]
    assert corpus_pages and all(corpus_pages)
    assert not dict(converted)["notes.md"]      # sent once converted, with the navigation's pages
    sent = json.loads(pages_file.read_text(encoding="utf-8"))
    assert {"index.html", "notes/index.html"} <= set(sent)
    for dest, html in sent.items():
        assert (tmp_path / "site" / dest).read_text(encoding="utf-8") == html, dest


def test_with_another_plugin_the_search_index_is_written_after_mkdocs(make_project):
    """Another plugin could change a page after this one sees it: the pages are read from
    the built site then."""
    root = make_project({"mkdocs.yml": FIXTURE_MKDOCS + "plugins:\n  - corpus-publisher\n  - search\n"})
    result = run_cli("build", "--root", str(root), "--site-dir", str(root / "site"))
    assert result.returncode == 0, result.stderr
    assert "written while MkDocs ran" not in result.stderr and "search index: " in result.stderr
    assert (root / "site/pagefind/pagefind-entry.json").is_file()


def test_generate_rewrites_only_changed_pages_and_removes_stale_ones(make_project):
    root = make_project()
    first = run_cli("generate", "--root", str(root))
    assert first.returncode == 0, first.stderr
    second = run_cli("generate", "--root", str(root))
    assert "(0 written" in second.stderr
    (root / "annotations/sample/quotes.yml").write_text("quotes: []\n", encoding="utf-8")
    (root / "annotations/sample/claims.yml").write_text("claims: []\n", encoding="utf-8")
    third = run_cli("generate", "--root", str(root))
    assert third.returncode == 0, third.stderr
    written = int(third.stderr.split("(")[1].split(" written")[0])
    assert 0 < written < third.stderr.count("\n") + 20
    assert not (root / "docs/corpus/entities/nobody.md").exists()


def test_refuses_to_overwrite_a_hand_written_folder(make_project):
    root = make_project({"docs/corpus/notes.md": "# mine\n"})
    result = run_cli("generate", "--root", str(root))
    assert result.returncode == 1
    assert "was not generated by this tool" in result.stderr
    assert (root / "docs/corpus/notes.md").read_text(encoding="utf-8") == "# mine\n"


def test_repository_site_builds_with_every_paragraph_verbatim(tmp_path):
    root = copy_sources(REPO, tmp_path / "repo")
    result = run_cli("build", "--root", str(root), "--site-dir", str(root / "site"))
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    site = root / "site"
    source = (REPO / "corpus/nadortoday-2012-cyberwar.txt").read_text(encoding="utf-8")
    page = site / "corpus/documents/nadortoday-2012-cyberwar/index.html"
    assert doc_text(page) == source
    parsed = read_page(page)
    layers = {attrs.get("data-layer") for _, attrs in parsed.tags}
    assert {"mention", "claim", "quote"} <= layers
    # every entity name links to its page, and that page links back to the exact spot
    mention_links = [(attrs["id"], attrs["href"]) for tag, attrs in parsed.tags
                     if attrs.get("data-layer") == "mention" and "id" in attrs and "href" in attrs]
    assert mention_links
    for mention_id, href in mention_links:
        entity_page = (page.parent / href).resolve() / "index.html"
        back = read_page(entity_page).links
        assert f"../../documents/nadortoday-2012-cyberwar/#{mention_id}" in back, (mention_id, href)
    assert broken_links(site) == []
    # the navigation lists indexes, not documents
    nav_links = [a.get("href") for tag, a in read_page(site / "index.html").tags
                 if tag == "a" and "md-nav__link" in (a.get("class") or "")]
    assert not any("documents/" in (h or "") for h in nav_links)


def test_two_builds_are_byte_identical(make_project):
    root = make_project()
    env_epoch = {"SOURCE_DATE_EPOCH": "1328400000"}
    outputs = []
    for name in ("one", "two"):
        result = subprocess.run([sys.executable, "-m", "build_tools", "build", "--root", str(root), "--site-dir",
                                 str(root / name), "--quiet"], capture_output=True, text=True,
                                env=dict(os.environ, **env_epoch), timeout=600)
        assert result.returncode == 0, result.stderr
        outputs.append(root / name)
    files_one = sorted(p.relative_to(outputs[0]) for p in outputs[0].rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(outputs[1]) for p in outputs[1].rglob("*") if p.is_file())
    assert files_one == files_two
    different = [str(p) for p in files_one if (outputs[0] / p).read_bytes() != (outputs[1] / p).read_bytes()]
    assert different == []


def test_interrupted_build_leaves_the_previous_site(make_project):
    import signal
    import time

    root = make_project()
    assert run_cli("build", "--root", str(root), "--site-dir", str(root / "site")).returncode == 0
    before = tree_hash(root / "site")
    claims = root / "annotations/sample/claims.yml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("الحكومة تكذب", "تغيير"), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "build_tools", "build", "--root", str(root), "--site-dir",
                                str(root / "site")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(root.glob(".site-building-*")):
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert tree_hash(root / "site") == before, "the site was replaced although the build was killed"
    # the next build cleans the scratch folder and publishes the change
    assert run_cli("build", "--root", str(root), "--site-dir", str(root / "site")).returncode == 0
    assert not list(root.glob(".site-building-*"))
    assert "تغيير" in (root / "site/corpus/claims/index.html").read_text(encoding="utf-8")


def test_quiet_build_stays_strict(make_project):
    root = make_project({"docs/index.md": "[broken](nowhere.md)\n"})
    result = run_cli("build", "--root", str(root), "--site-dir", str(root / "site"), "--quiet")
    assert result.returncode == 1
    assert "nowhere.md" in result.stderr and "previous site is untouched" in result.stderr
    assert not (root / "site").exists()
