"""The per-document exports go into the site beside MkDocs, not through it: linked by the
plugin, a shard its share, a preview's rebuild only what changed."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from build_tools import mkdocs_plugin, urls
from build_tools.mkdocs_plugin import FilesAndExports, Shard, link_document_exports, without_document_exports
from build_tools.output import MARKER


def generated(docs: Path, names: dict[str, str]) -> Path:
    """A generated folder (with the generator's marker) holding these per-document exports."""
    folder = docs / urls.DOCUMENT_EXPORTS
    folder.mkdir(parents=True)
    (docs / urls.GENERATED / MARKER).write_text("generated\n", encoding="utf-8")
    for name, text in names.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def replace(path: Path, text: str) -> None:
    """As the generator changes a file: a new file renamed over the old one (a new inode)."""
    new = path.with_name(".tmp-" + path.name)
    new.write_text(text, encoding="utf-8")
    os.replace(new, path)


EXPORTS = {f"d{i}.{ext}": f"{i}{ext}" for i in range(4) for ext in ("json", "jsonld", "txt")}


def test_every_export_is_linked_into_the_site(tmp_path):
    source = generated(tmp_path / "docs", EXPORTS)
    site = tmp_path / "site"
    assert link_document_exports(str(tmp_path / "docs"), str(site)) == 12
    target = site / urls.DOCUMENT_EXPORTS
    assert sorted(p.name for p in target.iterdir()) == sorted(EXPORTS)
    for name in EXPORTS:
        assert (target / name).stat().st_ino == (source / name).stat().st_ino
        assert (target / name).read_text(encoding="utf-8") == EXPORTS[name]


def test_shards_link_their_shares_and_together_all(tmp_path):
    generated(tmp_path / "docs", EXPORTS)
    shares = []
    for number in (1, 2, 3):
        site = tmp_path / f"shard-{number}"
        link_document_exports(str(tmp_path / "docs"), str(site), Shard(number, 3).owns)
        shares.append({p.name for p in (site / urls.DOCUMENT_EXPORTS).iterdir()})
    assert [len(share) for share in shares] == [4, 4, 4]
    assert set().union(*shares) == set(EXPORTS)
    assert shares[0] == {name for i, name in enumerate(sorted(EXPORTS)) if i % 3 == 0}


def test_a_rebuild_links_only_what_changed_and_removes_what_is_gone(tmp_path):
    source = generated(tmp_path / "docs", EXPORTS)
    site = tmp_path / "site"
    link_document_exports(str(tmp_path / "docs"), str(site))
    target = site / urls.DOCUMENT_EXPORTS
    kept = (target / "d0.json").stat().st_ino
    assert link_document_exports(str(tmp_path / "docs"), str(site), dirty=True) == 0
    replace(source / "d1.json", "changed")
    (source / "d2.txt").unlink()
    (source / "d9.txt").write_text("new", encoding="utf-8")
    assert link_document_exports(str(tmp_path / "docs"), str(site), dirty=True) == 2
    assert (target / "d1.json").read_text(encoding="utf-8") == "changed"
    assert (target / "d9.txt").read_text(encoding="utf-8") == "new"
    assert not (target / "d2.txt").exists()
    assert (target / "d0.json").stat().st_ino == kept
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in source.iterdir())


def test_without_hard_links_the_files_are_copied_and_a_rebuild_copies_only_what_changed(tmp_path, monkeypatch):
    def no_link(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    source = generated(tmp_path / "docs", EXPORTS)
    site = tmp_path / "site"
    monkeypatch.setattr(mkdocs_plugin.os, "link", no_link)
    assert link_document_exports(str(tmp_path / "docs"), str(site)) == 12
    target = site / urls.DOCUMENT_EXPORTS
    assert all((target / n).read_text(encoding="utf-8") == text for n, text in EXPORTS.items())
    assert (target / "d0.json").stat().st_ino != (source / "d0.json").stat().st_ino
    assert link_document_exports(str(tmp_path / "docs"), str(site), dirty=True) == 0
    replace(source / "d3.jsonld", "changed and longer")
    assert link_document_exports(str(tmp_path / "docs"), str(site), dirty=True) == 1
    assert (target / "d3.jsonld").read_text(encoding="utf-8") == "changed and longer"


def test_a_folder_the_generator_did_not_write_is_left_alone(tmp_path):
    folder = tmp_path / "docs" / urls.DOCUMENT_EXPORTS
    folder.mkdir(parents=True)
    (folder / "mine.json").write_text("{}", encoding="utf-8")
    assert link_document_exports(str(tmp_path / "docs"), str(tmp_path / "site")) == 0
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("marked", [True, False])
def test_mkdocs_is_not_shown_the_per_document_exports(tmp_path, marked):
    docs = tmp_path / "docs"
    generated(docs, EXPORTS)
    if not marked:
        (docs / urls.GENERATED / MARKER).unlink()
    (docs / "index.md").write_text("# x\n", encoding="utf-8")
    (docs / urls.EXPORTS / "corpus.json").write_text("{}", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    shown = sorted(f.src_uri for f in without_document_exports(get_files(config), config))
    exports = sorted(f"{urls.DOCUMENT_EXPORTS}/{name}" for name in EXPORTS)
    if marked:
        assert shown == sorted(["index.md", f"{urls.EXPORTS}/corpus.json", f"{urls.GENERATED}/{MARKER}"])
    else:
        assert shown == sorted(["index.md", f"{urls.EXPORTS}/corpus.json", *exports])


def test_a_markdown_link_to_a_per_document_export_still_builds_strict(tmp_path):
    """A hand-written page may link a document's export in Markdown: MkDocs checks the link
    and writes its URL, though the file is not one of MkDocs' files."""
    docs = tmp_path / "docs"
    generated(docs, EXPORTS)
    (docs / "index.md").write_text("# x\n\n[d1](corpus/exports/documents/d1.jsonld) [gone](corpus/exports/documents/"
                                   "d7.json)\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nplugins:\n  - corpus-publisher\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site/index.html").read_text(encoding="utf-8")
    assert 'href="corpus/exports/documents/d1.jsonld"' in page
    assert (tmp_path / "site/corpus/exports/documents/d1.jsonld").read_text(encoding="utf-8") == EXPORTS["d1.jsonld"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == ["WARNING -  Doc file 'index.md' contains a link 'corpus/exports/documents/d7.json', but the "
                        "target is not found among documentation files."]


@pytest.mark.parametrize("marked,plugin", [(True, True), (False, True), (True, False)])
def test_the_plugins_listing_of_docs_is_mkdocs_own_without_the_exports(tmp_path, marked, plugin, caplog):
    """mkdocs_plugin.get_files: MkDocs' files, in MkDocs' order, with the same inclusion
    (the defaults' exclusions, ``exclude_docs``, ``not_in_nav``, a README beside an index),
    without making a File of each per-document export."""
    docs = tmp_path / "docs"
    generated(docs, EXPORTS)
    if not marked:
        (docs / urls.GENERATED / MARKER).unlink()
    for rel in ("index.md", "b.md", "a/README.md", "a/index.md", "a/z.md", ".hidden.md", "drafts/x.md",
                "assets/s.css", f"{urls.EXPORTS}/corpus.json", f"{urls.GENERATED}/documents/d1.md"):
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text("# x\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nexclude_docs: drafts/\nnot_in_nav: /b.md\n"
                                         + ("plugins:\n  - corpus-publisher\n" if plugin else ""), encoding="utf-8")
    config = load_config(str(tmp_path / "mkdocs.yml"))

    def listing(files):
        return [(f.src_uri, f.dest_uri, f.inclusion) for f in files]

    theirs = get_files(config)
    warned = [r.getMessage() for r in caplog.records]
    caplog.clear()
    ours = mkdocs_plugin.get_files(config)
    assert [r.getMessage() for r in caplog.records] == warned == [
        "Excluding 'a/README.md' from the site because it conflicts with 'a/index.md'."]
    exports = {f"{urls.DOCUMENT_EXPORTS}/{name}" for name in EXPORTS}
    if marked and plugin:
        assert isinstance(ours, FilesAndExports)
        assert listing(ours) == [entry for entry in listing(theirs) if entry[0] not in exports]
        assert ours.get_file_from_path(f"{urls.DOCUMENT_EXPORTS}/d1.json") is not None     # found by path
    else:
        assert type(ours) is type(theirs) and listing(ours) == listing(theirs)
        assert exports <= {entry[0] for entry in listing(ours)}


def test_mkdocs_builds_list_docs_with_the_plugins_get_files(monkeypatch):
    """MkDocs' build looks ``get_files`` up in its module: the plugin's is there once a
    build with the plugin has started."""
    import mkdocs.commands.build

    monkeypatch.setattr(mkdocs.commands.build, "get_files", get_files)      # put back afterwards
    mkdocs_plugin.CorpusPlugin().on_startup(command="build", dirty=False)
    assert mkdocs.commands.build.get_files is mkdocs_plugin.get_files
