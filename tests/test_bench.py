"""bench/run.py: a measurement script, not a test; here only what it promises without the data."""

from __future__ import annotations

import importlib.util
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


def result(n: int, plain_s: float, full_s: float, generate_1_s: float) -> dict:
    """What ``bench_size`` measures for one size (figures made up, keys as it writes them)."""
    return {
        "n": n, "registry": 3000, "annotations_per_doc": 18.2, "plain_s": plain_s, "full_s": full_s,
        "ratio": full_s / plain_s, "full_peak_kib": 900 * 1024, "generate_s": generate_1_s / 2,
        "docs_per_s": 2 * n / generate_1_s, "generate_1_s": generate_1_s,
        "generate_1_cpu_s": generate_1_s - 1, "generate_1_system_s": generate_1_s / 3,
        "generated_files": 4 * n + 3000,
        "pairs": [[plain_s, full_s, plain_s, 2 * full_s]],
        "session": {"change_s": 1.06, "rendered": 13, "written": 16},
        "preview": {"first_page_s": 61.2, "edit_s": 5.31},
        "incremental_s": 13.7, "incremental_written": 16, "incremental_rendered": 13,
        "site_bytes": 863_500_000, "plain_site_bytes": 185_400_000, "doc_median": 28 * 1024, "doc_max": 101 * 1024,
        "doc_over_budget": 0, "entity_max": 129 * 1024, "search_index_bytes": 11_500_000,
        "plain_search_index_bytes": 37_000_000, "queries": [{"query": "تونس", "bytes": 193 * 1024}],
    }


def load_bench():
    """bench/run.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    bench = sys.modules["bench_run"] = importlib.util.module_from_spec(spec)     # (its dataclass looks itself up)
    spec.loader.exec_module(bench)
    return bench


def test_the_report_shows_every_target_with_the_figure_measured():
    bench = load_bench()
    text = bench.report([result(1000, 13.9, 14.4, 11.8), result(10000, 45.2, 65.6, 49.0)], 3)
    row = "| 10,000 (3,000) | 18.2 | 45.2 s | 65.6 s | 1.45 | 24.5 s / 49.0 s | 408 / 204 | 900 MiB |"
    assert row in text.splitlines()                           # ratio, docs/s on one core, peak memory
    assert "ratio (target ≤ 1.3)" in text and "(target ≥ 500 on 1)" in text and "(target ≤ 2 GB)" in text
    assert "- 10,000 documents: 45.2 s / 65.6 s = 1.45 (processor time 45.2 s / 131.2 s)" in text
    assert ("- 10,000 documents: serve session 1.06 s (13 parts rendered, 16 files written); `corpus generate` "
            "13.7 s (16 files rewritten, 13 parts rendered)") in text
    assert "Incremental: one mentions file changed (target ≤ 2 s at 10,000)." in text
    assert "Linearity: time(10,000) / time(1,000) = 4.6 for our build (target ≤ 11), 3.3 for plain MkDocs." in text
    assert ("| 10,000 | 863.5 MB | 185.4 MB | 28 / 101 KiB | 0 | 129 KiB | 11.5 MB / 37.0 MB | «تونس» 193 KiB |"
            in text.splitlines())
    assert "pages over budget (4 × text + 40 KB)" in text
    assert "- 10,000 documents: the change shown after 5.3 s (the preview's first page after 61 s)" in text
    # where one core's generation time goes
    assert ("- 10,000 documents: 43,000 files (4.3 per document); processor time 48.0 s, of which system 16.3 s"
            in text.splitlines())


def test_an_older_report_without_the_file_figures_still_renders():
    bench = load_bench()
    older = {key: value for key, value in result(1000, 13.9, 14.4, 11.8).items()
             if key not in ("generated_files", "generate_1_cpu_s", "generate_1_system_s")}
    text = bench.report([older], 3)
    assert "One core's generation" not in text
    assert "| 1,000 (3,000) | 18.2 | 13.9 s | 14.4 s | 1.04 |" in text
