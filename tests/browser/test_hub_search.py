"""A collections hub in Chromium: its search merges the collections' indexes, and each
result links into, and takes its snippet from, the collection it belongs to."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from build_tools.hub import join
from test_search import RESULT, all_results   # tests/browser/test_search.py

pytestmark = pytest.mark.browser

SEED = "corpus/documents/nadortoday-2012-cyberwar/"


@pytest.fixture(scope="module")
def hub_url(built_site, tmp_path_factory, serve_folder):
    """The repository's site as two collections, ``alpha`` and ``beta``, joined into a hub
    served at ``/hub/``."""
    parent = tmp_path_factory.mktemp("collections")
    for name, title in (("alpha", "أخبار ألف"), ("beta", "أخبار باء")):
        (parent / name).mkdir()
        (parent / name / "mkdocs.yml").write_text(f"site_name: {title}\n", encoding="utf-8")
        (parent / name / "site").symlink_to(built_site, target_is_directory=True)
    served = parent / "served"
    join([parent / "alpha", parent / "beta"], served / "hub")
    return serve_folder(served) + "hub/"


def test_the_hub_search_finds_each_collection_s_documents(page, hub_url):
    page.goto(f"{hub_url}?q={quote('والحكومة')}")
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-corpus-search-status]');"
        " return s && s.textContent && !s.textContent.startsWith('جار'); }",
        timeout=15_000,
    )
    results = all_results(page)
    by_path = {urlsplit(r["href"]).path.removeprefix("/hub/"): r for r in results}
    assert by_path[f"alpha/{SEED}"]["site"] == "أخبار ألف"
    assert by_path[f"beta/{SEED}"]["site"] == "أخبار باء"
    for name in ("alpha", "beta"):                  # the snippet, from the collection's own raw text
        assert any("حكوم" in mark for mark in by_path[f"{name}/{SEED}"]["marks"])
    # the same site twice: every result twice, once in each collection
    assert len(results) >= 4
    assert sorted(p.removeprefix("alpha/") for p in by_path if p.startswith("alpha/")) \
        == sorted(p.removeprefix("beta/") for p in by_path if p.startswith("beta/"))
    assert len(by_path) == len(results)
    fetched = [url for url in page.requests if "/corpus/exports/documents/" in url]
    assert any("/hub/alpha/" in url for url in fetched) and any("/hub/beta/" in url for url in fetched)
    assert page.inner_text("[data-corpus-search-status]") == f"عدد النتائج: {len(results)}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_hub_page_has_no_serious_axe_violation(make_page, hub_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = make_page(color_scheme=scheme)
    page.goto(f"{hub_url}?q={quote('الحكومة')}")
    page.wait_for_selector(RESULT)
    violations = Axe().run(page).response["violations"]
    serious = [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations
               if v.get("impact") in ("serious", "critical")]
    assert serious == []


def test_the_hub_table_fits_a_phone(make_page, hub_url):
    page = make_page(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page.goto(hub_url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_shared_entities_link_each_collection_s_page(page, hub_url):
    """The repository's site twice: every entity it mentions is in both collections, linked
    to both pages, and every link of the page leads to a page that is there."""
    page.goto(hub_url)
    page.click("text=الكيانات المشتركة بين المجموعات")
    page.wait_for_url(f"{hub_url}entities/")
    rows = page.locator("tbody tr")
    assert rows.count() >= 1
    for row in range(rows.count()):
        links = rows.nth(row).locator(".in-collections a")
        hrefs = [urlsplit(links.nth(k).evaluate("a => a.href")).path for k in range(links.count())]
        assert [h.split("/")[2] for h in hrefs] == ["alpha", "beta"]
        assert hrefs[0].removeprefix("/hub/alpha/") == hrefs[1].removeprefix("/hub/beta/")
    targets = page.eval_on_selector_all("main a[href]", "as => as.map(a => a.href)")
    for target in targets:
        if target.startswith(hub_url):
            assert page.request.get(target).status == 200, target


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_shared_entities_page_has_no_serious_axe_violation_and_fits_a_phone(make_page, hub_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = make_page(color_scheme=scheme, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page.goto(f"{hub_url}entities/")
    violations = Axe().run(page).response["violations"]
    serious = [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations
               if v.get("impact") in ("serious", "critical")]
    assert serious == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_entity_page_links_the_same_entity_in_the_other_collection(page, hub_url):
    """In the hub, alpha's page of an entity has a row of its card that leads to beta's page
    of it, and to the entity's row in the hub's table; the link reads in its own line."""
    page.goto(f"{hub_url}entities/")
    first = page.locator("tbody tr").first
    alpha_page = first.locator(".in-collections a").first.evaluate("a => a.href")
    assert urlsplit(alpha_page).path.startswith("/hub/alpha/corpus/entities/")
    page.goto(alpha_page)
    row = page.locator(".entity-card .hub-elsewhere")
    assert row.count() == 1
    assert row.locator("dt").inner_text() == "في مجموعات أخرى"
    assert row.locator("dd a").first.inner_text() == "أخبار باء"
    assert row.locator("dd").evaluate("dd => getComputedStyle(dd).direction") == "rtl"
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, context=".entity-card").response["violations"]
    assert [v["id"] for v in violations if v.get("impact") in ("serious", "critical")] == []
    row.locator("dd a").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == urlsplit(alpha_page).path.replace("/hub/alpha/", "/hub/beta/")
    back = page.locator(".entity-card .hub-elsewhere dd a").first
    assert back.inner_text() == "أخبار ألف"
    page.locator(".entity-card .hub-elsewhere dd a", has_text="جدول الكيانات المشتركة").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/hub/entities/"
    fragment = urlsplit(page.url).fragment
    assert fragment.startswith("shared-alpha--") and page.locator(f"tr#{fragment}").count() == 1
