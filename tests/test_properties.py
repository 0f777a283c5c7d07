"""Property tests on loading and anchoring (hypothesis)."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_tools.anchoring import TextIndex, resolve_anchor
from build_tools.corpus import Project, load_and_resolve
from build_tools.diagnostics import Diagnostics
from build_tools.loading import Fields, read_anchor
from build_tools.yamlstrict import YMap, load_yaml
from corpus_fixtures import fixture_files, write_files

ALPHABET = list("ابتثجحخدرسشصعفقكلمنهويةىأإآء ") + ["\u00a0", ":", "#", "-", "'", '"', "“", "”", "2", "0",
                                                      "\u064e", "\u0651", "😀", "\u200f", "\n", "A"]


@st.composite
def text_and_span(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=2, max_size=80))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 20)))
    use_context = draw(st.booleans())
    before = draw(st.integers(0, 4)) if use_context else 0
    after = draw(st.integers(0, 4)) if use_context else 0
    return text, start, end, before, after


def contributor_anchor(text: str, start: int, end: int, before: int, after: int) -> dict:
    """The YAML a careful contributor would write for a span: quote, context, occurrence."""
    quote = text[start:end]
    entry = {"entity": "e", "quote": quote}
    prefix = text[max(0, start - before):start]
    suffix = text[end:end + after]
    if prefix:
        entry["prefix"] = prefix
    if suffix:
        entry["suffix"] = suffix
    index = TextIndex(text, "t")
    places = [s for s in index.occurrences(quote)
              if text[max(0, s - len(prefix)):s] == prefix and text.startswith(suffix, s + len(quote))]
    if len(places) > 1:
        entry["occurrence"] = places.index(start) + 1
    return entry


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_and_span())
def test_anchor_written_as_yaml_resolves_to_the_same_span(case):
    text, start, end, before, after = case
    entry = contributor_anchor(text, start, end, before, after)
    source = yaml.safe_dump({"mentions": [entry]}, allow_unicode=True)
    diagnostics = Diagnostics()
    root = load_yaml(source, "m.yml", diagnostics)
    assert not diagnostics.items, [d.format() for d in diagnostics]
    node = root.get("mentions").items[0]
    assert isinstance(node, YMap)
    anchor = read_anchor(Fields(node, diagnostics, "the mention"), allow_many=True)
    assert anchor is not None and not diagnostics.items
    index = TextIndex(text, "t")
    result = resolve_anchor(anchor, index, diagnostics, "m")
    boundaries_ok = index.is_grapheme_boundary(start) and index.is_grapheme_boundary(end)
    if boundaries_ok:
        assert result.ok and [(s.start, s.end) for s in result.spans] == [(start, end)]
    else:
        assert not result.ok
        assert [d.code for d in diagnostics.errors] == ["anchor-splits-letter"] * len(diagnostics.errors)


MUTATION_CHARS = list(":-[]{}&*!|>'\"#%@`,?\t\n  ابت\u00a0\x00\x07\ufeff\u202e\\")


@st.composite
def mutated_project(draw):
    files = fixture_files()
    targets = ["annotations/entities.yml", "corpus/sample.yml", "annotations/sample/mentions.yml",
               "annotations/sample/claims.yml", "annotations/sample/quotes.yml", "corpus/sample.txt"]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(targets))
        content = files[path]
        assert isinstance(content, str)
        position = draw(st.integers(0, len(content)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate-line", "swap-lines"]))
        if kind == "insert":
            content = content[:position] + "".join(draw(st.lists(st.sampled_from(MUTATION_CHARS), min_size=1,
                                                                  max_size=5))) + content[position:]
        elif kind == "delete":
            content = content[:position] + content[position + draw(st.integers(1, 12)):]
        else:
            lines = content.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate-line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            content = "\n".join(lines)
        files[path] = content
    return files


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(mutated_project())
def test_mutated_sources_never_crash(tmp_path_factory, files):
    root = write_files(tmp_path_factory.mktemp("mutant"), files)
    corpus, diagnostics = load_and_resolve(Project(root))      # must not raise
    known = set(files) | {"annotations/sample", "corpus"}
    for d in diagnostics.items:
        assert d.location.path in known, d.format()
        assert d.code and d.message and d.hint, d.format()
    if corpus is not None:
        for doc in corpus.documents:
            for mention in doc.mentions:
                assert doc.text[mention.span.start:mention.span.end]
    else:
        assert diagnostics.has_errors()
