"""bench/run.py: a measurement script, not a test; here only what it promises without the data."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_benchmark_says_clearly_when_the_shared_data_is_absent(tmp_path):
    """A clone without ../shared beside it: exit 2, the path it needs, nothing measured."""
    bench = tmp_path / "clone" / "bench"
    bench.mkdir(parents=True)
    for name in ("run.py", "antcorpus.py"):
        shutil.copy(REPO / "bench" / name, bench / name)
    run = subprocess.run([sys.executable, str(bench / "run.py"), "--sizes", "10", "--work", str(tmp_path / "work")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == ("the ANT news corpus is not there (shared/data/ant-news/ant_corpus_v1.1.tar.gz): this "
                          "benchmark needs ../shared/data/ant-news/ant_corpus_v1.1.tar.gz beside the repository\n")
    assert not (tmp_path / "work").exists() and not (bench / "report.md").exists()
