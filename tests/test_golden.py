"""Golden pages: the generated Markdown of the seed document and of a fixture corpus.

A change in rendering shows up here as a readable diff. After a deliberate change,
regenerate with ``UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and review
the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from build_tools.corpus import Project, require
from build_tools.pages import PageWriter
from corpus_fixtures import REPO, fixture_files, write_files

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def pages_of(root: Path) -> dict[str, str]:
    corpus, _ = require(Project(root))
    return PageWriter(corpus).all_pages()


def compare(name: str, pages: dict[str, str], selected: list[str]) -> None:
    folder = GOLDEN / name
    for rel in selected:
        golden = folder / rel
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(pages[rel], encoding="utf-8", newline="")
            continue
        assert golden.exists(), f"missing golden file {golden}; run with UPDATE_GOLDEN=1"
        expected = golden.read_text(encoding="utf-8")
        assert pages[rel] == expected, f"{rel} differs from {golden.relative_to(GOLDEN.parent)}"


SEED_PAGES = [
    "corpus/documents/nadortoday-2012-cyberwar.md",
    "corpus/entities/anonymous-morocco.md",
    "corpus/entities/moroccan-government.md",
    "corpus/entities/index.md",
    "corpus/claims.md",
    "corpus/quotes.md",
    "corpus/index.md",
]


def test_seed_pages_match_golden():
    compare("seed", pages_of(REPO), SEED_PAGES)


def test_fixture_pages_match_golden(tmp_path):
    root = write_files(tmp_path, fixture_files())
    pages = pages_of(root)
    compare("fixture", pages, sorted(pages))


def test_generation_is_deterministic():
    assert pages_of(REPO) == pages_of(REPO)
