"""Loading and resolving a corpus on several cores.

Loading is a third of a cold generation (YAML into located nodes, then anchoring), and
each document's is independent of the others': the documents, in id order, are cut into
contiguous parts, one per process. Each forked process loads and resolves its part with
the registry the parent loaded before forking, and sends back its resolved documents,
its problems, the digests of the files it read and the claim and quote ids it saw. The
parent resolves the first part itself meanwhile, then checks the ids across the corpus.

The result is the one ``corpus.load_and_resolve`` gives in one process: the same
documents, in the same order, and the same problems (tests/test_parallel_load.py).

Entities travel as their ids and become the parent's own registry objects again
(pickle's persistent ids): a corpus's mentions keep pointing at one shared ``Entity``.
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
from dataclasses import dataclass
from pathlib import Path

from .corpus import (
    Corpus, Project, ResolvedCorpus, _has_corpus_dir, _load_document, _load_layers, check_unique_ids,
    document_paths, layer_folders, layer_ids, load_registry, resolve_documents,
)
from .diagnostics import Diagnostic, Diagnostics, Location
from .model import Entity, ResolvedDocument

MIN_DOCUMENTS = 200      # below this, forking costs more than it saves


@dataclass
class _Shared:
    """What every forked process inherits: the project, the registry, the parts."""

    project: Project
    registry: Corpus
    parts: list[list[tuple[str, Path, Path]]]      # (id, text, metadata) of each part's documents
    folders: dict[str, Path]                        # the layer folder of each document that has one


_SHARED: _Shared | None = None


@dataclass
class _Part:
    """What a part's process sends back."""

    documents: list[ResolvedDocument]
    diagnostics: list[Diagnostic]
    digests: dict[str, str]
    ids: list[tuple[str, str, Location]]


def _load_part(shared: _Shared, number: int) -> _Part:
    """Load and resolve the documents of part ``number``, with their layer folders."""
    project = shared.project
    diagnostics = Diagnostics()
    corpus = Corpus(entities=shared.registry.entities, broken_entities=shared.registry.broken_entities,
                    registry_missing=shared.registry.registry_missing)
    for stem, text_path, meta_path in shared.parts[number]:
        document = _load_document(stem, text_path, meta_path, project, diagnostics)
        if document is not None:
            corpus.documents[stem] = document
        folder = shared.folders.get(stem)
        if folder is not None:
            _load_layers(folder, corpus, project, diagnostics)
    return _Part(resolve_documents(corpus, diagnostics), diagnostics.items, project.digests, layer_ids(corpus))


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.id if type(obj) is Entity else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, entities: dict[str, Entity]):
        super().__init__(io.BytesIO(data))
        self.entities = entities

    def persistent_load(self, pid):
        return self.entities[pid]


def _forked_part(number: int) -> bytes:
    assert _SHARED is not None, "only called in processes forked by load_and_resolve_in_parts()"
    _SHARED.project.digests.clear()            # (a forked copy) only this part's files go back
    out = io.BytesIO()
    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(_load_part(_SHARED, number))
    return out.getvalue()


def _split(items: list, count: int) -> list[list]:
    """``items`` in ``count`` contiguous parts of nearly equal size."""
    size, extra = divmod(len(items), count)
    parts, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        parts.append(items[start:end])
        start = end
    return parts


def load_and_resolve_in_parts(project: Project, workers: int) -> tuple[ResolvedCorpus | None, Diagnostics] | None:
    """``corpus.load_and_resolve`` on ``workers`` processes; ``None`` when it would not
    pay (a small corpus) or cannot be done here (no ``fork``): load in one process then."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    diagnostics = Diagnostics()
    registry = Corpus()
    if not _has_corpus_dir(project, diagnostics):
        return None
    files = document_paths(project, diagnostics)
    if len(files) < MIN_DOCUMENTS:
        return None
    load_registry(project, registry, diagnostics)
    folders = layer_folders(project, diagnostics)
    stems = {stem for stem, _, _ in files}
    shared = _Shared(project, registry, _split(files, workers),
                     {folder.name: folder for folder in folders if folder.name in stems})
    global _SHARED
    _SHARED = shared
    try:
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.map_async(_forked_part, range(1, workers))
            parts = [_load_part(shared, 0)]
            parts += [_Unpickler(data, registry.entities).load() for data in pending.get()]
    finally:
        _SHARED = None
    orphans = Corpus()                 # folders named after no document: reported as before
    for folder in folders:
        if folder.name not in stems:
            _load_layers(folder, orphans, project, diagnostics)
    diagnostics.items.extend(parts[0].diagnostics)
    for part in parts[1:]:
        diagnostics.items.extend(part.diagnostics)
        project.digests.update(part.digests)
    check_unique_ids([entry for part in parts for entry in part.ids], diagnostics)
    if diagnostics.has_errors():
        return None, diagnostics
    documents = [doc for part in parts for doc in part.documents]
    return ResolvedCorpus(dict(sorted(registry.entities.items())), documents), diagnostics
