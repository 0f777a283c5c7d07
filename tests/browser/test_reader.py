"""Reading a document in a browser: joining, layer toggles, details, links, citation."""

from __future__ import annotations

import pytest

DOC = "corpus/documents/nadortoday-2012-cyberwar/"
STORE = "corpus.reader.hidden"
LAYERS = ("mention", "claim", "quote")

# Per paragraph (headline included): the widths of its lines as laid out, and its height,
# for the annotated paragraph and for a clone of the same element holding only its text.
LINE_WIDTHS_JS = """
() => {
  function lines(el) {
    const range = document.createRange();
    range.selectNodeContents(el);
    const rows = [];
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      const mid = (r.top + r.bottom) / 2;
      let row = rows.find(x => mid > x.top && mid < x.bottom);
      if (!row) rows.push({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
      else {
        row.left = Math.min(row.left, r.left); row.right = Math.max(row.right, r.right);
        row.top = Math.min(row.top, r.top); row.bottom = Math.max(row.bottom, r.bottom);
      }
    }
    rows.sort((a, b) => a.top - b.top);
    return rows.map(r => r.right - r.left);
  }
  const text = document.querySelector('.doc-text');
  const out = [];
  for (const para of text.querySelectorAll('.doc-para, .doc-headline')) {
    const plain = para.cloneNode(false);          // same element, same classes
    plain.removeAttribute('id');
    plain.textContent = para.textContent;          // text only, no markup
    const box = para.getBoundingClientRect();
    plain.style.cssText = 'position:absolute;visibility:hidden;top:0;left:0;margin:0;width:' + box.width + 'px';
    text.appendChild(plain);
    out.push({id: para.id, marked: lines(para), plain: lines(plain),
              markedHeight: box.height, plainHeight: plain.getBoundingClientRect().height,
              markup: para.querySelectorAll('.ann').length});
    plain.remove();
  }
  return out;
}
"""

# The same measurement on one line (no wrapping), for the clone with markup and for a
# clone whose text has a ZERO WIDTH NON-JOINER at every element boundary inside a word:
# what the text would look like if the markup broke the joining.
BROKEN_JOIN_JS = """
() => {
  const ZWNJ = '\\u200c';
  const isLetter = c => /[\\u0620-\\u064a\\u066e-\\u06d3]/.test(c || '');
  const text = document.querySelector('.doc-text');
  const out = [];
  for (const para of text.querySelectorAll('.doc-para, .doc-headline')) {
    const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
    const pieces = [];
    while (walker.nextNode()) pieces.push(walker.currentNode.data);
    let broken = '', cuts = 0;
    pieces.forEach((piece, i) => {
      if (i && piece && isLetter(broken[broken.length - 1]) && isLetter(piece[0])) { broken += ZWNJ; cuts++; }
      broken += piece;
    });
    const widths = [];
    for (const content of [para.textContent, broken]) {
      const clone = para.cloneNode(false);
      clone.removeAttribute('id');
      clone.textContent = content;
      clone.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;width:max-content';
      text.appendChild(clone);
      widths.push(clone.getBoundingClientRect().width);
      clone.remove();
    }
    out.push({id: para.id, cuts: cuts, plain: widths[0], broken: widths[1]});
  }
  return out;
}
"""


# Samples are picked by structure, not by annotation id, so that annotation edits do not
# break these tests: the first element (first piece, with an id) matching each selector.
SAMPLES = {
    "mention": ".doc-text a.ann-mention[id]",                      # a mention link
    "nested": ".doc-text .ann-claim .ann-quote .ann-mention[id]",   # mention in a quote in a claim
    "person": ".doc-text .ann-claim a.ann-mention.ent-person[id]",  # a person, inside a claim
    "claim": ".doc-text .ann-claim[id]",
    "quote": ".doc-text .ann-quote[id]",
}


def sample(pg, kind: str) -> str:
    """The ``#id`` selector of the sample annotation of a kind."""
    ident = pg.evaluate("s => document.querySelector(s).id", SAMPLES[kind])
    assert ident, kind
    return f"[id='{ident}']"


def entity_of(pg, selector: str) -> dict:
    """What the page's data says about the entity of a mention."""
    return pg.evaluate("""s => {
      const data = JSON.parse(document.querySelector('.ann-data').getAttribute('data-annotations'));
      const id = document.querySelector(s).getAttribute('data-entity');
      return Object.assign({url: data.entityPages + id + '/'}, data.entities[id]);
    }""", selector)


def open_document(pg, site_url, hidden: list[str] | None = None):
    """Open the seed document; ``hidden`` presets the stored choice before the first load."""
    if hidden is not None:
        pg.goto(site_url)
        pg.evaluate("([key, value]) => localStorage.setItem(key, JSON.stringify(value))", [STORE, hidden])
    pg.goto(site_url + DOC)
    pg.wait_for_load_state("load")
    pg.evaluate("document.fonts.ready.then(() => true)")
    assert pg.evaluate("document.fonts.check('16px \"Noto Naskh Arabic\"', 'حرب')")
    return pg


def source_text(pg) -> str:
    return pg.evaluate("document.querySelector('.doc-text').textContent")


def style(pg, selector: str, prop: str) -> str:
    return pg.evaluate("([s, p]) => getComputedStyle(document.querySelector(s))[p]", [selector, prop])


# ---- 1. highlights never break Arabic letter joining --------------------------------------

@pytest.mark.parametrize("state", ["default", "all-on", "all-off", "hover"])
def test_annotated_paragraphs_are_as_wide_as_their_plain_text(page, site_url, state):
    hidden = {"default": None, "all-on": [], "all-off": list(LAYERS), "hover": []}[state]
    open_document(page, site_url, hidden)
    if state == "all-on":
        assert page.evaluate("document.querySelector('.doc-text').className") == "doc-text"
    if state == "hover":
        page.hover(sample(page, "person"))
        page.wait_for_selector(".ann-pop:not([hidden])")
    results = page.evaluate(LINE_WIDTHS_JS)
    assert len(results) == 8 and sum(r["markup"] for r in results) > 50
    worst = 0.0
    for r in results:
        assert len(r["marked"]) == len(r["plain"]), f"{r['id']}: lines differ {r}"
        assert r["markedHeight"] == pytest.approx(r["plainHeight"], abs=0.5), r["id"]
        for marked, plain in zip(r["marked"], r["plain"]):
            worst = max(worst, abs(marked - plain))
            assert marked == pytest.approx(plain, abs=0.5), f"{r['id']}: line width {marked} ≠ {plain}"
    print(f"\n{state}: largest line-width difference {worst:.4f} px")


def test_width_comparison_would_notice_a_broken_join(page, site_url):
    """Sensitivity check: cutting the joins where the markup cuts words changes widths."""
    open_document(page, site_url)
    results = {r["id"]: r for r in page.evaluate(BROKEN_JOIN_JS)}
    cut = [r for r in results.values() if r["cuts"]]
    assert cut, "the seed has marks inside words (e.g. ل + لحكومة)"
    for r in cut:
        assert abs(r["broken"] - r["plain"]) > 1.0, r


def test_inline_marks_change_no_box_or_font_property(page, site_url):
    """Only colour, background, text-decoration, box-shadow may differ from the paragraph."""
    open_document(page, site_url)
    page.hover(sample(page, "nested"))
    page.focus(sample(page, "claim"))
    diffs = page.evaluate("""() => {
      const props = ['padding-left','padding-right','margin-left','margin-right','border-left-width',
                     'border-right-width','font-family','font-size','font-weight','font-style',
                     'letter-spacing','word-spacing','font-feature-settings','display','position'];
      const out = [];
      for (const el of document.querySelectorAll('.doc-text .ann')) {
        const para = el.closest('.doc-para, .doc-headline');
        const a = getComputedStyle(el), b = getComputedStyle(para);
        for (const p of props) {
          const expected = p === 'display' ? 'inline' : p === 'position' ? 'static' : b.getPropertyValue(p);
          if (a.getPropertyValue(p) !== expected) out.push([el.id || el.dataset.ann, p, a.getPropertyValue(p)]);
        }
      }
      return out;
    }""")
    assert diffs == []


# ---- 2. layer and type toggles ------------------------------------------------------------

def layer_styles(pg) -> dict[str, str]:
    return {
        "mention": style(pg, sample(pg, "mention"), "textDecorationLine"),
        "person": style(pg, sample(pg, "person"), "textDecorationLine"),
        "claim": style(pg, sample(pg, "claim"), "boxShadow"),
        "quote": style(pg, sample(pg, "quote"), "backgroundColor"),
    }


def test_each_layer_toggles_its_styling_only(page, site_url):
    open_document(page, site_url, hidden=[])
    text = source_text(page)
    on = layer_styles(page)
    assert on["mention"] == "underline" and on["person"] == "underline"
    assert on["claim"] != "none" and on["quote"] != "rgba(0, 0, 0, 0)"
    off_values = {"mention": "none", "claim": "none", "quote": "rgba(0, 0, 0, 0)"}
    for layer in LAYERS:
        box = page.locator(f".ann-controls input[name=layer][value={layer}]")
        box.uncheck()
        assert page.evaluate("l => document.querySelector('.doc-text').classList.contains('hide-' + l)", layer)
        now = layer_styles(page)
        assert now[layer] == off_values[layer], layer
        for other in set(LAYERS) - {layer}:
            assert now[other] == on[other], f"hiding {layer} changed {other}"
        assert source_text(page) == text
        box.check()
        assert layer_styles(page) == on
    assert source_text(page) == text


def test_each_entity_type_toggles(page, site_url):
    open_document(page, site_url, hidden=[])
    types = page.eval_on_selector_all(".ann-controls input[name=type]", "els => els.map(e => e.value)")
    assert len(types) == 9
    for entity_type in types:
        sample = f".doc-text .ann-mention.ent-{entity_type}"
        other = ".doc-text .ann-mention:not(.ent-%s)" % entity_type
        page.locator(f".ann-controls input[name=type][value={entity_type}]").uncheck()
        assert style(page, sample, "textDecorationLine") == "none", entity_type
        assert style(page, other, "textDecorationLine") == "underline"
        assert page.get_attribute(sample, "tabindex") == "-1"
        page.locator(f".ann-controls input[name=type][value={entity_type}]").check()
        assert style(page, sample, "textDecorationLine") == "underline"
    # hiding the whole layer disables the type switches
    page.locator(".ann-controls input[name=layer][value=mention]").uncheck()
    assert page.locator(".ann-controls .ann-types").evaluate("el => el.disabled")


def test_choice_survives_instant_navigation_and_reload(page, site_url):
    open_document(page, site_url, hidden=[])
    page.locator(".ann-controls input[name=layer][value=claim]").uncheck()
    page.locator(".ann-controls input[name=type][value=person]").uncheck()
    page.evaluate("window.__sameDocument = true")
    # to an entity page and back, by links, with Material's instant navigation
    page.locator(".doc-entities a[href$='/anonymous-morocco/']").click()
    page.wait_for_url("**/corpus/entities/anonymous-morocco/")
    page.wait_for_selector(".entity-card")
    page.locator("h3.kwic-doc a").first.click()
    page.wait_for_url("**/" + DOC)
    page.wait_for_selector(".doc-text.hide-claim")
    assert page.evaluate("window.__sameDocument === true"), "navigation was not instant"
    assert page.evaluate("document.querySelector('.doc-text').className.split(' ').sort()") == \
        ["doc-text", "hide-claim", "hide-ent-person"]
    assert not page.locator(".ann-controls input[name=layer][value=claim]").is_checked()
    assert not page.locator(".ann-controls input[name=type][value=person]").is_checked()
    assert page.locator(".ann-controls input[name=layer][value=quote]").is_checked()
    assert style(page, sample(page, "claim"), "boxShadow") == "none"
    # the details box works on the page instant navigation brought in
    page.hover(sample(page, "mention"))
    page.wait_for_selector(".ann-pop:not([hidden])")
    assert page.locator(".ann-pop").count() == 1
    # and after a full reload
    page.reload()
    page.wait_for_selector(".doc-text.hide-claim.hide-ent-person")


# ---- 3. details on demand -------------------------------------------------------------------

def test_details_on_hover_with_working_link(page, site_url):
    open_document(page, site_url, hidden=[])
    person = sample(page, "person")
    entity = entity_of(page, person)
    page.hover(person)
    pop = page.locator(".ann-pop")
    pop.wait_for(state="visible")
    assert pop.get_attribute("role") == "dialog" and pop.get_attribute("aria-label")
    first = pop.locator("section").first
    assert entity["name"] in first.inner_text()
    assert "شخص" in first.inner_text()
    # the claim around the mention is described too, with its status
    assert pop.locator("section[data-for^='c-']").count() >= 1
    assert "الحالة" in pop.locator("section[data-for^='c-']").first.inner_text()
    # moving onto the box keeps it open; its link opens the entity page
    link = first.locator("a", has_text=entity["name"])
    link.hover()
    page.wait_for_timeout(400)
    assert pop.is_visible()
    link.click()
    page.wait_for_url("**/corpus/entities/*/")
    page.wait_for_selector(".entity-card")
    assert entity["name"] in page.locator("h1").first.inner_text()


def test_details_on_keyboard_focus(page, site_url):
    open_document(page, site_url, hidden=[])
    # from the last switch, Tab reaches the first annotation of the text
    page.locator(".ann-controls input[name=type]").last.focus()
    page.keyboard.press("Tab")
    active = page.evaluate("document.activeElement.id")
    first_annotation = page.evaluate("document.querySelector('.doc-text [tabindex=\"0\"], .doc-text a[href]').id")
    assert active == first_annotation, active
    pop = page.locator(".ann-pop")
    pop.wait_for(state="visible")
    # screen readers: the annotation is described by a text naming what it is
    described = page.evaluate(
        "document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent")
    assert described.split(" ")[0] in ("ادعاء", "كيان", "اقتباس", "كلام")
    # Enter on a claim moves into the box; Escape comes back to the claim
    claim = sample(page, "claim")
    page.focus(claim)
    pop.wait_for(state="visible")
    assert "ادعاء" in pop.inner_text()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('.ann-pop') !== null")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.ann-pop') !== null")
    page.keyboard.press("Escape")
    assert pop.is_hidden()
    assert page.evaluate("document.activeElement.id") == page.evaluate(f"document.querySelector(\"{claim}\").id")
    # a mention link: focus shows its entity; Enter opens its page
    person = sample(page, "person")
    entity = entity_of(page, person)
    page.focus(person)
    pop.wait_for(state="visible")
    assert entity["name"] in pop.locator("section").first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/corpus/entities/*/")
    page.wait_for_selector(".entity-card")
    assert entity["name"] in page.locator("h1").first.inner_text()


def test_details_on_tap(make_page, site_url):
    pg = make_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2)
    open_document(pg, site_url, hidden=[])
    mention = sample(pg, "mention")
    entity = entity_of(pg, mention)
    pg.locator(mention).scroll_into_view_if_needed()
    pg.tap(mention)
    pop = pg.locator(".ann-pop")
    pop.wait_for(state="visible")
    assert pg.url.endswith(DOC), "a tap on a mention shows its details, it does not navigate"
    assert entity["name"] in pop.inner_text()
    box = pop.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # tapping outside closes it
    pg.tap(".doc-meta dt")
    pop.wait_for(state="hidden")
    # a tap on a claim (no link) shows the claim
    claim = sample(pg, "claim")
    pg.locator(claim).scroll_into_view_if_needed()
    pg.tap(claim)
    pop.wait_for(state="visible")
    assert "ادعاء" in pop.inner_text()
    pg.tap(".doc-meta dt")
    pop.wait_for(state="hidden")
    # the link in the box works
    pg.locator(mention).scroll_into_view_if_needed()
    pg.tap(mention)
    pop.wait_for(state="visible")
    pop.locator("a", has_text="صفحة الكيان").tap()
    pg.wait_for_url("**/corpus/entities/" + entity["url"].rstrip("/").rsplit("/", 1)[-1] + "/")


# ---- 5, 7. exact places, permalinks, citation -----------------------------------------------

def test_paragraph_and_annotation_permalinks(page, site_url):
    open_document(page, site_url)
    links = page.locator(".para-links a")
    assert links.count() == 8
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [f"#p-{n}" for n in range(1, 9)]
    # each number sits beside its paragraph
    for n in (1, 4, 8):
        link_box = page.locator(f".para-links a[href='#p-{n}']").bounding_box()
        para_box = page.locator(f"#p-{n}").bounding_box()
        assert para_box["y"] - 1 <= link_box["y"] <= para_box["y"] + para_box["height"]
        assert link_box["x"] >= para_box["x"] + para_box["width"] - 1      # right of it (RTL)
    page.locator(".para-links a[href='#p-6']").click()
    page.wait_for_url("**#p-6")
    page.wait_for_selector("#p-6.ann-target")
    assert page.evaluate("document.querySelectorAll('.ann-target').length") == 1
    # annotations: the details box offers the permalink of each one
    mention = sample(page, "mention")
    key = page.get_attribute(mention, "id")
    page.hover(mention)
    page.wait_for_selector(".ann-pop:not([hidden])")
    permalink = page.locator(f".ann-pop section[data-for='{key}'] a", has_text="رابط دائم")
    assert permalink.get_attribute("href") == f"#{key}"
    copy = page.locator(f".ann-pop section[data-for='{key}'] [data-copy-url]")
    assert copy.get_attribute("data-copy-url") == site_url + DOC + f"#{key}"
    permalink.click()
    page.wait_for_selector(f"[id='{key}'].ann-target")


def test_document_shows_how_to_cite_it(page, site_url):
    open_document(page, site_url)
    plain = page.locator("#cite-plain").inner_text()
    assert "خالد الوليد" in plain and "ناظورتوداي" in plain and "2012" in plain
    assert site_url + DOC in plain
    bibtex = page.locator("#cite-bibtex").inner_text()
    assert bibtex.startswith("@article{nadortoday-2012-cyberwar,")
    for field in ("author", "title", "journal", "year", "month", "note"):
        assert f"  {field}" in bibtex
    assert site_url + DOC in bibtex
    assert bibtex.count("{") == bibtex.count("}")
    assert page.locator(".doc-cite .copy-btn").count() == 2


@pytest.mark.parametrize("listing, prefix", [("corpus/claims/", "c-"), ("corpus/quotes/", "q-")])
def test_claims_and_quotes_pages_link_to_the_exact_place(page, site_url, listing, prefix):
    page.goto(site_url + listing)
    links = page.locator(f"a[href*='nadortoday-2012-cyberwar/#{prefix}']")
    assert links.count() >= 10
    target = links.first.get_attribute("href").split("#", 1)[1]
    links.first.click()
    page.wait_for_url(f"**#{target}")
    element = page.locator(f"#{target}")
    page.wait_for_selector(f"[id='{target}'].ann-target")
    assert element.evaluate("el => el.closest('.doc-text') !== null")
    from playwright.sync_api import expect
    expect(element).to_be_in_viewport()


def test_entity_page_keyword_in_context(page, site_url):
    page.goto(site_url + "corpus/entities/moroccan-government/")
    rows = page.locator("table.kwic tr")
    assert rows.count() >= 5
    for i in range(rows.count()):
        row = rows.nth(i)
        keyword = row.locator(".kwic-keyword").bounding_box()
        table = page.locator("table.kwic").first.bounding_box()
        centre = keyword["x"] + keyword["width"] / 2
        assert abs(centre - (table["x"] + table["width"] / 2)) < table["width"] * 0.12
    assert style(page, ".kwic-keyword", "backgroundColor") != "rgba(0, 0, 0, 0)"
    # a keyword cut inside a word keeps its joined letter forms (zero-width joiners)
    texts = page.locator(".kwic-keyword").all_inner_texts()
    assert any(t.startswith("\u200d") for t in texts)
    assert page.locator(".co-occurring li").count() >= 3


def test_mention_inside_a_mention_link_is_described_but_not_a_tab_stop(page, site_url):
    open_document(page, site_url, hidden=[])
    inner = ".doc-text a.ann-mention[href] span.ann-mention[data-href][id]"
    if not page.locator(inner).count():
        pytest.skip("no mention inside another mention's link in the seed")
    assert page.get_attribute(inner, "tabindex") is None
    key = page.get_attribute(inner, "id")
    outer = page.evaluate("s => document.querySelector(s).closest('a[href]').id", inner)
    page.focus(f"[id='{outer}']")
    page.wait_for_selector(".ann-pop:not([hidden])")
    sections = page.locator(".ann-pop section").evaluate_all("els => els.map(e => e.dataset.for)")
    assert sections[:2] == [outer, key]
    # hovering the inner one describes it first
    page.keyboard.press("Escape")
    page.wait_for_selector(".ann-pop", state="hidden")
    page.hover(f"[id='{key}']")
    page.wait_for_function("k => document.querySelector('.ann-pop section')?.dataset.for === k", arg=key)
