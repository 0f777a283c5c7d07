"""The progress bar: silent unless asked (or a terminal), counts work done in forked processes."""

from __future__ import annotations

import io
import multiprocessing

from build_tools.progress import Progress


def test_disabled_progress_writes_nothing():
    stream = io.StringIO()
    with Progress(10, "pages", enabled=False, stream=stream) as progress:
        progress.advance(10)
    assert stream.getvalue() == ""


def test_a_pipe_is_not_a_terminal_so_ci_logs_stay_clean():
    stream = io.StringIO()          # isatty() is False
    with Progress(10, "pages", stream=stream) as progress:
        progress.advance(3)
    assert stream.getvalue() == ""


def _work(progress: Progress, n: int) -> None:
    for _ in range(n):
        progress.advance()


def test_forked_processes_advance_the_same_bar():
    stream = io.StringIO()
    progress = Progress(30, "pages", enabled=True, stream=stream)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_work, args=(progress, 10)) for _ in range(3)]
    for worker in workers:
        worker.start()
    with progress:
        for worker in workers:
            worker.join()
    last = stream.getvalue().rstrip("\n").split("\r")[-1]
    assert last.startswith("pages [" + "#" * Progress.WIDTH + "] 30/30 ")
