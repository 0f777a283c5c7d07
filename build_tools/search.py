"""The site's search index: Pagefind over Arabic search keys, built from the built site.

Why Pagefind and why this shape (measured figures in docs/search.md and the tests):

- Pagefind writes a static index cut into chunks; a query fetches only the chunks for its
  words and the fragments of the results it shows, so a reader never downloads the whole
  index (Material's search plugin ships one ``search_index.json`` with every page's text:
  489 KB for the one seed document).
- Pagefind by itself folds harakat, tatweel, hamza on alef and Arabic-Indic digits and
  stems with Snowball, but it does not unify ة/ه nor ى/ي, does not find «الحكومة» from
  «والحكومة», and splits words at the inline annotation links inside a word
  («ل<a>لحكومة</a>» becomes «ل لحكومة»). So the records are not Pagefind's reading of the
  HTML: this module extracts the text itself (inline elements never split a word) and
  indexes ``arabic.search_key`` of each whitespace-separated word; the reader's query goes
  through the same key in search.js.
- The original words travel in the ``text`` metadata, one for one with the indexed keys,
  so the page shows a snippet of the real text around Pagefind's match locations. A
  document's words are its English title and summary (``lead`` metadata) and then those of
  its text, which the site already has as a file (``source``: the raw-text export): the
  search page fetches it for the results it shows. Carrying every word a second time in
  the index took a third of Pagefind's work (the 13,000 records of 10,000 documents:
  19.8 s → 13.3 s).
- Pagefind reads each record as a small page (:func:`record_html`) handed to its service
  process (:class:`SearchIndex`), not as a file: ``corpus build`` hands over the corpus's
  records while MkDocs runs, and only the hand-written pages and the index's files are
  left for after it.

Only the document text (with its English title and summary), entity pages' heading and
card, and the hand-written pages are indexed; the index pages (documents, entities,
claims, quotes) repeat text that is indexed where it belongs.
"""

from __future__ import annotations

import base64
import html
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
import re
from pathlib import Path, PurePosixPath
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable, Iterable

from . import urls
from .arabic import search_keys
from .model import ENTITY_TYPES
from .render import split_lines

if TYPE_CHECKING:
    from .corpus import ResolvedCorpus
    from .model import Entity, ResolvedDocument

INDEX_DIR = "pagefind"
LANGUAGE = "ar"

BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt figcaption figure footer h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())
SKIPPED_TAGS = frozenset("script style template svg button form noscript".split())
SKIPPED_CLASSES = frozenset({"headerlink"})
ANCHOR_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li dt".split())


@dataclass(frozen=True)
class Selector:
    tag: str
    cls: str | None = None
    skip: frozenset[str] = frozenset()    # tags left out inside this region

    def matches(self, tag: str, classes: set[str]) -> bool:
        return tag == self.tag and (self.cls is None or self.cls in classes)


# What is indexed on which page (paths relative to the site, ``*`` one folder).
DOCUMENT = (Selector("div", "doc-summary-en"), Selector("div", "doc-text"))
ENTITY = (Selector("h1"), Selector("div", "entity-card", skip=frozenset({"dt"})))   # not the card's labels
PAGE = (Selector("article", "md-content__inner"),)


def page_rule(relative: PurePosixPath) -> tuple[str, tuple[Selector, ...]] | None:
    """The kind of a built page and the regions to index, or None to leave it out."""
    parts = relative.parts
    if relative.name != "index.html":
        return None   # 404.html, sitemap, assets
    if parts[:2] == ("corpus", "documents") and len(parts) == 4:
        return "document", DOCUMENT
    if parts[:2] == ("corpus", "entities") and len(parts) == 4:
        return "entity", ENTITY
    if parts[0] in ("corpus", "search", INDEX_DIR, "assets"):
        return None
    return "page", PAGE


@dataclass
class Record:
    url: str                  # relative to the site root: "corpus/documents/<id>/"
    kind: str                 # document | entity | page
    title: str
    words: list[str]          # the text's whitespace-separated words, as published
    anchors: list[tuple[int, str]] = field(default_factory=list)   # (first word, element id)
    # A file of the site (its path from the site root) whose whitespace-separated words (as
    # ``str.split`` cuts them) are ``words`` after the first ``lead``: the index then carries
    # those and the file's path instead of every word (record_html). How the words reach the
    # reader, not what they are: left out of comparisons.
    source: str = field(default="", compare=False)
    lead: int = field(default=0, compare=False)

    @property
    def keys(self) -> list[str]:
        return search_keys(self.words)


# A small tokenizer for the HTML that MkDocs writes (well formed): comments, tags with
# their attribute text, raw-text elements, and text. html.parser took 0.1 s for one
# annotated document page (most of it parsing attributes this module never reads), which
# is 15 minutes for 10,000 documents; this reads the same pages about 30 times faster.
_TOKEN = re.compile(
    r"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|<![^>]*>|<\?[^>]*>|([^<]+)|<",
    re.S)
# Only the attributes this module reads (class, id, data-search-ignore).
_ATTR = re.compile(
    r"""(?:^|\s)(class|id|data-search-ignore)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?(?=[\s/]|$)""",
    re.I)
_RAW_TEXT = frozenset({"script", "style"})


def _attributes(text: str) -> dict[str, str]:
    if len(text) < 3:
        return {}
    out = {}
    for m in _ATTR.finditer(text):
        value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        out.setdefault(m.group(1).lower(), html.unescape(value) if value else "")
    return out


class _Extractor:
    """The text of the selected regions, with block boundaries as spaces and inline
    elements (annotation links inside a word) joined without one."""

    def __init__(self, selectors: tuple[Selector, ...]):
        self.selectors = selectors
        self.stack: list[tuple[str, bool, bool]] = []   # (tag, opens a region, skipped)
        self.region_skips: list[frozenset[str]] = []      # skip sets of the open regions
        self.open_tags: dict[str, int] = {}                # how many of each tag are open
        self.depth = 0            # open selected regions
        self.skip = 0             # open skipped elements
        self.parts: list[str] = []
        self.words: list[str] = []
        self.anchors: list[tuple[int, str]] = []
        self.h1: list[str] | None = None
        self.h1_done = False
        self.title_parts: list[str] = []
        self.in_title = False

    def feed(self, text: str) -> None:
        position = 0
        while True:
            m = _TOKEN.search(text, position)
            if m is None:
                return
            position = m.end()
            if m.group(4) is not None:
                self.handle_data(html.unescape(m.group(4)) if "&" in m.group(4) else m.group(4))
            elif m.group(2) is not None:
                tag = m.group(2).lower()
                if m.group(1):
                    self.handle_endtag(tag)
                    continue
                attributes = m.group(3)
                self.handle_starttag(tag, _attributes(attributes))
                if attributes.rstrip().endswith("/") and tag not in VOID_TAGS:
                    self.handle_endtag(tag)
                elif tag in _RAW_TEXT:
                    end = re.compile(f"</{tag}\\s*>", re.I).search(text, position)
                    position = end.end() if end else len(text)
                    self.handle_endtag(tag)
            elif m.group() == "<":
                self.handle_data("<")

    def _flush(self) -> None:
        self.words.extend("".join(self.parts).split())
        self.parts = []

    def handle_starttag(self, tag: str, attrs: dict[str, str]) -> None:
        classes = set((attrs.get("class") or "").split())
        if tag == "title":
            self.in_title = True
        if tag in VOID_TAGS:
            if tag == "br" and self.depth and not self.skip:
                self.parts.append(" ")
            return
        skipped = (tag in SKIPPED_TAGS or bool(classes & SKIPPED_CLASSES) or "data-search-ignore" in attrs
                   or any(tag in skips for skips in self.region_skips))
        region = None if self.skip or skipped else next((s for s in self.selectors if s.matches(tag, classes)), None)
        opens = region is not None
        self.stack.append((tag, opens, skipped))
        self.open_tags[tag] = self.open_tags.get(tag, 0) + 1
        if skipped:
            self.skip += 1
        if opens:
            self.depth += 1
            self.region_skips.append(region.skip)
        if tag == "h1" and not self.h1_done and not self.skip:
            self.h1 = []
        if self.depth and not self.skip and tag in BLOCK_TAGS:
            self.parts.append(" ")
            if tag in ANCHOR_TAGS and attrs.get("id"):
                self._flush()
                self.anchors.append((len(self.words), attrs["id"]))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in VOID_TAGS or not self.open_tags.get(tag):
            return
        while self.stack:
            open_tag, opened, skipped = self.stack.pop()
            self.open_tags[open_tag] -= 1
            if skipped:
                self.skip -= 1
            if opened:
                self.depth -= 1
                self.region_skips.pop()
            if open_tag == "h1" and self.h1 is not None:
                self.h1_done = True
            if open_tag == tag:
                break
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.in_title:
            self.title_parts.append(data)
        if self.skip:
            return
        if self.h1 is not None and not self.h1_done:
            self.h1.append(data)
        if self.depth:
            self.parts.append(data)

    def result(self) -> tuple[str, list[str], list[tuple[int, str]]]:
        self._flush()
        title = " ".join("".join(self.h1 or []).split())
        if not title:
            title = " ".join("".join(self.title_parts).split()).rsplit(" - ", 1)[0]
        return title, self.words, self.anchors


def page_record(html_text: str, url: str, kind: str, selectors: tuple[Selector, ...]) -> Record | None:
    extractor = _Extractor(selectors)
    extractor.feed(html_text)
    title, words, anchors = extractor.result()
    if not words:
        return None
    return Record(url=url, kind=kind, title=title, words=words, anchors=anchors)


# ---- records from the model (what the generated pages show, without reading them back) ----

def _title(text: str) -> str:
    return " ".join(text.split())


def document_record(doc: "ResolvedDocument") -> Record:
    """The record of a document page, as :func:`page_record` reads it from the built page
    (tests/test_arabic_search_index.py holds the two equal): the English title and summary,
    then the text's words, with an anchor at each numbered line (``p-N``)."""
    words: list[str] = []
    if doc.meta.title_en or doc.meta.summary_en:
        words += (doc.meta.title_en or "").split() + (doc.meta.summary_en or "").split()
    lead = len(words)
    anchors = []
    text = doc.text
    for line in split_lines(text):
        if line.number:
            anchors.append((len(words), f"p-{line.number}"))
        words += text[line.start:line.end].split()
    return Record(url=urls.page_url(urls.document_page(doc.id)), kind="document", title=_title(doc.meta.title),
                  words=words, anchors=anchors, source=urls.document_export(doc.id, "txt"), lead=lead)


def entity_record(entity: "Entity", mention_count: int, document_count: int) -> Record:
    """The record of an entity's first page: its heading and the values of its card."""
    words = entity.name.split() + ENTITY_TYPES[entity.type][0].split() + entity.label.split()
    if entity.aliases:
        words += "، ".join(entity.aliases).split()
    for value in (entity.description_ar, entity.description, entity.wikidata):
        if value:
            words += value.split()
    words += f"{mention_count} في {document_count} وثيقة".split()
    return Record(url=urls.page_url(urls.entity_page(entity.id)), kind="entity", title=_title(entity.name),
                  words=words)


def corpus_records(corpus: "ResolvedCorpus") -> list[Record]:
    """Records of every document and entity page, from the resolved corpus."""
    records = [document_record(doc) for doc in corpus.documents]
    for entity in corpus.entities.values():
        mentions = corpus.mentions_by_entity.get(entity.id, [])
        records.append(entity_record(entity, len(mentions), len({m.document_id for m in mentions})))
    return records


def site_records(site: Path, generated: bool = True) -> list[Record]:
    """One record per indexed page of the built site, in path order; with ``generated``
    False, the document and entity pages are left out (their records come from the model)."""
    pages = ((PurePosixPath(path.relative_to(site).as_posix()), path) for path in sorted(site.rglob("index.html")))
    return _records(((relative, lambda path=path: path.read_text(encoding="utf-8")) for relative, path in pages),
                    generated)


def rendered_records(pages: dict[str, str]) -> list[Record]:
    """:func:`site_records` (without the generated pages) of pages given as their HTML by
    their path in the site, as the MkDocs plugin sends them before the site is written."""
    return _records(((relative, lambda path=str(relative): pages[path])
                     for relative in sorted(map(PurePosixPath, pages))), False)


def _records(pages: Iterable[tuple[PurePosixPath, Callable[[], str]]], generated: bool) -> list[Record]:
    """The records of ``pages`` (their path in the site, and how to get their HTML, read
    only for the pages indexed); with ``generated`` False, not the document and entity pages."""
    records = []
    for relative, html_of in pages:
        rule = page_rule(relative)
        if rule is None or (not generated and rule[0] in ("document", "entity")):
            continue
        record = page_record(html_of(), _url(relative), *rule)
        if record is not None:
            records.append(record)
    return records


def _url(relative: PurePosixPath) -> str:
    return "" if relative.parent == PurePosixPath(".") else f"{relative.parent}/"


def record_html(record: Record) -> str:
    """The page Pagefind reads for a record: the keys as body, the original as metadata."""
    esc = html.escape
    anchors = " ".join(f"{i} {anchor}" for i, anchor in record.anchors)
    if record.source:
        words = (f'<div data-pagefind-meta="lead">{esc(" ".join(record.words[:record.lead]))}</div>'
                 f'<i data-pagefind-meta="source:{esc(record.source)}"></i>')
    else:
        words = f'<div data-pagefind-meta="text">{esc(" ".join(record.words))}</div>'
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"><title></title></head><body>'
        f'<main data-pagefind-body>{esc(" ".join(record.keys))}</main>'
        f'<div data-pagefind-meta="title">{esc(record.title)}</div>'
        + words +
        f'<i data-pagefind-meta="kind:{esc(record.kind)}"></i>'
        f'<i data-pagefind-meta="anchors:{esc(anchors)}"></i>'
        "</body></html>\n"
    )


class SearchIndexError(Exception):
    pass


IN_FLIGHT = 32      # AddFile requests sent ahead of their answers (SearchIndex._add)


# Pagefind's own search UI: the site has its own (search.js).
UNUSED_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SearchIndex:
    """One Pagefind index, built in memory by a ``pagefind --service`` process (the binary
    of the ``pagefind[bin]`` package) from :func:`record_html` of each record: no page is
    written to disk (a 1,000-document site has 4,000 records; writing each as a page in a
    folder of its own took 0.6 to 1.5 ms here).

    It speaks the service's protocol (base64 JSON messages, each ended by a comma) with the
    messages ``pagefind.index.PagefindIndex`` sends; that client reads one response per
    0.1 s, which is 400 s for 4,000 records. Here each request waits for its answer, but
    the records' AddFile requests, which go up to ``IN_FLIGHT`` ahead (:meth:`_add`). The
    service prints nothing (the CLI's ``--silent``); what it writes to stderr goes into
    errors."""

    def __init__(self) -> None:
        from pagefind.service import get_executable

        executable = get_executable()
        if executable is None:
            raise SearchIndexError("pagefind failed: no pagefind binary (pip install 'pagefind[bin]')")
        self.count = 0
        self._errors = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=self._errors)
        except OSError as exc:
            self._errors.close()
            raise SearchIndexError(f"pagefind failed to start: {exc}") from exc
        self._message = 0
        self._unread = b""
        self._adding: Future[None] | None = None
        try:
            self._index = self._request({"type": "NewIndex", "config": {"force_language": LANGUAGE}})["index_id"]
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "SearchIndex":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _request(self, payload: dict) -> dict:
        """Send one request and return the payload of its response; an error response, or
        the service's end, raises SearchIndexError."""
        self._send(payload)
        return self._receive()

    def _send(self, payload: dict) -> None:
        assert self._process.stdin is not None
        self._message += 1
        message = json.dumps({"message_id": self._message, "payload": payload}, ensure_ascii=False)
        try:
            self._process.stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
            self._process.stdin.flush()
        except OSError as exc:      # a broken pipe: the service ended or was stopped
            raise self._stopped(exc) from exc

    def _stopped(self, exc: OSError | None = None) -> "SearchIndexError":
        """The error for a service that went away (its output ended, or ``exc`` on a pipe):
        its exit status when it has one (a write to a service that has just exited fails
        before a read would see it end)."""
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        what = f"exit {code}" if code is not None or exc is None else str(exc)
        return SearchIndexError(f"pagefind stopped ({what}): {self._stderr()}")

    def _receive(self) -> dict:
        """The payload of the next response (they end at a comma: base64 has none)."""
        assert self._process.stdout is not None
        parts = []
        try:
            while True:
                chunk = self._unread or self._process.stdout.read1(1 << 20)
                if not chunk:
                    raise self._stopped()
                part, comma, self._unread = chunk.partition(b",")
                parts.append(part)
                if comma:
                    break
        except OSError as exc:
            raise self._stopped(exc) from exc
        answer = json.loads(base64.b64decode(b"".join(parts)))["payload"]
        if answer["type"] == "Error":
            raise SearchIndexError(f"pagefind failed: {answer.get('message')}")
        return answer

    def _stderr(self) -> str:
        """What the service wrote to stderr (a panic's message), for errors."""
        self._errors.seek(0)
        return self._errors.read().decode("utf-8", errors="replace").strip()

    def _add(self, records: Iterable[Record]) -> None:
        """Give Pagefind each record's page, at ``/<url>``: the URL it gives ``<url>index.html``.

        Up to ``IN_FLIGHT`` requests are sent before their answers are read: waiting for each
        answer cost a round trip per record (1.6 ms each while MkDocs ran, 6.4 s for the
        4,000 records of 1,000 documents). So few answers are pending that the service never
        waits for this process to read them (its pipe holds about 400)."""
        pending = 0
        for record in records:
            self._send({"type": "AddFile", "index_id": self._index, "url": "/" + record.url,
                        "file_path": None, "file_contents": record_html(record)})
            pending += 1
            self.count += 1
            if pending == IN_FLIGHT:
                self._receive()
                pending -= 1
        for _ in range(pending):
            self._receive()

    def _wait(self) -> None:
        """Wait for the records being added by :meth:`add_in_thread` (its error is raised)."""
        if self._adding is not None:
            adding, self._adding = self._adding, None
            adding.result()

    def add_in_thread(self, records: Callable[[], list[Record]]) -> None:
        """Make ``records()`` and add them in a thread, which the next call waits for:
        ``corpus build`` adds the corpus's records while MkDocs runs."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-records")
        try:
            self._adding = executor.submit(lambda: self._add(records()))
        finally:
            executor.shutdown(wait=False)

    def add(self, records: Iterable[Record]) -> None:
        """Add ``records`` (after those being added by a thread)."""
        self._wait()
        self._add(records)

    def write(self, output: Path) -> None:
        """Write the index into ``output`` (replaced), without Pagefind's UI files.

        The service sends the files and this writes them: its WriteFiles answers before its
        last files are on disk (they are written in the background), and stopping the service
        then left one of them empty (pagefind-entry.json, a wasm file) in 1 run of 8 to 1 of 100."""
        self._wait()
        files = self._request({"type": "GetFiles", "index_id": self._index})["files"]
        if output.exists():
            shutil.rmtree(output)
        for file in files:
            if file["path"] not in UNUSED_FILES:
                target = output / file["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(file["content"]))
        if not (output / "pagefind.js").exists():
            raise SearchIndexError(f"pagefind gave no pagefind.js: {self._stderr()}")

    def close(self) -> None:
        """Stop the service (an index not written is dropped) and the thread adding records."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._adding is not None:
            self._adding.exception()      # ends soon: its next request fails
            self._adding = None
        for stream in (self._process.stdin, self._process.stdout, self._errors):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:     # a request left in stdin's buffer, for a service that is gone
                    pass


def write_index(records: list[Record], output: Path) -> None:
    """Index ``records`` into ``output``."""
    with SearchIndex() as index:
        index.add(records)
        index.write(output)


def start_search_index(corpus: "ResolvedCorpus") -> SearchIndex:
    """A search index that the corpus's records are being added to by a thread: ``corpus
    build`` starts it before MkDocs, whose processes leave this one idle, so that only the
    hand-written pages and the writing are left after MkDocs."""
    index = SearchIndex()
    index.add_in_thread(lambda: corpus_records(corpus))
    return index


def build_search_index(site: Path, corpus: "ResolvedCorpus | None" = None,
                       prepared: SearchIndex | None = None) -> int:
    """Index the built site in ``site`` into ``site/pagefind``; returns the record count.

    With ``corpus`` (the one its pages were generated from), document and entity records
    come from the model: reading them back from 4,000 built pages took 16 s of a
    1,000-document build, the model gives the same records in a fraction of a second;
    ``prepared`` (from :func:`start_search_index`) has them added already. The index is
    closed when this returns."""
    index = prepared if prepared is not None else SearchIndex()
    with index:
        if prepared is None and corpus is not None:
            index.add(corpus_records(corpus))
        index.add(site_records(site, generated=prepared is None and corpus is None))
        if not index.count:
            raise SearchIndexError(f"no page to index in {site}")
        index.write(site / INDEX_DIR)
        return index.count
