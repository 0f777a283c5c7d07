"""Helpers for end-to-end tests: read built pages, follow their links, extract the text."""

from __future__ import annotations

import hashlib
import posixpath
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SOURCE_PARTS = ("mkdocs.yml", "docs", "corpus", "annotations", "overrides")


def copy_sources(repo: Path, dest: Path) -> Path:
    """Copy what a site build reads (not the generated pages, not a built site)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SOURCE_PARTS:
        src = repo / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("corpus") if name == "docs" else None)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self._text_depth = 0
        self.text_parts: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if self._text_depth:
            if tag not in ("br", "img", "meta", "link", "input", "hr", "wbr"):
                self._text_depth += 1
        elif tag == "div" and attributes.get("class") == "doc-text":
            self._text_depth = 1

    def handle_endtag(self, tag):
        if self._text_depth:
            self._text_depth -= 1

    def handle_data(self, data):
        if self._text_depth:
            self.text_parts.append(data)


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def doc_text(path: Path) -> str:
    """The text content of a page's annotated text container."""
    return "".join(read_page(path).text_parts)


def broken_links(site: Path) -> list[str]:
    """Every relative link of every page that points to a missing file or element id."""
    pages = {p: read_page(p) for p in site.rglob("*.html")}
    problems = []
    for path, page in pages.items():
        base = path.parent.relative_to(site).as_posix()
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("/"):
                continue      # external, or the 404 page's site-absolute links
            target_rel = posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else \
                path.relative_to(site).as_posix()
            target = site / target_rel
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{path.relative_to(site)}: {href} (no file)")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else read_page(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{path.relative_to(site)}: {href} (no element with that id)")
    return problems


def tree_hash(folder: Path) -> str:
    """One digest of every file's path and bytes below ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def differences(one: Path, other: Path) -> list[str]:
    """Files present in only one of the two trees, or with different bytes (named, so that a
    failure says which)."""
    files = {p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file()}
    others = {p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file()}
    found = [f"only in {one.name}: {p}" for p in sorted(files - others)]
    found += [f"only in {other.name}: {p}" for p in sorted(others - files)]
    found += [f"differs: {p}" for p in sorted(files & others) if (one / p).read_bytes() != (other / p).read_bytes()]
    return found
