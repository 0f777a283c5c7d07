"""One annotation change in a serve session: ``python bench/session_change.py PROJECT``.

Starts a session on a generated project (its first run reads the manifest and renders
nothing new), removes the last entry of one mentions file, and times the run a file
watcher would trigger. Prints one JSON line; bench/run.py calls it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from build_tools.corpus import Project
from build_tools.session import Session


def main(root: Path) -> dict:
    session = Session(Project(root))
    started = time.perf_counter()
    session.generate()
    first = time.perf_counter() - started
    layers = sorted((root / "annotations").glob("*/mentions.yml"))
    layer = layers[len(layers) // 2]
    original = layer.read_text(encoding="utf-8")
    entries = original.split("\n- ")
    try:
        layer.write_text("\n- ".join(entries[:-1]) + "\n", encoding="utf-8")
        started = time.perf_counter()
        result = session.generate(changed=[str(layer)])
        seconds = time.perf_counter() - started
    finally:
        layer.write_text(original, encoding="utf-8")
    return {"session_start_s": first, "change_s": seconds, "rendered": result.rendered,
            "written": result.stats.written, "full": session.last_was_full,
            "timings": {k: round(v, 3) for k, v in result.timings.items()}}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]).resolve())))
