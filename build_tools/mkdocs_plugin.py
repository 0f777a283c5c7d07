"""The MkDocs plugin ``corpus-publisher``: with site.py (and mkdocs_reuse.py, which it
uses), the only code that knows MkDocs.

Generated pages mark their HTML blocks (see rawhtml.py). This plugin keeps those blocks
away from Python-Markdown's HTML parsers and puts them back after the conversion, and
tells MkDocs the ids inside them, so that its check of links to fragments still sees
them. Without the plugin (or with another generator) the same pages build to the same
HTML, only slower.

The generated folder's static files (the exports) are hard-linked into the site rather
than copied (:func:`link_generated_files`). The per-document exports (three files a
document, 30,000 for 10,000 documents) are not shown to MkDocs at all: nothing links them
in Markdown, and MkDocs' work on each of its files (making it, checking whether it changed,
copying it) took a third of every rebuild of a preview; the plugin links them into the site
itself (:func:`link_document_exports`), and MkDocs' listing of ``docs_dir`` leaves their
folder out (:func:`get_files`).

For the pages outside the navigation it also reuses what MkDocs would make again for each
(mkdocs_reuse.py): Material's navigation partials, rendered once per distinct input; one
Python-Markdown instance, and one conversion per shape of stashed Markdown; Material's page
around the content, once per group of pages that differ only in their own values. The
pages are the same, byte for byte; the navigation's pages always take MkDocs' own path,
and so does every page when another plugin is listed (it could change a page's context or
its Markdown) or when ``CORPUS_MKDOCS_REUSE=0``.

When ``CORPUS_SEARCH_PAGES`` names a file, the process that writes the hand-written pages
(shard 1, or the only one) has MkDocs convert them first, with the navigation's pages,
renders them as soon as the first other page comes, and writes their HTML there
(:class:`_SearchPages`): ``corpus build`` indexes them with the corpus's records and
writes the search index while MkDocs still converts and renders the generated pages.

It also builds one shard of the site when ``CORPUS_SHARD=K/N`` is set (``mkdocs build``
only): N such builds, run at once on several cores or in separate CI jobs, then merged
by site.py, give the files of one ordinary build. How the work is divided:

- The pages outside the navigation (documents, entities, their further pages, the
  listings' further pages: nearly all of a corpus) are taken in path order and dealt out,
  page i to shard i mod N; so are the static files (the theme's assets, docs/assets, the
  exports). A shard marks the others excluded, so MkDocs neither renders, copies nor
  writes them, while links to them still resolve to the same URLs.
- The pages in the navigation are rendered by every shard, because the navigation every
  page shows is made of their titles; shard 1 writes them, the others discard them.
- Shard 1 alone writes the site-wide templates (404.html, and the sitemap, which lists
  every shard's pages).
- A shard cannot check a link to a fragment of a page another shard renders (links from
  the navigation's pages are checked by the shard that renders the target, since every
  shard renders them). Each shard writes a manifest (``MANIFEST`` in its output) with the
  links of its divided pages it could not check and the ids of those pages; the merge
  checks them (:func:`cross_shard_anchor_problems`), so a sharded ``--strict`` build
  fails on the same broken fragments as one process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mkdocs.commands.build import get_context
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from . import mkdocs_reuse, rawhtml, urls
from .output import FINISHED, MARKER

NAME = "corpus-publisher"           # the entry point in pyproject.toml
SHARD_VARIABLE = "CORPUS_SHARD"     # "K/N": build shard K (1..N) of N
SEARCH_PAGES_VARIABLE = "CORPUS_SEARCH_PAGES"   # a file: where to write the indexed pages' HTML
MANIFEST = "corpus-shard.json"      # in a shard's output, read by the merge (not hidden: CI
                                    # artifact uploads leave out hidden files by default)


@dataclass(frozen=True)
class Shard:
    """Shard ``number`` (1-based, as a CI matrix counts) of ``count``."""

    number: int
    count: int

    @classmethod
    def parse(cls, text: str) -> "Shard":
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
            raise ValueError(f"a shard is K/N with 1 <= K <= N (e.g. 2/3), not {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"

    @property
    def is_first(self) -> bool:
        """The shard that also builds what is not divided (navigation pages, static files)."""
        return self.number == 1

    def owns(self, position: int) -> bool:
        """Whether the page at ``position`` of the divided pages (in path order) is ours."""
        return position % self.count == self.number - 1


def nav_pages(config, files) -> set[str]:
    """Source paths of the pages the navigation shows (more is harmless: more work)."""
    if config.nav is None:
        return {f.src_uri for f in files.documentation_pages() if f.inclusion.is_in_nav()}
    found: set[str] = set()

    def walk(item) -> None:
        if isinstance(item, str):
            found.add(item.lstrip("/"))
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(config.nav)
    return found


def divided_pages(files, in_nav: set[str]) -> list[str]:
    """The pages dealt out among shards, in path order (the same in every shard)."""
    return sorted(f.src_uri for f in files.documentation_pages() if f.src_uri not in in_nav)


def divided_static_files(files) -> list[str]:
    """The files MkDocs copies as they are, dealt out too, in path order."""
    return sorted(f.src_uri for f in files if not f.is_documentation_page() and f.inclusion.is_included())


_NOISY_LOGGERS = ("mkdocs.structure.pages", "mkdocs.commands.build")


class _ShardNoise(logging.Filter):
    """Drops MkDocs' INFO lines that only say a page belongs to another shard."""

    PATTERNS = (re.compile(r"contains a link to '(.+)' which is excluded from the built site\.$"),
                re.compile(r"^Page skipped: '(.+)'\. Generated empty output\.$"),
                re.compile(r"^Template skipped: '(.+)' generated empty output\.$"))

    def __init__(self, elsewhere: set[str]):
        super().__init__()
        self.elsewhere = elsewhere

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.INFO:
            return True
        message = record.getMessage()
        return not any((m := p.search(message)) and m.group(1) in self.elsewhere for p in self.PATTERNS)


_DOCUMENT_EXPORTS = urls.DOCUMENT_EXPORTS + "/"


# ---- mkdocs serve: rebuild on changes, once a generation is done ----------------------------

WATCH_QUIET = 0.05      # seconds: the events of one save, or of one generation's last file, come together

def watch_docs(server, docs_dir: str):
    """Have ``mkdocs serve`` rebuild when a file of ``docs_dir`` changes but, in the
    generated folder, only when a generation that changed files is done (it rewrites
    output.FINISHED last). Returns the function that stops watching (None: MkDocs' own
    watch of ``docs_dir`` is kept, when the generated folder is not the generator's or the
    server lacks what this uses).

    MkDocs 1.6 finds changes by listing ``docs_dir`` every half second (watchdog's
    polling observer). At 10,000 documents that is 44,000 files: each listing took over a
    second of the server process's time, without end, and a change was seen 1.3-1.9 s after
    it was written. And each file a generation wrote could start a rebuild, so rebuilds ran
    while a generation was half-written: they served pages half-updated, started one more
    rebuild when they ended, and a page written between MkDocs' reading and its rendering
    failed the rebuild ("argument of type 'NoneType' is not iterable").

    Here the operating system tells which files changed, through the watcher ``corpus
    serve`` watches the sources with (watch.py: only changes are asked for), and the
    rebuild is asked for as MkDocs' own watches ask for it (``LiveReloadServer`` has no
    public way). A burst of events is handed over once, after ``WATCH_QUIET`` s of quiet;
    MkDocs then waits a tenth of a second more for quiet before it rebuilds."""
    from .watch import watch

    if not generated_folder_is_ours(docs_dir) or not all(
            hasattr(server, name) for name in ("_rebuild_cond", "_want_rebuild", "unwatch")):
        return None
    docs = os.path.abspath(docs_dir)         # the events' paths start with the folder watched
    generated = os.path.join(docs, urls.GENERATED)
    finished = os.path.join(generated, FINISHED)

    def changed(paths: list[str]) -> None:
        # folders' events count too: a folder moved out of docs/ is one event, none for its files
        if any(path == finished or not path.startswith(generated + os.sep) for path in paths):
            with server._rebuild_cond:
                server._want_rebuild = True
                server._rebuild_cond.notify_all()

    try:
        server.unwatch(docs_dir)
    except KeyError:                        # not watched (another plugin unwatched it): left so
        return None
    return watch([Path(docs)], changed, quiet=WATCH_QUIET)     # daemon threads: they end with the server


def generated_folder_is_ours(docs_dir: str) -> bool:
    """Whether ``docs_dir``'s generated folder is the generator's (it has the marker file):
    only then are its files handled apart from MkDocs' way."""
    return (Path(docs_dir) / urls.GENERATED / MARKER).is_file()


def link_generated_files(files, docs_dir: str) -> int:
    """Have MkDocs hard-link the generated folder's static files (the exports: three per
    document) into the site instead of copying them; returns how many.

    Copying 3,000 small files took 2 s on a build machine, linking them 0.05 s. Only files
    of the generated folder (it has the generator's marker file), which the generator
    never changes in place: it replaces a file by renaming a new one over it, so the
    site's link keeps the content it was built with. Where a link cannot be made (the
    site on another file system, as ``mkdocs serve`` may put it), the file is copied."""
    if not generated_folder_is_ours(docs_dir):
        return 0
    prefix = urls.GENERATED + "/"
    count = 0
    for file in files:
        if file.src_uri.startswith(prefix) and not file.is_documentation_page() and file.generated_by is None:
            file.copy_file = functools.partial(_link_or_copy, file)
            count += 1
    return count


def without_document_exports(files, config):
    """``files`` without the generated folder's per-document exports (only when that folder
    is the generator's: it has the marker file); the same ``files`` when there are none, or
    when :func:`get_files` listed them (it leaves the exports out already). Only a build
    whose files MkDocs' own listing made (one run without the plugin's ``on_startup``) has
    exports to drop here."""
    if not generated_folder_is_ours(config.docs_dir) or isinstance(files, FilesAndExports):
        return files
    kept = [file for file in files if not file.src_uri.startswith(_DOCUMENT_EXPORTS)]
    return files if len(kept) == len(files) else FilesAndExports(kept, config)


def get_files(config) -> Files:
    """MkDocs 1.6's ``get_files`` (mkdocs/structure/files.py, BSD-2-Clause, the same steps),
    but for one thing: when the generated folder is the generator's and the build has this
    plugin, the folder of the per-document exports is not walked, and the files come as
    :class:`FilesAndExports`.

    MkDocs makes a ``File`` of every file of ``docs_dir`` before any plugin sees them; at
    10,000 documents, 30,000 of the 44,000 are exports, which :func:`without_document_exports`
    then dropped: about 40% of a preview's rebuild, and a second of each shard's build.
    Installed in MkDocs' build by :func:`use_own_get_files`; otherwise the result is MkDocs'
    own (tests/test_document_exports.py holds them equal)."""
    from mkdocs.structure.files import set_exclusions

    docs_dir = config["docs_dir"]
    ours = NAME in config["plugins"] and generated_folder_is_ours(docs_dir)     # else: MkDocs' files
    skipped = os.path.join(docs_dir, urls.DOCUMENT_EXPORTS) if ours else None
    files: list[File] = []
    conflicting_files: list[tuple[File, File]] = []
    for source_dir, dirnames, filenames in os.walk(docs_dir, followlinks=True):
        relative_dir = os.path.relpath(source_dir, docs_dir)
        if skipped is not None:
            dirnames[:] = [name for name in dirnames if os.path.join(source_dir, name) != skipped]
        dirnames.sort()
        filenames.sort(key=_index_first)
        files_by_dest: dict[str, File] = {}
        for filename in filenames:
            file = File(os.path.join(relative_dir, filename), docs_dir, config["site_dir"],
                        config["use_directory_urls"])
            # Skip README.md if an index file also exists in dir (part 1)
            prev_file = files_by_dest.setdefault(file.dest_uri, file)
            if prev_file is not file:
                conflicting_files.append((prev_file, file))
            files.append(file)
    set_exclusions(files, config)
    # Skip README.md if an index file also exists in dir (part 2)
    for a, b in conflicting_files:
        if b.inclusion.is_included():
            if a.inclusion.is_included():
                logging.getLogger("mkdocs.structure.files").warning(
                    f"Excluding '{a.src_uri}' from the site because it conflicts with '{b.src_uri}'.")
            try:
                files.remove(a)
            except ValueError:
                pass
        else:
            try:
                files.remove(b)
            except ValueError:
                pass
    return FilesAndExports(files, config) if skipped is not None else Files(files)


def _index_first(name: str) -> tuple[bool, str]:
    """MkDocs 1.6's order of a folder's files (its private ``_file_sort_key``): ``index``
    and ``README`` first, then by name."""
    return os.path.splitext(name)[0] not in ("index", "README"), name


def use_own_get_files() -> None:
    """Have MkDocs' build list ``docs_dir`` with :func:`get_files` (it looks the function up
    in its module at each build)."""
    import mkdocs.commands.build

    mkdocs.commands.build.get_files = get_files


class FilesAndExports(Files):
    """MkDocs' files without the per-document exports, which are still found by path: a
    Markdown link to one (from a hand-written page) is checked and written as MkDocs would,
    though MkDocs does not copy the file (the plugin links the exports itself)."""

    def __init__(self, files, config):
        super().__init__(files)
        self._config = config

    def get_file_from_path(self, path: str) -> File | None:
        found = super().get_file_from_path(path)
        if found is not None or not path.startswith(_DOCUMENT_EXPORTS):
            return found
        config = self._config
        if not os.path.isfile(os.path.join(config.docs_dir, path)):
            return None
        found = File(path, config.docs_dir, config.site_dir, config.use_directory_urls)
        found.inclusion = InclusionLevel.INCLUDED
        return found


def link_document_exports(docs_dir: str, site_dir: str, owns=None, dirty: bool = False) -> int:
    """Hard-link the per-document exports into the site; returns how many were written.
    ``owns(position)`` picks a shard's share of them, in name order (``None``: all).

    ``dirty`` (a preview's rebuild): only those the site lacks or holds an older file of
    (the generator replaces a changed file by a new one, so a link to the current file has
    its inode), and the site's exports of documents gone are removed. The folders are
    listed, never each file asked about: a listing gives each name's inode. Where no link
    can be made (the site on another file system, as a preview's temporary folder may be),
    the files are copied with their times, and a rebuild copies those whose size or time
    differ."""
    if not generated_folder_is_ours(docs_dir):
        return 0
    source = os.path.join(docs_dir, urls.DOCUMENT_EXPORTS)
    target = os.path.join(site_dir, urls.DOCUMENT_EXPORTS)
    try:
        entries = sorted((entry.name, entry.inode()) for entry in os.scandir(source) if entry.is_file())
    except FileNotFoundError:
        entries = []
    present: dict[str, int] = {}
    if dirty:
        try:
            present = {entry.name: entry.inode() for entry in os.scandir(target)}
        except FileNotFoundError:
            pass
    written = 0
    wanted = set()
    copying = False
    for position, (name, inode) in enumerate(entries):
        if owns is not None and not owns(position):
            continue
        wanted.add(name)
        if present.get(name) == inode:
            continue
        from_path, to_path = os.path.join(source, name), os.path.join(target, name)
        if not copying:
            try:
                _hard_link(from_path, to_path)
                written += 1
                continue
            except OSError:
                copying = True
        if name in present and _same_copy(from_path, to_path):
            continue
        os.makedirs(target, exist_ok=True)
        if name in present:
            os.unlink(to_path)              # never write into a file the site may share
        shutil.copy2(from_path, to_path)
        written += 1
    for name in present.keys() - wanted:
        os.unlink(os.path.join(target, name))
    return written


def _same_copy(source: str, copy: str) -> bool:
    a, b = os.stat(source), os.stat(copy)
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def _link_or_copy(file: File, dirty: bool = False) -> None:
    """``File.copy_file``, by a hard link when one can be made."""
    if dirty and not file.is_modified():
        return
    try:
        _hard_link(file.abs_src_path, file.abs_dest_path)
    except OSError:
        File.copy_file(file, dirty)


def _hard_link(source: str, target: str) -> None:
    """A hard link to ``source`` at ``target``, replacing any file there, its folder made
    if missing. The link is tried first: in a clean build the folder is nearly always
    there already and the target never is, and checking both for each of 30,000 files
    cost four system calls a file."""
    try:
        os.link(source, target)
    except FileExistsError:
        os.unlink(target)
        os.link(source, target)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.link(source, target)


def _to_the_end(files, moved) -> None:
    """Put ``moved`` (files of ``files``) after the others, in their own order: MkDocs
    takes the pages in the order of ``files``."""
    for file in moved:
        files.remove(file)
        files.append(file)


class CorpusPlugin(BasePlugin):
    def __init__(self):
        self._stashes: dict[str, rawhtml.Stash] = {}
        self._command: str | None = None
        self._dirty = False
        self._stop_watching_docs = None        # mkdocs serve: stops watch_docs' watch
        self._shard: Shard | None = None
        self._files = None
        self._elsewhere: set[str] = set()      # files another shard builds
        self._in_nav: set[str] = set()         # pages every shard renders
        self._discarded: set[str] = set()      # pages rendered here only for the navigation
        self._divided_digest = ""
        self._noise: _ShardNoise | None = None
        self._reuse = False                    # reuse work across the pages outside the navigation
        self._nav = None
        self._nav_files: set = set()           # the navigation pages' File objects
        self._markdown = None                  # the build's one Python-Markdown instance, once made
        self._memo: mkdocs_reuse.MarkdownMemo | None = None
        self._frames: mkdocs_reuse.FrameMemo | None = None
        self._partials: mkdocs_reuse.PartialCache | None = None
        self._search_pages: _SearchPages | None = None
        self._first: set | None = None         # files converted first, until the search pages are sent
        self._order: list | None = None        # the files' order, put back in on_env

    # ---- the generated pages' HTML blocks -------------------------------------------------

    def on_page_markdown(self, markdown, page, config, files):
        text, store = rawhtml.stash(markdown)
        if store.regions:
            self._stashes[page.file.src_uri] = store
        return text

    def on_page_content(self, html, page, config, files):
        store = self._stashes.pop(page.file.src_uri, None)
        if store is None:
            return html
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= rawhtml.anchor_ids(store)
        return rawhtml.restore(html, store)

    # ---- shards ---------------------------------------------------------------------------

    def on_startup(self, *, command, dirty):
        self._command = command
        self._dirty = dirty
        use_own_get_files()

    def on_config(self, config):
        self._shard = self._shard_to_build(config)
        self._elsewhere, self._in_nav, self._discarded = set(), set(), set()
        self._reuse = self._can_reuse(config)
        self._nav, self._nav_files, self._markdown, self._partials, self._frames = None, set(), None, None, None
        self._memo = mkdocs_reuse.MarkdownMemo() if self._reuse else None
        return config

    def _shard_to_build(self, config) -> Shard | None:
        """The shard named by ``CORPUS_SHARD``, if any, once checked that it can be built."""
        value = os.environ.get(SHARD_VARIABLE, "").strip()
        if not value:
            return None
        try:
            shard = Shard.parse(value)
        except ValueError as exc:
            raise PluginError(f"{SHARD_VARIABLE}: {exc}") from exc
        if self._command not in (None, "build"):
            raise PluginError(f"{SHARD_VARIABLE} is for 'mkdocs build' only, not '{self._command}'")
        others = self._other_plugins(config)
        if others:
            # Another plugin may write site-wide files (a search index...) from the pages it saw.
            raise PluginError(f"{SHARD_VARIABLE}: a sharded build supports no other plugin than {NAME} "
                              f"(found: {', '.join(others)})")
        return shard

    def _other_plugins(self, config) -> list[str]:
        return sorted(name for name, plugin in config.plugins.items() if plugin is not self)

    def on_serve(self, server, config, builder):
        self._stop_watching_docs = watch_docs(server, config.docs_dir)
        return server

    def on_files(self, files, config):
        files = without_document_exports(files, config)
        link_generated_files(files, config.docs_dir)
        files = self._divide(files, config)
        self._search_pages = _SearchPages.of(files, self._elsewhere) if self._sends_search_pages(config) else None
        return files

    def _sends_search_pages(self, config) -> bool:
        """Whether this process writes the hand-written pages' HTML for the search index: it
        is asked to, it writes those pages, and no other plugin changes them after this one."""
        return (bool(os.environ.get(SEARCH_PAGES_VARIABLE, "").strip()) and self._command in (None, "build")
                and (self._shard is None or self._shard.is_first) and not self._other_plugins(config))

    def _divide(self, files, config):
        """This shard's part of ``files`` (the others' marked excluded); all of them unsharded."""
        if self._shard is None:
            return files
        self._files = files
        self._in_nav = nav_pages(config, files)
        pages, static = divided_pages(files, self._in_nav), divided_static_files(files)
        self._divided_digest = hashlib.sha256("\n".join(pages + ["", *static]).encode()).hexdigest()
        for divided in (pages, static):
            for position, src_uri in enumerate(divided):
                if not self._shard.owns(position):
                    self._exclude(files.get_file_from_path(src_uri))
        if not self._shard.is_first:
            # the navigation's pages are rendered here for their titles; shard 1 writes them and the templates
            self._discarded = {f.src_uri for f in files.documentation_pages() if f.src_uri in self._in_nav}
            self._discarded |= set(config.theme.static_templates) | set(config.extra_templates)
        self._quieten_other_shards_pages()
        return files

    def _quieten_other_shards_pages(self) -> None:
        self._noise = _ShardNoise(self._elsewhere | self._discarded)
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).addFilter(self._noise)

    def _exclude(self, file) -> None:
        file.inclusion = InclusionLevel.EXCLUDED
        self._elsewhere.add(file.src_uri)

    # ---- reuse across the pages outside the navigation ----------------------------------------

    def _can_reuse(self, config) -> bool:
        """Whether this build may reuse work across pages (see mkdocs_reuse.py): not when
        turned off, nor with versions of MkDocs or Material its code was not checked
        against, nor with another theme than Material (whose partials it reuses), nor with
        another plugin (it could change what a page's context holds)."""
        return (os.environ.get(mkdocs_reuse.REUSE_VARIABLE, "").strip() != "0"
                and config.theme.name == "material"
                and mkdocs_reuse.versions_checked() and not self._other_plugins(config))

    def on_nav(self, nav, config, files):
        self._nav = nav
        self._nav_files = {page.file for page in nav.pages}
        self._put_search_pages_first(files)
        return nav

    def _put_search_pages_first(self, files) -> None:
        """Have MkDocs convert the navigation's pages and the pages the search index reads
        before the others (it converts pages in the files' order, which on_env puts back:
        the sitemap and the order pages are written in stay MkDocs's own), so that the
        search pages can be rendered, with every title the navigation shows, as soon as
        the first other page comes (on_pre_page)."""
        if self._search_pages is None:
            return
        first = self._nav_files | {files.get_file_from_path(src_uri) for src_uri in self._search_pages.wanted}
        self._order = list(files)
        _to_the_end(files, [file for file in self._order if file not in first])
        self._first = first

    def _restore_order(self, files) -> None:
        if self._order is not None:
            _to_the_end(files, self._order)
            self._order = None

    def on_pre_page(self, page, config, files):
        """A page outside the navigation is converted with the build's one Python-Markdown
        instance, or takes the conversion of a page of the same shape (MarkdownMemo; MkDocs
        calls ``page.render``: the page's own attribute, set here, comes before the method of
        its class). The first page after the navigation's sends the search pages."""
        if self._first is not None and page.file not in self._first:
            self._first = None
            self._send_search_pages_now(config.theme.get_env(), config, files)
        if self._reuse and self._nav is not None and page.file not in self._nav_files:
            if self._markdown is None:
                self._markdown = mkdocs_reuse.new_markdown(config)
            src_uri = page.file.src_uri
            page.render = functools.partial(mkdocs_reuse.render_markdown, page, self._markdown, memo=self._memo,
                                            stash=lambda: self._stashes.get(src_uri))
        return page

    def on_env(self, env, config, files):
        if self._reuse and self._nav is not None:
            frames = mkdocs_reuse.frame_templates_checked(env, env.loader)    # before the partials' stubs
            self._partials = mkdocs_reuse.PartialCache.install(env, self._nav, config)
            if frames:
                self._frames = mkdocs_reuse.FrameMemo(self._nav_files)
                mkdocs_reuse.route_page_templates(env, self._frames)
        self._restore_order(files)
        self._first = None
        self._send_search_pages_now(env, config, files)     # if no page came after them
        return env

    def _send_search_pages_now(self, env, config, files) -> None:
        """Render the pages the search index reads now, as MkDocs will (its ``_build_page``,
        without writing them; ``env``, the theme's), and send them.

        MkDocs renders pages in path order: ``index.md`` and ``search.md`` came after every
        corpus page, at the end of a 10,000-document shard, and the index waited for them.
        They and the navigation's pages are converted by now (on_nav put them first);
        MkDocs renders them again in turn, to the same HTML (tests/test_build_e2e.py holds
        the index equal to the one made after MkDocs). A page that fails to render here is
        left to MkDocs, which reports it."""
        if self._search_pages is None or self._nav is None:
            return
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for src_uri in sorted(self._search_pages.wanted):
            page = files.get_file_from_path(src_uri).page
            if page is None:
                return
            config._current_page = page
            page.active = True
            try:
                context = get_context(self._nav, doc_files, config, page)
                template = env.get_template(page.meta.get("template", "main.html"))
                context = config.plugins.on_page_context(context, page=page, config=config, nav=self._nav)
                output = template.render(context)
            except Exception:       # noqa: BLE001 - MkDocs renders it again and reports the error
                return
            finally:
                page.active = False
                config._current_page = None
            if self._search_pages.add(page.file, output):
                self._search_pages = None
                return

    def on_template_context(self, context, template_name, config):
        """The sitemap of shard 1 lists the pages of every shard, in the order of one build."""
        if self._shard is None or template_name != "sitemap.xml":
            return context
        pages = []
        for file in self._files:
            if file.is_documentation_page() and (file.inclusion.is_included() or file.src_uri in self._elsewhere):
                if file.page is None:
                    Page(None, file, config)      # only its URL and date are read
                pages.append(file)
        context["pages"] = pages
        return context

    def on_post_page(self, output, page, config):
        if self._search_pages is not None and self._search_pages.add(page.file, output):
            self._search_pages = None                       # written: all of them were rendered
        return "" if page.file.src_uri in self._discarded else output   # MkDocs writes nothing for ""

    def on_post_template(self, output_content, template_name, config):
        return "" if template_name in self._discarded else output_content

    def on_post_build(self, config):
        link_document_exports(config.docs_dir, config.site_dir, self._shard.owns if self._shard else None,
                              self._dirty)
        if self._shard is None:
            return
        manifest = self._manifest(config)
        Path(config.site_dir, MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    def _manifest(self, config) -> dict:
        """What the merge needs: which shard this is, of which pages, and the fragment links
        this shard could not check with the ids that another shard will need to check them."""
        unchecked, anchors = [], {}
        for file in self._files.documentation_pages():
            if file.src_uri in self._in_nav or file.page is None:
                continue
            page = file.page
            if page.present_anchor_ids is not None:
                anchors[file.src_uri] = sorted(page.present_anchor_ids)
            for target, links in page.links_to_anchors.items():
                if target.src_uri in self._elsewhere:
                    unchecked += [[file.src_uri, target.src_uri, anchor, link] for anchor, link in links.items()]
        return {"shard": str(self._shard), "divided": self._divided_digest,
                "anchor_level": int(config.validation.links.anchors), "unchecked": unchecked, "anchors": anchors}

    def on_shutdown(self):
        if self._stop_watching_docs is not None:
            self._stop_watching_docs()
        if self._noise is not None:
            for name in _NOISY_LOGGERS:
                logging.getLogger(name).removeFilter(self._noise)


# ---- the merge's side (called by site.py, in its own process) ------------------------------

class ShardMismatch(Exception):
    pass


def check_manifests(manifests: list[dict]) -> None:
    """The shards are 1..N of one N, each once, all dividing the same pages."""
    shards = sorted((Shard.parse(m["shard"]) for m in manifests), key=lambda s: s.number)
    count = shards[0].count if shards else 0
    if [(s.number, s.count) for s in shards] != [(k, count) for k in range(1, count + 1)]:
        raise ShardMismatch(f"the shards are {', '.join(map(str, shards)) or 'none'}: expected 1/N to N/N, "
                            "each once")
    if len({m["divided"] for m in manifests}) != 1:
        raise ShardMismatch("the shards were built from different sets of pages (build them from the same "
                            "generated docs/)")


def cross_shard_anchor_problems(manifests: list[dict]) -> list[tuple[int, str]]:
    """MkDocs' check of links to fragments, for the links whose page and target were
    rendered by different shards: (log level, MkDocs' own message) for each broken one."""
    anchors: dict[str, set[str]] = {}
    for manifest in manifests:
        anchors.update((page, set(ids)) for page, ids in manifest["anchors"].items())
    problems = []
    for manifest in manifests:
        for source, target, anchor, link in manifest["unchecked"]:
            ids = anchors.get(target)
            if ids is not None and anchor not in ids:
                problems.append((manifest["anchor_level"], f"Doc file '{source}' contains a link '{link}', but "
                                 f"the doc '{target}' does not contain an anchor '#{anchor}'."))
    return problems


class _SearchPages:
    """The pages the search index reads from the built site (search.page_rule's "page"
    kind: the hand-written ones; the generated ones' records come from the model), kept
    as they are rendered (by the plugin, before MkDocs renders them again; or by MkDocs)
    and written to one file (JSON: their output paths and HTML) when the last has come,
    so that the index can be made before MkDocs ends."""

    def __init__(self, target: Path, wanted: set[str]):
        self.target = target
        self.wanted = wanted
        self.pages: dict[str, str] = {}

    @classmethod
    def of(cls, files, elsewhere: set[str]) -> "_SearchPages | None":
        """What to send of ``files``; None when one of the pages is another shard's to render
        (or there is none: the file is written at once)."""
        from .search import page_rule

        wanted = set()
        for file in files:
            if not file.is_documentation_page():
                continue
            rule = page_rule(PurePosixPath(file.dest_uri))
            if rule is None or rule[0] != "page":
                continue
            if file.src_uri in elsewhere:
                return None
            if file.inclusion.is_included():
                wanted.add(file.src_uri)
        found = cls(Path(os.environ[SEARCH_PAGES_VARIABLE]), wanted)
        return None if found.add(None, "") else found

    def add(self, file, output: str) -> bool:
        """Keep the page's HTML; True once every page is in and the file written."""
        if file is not None and file.src_uri in self.wanted:
            self.pages[file.dest_uri] = output
        if len(self.pages) < len(self.wanted):
            return False
        partial = self.target.with_name(self.target.name + ".part")
        partial.write_text(json.dumps(self.pages, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, self.target)
        return True
