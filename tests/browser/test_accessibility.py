"""axe-core on the main kinds of page, in both colour schemes; fonts and requests stay local;
screenshots of a document page at phone and desktop widths, light and dark."""

from __future__ import annotations

import pytest

DOC = "corpus/documents/nadortoday-2012-cyberwar/"
PAGES = {
    "home": "",
    "document": DOC,
    "entity": "corpus/entities/anonymous-morocco/",
    "claims": "corpus/claims/",
    "quotes": "corpus/quotes/",
    "entities": "corpus/entities/",
    "documents": "corpus/",
}


def serious(violations: list[dict]) -> list[str]:
    out = []
    for v in violations:
        if v.get("impact") in ("serious", "critical"):
            targets = [n["target"] for n in v["nodes"][:5]]
            summary = v["nodes"][0].get("failureSummary", "").replace("\n", " ")[:300] if v["nodes"] else ""
            out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes) {targets}: {summary}")
    return out


@pytest.fixture(scope="module")
def axe(browser):
    from axe_playwright_python.sync_playwright import Axe   # after `browser`: it skips or fails first
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violation(make_page, site_url, axe, name, scheme):
    pg = make_page(color_scheme=scheme)
    pg.goto(site_url + PAGES[name])
    pg.wait_for_load_state("load")
    pg.evaluate("document.fonts.ready.then(() => true)")
    expected = "slate" if scheme == "dark" else "default"
    assert pg.get_attribute("body", "data-md-color-scheme") == expected
    results = axe.run(pg)
    assert serious(results.response["violations"]) == []


def test_no_serious_axe_violation_with_details_open(page, site_url, axe):
    page.goto(site_url + DOC)
    page.focus(".doc-text .ann-claim a.ann-mention[id]")
    page.wait_for_selector(".ann-pop:not([hidden])")
    results = axe.run(page)
    assert serious(results.response["violations"]) == []


@pytest.mark.parametrize("name", ["home", "document", "entity", "claims"])
def test_every_request_stays_on_localhost_and_fonts_are_the_sites_own(page, site_url, name):
    page.goto(site_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    assert all(url.startswith(site_url) or url.startswith("data:") for url in page.requests), page.requests
    fonts = [url for url in page.requests if url.endswith(".woff2")]
    assert fonts and all(url.startswith(site_url + "assets/fonts/") for url in fonts)
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("Noto Naskh Arabic" in family for family in loaded)
    family = page.evaluate("getComputedStyle(document.querySelector('.md-typeset')).fontFamily")
    assert family.startswith('"Noto Naskh Arabic"')
    # nothing in the page points the browser elsewhere for fonts or styles
    assert page.evaluate("[...document.querySelectorAll('link[href*=\"//\"]')]"
                         ".filter(l => !l.href.startsWith(location.origin)).length") == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_document_screenshots(make_page, site_url, screenshot, device, scheme):
    size = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}[device]
    options = {"viewport": size, "color_scheme": scheme}
    if device == "phone":
        options.update(has_touch=True, is_mobile=True, device_scale_factor=2)
    pg = make_page(**options)
    pg.goto(site_url)
    pg.evaluate("localStorage.clear()")
    pg.goto(site_url + DOC)
    pg.wait_for_load_state("networkidle")
    pg.evaluate("document.fonts.ready.then(() => true)")
    pg.wait_for_timeout(200)
    name = f"document-{device}-{scheme}"
    # the top of the page, then the text with the details of one annotation open
    screenshot(pg, name, full_page=False)
    nested = ".doc-text .ann-claim .ann-quote .ann-mention[id]"      # three layers at one place
    pg.evaluate("s => window.scrollTo(0, document.querySelector(s).closest('p').getBoundingClientRect().top"
                " + scrollY - 120)", nested)
    if device == "phone":
        pg.tap(nested)
    else:
        pg.hover(nested)
    pg.wait_for_selector(".ann-pop:not([hidden])")
    path = screenshot(pg, name + "-details", full_page=False)
    assert path.exists() and path.stat().st_size > 10_000
    # nothing is wider than the screen
    assert pg.evaluate("document.documentElement.scrollWidth") <= size["width"]
