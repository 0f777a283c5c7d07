"""corpus review: a Markdown summary of what changed in the annotations between two revisions."""

from __future__ import annotations

import re

import pytest

from build_tools.cli import main
from test_reanchor import SEED, SEED_TEXT, git, git_copy

M = f"annotations/{SEED}/mentions.yml"
C = f"annotations/{SEED}/claims.yml"
Q = f"annotations/{SEED}/quotes.yml"
R = "annotations/entities.yml"


def edit(root, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def commit(root, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", message)


def rows(markdown: str, doc: str | None = None) -> list[list[str]]:
    """The table rows (cells) of one section of the summary."""
    if doc is not None:
        markdown = markdown.split(f"### `{doc}`", 1)[1].split("\n### ", 1)[0]
    out = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith(("| change |", "| --- |")):
            out.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return out


@pytest.fixture
def repo(tmp_path):
    return git_copy(tmp_path)


def review(capsys, root, *args: str) -> str:
    capsys.readouterr()
    assert main(["review", "--root", str(root), *args]) == 0
    return capsys.readouterr().out


def test_no_changes(repo, capsys):
    out = review(capsys, repo, "--base", "HEAD")
    assert out.startswith("## Annotation changes: HEAD (")
    assert "No annotation changes." in out


def test_text_edits_followed_by_reanchor_are_edits_not_moves(repo, capsys):
    edit(repo, SEED_TEXT, "حـرب إلكترونية بين", "عاجل: حـرب إلكترونية بين")
    edit(repo, SEED_TEXT, "أخبارا زائفة", "أخبارا زائفة ومضللة")
    assert main(["reanchor", "--root", str(repo), "--apply", "-q"]) == 0
    out = review(capsys, repo, "--base", "HEAD")
    assert f"### `{SEED}` (text edited in 2 place(s))" in out
    table = rows(out, SEED)
    # Nothing moved; the two annotations whose words were corrected are listed as edited.
    assert {(r[0], r[1], r[2]) for r in table} == {
        ("edited", "quote", "`government-false-news-characterisation`"),
        ("edited", "claim", "`government-accuses-websites-and-activists-of-false-news`"),
    }
    moved = next(r for r in table if r[1] == "quote")
    assert "«أخبارا زائفة ومضللة لمغالطة الرأي العام المغربي» (line 7)" in moved[3]
    assert moved[4] == "was «أخبارا زائفة لمغالطة الرأي العام المغربي» (line 7)"


def test_added_removed_moved_changed_renamed_and_merged(repo, capsys):
    # entities: «2m» merged into a new entity (its entry removed, its mention re-pointed); one changed
    registry = (repo / R).read_text(encoding="utf-8")
    start = registry.index('  - id: "2m"\n')
    end = registry.index("  - id: ", start + 1)
    (repo / R).write_text(registry[:start] + registry[end:] +
                          "  - id: moroccan-tv-2m\n    type: media\n    name: \"القناة الثانية المغربية\"\n"
                          "    label: \"2M\"\n    aliases: [\"دوزيم\"]\n", encoding="utf-8")
    edit(repo, M, 'entity: "2m"\n', "entity: moroccan-tv-2m\n")
    edit(repo, C, 'about: ["2m"]', "about: [moroccan-tv-2m]")
    edit(repo, R, 'label: "Khalid Al-Walid"', 'label: "Khalid El Oualid"')
    # mentions: one removed, one added, one moved (longer), one given another entity
    edit(repo, M, '  - entity: khalid-al-walid\n    quote: "خالد الوليد"\n', "")
    edit(repo, M, "mentions:\n", "mentions:\n  - entity: moroccan-government\n    quote: \"حكومية\"\n"
                                 "    occurrence: 1\n")
    edit(repo, M, 'quote: "نبيل بن عبد الله"', 'quote: "المدينة نبيل بن عبد الله"')
    edit(repo, M, '  - entity: moroccan-intelligence-services\n    quote: "المخابرات"\n    prefix: "وعناصر "',
         '  - entity: moroccan-government\n    quote: "المخابرات"\n    prefix: "وعناصر "')
    # claims and quotes: a status changed, an id renamed, a quote moved
    edit(repo, C, "status: reported-as-fact", "status: verified")
    edit(repo, C, "id: nadortoday-electronic-war-on-facebook", "id: nadortoday-cyberwar-on-facebook")
    edit(repo, Q, 'quote: "أخبارا زائفة لمغالطة الرأي العام المغربي"', 'quote: "أخبارا زائفة"')
    capsys.readouterr()
    assert main(["check", "--root", str(repo)]) == 0, capsys.readouterr().err

    out = review(capsys, repo, "--base", "HEAD")
    entities = rows(out.split("### Entities", 1)[1].split("\n### ", 1)[0])
    assert ["added", "`moroccan-tv-2m`", "media", "القناة الثانية المغربية", ""] in entities
    assert ["merged", "`2m`", "media", "القناة الثانية", "into `moroccan-tv-2m` (1 mention)"] in entities
    assert any(r[0] == "changed" and r[1] == "`khalid-al-walid`" and
               r[4] == "label: Khalid Al-Walid → Khalid El Oualid" for r in entities)

    table = rows(out, SEED)
    kinds = {(r[0], r[1], r[2]) for r in table}
    assert ("removed", "mention", "`khalid-al-walid`") in kinds
    assert ("added", "mention", "`moroccan-government`") in kinds
    assert ("moved", "mention", "`nabil-benabdallah`") in kinds
    assert ("changed", "mention", "`moroccan-government`") in kinds
    assert any(r[:3] == ["changed", "mention", "`moroccan-government`"] and
               r[4] == "entity: moroccan-intelligence-services → moroccan-government" for r in table)
    assert ["changed", "mention", "`moroccan-tv-2m`", "«دوزيم» (line 11)", "entity: 2m → moroccan-tv-2m"] in table
    assert ("renamed", "claim", "`nadortoday-cyberwar-on-facebook`") in kinds
    renamed = next(r for r in table if r[0] == "renamed")
    assert renamed[4] == "was `nadortoday-electronic-war-on-facebook`"
    claims = {r[2]: r[4] for r in table if r[0] == "changed" and r[1] == "claim"}
    assert claims == {"`anonymous-morocco-says-2m-aired-the-news`": "about: 2m → moroccan-tv-2m",
                      "`nadortoday-headline-war-topples-government-sites-and-minister-page`":
                      "status: reported-as-fact → verified"}
    assert ("moved", "quote", "`government-false-news-characterisation`") in kinds
    assert out.count("**Summary.**") == 1 and "entities: 1 added, 1 merged, 1 changed" in out


def test_between_two_revisions_and_new_documents(repo, capsys, tmp_path, monkeypatch):
    import io
    import sys

    base = git(repo, "rev-parse", "HEAD").strip()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("نص جديد عن أنونيموس المغرب.\n".encode()),
                                                       encoding="utf-8"))
    assert main(["new", "second-doc", "--root", str(repo), "--title", "وثيقة", "-q"]) == 0
    edit(repo, "annotations/second-doc/mentions.yml", "mentions: []\n",
         "mentions:\n  - entity: anonymous-morocco\n    quote: \"أنونيموس المغرب\"\n")
    commit(repo, "second document")
    (repo / "corpus/second-doc.txt").write_text("changed in the working tree\n", encoding="utf-8")
    out = review(capsys, repo, "--base", base, "--head", "HEAD")
    assert "→ HEAD (" in out and "### `second-doc` (new document)" in out
    assert rows(out, "second-doc") == [["added", "mention", "`anonymous-morocco`", "«أنونيموس المغرب» (line 1)", ""]]
    assert "documents: 1 added" in out
    target = tmp_path / "summary.md"
    capsys.readouterr()
    assert main(["review", "--root", str(repo), "--base", base, "--head", "HEAD", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == out


def test_head_with_errors_and_bad_revisions(repo, capsys):
    edit(repo, M, 'quote: "دوزيم"', 'quote: "دوزيمم"')
    out = review(capsys, repo, "--base", "HEAD")
    assert "`corpus check` finds 1 error(s) in the head revision" in out
    assert ["removed", "mention", "`2m`", "«دوزيم» (line 11)", ""] in rows(out, SEED)
    capsys.readouterr()
    assert main(["review", "--root", str(repo), "--base", "no-such-branch"]) == 1
    assert "'no-such-branch' is not a commit" in capsys.readouterr().err


def test_after_reanchor_the_seed_corrections_show_as_edits_only(repo, capsys):
    """The corrections of test_reanchor (insertions, a deletion at a claim's edge, a spelling fix…)
    followed by reanchor --apply: nothing is reported as moved, added or removed."""
    from test_reanchor import apply_text_edits, seed_edits

    old = (repo / SEED_TEXT).read_text(encoding="utf-8")
    (repo / SEED_TEXT).write_text(apply_text_edits(old, seed_edits(old)), encoding="utf-8")
    assert main(["reanchor", "--root", str(repo), "--apply", "-q"]) == 0
    out = review(capsys, repo, "--base", "HEAD")
    table = rows(out, SEED)
    assert table and {r[0] for r in table} == {"edited"}, out
