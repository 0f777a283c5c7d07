"""Generation that remembers, for ``corpus serve``: the next run reloads only what changed.

A one-off ``corpus generate`` loads and resolves every document (about 2 ms each), then
renders only the parts whose keys changed (fingerprints.py). A :class:`Session` also
keeps the loaded and resolved documents, their source hashes and the last manifest in
memory. On the next run it looks at the size and modification time of every source
file (as ``git status`` does) and reloads and resolves only the documents whose files
changed, then writes what their keys say changed.

Anything else (the registry, a document added or removed, a file that is not a
document's, or an error anywhere) makes the run a full one, exactly as
``pipeline.generate`` does it: the fast path only ever replaces a document that loads
and resolves cleanly by its new version. ``tests/test_session.py`` holds every run
equal to a clean generation.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass
from pathlib import Path

from . import urls
from .export import CorpusExports, read_site_url
from .corpus import (REGISTRY_FILE, Corpus, Layers, Project, ResolvedCorpus, _check_unique_ids, _load_document,
                     _load_layers, load_corpus, resolve_corpus, resolve_document, without_cycle_collection)
from .diagnostics import CorpusError, Diagnostic, Diagnostics
from .fingerprints import document_sources
from .output import OutputTree
from .pipeline import GenerateResult, write_generated

Stamp = tuple[int, int]          # (mtime_ns, size)


@dataclass
class _Sources:
    """The stat of every source file, by document."""

    registry: Stamp | None
    documents: dict[str, dict[str, Stamp]]     # document id -> {path: stamp}
    others: dict[str, Stamp]                   # files that belong to no document (reported by a full load)


def _stamp(path: Path) -> Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def scan(project: Project) -> _Sources:
    """Stat every source file once (one directory listing per folder)."""
    documents: dict[str, dict[str, Stamp]] = {}
    others: dict[str, Stamp] = {}
    if project.corpus_dir.is_dir():
        with os.scandir(project.corpus_dir) as entries:
            for entry in entries:
                stat = entry.stat()
                stem, _, suffix = entry.name.rpartition(".")
                stamp = (stat.st_mtime_ns, stat.st_size)
                if entry.is_file() and suffix in ("txt", "yml") and stem:
                    documents.setdefault(stem, {})[f"corpus/{entry.name}"] = stamp
                elif not entry.name.startswith("."):
                    others[f"corpus/{entry.name}"] = stamp
    if project.annotations_dir.is_dir():
        with os.scandir(project.annotations_dir) as entries:
            for entry in entries:
                if entry.is_dir():
                    files = documents.setdefault(entry.name, {})
                    files[f"annotations/{entry.name}/"] = (0, 0)       # the folder exists
                    with os.scandir(entry.path) as inner:
                        for item in inner:
                            stat = item.stat()
                            files[f"annotations/{entry.name}/{item.name}"] = (stat.st_mtime_ns, stat.st_size)
                elif entry.name != REGISTRY_FILE and not entry.name.startswith("."):
                    stat = entry.stat()
                    others[f"annotations/{entry.name}"] = (stat.st_mtime_ns, stat.st_size)
    return _Sources(_stamp(project.annotations_dir / REGISTRY_FILE), documents, others)


def _document_of(diagnostic: Diagnostic) -> str | None:
    """The document a diagnostic is about, from its file (``corpus/<id>.*``, ``annotations/<id>/…``)."""
    path = diagnostic.location.path
    if path.startswith("corpus/"):
        return path[len("corpus/"):].rpartition(".")[0] or None
    if path.startswith("annotations/") and path.count("/") >= 2:
        return path.split("/")[1]
    return None


class Session:
    """Generations of one project, each starting from what the last one left in memory."""

    def __init__(self, project: Project, docs_dir: Path | None = None, base_url: str | None = None,
                 workers: int | None = None):
        self.project = project
        self.tree = OutputTree(docs_dir or project.root / "docs", urls.GENERATED)
        self.base_url = base_url
        self.workers = workers
        self._sources: _Sources | None = None
        self._raw: Corpus | None = None
        self._resolved: dict[str, object] = {}
        self._warnings: dict[str | None, list[Diagnostic]] = {}
        self._hashes: dict[str, str] = {}
        self._manifest: dict | None = None
        self._paths: set[str] | None = None
        self._exports = CorpusExports(base_url or read_site_url(project.root))
        self.last_was_full = True

    # ---- loading ------------------------------------------------------------------------

    def _full(self, sources: _Sources) -> tuple[ResolvedCorpus | None, Diagnostics]:
        with without_cycle_collection():
            raw, diagnostics = load_corpus(self.project)
            resolved = resolve_corpus(raw, diagnostics)
        if diagnostics.has_errors():
            self._raw = None
            return None, diagnostics
        self._raw = raw
        self._resolved = {doc.id: doc for doc in resolved.documents}
        self._warnings = {}
        for item in diagnostics.items:
            self._warnings.setdefault(_document_of(item), []).append(item)
        self._hashes = {doc_id: document_sources(self.project, doc_id) for doc_id in self._resolved}
        self._sources = sources
        return resolved, diagnostics

    def _changed_documents(self, sources: _Sources) -> list[str] | None:
        """The documents whose files changed, or None when only a full load will do."""
        last = self._sources
        if (self._raw is None or last is None or sources.registry != last.registry
                or sources.others != last.others or sources.documents.keys() != last.documents.keys()):
            return None
        return sorted(d for d, files in sources.documents.items() if files != last.documents[d])

    def _patch(self, sources: _Sources, changed: list[str]) -> tuple[ResolvedCorpus, Diagnostics] | None:
        """Reload and resolve the changed documents only; None when any of them has an error."""
        raw = self._raw
        assert raw is not None
        fresh = Corpus(entities=raw.entities, broken_entities=raw.broken_entities)
        diagnostics = Diagnostics()
        resolved = {}
        for doc_id in changed:
            document = _load_document(doc_id, self.project.corpus_dir / f"{doc_id}.txt",
                                      self.project.corpus_dir / f"{doc_id}.yml", self.project, diagnostics)
            if document is None:
                return None
            fresh.documents[doc_id] = document
            folder = self.project.annotations_dir / doc_id
            if folder.is_dir():
                _load_layers(folder, fresh, self.project, diagnostics)
            layers = fresh.layers.get(doc_id, Layers(doc_id))
            resolved[doc_id] = resolve_document(document, layers, raw.entities, diagnostics, raw.broken_entities,
                                                fresh.broken_quotes.get(doc_id, frozenset()))
        if diagnostics.has_errors():
            return None
        merged = Corpus(entities=raw.entities, documents={**raw.documents, **fresh.documents},
                        layers={**raw.layers, **fresh.layers}, layer_paths={**raw.layer_paths, **fresh.layer_paths},
                        broken_entities=raw.broken_entities,
                        broken_quotes={**raw.broken_quotes, **fresh.broken_quotes},
                        registry_missing=raw.registry_missing)
        for doc_id in changed:           # a layer file removed: its layer is gone
            if doc_id not in fresh.layers:
                merged.layers.pop(doc_id, None)
                merged.layer_paths.pop(doc_id, None)
        unique = Diagnostics()
        _check_unique_ids(merged, unique)
        if unique.has_errors():
            return None
        self._raw = merged
        self._resolved.update(resolved)
        for doc_id in changed:
            self._warnings.pop(doc_id, None)
            self._hashes[doc_id] = document_sources(self.project, doc_id)
        for item in diagnostics.items:
            self._warnings.setdefault(_document_of(item), []).append(item)
        self._sources = sources
        every = Diagnostics([item for items in self._warnings.values() for item in items])
        documents = [self._resolved[doc_id] for doc_id in sorted(self._resolved)]
        return ResolvedCorpus(dict(sorted(raw.entities.items())), documents), every

    def _rescan(self, paths) -> _Sources | None:
        """The last scan updated with the files a watcher says changed; None when one of them
        is not a document's file (a full scan will tell)."""
        last = self._sources
        if last is None:
            return None
        root = self.project.root.resolve()
        documents = dict(last.documents)
        for path in paths:
            try:
                rel = Path(path).resolve().relative_to(root).as_posix()
            except ValueError:
                continue                               # not in the project
            parts = rel.split("/")
            if parts[0] == "corpus" and len(parts) == 2 and not parts[1].startswith("."):
                doc_id = parts[1].rpartition(".")[0]
            elif parts[0] == "annotations" and len(parts) == 3:
                doc_id = parts[1]
            elif parts[-1].startswith(".") and len(parts) > 1:
                continue                               # hidden files are never sources
            else:
                return None                            # the registry, a folder, a stray file
            if doc_id not in documents:
                return None                            # a new document
            files = documents[doc_id] = dict(documents[doc_id])
            stamp = _stamp(self.project.root / rel)
            if stamp is None:
                files.pop(rel, None)
            else:
                files[rel] = stamp
        return _Sources(last.registry, documents, last.others)

    # ---- a run ----------------------------------------------------------------------------

    def generate(self, show_progress: bool | None = False, changed=None) -> GenerateResult:
        """Like ``pipeline.generate``; raises CorpusError (writing nothing) on errors.

        ``changed``: the paths a file watcher saw change, to spare a scan of every source
        file (50,000 of them for 10,000 documents); without it, everything is scanned."""
        t0 = time.perf_counter()
        sources = (self._rescan(changed) if changed is not None else None) or scan(self.project)
        changed = self._changed_documents(sources)
        loaded = self._patch(sources, changed) if changed is not None else None
        self.last_was_full = loaded is None
        if loaded is None:
            corpus, diagnostics = self._full(sources)
            if corpus is None:
                raise CorpusError(diagnostics)
            manifest = self._manifest if self._manifest is not None else self.tree.read_manifest()
        else:
            corpus, diagnostics = loaded
            manifest = self._manifest
        seconds = time.perf_counter() - t0
        result = write_generated(self.project, corpus, diagnostics, self.tree, self.base_url, self.workers,
                                 show_progress, manifest, dict(self._hashes), self._paths, self._exports)
        self._manifest, self._paths = result.manifest, result.paths
        if self.last_was_full:
            self._exports.prepare(corpus, self._hashes)
            # The corpus lives as long as the session: the cycle collector need not walk its
            # millions of objects again (a full collection took 0.6 s of a change at 10,000
            # documents). Objects dropped later are still freed by reference counting.
            gc.freeze()
        result.timings = {"load+resolve": seconds, **result.timings}
        return result
