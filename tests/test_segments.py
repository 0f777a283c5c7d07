"""Span rendering: for any set of spans, the markup strips back to the exact text."""

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from build_tools.diagnostics import Location
from build_tools.model import Document, DocumentMeta, Entity, Mention, ResolvedDocument, Span
from build_tools.render import render_text, split_lines
from build_tools.segments import Mark, render_range, segment

ALPHABET = list("ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآء ") + ["\n", "\u00a0", "<", "&", ">", '"', "'", "😀", "\u064e",
                                                            "\u0651", "A", "1", "\u200f"]


def text_content(element: ET.Element) -> str:
    return "".join(element.itertext())


def parse(fragment: str) -> ET.Element:
    return ET.fromstring(f"<root>{fragment}</root>")        # raises on malformed markup


@st.composite
def text_and_marks(draw, max_marks=8):
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=60))
    n = len(text)
    marks = []
    for i in range(draw(st.integers(0, max_marks))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        tag = draw(st.sampled_from(["a", "span"]))
        attrs = (("class", "ann"), ("href", f"../x/?q=<{i}>&\"")) if tag == "a" else (("class", "ann"),)
        marks.append(Mark(start, end, draw(st.integers(0, 2)), f"k{i}", tag, attrs))
    return text, marks


def pieces_by_key(root: ET.Element) -> dict[str, list[ET.Element]]:
    found: dict[str, list[ET.Element]] = {}
    for element in root.iter():
        key = element.get("data-ann")
        if key:
            found.setdefault(key, []).append(element)
    return found


def covered_offsets(root: ET.Element) -> dict[str, set[int]]:
    """For each mark key, the text offsets inside elements carrying it."""
    covered: dict[str, set[int]] = {}
    pos = 0

    def walk(element: ET.Element, keys: tuple[str, ...]) -> None:
        nonlocal pos
        key = element.get("data-ann")
        keys = keys + ((key,) if key else ())
        for chunk, child in [(element.text, None)] + [(None, c) for c in element]:
            if chunk:
                for k in keys:
                    covered.setdefault(k, set()).update(range(pos, pos + len(chunk)))
                pos += len(chunk)
            if child is not None:
                walk(child, keys)
                if child.tail:
                    for k in keys:
                        covered.setdefault(k, set()).update(range(pos, pos + len(child.tail)))
                    pos += len(child.tail)

    walk(root, ())
    return covered


@settings(max_examples=300, deadline=None)
@given(text_and_marks())
def test_markup_strips_back_to_the_text_and_is_well_formed(case):
    text, marks = case
    html = render_range(text, 0, len(text), marks)
    root = parse(html)
    assert text_content(root) == text
    covered = covered_offsets(root)
    pieces = pieces_by_key(root)
    for mark in marks:
        assert covered.get(mark.key, set()) == set(range(mark.start, mark.end))
        with_id = [e for e in pieces[mark.key] if e.get("id") == mark.key]
        assert len(with_id) == 1, "exactly one piece carries the permalink id"
        assert all(e.get("data-piece") == "continued" for e in pieces[mark.key] if e.get("id") is None)
    for link in root.iter("a"):
        assert not list(link.iter("a"))[1:], "no link inside a link"


@settings(max_examples=200, deadline=None)
@given(text_and_marks())
def test_segments_cover_the_range_in_order(case):
    text, marks = case
    segments = segment(0, len(text), marks)
    assert segments[0].start == 0 and segments[-1].end == len(text)
    for a, b in zip(segments, segments[1:]):
        assert a.end == b.start
    for seg in segments:
        assert set(seg.marks) == {m for m in marks if m.start <= seg.start and m.end >= seg.end}
        orders = [m.order for m in seg.marks]
        assert orders == sorted(orders), "outermost first"


def test_crossing_spans_are_split_and_nested():
    text = "abcdef"
    html = render_range(text, 0, 6, [Mark(0, 4, 0, "x"), Mark(2, 6, 1, "y")])
    assert html == ('<span id="x" data-ann="x">ab<span id="y" data-ann="y">cd</span></span>'
                    '<span data-ann="y" data-piece="continued">ef</span>')


def test_text_is_escaped_and_attributes_quoted():
    html = render_range('<b>&"', 0, 5, [Mark(0, 3, 0, "k", "a", (("href", '"><script>'),))])
    assert html == '<a id="k" data-ann="k" href="&quot;&gt;&lt;script&gt;">&lt;b&gt;</a>&amp;"'


def test_link_inside_link_becomes_span_with_data_href():
    html = render_range("abcd", 0, 4, [Mark(0, 4, 0, "o", "a", (("href", "/o"),)),
                                       Mark(1, 2, 1, "i", "a", (("href", "/i"),))])
    assert html == ('<a id="o" data-ann="o" href="/o">a<span id="i" data-ann="i" data-href="/i">b</span>cd</a>')


# ---- whole documents ------------------------------------------------------------------

ENTITY = Entity("e", "place", "مكان", "Place", Location("r.yml", 1, 1))


@st.composite
def documents(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=80))
    mentions = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        mentions.append(Mention(f"e-{i + 1}", ENTITY, "d", Span(start, end), Location("m.yml")))
    meta = DocumentMeta("d", "t", Location("d.yml"), headline=draw(st.booleans()))
    return ResolvedDocument(Document(meta, text, "d.txt"), tuple(mentions), (), ())


@settings(max_examples=200, deadline=None)
@given(documents())
def test_document_text_content_is_the_source_text(doc):
    html = render_text(doc, "corpus/documents/d.md")
    root = ET.fromstring(html)
    assert root.get("class") == "doc-text"
    assert text_content(root) == doc.text
    paragraphs = [e for e in root if e.get("class") in ("doc-para", "doc-headline")]
    assert [e.get("id") for e in paragraphs] == [f"p-{n}" for n in range(1, len(paragraphs) + 1)]


def test_split_lines_numbers_only_non_blank_lines():
    lines = split_lines("a\n\u00a0\n\nb")
    assert [(l.start, l.end, l.number) for l in lines] == [(0, 1, 1), (2, 3, 0), (4, 4, 0), (5, 6, 2)]
