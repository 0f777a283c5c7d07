"""corpus join: collections built as sites of their own, published as one hub."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
from pathlib import Path

import pytest

from build_tools import export, hub_entities, pages
from build_tools.cli import main
from build_tools.corpus import Project, require
from build_tools.hub import HubError, join


@pytest.fixture(scope="module")
def summary(tmp_path_factory) -> dict:
    """The summary export of the fixture corpus (one document), as a built site holds it."""
    from corpus_fixtures import fixture_files, write_files

    root = write_files(tmp_path_factory.mktemp("fixture"), fixture_files())
    corpus, _ = require(Project(root))
    return json.loads(export.summary_file(corpus))


ENTITY_COLUMNS = export.CSV_COLUMNS["entities"]


def entity_table(*rows: tuple) -> str:
    """An entity table as a built site holds it: (id, type, name, wikidata, mentions, documents) rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ENTITY_COLUMNS)
    for ident, kind, name, wikidata, mentions, documents in rows:
        cells = {"id": ident, "type": kind, "type_ar": "", "name": name, "label": ident, "aliases": "",
                 "description": "", "description_ar": "", "wikidata": wikidata, "mentions": mentions,
                 "documents": documents, "page": f"https://corpus.invalid/corpus/entities/{ident}/"}
        writer.writerow([cells[c] for c in ENTITY_COLUMNS])
    return "\ufeff" + out.getvalue()


def collection(parent: Path, name: str, summary: dict, site_name: str | None = None,
               site_url: str | None = None, documents: int | None = None, entities: tuple = ()) -> Path:
    """A collection folder with its mkdocs.yml and a built site (a page, the summary, the
    entity table with ``entities``)."""
    root = parent / name
    settings = [f"site_name: {json.dumps(site_name)}"] if site_name else []
    settings += [f"site_url: {site_url}"] if site_url else []
    (root / "site/corpus/exports").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("\n".join(settings + ["theme: material"]) + "\n", encoding="utf-8")
    (root / "site/index.html").write_text(f"<p>{name}</p>\n", encoding="utf-8")
    (root / "site/sitemap.xml").write_text("<urlset/>\n", encoding="utf-8")
    data = dict(summary, documents=documents) if documents is not None else summary
    (root / "site" / export.SUMMARY_JSON).write_text(json.dumps(data), encoding="utf-8")
    (root / "site" / export.csv_path("entities")).write_text(entity_table(*entities), encoding="utf-8", newline="")
    return root


def test_the_hub_lists_each_collection_with_its_counts_and_holds_its_site(tmp_path, summary):
    alpha = collection(tmp_path, "alpha", summary, site_name="أخبار تونس", documents=7)
    beta = collection(tmp_path, "beta-2", summary, documents=5)
    joined = join([alpha, beta], tmp_path / "hub")
    assert [c.name for c in joined.collections] == ["alpha", "beta-2"] and joined.shared == []
    hub = tmp_path / "hub"
    assert sorted(p.name for p in hub.iterdir()) == ["alpha", "beta-2", "collections.json", "entities.json",
                                                     "index.html"]
    for name, root in (("alpha", alpha), ("beta-2", beta)):
        for rel in ("index.html", "sitemap.xml", export.SUMMARY_JSON):
            assert (hub / name / rel).read_bytes() == (root / "site" / rel).read_bytes()
    assert os.path.samefile(hub / "alpha/index.html", alpha / "site/index.html")      # linked, not copied
    page = (hub / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<a href="alpha/"><bdi>أخبار تونس</bdi></a>' in page
    assert '<a href="beta-2/"><bdi>beta-2</bdi></a>' in page            # no site_name: the folder name
    assert "الوثائق: 12" in page                                         # 7 + 5
    mentions = summary["mentions"]
    assert f"الإحالات: {2 * mentions}" in page
    listed = json.loads((hub / "collections.json").read_text(encoding="utf-8"))
    assert listed["format"] == "arabic-corpus-publisher/collections"
    assert [(c["name"], c["title"], c["path"], c["url"], c["summary"]["documents"]) for c in listed["collections"]] \
        == [("alpha", "أخبار تونس", "alpha/", None, 7), ("beta-2", "beta-2", "beta-2/", None, 5)]
    assert not (hub / "sitemap.xml").exists()                            # no address: no sitemap index


def test_titles_are_escaped(tmp_path, summary):
    hostile = collection(tmp_path, "x", summary, site_name='<script>alert(1)</script>" onmouseover="x')
    join([hostile], tmp_path / "hub", title="<img src=x onerror=alert(1)>")
    page = (tmp_path / "hub/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34; onmouseover=&#34;x" in page
    assert "<title>&lt;img src=x onerror=alert(1)&gt;</title>" in page


def test_with_the_hub_address_each_site_url_is_checked_and_a_sitemap_index_written(tmp_path, summary):
    good = collection(tmp_path, "alpha", summary, site_url="https://example.org/hub/alpha/")
    also = collection(tmp_path, "beta", summary, site_url="https://example.org/hub/beta")    # no final slash
    join([good, also], tmp_path / "hub", hub_url="https://example.org/hub")
    sitemap = (tmp_path / "hub/sitemap.xml").read_text(encoding="utf-8")
    assert "<sitemap><loc>https://example.org/hub/alpha/sitemap.xml</loc></sitemap>" in sitemap
    assert "<sitemap><loc>https://example.org/hub/beta/sitemap.xml</loc></sitemap>" in sitemap
    assert "<sitemap><loc>https://example.org/hub/sitemap-hub.xml</loc></sitemap>" in sitemap
    assert (tmp_path / "hub/sitemap-hub.xml").read_text(encoding="utf-8") == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "  <url><loc>https://example.org/hub/</loc></url>\n</urlset>\n")     # no shared entity: no entities/
    listed = json.loads((tmp_path / "hub/collections.json").read_text(encoding="utf-8"))
    assert [c["url"] for c in listed["collections"]] == ["https://example.org/hub/alpha/",
                                                         "https://example.org/hub/beta/"]
    elsewhere = collection(tmp_path, "gamma", summary, site_url="https://example.org/gamma/")
    with pytest.raises(HubError) as raised:
        join([good, elsewhere], tmp_path / "hub2", hub_url="https://example.org/hub/")
    assert str(raised.value) == (f"{(elsewhere / 'mkdocs.yml').as_posix()}: site_url is https://example.org/gamma/, "
                                 "but the collection is published at https://example.org/hub/gamma/; set "
                                 "'site_url: https://example.org/hub/gamma/' and build it again")
    assert not (tmp_path / "hub2").exists()


def test_every_problem_is_reported_at_once_and_the_previous_hub_is_untouched(tmp_path, summary):
    good = collection(tmp_path, "alpha", summary)
    join([good], tmp_path / "hub")
    before = (tmp_path / "hub/index.html").read_bytes()
    unbuilt = tmp_path / "unbuilt"
    (unbuilt / "corpus").mkdir(parents=True)
    badly_named = collection(tmp_path, "Bad_Name", summary)
    twin = collection(tmp_path / "elsewhere", "alpha", summary)
    stale = collection(tmp_path, "stale", summary)
    (stale / "site" / export.SUMMARY_JSON).write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(HubError) as raised:
        join([good, tmp_path / "missing", unbuilt, badly_named, twin, stale], tmp_path / "hub")
    problems = str(raised.value).splitlines()
    assert problems == [
        f"{(tmp_path / 'missing').as_posix()}: no such folder; give the folder of a collection (its mkdocs.yml, "
        "corpus/, annotations/)",
        f"{(unbuilt / 'site' / export.SUMMARY_JSON).as_posix()}: not found; build the collection first "
        f"('corpus build --root {unbuilt.as_posix()}')",
        f"{badly_named.as_posix()}: the folder name 'Bad_Name' is the collection's path under the hub and must be "
        "lowercase ASCII letters and digits joined by hyphens; rename the folder",
        f"{(stale / 'site' / export.SUMMARY_JSON).as_posix()}: not a summary this version reads (format "
        "arabic-corpus-publisher/summary 1); build the collection again with it",
        f"two collections are named 'alpha' ({good.as_posix()} and {twin.as_posix()}); a collection's folder name "
        "is its path under the hub: rename one folder",
    ]
    assert (tmp_path / "hub/index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".hub")) == []   # no scratch left


def test_the_hub_is_replaced_whole_and_never_written_inside_a_collection(tmp_path, summary):
    alpha = collection(tmp_path, "alpha", summary)
    beta = collection(tmp_path, "beta", summary)
    join([alpha, beta], tmp_path / "hub")
    join([alpha], tmp_path / "hub")
    assert sorted(p.name for p in (tmp_path / "hub").iterdir()) == ["alpha", "collections.json", "entities.json",
                                                                    "index.html"]
    with pytest.raises(HubError, match="cannot be written in or around the site of 'alpha'"):
        join([alpha], alpha / "site" / "hub")


def test_cli(tmp_path, summary, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    collection(tmp_path, "alpha", summary, documents=3)
    assert main(["join", "alpha", "--site-dir", "public", "--title", "المدونة"]) == 0
    assert ("hub of 1 collections (3 documents, 0 entities named in more than one, 0 entity pages linked to the "
            "other collections) written in public/") in capsys.readouterr().err
    assert "<title>المدونة</title>" in (tmp_path / "public/index.html").read_text(encoding="utf-8")
    assert main(["join", "alpha", "nowhere", "--site-dir", "public"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: nowhere: no such folder; give the folder of a collection "
        "(its mkdocs.yml, corpus/, annotations/)",
        "stopped: nothing was written",
    ]
    assert main(["join", "alpha", "--root", str(tmp_path), "--site-dir", "elsewhere", "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert (tmp_path / "elsewhere/alpha/index.html").is_file()


def searchable(root: Path, version: str = "1.5.2") -> None:
    """Give a collection's site a search index (made by Pagefind ``version``) and the script."""
    for rel in ("pagefind/pagefind.js", "assets/javascripts/search.js"):
        (root / "site" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "site" / rel).write_text("// built\n", encoding="utf-8")
    (root / "site/pagefind/pagefind-entry.json").write_text(json.dumps({"version": version, "languages": {}}),
                                                             encoding="utf-8")


def test_the_hub_searches_the_collections_that_have_a_search_index(tmp_path, summary):
    searched = collection(tmp_path, "alpha", summary, site_name="أخبار 'تونس'")
    also = collection(tmp_path, "beta", summary)
    unsearched = collection(tmp_path, "gamma", summary)
    for root in (searched, also):
        searchable(root)
    join([unsearched, searched, also], tmp_path / "hub")
    page = (tmp_path / "hub/index.html").read_text(encoding="utf-8")
    attribute = re.search(r"data-corpus-search-sites='([^']*)'", page)
    assert attribute is not None
    assert json.loads(html.unescape(attribute.group(1))) == [{"path": "alpha/", "title": "أخبار 'تونس'"},
                                                             {"path": "beta/", "title": "beta"}]
    assert '<script type="module" src="alpha/assets/javascripts/search.js"></script>' in page
    join([unsearched], tmp_path / "hub")
    assert "<form" not in (tmp_path / "hub/index.html").read_text(encoding="utf-8")


def test_messages_name_the_collection_folder_whatever_its_site_folder(tmp_path, summary):
    first, second = tmp_path / "a" / "alpha", tmp_path / "b" / "alpha"
    for root in (first, second):
        (root / "build/site" / export.SUMMARY_JSON).parent.mkdir(parents=True)
        (root / "build/site" / export.SUMMARY_JSON).write_text(json.dumps(summary), encoding="utf-8")
        (root / "build/site" / export.csv_path("entities")).write_text(entity_table(), encoding="utf-8")
    with pytest.raises(HubError) as raised:
        join([first, second], tmp_path / "hub", site_dir="build/site")
    assert str(raised.value) == (f"two collections are named 'alpha' ({first.as_posix()} and {second.as_posix()}); "
                                 "a collection's folder name is its path under the hub: rename one folder")


# ---- entities named in several collections ----------------------------------------------------------

def test_entities_named_in_several_collections_are_linked_and_nothing_else(tmp_path, summary):
    alpha = collection(tmp_path, "alpha", summary, site_name="أخبار تونس", entities=(
        ("e1", "place", "تونس", "Q948", 5, 4),
        ("e2", "place", "سوسة", "", 2, 2),
        ("e3", "person", "زيد", "", 1, 1),
        ("e4", "organisation", "الحزب", "Q1", 1, 1),
        ("e5", "person", "عمرو", "", 0, 0),              # not mentioned here
    ))
    beta = collection(tmp_path, "beta", summary, entities=(
        ("tunisia", "place", "تونس العاصمة", "Q948", 3, 3),    # the same Wikidata id: the same entity
        ("e2", "place", "سوسة", "", 1, 1),                     # the same id, type and name
        ("e3", "person", "عمرو", "", 2, 2),                    # the same id, another name: another entity
        ("e4", "organisation", "الحزب", "Q2", 1, 1),           # the same id and name, another Wikidata id
        ("e5", "person", "عمرو", "", 3, 3),
    ))
    gamma = collection(tmp_path, "gamma", summary, entities=(
        ("e2", "place", "سوسة", "", 7, 6),
        ("e4", "organisation", "الحزب", "", 1, 1),             # Q1 or Q2? neither is guessed
    ))
    join([alpha, beta, gamma], tmp_path / "hub")
    shared = json.loads((tmp_path / "hub/entities.json").read_text(encoding="utf-8"))
    assert shared["format"] == "arabic-corpus-publisher/shared-entities"
    assert shared["entities"] == [
        {"name": "سوسة", "type": "place", "wikidata": None, "in": [
            {"collection": "alpha", "id": "e2", "name": "سوسة", "path": "alpha/corpus/entities/e2/",
             "mentions": 2, "documents": 2},
            {"collection": "beta", "id": "e2", "name": "سوسة", "path": "beta/corpus/entities/e2/",
             "mentions": 1, "documents": 1},
            {"collection": "gamma", "id": "e2", "name": "سوسة", "path": "gamma/corpus/entities/e2/",
             "mentions": 7, "documents": 6}]},
        {"name": "تونس", "type": "place", "wikidata": "Q948", "in": [
            {"collection": "alpha", "id": "e1", "name": "تونس", "path": "alpha/corpus/entities/e1/",
             "mentions": 5, "documents": 4},
            {"collection": "beta", "id": "tunisia", "name": "تونس العاصمة", "path": "beta/corpus/entities/tunisia/",
             "mentions": 3, "documents": 3}]},
    ]
    page = (tmp_path / "hub/entities/index.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<a href="../"><bdi>مجموعات المدونة</bdi></a>' in page
    assert '<li><a href="../alpha/corpus/entities/e1/"><bdi>أخبار تونس</bdi></a>: 5 إحالة في 4 وثيقة</li>' in page
    assert ('<li><a href="../beta/corpus/entities/tunisia/"><bdi>beta</bdi></a> (<bdi>تونس العاصمة</bdi>): '
            '3 إحالة في 3 وثيقة</li>') in page
    assert '<a href="https://www.wikidata.org/wiki/Q948" rel="noopener" dir="ltr">Q948</a>' in page
    assert page.index("سوسة") < page.index("Q948")           # three collections before two
    assert "زيد" not in page and "الحزب" not in page and "عمرو" not in page
    assert "<nav" not in page                                 # one page: no pager
    index = (tmp_path / "hub/index.html").read_text(encoding="utf-8")
    assert '<a href="entities/">الكيانات المشتركة بين المجموعات</a>: 2.' in index


def entity_page(root: Path, ident: str, slot: bool = True) -> Path:
    """The first page of an entity in a collection's built site: its card, with the hub's
    slot as the generated pages have it (or without, as older builds had it)."""
    page = root / "site/corpus/entities" / ident / "index.html"
    page.parent.mkdir(parents=True)
    row = pages.HUB_SLOT + "\n" if slot else ""
    page.write_text(f'<div class="entity-card" dir="rtl">\n<dl>\n<div><dt>الإحالات</dt><dd>1</dd></div>\n{row}</dl>\n'
                    "</div>\n", encoding="utf-8")
    return page


def test_each_collection_s_page_of_a_shared_entity_links_the_others_in_the_hub(tmp_path, summary):
    alpha = collection(tmp_path, "alpha", summary, site_name="أخبار تونس", entities=(
        ("e1", "place", "تونس", "Q948", 5, 4), ("e2", "place", "سوسة", "", 2, 2), ("e3", "person", "زيد", "", 1, 1)))
    beta = collection(tmp_path, "beta", summary, entities=(
        ("tunisia", "place", "تونس العاصمة", "Q948", 3, 3), ("e2", "place", "سوسة", "", 1, 1)))
    gamma = collection(tmp_path, "gamma", summary, entities=(("e2", "place", "سوسة", "", 7, 6),))
    originals = {path: path.read_bytes() for path in (
        entity_page(alpha, "e1"), entity_page(alpha, "e2"), entity_page(alpha, "e3"), entity_page(beta, "tunisia"),
        entity_page(beta, "e2"), entity_page(gamma, "e2", slot=False))}
    joined = join([alpha, beta, gamma], tmp_path / "hub")
    hub = tmp_path / "hub"
    assert joined.linked_pages == 4              # alpha e1, e2; beta tunisia, e2 (gamma's page has no slot)

    def row_of(path: str) -> str:
        page = (hub / path).read_text(encoding="utf-8")
        assert pages.HUB_SLOT not in page
        found = re.findall(r'<div class="hub-elsewhere">.*?</div>', page)
        assert len(found) == 1 and page.index(found[0]) < page.index("</dl>")      # a row of the card
        return found[0]

    assert row_of("alpha/corpus/entities/e2/index.html") == (
        '<div class="hub-elsewhere"><dt>في مجموعات أخرى</dt><dd>'
        '<a href="../../../../beta/corpus/entities/e2/"><bdi>beta</bdi></a>: 1 إحالة في 1 وثيقة؛ '
        '<a href="../../../../gamma/corpus/entities/e2/"><bdi>gamma</bdi></a>: 7 إحالة في 6 وثيقة '
        '(<a href="../../../../entities/#shared-alpha--e2">جدول الكيانات المشتركة</a>)</dd></div>')
    assert row_of("beta/corpus/entities/tunisia/index.html") == (
        '<div class="hub-elsewhere"><dt>في مجموعات أخرى</dt><dd>'
        '<a href="../../../../alpha/corpus/entities/e1/"><bdi>أخبار تونس</bdi></a> (<bdi>تونس</bdi>): '
        '5 إحالة في 4 وثيقة (<a href="../../../../entities/#shared-alpha--e1">جدول الكيانات المشتركة</a>)</dd></div>')
    assert 'href="../../../../alpha/corpus/entities/e2/"' in row_of("beta/corpus/entities/e2/index.html")
    # every link leads to a page of the hub, and the table has the row it names
    table = (hub / "entities/index.html").read_text(encoding="utf-8")
    for path in ("alpha/corpus/entities/e2/index.html", "beta/corpus/entities/tunisia/index.html"):
        for href in re.findall(r'href="([^"]+)"', row_of(path)):
            target, _, fragment = (hub / path).parent.joinpath(href).resolve().as_posix().partition("#")
            assert Path(target, "index.html").is_file(), href
            if fragment:
                assert f'<tr id="{fragment}">' in table
    # an entity of one collection, and a page without the slot, are the collection's own file
    assert os.path.samefile(hub / "alpha/corpus/entities/e3/index.html", alpha / "site/corpus/entities/e3/index.html")
    assert os.path.samefile(hub / "gamma/corpus/entities/e2/index.html", gamma / "site/corpus/entities/e2/index.html")
    # the collections' own sites keep their bytes
    assert {path: path.read_bytes() for path in originals} == originals


def test_two_entries_of_one_collection_link_only_the_other_collections(tmp_path, summary):
    """One Wikidata id under two ids of alpha's registry: each of alpha's pages links beta's
    page, and beta's page links both of alpha's, each with its name there."""
    alpha = collection(tmp_path, "alpha", summary, entities=(
        ("e1", "place", "تونس", "Q948", 5, 4), ("e9", "place", "الجمهورية التونسية", "Q948", 1, 1)))
    beta = collection(tmp_path, "beta", summary, entities=(("tunisia", "place", "تونس", "Q948", 3, 3),))
    for root, ident in ((alpha, "e1"), (alpha, "e9"), (beta, "tunisia")):
        entity_page(root, ident)
    assert join([alpha, beta], tmp_path / "hub").linked_pages == 3

    def links(path: str) -> list[str]:
        page = (tmp_path / "hub" / path).read_text(encoding="utf-8")
        return re.findall(r'<a href="\.\./\.\./\.\./\.\./([^"]+)"><bdi>', page)

    assert links("alpha/corpus/entities/e1/index.html") == ["beta/corpus/entities/tunisia/"]
    assert links("alpha/corpus/entities/e9/index.html") == ["beta/corpus/entities/tunisia/"]
    assert links("beta/corpus/entities/tunisia/index.html") == ["alpha/corpus/entities/e1/", "alpha/corpus/entities/e9/"]
    assert "(<bdi>الجمهورية التونسية</bdi>): 1 إحالة في 1 وثيقة" in \
        (tmp_path / "hub/beta/corpus/entities/tunisia/index.html").read_text(encoding="utf-8")


def test_a_page_that_is_not_utf8_is_left_as_it_is(tmp_path, summary):
    rows = (("e1", "place", "سوسة", "", 1, 1),)
    alpha, beta = (collection(tmp_path, name, summary, entities=rows) for name in ("alpha", "beta"))
    entity_page(alpha, "e1")
    latin1 = entity_page(beta, "e1")
    latin1.write_bytes(b"\xe9" + latin1.read_bytes())
    assert join([alpha, beta], tmp_path / "hub").linked_pages == 1
    assert os.path.samefile(tmp_path / "hub/beta/corpus/entities/e1/index.html", latin1)
    assert '<bdi>beta</bdi></a>: 1 إحالة' in (tmp_path / "hub/alpha/corpus/entities/e1/index.html").read_text("utf-8")


def test_the_rows_of_the_table_have_distinct_ids():
    def shared(first: str, ident: str) -> hub_entities.SharedEntity:
        return hub_entities.SharedEntity(tuple(hub_entities.Entry(c, ident, "place", "x", "", 1, 1)
                                               for c in (first, "other")))

    assert shared("news-2012", "x").anchor == "shared-news-2012--x"
    assert shared("news", "2012-x").anchor == "shared-news--2012-x"


def test_the_row_of_another_collection_s_page_is_escaped(tmp_path, summary):
    hostile = (("e1", "person", '<script>alert(1)</script>', "", 1, 1),)
    alpha = collection(tmp_path, "alpha", summary, site_name='<img src=x onerror=alert(1)>', entities=hostile)
    beta = collection(tmp_path, "beta", summary, entities=(("e1", "person", '<script>alert(1)</script>', "", 2, 2),))
    entity_page(alpha, "e1")
    entity_page(beta, "e1")
    join([alpha, beta], tmp_path / "hub")
    page = (tmp_path / "hub/beta/corpus/entities/e1/index.html").read_text(encoding="utf-8")
    assert "<img" not in page and "<script" not in page
    assert '<bdi>&lt;img src=x onerror=alert(1)&gt;</bdi></a>: 1 إحالة في 1 وثيقة' in page


def test_the_shared_entities_are_paginated(tmp_path, summary, monkeypatch):
    monkeypatch.setattr(hub_entities, "PAGE_SIZE", 2)
    rows = tuple((f"e{n}", "person", f"اسم {n}", "", 1, 10 - n) for n in range(5))
    alpha = collection(tmp_path, "alpha", summary, entities=rows)
    entity_page(alpha, "e2")
    join([alpha, collection(tmp_path, "beta", summary, entities=rows)], tmp_path / "hub")
    # the entity's page links its row on the page of the table that has it
    assert '(<a href="../../../../entities/2/#shared-alpha--e2">' in \
        (tmp_path / "hub/alpha/corpus/entities/e2/index.html").read_text(encoding="utf-8")
    pages = [tmp_path / "hub/entities/index.html", tmp_path / "hub/entities/2/index.html",
             tmp_path / "hub/entities/3/index.html"]
    first, second, third = (p.read_text(encoding="utf-8") for p in pages)
    assert not (tmp_path / "hub/entities/4").exists()
    assert '<a href="../entities/2/" rel="next">' in first and 'rel="prev"' not in first
    assert '<a href="../../entities/" rel="prev">' in second and '<a href="../../entities/3/" rel="next">' in second
    assert 'rel="next"' not in third and "الصفحة 3 من 3" in third
    assert '<td class="count">3</td><td><bdi>اسم 2</bdi><br>' in second        # rows numbered across pages
    assert '<a href="../../alpha/corpus/entities/e2/">' in second
    assert [first.count("<tr id="), second.count("<tr id="), third.count("<tr id=")] == [2, 2, 1]
    assert '<tr id="shared-alpha--e2"><td class="count">3</td>' in second


def test_shared_entity_names_are_escaped(tmp_path, summary):
    hostile = (("e1", "person", '<script>alert(1)</script>" onmouseover="x', "", 1, 1),)
    join([collection(tmp_path, "alpha", summary, entities=hostile),
          collection(tmp_path, "beta", summary, entities=hostile)], tmp_path / "hub")
    page = (tmp_path / "hub/entities/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;&#34; onmouseover=&#34;x</bdi>" in page


def test_a_broken_entity_table_is_reported_with_its_line(tmp_path, summary):
    good = collection(tmp_path, "alpha", summary)
    bad_rows = collection(tmp_path, "beta", summary, entities=(
        ("e1", "person", "زيد", "", 1, 1),
        ("Bad Id", "person", "عمرو", "", 1, 1),
        ("e3", "spaceship", "س", "", 1, 1),
        ("e4", "person", "ص", "P31", 1, 1),
        ("e5", "person", "ض", "", "many", 1),
    ))
    bad_header = collection(tmp_path, "gamma", summary)
    (bad_header / "site" / export.csv_path("entities")).write_text("id,name\r\ne1,x\r\n", encoding="utf-8")
    missing = collection(tmp_path, "delta", summary)
    (missing / "site" / export.csv_path("entities")).unlink()
    reserved = collection(tmp_path, "entities", summary)
    with pytest.raises(HubError) as raised:
        join([good, bad_rows, bad_header, missing, reserved], tmp_path / "hub")
    table = (bad_rows / "site" / export.csv_path("entities")).as_posix()
    again = "build the collection again with this version"
    assert str(raised.value).splitlines() == [
        f"{table}:3: the id 'Bad Id' is not an entity id; {again}",
        f"{table}:4: the type 'spaceship' is not an entity type; {again}",
        f"{table}:5: 'P31' is not a Wikidata id; {again}",
        f"{table}:6: the mentions and documents cells are not counts; {again}",
        f"{(bad_header / 'site' / export.csv_path('entities')).as_posix()}:1: not the entity table this version "
        f"writes (columns {', '.join(ENTITY_COLUMNS)}); {again}",
        f"{(missing / 'site' / export.csv_path('entities')).as_posix()}: not found; {again}",
        f"{reserved.as_posix()}: a collection cannot be named 'entities': the hub's pages of shared entities are "
        "there; rename the folder",
    ]
    assert not (tmp_path / "hub").exists()


def test_search_indexes_of_different_pagefind_versions_are_refused(tmp_path, summary):
    alpha, beta, gamma = (collection(tmp_path, name, summary) for name in ("alpha", "beta", "gamma"))
    searchable(alpha, "1.5.2")
    searchable(beta, "1.4.0")
    with pytest.raises(HubError) as raised:
        join([alpha, beta, gamma], tmp_path / "hub")          # gamma has no search index: not compared
    assert str(raised.value) == (
        "the collections' search indexes were made by different Pagefind versions (alpha 1.5.2, beta 1.4.0); the "
        "hub's search reads them all with one version's script: build every collection with the same version of "
        "this tool")
    (beta / "site/pagefind/pagefind-entry.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(HubError) as raised:
        join([alpha, beta], tmp_path / "hub")
    assert str(raised.value) == (f"{(beta / 'site/pagefind/pagefind-entry.json').as_posix()}: unreadable, or "
                                 "without the version of Pagefind that made it; build the collection again")
    searchable(beta, "1.5.2")
    assert [c.name for c in join([alpha, beta, gamma], tmp_path / "hub").collections] == ["alpha", "beta", "gamma"]
