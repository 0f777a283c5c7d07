"""The stages in order: load, resolve, render pages, write them. No MkDocs here."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import export, urls
from .corpus import Project, ResolvedCorpus, load_and_resolve
from .diagnostics import CorpusError, Diagnostics
from .fingerprints import Fingerprints
from .output import OutputTree, SyncStats
from .pages import PageWriter
from .progress import Progress


@dataclass
class GenerateResult:
    corpus: ResolvedCorpus
    diagnostics: Diagnostics
    stats: SyncStats
    timings: dict[str, float] = field(default_factory=dict)
    rendered: int = 0        # units rendered (a document page, exports, entity pages, a listing page)
    reused: int = 0          # units kept as the last generation wrote them
    manifest: dict = field(default_factory=dict, repr=False)    # what the next generation compares with
    paths: set[str] = field(default_factory=set, repr=False)    # every file written or kept


def check(project: Project, workers: int | None = None) -> tuple[ResolvedCorpus | None, Diagnostics]:
    return load_and_resolve(project, workers or max_workers())


PARALLEL_FROM = 400     # units to render: below this, starting processes costs more than it saves


def available_cores() -> int:
    """The cores this process may run on (a CI container may get fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def max_workers() -> int:
    return max(1, min(available_cores(), 8))


def default_workers(corpus: ResolvedCorpus) -> int:
    if len(corpus.documents) + len(corpus.entities) < PARALLEL_FROM:
        return 1
    return max_workers()


class _Job:
    """What every worker needs: forked processes share it without copying or pickling."""

    def __init__(self, project: Project, corpus: ResolvedCorpus, tree: OutputTree, base: str | None,
                 manifest: dict, sources: dict[str, str] | None = None,
                 corpus_exports: export.CorpusExports | None = None):
        self.corpus = corpus
        self.writer = PageWriter(corpus)
        self.w3c = export.W3CExporter(corpus, base)
        self.base = base
        self.tree = tree
        self.progress = Progress(0, "pages", enabled=False)
        self.manifest = manifest
        self.keys = Fingerprints(project, corpus, base, self.writer.claim_page, self.writer.quote_page, sources)
        self.corpus_exports = corpus_exports or export.CorpusExports(base)

    # ---- planning: which units are kept, which are rendered ---------------------------

    def units(self) -> list[tuple[str, str]]:
        """(name, key) of every document and entity unit, in corpus order."""
        out = []
        for doc in self.corpus.documents:
            out.append((f"document-page:{doc.id}", self.keys.document_page(doc.id)))
            out.append((f"document-exports:{doc.id}", self.keys.document_exports(doc.id)))
        for entity_id in self.corpus.entities:
            out.append((f"entity-pages:{entity_id}", self.keys.entity_pages(entity_id)))
        return out

    def keep(self, result: "PartResult", name: str, key: str) -> bool:
        """Keep the unit's files if its key is the last generation's and they are intact."""
        old = self.manifest.get(name)
        if not (old and old.get("key") == key and isinstance(old.get("files"), dict)
                and self.tree.intact(old["files"])):
            return False
        result.unchanged += len(old["files"])
        result.reused += 1
        result.paths.extend(old["files"])
        result.manifest[name] = old
        return True

    # ---- rendering ------------------------------------------------------------------------

    def render_unit(self, name: str) -> dict[str, str]:
        kind, _, ident = name.partition(":")
        if kind == "document-page":
            return {urls.document_page(ident): self.writer.document(self.corpus.by_id[ident])}
        if kind == "document-exports":
            return export.document_files(self.w3c, self.corpus.by_id[ident], self.base, *self.keys.neighbours[ident])
        if kind == "entity-pages":
            return self.writer.entity(self.corpus.entities[ident])
        raise ValueError(f"unknown unit {name!r}")

    def write_unit(self, result: "PartResult", name: str, key: str, files: dict[str, str]) -> None:
        written, unchanged = self.tree.write(files)
        result.written += written
        result.unchanged += unchanged
        result.rendered += 1
        result.paths.extend(files)
        result.manifest[name] = {"key": key, "files": self.tree.stamps(files)}

    def part(self, units: list[tuple[str, str]]) -> "PartResult":
        """Render and write ``units``."""
        result = PartResult()
        for done, (name, key) in enumerate(units, 1):
            self.write_unit(result, name, key, self.render_unit(name))
            if done % 20 == 0:
                self.progress.advance(20)
        self.progress.advance(len(units) % 20)
        return result

    def shared(self) -> "PartResult":
        """The listings and the corpus-wide exports (one process: each needs everything)."""
        result = PartResult()
        for listing in self.writer.listings():
            name, key = f"listing:{listing.path}", self.keys.listing(listing.path, listing.documents, listing.shows)
            if not self.keep(result, name, key):
                self.write_unit(result, name, key, {listing.path: listing.render()})
        key = self.keys.corpus_exports()
        if not self.keep(result, "corpus-exports", key):
            self.write_unit(result, "corpus-exports", key, self.corpus_exports.files(self.corpus, self.keys.sources))
        return result


@dataclass
class PartResult:
    written: int = 0
    unchanged: int = 0
    rendered: int = 0        # units rendered
    reused: int = 0          # units whose files were kept as they are
    paths: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


_FORKED_JOB: _Job | None = None


def _forked_part(units: list[tuple[str, str]]) -> PartResult:
    assert _FORKED_JOB is not None, "only called in processes forked by write_generated()"
    return _FORKED_JOB.part(units)


def shares(todo: list[tuple[str, str]], workers: int) -> list[list[tuple[str, str]]]:
    """Each worker's units: a contiguous run of the documents (a document's page and its
    exports), and every ``workers``-th entity.

    A worker then touches the objects of its own documents only, and each has pages and
    exports alike. Every other unit to each of two workers gave one every page and the
    other every export; this split made generation at 10,000 documents take 30.5-34.9 s
    (one run 50.3 s) against 32.0-41.1 s, six runs each, taking turns. Handing units out
    100 at a time as workers came free was slower still (more system time)."""
    documents: list[list[tuple[str, str]]] = []        # each document's units, in order
    entities = []
    last = None
    for unit in todo:
        kind, _, ident = unit[0].partition(":")
        if kind == "entity-pages":
            entities.append(unit)
        elif ident == last:
            documents[-1].append(unit)
        else:
            documents.append([unit])
            last = ident
    count = len(documents)
    return [[unit for units in documents[i * count // workers:(i + 1) * count // workers] for unit in units]
            + entities[i::workers] for i in range(workers)]


def generate(project: Project, docs_dir: Path | None = None, base_url: str | None = None,
             workers: int | None = None, show_progress: bool | None = False,
             incremental: bool = True) -> GenerateResult:
    """Validate everything, then write the generated pages and the downloadable exports
    (``corpus/exports/``; their IRIs use ``base_url``, else mkdocs.yml's ``site_url``, else a
    placeholder); nothing is written on error.

    Document and entity pages with their exports are rendered and written by ``workers``
    forked processes (each writes its own files); the parent meanwhile renders the
    listings and the corpus-wide exports. ``show_progress`` None means: when standard
    error is a terminal.

    With ``incremental`` (the default), a document's or entity's files whose key (see
    fingerprints.py) matches the last generation's, and that are still as it left them,
    are not rendered again; the same goes for each listing page and the corpus-wide
    exports. The result is the same as a clean generation (tests/test_incremental.py and
    tests/test_scale.py hold them equal)."""
    t0 = time.perf_counter()
    corpus, diagnostics = load_and_resolve(project, workers or max_workers())
    loaded = time.perf_counter() - t0
    if corpus is None:
        raise CorpusError(diagnostics)
    tree = OutputTree(docs_dir or project.root / "docs", urls.GENERATED)
    gc.freeze()         # the corpus lives until the end: collections need not walk it (nor touch
    try:                # the pages forked workers share with this process)
        result = write_generated(project, corpus, diagnostics, tree, base_url, workers, show_progress,
                                 tree.read_manifest() if incremental else {})
    finally:
        gc.unfreeze()
    result.timings = {"load+resolve": loaded, **result.timings}
    return result


def write_generated(project: Project, corpus: ResolvedCorpus, diagnostics: Diagnostics, tree: OutputTree,
                    base_url: str | None = None, workers: int | None = None, show_progress: bool | None = False,
                    manifest: dict | None = None, sources: dict[str, str] | None = None,
                    previous: set[str] | None = None,
                    corpus_exports: export.CorpusExports | None = None) -> GenerateResult:
    """Render and write what changed since ``manifest`` (the last generation's; empty: all).

    ``sources`` (the documents' source hashes), ``previous`` (the paths the last
    generation wrote) and ``corpus_exports`` (with its documents' pieces) come from a
    session that remembers them; without ``previous`` the generated folder is scanned for
    stale files."""
    timings = {}
    t1 = time.perf_counter()
    base = base_url or export.read_site_url(project.root)
    job = _Job(project, corpus, tree, base, manifest or {}, sources,
               corpus_exports if corpus_exports is not None and corpus_exports.base == base else None)
    kept = PartResult()
    todo = [(name, key) for name, key in job.units() if not job.keep(kept, name, key)]
    job.progress = progress = Progress(len(todo), "pages", enabled=show_progress)
    timings["keys"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    workers = workers or default_workers(corpus)
    if workers > 1 and len(todo) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        # Each worker takes its share in one task (see shares() for the splits measured).
        global _FORKED_JOB
        _FORKED_JOB = job
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pending = pool.map_async(_forked_part, shares(todo, workers), chunksize=1)
                with progress:
                    shared = job.shared()
                    results = pending.get()
        finally:
            _FORKED_JOB = None
    else:
        with progress:
            shared = job.shared()
            results = [job.part(todo)]
    results.append(kept)
    results.append(shared)
    written, unchanged = sum(r.written for r in results), sum(r.unchanged for r in results)
    wanted = set().union(*(r.paths for r in results))
    timings["render+write"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    removed = tree.finish(wanted, previous)
    new_manifest = {}
    for r in results:
        new_manifest.update(r.manifest)
    tree.write_manifest(new_manifest)
    if written or removed:
        tree.announce()             # last: a preview's MkDocs rebuilds now, once
    timings["clean"] = time.perf_counter() - t2
    return GenerateResult(corpus, diagnostics, SyncStats(written, unchanged, removed), timings,
                          sum(r.rendered for r in results), sum(r.reused for r in results), new_manifest, wanted)

