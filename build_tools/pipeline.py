"""The stages in order: load, resolve, render pages, write them. No MkDocs here."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import export, urls
from .corpus import Project, ResolvedCorpus, load_and_resolve
from .diagnostics import CorpusError, Diagnostics
from .output import OutputTree, SyncStats
from .pages import PageWriter
from .progress import Progress


@dataclass
class GenerateResult:
    corpus: ResolvedCorpus
    diagnostics: Diagnostics
    stats: SyncStats
    timings: dict[str, float] = field(default_factory=dict)


def check(project: Project) -> tuple[ResolvedCorpus | None, Diagnostics]:
    return load_and_resolve(project)


PARALLEL_FROM = 400     # pages: below this, starting processes costs more than it saves


def default_workers(corpus: ResolvedCorpus) -> int:
    if len(corpus.documents) + len(corpus.entities) < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


class _Job:
    """What every worker needs: forked processes share it without copying or pickling."""

    def __init__(self, corpus: ResolvedCorpus, tree: OutputTree, base: str | None, progress: Progress):
        self.corpus = corpus
        self.writer = PageWriter(corpus)
        self.w3c = export.W3CExporter(corpus, base)
        self.base = base
        self.tree = tree
        self.progress = progress

    def part(self, part: int, parts: int) -> tuple[int, int, list[str]]:
        """Render and write every ``parts``-th document (page and exports) and entity page."""
        written = unchanged = 0
        paths: list[str] = []

        def put(files: dict[str, str]) -> None:
            nonlocal written, unchanged
            w, u = self.tree.write(files)
            written, unchanged = written + w, unchanged + u
            paths.extend(files)

        done = 0
        for doc in self.corpus.documents[part::parts]:
            put({urls.document_page(doc.id): self.writer.document(doc)})
            put(export.document_files(self.w3c, doc, self.base))
            done += 1
            if done % 20 == 0:
                self.progress.advance(20)
        for entity in list(self.corpus.entities.values())[part::parts]:
            put(self.writer.entity(entity))
            done += 1
            if done % 20 == 0:
                self.progress.advance(20)
        self.progress.advance(done % 20)
        return written, unchanged, paths

    def shared(self) -> dict[str, str]:
        """The listings and the corpus-wide exports (one process: each needs everything)."""
        pages = {}
        pages.update(self.writer.documents_index())
        pages.update(self.writer.entities_index())
        pages.update(self.writer.claims_pages())
        pages.update(self.writer.quotes_pages())
        pages.update(export.corpus_files(self.corpus, self.base))
        return pages


_FORKED_JOB: _Job | None = None


def _forked_part(part: int, parts: int) -> tuple[int, int, list[str]]:
    assert _FORKED_JOB is not None, "only called in processes forked by generate()"
    return _FORKED_JOB.part(part, parts)


def generate(project: Project, docs_dir: Path | None = None, base_url: str | None = None,
             workers: int | None = None, show_progress: bool | None = False) -> GenerateResult:
    """Validate everything, then write the generated pages and the downloadable exports
    (``corpus/exports/``; their IRIs use ``base_url``, else mkdocs.yml's ``site_url``, else a
    placeholder); nothing is written on error.

    Document and entity pages with their exports are rendered and written by ``workers``
    forked processes (each writes its own files); the parent meanwhile renders the
    listings and the corpus-wide exports. ``show_progress`` None means: when standard
    error is a terminal."""
    timings = {}
    t0 = time.perf_counter()
    corpus, diagnostics = load_and_resolve(project)
    timings["load+resolve"] = time.perf_counter() - t0
    if corpus is None:
        raise CorpusError(diagnostics)
    t1 = time.perf_counter()
    tree = OutputTree(docs_dir or project.root / "docs", urls.GENERATED)
    base = base_url or export.read_site_url(project.root)
    progress = Progress(len(corpus.documents) + len(corpus.entities), "pages", enabled=show_progress)
    job = _Job(corpus, tree, base, progress)
    workers = workers or default_workers(corpus)
    results = []
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _FORKED_JOB
        _FORKED_JOB = job
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pending = pool.starmap_async(_forked_part, [(i, workers) for i in range(workers)])
                with progress:
                    shared = job.shared()
                    results = pending.get()
        finally:
            _FORKED_JOB = None
    else:
        with progress:
            shared = job.shared()
            results = [job.part(0, 1)]
    w, u = tree.write(shared)
    written, unchanged = w + sum(r[0] for r in results), u + sum(r[1] for r in results)
    wanted = set(shared).union(*(r[2] for r in results))
    timings["render+write"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    removed = tree.finish(wanted)
    timings["clean"] = time.perf_counter() - t2
    return GenerateResult(corpus, diagnostics, SyncStats(written, unchanged, removed), timings)


def summary(corpus: ResolvedCorpus) -> dict:
    """Annotation counts by layer and type, for the console and the closing notes."""
    mentions = Counter()
    claims = Counter()
    statuses = Counter()
    quotes = Counter()
    for doc in corpus.documents:
        mentions.update(m.entity.type for m in doc.mentions)
        claims.update(c.claim.kind for c in doc.claims)
        statuses.update(c.claim.status for c in doc.claims)
        quotes.update(q.quote.kind for q in doc.quotes)
    return {
        "documents": len(corpus.documents),
        "entities": len(corpus.entities),
        "entities_by_type": dict(sorted(Counter(e.type for e in corpus.entities.values()).items())),
        "mentions": sum(mentions.values()),
        "mentions_by_type": dict(sorted(mentions.items())),
        "claims": sum(claims.values()),
        "claims_by_kind": dict(sorted(claims.items())),
        "claims_by_status": dict(sorted(statuses.items())),
        "quotes": sum(quotes.values()),
        "quotes_by_kind": dict(sorted(quotes.items())),
    }
