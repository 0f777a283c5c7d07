"""The search index (build_tools/search.py): what is extracted, how it is aligned, and
how many bytes one query costs a reader, on the seed site and on 1,000 synthetic documents.

The byte figures come from running Pagefind's own pagefind.js in Node against the index
served on 127.0.0.1 and counting what it fetches (skipped without Node); the browser test
(tests/browser/test_search.py) measures the same in Chromium.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest

from build_tools import search
from build_tools.arabic import search_key
from build_tools.search import (INDEX_DIR, LANGUAGE, PAGE, Record, SearchIndex, SearchIndexError, Selector,
                                UNUSED_FILES, build_search_index, page_record, page_rule, record_html,
                                site_records, write_index)
from corpus_fixtures import REPO, fake_pagefind

NODE = shutil.which("node")
SEED = "corpus/documents/nadortoday-2012-cyberwar/"


# --- extraction ------------------------------------------------------------------

def test_inline_elements_do_not_split_words_and_blocks_do():
    html = (
        '<html><head><title>t - site</title></head><body><div class="doc-text">'
        '<h1 class="doc-headline" id="p-1">مناهضين ل<a class="ann" href="#">لحكومة</a> '
        '<span>و</span><a href="#">حزب</a> الكتاب</h1>'
        '<p class="doc-sep" aria-hidden="true"></p>'
        '<p class="doc-para" id="p-2">حركة 20 فبراير<br>Anonymous</p><p id="p-3">آخر</p></div>'
        '<script>var x = "لا"</script></body></html>'
    )
    record = page_record(html, "d/", "document", (Selector("div", "doc-text"),))
    assert record.words == ["مناهضين", "للحكومة", "وحزب", "الكتاب", "حركة", "20", "فبراير", "Anonymous", "آخر"]
    assert record.anchors == [(0, "p-1"), (4, "p-2"), (8, "p-3")]
    assert record.title == "مناهضين للحكومة وحزب الكتاب"
    assert record.keys[1] == "حكومه" and record.keys[2] == search_key("حزب")


def test_headerlinks_and_scripts_are_skipped():
    html = ('<article class="md-content__inner md-typeset"><h1 id="x">عن المشروع<a class="headerlink" '
            'href="#x">#</a></h1><p>open-source repository</p><script>alert(1)</script></article>')
    record = page_record(html, "about/", "page", PAGE)
    assert record.words == ["عن", "المشروع", "open-source", "repository"]
    assert record.title == "عن المشروع"


def test_the_tokenizer_handles_comments_scripts_quotes_and_references():
    html = ('<!doctype html><HTML><body><!-- <div class="doc-text">لا</div> -->'
            '<div class="doc-text" data-x=\'a > b\' title="<p>"><p id="p-1">أ&amp;ب &#1575;&lt;x&gt;</p>'
            '<script>if (a < b) document.write("</div><p>لا</p>")</script><style>p>b{}</style>'
            '<p id=p-2 class=doc-para>ج<br/>د<img src="x.png" alt="لا"/><span data-search-ignore>لا</span>هـ</p>'
            '<?xml x?></div><p>خارج</p></body></HTML>')
    record = page_record(html, "d/", "document", (Selector("div", "doc-text"),))
    assert record.words == ["أ&ب", "ا<x>", "ج", "دهـ"]
    assert record.anchors == [(0, "p-1"), (2, "p-2")]


def test_entity_card_labels_are_left_out():
    from build_tools.search import ENTITY
    html = ('<article><h1 id="m">المغرب</h1><div class="entity-card"><dl><div><dt>النوع</dt><dd>أماكن</dd></div>'
            '<div><dt>بالحروف اللاتينية</dt><dd lang="en">Morocco</dd></div></dl></div></article>')
    assert page_record(html, "e/", "entity", ENTITY).words == ["المغرب", "أماكن", "Morocco"]


@pytest.mark.parametrize("path, kind", [
    ("corpus/documents/x/index.html", "document"),
    ("corpus/entities/morocco/index.html", "entity"),
    ("about/index.html", "page"),
    ("index.html", "page"),
    ("corpus/entities/index.html", None),
    ("corpus/claims/index.html", None),
    ("corpus/index.html", None),
    ("search/index.html", None),
    ("404.html", None),
])
def test_which_pages_are_indexed(path, kind):
    rule = page_rule(PurePosixPath(path))
    assert (rule[0] if rule else None) == kind


def read_fragments(index: Path) -> list[dict]:
    out = []
    for path in sorted((index / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        out.append(json.loads(raw[len(b"pagefind_dcd"):]))
    return out


def test_indexed_keys_and_original_words_stay_one_for_one(tmp_path):
    """The snippet is cut from the original words at Pagefind's locations into ``content``:
    words in ``meta.text``, or ``meta.lead`` then the words of the file ``meta.source``."""
    text_path = "corpus/nadortoday-2012-cyberwar.txt"
    text = (REPO / text_path).read_text(encoding="utf-8")
    lead = "Cyberwar <in> Morocco &amp;".split()
    records = [
        Record(url="a/", kind="document", title="«عنوان» <b>&amp;", words=text.split(), anchors=[(0, "p-1")]),
        Record(url="b/", kind="entity", title="x", words="a<b ـ َ & “الحكومة” 20".split()),
        Record(url="c/", kind="document", title="ج", words=lead + text.split(), anchors=[(4, "p-1")],
               source=text_path, lead=len(lead)),
        Record(url="d/", kind="document", title="د", words=text.split(), source=text_path),
    ]
    write_index(records, tmp_path / INDEX_DIR)
    fragments = {f["url"]: f for f in read_fragments(tmp_path / INDEX_DIR)}
    for record in records:
        fragment = fragments["/" + record.url]
        assert fragment["content"].split(" ") == record.keys
        if record.source:
            assert "text" not in fragment["meta"]
            shown = fragment["meta"].get("lead") or ""
            words = (shown.split(" ") if shown else []) + (REPO / fragment["meta"]["source"]).read_text(
                encoding="utf-8").split()
        else:
            words = fragment["meta"]["text"].split(" ")
        assert words == record.words
        assert fragment["meta"]["title"] == record.title
        assert fragment["meta"]["kind"] == record.kind
    assert fragments["/a/"]["meta"]["anchors"] == "0 p-1"
    assert fragments["/c/"]["meta"]["lead"] == "Cyberwar <in> Morocco &amp;"


def test_a_document_record_points_at_its_raw_text():
    """The model's document records: their words are the English lead, then the raw-text
    export's words as str.split cuts them."""
    from build_tools.corpus import Project, require
    from build_tools.search import corpus_records

    corpus, _ = require(Project(REPO))
    records = [r for r in corpus_records(corpus) if r.kind == "document"]
    assert records
    for record, doc in zip(records, corpus.documents):
        assert record.source == f"corpus/exports/documents/{doc.id}.txt"
        assert record.words[record.lead:] == doc.text.split()
        assert record.words[:record.lead] == ((doc.meta.title_en or "") + " " + (doc.meta.summary_en or "")).split()


def test_record_html_escapes_everything():
    record = Record(url="a/", kind="page", title='<script>"', words=["<img", "src=x>"], anchors=[(0, 'p"1')])
    html = record_html(record)
    assert "<script>" not in html and "<img" not in html and 'p"1' not in html


# --- bytes per query ---------------------------------------------------------------

MEASURE_JS = r"""
const [base, queriesJson] = process.argv.slice(1);
const queries = JSON.parse(queriesJson);
const realFetch = globalThis.fetch;
let bytes = 0; let files = [];
globalThis.fetch = async (url, options) => {
  const response = await realFetch(url, options);
  const size = (await response.clone().arrayBuffer()).byteLength;
  bytes += size; files.push([String(url).slice(base.length).replace(/\?.*/, ""), size]);
  return response;
};
const source = await (await realFetch(base + "pagefind.js")).text();
const { writeFileSync } = await import("node:fs");
const local = process.env.PAGEFIND_COPY;
writeFileSync(local, source);
const pagefind = await import(local);
await pagefind.options({ basePath: base });
const out = [];
const fetched = new Set();
for (const query of queries) {
  bytes = 0; files = [];
  const search = await pagefind.search(query);
  const shown = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  // as the search page does: a document's words come from its raw text, a file of the site,
  // fetched once
  await Promise.all(shown.filter((d) => d.meta.source && !fetched.has(d.meta.source)).map((d) => {
    fetched.add(d.meta.source);
    return fetch(new URL(d.meta.source, new URL("../", base)));
  }));
  out.push({ query, results: search.results.length, urls: shown.map((d) => d.url), bytes, files });
}
process.stdout.write(JSON.stringify({ pagefind_js: Buffer.byteLength(source), queries: out }));
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def paths(urls: list[str]) -> list[str]:
    return [urlsplit(url).path.lstrip("/") for url in urls]


def measure(site: Path, queries: list[str], tmp_path: Path) -> dict:
    """Serve ``site`` on 127.0.0.1 and run Pagefind's pagefind.js in Node: the bytes each
    query fetches (index entry, wasm, index chunks, fragments of the first 10 results, and
    the raw text of the documents among them, as the search page fetches it)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/{INDEX_DIR}/"
        result = subprocess.run(
            [NODE, "--input-type=module", "-e", MEASURE_JS, base, json.dumps(queries)],
            capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "PAGEFIND_COPY": str(tmp_path / "pagefind-copy.mjs")},
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("search-seed") / "site"
    result = subprocess.run([sys.executable, "-m", "build_tools", "build", "--root", str(REPO), "--site-dir",
                             str(site), "--quiet"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.e2e
def test_seed_site_records(seed_site):
    records = {r.url: r for r in site_records(seed_site)}
    assert SEED in records and "about/" in records and "corpus/entities/morocco/" in records
    seed = records[SEED]
    source = (REPO / "corpus/nadortoday-2012-cyberwar.txt").read_text(encoding="utf-8")
    # the whole text, word for word (annotation links inside words do not split them)
    assert " ".join(source.split()) in " ".join(seed.words)
    assert "للحكومة" in seed.words and "حكومية" in seed.words
    assert seed.anchors[0][1] == "p-1"
    assert (seed_site / INDEX_DIR / "pagefind.js").exists()
    assert not (seed_site / INDEX_DIR / "pagefind-ui.js").exists()
    assert not (seed_site / "search" / "search_index.json").exists()   # Material's search is off


@pytest.mark.e2e
@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_one_query_on_the_seed_site_fetches_little(seed_site, tmp_path):
    queries = [search_key(q) for q in ("الحكومة", "والحكومة", "20", "Anonymous")]
    report = measure(seed_site, queries, tmp_path)
    first, again, number, latin = report["queries"]
    assert SEED in paths(first["urls"])
    assert again["bytes"] == 0                     # same key: nothing more to fetch
    assert SEED in paths(number["urls"])
    assert latin["results"] >= 1
    index_total = folder_bytes(seed_site / INDEX_DIR)
    print(f"\nseed: index {index_total} B on disk; pagefind.js {report['pagefind_js']} B; "
          f"first query {first['bytes']} B ({first['files']}); later queries "
          f"{[q['bytes'] for q in report['queries'][1:]]} B")
    # Once: the entry file, the language's metadata and wasm; then per query only index
    # chunks and the fragments of the ten results shown, never the whole index.
    index = seed_site / INDEX_DIR
    fixed = sum(p.stat().st_size for p in index.glob("*") if p.is_file() and not p.name.endswith(".js"))
    chunk = max(p.stat().st_size for p in (index / "index").glob("*"))
    ten_fragments = sum(sorted((p.stat().st_size for p in (index / "fragment").glob("*")), reverse=True)[:10])
    for query in report["queries"]:
        assert query["bytes"] <= fixed + chunk * len(query["query"].split()) + ten_fragments
    # Material's search_index.json was 489 KB for the one seed document; the largest
    # fragment here is the contributing guide's (a long hand-written page)
    assert first["bytes"] < 400_000


def synthetic_records(count: int, words_per_doc: int = 400, seed: int = 3) -> list[Record]:
    """``count`` documents drawn from the seed's vocabulary plus a long tail of rare words
    (random Arabic letter strings), so the vocabulary grows with the corpus as real news does."""
    rng = random.Random(seed)
    common = (REPO / "corpus/nadortoday-2012-cyberwar.txt").read_text(encoding="utf-8").split()
    letters = [chr(c) for c in range(0x0628, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
    rare = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 8))) for _ in range(count * 30)]
    records = []
    for i in range(count):
        words = [rng.choice(common) if rng.random() < 0.8 else rng.choice(rare) for _ in range(words_per_doc)]
        records.append(Record(url=f"corpus/documents/synthetic-{i:05d}/", kind="document",
                              title=" ".join(words[:8]), words=words, anchors=[(0, "p-1")]))
    return records


@pytest.mark.e2e
@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_one_query_on_1000_documents_fetches_a_small_part_of_the_index(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    records = synthetic_records(1000)
    write_index(records, site / INDEX_DIR)
    index_total = folder_bytes(site / INDEX_DIR)
    chunks = sorted(p.stat().st_size for p in (site / INDEX_DIR / "index").glob("*"))
    queries = [search_key("الحكومة"), search_key("المغرب") + " " + search_key("فبراير"), records[7].keys[-1]]
    report = measure(site, queries, tmp_path)
    print(f"\n1000 docs x 400 words: index {index_total} B on disk in {len(chunks)} chunks "
          f"(largest {chunks[-1]} B); per query: "
          + "; ".join(f"{q['results']} results, {q['bytes']} B" for q in report["queries"]))
    common, two_words, rare = report["queries"]
    assert common["results"] > 500 and rare["results"] >= 1
    for query in report["queries"]:
        # never the whole index: a chunk or two plus ten fragments
        assert query["bytes"] < index_total / 4
        assert query["bytes"] < 400_000


def test_build_search_index_refuses_an_empty_site(tmp_path):
    with pytest.raises(SearchIndexError, match="no page to index"):
        build_search_index(tmp_path)


# --- Pagefind's service, against the pages its CLI read before ----------------------

def cli_index(records: list[Record], output: Path) -> None:
    """The index as it was made before the service: one page per record in a folder, read
    by Pagefind's CLI."""
    pages = output.parent / "records"
    for record in records:
        page = pages / record.url / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(record_html(record), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(pages), "--output-path", str(output),
                    "--force-language", LANGUAGE, "--silent"], check=True, timeout=120)


def unique_word(number: int) -> str:
    """An Arabic word found in one record only: its number in letters that fold to none of
    the others and that the stemmer never strips, between two fixed ends."""
    return "ثخذ" + "".join("ثجحخدذرزشص"[int(digit)] for digit in f"{number:03d}") + "ظغ"


@pytest.fixture(scope="module")
def both_indexes(tmp_path_factory) -> tuple[list[Record], Path, Path]:
    """The same records indexed through the service and by the CLI from files."""
    records = synthetic_records(40)
    records += [
        Record(url="", kind="page", title="الرئيسية", words="نصوص عربية مشروحة Corpus".split()),
        Record(url="about/", kind="page", title="عن <b>&amp;", words="عن المشروع open-source".split(),
               anchors=[(0, "x")]),
        Record(url="corpus/entities/morocco/", kind="entity", title="المغرب", words="المغرب أماكن Morocco".split()),
        Record(url="عن/", kind="page", title="عن", words="صفحة بعنوان عربي".split()),
    ]
    for number, record in enumerate(records):
        record.words.append(unique_word(number))
    root = tmp_path_factory.mktemp("service-vs-cli")
    write_index(records, root / "service" / INDEX_DIR)
    cli_index(records, root / "cli" / INDEX_DIR)
    return records, root / "service", root / "cli"


def test_the_service_indexes_each_record_as_the_cli_read_its_page(both_indexes):
    """Same URLs, indexed keys and metadata, in fragment files of the same names (named by
    their content); only the order of the pages inside the index differs (the CLI's is the
    order it walked the folder in)."""
    records, service, cli = both_indexes
    fragments = {}
    for site in (service, cli):
        names = sorted(p.name for p in (site / INDEX_DIR / "fragment").iterdir())
        fragments[site] = (names, {f["url"]: f for f in read_fragments(site / INDEX_DIR)})
    assert fragments[service] == fragments[cli]
    assert sorted(fragments[service][1]) == sorted("/" + record.url for record in records)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_service_index_answers_queries_as_the_cli_index(both_indexes, tmp_path):
    """Every record is found at its URL by a word of its own, and common words find as many
    pages, in both indexes (queried with Pagefind's own pagefind.js)."""
    records, service, cli = both_indexes
    queries = [search_key(unique_word(number)) for number in range(len(records))]
    queries += [search_key("الحكومة"), search_key("المغرب") + " " + search_key("فبراير"), "open-source", "corpus"]
    answers = [measure(site, queries, tmp_path)["queries"] for site in (service, cli)]
    for number, record in enumerate(records):
        assert [paths(answer[number]["urls"]) for answer in answers] == [[record.url]] * 2, record.url
    for query, mine, theirs in zip(queries, *answers):
        assert mine["results"] == theirs["results"] > 0, query


def test_pagefind_failures_raise_search_index_error(tmp_path, monkeypatch):
    records = synthetic_records(3)
    crash = tmp_path / "crash"
    crash.write_text("#!/bin/sh\necho 'thread main panicked' >&2\nexit 101\n", encoding="utf-8")
    crash.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(crash))
    with pytest.raises(SearchIndexError, match=r"pagefind stopped \(exit 101\): thread main panicked"):
        write_index(records, tmp_path / INDEX_DIR)
    # the same when the service has already exited as the request is written (a broken pipe)
    send = SearchIndex._send

    def late_send(index, payload):
        index._process.wait()
        return send(index, payload)

    with monkeypatch.context() as patched:
        patched.setattr(SearchIndex, "_send", late_send)
        with pytest.raises(SearchIndexError, match=r"pagefind stopped \(exit 101\): thread main panicked"):
            write_index(records, tmp_path / INDEX_DIR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "GetFiles")))
    with pytest.raises(SearchIndexError, match="pagefind failed: no space left on device"):
        write_index(records, tmp_path / INDEX_DIR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing"))
    with pytest.raises(SearchIndexError, match="pagefind failed to start"):
        write_index(records, tmp_path / INDEX_DIR)


def test_records_sent_ahead_of_their_answers_make_the_same_index(tmp_path, monkeypatch):
    """SearchIndex sends AddFile requests ahead of their answers: the index is the one that
    waiting for each answer makes; an error answer among them still stops the build."""
    records = synthetic_records(3 * search.IN_FLIGHT + 5, words_per_doc=12)
    trees = []
    for in_flight in (1, search.IN_FLIGHT):
        monkeypatch.setattr(search, "IN_FLIGHT", in_flight)
        index = tmp_path / str(in_flight) / INDEX_DIR
        write_index(records, index)
        trees.append({p.relative_to(index): p.read_bytes() for p in index.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake_pagefind(tmp_path, "AddFile")))
    with pytest.raises(SearchIndexError, match="pagefind failed: no space left on device"):
        write_index(records, tmp_path / "failed" / INDEX_DIR)


def test_the_index_is_whole_and_the_same_every_time(tmp_path):
    """Pagefind's service answers WriteFiles before its last files are on disk; stopping it
    then left one empty (pagefind-entry.json, a wasm or UI file) in 1 run of 8 to 1 of 100
    here, so this catches that only sometimes. The files now come through the pipe."""
    records = synthetic_records(5, words_per_doc=20)
    runs = []
    for run in range(20):
        write_index(records, tmp_path / str(run) / INDEX_DIR)
        index = tmp_path / str(run) / INDEX_DIR
        runs.append({p.relative_to(index): p.read_bytes() for p in index.rglob("*") if p.is_file()})
    entry = json.loads(runs[0][Path("pagefind-entry.json")])
    assert entry["languages"][LANGUAGE]["page_count"] == 5
    assert all(files == runs[0] for files in runs)
    assert not set(map(str, runs[0])) & set(UNUSED_FILES)


def test_records_added_in_a_thread_and_after_it_are_all_indexed(tmp_path):
    records = synthetic_records(5)
    with SearchIndex() as index:
        index.add_in_thread(lambda: records[:3])
        index.add(records[3:])
        index.write(tmp_path / INDEX_DIR)
        assert index.count == 5
    assert sorted(f["url"] for f in read_fragments(tmp_path / INDEX_DIR)) == sorted("/" + r.url for r in records)


def test_an_error_in_the_thread_is_raised_by_the_next_call(tmp_path):
    def broken() -> list[Record]:
        raise KeyError("entity")

    with SearchIndex() as index:
        index.add_in_thread(broken)
        with pytest.raises(KeyError):
            index.write(tmp_path / INDEX_DIR)
    assert not (tmp_path / INDEX_DIR).exists()


def test_closing_stops_the_service_and_the_thread():
    import threading
    import time

    def slow() -> list[Record]:
        time.sleep(0.2)
        return synthetic_records(200)

    index = SearchIndex()
    index.add_in_thread(slow)
    index.close()       # as when MkDocs fails while the records are added
    index.close()
    assert index._process.returncode is not None
    assert not [t for t in threading.enumerate() if t.name.startswith("search-records")]


def test_an_interrupted_build_stops_the_service(make_project, monkeypatch):
    """Ctrl-C while MkDocs runs: the service started for the corpus's records is stopped and
    the scratch site removed."""
    from build_tools import search, site
    from build_tools.corpus import Project, require

    root = make_project()
    corpus, _ = require(Project(root))
    started = []
    start = search.start_search_index
    monkeypatch.setattr(search, "start_search_index", lambda corpus: started.append(start(corpus)) or started[-1])

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(site, "_run_mkdocs", interrupted)
    with pytest.raises(KeyboardInterrupt):
        site.build_site(root, root / "site", corpus=corpus)
    assert started and started[0]._process.returncode is not None
    assert not list(root.glob(".site-building-*")) and not (root / "site").exists()


def _same_records(site: Path, root: Path) -> int:
    """The records the model gives equal the records read back from the built pages."""
    from build_tools.corpus import Project, require
    from build_tools.search import corpus_records

    corpus, _ = require(Project(root))
    from_html = {r.url: r for r in site_records(site) if r.kind in ("document", "entity")}
    from_model = {r.url: r for r in corpus_records(corpus)}
    assert sorted(from_model) == sorted(from_html)
    for url, record in from_model.items():
        read = from_html[url]
        assert (record.title, record.words) == (read.title, read.words), url
        assert record.anchors == read.anchors, url      # an entity page's h1 (Material's) has no id
    return len(from_model)


@pytest.mark.e2e
def test_model_records_equal_the_built_pages_records(seed_site):
    assert _same_records(seed_site, REPO) == 22


@pytest.mark.e2e
def test_model_records_equal_the_built_pages_records_with_hostile_values(tmp_path):
    from xss_fixture import write_hostile_project

    root = write_hostile_project(tmp_path / "project")
    site = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "build_tools", "build", "--root", str(root), "--site-dir",
                             str(site), "--quiet", "--no-strict"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert _same_records(site, root) >= 2
