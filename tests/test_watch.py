"""The source watcher: changed paths arrive once, in one batch per burst of edits."""

from __future__ import annotations

import threading
import time

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
