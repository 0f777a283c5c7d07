"""Relative links between directory-URL pages."""

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from build_tools import urls

SEGMENT = st.sampled_from(["corpus", "documents", "entities", "a", "ab", "b", "e1", "e10", "index"])  # (names that share a prefix)
PAGE = st.lists(SEGMENT, min_size=1, max_size=4).map(lambda parts: "/".join(parts) + ".md")


def reference(from_page: str, to_page: str) -> str:
    here, there = urls.page_url(from_page), urls.page_url(to_page)
    rel = posixpath.relpath(there or ".", here.rstrip("/") or ".")
    return "./" if rel == "." else rel + "/"


@given(PAGE, PAGE)
def test_link_matches_relpath(from_page, to_page):
    assert urls.link(from_page, to_page) == reference(from_page, to_page)


def test_examples():
    assert urls.link("corpus/documents/x.md", "corpus/entities/y.md", "m-1") == "../../entities/y/#m-1"
    assert urls.link("corpus/documents/x.md", "corpus/documents/x.md", "p-2") == "./#p-2"
    assert urls.link("corpus/index.md", "corpus/documents/x.md") == "documents/x/"
    assert urls.link("corpus/documents/x.md", "corpus/index.md") == "../../"
    assert urls.link("index.md", "corpus/claims.md") == "corpus/claims/"
    assert urls.link("corpus/claims.md", "index.md") == "../../"
