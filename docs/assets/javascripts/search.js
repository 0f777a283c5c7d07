// The search page (docs/search.md): Arabic-aware queries over the Pagefind index that
// `corpus build` writes into pagefind/ (build_tools/search.py).
//
// The index holds search keys, not the published words: each word with its harakat,
// tatweel and leading clitics removed and its letter variants unified. The query goes
// through the same key here (`searchKey`, the mirror of build_tools/arabic.py — keep the
// two identical; tests/test_arabic_js.py compares them). The snippet is cut from the
// original words, which the index keeps one for one with the keys: in the `text` metadata,
// or, for a document, as its English title and summary (`lead`) followed by the words of
// its raw text, a file of the site (`source`) fetched for the results shown.
//
// Material's instant navigation replaces the page without reloading it; this module is
// evaluated once and sets the page up each time `document$` emits a page that has the form.
//
// A collections hub (build_tools/hub.py) uses this module too: its form lists the sites it
// searches (`data-corpus-search-sites`); their indexes are merged into one, and each
// result's raw text is fetched from the site it belongs to.

// ---- search key: keep in step with build_tools/arabic.py ------------------------------
const REMOVED = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED\u0640\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]+/g;
const LETTERS = {
  "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
  "\u0629": "\u0647", "\u0649": "\u064A", "\u06CC": "\u064A", "\u06A9": "\u0643",
};
for (let i = 0; i < 10; i++) {
  LETTERS[String.fromCharCode(0x0660 + i)] = String(i);
  LETTERS[String.fromCharCode(0x06F0 + i)] = String(i);
}
const LETTER_RE = new RegExp("[" + Object.keys(LETTERS).join("") + "]", "g");
const WORD = /[\u0621-\u063A\u0641-\u064A\u066E-\u066F\u0671-\u06D3\u06D5\u06FA-\u06FF]+/g;
const CONJUNCTIONS = ["\u0648", "\u0641"];
const ARTICLES = ["\u0627\u0644", "\u0644\u0644"];
const PREPOSITIONS = ["\u0628", "\u0643", "\u0644"];

// Lengths in UTF-16 code units equal lengths in code points here: every letter the
// rules look at is in the Basic Multilingual Plane.
function stripOnce(word) {
  for (const p of CONJUNCTIONS) if (word.startsWith(p) && word.length - 1 >= 3) return word.slice(1);
  for (const p of ARTICLES) if (word.startsWith(p) && word.length - 2 >= 2) return word.slice(2);
  for (const p of PREPOSITIONS) if (word.startsWith(p) && word.length - 1 >= 4) return word.slice(1);
  return word;
}

function stripClitics(word) {
  for (;;) {
    const shorter = stripOnce(word);
    if (shorter === word) return word;
    word = shorter;
  }
}

export function fold(text) {
  return text.replace(REMOVED, "").replace(LETTER_RE, (c) => LETTERS[c]);
}

export function searchKey(text) {
  return fold(text).replace(WORD, stripClitics);
}

// Python's str.split(): the words of a text cut at every character str.isspace() accepts
// (JavaScript's \s differs: it has U+FEFF, and lacks U+001C-U+001F and U+0085).
const SPACES = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
export function splitWords(text) {
  return text.split(SPACES).filter(Boolean);
}

// ---- the page ---------------------------------------------------------------------
const ROOT = new URL("../../", import.meta.url);          // assets/javascripts/ → site root
const PAGE_SIZE = 10;
const SNIPPET_WORDS = 30;
const KINDS = { document: "وثيقة", entity: "كيان", page: "صفحة" };

// The sites searched: this one, or those a hub's form names (paths relative to the page).
function searchedSites(form) {
  const listed = form.dataset.corpusSearchSites;
  if (!listed) return [{ root: ROOT, title: "" }];
  return JSON.parse(listed).map((site) => ({ root: new URL(site.path, document.baseURI), title: site.title }));
}

// The site a result's URL belongs to: the one with the longest root that starts it.
export function siteOf(sites, url) {
  let found = null;
  for (const site of sites) {
    const root = site.root.pathname;
    if (url.startsWith(root) && (!found || root.length > found.root.pathname.length)) found = site;
  }
  return found || sites[0];
}

let pagefind = null;
function loadPagefind(sites) {
  pagefind ??= import(new URL("pagefind/pagefind.js", sites[0].root).href).then(async (pf) => {
    await pf.options({ baseUrl: sites[0].root.pathname });
    for (const site of sites.slice(1)) {
      await pf.mergeIndex(new URL("pagefind/", site.root).pathname, { baseUrl: site.root.pathname });
    }
    await pf.init();
    return pf;
  });
  return pagefind;
}

function parseAnchors(anchors) {
  // "index id index id …": the word each paragraph or heading starts at, and its id.
  const parts = (anchors || "").split(" ").filter(Boolean);
  const out = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push([Number(parts[i]), parts[i + 1]]);
  return out;
}

function blockOf(anchors, location) {
  // The last paragraph or heading that starts at or before `location`.
  let found = [0, ""];
  for (const anchor of anchors) {
    if (anchor[0] > location) break;
    found = anchor;
  }
  return found;
}

function snippet(words, locations, anchors) {
  const marked = new Set(locations);
  const first = locations.length ? locations[0] : 0;
  // A few words before the first match, but not back into the previous paragraph.
  const from = Math.max(blockOf(anchors, first)[0], first - Math.floor(SNIPPET_WORDS / 3));
  const start = Math.max(0, Math.min(from, words.length - SNIPPET_WORDS, first));
  const end = Math.min(words.length, start + SNIPPET_WORDS);
  const p = document.createElement("p");
  p.className = "corpus-search__snippet";
  if (start > 0) p.append("… ");
  for (let i = start; i < end; i++) {
    if (marked.has(i)) {
      const mark = document.createElement("mark");
      mark.textContent = words[i];
      p.append(mark);
    } else {
      p.append(words[i]);
    }
    if (i < end - 1) p.append(" ");
  }
  if (end < words.length) p.append(" …");
  return p;
}

const sourceWords = new Map();     // a file's URL → its words (a promise), fetched once, as Pagefind keeps its fragments

function wordsOf(url) {
  if (!sourceWords.has(url)) {
    sourceWords.set(url, fetch(url).then(
      async (response) => (response.ok ? splitWords(await response.text()) : []),
      () => [],         // no snippet rather than no result
    ));
  }
  return sourceWords.get(url);
}

async function recordWords(data, site) {
  // The words the index's keys stand for (build_tools/search.py, record_html); a record's
  // source is a path in its own site.
  if (!data.meta.source) return (data.meta.text || "").split(" ");
  const lead = data.meta.lead ? data.meta.lead.split(" ") : [];
  return lead.concat(await wordsOf(new URL(data.meta.source, site.root).href));
}

function resultItem(data, words, site) {
  const locations = [...(data.locations || [])].sort((a, b) => a - b);
  const li = document.createElement("li");
  li.className = "corpus-search__result";
  const head = document.createElement("p");
  head.className = "corpus-search__title";
  const a = document.createElement("a");
  const anchors = parseAnchors(data.meta.anchors);
  // Link to the paragraph of the first match (not to the page's own heading at word 0).
  const [at, id] = locations.length ? blockOf(anchors, locations[0]) : [0, ""];
  a.href = data.url + (id && at > 0 ? "#" + encodeURIComponent(id) : "");
  a.textContent = data.meta.title || data.url;
  head.append(a);
  if (KINDS[data.meta.kind]) {
    const kind = document.createElement("span");
    kind.className = "corpus-search__kind";
    kind.textContent = KINDS[data.meta.kind];
    head.append(" ", kind);
  }
  if (site.title) {                       // a hub: which collection the result is in
    const from = document.createElement("span");
    from.className = "corpus-search__site";
    const name = document.createElement("bdi");
    name.textContent = site.title;
    from.append(name);
    head.append(" ", from);
  }
  li.append(head, snippet(words, locations, anchors));
  return li;
}

function setUp(form) {
  if (form.dataset.ready) return;
  form.dataset.ready = "1";
  const input = form.querySelector("input[type=search]");
  const status = document.querySelector("[data-corpus-search-status]");
  const list = document.querySelector("[data-corpus-search-results]");
  const more = document.querySelector("[data-corpus-search-more]");
  const sites = searchedSites(form);
  let serial = 0;
  let results = [];
  let shown = 0;
  let timer = 0;

  async function showMore(run) {
    const batch = results.slice(shown, shown + PAGE_SIZE);
    const data = await Promise.all(batch.map(async (r) => {
      const d = await r.data();
      const site = siteOf(sites, d.url);
      return [d, await recordWords(d, site), site];
    }));
    if (run !== serial) return;
    for (const [d, words, site] of data) list.append(resultItem(d, words, site));
    shown += batch.length;
    more.hidden = shown >= results.length;
  }

  async function run() {
    const query = input.value.trim();
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    history.replaceState(history.state, "", url);
    const key = searchKey(query).trim();
    const mine = ++serial;
    list.replaceChildren();
    more.hidden = true;
    results = [];
    shown = 0;
    if (!key) {
      status.textContent = "";
      return;
    }
    status.textContent = "جارٍ البحث…";
    let pf;
    try {
      pf = await loadPagefind(sites);
    } catch (error) {
      status.textContent = "فهرس البحث غير موجود: يُبنى بالأمر corpus build (ولا يُبنى في المعاينة corpus serve).";
      return;
    }
    const search = await pf.search(key);
    if (mine !== serial || !search) return;
    results = search.results;
    await showMore(mine);
    if (mine !== serial) return;
    // Set last: the status says the results are on the page.
    status.textContent = results.length
      ? `عدد النتائج: ${results.length}`
      : `لا نتائج لـ«${query}».`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  more.addEventListener("click", () => showMore(serial));
  const initial = new URL(location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    run();
  }
}

function onPage() {
  const form = document.querySelector("form[data-corpus-search]");
  if (form) setUp(form);
}

if (typeof document !== "undefined") {   // not when tests import searchKey in Node
  if (window.document$) {
    window.document$.subscribe(onPage);   // Material: every page, instant navigation included
  } else {
    onPage();
  }
}
