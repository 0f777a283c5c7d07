"""The source watcher: changed paths arrive once, in one batch per burst of edits."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from build_tools.watch import Batcher, watch


def test_a_burst_of_paths_is_handed_over_once():
    batches = []
    done = threading.Event()
    batch = Batcher(lambda paths: (batches.append(paths), done.set()), quiet=0.2)
    batch.add(["b", "a"])
    time.sleep(0.05)
    batch.add(["a", "c"])
    assert done.wait(3)
    time.sleep(0.3)
    assert batches == [["a", "b", "c"]]


def test_an_edit_on_disk_is_reported_with_its_path(tmp_path):
    folder = tmp_path / "annotations" / "doc"
    folder.mkdir(parents=True)
    target = folder / "mentions.yml"
    target.write_text("mentions: []\n", encoding="utf-8")
    seen: list[list[str]] = []
    done = threading.Event()
    stop = watch([tmp_path / "annotations", tmp_path / "missing"], lambda paths: (seen.append(paths), done.set()),
                 quiet=0.2)
    try:
        time.sleep(0.2)
        target.write_text("mentions:\n  - {entity: x, quote: y}\n", encoding="utf-8")
        assert done.wait(5), "no change reported"
    finally:
        stop()
    assert str(target) in seen[0]
    assert str(folder) not in seen[0]       # the folder's own "modified" event would force a full scan


def max_queued_events() -> int:
    try:
        return int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    except (OSError, ValueError):
        return 16384


@pytest.mark.skipif(sys.platform != "linux" or max_queued_events() > 65536, reason="inotify's queue, at its usual size")
def test_many_folders_never_overflow_the_kernel_queue(tmp_path, caplog):
    """A corpus of 10,000 documents has 10,000 annotation folders. Asking the kernel for
    opens and closes too, watching them (which lists each folder) queued more events than
    the kernel keeps; watchdog's repair listed every folder again, and overflowed it again,
    without end. Only changes are asked for now; an edit is still seen."""
    folder = tmp_path / "annotations"
    folder.mkdir()
    for i in range(max_queued_events() // 2 + 1000):       # four events a folder, by default
        os.mkdir(folder / f"doc-{i}")
    target = folder / "doc-7" / "mentions.yml"
    target.write_text("mentions: []\n", encoding="utf-8")
    seen: list[list[str]] = []
    changed = threading.Event()
    caplog.set_level(logging.WARNING, logger="watchdog")
    stop = watch([folder], lambda paths: (seen.append(paths), changed.set()), quiet=0.2)
    try:
        time.sleep(1.5)
        with open(target, "rb") as handle:                  # reading is not a change
            handle.read()
        time.sleep(0.5)
        assert not changed.is_set(), f"reading was reported as a change: {seen}"
        target.write_text("mentions: []\n\n", encoding="utf-8")
        assert changed.wait(5), "the edit was not reported"
    finally:
        stop()
    assert seen[0] == [str(target)]
    assert [r.getMessage() for r in caplog.records if "overflow" in r.getMessage()] == []
