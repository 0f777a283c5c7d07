"""Benchmark: our full build against a plain MkDocs + Material build of the same texts.

    python bench/run.py [--sizes 100,1000,10000] [--repeat 3] [--work DIR] [--report FILE]

For each size N it writes an annotated project of the first N usable ANT news articles
(../shared/data/ant-news; see bench/antcorpus.py) and a plain MkDocs project of the same
texts as bare Markdown (one page per document with its text, one page per entity with its
name, the navigation listing neither), then measures in one run, cold each time:
the plain build and our full build (``corpus build``: generate + mkdocs + search index),
taking turns, the generation step alone, peak memory, output size, page weight, the search index and
the bytes a reader downloads for one query. It writes a Markdown report.
This is a measurement script, not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO.parent / "shared" / "data" / "ant-news" / "ant_corpus_v1.1.tar.gz"
sys.path.insert(0, str(HERE))

from antcorpus import read_articles, write_project  # noqa: E402

PLAIN_MKDOCS = """\
site_name: Plain corpus
use_directory_urls: true
theme:
  name: material
  language: ar
  font: false
plugins:
  - search
nav:
  - index.md
not_in_nav: |
  /d/
  /e/
"""


def run(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, float, float]:
    """Wall seconds, peak resident memory (KiB), processor seconds (user and system) and the
    system's share of them, of the process and the descendants it waited for (build
    processes, Pagefind)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{stderr[-3000:]}")
    return seconds, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, usage.ru_stime


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def write_plain(project: Path, dest: Path) -> int:
    """Bare Markdown pages of the same texts and entity names; returns the page count."""
    import yaml

    if dest.exists():
        shutil.rmtree(dest)
    (dest / "docs/d").mkdir(parents=True)
    (dest / "docs/e").mkdir(parents=True)
    (dest / "mkdocs.yml").write_text(PLAIN_MKDOCS, encoding="utf-8")
    (dest / "docs/index.md").write_text("# Plain corpus\n", encoding="utf-8")
    pages = 1
    for text_path in sorted((project / "corpus").glob("*.txt")):
        meta = yaml.safe_load((project / "corpus" / f"{text_path.stem}.yml").read_text(encoding="utf-8"))
        body = text_path.read_text(encoding="utf-8").replace("\n", "\n\n")
        (dest / "docs/d" / f"{text_path.stem}.md").write_text(f"# {meta['title']}\n\n{body}\n", encoding="utf-8")
        pages += 1
    registry = yaml.safe_load((project / "annotations/entities.yml").read_text(encoding="utf-8"))
    for entity in registry["entities"]:
        (dest / "docs/e" / f"{entity['id']}.md").write_text(f"# {entity['name']}\n", encoding="utf-8")
        pages += 1
    return pages


def generated_counts(stderr: str) -> tuple[str, str]:
    """Files rewritten and parts rendered, from the summary line of ``corpus generate``
    (the warnings printed before it may hold any text)."""
    found = re.search(r"^generated \d+ pages .*?\((\d+) written, .*?; (\d+) parts rendered", stderr, re.M)
    return (found.group(1), found.group(2)) if found else ("?", "?")


def page_weights(project: Path, site: Path) -> dict:
    """Document pages' HTML against the budget: 4 x the text's bytes + 40 KB."""
    sizes, over = [], []
    for text_path in (project / "corpus").glob("*.txt"):
        page = site / "corpus/documents" / text_path.stem / "index.html"
        size = page.stat().st_size
        budget = 4 * text_path.stat().st_size + 40_000
        sizes.append(size)
        if size > budget:
            over.append((text_path.stem, size, budget))
    entity_pages = [p.stat().st_size for p in (site / "corpus/entities").rglob("index.html")]
    return {"doc_median": statistics.median(sizes), "doc_max": max(sizes), "doc_over_budget": len(over),
            "entity_max": max(entity_pages) if entity_pages else 0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def preview_latency(project: Path, env: dict, timeout: float = 900) -> dict:
    """What a contributor waits for in ``corpus serve``: from saving a mentions file (its
    last entry removed) to the document's page, as the preview serves it, showing one
    mention fewer. Seconds to the first page served, and from the edit."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "build_tools", "serve", "--quiet", "--dev-addr",
                                f"127.0.0.1:{port}"], cwd=project, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    layer = sorted((project / "annotations").glob("*/mentions.yml"))[-1]
    url = f"http://127.0.0.1:{port}/corpus/documents/{layer.parent.name}/"
    original = layer.read_text(encoding="utf-8")
    started = time.perf_counter()
    try:
        page = None
        while page is None and process.poll() is None and time.perf_counter() - started < timeout:
            time.sleep(0.2)
            page = fetch(url)
        if page is None:
            return {}
        served = time.perf_counter() - started
        before = page.count('id="m-')
        layer.write_text("\n- ".join(original.split("\n- ")[:-1]) + "\n", encoding="utf-8")
        edited = time.perf_counter()
        while time.perf_counter() - edited < 120:
            time.sleep(0.05)
            page = fetch(url)
            if page is not None and page.count('id="m-') != before:
                return {"first_page_s": served, "edit_s": time.perf_counter() - edited}
        return {"first_page_s": served}
    finally:
        layer.write_text(original, encoding="utf-8")
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def query_bytes(site: Path, queries: list[str]) -> dict | None:
    """Bytes Pagefind fetches for each query (pagefind.js run in Node against the site)."""
    if not (site / "pagefind").is_dir() or not shutil.which("node"):
        return None
    sys.path.insert(0, str(REPO / "tests"))
    try:
        import test_arabic_search_index as search_test
    except Exception:          # pytest or the test module missing: no figure rather than a guess
        return None
    with tempfile.TemporaryDirectory() as tmp:
        return search_test.measure(site, queries, Path(tmp))


@dataclass
class Runs:
    """Every run of one command: wall seconds, peak resident KiB, processor seconds (and the
    system's part of them)."""

    seconds: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    system: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> int:
        return max(self.peaks)


def alternated_runs(repeat: int, runs: list[tuple]) -> list[Runs]:
    """Each of ``runs`` (prepare, command, cwd, env) ``repeat`` times, taking turns (A B A
    B…): this machine's speed drifts from one minute to the next, and a ratio of two medians
    measured minutes apart took the drift for a difference. Every run of each command."""
    measured = [Runs() for _ in runs]
    for _ in range(repeat):
        for (prepare, command, cwd, env), into in zip(runs, measured):
            prepare()
            # The last run's files, just deleted and still being written back, slowed the next
            # run's file creation: 4.8-6.7 s against 8.9-11.3 s for writing 1,000 documents' pages
            # (one core). Each run starts on a settled file system, as a fresh CI machine does.
            os.sync()
            seconds, peak, processor, system = run(command, cwd, env)
            into.seconds.append(seconds)
            into.peaks.append(peak)
            into.cpu.append(processor)
            into.system.append(system)
    return measured


def median_run(repeat: int, prepare, command, cwd, env=None) -> tuple[float, int]:
    """One command ``repeat`` times: (median seconds, peak KiB)."""
    runs = median_runs(repeat, prepare, command, cwd, env)
    return runs.median, runs.peak


def median_runs(repeat: int, prepare, command, cwd, env=None) -> Runs:
    """One command ``repeat`` times: every run."""
    [runs] = alternated_runs(repeat, [(prepare, command, cwd, env)])
    return runs


def file_count(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def bench_size(articles, n: int, repeat: int, work: Path, registry_size: int) -> dict:
    project, plain = work / f"n{n}" / "project", work / f"n{n}" / "plain"
    started = time.perf_counter()
    counts = write_project(articles[:n], registry_size, project, REPO)
    pages = write_plain(project, plain)
    prepared = time.perf_counter() - started
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1500000000")
    py = sys.executable

    def clean_ours():
        shutil.rmtree(project / "docs/corpus", ignore_errors=True)
        shutil.rmtree(project / "site", ignore_errors=True)

    def clean_plain():
        shutil.rmtree(plain / "site", ignore_errors=True)

    generate_s, generate_peak = median_run(repeat, clean_ours, [py, "-m", "build_tools", "generate", "--quiet"],
                                           project, env)
    one_core = median_runs(repeat, clean_ours, [py, "-m", "build_tools", "generate", "--quiet", "-j", "1"],
                           project, env)
    generate_1_s, generated_files = one_core.median, file_count(project / "docs/corpus")
    # the plain build and ours take turns; last: the final full build leaves the site that the rest measures
    plain_runs, full_runs = alternated_runs(repeat, [
        (clean_plain, [py, "-m", "mkdocs", "build", "-q", "-d", "site"], plain, env),
        (clean_ours, [py, "-m", "build_tools", "build", "--quiet"], project, env),
    ])
    plain_s, plain_peak, full_s, full_peak = plain_runs.median, plain_runs.peak, full_runs.median, full_runs.peak
    # incremental: one annotation file changes, generation runs again on the generated pages
    layer = sorted((project / "annotations").glob("*/mentions.yml"))[n // 2]
    original = layer.read_text(encoding="utf-8")
    layer.write_text(original.replace("mentions:\n", "mentions:\n", 1) + "\n", encoding="utf-8")
    entries = original.split("\n- ")
    if len(entries) > 2:                       # drop the last mention entry: a real change
        layer.write_text("\n- ".join(entries[:-1]) + "\n", encoding="utf-8")
    started = time.perf_counter()
    incremental = subprocess.run([py, "-m", "build_tools", "generate"], cwd=project, env=env, capture_output=True,
                                 text=True)
    incremental_s = time.perf_counter() - started
    written, rendered = generated_counts(incremental.stderr)
    layer.write_text(original, encoding="utf-8")
    session = json.loads(subprocess.run([py, str(HERE / "session_change.py"), str(project)], cwd=project, env=env,
                                        capture_output=True, text=True, check=True).stdout)
    preview = preview_latency(project, env)
    site = project / "site"
    stats = json.loads(subprocess.run([py, "-m", "build_tools", "stats"], cwd=project, capture_output=True,
                                      text=True, env=env, check=True).stdout)
    annotations = stats["mentions"] + stats["claims"] + stats["quotes"]
    queries = query_bytes(site, ["تونس", "الحكومة"])
    return {
        "n": n, "registry": registry_size, "prepared_s": prepared, "counts": counts, "stats": stats,
        "annotations_per_doc": annotations / n,
        "plain_pages": pages, "plain_s": plain_s, "plain_peak_kib": plain_peak,
        "full_s": full_s, "full_peak_kib": full_peak, "ratio": full_s / plain_s,
        # each pair: plain, ours, then their processor seconds
        "pairs": [list(pair) for pair in zip(plain_runs.seconds, full_runs.seconds, plain_runs.cpu, full_runs.cpu)],
        "incremental_s": incremental_s, "incremental_written": written, "incremental_rendered": rendered,
        "session": session, "preview": preview,
        "generate_s": generate_s, "generate_peak_kib": generate_peak, "docs_per_s": n / generate_s,
        "generate_1_s": generate_1_s, "docs_per_s_1": n / generate_1_s,
        "generate_1_cpu_s": statistics.median(one_core.cpu), "generate_1_system_s": statistics.median(one_core.system),
        "generated_files": generated_files,
        "site_bytes": folder_bytes(site), "plain_site_bytes": folder_bytes(plain / "site"),
        "search_index_bytes": folder_bytes(site / "pagefind") if (site / "pagefind").is_dir() else None,
        "plain_search_index_bytes": (plain / "site/search/search_index.json").stat().st_size,
        "queries": queries["queries"] if queries else None,
        **page_weights(project, site),
    }


def _pair(pair: list[float]) -> str:
    """A pair of builds: wall times and their ratio, then processor times (older reports: none)."""
    plain, ours = pair[:2]
    text = f"{plain:.1f} s / {ours:.1f} s = {ours / plain:.2f}"
    if len(pair) == 4:
        text += f" (processor time {pair[2]:.1f} s / {pair[3]:.1f} s)"
    return text


def report(results: list[dict], repeat: int) -> str:
    cpu = os.cpu_count()
    lines = [
        "# Benchmark report", "",
        f"Command: `python bench/run.py --sizes {','.join(str(r['n']) for r in results)} --repeat {repeat}` "
        f"on {cpu} cores; medians of {repeat} cold runs (the plain build and ours taking turns); "
        f"ANT news articles (Jawhara FM), "
        "synthetic annotations (bench/antcorpus.py).", "",
        "| documents (entities) | annotations/doc | plain MkDocs | our full build | ratio (target ≤ 1.3) | generation alone, "
        f"{cpu} cores / 1 core | docs/s generated, {cpu} cores / 1 core (target ≥ 500 on 1) | peak memory (target ≤ 2 GB) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        one = r.get("generate_1_s", r["generate_s"])
        lines.append(f"| {r['n']:,} ({r['registry']:,}) | {r['annotations_per_doc']:.1f} | {r['plain_s']:.1f} s | {r['full_s']:.1f} s | "
                     f"{r['ratio']:.2f} | {r['generate_s']:.1f} s / {one:.1f} s | "
                     f"{r['docs_per_s']:.0f} / {r['n'] / one:.0f} | {r['full_peak_kib'] / 1024:.0f} MiB |")
    if any(r.get("pairs") for r in results):
        lines += ["", "Each pair (plain MkDocs, then our build, run one after the other), in the order run, "
                      "with the processor time (user and system, all processes) of each build:", ""]
    for r in results:
        pairs = r.get("pairs") or []
        if pairs:
            lines.append(f"- {r['n']:,} documents: " + "; ".join(_pair(pair) for pair in pairs))
    if any("generated_files" in r for r in results):
        lines += ["", "One core's generation (medians): the files it writes, and its processor time with the "
                      "system's part (creating and reading files, the memory it takes):", ""]
    for r in results:
        if "generated_files" in r:
            files = r["generated_files"]
            lines.append(f"- {r['n']:,} documents: {files:,} files ({files / r['n']:.1f} per document); processor "
                         f"time {r['generate_1_cpu_s']:.1f} s, of which system {r['generate_1_system_s']:.1f} s")
    lines += ["", "Incremental: one mentions file changed (target ≤ 2 s at 10,000). In a serve session "
                  "(bench/session_change.py: what `corpus serve` does when its watcher sees the change), and as a "
                  "new `corpus generate` process (which loads and resolves every document again):", ""]
    for r in results:
        session = r.get("session") or {}
        lines.append(f"- {r['n']:,} documents: serve session {session.get('change_s', float('nan')):.2f} s "
                     f"({session.get('rendered', '?')} parts rendered, {session.get('written', '?')} files written); "
                     f"`corpus generate` {r['incremental_s']:.1f} s ({r['incremental_written']} files rewritten, "
                     f"{r.get('incremental_rendered', '?')} parts rendered)")
    if any("preview" in r for r in results):
        lines += ["", "In the preview (`corpus serve`), from saving a mentions file to the document's page, as "
                      "served, showing the change (what a contributor waits for: the watcher, generation, MkDocs' "
                      "rebuild of the changed pages):", ""]
    for r in results:
        if "preview" not in r:
            continue
        preview = r["preview"]
        first = f"{preview['first_page_s']:.0f} s" if "first_page_s" in preview else "never"
        edit = f"{preview['edit_s']:.1f} s" if "edit_s" in preview else "never"
        lines.append(f"- {r['n']:,} documents: the change shown after {edit} (the preview's first page after {first})")
    if len(results) > 1:
        big, small = results[-1], results[-2]
        lines += ["", f"Linearity: time({big['n']:,}) / time({small['n']:,}) = {big['full_s'] / small['full_s']:.1f} "
                      f"for our build (target ≤ {big['n'] / small['n'] * 1.1:.0f}), "
                      f"{big['plain_s'] / small['plain_s']:.1f} for plain MkDocs."]
    lines += ["", "| documents | site size | plain site size | document page median / max | pages over budget "
                  "(4 × text + 40 KB) | largest entity page | search index (ours / Material's) | bytes for one query |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        query = "n/a"
        if r["queries"]:
            query = " / ".join(f"«{q['query']}» {q['bytes'] / 1024:.0f} KiB" for q in r["queries"])
        ours = f"{r['search_index_bytes'] / 1e6:.1f} MB" if r["search_index_bytes"] else "n/a"
        lines.append(f"| {r['n']:,} | {r['site_bytes'] / 1e6:.1f} MB | {r['plain_site_bytes'] / 1e6:.1f} MB | "
                     f"{r['doc_median'] / 1024:.0f} / {r['doc_max'] / 1024:.0f} KiB | {r['doc_over_budget']} | "
                     f"{r['entity_max'] / 1024:.0f} KiB | {ours} / {r['plain_search_index_bytes'] / 1e6:.1f} MB | "
                     f"{query} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--registry", type=int, default=None,
                        help="entities in the registry (default: three per document, at most 3,000)")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--report", type=Path, default=HERE / "report.md")
    parser.add_argument("--from-json", type=Path, metavar="JSON",
                        help="write the report again from the JSON a run wrote beside it (no measuring)")
    args = parser.parse_args()
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        args.report.write_text(report(results, args.repeat), encoding="utf-8")
        print(args.report.read_text(encoding="utf-8"))
        return 0
    if not DATA.exists():
        print(f"the ANT news corpus is not there ({DATA.relative_to(REPO.parent)}): this benchmark needs "
              "../shared/data/ant-news/ant_corpus_v1.1.tar.gz beside the repository", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    articles = read_articles(DATA)
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        print(f"benchmarking {n} documents…", file=sys.stderr)
        registry = args.registry or min(3000, 3 * n)
        # every size gets --repeat runs: one pair at 10,000 documents gave a ratio of 2.07 where
        # the next three pairs gave 1.25-1.33 (an outlier plain build)
        results.append(bench_size(articles, n, args.repeat, work, registry))
        (args.report.with_suffix(".json")).write_text(json.dumps(results, indent=2, ensure_ascii=False),
                                                      encoding="utf-8")
    text = report(results, args.repeat)
    args.report.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
