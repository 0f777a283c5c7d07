"""A site built in N MkDocs shards and merged is the site one process builds, and fails
where one process fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from build_tools import site
from build_tools.mkdocs_plugin import Shard, ShardMismatch, check_manifests, cross_shard_anchor_problems
from build_tools.site import _log_records
from corpus_fixtures import FIXTURE_MKDOCS
from sitecheck import differences, tree_hash

EPOCH = {"SOURCE_DATE_EPOCH": "1328400000"}
# site_url: the sitemap lists nothing without it.
SHARDABLE_MKDOCS = FIXTURE_MKDOCS + "site_url: https://example.org/fixture/\nplugins:\n  - corpus-publisher\n"
# Two hand-written pages outside the navigation: they come first in path order, so any N > 1
# puts them in different shards, and the link between them crosses shards.
NOTES = "# ملاحظات\n\nانظر [هناك](b-notes.md#there).\n"
MORE = "# المزيد\n\n## هناك {#there}\n\nنص.\n"


def shardable(make_project, **pages: str) -> Path:
    files = {"mkdocs.yml": SHARDABLE_MKDOCS, "docs/a-notes.md": NOTES, "docs/b-notes.md": MORE}
    files.update({f"docs/{name}.md": text for name, text in pages.items()})
    return make_project(files)


def corpus(*args: str, root: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_COLOR="1", **EPOCH)
    return subprocess.run([sys.executable, "-m", "build_tools", *args, "--root", str(root)], capture_output=True,
                          text=True, env=env, timeout=600)


def build(root: Path, folder: str, jobs: int, *extra: str) -> subprocess.CompletedProcess:
    return corpus("build", "--site-dir", str(root / folder), "-j", str(jobs), *extra, root=root)


# ---- end to end -----------------------------------------------------------------------------

@pytest.mark.e2e
def test_sharded_builds_are_the_one_process_build(make_project):
    root = shardable(make_project)
    for jobs in (1, 2, 3):
        result = build(root, f"site-{jobs}", jobs, "--quiet")
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr
    one = root / "site-1"
    sitemap = (one / "sitemap.xml").read_text(encoding="utf-8")
    pages = [p for p in one.rglob("index.html")]
    assert sitemap.count("<loc>") == len(pages) > 10, "the sitemap lists every page once"
    assert "https://example.org/fixture/b-notes/" in sitemap
    assert (one / "sitemap.xml.gz").exists()
    for jobs in (2, 3):
        assert differences(one, root / f"site-{jobs}") == []
    assert not list(root.glob(".site-*-building-*")), "no shard folder left behind"


@pytest.mark.e2e
def test_a_warning_in_any_shard_fails_the_build_and_keeps_the_previous_site(make_project):
    root = shardable(make_project)
    assert build(root, "site", 2, "--quiet").returncode == 0
    before = tree_hash(root / "site")
    # a broken link in the second page of the divided ones: built by shard 2 only
    (root / "docs/b-notes.md").write_text(MORE + "\n[مفقود](missing.md)\n", encoding="utf-8")
    for jobs in (1, 2, 3):
        result = build(root, "site", jobs, "--quiet")
        assert result.returncode == 1, (jobs, result.stderr)
        assert "'missing.md'" in result.stderr and "previous site is untouched" in result.stderr, result.stderr
        assert tree_hash(root / "site") == before
    assert not list(root.glob(".site-building-*")), "no scratch folder left behind"


@pytest.mark.e2e
def test_a_broken_fragment_across_shards_fails_like_one_process(make_project):
    root = shardable(make_project, **{"a-notes": NOTES.replace("#there", "#nowhere")})
    message = "Doc file 'a-notes.md' contains a link 'b-notes.md#nowhere', but the doc 'b-notes.md' does not contain an " \
              "anchor '#nowhere'."
    for jobs in (1, 2, 3):
        result = build(root, "site", jobs, "--quiet")
        assert result.returncode == 1, (jobs, result.stderr)
        assert f"WARNING -  {message}" in result.stderr, result.stderr
        assert not (root / "site").exists()
        if jobs > 1:
            assert "across shards" in result.stderr, "a shard cannot see the other's page: the merge checks it"
    result = build(root, "site", 2, "--quiet", "--no-strict")
    assert result.returncode == 0, result.stderr
    assert message in result.stderr


@pytest.mark.e2e
def test_a_problem_on_a_navigation_page_is_reported_once(make_project):
    root = shardable(make_project, index="# فهرس\n\n[مفقود](nowhere.md)\n")
    result = build(root, "site", 3, "--quiet")
    assert result.returncode == 1
    assert result.stderr.count("contains a link 'nowhere.md'") == 1, result.stderr


@pytest.mark.e2e
def test_mkdocs_does_not_tell_that_a_page_or_template_is_left_to_another_shard(make_project):
    root = shardable(make_project)
    result = build(root, "site", 2)
    assert result.returncode == 0, result.stderr
    assert "Documentation built in" in result.stderr, "not quiet: MkDocs' INFO lines are shown"
    for noise in ("excluded from the built site", "Page skipped", "Template skipped"):
        assert noise not in result.stderr, result.stderr


@pytest.mark.e2e
def test_without_the_plugin_the_build_takes_one_process(make_project):
    root = make_project()       # the fixture's mkdocs.yml lists no plugin: MkDocs adds its search
    result = build(root, "site", 2)
    assert result.returncode == 0, result.stderr
    assert "note: building in one process: mkdocs.yml does not list the corpus-publisher plugin" in result.stderr
    assert (root / "site/search/search_index.json").exists()


@pytest.mark.e2e
def test_shards_built_apart_merge_into_the_one_process_build(make_project):
    root = shardable(make_project)
    assert build(root, "site", 1, "--quiet").returncode == 0
    for number in (1, 2, 3):
        result = corpus("build", "--shard", f"{number}/3", "--site-dir", str(root / f"shard-{number}"), "--quiet",
                        root=root)
        assert result.returncode == 0, result.stderr
    shards = [str(root / f"shard-{n}") for n in (3, 1, 2)]      # any order
    incomplete = corpus("merge", *shards[:2], "--site-dir", str(root / "merged"), "--quiet", root=root)
    assert incomplete.returncode == 1
    assert "expected 1/N to N/N" in incomplete.stderr
    result = corpus("merge", *shards, "--site-dir", str(root / "merged"), "--quiet", root=root)
    assert result.returncode == 0, result.stderr
    assert differences(root / "site", root / "merged") == []
    assert (root / "shard-2/corpus-shard.json").exists(), "the shards are left as they were"


# ---- the parts ------------------------------------------------------------------------------

def test_a_shard_is_k_of_n_and_the_pages_are_dealt_out():
    assert Shard.parse("2/3") == Shard(2, 3) and str(Shard(2, 3)) == "2/3"
    for bad in ("0/3", "4/3", "3", "a/b", ""):
        with pytest.raises(ValueError):
            Shard.parse(bad)
    owners = [[k for k in (1, 2, 3) if Shard(k, 3).owns(i)] for i in range(7)]
    assert owners == [[1], [2], [3], [1], [2], [3], [1]]


def manifest(shard: str, anchors=None, unchecked=(), divided="d") -> dict:
    return {"shard": shard, "divided": divided, "anchor_level": 30, "anchors": anchors or {},
            "unchecked": [list(u) for u in unchecked]}


def test_manifests_must_be_every_shard_of_the_same_pages():
    check_manifests([manifest("2/2"), manifest("1/2")])
    for wrong in ([manifest("1/2")], [manifest("1/2"), manifest("1/2")], [manifest("1/2"), manifest("2/3")],
                  [manifest("1/2"), manifest("2/2", divided="e")], []):
        with pytest.raises(ShardMismatch):
            check_manifests(wrong)


def test_fragment_links_are_checked_against_the_shard_that_rendered_the_target():
    manifests = [manifest("1/2", anchors={"a.md": ["x"]}, unchecked=[("a.md", "b.md", "y", "b.md#y"),
                                                                      ("a.md", "b.md", "z", "b.md#z")]),
                 manifest("2/2", anchors={"b.md": ["y"]}, unchecked=[("b.md", "a.md", "x", "a.md#x")])]
    assert cross_shard_anchor_problems(manifests) == [
        (30, "Doc file 'a.md' contains a link 'b.md#z', but the doc 'b.md' does not contain an anchor '#z'.")]


def test_mkdocs_output_is_read_as_records():
    text = ("INFO    -  one\n  - listed\nWARNING -  two\n\nTraceback (most recent call last):\n  File \"x\"\n"
            "Aborted with 1 warnings in strict mode!\n")
    assert _log_records(text) == ["INFO    -  one\n  - listed", "WARNING -  two",
                                  "Traceback (most recent call last):\n  File \"x\"",
                                  "Aborted with 1 warnings in strict mode!"]


def test_shards_by_default_one_per_core_with_50_pages_each(monkeypatch):
    monkeypatch.setattr(site, "available_cores", lambda: 4)
    assert [site.default_shards(n) for n in (0, 99, 100, 160, 4000)] == [1, 1, 2, 3, 4]
    monkeypatch.setattr(site, "available_cores", lambda: 64)
    assert site.default_shards(100_000) == site.MAX_SHARDS == 8


def test_merging_refuses_a_file_written_by_two_shards(tmp_path):
    shards = []
    for number in (1, 2):
        folder = tmp_path / f"shard-{number}"
        (folder / "page").mkdir(parents=True)
        (folder / "corpus-shard.json").write_text(json.dumps(manifest(f"{number}/2")), encoding="utf-8")
        (folder / f"page/{number}.html").write_text(str(number), encoding="utf-8")
        shards.append(folder)
    site.merge_shards(shards, tmp_path / "merged")
    assert sorted(p.relative_to(tmp_path / "merged").as_posix() for p in (tmp_path / "merged").rglob("*.*")) == \
        ["page/1.html", "page/2.html"], "the files of both, not the manifests"
    assert (tmp_path / "shard-2/page/2.html").exists(), "the shards keep their files"
    (shards[1] / "page/1.html").write_text("again", encoding="utf-8")
    with pytest.raises(site.SiteError, match="two shards wrote page/1.html"):
        site.merge_shards(shards, tmp_path / "again")


def test_merging_scratch_shards_moves_their_files(tmp_path):
    """``corpus build``'s own shards are moved, not linked: a folder the site lacks goes over
    whole; one both have is merged; a file both wrote is refused as when linking."""
    shards = []
    for number in (1, 2):
        folder = tmp_path / f"shard-{number}"
        (folder / "shared").mkdir(parents=True)
        (folder / f"own-{number}/deep").mkdir(parents=True)
        (folder / "corpus-shard.json").write_text(json.dumps(manifest(f"{number}/2")), encoding="utf-8")
        (folder / f"shared/{number}.html").write_text(str(number), encoding="utf-8")
        (folder / f"own-{number}/deep/page.html").write_text(f"page {number}", encoding="utf-8")
        shards.append(folder)
    own = (shards[1] / "own-2").stat().st_ino
    site.merge_shards(shards, shards[0], move=True)
    merged = sorted(p.relative_to(shards[0]).as_posix() for p in shards[0].rglob("*") if p.is_file())
    assert merged == ["own-1/deep/page.html", "own-2/deep/page.html", "shared/1.html", "shared/2.html"]
    assert (shards[0] / "own-2").stat().st_ino == own, "a folder the site lacked was renamed, not rebuilt"
    assert (shards[0] / "own-2/deep/page.html").read_text(encoding="utf-8") == "page 2"
    assert not (shards[1] / "shared/2.html").exists()
    third = tmp_path / "shard-3"
    (third / "shared").mkdir(parents=True)
    (third / "corpus-shard.json").write_text(json.dumps(manifest("2/2")), encoding="utf-8")
    (third / "shared/1.html").write_text("again", encoding="utf-8")
    (shards[0] / "corpus-shard.json").write_text(json.dumps(manifest("1/2")), encoding="utf-8")
    with pytest.raises(site.SiteError, match="two shards wrote shared/1.html"):
        site.merge_shards([shards[0], third], shards[0], move=True)
    assert (shards[0] / "shared/1.html").read_text(encoding="utf-8") == "1"


def test_shards_yield_to_the_search_index_when_it_runs_at_the_same_time(tmp_path, monkeypatch, capsys):
    """With a niceness, every shard runs that much lower than the build's own process (and
    the Pagefind process it started); without, at the same priority."""
    probe = ("import os, time; time.sleep(0.5); "
             "print(f'INFO    -  shard niceness {os.getpriority(os.PRIO_PROCESS, 0)}')")
    monkeypatch.setattr(site, "_mkdocs_command", lambda root, out, strict: [sys.executable, "-c", probe])
    own = os.getpriority(os.PRIO_PROCESS, 0)
    outs = [tmp_path / "one", tmp_path / "two"]
    site._run_shards(tmp_path, outs, strict=True, quiet=False, niceness=site.SHARD_NICENESS)
    assert site.SHARD_NICENESS == 5
    assert capsys.readouterr().err.splitlines() == [f"INFO    -  shard niceness {min(own + 5, 19)}"]  # one record, told once
    site._run_shards(tmp_path, outs, strict=True, quiet=False)
    assert capsys.readouterr().err.splitlines() == [f"INFO    -  shard niceness {own}"]
