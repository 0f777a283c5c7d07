"""Work MkDocs does again for every page, done once for the pages outside the navigation.

Used by the ``corpus-publisher`` plugin (mkdocs_plugin.py), for the pages outside the
navigation only (the generated ones: nearly all of a corpus), and only with the MkDocs and
Material versions whose code was read for it; the site is the same, byte for byte (tested
against a build with ``CORPUS_MKDOCS_REUSE=0``, which turns both off).

- :class:`PartialCache`: Material's partials that draw the navigation (the sidebar, the tabs,
  the palette toggle, the logo, the back-to-top button) show the same HTML on every page
  outside the navigation but for relative URLs. Each is rendered once per distinct input
  and its output reused.
- :func:`render_markdown`: MkDocs' ``Page.render`` with one Python-Markdown instance per
  build, ``reset()`` between pages, instead of a new instance (and a new set of extensions,
  a new parser) per page.
- :class:`MarkdownMemo`: once their HTML regions are stashed (rawhtml.py), the generated
  pages' Markdown comes in a few dozen shapes (the same headings around placeholders). A
  conversion that no page-dependent step touched (no link but to the page's own headings)
  is kept by its source, and a page of the same shape takes it with its own placeholders.
- :class:`FrameMemo`: Material's HTML around the content of pages of one folder and one
  layout differs only by a few values of the page (title, description, URL, content); it
  is rendered for the first, checked on the second, and filled in for the others.
"""

from __future__ import annotations

import copy
import logging
import re
import secrets
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
import markdown
import material.templates
import mkdocs
from jinja2 import meta, nodes
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import (Page, _ExtractAnchorsTreeprocessor, _ExtractTitleTreeprocessor,
                                    _RawHTMLPreprocessor, _RelativePathTreeprocessor)
from mkdocs.structure.toc import get_toc

from .rawhtml import PLACEHOLDER, Stash

REUSE_VARIABLE = "CORPUS_MKDOCS_REUSE"     # "0": MkDocs' own path for every page (for the tests)

# The partials reused. Their uses of ``page`` were read in Material 9.8 (CHECKED_MATERIAL): only
# comparisons with the navigation's items (``page in nav_item.pages``, ``index == page``,
# ``nav_item == page``; all false for a page outside the navigation) and what those comparisons
# guard (``page.toc``), plus the ``url`` filter. tests/test_reuse.py holds this list to the
# installed templates.
CACHED_PARTIALS = ("partials/nav.html", "partials/tabs.html", "partials/palette.html",
                   "partials/logo.html", "partials/top.html")
CHECKED_MATERIAL = "9.8."
CHECKED_MKDOCS = "1.6."                    # render_markdown is MkDocs 1.6's Page.render
_CONTEXT_OBJECTS = {"page", "nav", "config", "lang"}   # checked by PartialCache._key, not compared
_LANGUAGE = "partials/language.html"       # the template of the ``lang`` object base.html imports
_GLOBAL = "corpus_publisher_partial"       # what a reused partial's name loads: a call to the cache
_MATERIAL_TEMPLATES = Path(material.templates.__file__).resolve().parent
_pages_log = logging.getLogger("mkdocs.structure.pages")      # the logger Page.render consults


def versions_checked() -> bool:
    """Whether MkDocs and Material are the versions whose code this module was checked against."""
    return (mkdocs.__version__.startswith(CHECKED_MKDOCS)
            and version("mkdocs-material").startswith(CHECKED_MATERIAL))


# ---- the navigation's partials ------------------------------------------------------------

def partial_templates(env: jinja2.Environment, loader: jinja2.BaseLoader,
                      name: str) -> dict[str, nodes.Template] | None:
    """The template ``name`` and every template it includes or imports (with the language
    template, when one reads ``lang``), parsed; None when one of them is not Material's own
    (a project's ``custom_dir`` overrides it: what it reads from ``page`` was never checked),
    or is chosen as it renders and given the context (icons aside: SVG files, no template code)."""
    trees: dict[str, nodes.Template] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in trees:
            continue
        source, filename, _ = loader.get_source(env, current)
        if filename is None or not Path(filename).resolve().is_relative_to(_MATERIAL_TEMPLATES):
            return None
        trees[current] = tree = env.parse(source)
        for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport)):
            if isinstance(node.template, nodes.Const):
                todo.append(node.template.value)
            elif node.with_context and not _is_icon(node.template):
                return None
        if "lang" in meta.find_undeclared_variables(tree):
            todo.append(_LANGUAGE)
    return trees


def context_reads(env: jinja2.Environment, loader: jinja2.BaseLoader, name: str) -> frozenset[str] | None:
    """Every name the partial ``name`` or a template it includes may read from its context
    (None: see :func:`partial_templates`)."""
    trees = partial_templates(env, loader, name)
    if trees is None:
        return None
    return frozenset().union(*(meta.find_undeclared_variables(tree) for tree in trees.values()))


def _is_icon(expression: nodes.Expr) -> bool:
    """``".icons/" ~ ...``: an icon of Material's (or the project's) icon folders."""
    while isinstance(expression, nodes.Concat):
        expression = expression.nodes[0]
    return isinstance(expression, nodes.Const) and str(expression.value).startswith(".icons/")


class _Stubs(jinja2.BaseLoader):
    """The theme's templates, but each reused partial is a one-line template that asks the cache."""

    def __init__(self, theme: jinja2.BaseLoader, names: set[str]):
        self.theme, self.names = theme, names

    def get_source(self, environment: jinja2.Environment, template: str):
        if template in self.names:
            return f"{{{{ {_GLOBAL}({template!r}) }}}}", None, lambda: True
        return self.theme.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.theme.list_templates()


@dataclass
class _Partial:
    """A partial the cache serves."""

    name: str
    template: jinja2.Template        # Material's own partial
    reads: tuple[str, ...]           # the context names in its key (all it may read but _CONTEXT_OBJECTS)


@dataclass
class _Recording:
    """The ``url`` filter's inputs and outputs while a partial renders for the cache."""

    page: Any
    urls: dict[str, str] = field(default_factory=dict)
    intact: bool = True              # False: a template changed ``page`` under the filter


class PartialCache:
    """Material's navigation partials, rendered once per distinct input for the pages
    outside the navigation.

    Installed on the build's Jinja environment (:meth:`install`): the theme's loader gives a
    stub for each partial of CACHED_PARTIALS, so a ``{% include %}`` of it anywhere (Material's
    templates or the project's ``custom_dir``) goes through :meth:`render`.

    Why the key is complete. A partial's output is a function of what it reads:

    - from its context, by name: the names :func:`context_reads` finds in it and the templates
      it includes. ``page``, ``nav``, ``config`` and ``lang`` are checked (below); every other
      name's value (``features``, and any variable the including template set) is in the key,
      if it is plain data (else the page takes MkDocs' path).
    - ``page``: the partials only compare it with the navigation's items, which is false for a
      page whose file no navigation page has (``Page.__eq__`` compares files), so such a page
      reads as any other; other pages take MkDocs' path.
    - ``nav``: the build's navigation, whose titles and URLs are settled before any page is
      rendered; the only state that changes from page to page is ``active``, so a page
      rendered while any item is active takes MkDocs' path. ``config``: the build's.
      ``lang``: the translations base.html imports (a function of the configured language).
    - the ``url`` filter, which reads the page's URL: the cache records each URL the partial
      passed through it and what the filter made of it, and reuses an output only for a page
      on which the filter makes the same of every one of them. (A page on which the filter
      gives the same results replays the same render: each later call is made with the same
      input, so it too was recorded.)

    Filters other than ``url`` are Jinja's own (the test checks this of Material's partials).
    The cache lives for one build: ``mkdocs serve`` makes a new environment each time.
    """

    def __init__(self, nav: Navigation, config: MkDocsConfig, url: Callable, partials: dict[str, _Partial]):
        self.nav, self.config, self.url, self.partials = nav, config, url, partials
        self.nav_files = {page.file for page in nav.pages}
        self.nav_items = list(_walk(nav.items))
        self.outputs: dict[tuple, dict[tuple[str, ...], dict[tuple[str, ...], str]]] = {}
        self.recording: _Recording | None = None
        self.hits = self.misses = 0

    @classmethod
    def install(cls, env: jinja2.Environment, nav: Navigation, config: MkDocsConfig) -> PartialCache | None:
        """Route the reusable partials of ``env`` through a new cache (None: none is reusable)."""
        theme = env.loader
        partials = {}
        for name in CACHED_PARTIALS:
            reads = context_reads(env, theme, name)
            if reads is not None:
                partials[name] = _Partial(name, theme.load(env, name, env.globals),
                                          tuple(sorted(reads - _CONTEXT_OBJECTS)))
        if not partials:
            return None
        cache = cls(nav, config, env.filters["url"], partials)
        env.filters["url"] = cache._recording_url
        env.globals[_GLOBAL] = cache.render
        env.loader = _Stubs(theme, set(partials))
        return cache

    @jinja2.pass_context
    def _recording_url(self, context: jinja2.runtime.Context, value: Any) -> str:
        """MkDocs' ``url`` filter, noting its input and output while a partial renders for the cache."""
        output = self.url(context, value)
        if self.recording is not None:
            self.recording.urls[str(value)] = output
            if context.get("page") is not self.recording.page:
                self.recording.intact = False
        return output

    @jinja2.pass_context
    def render(self, context: jinja2.runtime.Context, name: str) -> Markup:
        """The partial ``name`` as Material renders it in ``context``: from the cache if it
        holds it for an equal key and the same URLs, else rendered (and kept)."""
        partial = self.partials[name]
        key = self._key(context, partial) if self.recording is None else None  # nested: part of the outer one
        if key is None:
            return Markup(_render(partial.template, context))
        variants = self.outputs.setdefault(key, {})
        for inputs, outputs in variants.items():
            found = outputs.get(tuple(self.url(context, value) for value in inputs))
            if found is not None:
                self.hits += 1
                return Markup(found)
        self.misses += 1
        self.recording = recording = _Recording(context.get("page"))
        try:
            html = _render(partial.template, context)
        finally:
            self.recording = None
        if recording.intact:
            variants.setdefault(tuple(recording.urls), {})[tuple(recording.urls.values())] = html
        return Markup(html)

    def _key(self, context: jinja2.runtime.Context, partial: _Partial) -> tuple | None:
        """What the partial's output depends on in ``context`` besides URLs, or None when the
        page must take MkDocs' path (see the class's docstring)."""
        page = context.get("page")
        if not isinstance(page, Page) or page.file in self.nav_files:
            return None
        if context.get("nav") is not self.nav or context.get("config") is not self.config:
            return None
        if getattr(context.get("lang"), "__name__", None) != _LANGUAGE:
            return None
        if any(getattr(item, "active", False) for item in self.nav_items):
            return None
        key = (partial.name, *(_frozen(context.resolve_or_missing(name)) for name in partial.reads))
        return None if _NOT_PLAIN in key else key


def _render(template: jinja2.Template, context: jinja2.runtime.Context) -> str:
    """``template`` rendered as ``{% include %}`` renders it where ``context`` is."""
    return template.environment.concat(template.root_render_func(template.new_context(context.get_all(), True)))


_PLAIN = (str, int, float, bool, type(None), type(jinja2.utils.missing))
_NOT_PLAIN = object()


def _frozen(value: Any) -> Any:
    """``value`` as a key that equals another only if both print the same: plain data (text,
    numbers, None, "not set", and lists of these), with its type (``1 == True``, but they
    print differently); :data:`_NOT_PLAIN` for anything else (an object may change from one
    page to the next and still compare equal)."""
    if isinstance(value, (list, tuple)):
        items = tuple(_frozen(item) for item in value)
        return _NOT_PLAIN if _NOT_PLAIN in items else (type(value), items)
    return (type(value), value) if type(value) in _PLAIN else _NOT_PLAIN


def _walk(items: list) -> Iterator:
    """Every item of a navigation, sections and their children."""
    for item in items:
        yield item
        yield from _walk(getattr(item, "children", None) or ())


# ---- Markdown ----------------------------------------------------------------------------

def render_markdown(page: Page, md: markdown.Markdown, config: MkDocsConfig, files: Files,
                    memo: "MarkdownMemo | None" = None, stash: Callable[[], Stash | None] | None = None) -> None:
    """MkDocs 1.6's ``Page.render`` (mkdocs/structure/pages.py) line for line, but with ``md``,
    reset, instead of a new Python-Markdown instance: the same conversion, link rewriting
    and checks, table of contents, title and anchors. ``md`` must be made as Page.render
    makes its own (:func:`new_markdown`). Python-Markdown documents ``reset()`` between two
    conversions as the way to reuse an instance; MkDocs' own processors are made anew for
    each page and replace the previous page's (they register under the same names).

    With ``memo`` and ``stash`` (what gives the page's stashed regions, see rawhtml.py), a
    page whose source has the shape of one converted before takes that conversion."""
    if page.markdown is None:
        raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
    shape = memo.shape(page.markdown, stash()) if memo is not None and stash is not None else None
    if shape is not None and memo.apply(shape, page):
        return
    md.reset()

    raw_html_ext = _RawHTMLPreprocessor()
    raw_html_ext._register(md)

    extract_anchors_ext = _ExtractAnchorsTreeprocessor(page.file, files, config)
    extract_anchors_ext._register(md)

    relative_path_ext = _WatchedLinks(page.file, files, config)
    relative_path_ext._register(md)

    extract_title_ext = _ExtractTitleTreeprocessor()
    extract_title_ext._register(md)

    page.content = md.convert(page.markdown)
    page.toc = get_toc(getattr(md, 'toc_tokens', []))
    page._title_from_render = extract_title_ext.title
    page.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
    if _pages_log.getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = relative_path_ext.links_to_anchors
    if shape is not None and not relative_path_ext.page_dependent:
        memo.keep(shape, page, getattr(md, 'toc_tokens', []))


class _WatchedLinks(_RelativePathTreeprocessor):
    """MkDocs' link rewriting, noting whether any link it saw depends on where the page is
    (anything but a link to a fragment of the page itself)."""

    def __init__(self, file: File, files: Files, config: MkDocsConfig) -> None:
        super().__init__(file, files, config)
        self.page_dependent = False

    def path_to_url(self, url: str) -> str:
        if not url.startswith("#"):
            self.page_dependent = True
        return super().path_to_url(url)


@dataclass(frozen=True)
class _Shape:
    """A page's stashed Markdown without its placeholders' nonce, and that nonce."""

    source: str
    nonce: str


@dataclass(frozen=True)
class _Conversion:
    pieces: tuple[str, ...]        # the HTML around the placeholders: text, region number, text...
    toc_tokens: list
    title: str | None
    anchors: frozenset[str]
    self_links: dict[str, str] | None     # the page's links to its own fragments (None: not recorded)


class MarkdownMemo:
    """Conversions of generated pages' stashed Markdown, by shape (see the module's docstring).

    A conversion is kept only when it could not depend on the page: its source holds no
    text that looks like a placeholder but the page's own ones, and MkDocs' link rewriting
    saw no link but to a fragment of the page itself (those are the page's own again on the
    page that takes the conversion). Python-Markdown's output is a function of its input
    and its extensions, which are the build's."""

    def __init__(self) -> None:
        self.conversions: dict[str, _Conversion] = {}
        self.hits = self.misses = 0

    @staticmethod
    def shape(markdown_text: str, stash: Stash | None) -> _Shape | None:
        """The page's shape, or None when it has no placeholders or has text that could be
        mistaken for one."""
        if stash is None or not stash.regions:
            return None
        count = len(stash.regions)
        if markdown_text.count("rawhtml") != count or markdown_text.count(stash.nonce) != count:
            return None
        return _Shape(markdown_text.replace(stash.nonce, ""), stash.nonce)

    def apply(self, shape: _Shape, page: Page) -> bool:
        """Give ``page`` the conversion kept for its shape; False when there is none."""
        found = self.conversions.get(shape.source)
        if found is None:
            self.misses += 1
            return False
        self.hits += 1
        pieces = list(found.pieces)
        placeholders = Stash(nonce=shape.nonce)
        for i in range(1, len(pieces), 2):
            pieces[i] = placeholders.paragraph(int(pieces[i]))
        page.content = "".join(pieces)
        page.toc = get_toc(found.toc_tokens)
        page._title_from_render = found.title
        page.present_anchor_ids = set(found.anchors)
        if found.self_links is not None:
            page.links_to_anchors = {page.file: dict(found.self_links)} if found.self_links else {}
        return True

    def keep(self, shape: _Shape, page: Page, toc_tokens: list) -> None:
        """Keep ``page``'s conversion (just made, by MkDocs' steps) for its shape."""
        pieces = PLACEHOLDER.split(page.content)
        if (len(pieces) - 1) // 3 != shape.source.count("rawhtml") or any(
                pieces[i] != shape.nonce for i in range(1, len(pieces), 3)):
            return                    # a placeholder lost, or one that is not this page's: not kept
        kept = tuple(piece for i, piece in enumerate(pieces) if i % 3 != 1)
        links = page.links_to_anchors
        if links is not None and set(links) - {page.file}:
            return
        self.conversions[shape.source] = _Conversion(
            kept, toc_tokens, page._title_from_render, frozenset(page.present_anchor_ids or ()),
            None if links is None else dict(links.get(page.file, {})))


def new_markdown(config: MkDocsConfig) -> markdown.Markdown:
    """A Python-Markdown instance made as MkDocs' ``Page.render`` makes one."""
    return markdown.Markdown(extensions=config['markdown_extensions'],
                             extension_configs=config['mdx_configs'] or {})


# ---- the page around the content ------------------------------------------------------------

# A title or description put into the page as it is by every filter Material applies to it
# (``striptags``, ``e`` in an attribute, none): no markup character, no quote, no run of spaces.
_PLAIN_TEXT = re.compile(r"[^\s&<>\"']+(?: [^\s&<>\"']+)*")
# One that goes into a frame as it is where the frame showed that character references (the
# generated pages' titles are escaped: &quot; &amp; &#x27;) and runs of these spaces reach
# every place unchanged (_Frame.verbatim): a filter may unescape a reference (striptags),
# escape or encode it, and collapse whitespace. The probe holds each of them.
_FILLABLE = re.compile(r"[^\s<>\"']+(?:[ \t\n\u00a0]+[^\s<>\"']+)*")
_PROBE = "&amp;  \t\n\u00a0x"
_PLAIN_URL = re.compile(r"[A-Za-z0-9:/._~%-]+")
_ABSENT = object()


@dataclass(frozen=True)
class _Frame:
    """A page's HTML cut where the page's own values go: text, sentinel, text..."""

    pieces: tuple[str, ...]
    verbatim: bool      # references and runs of spaces in a title or description come out as they went in

    def fill(self, values: dict[str, str]) -> str:
        return "".join(values[piece] if i % 2 else piece for i, piece in enumerate(self.pieces))

    def takes(self, title: str, description: str) -> bool:
        """Whether this frame may be filled with this title and description."""
        return self.verbatim or bool(_PLAIN_TEXT.fullmatch(title) and (not description
                                                                         or _PLAIN_TEXT.fullmatch(description)))


# What the page templates may read of ``page`` for FrameMemo: the values it fills in
# (title and description through ``meta``, content, canonical_url, url), and what its key
# holds (the rest of ``meta``, the table of contents, and the navigation links, parent and
# edit link, which it requires to be empty).
FRAME_PAGE_READS = frozenset({"title", "meta", "content", "canonical_url", "url", "toc", "is_homepage",
                              "previous_page", "next_page", "parent", "ancestors", "edit_url"})


def frame_templates_checked(env: jinja2.Environment, loader: jinja2.BaseLoader, name: str = "main.html") -> bool:
    """Whether the page template ``name`` and every template it extends, includes or imports
    read ``page`` only as ``page.<one of FRAME_PAGE_READS>`` (a project's overrides too).
    The navigation's partials are left out: PartialCache checks them. A template chosen as
    it renders is allowed only where Material chooses it (its language and analytics
    templates); the frames are checked on real pages anyway (FrameMemo)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen or current in CACHED_PARTIALS:
            continue
        seen.add(current)
        source, filename, _ = loader.get_source(env, current)
        tree = env.parse(source)
        material = filename is not None and Path(filename).resolve().is_relative_to(_MATERIAL_TEMPLATES)
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            if isinstance(node.template, nodes.Const):
                todo.append(node.template.value)
            elif not (material or _is_icon(node.template)):
                return False
        reads = [node for node in tree.find_all(nodes.Getattr)
                 if isinstance(node.node, nodes.Name) and node.node.name == "page"]
        uses = sum(1 for node in tree.find_all(nodes.Name) if node.name == "page")
        if uses != len(reads) or any(node.attr not in FRAME_PAGE_READS for node in reads):
            return False
    return True


class FrameMemo:
    """Material's page around the content, rendered once per group of pages outside the
    navigation and filled in for each of the others.

    Two pages outside the navigation, in the same folder, with the same table of contents
    and the same metadata but for their title and description, get the same HTML from
    Material but for five values: the title, the description, the canonical URL, the last
    part of the URL and the content (frame_templates_checked holds the templates to reading
    no more of the page than that). The first page of such a group is rendered by Material,
    and a second time with a sentinel for each of those values: the result, cut at the
    sentinels, is kept if filling it with the page's own values gives back what Material
    rendered, to the byte. The group's second page is rendered by Material too and checked
    the same way. Later pages whose title and description are plain text (``_PLAIN_TEXT``:
    no filter changes them; or ``_FILLABLE``, where the frame showed that its filters keep
    such text: ``_Frame.takes``) and whose URL is plain are filled in; any other page is
    rendered by Material."""

    def __init__(self, nav_files: set[File]):
        self.nav_files = nav_files
        self.frames: dict[tuple, tuple[_Frame, bool] | None] = {}     # (frame, checked on a second page)
        self.hits = self.misses = 0
        token = secrets.token_hex(8)
        self.sentinels = {name: f"corpusframe{token}{name}" for name in ("title", "description", "canonical",
                                                                         "urlname", "content")}
        self._probe_end = f"corpusframe{token}probe"     # after a probe that follows a title or description
        self._cut = re.compile("(" + "|".join([*self.sentinels.values(), self._probe_end]) + ")")

    def render(self, template: jinja2.Template, context: dict) -> str:
        """What ``template.render(context)`` gives."""
        page = context.get("page")
        key = self._key(template, context, page)
        entry = self.frames.get(key, _ABSENT) if key is not None else None
        values = self._values(page) if entry is not None else None
        if values is None:
            return template.render(context)
        title, description = page.meta["title"], page.meta.get("description") or ""
        if entry is _ABSENT:                    # the group's first page: the frame is made from it
            self.misses += 1
            frame = self._frame(template, context, page)
            if frame is None:
                self.frames[key] = None
                return template.render(context)
            if not frame.takes(title, description):     # a later page makes it
                return template.render(context)
            return self._checked(key, frame, False, template, context, values)
        frame, checked = entry
        if not frame.takes(title, description):
            return template.render(context)
        if not checked:                         # its second page: the frame is checked on it too
            return self._checked(key, frame, True, template, context, values)
        self.hits += 1
        return frame.fill(values)

    def _checked(self, key: tuple, frame: _Frame, second: bool, template: jinja2.Template, context: dict,
                 values: dict[str, str]) -> str:
        """Material's page; ``frame`` is kept for the group (as checked on a second page or
        not) if filled with the page's values it gives that page, to the byte, else none is."""
        output = template.render(context)
        self.frames[key] = (frame, second) if frame.fill(values) == output else None
        return output

    def _key(self, template: jinja2.Template, context: dict, page: Any) -> tuple | None:
        """What else than the five values the page's HTML depends on; None for a page that
        takes Material's path."""
        if not isinstance(page, Page) or page.file in self.nav_files or page.content is None:
            return None
        if (page.is_homepage or page.previous_page is not None or page.next_page is not None
                or page.parent is not None or page.ancestors or page.edit_url or not page.url.rstrip("/")):
            return None
        if "<h1" in page.content:       # partials/content.html writes the title as h1 when there is none
            return None
        meta = page.meta
        if not isinstance(meta.get("title"), str) or page.title != meta["title"]:
            return None
        description = meta.get("description", _ABSENT)
        if description is not _ABSENT and not isinstance(description, str):
            return None
        rest = tuple((name, _frozen(value)) for name, value in sorted(meta.items())
                     if name not in ("title", "description"))
        toc = _toc_key(page.toc)
        if any(value is _NOT_PLAIN for _, value in rest) or toc is None:
            return None
        head, _, _ = page.url.rstrip("/").rpartition("/")
        return (template.name, context.get("base_url"), head, page.url.endswith("/"), rest,
                description is _ABSENT, bool(description), toc, page.canonical_url is None,
                tuple(map(str, context.get("extra_css") or ())), tuple(map(str, context.get("extra_javascript") or ())))

    def _values(self, page: Page) -> dict[str, str] | None:
        """The page's five values, when they can be filled in as they are."""
        title, description = page.meta["title"], page.meta.get("description")
        if not _FILLABLE.fullmatch(title) or (description and not _FILLABLE.fullmatch(description)):
            return None
        canonical = page.canonical_url
        name = page.url.rstrip("/").rpartition("/")[2]
        if (canonical is not None and not _PLAIN_URL.fullmatch(canonical)) or not _PLAIN_URL.fullmatch(name):
            return None
        return {self.sentinels["title"]: title, self.sentinels["description"]: description or "",
                self.sentinels["canonical"]: canonical or "", self.sentinels["urlname"]: name,
                self.sentinels["content"]: page.content}

    def _frame(self, template: jinja2.Template, context: dict, page: Page) -> _Frame | None:
        """The page rendered with a sentinel for each value, cut at them; None if the
        template cut into a title or description.

        The title and description sentinels are followed by a probe (a character reference
        and whitespace) and an end sentinel: where the probe comes out changed, titles and
        descriptions with references or runs of whitespace are left to Material."""
        stand_in = copy.copy(page)
        stand_in.meta = {**page.meta, "title": self.sentinels["title"] + _PROBE + self._probe_end}
        if page.meta.get("description"):
            stand_in.meta["description"] = self.sentinels["description"] + _PROBE + self._probe_end
        stand_in.content = self.sentinels["content"]
        if page.canonical_url is not None:
            stand_in.canonical_url = self.sentinels["canonical"]
        head, slash, _ = page.url.rstrip("/").rpartition("/")
        stand_in.file = copy.copy(page.file)
        stand_in.file.url = head + slash + self.sentinels["urlname"] + ("/" if page.url.endswith("/") else "")
        return self._probed(self._cut.split(template.render({**context, "page": stand_in})))

    def _probed(self, cut: list[str]) -> _Frame | None:
        """The frame, each title and description sentinel's probe and end sentinel taken out."""
        pieces, verbatim, i = [cut[0]], True, 1
        probed = (self.sentinels["title"], self.sentinels["description"])
        while i < len(cut):
            sentinel = cut[i]
            if sentinel == self._probe_end:
                return None
            if sentinel in probed:
                if i + 2 >= len(cut) or cut[i + 2] != self._probe_end:
                    return None
                verbatim = verbatim and cut[i + 1] == _PROBE
                pieces += [sentinel, cut[i + 3]]
                i += 4
            else:
                pieces += [sentinel, cut[i + 1]]
                i += 2
        return _Frame(tuple(pieces), verbatim)


def _toc_key(items: Any) -> tuple | None:
    """A table of contents as plain data (None if it holds anything else)."""
    out = []
    for item in items or ():
        title, ident, level = getattr(item, "title", None), getattr(item, "id", None), getattr(item, "level", None)
        children = _toc_key(getattr(item, "children", None))
        if not isinstance(title, str) or not isinstance(ident, str) or not isinstance(level, int) or children is None:
            return None
        out.append((title, ident, level, children))
    return tuple(out)


class FramedTemplate:
    """A page template whose ``render`` goes through a :class:`FrameMemo`; anything else is
    the template's own."""

    def __init__(self, template: jinja2.Template, memo: FrameMemo):
        self._template = template
        self._memo = memo

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self._memo.render(self._template, dict(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)


def route_page_templates(env: jinja2.Environment, memo: FrameMemo, names: tuple[str, ...] = ("main.html",)) -> None:
    """Give MkDocs, which asks ``env`` for a page's template by name alone, the template of
    ``names`` through ``memo``; Jinja's own requests (extends, includes) name a parent and
    are left as they are."""
    get_template = env.get_template

    def routed(name, parent=None, globals=None):
        template = get_template(name, parent, globals)
        if parent is None and globals is None and name in names:
            return FramedTemplate(template, memo)
        return template

    env.get_template = routed
