"""The fast reader (yamlfast.py) gives exactly what the full reader (yamlstrict.py, PyYAML)
gives, or declines: never a different value or place, never a file the full reader refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools import yamlfast, yamlstrict
from build_tools.diagnostics import Diagnostics, Location
from build_tools.yamlstrict import YList, YMap, YScalar
from corpus_fixtures import REPO

SHARED_DATA = REPO.parent / "shared" / "data"


def full_reader(text: str, path: str = "f.yml") -> tuple[object, Diagnostics]:
    """What yamlstrict gives with the fast reader out of the way."""
    diagnostics = Diagnostics()
    original = yamlfast.parse
    yamlfast.parse = lambda text, path: None
    try:
        return yamlstrict.load_yaml(text, path, diagnostics), diagnostics
    finally:
        yamlfast.parse = original


def agree(text: str, path: str = "f.yml") -> bool:
    """Whether the fast reader took the file (it gave the full reader's nodes, as asserted)."""
    fast = yamlfast.parse(text, path)
    if fast is None:
        return False
    full, diagnostics = full_reader(text, path)
    assert not diagnostics.items, (text, diagnostics.items)
    assert fast == full, text
    return True


# ---- examples ---------------------------------------------------------------------------

LAYER = """\
# yaml-language-server: $schema=../../schemas/mentions.schema.json
mentions:
  # the outlet
  - entity: nadortoday
    quote: "ناظورتوداي"
    occurrence: all

  - entity: el-otmani
    quote: 'سعد الدين ''العثماني'''
    occurrence:
    - 1
    - 2
"""
EMPTY = "mentions: []\n"


def test_a_layer_file_is_read_with_its_places():
    assert agree(LAYER)
    root = yamlfast.parse(LAYER, "a/mentions.yml")
    first = root.get("mentions").items[0]
    assert root.loc == Location("a/mentions.yml", 2, 1)
    assert root.get("mentions").loc == Location("a/mentions.yml", 4, 3)
    assert first.get("quote") == YScalar("ناظورتوداي", Location("a/mentions.yml", 5, 12), quoted=True)
    second = root.get("mentions").items[1]
    assert second.get("quote").value == "سعد الدين 'العثماني'"
    assert second.get("occurrence") == YList((YScalar("1", Location("a/mentions.yml", 11, 7)),
                                              YScalar("2", Location("a/mentions.yml", 12, 7))),
                                             Location("a/mentions.yml", 11, 5))
    assert isinstance(second, YMap) and second.keys["entity"] == Location("a/mentions.yml", 8, 5)
    assert agree(EMPTY) and yamlfast.parse(EMPTY, "m.yml").get("mentions") == YList((), Location("m.yml", 1, 11))


@pytest.mark.parametrize("text", [
    "a: [1, 2]\n",                      # flow collection
    "a: {}\n",
    "- []\n",
    "a: |\n  text\n",                   # block scalar
    "a: one\n  two\n",                  # a value continued on the next line
    "a: one # note\n",                  # a comment after a value
    "a: one \n",                        # a trailing space
    "a:\tone\n",                        # a tab
    "a: &x one\nb: *x\n",               # anchor and alias
    "a: !!str one\n",                   # tag
    "---\na: one\n",                    # document marker
    "a:\nb: two\n",                     # an empty value
    "a: one\na: two\n",                 # a duplicate key
    "a: one\u2028two\n",                # a character YAML reads as a line break
    "a: \"x\\ty\"\n",                   # an escape
    "a: b: c\n",                        # a mapping where a value is
    "- a\n- b\n",                       # a list at the root
    "a:\n  - b\n - c\n",                # a stray indentation
    "a: 'x' y\n",                       # text after a quoted value
    "a: one\r\nb: two\r\n",             # CRLF
    "\ufeffa: one\n",                   # byte-order mark
])
def test_other_shapes_are_left_to_the_full_reader(text):
    assert yamlfast.parse(text, "f.yml") is None


def test_problems_are_left_to_the_full_reader():
    """A duplicate key is the full reader's to report, with both places."""
    text = "entities:\n- id: a\n  name: x\n  name: y\n"
    assert yamlfast.parse(text, "f.yml") is None
    _, diagnostics = full_reader(text)
    assert [d.code for d in diagnostics.items] == ["duplicate-key"]


def test_nesting_deeper_than_the_limit_is_left_to_the_full_reader():
    deep = "".join(f"{'  ' * i}k{i}:\n" for i in range(yamlstrict.MAX_DEPTH + 2)) + \
        f"{'  ' * (yamlstrict.MAX_DEPTH + 2)}v: x\n"
    assert yamlfast.parse(deep, "f.yml") is None
    shallow = "".join(f"{'  ' * i}k{i}:\n" for i in range(5)) + f"{'  ' * 5}v: x\n"
    assert agree(shallow)


# ---- generated files ----------------------------------------------------------------------

TEXT = st.text(alphabet=st.sampled_from(list("abc xyz019") + list("كتب المغرب") + list("'\":#-&*!|>%@,[]{}?\\~")
                                        + ["\n", "\t", " ", "\u00a0", "\u2028"]), max_size=12)
KEY = st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True)
VALUES = st.recursive(TEXT, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                    st.dictionaries(KEY, inner, min_size=1, max_size=3)),
                      max_leaves=12)
ROOTS = st.dictionaries(KEY, VALUES, min_size=1, max_size=4)


def naive(value, indent: int = 0, style: str = "plain") -> str:
    """A careless writer: plain values as they are (often not valid YAML, or not what was meant)."""
    pad = " " * indent
    if isinstance(value, dict):
        return "".join(f"{pad}{key}:" + (f" {naive(item, 0, style).strip()}\n" if isinstance(item, str)
                                         else "\n" + naive(item, indent + 2, style))
                       for key, item in value.items())
    if isinstance(value, list):
        return "".join(f"{pad}- {naive(item, indent + 2, style).strip()}\n" for item in value)
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return '"' + value + '"'
    return value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROOTS, st.sampled_from([2, 4]), st.sampled_from([20, 80, 10_000]))
def test_what_pyyaml_writes_is_read_alike(data, indent, width):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, indent=indent, width=width,
                          default_flow_style=False)
    agree(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROOTS, st.sampled_from(["plain", "single", "double"]), st.data())
def test_what_a_careless_hand_writes_is_read_alike_or_left(data, style, draw):
    """Hand-written files: values as typed, comment and blank lines, trailing spaces, another
    indentation here and there. Whatever the fast reader takes, the full one reads the same
    (and without a problem)."""
    lines = naive(data, 0, style).split("\n")
    edits = draw.draw(st.lists(st.tuples(st.integers(0, max(0, len(lines) - 1)),
                                         st.sampled_from(["# note", "", "  # indented note", "TRAIL", "INDENT",
                                                          "DEDENT"])), max_size=3))
    for position, edit in edits:
        if edit == "TRAIL":
            lines[position] += " "
        elif edit == "INDENT":
            lines[position] = " " + lines[position]
        elif edit == "DEDENT":
            lines[position] = lines[position][1:]
        else:
            lines.insert(position, edit)
    agree("\n".join(lines))


def test_what_pyyaml_writes_is_mostly_taken():
    """The fast reader is not a dead branch: it takes the usual shapes."""
    taken = sum(agree(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000))
                for data in ({"mentions": [{"entity": "e1", "quote": "المغرب", "occurrence": [1, 2]}]},
                             {"claims": [{"id": "c-1", "claimant": "e1", "about": ["e2"], "quote": "قال: نعم"}]},
                             {"title": 'مخرج "غدوة حيّ" : الفيلم', "language": "ar"},
                             {"entities": [{"id": "e1", "type": "person", "name": "سعد", "label": "Saad"}]}))
    assert taken == 4


# ---- real files ------------------------------------------------------------------------------

def yaml_files(root: Path) -> list[Path]:
    return sorted([*root.glob("annotations/**/*.yml"), *root.glob("corpus/*.yml")])


def test_the_seed_files_are_read_alike():
    files = yaml_files(REPO)
    assert files
    for path in files:
        agree(path.read_text(encoding="utf-8"), path.name)


ANT_ARCHIVE = SHARED_DATA / "ant-news" / "ant_corpus_v1.1.tar.gz"


@pytest.mark.skipif(not ANT_ARCHIVE.is_file(), reason="the shared ANT news data is absent")
def test_the_benchmark_corpus_files_are_read_alike_and_fast(tmp_path):
    """Every file of a benchmark corpus (bench/antcorpus.py, written by PyYAML) is taken."""
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    try:
        import antcorpus
    finally:
        sys.path.pop(0)
    articles = antcorpus.read_articles(ANT_ARCHIVE, limit=60)
    antcorpus.write_project(articles, 200, tmp_path / "p", REPO)
    files = yaml_files(tmp_path / "p")
    taken = sum(agree(path.read_text(encoding="utf-8"), path.name) for path in files)
    assert len(files) > 100 and taken == len(files)
