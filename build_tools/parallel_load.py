"""Loading and resolving a corpus on several cores.

Loading is a third of a cold generation (YAML into located nodes, then anchoring), and
each document's is independent of the others': the documents, in id order, are cut into
chunks of consecutive documents. The parent process takes chunks from the front, the
forked processes from the back, until they meet; each loads and resolves its chunk with
the registry the parent loaded before forking. A forked process sends each chunk back as
it finishes it (its resolved documents, its problems, the digests of the files it read,
the claim and quote ids it saw), and the parent unpickles what has come between two of
its own chunks. Claiming chunks balances the processes whatever the documents' lengths,
and the parent unpickles while the others still load: before, each process loaded one
fixed half, then the parent unpickled the other half alone (1.6-2 s at 10,000 documents,
one core idle), and the half it loaded itself took it 1.7 s longer than the other's.

The result is the one ``corpus.load_and_resolve`` gives in one process: the same
documents, in the same order, and the same problems (tests/test_parallel_load.py).

Entities travel as their ids and become the parent's own registry objects again
(pickle's persistent ids): a corpus's mentions keep pointing at one shared ``Entity``.
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
import queue
import traceback
from dataclasses import dataclass
from pathlib import Path

from .corpus import (
    Corpus, Project, ResolvedCorpus, _has_corpus_dir, _load_document, _load_layers, check_unique_ids,
    document_paths, layer_folders, layer_ids, load_registry, resolve_documents,
)
from .diagnostics import Diagnostic, Diagnostics, Location
from .model import Entity, ResolvedDocument

MIN_DOCUMENTS = 200      # below this, forking costs more than it saves
CHUNK = 100              # documents a process claims at a time (at most)
WAIT = 5.0               # seconds between checks that the forked processes are alive


@dataclass
class _Shared:
    """What every forked process inherits: the project, the registry, the chunks, and
    where the chunks not yet claimed begin and end."""

    project: Project
    registry: Corpus
    chunks: list[list[tuple[str, Path, Path]]]     # (id, text, metadata) of each chunk's documents
    folders: dict[str, Path]                        # the layer folder of each document that has one
    claims: "_Claims"


class _Claims:
    """The chunks not yet claimed, ``front`` to ``back``: the parent claims from the front,
    the forked processes from the back (shared memory, forked with the rest)."""

    def __init__(self, context, count: int):
        self._lock = context.Lock()
        self._front = context.RawValue("i", 0)
        self._back = context.RawValue("i", count)

    def from_front(self) -> int | None:
        with self._lock:
            if self._front.value >= self._back.value:
                return None
            self._front.value += 1
            return self._front.value - 1

    def from_back(self) -> int | None:
        with self._lock:
            if self._front.value >= self._back.value:
                return None
            self._back.value -= 1
            return self._back.value


_SHARED: _Shared | None = None


@dataclass
class _Part:
    """What a chunk's loading gives: in a forked process, what it sends back."""

    documents: list[ResolvedDocument]
    diagnostics: list[Diagnostic]
    digests: dict[str, str]
    ids: list[tuple[str, str, Location]]


def _load_part(shared: _Shared, number: int) -> _Part:
    """Load and resolve the documents of chunk ``number``, with their layer folders."""
    project = shared.project
    diagnostics = Diagnostics()
    corpus = Corpus(entities=shared.registry.entities, broken_entities=shared.registry.broken_entities,
                    registry_missing=shared.registry.registry_missing)
    for stem, text_path, meta_path in shared.chunks[number]:
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


def _forked_loading(results) -> None:
    """A forked process: claim chunks from the back, send each back as (number, pickled
    part); then (None, None), or (None, the traceback) when loading failed. (An
    interruption ends it: the parent stops the others, or notices that it died.)"""
    assert _SHARED is not None, "only run in processes forked by load_and_resolve_in_parts()"
    digests = _SHARED.project.digests
    try:
        digests.clear()                    # (a forked copy) only this process's files go back
        while (number := _SHARED.claims.from_back()) is not None:
            out = io.BytesIO()
            _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(_load_part(_SHARED, number))
            digests.clear()
            results.put((number, out.getvalue()))
    except Exception:                      # raised by the parent, with this traceback (not printed twice)
        results.put((None, traceback.format_exc()))
        return
    results.put((None, None))


def _chunks(items: list, workers: int) -> list[list]:
    """``items`` in chunks of consecutive items: at most ``CHUNK``, and at least four per
    process (a small corpus in tests is still spread over every process)."""
    size = max(1, min(CHUNK, len(items) // (4 * workers)))
    return [items[start:start + size] for start in range(0, len(items), size)]


class _Receiver:
    """The parent's end: the parts the forked processes send, unpickled into ``parts``."""

    def __init__(self, results, processes: list, parts: list, entities: dict[str, Entity], digests: dict[str, str]):
        self.results = results
        self.processes = processes
        self.running = len(processes)
        self.parts = parts
        self.entities = entities
        self.digests = digests

    def take(self, block: bool) -> None:
        """Unpickle what has come (``block``: everything, until every process has ended)."""
        while self.running:
            try:
                number, data = self.results.get(block, WAIT)
            except queue.Empty:
                if not block:
                    return
                if not all(process.is_alive() for process in self.processes):
                    raise RuntimeError("a loading process ended without sending its documents back")
                continue
            if number is None:
                if data is not None:
                    raise RuntimeError(f"loading failed in a forked process:\n{data}")
                self.running -= 1
                continue
            part = _Unpickler(data, self.entities).load()
            self.digests.update(part.digests)
            self.parts[number] = part


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
    context = multiprocessing.get_context("fork")
    chunks = _chunks(files, workers)
    shared = _Shared(project, registry, chunks, {folder.name: folder for folder in folders if folder.name in stems},
                     _Claims(context, len(chunks)))
    parts: list[_Part | None] = [None] * len(chunks)
    results = context.Queue()
    global _SHARED
    _SHARED = shared
    processes = []
    received = False
    try:
        processes = [context.Process(target=_forked_loading, args=(results,), daemon=True)
                     for _ in range(workers - 1)]
        for process in processes:
            process.start()
        receiver = _Receiver(results, processes, parts, registry.entities, project.digests)
        while (number := shared.claims.from_front()) is not None:
            parts[number] = _load_part(shared, number)
            receiver.take(block=False)
        receiver.take(block=True)
        received = True
    finally:
        _SHARED = None
        for process in processes:
            if received:                 # it has sent everything and is ending
                process.join(WAIT)
            if process.is_alive():       # a failure here, or an interruption: stop it
                process.terminate()
            process.join()
        results.close()
    assert all(part is not None for part in parts), "every chunk is loaded once"
    orphans = Corpus()                 # folders named after no document: reported as before
    for folder in folders:
        if folder.name not in stems:
            _load_layers(folder, orphans, project, diagnostics)
    for part in parts:
        diagnostics.items.extend(part.diagnostics)
    check_unique_ids([entry for part in parts for entry in part.ids], diagnostics)
    if diagnostics.has_errors():
        return None, diagnostics
    documents = [doc for part in parts for doc in part.documents]
    return ResolvedCorpus(dict(sorted(registry.entities.items())), documents), diagnostics
