"""At scale: no generated page grows with the corpus, and everything stays reachable."""

from __future__ import annotations

import re

import pytest

from build_tools.corpus import Project, require
from build_tools.pages import PAGE_SIZE, PageWriter
from corpus_fixtures import FIXTURE_MKDOCS, write_files

pytestmark = pytest.mark.e2e

DOCS = 2 * PAGE_SIZE + 30          # three pages of everything


def big_project(root):
    files = {
        "mkdocs.yml": FIXTURE_MKDOCS,
        "docs/index.md": "# فهرس\n",
        "annotations/entities.yml": (
            "entities:\n"
            "  - {id: government, type: organisation, name: \"الحكومة\", label: Government}\n"
            "  - {id: tunis, type: place, name: \"تونس\", label: Tunis}\n"),
    }
    for n in range(DOCS):
        doc = f"doc-{n:04d}"
        files[f"corpus/{doc}.txt"] = f"خبر رقم {n}\n\nقالت الحكومة في تونس إن العدد {n} صحيح.\n"
        files[f"corpus/{doc}.yml"] = f"title: \"خبر رقم {n}\"\n"
        files[f"annotations/{doc}/mentions.yml"] = (
            "mentions:\n  - {entity: government, quote: \"الحكومة\"}\n  - {entity: tunis, quote: \"تونس\"}\n")
        files[f"annotations/{doc}/claims.yml"] = (
            f"claims:\n  - id: claim-{n}\n    claimant: government\n    kind: assertion\n    status: attributed\n"
            f"    about: [tunis]\n    summary: \"العدد {n} صحيح\"\n    quote: \"إن العدد {n} صحيح\"\n")
        files[f"annotations/{doc}/quotes.yml"] = (
            f"quotes:\n  - id: quote-{n}\n    speaker: government\n    kind: reported\n    quote: \"العدد {n} صحيح\"\n")
    return write_files(root, files)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = big_project(tmp_path_factory.mktemp("scale"))
    corpus, _ = require(Project(root))
    return PageWriter(corpus).all_pages()


DOC_LINK = re.compile(r'href="[^"]*documents/(doc-\d{4})/')


def test_no_page_lists_every_document(pages):
    for path, text in pages.items():
        linked = set(DOC_LINK.findall(text))
        assert len(linked) <= PAGE_SIZE, f"{path} links to {len(linked)} documents"


def test_the_document_index_is_paginated_and_complete(pages):
    index_pages = ["corpus/index.md", "corpus/index/2.md", "corpus/index/3.md"]
    assert all(p in pages for p in index_pages) and "corpus/index/4.md" not in pages
    linked = set()
    for p in index_pages:
        linked |= set(DOC_LINK.findall(pages[p]))
    assert linked == {f"doc-{n:04d}" for n in range(DOCS)}
    assert 'aria-current="page">2<' in pages["corpus/index/2.md"]


def test_entity_mentions_are_paginated_each_once(pages):
    entity_pages = ["corpus/entities/government.md", "corpus/entities/government/2.md",
                    "corpus/entities/government/3.md"]
    rows = []
    for p in entity_pages:
        rows += re.findall(r'<tr id="kwic-(doc-\d{4})-government-1">', pages[p])
    assert sorted(rows) == [f"doc-{n:04d}" for n in range(DOCS)]
    assert "entity-card" in pages[entity_pages[0]] and "entity-card" not in pages[entity_pages[1]]


def test_claims_and_quotes_are_paginated_each_once(pages):
    claims = []
    for p in ("corpus/claims.md", "corpus/claims/2.md", "corpus/claims/3.md"):
        claims += re.findall(r'<li id="claim-(claim-\d+)">', pages[p])
    assert sorted(claims) == sorted(f"claim-{n}" for n in range(DOCS))
    kind = [p for p in pages if p.startswith("corpus/claims/kind-assertion")]
    assert sorted(kind) == ["corpus/claims/kind-assertion.md", "corpus/claims/kind-assertion/2.md",
                            "corpus/claims/kind-assertion/3.md"]
    quotes = []
    for p in ("corpus/quotes.md", "corpus/quotes/2.md", "corpus/quotes/3.md"):
        quotes += re.findall(r'<li id="quote-(quote-\d+)">', pages[p])
    assert len(quotes) == DOCS and len(set(quotes)) == DOCS


def test_permalinks_in_the_reader_data_point_at_the_right_page(pages):
    text = pages["corpus/documents/doc-0150.md"]
    assert "claims/2/#claim-claim-150" in text
    assert "quotes/2/#quote-quote-150" in text


def test_paginated_site_builds_and_every_link_resolves(tmp_path):
    import subprocess
    import sys

    from sitecheck import broken_links

    root = big_project(tmp_path / "p")
    result = subprocess.run([sys.executable, "-m", "build_tools", "build", "--root", str(root), "--site-dir",
                             str(root / "site"), "--quiet"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    assert broken_links(root / "site") == []


def test_parallel_generation_gives_the_same_files(tmp_path_factory, pages):
    """Two forked workers write the same files as one process, and those pages are the
    ones PageWriter renders."""
    from build_tools.pipeline import generate

    root = big_project(tmp_path_factory.mktemp("parallel"))
    one = generate(Project(root), docs_dir=root / "one", workers=1)
    two = generate(Project(root), docs_dir=root / "two", workers=2)
    assert one.rendered == two.rendered > 400            # enough to start the workers
    assert tree(root / "one/corpus") == tree(root / "two/corpus")
    assert {rel: page.encode("utf-8") for rel, page in pages.items()} == {
        rel: data for rel, data in tree(root / "one").items() if rel.endswith(".md")}


def tree(folder):
    """Every generated file but the manifest (which records when files were written)."""
    from build_tools.output import MANIFEST

    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != MANIFEST}


def test_incremental_generation_equals_a_clean_one(tmp_path):
    from build_tools.pipeline import generate

    root = big_project(tmp_path / "p")
    first = generate(Project(root))
    assert first.stats.written == first.stats.total
    mentions = root / "annotations/doc-0007/mentions.yml"
    mentions.write_text("mentions:\n  - {entity: tunis, quote: \"تونس\"}\n", encoding="utf-8")
    again = generate(Project(root), workers=2)
    # only what depends on that document changed: its page and exports, the government's mention
    # pages (rows shift across page boundaries), the listings that count mentions, the corpus exports
    assert 0 < again.stats.written < 20, again.stats
    assert again.stats.removed == 0
    # and only the units that depend on it were rendered again: the document (page, exports)
    # and the entities it mentioned or mentions now
    assert 0 < again.rendered < 12 and again.reused > 200, (again.rendered, again.reused)
    clean = generate(Project(root), docs_dir=tmp_path / "clean-docs")
    assert clean.stats.written == clean.stats.total
    assert tree(root / "docs/corpus") == tree(tmp_path / "clean-docs/corpus")


@pytest.mark.parametrize("workers", [2, 3, 8])
def test_each_worker_gets_a_run_of_documents_and_its_share_of_entities(workers):
    from build_tools.pipeline import shares

    todo = [(f"{kind}:d{i:03}", "key") for i in range(101) for kind in ("document-page", "document-exports")]
    todo += [(f"entity-pages:e{i}", "key") for i in range(37)]
    parts = shares(todo, workers)
    assert len(parts) == workers
    assert sorted(unit for part in parts for unit in part) == sorted(todo)        # each unit once
    for part in parts:
        documents = [name.split(":")[1] for name, _ in part if not name.startswith("entity-pages:")]
        assert documents == sorted(documents) and len(documents) % 2 == 0       # a page with its exports
        assert set(documents[0::2]) == set(documents[1::2])
    sizes = [sum(not name.startswith("entity-pages:") for name, _ in part) for part in parts]
    assert max(sizes) - min(sizes) <= 2
    entities = [sum(name.startswith("entity-pages:") for name, _ in part) for part in parts]
    assert max(entities) - min(entities) <= 1
