"""The stages in order: load, resolve, render pages, write them. No MkDocs here."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import export, urls
from .corpus import Project, ResolvedCorpus, load_and_resolve
from .diagnostics import CorpusError, Diagnostics
from .output import SyncStats, sync_tree
from .pages import PageWriter


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


def generate(project: Project, docs_dir: Path | None = None, base_url: str | None = None,
             workers: int | None = None) -> GenerateResult:
    """Validate everything, then write the generated pages and the downloadable exports
    (``corpus/exports/``; their IRIs use ``base_url``, else mkdocs.yml's ``site_url``, else a
    placeholder); nothing is written on error."""
    timings = {}
    t0 = time.perf_counter()
    corpus, diagnostics = load_and_resolve(project)
    timings["load+resolve"] = time.perf_counter() - t0
    if corpus is None:
        raise CorpusError(diagnostics)
    t1 = time.perf_counter()
    pages = PageWriter(corpus).all_pages(workers or default_workers(corpus))
    timings["render"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    pages.update(export.site_files(corpus, base_url or export.read_site_url(project.root)))
    timings["exports"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    stats = sync_tree(docs_dir or project.root / "docs", urls.GENERATED, pages)
    timings["write"] = time.perf_counter() - t2
    return GenerateResult(corpus, diagnostics, stats, timings)


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
