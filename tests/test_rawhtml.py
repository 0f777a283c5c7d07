"""Raw HTML regions: stashed away from Python-Markdown and put back unchanged.

The plugin must change how fast pages build, never what they show: the same fixture site
built with and without it has the same article HTML, and every HTML block of every
generated page is inside a marked region (else the speed is silently lost).
"""

from __future__ import annotations

import html
import re
import subprocess
import sys

import markdown
import pytest
from hypothesis import given, settings, strategies as st

from build_tools import rawhtml
from build_tools.corpus import Project, require
from build_tools.pages import PageWriter
from corpus_fixtures import REPO, fixture_files, write_files

PAGE = """\
# عنوان

<!-- raw-html -->
<div id="a&amp;b" class="x"><p id="p-1">نص &lt;!-- /raw-html --&gt;</p>

<p>بعد سطر فارغ</p></div>
<!-- /raw-html -->

## قسم

<!-- raw-html -->
<ul><li id="two">اثنان</li></ul>
<!-- /raw-html -->
"""


def test_stash_leaves_one_placeholder_per_region_and_restore_puts_them_back():
    text, store = rawhtml.stash(PAGE)
    assert len(store.regions) == 2
    assert "<div" not in text and "<ul>" not in text
    assert text.count(store.token(0)) == 1 and text.count(store.token(1)) == 1
    assert "# عنوان" in text and "## قسم" in text
    converted = markdown.Markdown().convert(text)
    restored = rawhtml.restore(converted, store)
    assert store.regions[0] in restored and store.regions[1] in restored
    assert restored.index("<h1>") < restored.index(store.regions[0]) < restored.index("<h2>")
    assert rawhtml.anchor_ids(store) == {"a&b", "p-1", "two"}


def test_tokens_differ_per_page_so_text_cannot_forge_them():
    _, first = rawhtml.stash(PAGE)
    _, second = rawhtml.stash(PAGE)
    assert first.token(0) != second.token(0)


def test_a_lost_region_is_an_error_not_a_silent_gap():
    text, store = rawhtml.stash(PAGE)
    converted = markdown.Markdown().convert(text.replace(store.token(1), "gone"))
    with pytest.raises(ValueError, match="1 raw HTML region"):
        rawhtml.restore(converted, store)


def test_wrap_skips_empty_fragments():
    assert rawhtml.wrap("\n \n") == ""
    assert rawhtml.wrap("\n<p>x</p>\n") == "<!-- raw-html -->\n<p>x</p>\n<!-- /raw-html -->\n\n"


@given(st.lists(st.text(alphabet="<>&\"'#*_ \nابت-", max_size=30), min_size=1, max_size=5))
def test_any_escaped_content_comes_back_exactly(pieces):
    import html
    fragments = [f'<p id="x{i}">{html.escape(p)}</p>' for i, p in enumerate(pieces)]
    page = "# t\n\n" + "\n## s\n\n".join(rawhtml.wrap(f) for f in fragments)
    text, store = rawhtml.stash(page)
    assert store.regions == fragments
    restored = rawhtml.restore(markdown.Markdown().convert(text), store)
    assert [restored.count(f) >= 1 for f in fragments] == [True] * len(fragments)


def generated_pages(root):
    corpus, _ = require(Project(root))
    return PageWriter(corpus).all_pages()


@pytest.mark.parametrize("which", ["seed", "fixture"])
def test_every_html_block_of_every_generated_page_is_marked(which, tmp_path):
    root = REPO if which == "seed" else write_files(tmp_path, fixture_files())
    for rel, page in generated_pages(root).items():
        if not rel.endswith(".md"):
            continue
        text, store = rawhtml.stash(page)
        body = text.split("---\n", 2)[2] if text.startswith("---\n") else text
        stray = [line for line in body.splitlines() if line.startswith("<")]
        assert stray == [], f"{rel}: HTML outside a raw-html region: {stray[:2]}"
        assert store.regions, rel


@pytest.mark.e2e
def test_the_plugin_changes_speed_not_pages(make_project, tmp_path):
    """The fixture site built with and without the plugin: same article HTML, up to blank
    lines between blocks and the marker comments (strict: fragment links still check)."""
    root = make_project()
    subprocess.run([sys.executable, "-m", "build_tools", "generate", "--root", str(root)], check=True,
                   capture_output=True)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    with_plugin = config + "plugins:\n  - corpus-publisher\n"
    without = config + "plugins: []\n"
    sites = {}
    for name, text in (("with", with_plugin), ("without", without)):
        (root / "mkdocs.yml").write_text(text, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d",
                                 str(tmp_path / name)], cwd=root, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        sites[name] = tmp_path / name
    pages = sorted(p.relative_to(sites["with"]) for p in (sites["with"] / "corpus").rglob("index.html"))
    assert len(pages) >= 10
    article = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
    for rel in pages:
        a, b = ((sites[n] / rel).read_text(encoding="utf-8") for n in ("with", "without"))
        # without the plugin the markers stay in the page as comments
        body_a, body_b = (re.sub(r"\n+", "\n", re.sub(r"<!-- /?raw-html -->", "", article.search(x).group(1)))
                          for x in (a, b))
        assert body_a == body_b, rel
    # the exports are hard-linked from the generated folder, not copied: the same files
    exports = sorted(p.relative_to(root / "docs") for p in (root / "docs/corpus/exports").rglob("*") if p.is_file())
    assert len(exports) >= 10
    for rel in exports:
        source = root / "docs" / rel
        linked, copied = sites["with"] / rel, sites["without"] / rel
        assert linked.read_bytes() == copied.read_bytes() == source.read_bytes(), rel
        assert linked.stat().st_ino == source.stat().st_ino != copied.stat().st_ino, rel
    hand_written = sites["with"] / "index.html"
    assert hand_written.stat().st_nlink == 1          # pages and hand-written files are MkDocs's own


# ---- the regions are found as the pattern finds them --------------------------------------

_PIECES = st.sampled_from(["<!-- raw-html -->", "<!-- /raw-html -->", "\n", "\n\n", "x", "<p id=\"a\">ن</p>", " ",
                           "<!-- raw-html -->\n", "\n<!-- /raw-html -->", "<!-- /raw-html --> "])


# What a marked region is, as a pattern (stash() finds the same regions with str.find).
REGION = re.compile(r"^<!-- raw-html -->\n(.*?)\n?^<!-- /raw-html -->$", re.M | re.S)


def _by_pattern(markdown: str) -> tuple[str, list[str]]:
    """REGION.sub, the definition stash() follows."""
    regions: list[str] = []

    def put(match):
        regions.append(match.group(1))
        return f"\n\n@{len(regions) - 1}@\n\n"

    return REGION.sub(put, markdown), regions


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_stash_finds_the_regions_the_pattern_finds(markdown):
    text, store = rawhtml.stash(markdown)
    for number in range(len(store.regions)):
        text = text.replace(store.token(number), f"@{number}@")
    assert (text, store.regions) == _by_pattern(markdown)


# ---- the ids are found as the pattern finds them ------------------------------------------

# What an id is, as a pattern (ids_in finds the same values with str.find).
ID = re.compile(r'<[a-zA-Z][^>]*?\sid="([^"]*)"')
_HTML_PIECES = st.sampled_from(['id="', ' id="', '\nid="', '"', "<", ">", "<p", "<a ", "<1 ", "x", " ", "&amp;",
                                "\u00a0", "ن", '<span class="m" id="m-1">', "</span>", "<!-- c -->"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=16).map("".join))
def test_ids_in_finds_what_the_pattern_finds(fragment):
    assert rawhtml.ids_in(fragment) == [html.unescape(m.group(1)) for m in ID.finditer(fragment)]


def test_ids_in_takes_the_first_id_of_a_tag():
    assert rawhtml.ids_in('<a id="x" id="y"><b\tid="z&amp;w">') == ["x", "z&w"]
