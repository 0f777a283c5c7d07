"""Reusing work across the pages outside the navigation (build_tools/mkdocs_reuse.py) changes
how fast MkDocs builds, never what it writes: a site built with reuse and one built without
(``CORPUS_MKDOCS_REUSE=0``) are the same files, byte for byte, and MkDocs reports the same
problems."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes
from mkdocs.commands.build import build
from mkdocs.config import load_config

from build_tools import mkdocs_reuse
from build_tools.mkdocs_plugin import NAME, SHARD_VARIABLE
from corpus_fixtures import FIXTURE_MKDOCS, REPO
from sitecheck import copy_sources, differences

# The fixture's site with what the reused partials draw: tabs, sections (one with an index
# page, one without), a link, the palette toggle, the back-to-top button.
_HEAD, _NAV, _TAIL = FIXTURE_MKDOCS.partition("nav:\n")
NAV_MKDOCS = (_HEAD + _NAV + _TAIL[_TAIL.index("not_in_nav:"):]).replace("nav:\n", """\
nav:
  - index.md
  - الوثائق:
    - corpus/index.md
    - corpus/claims.md
  - المراجع:
    - corpus/entities/index.md
    - corpus/quotes.md
    - notes/nav/page.md
  - موقع: https://example.org/
""").replace("  font: false\n", """\
  font: false
  features:
    - navigation.tabs
    - navigation.indexes
    - navigation.top
  palette:
    - scheme: default
      toggle:
        icon: material/weather-night
        name: داكن
    - scheme: slate
      toggle:
        icon: material/weather-sunny
        name: فاتح
""") + "plugins:\n  - corpus-publisher\n"
assert NAV_MKDOCS.count("navigation.tabs") == 1 and "notes/nav/page.md" in NAV_MKDOCS

# Hand-written pages: one in the navigation, three outside it at depths 1 to 3, with what
# MkDocs rewrites and checks (links, fragments, a broken one of each) and a table of contents;
# a reference a-notes.md defines and notes/c.md, converted later, uses without defining it.
PAGES = {
    "docs/notes/nav/page.md": "# صفحة في القائمة\n\n## قسم {#section}\n\nانظر [الملاحظات](../../a-notes.md#there).\n",
    "docs/a-notes.md": "# ملاحظات\n\n## هناك {#there}\n\nانظر [العمق](notes/deep/more/b.md#down) "
                       "و[المفقود](notes/deep/more/b.md#missing) و[غائب](absent.md) و[مرجع][ref].\n\n"
                       "[ref]: https://example.org/ref\n",
    "docs/notes/deep/more/b.md": "# عميق\n\n<div markdown id=\"down\">\n\n*نص* داخل HTML.\n\n</div>\n\n"
                                 "| أ | ب |\n| - | - |\n| 1 | 2 |\n\n## الوثيقة\n\n"
                                 "[وثيقة](../../../corpus/documents/sample.md) و[القائمة](../../nav/page.md#section)\n",
    "docs/notes/c.md": "---\ntitle: عنوان من البيانات\n---\n\nنص بلا عنوان و[مرجع][ref] غير معرف هنا.\n",
}
# Pages with HTML regions (as generated pages have them) in two shapes, each at two depths:
# one links only to its own headings (a broken one too), so its conversion is reused; the
# other links to another page, so it is converted for each page.
_REGION = "<!-- raw-html -->\n<p id=\"r-{0}\">منطقة {0}</p>\n<!-- /raw-html -->\n\n"
_SELF_LINKS = "## قسم\n\n" + _REGION + "انظر [القسم](#قسم) و[لا شيء](#nowhere).\n\n" + _REGION
_OTHER_LINK = "## قسم\n\n" + _REGION + "انظر [الملاحظات](../a-notes.md#there).\n"
# Pages of one folder and one layout, with titles and descriptions in front matter: the first
# lends its frame (checked on the second) to the fifth and to the sixth, whose title and
# description hold character references as generated pages' do (escaped), and two spaces; the third's title has
# quotes (Material's filters would change them), the fourth has an h1 of its own: both take
# Material's path.
_FRAMED = "---\ntitle: {0}\ndescription: {1}\n---\n\n## قسم\n\nنص الصفحة {2}.\n"
PAGES.update({
    "docs/framed/one.md": _FRAMED.format("صفحة أولى", "وصف أول", "1"),
    "docs/framed/two.md": _FRAMED.format("صفحة ثانية", "وصف ثان", "2"),
    "docs/framed/three.md": _FRAMED.format("'صفحة \"ثالثة\"'", "وصف", "3"),
    "docs/framed/four.md": "---\ntitle: صفحة رابعة\n---\n\n# عنوان آخر\n\n## قسم\n\nنص.\n",
    "docs/framed/zz-five.md": _FRAMED.format("صفحة خامسة", "وصف خامس", "5"),
    "docs/framed/zz-six.md": _FRAMED.format('"صفحة  &quot;سادسة&quot; &amp; &lt;أخرى&gt;"', '"وصف &#x27;سادس&#x27;"', "6"),
    "docs/notes/self-one.md": _SELF_LINKS.format("1"),
    "docs/notes/deep/self-two.md": _SELF_LINKS.format("2"),
    "docs/notes/other-one.md": _OTHER_LINK.format("1"),
    "docs/notes/deep/other-two.md": _OTHER_LINK.format("2"),
})


def project(make_project, mkdocs_yml: str = NAV_MKDOCS, **extra: str) -> Path:
    root = make_project({"mkdocs.yml": mkdocs_yml, **PAGES, **extra})
    subprocess.run([sys.executable, "-m", "build_tools", "generate", "--root", str(root)], check=True,
                   capture_output=True)
    return root


@dataclass
class Built:
    """What one build reused, and the warnings MkDocs logged."""

    partials: set[str]          # the partials routed through the cache
    hits: int
    misses: int
    conversions_reused: int     # pages that took another page's Markdown conversion (MarkdownMemo)
    frames_reused: int          # pages filled into another page's frame (FrameMemo)
    markdown: bool              # whether pages were converted with the build's one instance
    warnings: list[str]


def build_site(root: Path, out: Path, monkeypatch, reuse: bool, dirty: bool = False) -> Built:
    """One MkDocs build in this process (read what the plugin reused right after it: MkDocs
    keeps the plugin's instance for the next build of the same process, as ``mkdocs serve`` does)."""
    monkeypatch.setenv(mkdocs_reuse.REUSE_VARIABLE, "1" if reuse else "0")
    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(out))
        build(config, dirty=dirty)
    finally:
        logger.removeHandler(handler)
    plugin = config.plugins[NAME]
    cache = plugin._partials
    return Built(set(cache.partials) if cache else set(), cache.hits if cache else 0, cache.misses if cache else 0,
                 plugin._memo.hits if plugin._memo else 0, plugin._frames.hits if plugin._frames else 0,
                 plugin._markdown is not None, warnings)


def same_site(root: Path, tmp_path: Path, monkeypatch) -> Built:
    """Build with and without reuse, check they are the same; what the build with reuse reused."""
    reused = build_site(root, tmp_path / "reuse", monkeypatch, reuse=True)
    plain = build_site(root, tmp_path / "plain", monkeypatch, reuse=False)
    assert (plain.partials, plain.markdown, plain.conversions_reused, plain.frames_reused) == (set(), False, 0, 0)
    assert differences(tmp_path / "reuse", tmp_path / "plain") == []
    assert reused.warnings == plain.warnings
    return reused


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1328400000")
    monkeypatch.delenv(SHARD_VARIABLE, raising=False)


# ---- byte for byte --------------------------------------------------------------------------

@pytest.mark.e2e
def test_the_fixture_site_is_the_same_with_and_without_reuse(make_project, tmp_path, monkeypatch):
    root = project(make_project)
    built = same_site(root, tmp_path, monkeypatch)
    # the reuse did happen: every partial, mostly from the cache; one Markdown instance
    assert built.partials == set(mkdocs_reuse.CACHED_PARTIALS)
    assert built.hits > built.misses > 0
    assert built.markdown
    # the page with links to its own headings lent its conversion to the one of the same shape
    # (the regions differ); the pages linking elsewhere did not
    assert built.conversions_reused == 1
    # pages of one folder and one layout were filled into the page Material rendered for the first
    assert built.frames_reused == 2
    assert "<title>صفحة خامسة - " in (tmp_path / "reuse/framed/zz-five/index.html").read_text(encoding="utf-8")
    six = (tmp_path / "reuse/framed/zz-six/index.html").read_text(encoding="utf-8")
    assert "<title>صفحة  &quot;سادسة&quot; &amp; &lt;أخرى&gt; - " in six
    assert '<meta name="description" content="وصف &#x27;سادس&#x27;">' in six
    # and MkDocs still checked the links of the pages converted with it, and of the reused conversion
    assert sum("'#nowhere'" in w for w in built.warnings) == 2, built.warnings
    assert any("'a-notes.md'" in w and "#missing" in w for w in built.warnings), built.warnings
    assert any("absent.md" in w for w in built.warnings), built.warnings
    page = (tmp_path / "reuse/notes/deep/more/b/index.html").read_text(encoding="utf-8")
    assert 'href="../../../nav/page/#section"' in page and 'class="md-tabs__link"' in page
    assert "[مرجع][ref]" in (tmp_path / "reuse/notes/c/index.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_the_repository_site_is_the_same_with_and_without_reuse(tmp_path, monkeypatch):
    """The project's own mkdocs.yml (strict, custom_dir, its hand-written pages) and seed corpus."""
    root = copy_sources(REPO, tmp_path / "repo")
    subprocess.run([sys.executable, "-m", "build_tools", "generate", "--root", str(root)], check=True,
                   capture_output=True)
    monkeypatch.setenv("SITE_URL", "https://example.org/corpus/")
    built = same_site(root, tmp_path, monkeypatch)
    assert built.hits > 0 and built.markdown


@pytest.mark.e2e
def test_a_shard_is_the_same_with_and_without_reuse(make_project, tmp_path, monkeypatch):
    root = project(make_project)
    monkeypatch.setenv(SHARD_VARIABLE, "2/3")
    assert same_site(root, tmp_path, monkeypatch).hits > 0


@pytest.mark.e2e
def test_a_dirty_rebuild_is_the_same_with_and_without_reuse(make_project, tmp_path, monkeypatch):
    """As ``mkdocs serve --dirty`` rebuilds the pages whose source changed."""
    root = project(make_project)
    build_site(root, tmp_path / "first", monkeypatch, reuse=False)
    for name in ("reuse", "plain"):
        shutil.copytree(tmp_path / "first", tmp_path / name)
    for changed in ("docs/a-notes.md", "docs/corpus/documents/sample.md"):
        path = root / changed
        path.write_text(path.read_text(encoding="utf-8") + "\nسطر جديد.\n", encoding="utf-8")
        os.utime(path, (path.stat().st_atime + 60, path.stat().st_mtime + 60))
    built = build_site(root, tmp_path / "reuse", monkeypatch, reuse=True, dirty=True)
    build_site(root, tmp_path / "plain", monkeypatch, reuse=False, dirty=True)
    assert differences(tmp_path / "reuse", tmp_path / "plain") == []
    rebuilt = {"differs: a-notes/index.html", "differs: corpus/documents/sample/index.html"}
    assert rebuilt <= set(differences(tmp_path / "reuse", tmp_path / "first"))
    assert built.hits > 0 and built.markdown


# ---- the cache's key ------------------------------------------------------------------------

@pytest.mark.e2e
def test_what_the_including_template_sets_is_in_the_key(make_project, tmp_path, monkeypatch):
    """A custom_dir main.html sets, per page, a variable the navigation's partial reads (when
    a section sets no value of its own): every page still shows its own."""
    main = '{% extends "base.html" %}\n{% set indeterminate = "i-" ~ page.url %}\n'
    root = project(make_project, NAV_MKDOCS.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"),
                   **{"overrides/main.html": main})
    built = same_site(root, tmp_path, monkeypatch)
    page = (tmp_path / "reuse/notes/deep/more/b/index.html").read_text(encoding="utf-8")
    assert "md-toggle i-notes/deep/more/b/" in page
    assert built.hits > 0        # the partials that do not read it are still reused


@pytest.mark.e2e
def test_a_page_template_that_reads_more_of_the_page_is_not_filled_in(make_project, tmp_path, monkeypatch):
    """A custom_dir main.html that reads what FrameMemo does not fill in (here the file's
    source path): every page is rendered by Material, and shows its own."""
    main = '{% extends "base.html" %}\n{% block site_meta %}{{ super() }}{% if page %}<meta name="src" content="{{ page.file.src_uri }}">{% endif %}{% endblock %}\n'
    root = project(make_project, NAV_MKDOCS.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"),
                   **{"overrides/main.html": main})
    built = same_site(root, tmp_path, monkeypatch)
    assert built.frames_reused == 0
    assert '<meta name="src" content="framed/zz-five.md">' in (tmp_path / "reuse/framed/zz-five/index.html").read_text(
        encoding="utf-8")


@pytest.mark.e2e
def test_a_title_a_template_unescapes_is_not_filled_in(make_project, tmp_path, monkeypatch):
    """A custom_dir main.html that writes the title through ``striptags`` (which turns
    ``&quot;`` into a quote): the frame still serves plain titles, not one with references."""
    main = ('{% extends "base.html" %}\n{% block htmltitle %}{% if page.meta and page.meta.title %}'
            '<title>{{ page.meta.title | striptags }}</title>{% else %}{{ super() }}{% endif %}{% endblock %}\n')
    root = project(make_project, NAV_MKDOCS.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"),
                   **{"overrides/main.html": main})
    built = same_site(root, tmp_path, monkeypatch)
    assert built.frames_reused == 1                 # zz-five, not zz-six
    six = (tmp_path / "reuse/framed/zz-six/index.html").read_text(encoding="utf-8")
    assert '<title>صفحة "سادسة" & <أخرى></title>' in six


@pytest.mark.e2e
def test_a_partial_the_project_overrides_takes_materials_path(make_project, tmp_path, monkeypatch):
    """A custom_dir nav-item.html may read anything of the page: the sidebar is not reused."""
    item = "{% macro render(nav_item, path, level, parent) %}<li>{{ page.title }}</li>{% endmacro %}\n"
    root = project(make_project, NAV_MKDOCS.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"),
                   **{"overrides/partials/nav-item.html": item})
    built = same_site(root, tmp_path, monkeypatch)
    assert "partials/nav.html" not in built.partials and "partials/tabs.html" in built.partials
    assert "<li>عميق</li>" in (tmp_path / "reuse/notes/deep/more/b/index.html").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_another_plugin_turns_reuse_off(make_project, tmp_path, monkeypatch):
    root = project(make_project, NAV_MKDOCS + "  - search\n")
    built = build_site(root, tmp_path / "site", monkeypatch, reuse=True)
    assert (built.partials, built.markdown) == (set(), False)


def test_another_theme_turns_reuse_off_and_builds(make_project, tmp_path, monkeypatch):
    """The reused partials are Material's: with MkDocs' own theme the plugin failed the
    build (TemplateNotFound: partials/nav.html); it now builds the pages MkDocs' way."""
    root = project(make_project, NAV_MKDOCS.replace("name: material", "name: mkdocs"))
    assert "name: mkdocs" in (root / "mkdocs.yml").read_text(encoding="utf-8")
    built = build_site(root, tmp_path / "site", monkeypatch, reuse=True)
    assert (built.partials, built.markdown) == (set(), False)
    assert (tmp_path / "site/corpus/documents/sample/index.html").is_file()


def material_partials() -> dict[str, dict[str, nodes.Template]]:
    config = load_config(str(REPO / "mkdocs.yml"))
    env = config.theme.get_env()
    found = {name: mkdocs_reuse.partial_templates(env, env.loader, name) for name in mkdocs_reuse.CACHED_PARTIALS}
    assert None not in found.values(), "a reused partial is not Material's own: nothing would be reused"
    return found


def page_uses(node: nodes.Node, parent: nodes.Node | None = None):
    """(kind of expression, line) of each use of ``page`` in a template."""
    if isinstance(node, nodes.Name) and node.name == "page":
        yield type(parent).__name__, node.lineno
    for child in node.iter_child_nodes():
        yield from page_uses(child, node)


def test_the_reused_partials_read_page_only_as_checked():
    """What PartialCache's key relies on, held to the installed Material: the partials use
    ``page`` only in comparisons with the navigation's items (false for a page outside it)
    and behind them, and no filter or test but Jinja's own and MkDocs' ``url``. A change
    here means reading the templates again before updating these lists."""
    uses, filters, tests = {}, set(), set()
    for trees in material_partials().values():
        for name, tree in trees.items():
            uses[name] = sorted(page_uses(tree))
            filters |= {node.name for node in tree.find_all(nodes.Filter)}
            tests |= {node.name for node in tree.find_all(nodes.Test)}
    assert {name: found for name, found in uses.items() if found} == {
        "partials/nav-item.html": [
            ("Assign", 62),       # {% set nav_item = page %}, inside {% if page in nav_item.pages %}
            ("Compare", 61),      # {% if page in nav_item.pages %}
            ("Getattr", 144),     # page.toc, inside {% elif nav_item == page %}
            ("Operand", 112),     # index == page
            ("Operand", 142),     # {% elif nav_item == page %}
        ],
        "partials/toc.html": [("Getattr", 9)],    # included inside {% elif nav_item == page %} only
    }
    assert filters - {"url"} <= set(jinja2.filters.FILTERS) and tests <= set(jinja2.tests.TESTS)
