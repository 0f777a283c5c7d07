"""Watching the sources for ``corpus serve``: which files changed, told in batches.

Polling every file's modification time twice a second is 100,000 system calls a second
for 10,000 documents. The operating system's notifications (watchdog, which MkDocs
itself uses for ``mkdocs serve``) cost nothing while nobody edits, and they say which
files changed, so the session reloads only those documents.

Only changes are asked of the kernel (:data:`CHANGES`): by default watchdog also asks for
every file or folder opened and closed. Watching 10,000 annotation folders (which lists
each one) then queued more events than the kernel keeps (16,384 by default), and
watchdog's repair (watching every folder again) overflowed the queue again, without end;
reading the sources, as every generation does, queued two events a file besides.

Editors save in bursts (a temporary file, a rename, a second write): the paths seen
within ``quiet`` seconds of each other are handed over together, once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

# What the kernel reports: writes, creations, deletions and renames (never opening or
# reading, nor a folder's "modified", which comes with every file in it: the file's own
# event says which). Watchdog also drops any other event before the handler sees it.
CHANGES = [FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileDeletedEvent, FileMovedEvent,
           DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


class _Collector(FileSystemEventHandler):
    def __init__(self, batch: "Batcher"):
        self.batch = batch

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self.batch.add(p if isinstance(p, str) else p.decode() for p in paths if p)


class Batcher:
    """Collects paths; calls ``handle(paths)`` once they have been quiet for ``quiet`` s."""

    def __init__(self, handle: Callable[[list[str]], None], quiet: float = 0.3):
        self.handle = handle
        self.quiet = quiet
        self._paths: set[str] = set()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def add(self, paths: Iterable[str]) -> None:
        with self._lock:
            self._paths.update(paths)
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.quiet, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            paths, self._paths = sorted(self._paths), set()
            self._timer = None
        if paths:
            self.handle(paths)

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()


def watch(folders: list[Path], handle: Callable[[list[str]], None], quiet: float = 0.3):
    """Start watching ``folders`` (recursively); returns a function that stops it."""
    batch = Batcher(handle, quiet)
    observer = Observer()
    collector = _Collector(batch)
    for folder in folders:
        if folder.is_dir():
            observer.schedule(collector, str(folder), recursive=True, event_filter=CHANGES)
    observer.daemon = True
    observer.start()

    def stop() -> None:
        batch.cancel()
        observer.stop()
        observer.join(timeout=5)

    return stop
