"""Where each generated page lives, and relative links between pages.

The generated Markdown carries raw HTML (the annotated text), whose links no static
site generator rewrites; so links are computed here for directory-style URLs
(``corpus/documents/<id>.md`` is served at ``corpus/documents/<id>/``), the default of
MkDocs and of Zensical.
"""

from __future__ import annotations

import functools
import posixpath

GENERATED = "corpus"            # the generated part of docs/, git-ignored


def document_page(doc_id: str) -> str:
    return f"{GENERATED}/documents/{doc_id}.md"


def entity_page(entity_id: str) -> str:
    return f"{GENERATED}/entities/{entity_id}.md"


def type_page(entity_type: str) -> str:
    """Every entity of one type (``corpus/types/<type>.md``; entity ids cannot clash)."""
    return f"{GENERATED}/types/{entity_type}.md"


def claim_kind_page(kind: str) -> str:
    return f"{GENERATED}/claims/kind-{kind}.md"


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
    return _relative(from_page, to_page) + "#" + fragment if fragment else _relative(from_page, to_page)


@functools.lru_cache(maxsize=1024)
def _relative(from_page: str, to_page: str) -> str:
    """The relative URL from one page to another: up from the first's folder to the folder
    both URLs share, then down to the second.

    Pure string work (no ``os.path.relpath``, which asks the file system for the current
    directory on every call): it runs for every link of every page, 750,000 times for
    10,000 documents. Each page's folders are cached; so are the last pairs, as a page
    links to the same page again and again (four links in ten at 1,000 documents)."""
    here, there = _folders(from_page), _folders(to_page)
    common = 0
    for a, b in zip(here, there):
        if a != b:
            break
        common += 1
    return "../" * (len(here) - common) + "".join(part + "/" for part in there[common:]) or "./"


@functools.lru_cache(maxsize=1 << 16)
def _folders(page: str) -> tuple[str, ...]:
    """The folders of a page's directory URL: ``corpus/documents/x.md`` -> corpus, documents, x."""
    return tuple(page_url(page).split("/")[:-1])


# ---- downloadable exports (files, not pages: MkDocs copies them as they are) -----------

EXPORTS = f"{GENERATED}/exports"


def export_file(name: str) -> str:
    """A corpus-wide export: ``corpus/exports/<name>``."""
    return f"{EXPORTS}/{name}"


DOCUMENT_EXPORTS = f"{EXPORTS}/documents"     # three files a document: .jsonld, .json, .txt


def document_export(doc_id: str, extension: str) -> str:
    """A per-document export: ``corpus/exports/documents/<id>.<extension>``."""
    return f"{DOCUMENT_EXPORTS}/{doc_id}.{extension}"


def file_link(from_page: str, path: str) -> str:
    """A relative link from a page (served at its directory URL) to a file under docs/."""
    here = page_url(from_page).rstrip("/") or "."
    return posixpath.relpath(path, here)
