"""The MkDocs adapter: build the site into a scratch folder and swap it in; serve it.

This is the only module that runs MkDocs, and it does so as a separate process on the
project's ``mkdocs.yml``, so the generated Markdown stays buildable by any generator
that reads that file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from .pipeline import available_cores


class SiteError(Exception):
    pass


def source_date_epoch(root: Path) -> str | None:
    """``SOURCE_DATE_EPOCH`` if set, else the last commit's time: dates in the output
    (sitemap, gzip headers) then depend on the sources, not on when the build ran."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True,
                                text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = result.stdout.strip()
    return value if result.returncode == 0 and value.isdigit() else None


def mkdocs_env(root: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("NO_MKDOCS_2_WARNING", "1")   # Material 9.8's end-of-life banner
    env.setdefault("PYTHONUTF8", "1")
    env.pop(_plugin().SHARD_VARIABLE, None)      # a whole build, unless the caller names a shard
    env.pop(_plugin().SEARCH_PAGES_VARIABLE, None)   # nor pages sent for an index, unless asked for
    if root is not None:
        epoch = source_date_epoch(root)
        if epoch:
            env["SOURCE_DATE_EPOCH"] = epoch
    return env


def _remove_stale_scratch(parent: Path, prefix: str) -> None:
    """Scratch folders (and the files beside them) left by an interrupted build (never the
    site itself)."""
    for stale in parent.glob(prefix + "*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _index_search(scratch: Path, quiet: bool, corpus=None, prepared=None) -> None:
    """The search index (Pagefind, see search.py), written into the scratch site before
    the swap: if indexing fails, the previous site stays in place. ``corpus``, when given,
    is the resolved corpus the pages were generated from (its records need no parsing);
    ``prepared``, an index that has its records already (search.start_search_index)."""
    from .search import SearchIndexError, build_search_index

    started = time.perf_counter()
    try:
        count = build_search_index(scratch, corpus=corpus, prepared=prepared)
    except (SearchIndexError, OSError) as exc:
        raise SiteError(f"search index failed: {exc}; the previous site is untouched") from exc
    if not quiet:
        print(f"search index: {count} pages in {time.perf_counter() - started:.2f} s", file=sys.stderr)


def _absolute(root: Path, site_dir: Path) -> Path:
    return site_dir if site_dir.is_absolute() else root / site_dir


def _scratch_dir(site_dir: Path) -> Path:
    """A new folder beside the site; an interrupted build's are removed by the next one."""
    return Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-building-", dir=site_dir.parent))


def _mkdocs_command(root: Path, out: Path, strict: bool) -> list[str]:
    # Never ``mkdocs --quiet``: it hides warnings from the counter behind ``--strict`` too, so a
    # quiet build would pass with warnings. Quiet here means: keep MkDocs' INFO lines to ourselves.
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--config-file", str(root / "mkdocs.yml"),
               "--site-dir", str(out)]
    return command + ["--strict"] if strict else command


def _run_mkdocs(root: Path, out: Path, strict: bool, quiet: bool, shard: str | None = None,
                extra_env: dict[str, str] | None = None) -> None:
    """One ``mkdocs build`` into ``out`` (of the whole site, or of ``shard``); its output
    goes to the console as it comes, or only its problems when ``quiet``."""
    env = {**mkdocs_env(root), **(extra_env or {})}
    if shard is not None:
        env[_plugin().SHARD_VARIABLE] = shard
    result = subprocess.run(_mkdocs_command(root, out, strict), cwd=root, env=env, text=True,
                            stdout=subprocess.PIPE if quiet else None,
                            stderr=subprocess.STDOUT if quiet else None)
    if quiet:
        _report([result.stdout or ""], quiet)
    if result.returncode != 0:
        raise SiteError(f"mkdocs build failed (exit {result.returncode}); the previous site is untouched")


@contextmanager
def replacing(site_dir: Path):
    """A scratch folder beside ``site_dir`` that takes its place if the block succeeds; on
    any failure the previous site stays as it was and the scratch folder goes."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_scratch(site_dir.parent, f".{site_dir.name}-building-")
    scratch = _scratch_dir(site_dir)
    try:
        yield scratch
        _swap(scratch, site_dir)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)


def build_site(root: Path, site_dir: Path, strict: bool = True, quiet: bool = False, corpus=None,
               jobs: int = 1) -> float:
    """``mkdocs build`` into a scratch folder; replace ``site_dir`` only on success.

    With ``jobs`` > 1 the site is built in that many shards at once (separate processes,
    so separate cores; see mkdocs_plugin.py) and merged: the same files as one process."""
    site_dir = _absolute(root, site_dir)
    started = time.perf_counter()
    if jobs > 1:
        obstacle = shard_obstacle(root)
        if obstacle:
            if not quiet:
                print(f"note: building in one process: {obstacle}", file=sys.stderr)
            jobs = 1
    prepared = None
    if corpus is not None:      # Pagefind indexes the corpus's records while MkDocs runs
        from .search import SearchIndexError, start_search_index

        try:
            prepared = start_search_index(corpus)
        except SearchIndexError as exc:
            raise SiteError(f"search index failed: {exc}; the previous site is untouched") from exc
    try:
        with replacing(site_dir) as scratch:
            early = _EarlyIndex(prepared, scratch) if prepared is not None and _early_index_wanted() else None
            try:
                extra_env = early.start() if early is not None else None
                if jobs > 1:
                    _build_in_shards(root, site_dir, scratch, jobs, strict, quiet, extra_env,
                                     niceness=SHARD_NICENESS if early is not None else 0)
                else:
                    _run_mkdocs(root, scratch, strict, quiet, extra_env=extra_env)
                if early is None or not early.place(scratch, quiet):
                    _index_search(scratch, quiet, corpus, prepared)
            finally:
                if early is not None:
                    early.close()
    finally:
        if prepared is not None:
            prepared.close()        # when MkDocs failed or was interrupted (else the index step closed it)
    return time.perf_counter() - started


EARLY_INDEX_VARIABLE = "CORPUS_EARLY_SEARCH_INDEX"     # "0": index the hand-written pages after MkDocs


def _early_index_wanted() -> bool:
    return os.environ.get(EARLY_INDEX_VARIABLE, "").strip() != "0"


class _EarlyIndex:
    """The search index, made and written while MkDocs still renders the generated pages.

    Writing the index's files after MkDocs took seconds: 4,000 fragment files at 1,000
    documents, created while the disk was still taking the site's. The generated pages'
    records come from the model; the hand-written pages, the only ones read from the built
    site, are sent by the MkDocs plugin as soon as it has rendered them (its
    ``CORPUS_SEARCH_PAGES``; see mkdocs_plugin._SearchPages). A thread waits for them,
    adds them and writes the index beside the scratch site; it is moved in after MkDocs.
    When the pages never come (another plugin, or a hand-written page in another shard),
    the index is made after MkDocs as before. Both ways give the same files (tested)."""

    def __init__(self, index, scratch: Path):
        self.index = index
        self.pages_file = scratch.with_name(scratch.name + ".search-pages.json")
        self.folder = scratch.with_name(scratch.name + ".search")
        self.error: Exception | None = None
        self.written = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="early-search-index", daemon=True)

    def start(self) -> dict[str, str]:
        """Start waiting for the pages; the environment that asks MkDocs for them."""
        self._thread.start()
        return {_plugin().SEARCH_PAGES_VARIABLE: str(self.pages_file)}

    def _run(self) -> None:
        from .search import INDEX_DIR, rendered_records

        while not self.pages_file.exists():
            if self._stop.wait(0.05) and not self.pages_file.exists():
                return
        try:
            pages = json.loads(self.pages_file.read_text(encoding="utf-8"))
            self.index.add(rendered_records(pages))
            self.index.write(self.folder / INDEX_DIR)
            self.written = True
        except Exception as exc:       # told by place(), in the main thread
            self.error = exc

    def place(self, scratch: Path, quiet: bool) -> bool:
        """After MkDocs: move the index into the scratch site; False when it was not made."""
        from .search import INDEX_DIR

        started = time.perf_counter()
        self._stop.set()
        self._thread.join()
        if self.error is not None:
            raise SiteError(f"search index failed: {self.error}; the previous site is untouched") from self.error
        if not self.written:
            return False
        target = scratch / INDEX_DIR
        if target.exists():
            shutil.rmtree(target)
        (self.folder / INDEX_DIR).rename(target)
        if not quiet:
            print(f"search index: {self.index.count} pages, written while MkDocs ran "
                  f"(then {time.perf_counter() - started:.2f} s)", file=sys.stderr)
        return True

    def close(self) -> None:
        """Stop waiting (MkDocs failed) and remove what was written beside the scratch site."""
        self._stop.set()
        if self._thread.is_alive():
            self.index.close()          # a thread writing the index stops at its next request
            self._thread.join()
        for leftover in (self.pages_file, self.pages_file.with_name(self.pages_file.name + ".part")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def build_shard(root: Path, site_dir: Path, shard: str, strict: bool = True, quiet: bool = False) -> float:
    """Shard ``shard`` ("K/N") of the site into ``site_dir``, for :func:`merge_site`: with
    N CI jobs building one shard each, a site too large for one machine's cores."""
    site_dir = _absolute(root, site_dir)
    started = time.perf_counter()
    try:
        shard = str(_plugin().Shard.parse(shard))
    except ValueError as exc:
        raise SiteError(str(exc)) from exc
    obstacle = shard_obstacle(root)
    if obstacle:
        raise SiteError(f"cannot build a shard: {obstacle}")
    with replacing(site_dir) as scratch:
        _run_mkdocs(root, scratch, strict, quiet, shard=shard)
    return time.perf_counter() - started


def merge_site(root: Path, shard_dirs: list[Path], site_dir: Path, strict: bool = True, quiet: bool = False,
               corpus=None) -> float:
    """The shards built by :func:`build_shard`, merged into ``site_dir`` with its search
    index: the site one ``build_site`` makes. The shard folders are left as they are."""
    site_dir = _absolute(root, site_dir)
    started = time.perf_counter()
    with replacing(site_dir) as scratch:
        merge_shards([_absolute(root, folder) for folder in shard_dirs], scratch, strict, quiet)
        _index_search(scratch, quiet, corpus)
    return time.perf_counter() - started


# ---- shards: several ``mkdocs build`` processes, one site -----------------------------------

# Documents + entities per MkDocs process at least. Measured on 2 cores (docs/benchmarks.md): two
# processes break even at 40 and save 10% of `corpus build` at 100, 25% of the MkDocs step at 4,000.
PAGES_PER_SHARD = 50
MAX_SHARDS = 8


def default_shards(pages: int) -> int:
    """How many MkDocs processes build a site of ``pages`` documents and entities: one per
    core (at most ``MAX_SHARDS``), but each with ``PAGES_PER_SHARD`` pages at least, since
    every process first pays about a second to start MkDocs and read the files."""
    return max(1, min(available_cores(), MAX_SHARDS, pages // PAGES_PER_SHARD))


def _plugin():
    """The plugin module, imported when needed: it imports MkDocs, which every other
    command of the CLI can do without."""
    from . import mkdocs_plugin

    return mkdocs_plugin


def shard_obstacle(root: Path) -> str | None:
    """Why the project's ``mkdocs.yml`` cannot be built in shards (None: it can). Only the
    corpus-publisher plugin divides the pages, and another plugin may write site-wide files
    (a search index...) from the pages its shard saw."""
    from mkdocs.config import load_config

    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.CRITICAL)      # the build itself reports what is wrong with mkdocs.yml
    try:
        plugins = list(load_config(str(root / "mkdocs.yml")).plugins)
    except Exception as exc:   # noqa: BLE001 - any failure here is the build's to report
        return f"mkdocs.yml does not load ({exc.__class__.__name__})"
    finally:
        logger.setLevel(level)
    name = _plugin().NAME
    if name not in plugins:
        return f"mkdocs.yml does not list the {name} plugin"
    others = [other for other in plugins if other != name]
    return f"mkdocs.yml lists other plugins ({', '.join(others)})" if others else None


def _build_in_shards(root: Path, site_dir: Path, into: Path, count: int, strict: bool, quiet: bool,
                     extra_env: dict[str, str] | None = None, niceness: int = 0) -> None:
    """Build ``count`` shards at once, shard 1 into ``into`` and the others into folders
    beside the site, then merge those into ``into``."""
    outs = [into] + [_scratch_dir(site_dir) for _ in range(count - 1)]
    try:
        _run_shards(root, outs, strict, quiet, extra_env, niceness)
        merge_shards(outs, into, strict, quiet, move=True)
    finally:
        for out in outs[1:]:
            shutil.rmtree(out, ignore_errors=True)


# How much lower the MkDocs shards run than the search index when both run at once
# (``corpus build``): the index is one Pagefind process that must finish after the shards'
# pages are all in, so at equal priority its last 7-8 s ran alone on one core (10,000
# documents); yielding to it, the shards keep both cores busy to the end and the index is
# written before they finish. The MkDocs and search step took 27.6-38.7 s (median 33.7 s)
# against 29.2-46.0 s (median 37.4 s), six runs of each taking turns, five of six pairs
# faster (docs/benchmarks.md).
SHARD_NICENESS = 5


def _run_shards(root: Path, outs: list[Path], strict: bool, quiet: bool,
                extra_env: dict[str, str] | None = None, niceness: int = 0) -> None:
    """Run shard k of N into ``outs[k - 1]`` for every k at once, wait for all (so every
    shard's problems are reported), fail if any failed. With ``niceness``, the shards run
    that much lower than this process (and the search index it started)."""
    env = {**mkdocs_env(root), **(extra_env or {})}
    logs = [tempfile.TemporaryFile() for _ in outs]    # not pipes: a full pipe would stall its shard
    processes: list[subprocess.Popen] = []
    try:
        for number, (out, log) in enumerate(zip(outs, logs), 1):
            shard_env = dict(env, **{_plugin().SHARD_VARIABLE: f"{number}/{len(outs)}"})
            processes.append(subprocess.Popen(_mkdocs_command(root, out, strict), cwd=root, env=shard_env,
                                              stdout=log, stderr=subprocess.STDOUT))
            if niceness:
                _lower_priority(processes[-1].pid, niceness)
        codes = [process.wait() for process in processes]
        outputs = []
        for log in logs:
            log.seek(0)
            outputs.append(log.read().decode("utf-8", errors="replace"))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
    _report(outputs, quiet)
    failed = [f"{number}/{len(outs)} (exit {code})" for number, code in enumerate(codes, 1) if code]
    if failed:
        raise SiteError(f"mkdocs build failed in shard {', '.join(failed)}; the previous site is untouched")


def _lower_priority(pid: int, niceness: int) -> None:
    """Run process ``pid`` ``niceness`` lower than this one, where the system allows it
    (set from here, after the start: ``preexec_fn`` is unsafe in a process with threads)."""
    if hasattr(os, "setpriority"):
        try:
            os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0) + niceness)
        except OSError:         # the process already ended, or the system refuses: no harm
            pass


def _log_records(text: str) -> list[str]:
    """MkDocs' output as records: a line and the indented lines after it (the pages listed
    under a message, a traceback's frames)."""
    records: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if records and line[:1].isspace():
            records[-1] += "\n" + line
        else:
            records.append(line)
    return records


def _report(outputs: list[str], quiet: bool) -> None:
    """The output of MkDocs (one process, or every shard in turn), each record once: every
    shard renders the navigation's pages, and a problem there is told once. Only the
    problems when ``quiet``."""
    seen: set[str] = set()
    for output in outputs:
        for record in _log_records(output):
            if record in seen or (quiet and record.startswith("INFO ")):
                continue
            seen.add(record)
            print(record, file=sys.stderr)


def merge_shards(shard_dirs: list[Path], into: Path, strict: bool = True, quiet: bool = False,
                 move: bool = False) -> None:
    """Put the files of every shard into ``into`` (hard links where possible: the shards
    stay as they are; a shard may be ``into`` itself), after the checks one process would
    have made across them. With ``move`` (shards that are scratch folders of this build),
    their files are moved instead: a folder ``into`` lacks goes over whole, with one rename
    (linking the second of two shards at 10,000 documents, 22,000 files, took 2.7 s)."""
    manifests = [_read_manifest(folder) for folder in shard_dirs]
    try:
        _plugin().check_manifests(manifests)
    except _plugin().ShardMismatch as exc:
        raise SiteError(f"cannot merge: {exc}; the previous site is untouched") from exc
    _check_across_shards(manifests, strict, quiet)
    into.mkdir(parents=True, exist_ok=True)
    for folder in shard_dirs:
        if folder.resolve() != into.resolve():
            if move:
                _move_tree(folder, into, "", _plugin().MANIFEST)
            else:
                link_tree(folder, into, skip=_plugin().MANIFEST)
    (into / _plugin().MANIFEST).unlink(missing_ok=True)


def _read_manifest(folder: Path) -> dict:
    name = _plugin().MANIFEST
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SiteError(f"{folder} is not a shard of a build (no readable {name}); the previous site "
                        "is untouched") from exc


def _check_across_shards(manifests: list[dict], strict: bool, quiet: bool) -> None:
    """Links to fragments of a page another shard rendered: reported as MkDocs reports them,
    and fatal like any warning under ``--strict``."""
    warnings = 0
    for level, message in _plugin().cross_shard_anchor_problems(manifests):
        if level >= logging.WARNING:
            warnings += 1
        elif quiet:
            continue
        print(f"{logging.getLevelName(level):<7} -  {message}", file=sys.stderr)
    if warnings and strict:
        raise SiteError(f"mkdocs build failed: {warnings} warning(s) across shards in strict mode; the previous "
                        "site is untouched")


def link_tree(source: Path, into: Path, skip: str | None = None) -> None:
    """Every file below ``source`` (but ``skip``, a file name at its top) at the same place
    below ``into``, hard-linked (copied across file systems); never over a file."""
    for folder, _, names in os.walk(source):
        relative = Path(folder).relative_to(source)
        (into / relative).mkdir(parents=True, exist_ok=True)
        for name in names:
            if name != skip or relative != Path("."):
                _link(Path(folder) / name, into / relative / name, (relative / name).as_posix())


def _move_tree(source: Path, into: Path, relative: str, manifest: str) -> None:
    """Every entry below ``source`` (but its ``manifest``) moved to the same place below
    ``into``: a folder that is not there is renamed whole, one that is is merged entry by
    entry; a file already there is an error, as in :func:`_link`."""
    with os.scandir(source) as entries:
        for entry in entries:
            name = relative + entry.name
            if name == manifest:
                continue
            target = into / entry.name
            is_folder = entry.is_dir(follow_symlinks=False)
            if os.path.lexists(target):
                if not (is_folder and target.is_dir()):
                    raise SiteError(f"two shards wrote {name}; the previous site is untouched")
                _move_tree(Path(entry.path), target, name + "/", manifest)
                continue
            try:
                os.rename(entry.path, target)
            except OSError:             # another file system: link or copy, as without ``move``
                if is_folder:
                    target.mkdir()
                    link_tree(Path(entry.path), target, skip=_plugin().MANIFEST)
                else:
                    _link(Path(entry.path), target, name)


def _link(source: Path, target: Path, name: str) -> None:
    """A hard link (no copy, and the shard keeps its file), else a copy; never over a file."""
    try:
        os.link(source, target)
        return
    except FileExistsError:
        pass
    except OSError:
        if not target.exists():
            shutil.copy2(source, target)
            return
    raise SiteError(f"two shards wrote {name}; the previous site is untouched")


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target`` with renames (the old one is removed after)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def serve(root: Path, regenerate, dev_addr: str) -> int:
    """Run ``mkdocs serve`` and regenerate the pages whenever the sources change.

    ``regenerate(paths)`` gets the changed paths the file watcher saw (watch.py) and
    rewrites only the generated pages whose content changed; ``mkdocs serve --dirty``
    then rebuilds only those pages (a full rebuild of 10,000 documents takes minutes)
    and reloads the browser.
    """
    from .watch import watch

    stop = watch([root / "corpus", root / "annotations"], regenerate)
    # --no-strict: a preview shows MkDocs' warnings and keeps serving (``corpus build`` stays
    # strict). With mkdocs.yml's ``strict: true``, MkDocs' own warning that a build is dirty
    # aborted the first build, and a broken link in a page would stop the preview.
    command = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dirty", "--no-strict", "--config-file",
               str(root / "mkdocs.yml"), "--dev-addr", dev_addr]
    process = subprocess.Popen(command, cwd=root, env=mkdocs_env())
    # stopped by SIGTERM (a process manager, a test), MkDocs' server stops too rather than
    # keep the address (Ctrl-C reaches both: they share the terminal's process group)
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.terminate()
        process.wait()
        stop()
