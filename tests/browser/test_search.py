"""The search page in Chromium: Arabic variants find the seed article, snippets show the
matched words, instant navigation sets the page up, and one query costs few bytes."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import pytest

from build_tools.arabic import search_key

pytestmark = pytest.mark.browser

SEED = "corpus/documents/nadortoday-2012-cyberwar/"
RESULT = ".corpus-search__result"


def search(page, site_url: str, query: str) -> None:
    page.goto(f"{site_url}search/?q={quote(query)}")
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-corpus-search-status]');"
        " return s && s.textContent && !s.textContent.startsWith('جار'); }",
        timeout=15_000,
    )


def all_results(page) -> list[dict]:
    """Every result, pressing «نتائج أخرى» until it hides."""
    more = page.locator("[data-corpus-search-more]")
    for _ in range(50):
        if not more.is_visible():
            break
        count = page.locator(RESULT).count()
        more.click()
        page.wait_for_function(f"() => document.querySelectorAll('{RESULT}').length > {count}")
    return page.eval_on_selector_all(RESULT, """items => items.map(li => ({
        href: li.querySelector('a').getAttribute('href'),
        title: li.querySelector('a').textContent,
        snippet: li.querySelector('.corpus-search__snippet').textContent,
        marks: [...li.querySelectorAll('mark')].map(m => m.textContent),
        site: li.querySelector('.corpus-search__site')?.textContent ?? null,    // on a hub's page
    }))""")


def path_of(site_url: str, href: str) -> str:
    return urlsplit(href).path.lstrip("/").removeprefix(urlsplit(site_url).path.lstrip("/"))


def seed_result(site_url: str, results: list[dict]) -> dict | None:
    for result in results:
        if path_of(site_url, result["href"]) == SEED:
            return result
    return None


ARABIC_QUERIES = [
    "الحكومة", "حكومة", "الحكومه", "الحُكُومَة", "الْحُكُومَةُ",   # article, taa marbuta, harakat
    "والحكومة", "للحكومة", "بالمغرب", "وبالمغرب", "فالحكومة",      # attached prefixes
    "إلكترونية", "الكترونيه", "حـرب",                               # hamza on alef, tatweel
    "مستوى", "مستوي",                                                # alef maqsura / yaa
    "حركة ٢٠ فبراير",                                                 # Arabic-Indic digits
]
LATIN_QUERIES = [
    ("20", SEED),                # a number in the text («حركة 20 فبراير»)
    ("Anonymous", SEED),         # a Latin word of the English summary
    ("NadorToday", SEED),
    ("repository", "about/"),    # a Latin word of the About page
    ("W3C", "about/"),
]


def type_query(page, query: str) -> None:
    """Type into the search box and wait until the status says the results are shown."""
    page.eval_on_selector("[data-corpus-search-status]", "s => { s.textContent = ''; }")
    page.fill("#corpus-search-q", query)
    page.wait_for_function(
        "(q) => { const s = document.querySelector('[data-corpus-search-status]');"
        " return new URL(location.href).searchParams.get('q') === q && s.textContent"
        " && !s.textContent.startsWith('جار'); }",
        arg=query, timeout=15_000,
    )


def test_arabic_variants_find_the_seed_article_with_a_snippet(page, site_url):
    """One page, every variant typed in turn (Pagefind loads once)."""
    page.goto(site_url + "search/")
    problems = []
    for query in ARABIC_QUERIES:
        type_query(page, query)
        results = all_results(page)
        found = seed_result(site_url, results)
        if found is None:
            problems.append((query, "seed not found", [r["href"] for r in results]))
            continue
        keys = set(search_key(query).split())
        # every highlighted word is, once keyed, a word of the query (or starts like it)
        if not found["marks"] or not all(
                any(search_key(m).strip("“”«»،.:()").startswith(k[:3]) for k in keys) for m in found["marks"]):
            problems.append((query, "marks", found["marks"]))
        if len(found["snippet"].split()) < 5:
            problems.append((query, "snippet", found["snippet"]))
    assert problems == []


def test_latin_words_and_numbers_are_found(page, site_url):
    page.goto(site_url + "search/")
    problems = []
    for query, path in LATIN_QUERIES:
        type_query(page, query)
        results = all_results(page)
        hits = [r for r in results if path_of(site_url, r["href"]).split("#")[0] == path]
        if not hits:
            problems.append((query, path, [r["href"] for r in results]))
        elif not any(query.lower() in m.lower() for m in hits[0]["marks"]):
            problems.append((query, "marks", hits[0]))
    assert problems == []


def test_result_links_to_the_paragraph_of_the_match(page, site_url):
    search(page, site_url, "الخطابي")
    found = seed_result(site_url, [dict(r, href=r["href"].split("#")[0]) for r in all_results(page)])
    assert found is not None
    href = page.eval_on_selector_all(RESULT + " a", "as => as.map(a => a.getAttribute('href'))")
    seed_href = next(h for h in href if SEED in h)
    assert "#p-" in seed_href
    page.click(f"a[href='{seed_href}']")
    page.wait_for_url(f"**/{SEED}#p-*")
    anchor = seed_href.split("#")[1]
    assert "الخطابي" in page.locator(f"#{anchor}").inner_text()


def test_no_result_message_and_empty_query(page, site_url):
    search(page, site_url, "زيزفونكلمةغيرموجودة")
    assert page.locator(RESULT).count() == 0
    assert "لا نتائج" in page.locator("[data-corpus-search-status]").inner_text()
    page.fill("#corpus-search-q", "")
    page.wait_for_timeout(400)
    assert page.locator(RESULT).count() == 0


def test_typing_updates_results_and_the_address(page, site_url):
    page.goto(site_url + "search/")
    page.fill("#corpus-search-q", "قراصنة")
    page.wait_for_selector(RESULT)
    assert "q=" in page.url
    assert seed_result(site_url, all_results(page)) is not None


def test_instant_navigation_sets_up_the_search_page(page, site_url):
    """Material replaces the page without a reload: the module must still run."""
    page.goto(site_url)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__same_document = true")
    page.locator("a.md-tabs__link", has_text="بحث").click()
    page.wait_for_selector("#corpus-search-q")
    page.fill("#corpus-search-q", "والحكومة")
    page.wait_for_selector(RESULT, timeout=15_000)
    assert page.evaluate("window.__same_document === true"), "navigation reloaded the page"
    assert seed_result(site_url, all_results(page)) is not None
    # away and back again: set up once more, results still come
    page.locator("a.md-tabs__link", has_text="عن المشروع").click()
    page.wait_for_selector("article h1")
    page.locator("a.md-tabs__link", has_text="بحث").click()
    page.wait_for_selector("#corpus-search-q")
    page.fill("#corpus-search-q", "المغرب")
    page.wait_for_selector(RESULT, timeout=15_000)
    assert page.evaluate("window.__same_document === true")


def test_query_keys_in_the_browser_equal_the_index_keys(page, site_url):
    page.goto(site_url + "search/")
    samples = ["الحُكُومَة", "وبالمغرب", "إلكترونية", "مستوى", "٢٠", "Anonymous café", "حـرب", "“أنونيموس”"]
    keys = page.evaluate(
        "async (samples) => { const m = await import(new URL('assets/javascripts/search.js', "
        f"{json.dumps(site_url)}).href); return samples.map(m.searchKey); }}",
        samples,
    )
    assert keys == [search_key(s) for s in samples]


def test_one_query_downloads_a_small_part_of_the_index(page, site_url, built_site):
    """What the reader's browser fetches for its first query (the search code included),
    against the whole index on disk; Material's search_index.json is not built at all."""
    page.goto(site_url + "search/")
    page.wait_for_load_state("networkidle")
    sizes: dict[str, int] = {}

    def record(response):
        if "/pagefind/" in response.url or response.url.endswith("search.js"):
            try:
                sizes[response.url] = len(response.body())
            except Exception:  # noqa: BLE001 - a body that cannot be read counts as absent
                sizes[response.url] = 0

    page.on("response", record)
    page.fill("#corpus-search-q", "الحكومة")
    page.wait_for_selector(RESULT, timeout=15_000)
    page.wait_for_load_state("networkidle")
    code = sum(size for url, size in sizes.items() if url.endswith(".js"))
    first = sum(sizes.values())
    index_total = sum(p.stat().st_size for p in (built_site / "pagefind").rglob("*") if p.is_file())
    sizes.clear()
    type_query(page, "تازة")
    page.wait_for_load_state("networkidle")
    second = sum(sizes.values())
    print(f"\nfirst query: {first} B fetched, {code} B of it code (search.js, pagefind.js, its worker; "
          f"not compressed by this test server), the rest wasm, index chunk and fragments; "
          f"second query: {second} B; index on disk: {index_total} B")
    assert not (built_site / "search/search_index.json").exists()
    index = built_site / "pagefind"
    fixed = sum(p.stat().st_size for p in index.glob("*") if p.is_file() and not p.name.endswith(".js"))
    chunk = max(p.stat().st_size for p in (index / "index").glob("*"))
    ten_fragments = sum(sorted((p.stat().st_size for p in (index / "fragment").glob("*")), reverse=True)[:10])
    assert code < 120_000
    # the wasm, index and fragment files are gzip already; a query fetches the language's
    # files once, one index chunk per word and the fragments of the ten results it shows
    assert first - code <= fixed + chunk + ten_fragments
    assert second <= chunk + ten_fragments
    assert first - code < 400_000   # the largest fragment is the contributing guide's
    assert not any("search_index.json" in url for url in page.requests)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_page_with_results_has_no_serious_axe_violation(make_page, site_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    pg = make_page(color_scheme=scheme)
    pg.goto(site_url + "search/")
    type_query(pg, "الحكومة")
    assert pg.locator(RESULT + " mark").count() > 0
    violations = Axe().run(pg).response["violations"]
    serious = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations
               if v.get("impact") in ("serious", "critical")]
    assert serious == []
