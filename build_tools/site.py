"""The MkDocs adapter: build the site into a scratch folder and swap it in; serve it.

This is the only module that runs MkDocs, and it does so as a separate process on the
project's ``mkdocs.yml``, so the generated Markdown stays buildable by any generator
that reads that file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


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
    if root is not None:
        epoch = source_date_epoch(root)
        if epoch:
            env["SOURCE_DATE_EPOCH"] = epoch
    return env


def _remove_stale_scratch(parent: Path, prefix: str) -> None:
    """Scratch folders left by an interrupted build (never the site itself)."""
    for stale in parent.glob(prefix + "*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _index_search(scratch: Path, quiet: bool, corpus=None) -> None:
    """The search index (Pagefind, see search.py), written into the scratch site before
    the swap: if indexing fails, the previous site stays in place. ``corpus``, when given,
    is the resolved corpus the pages were generated from (its records need no parsing)."""
    from .search import SearchIndexError, build_search_index

    started = time.perf_counter()
    try:
        count = build_search_index(scratch, corpus=corpus)
    except (SearchIndexError, OSError) as exc:
        raise SiteError(f"search index failed: {exc}; the previous site is untouched") from exc
    if not quiet:
        print(f"search index: {count} pages in {time.perf_counter() - started:.2f} s", file=sys.stderr)


def build_site(root: Path, site_dir: Path, strict: bool = True, quiet: bool = False, corpus=None) -> float:
    """``mkdocs build`` into a scratch folder; replace ``site_dir`` only on success."""
    site_dir = site_dir if site_dir.is_absolute() else root / site_dir
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{site_dir.name}-building-"
    _remove_stale_scratch(site_dir.parent, prefix)
    scratch = Path(tempfile.mkdtemp(prefix=prefix, dir=site_dir.parent))
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "--config-file",
               str(root / "mkdocs.yml"), "--site-dir", str(scratch)]
    if strict:
        command.append("--strict")
    # Never ``mkdocs --quiet``: it hides warnings from the counter behind ``--strict`` too, so a
    # quiet build would pass with warnings. Quiet here means: keep MkDocs' INFO lines to ourselves.
    started = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=root, env=mkdocs_env(root), text=True,
                                stdout=subprocess.PIPE if quiet else None,
                                stderr=subprocess.STDOUT if quiet else None)
        if quiet:
            problems = [line for line in (result.stdout or "").splitlines()
                        if not line.startswith("INFO ") and line.strip()]
            if problems:
                print("\n".join(problems), file=sys.stderr)
        if result.returncode != 0:
            raise SiteError(f"mkdocs build failed (exit {result.returncode}); the previous site is untouched")
        _index_search(scratch, quiet, corpus)
        _swap(scratch, site_dir)
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return time.perf_counter() - started


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
    command = [sys.executable, "-m", "mkdocs", "serve", "--livereload", "--dirty", "--config-file",
               str(root / "mkdocs.yml"), "--dev-addr", dev_addr]
    try:
        return subprocess.call(command, cwd=root, env=mkdocs_env())
    except KeyboardInterrupt:
        return 0
    finally:
        stop()
