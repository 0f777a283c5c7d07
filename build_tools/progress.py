"""A progress bar for long work, on standard error, only when it is a terminal.

CI logs and pipes get nothing from here (``--quiet`` turns it off in a terminal too).
The count lives in shared memory, so processes forked after :class:`Progress` was made
advance the same bar; a thread redraws it at most ten times a second.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time


class Progress:
    WIDTH = 30

    def __init__(self, total: int, label: str, enabled: bool | None = None, stream=None):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = (self.stream.isatty() if enabled is None else enabled) and total > 0
        self.count = multiprocessing.Value("q", 0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = time.perf_counter()

    def advance(self, n: int = 1) -> None:
        with self.count.get_lock():
            self.count.value += n

    def line(self) -> str:
        done = min(self.count.value, self.total)
        filled = self.WIDTH * done // self.total
        seconds = time.perf_counter() - self._started
        return (f"\r{self.label} [{'#' * filled}{'-' * (self.WIDTH - filled)}] "
                f"{done}/{self.total} {seconds:.0f} s")

    def _draw(self) -> None:
        while not self._stop.wait(0.1):
            self.stream.write(self.line())
            self.stream.flush()

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._thread = threading.Thread(target=self._draw, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self.stream.write(self.line() + "\n")
            self.stream.flush()
