"""Where each generated page lives, and relative links between pages.

The generated Markdown carries raw HTML (the annotated text), whose links no static
site generator rewrites; so links are computed here for directory-style URLs
(``corpus/documents/<id>.md`` is served at ``corpus/documents/<id>/``), the default of
MkDocs and of Zensical.
"""

from __future__ import annotations

import posixpath

GENERATED = "corpus"            # the generated part of docs/, git-ignored


def document_page(doc_id: str) -> str:
    return f"{GENERATED}/documents/{doc_id}.md"


def entity_page(entity_id: str) -> str:
    return f"{GENERATED}/entities/{entity_id}.md"


DOCUMENTS_INDEX = f"{GENERATED}/index.md"
ENTITIES_INDEX = f"{GENERATED}/entities/index.md"
CLAIMS_PAGE = f"{GENERATED}/claims.md"
QUOTES_PAGE = f"{GENERATED}/quotes.md"


def page_url(page: str) -> str:
    """The directory URL of a Markdown page, relative to the site root."""
    stem = page[:-3] if page.endswith(".md") else page
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def link(from_page: str, to_page: str, fragment: str = "") -> str:
    """A relative link from one page to another (optionally to an element id)."""
    here = page_url(from_page)
    there = page_url(to_page)
    rel = posixpath.relpath(there or ".", here.rstrip("/") or ".") if here else (there or ".")
    if rel == ".":
        rel = "./"
    elif not rel.endswith("/"):
        rel += "/"
    return rel + (f"#{fragment}" if fragment else "")
