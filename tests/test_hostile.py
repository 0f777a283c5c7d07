"""Broken and hostile input: one case per failure class.

Each case starts from a valid fixture project whose site is already built, breaks one
thing, runs ``corpus build`` and asserts: exit code 1; a message naming the file, line,
column and rule; the previous site and generated pages untouched; the sources unchanged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from build_tools.cli import main
from corpus_fixtures import CLAIMS, META, MENTIONS, QUOTES, REGISTRY, TEXT, fixture_files, write_files
from sitecheck import tree_hash

pytestmark = pytest.mark.e2e

M = "annotations/sample/mentions.yml"
C = "annotations/sample/claims.yml"
Q = "annotations/sample/quotes.yml"
R = "annotations/entities.yml"
T = "corpus/sample.txt"
D = "corpus/sample.yml"


@dataclass(frozen=True)
class Case:
    name: str
    files: dict
    where: str            # "path:line:column" (or just "path" for file-level problems)
    code: str
    message: str = ""     # a fragment the message must contain
    also: tuple = field(default=())


def mention(body: str) -> dict:
    return {M: "mentions:\n" + body}


def claim(body: str) -> dict:
    return {C: "claims:\n  - id: c1\n    claimant: anonymous-morocco\n    kind: accusation\n"
               "    status: attributed\n    summary: \"x\"\n" + body}


def quote(body: str) -> dict:
    return {Q: "quotes:\n  - id: q1\n    speaker: anonymous-morocco\n    kind: direct\n" + body}


def entity(body: str) -> dict:
    return {R: REGISTRY + "  - " + body.lstrip()}


GOOD_MENTION = "  - entity: morocco\n    quote: \"المغرب\"\n    prefix: \"ب\"\n"
DIACRITICS_TEXT = "عنوان\n\nقال مُحَمَّد إن الحكومة المغربية تكذب.\n"

CASES = [
    # ---- YAML syntax and strictness -------------------------------------------------
    Case("duplicate key", mention("  - entity: morocco\n    entity: morocco\n    quote: \"المغرب\"\n"),
         f"{M}:3:5", "duplicate-key", "duplicate key 'entity'"),
    Case("anchor and alias", mention("  - &m {entity: morocco, quote: \"x\"}\n  - *m\n"), f"{M}:2:5", "yaml-anchor"),
    Case("merge key", mention("  - <<: {entity: morocco}\n    quote: \"x\"\n"), f"{M}:2:5", "yaml-merge-key"),
    Case("python tag", mention("  - entity: !!python/object/apply:os.system [\"id\"]\n"), f"{M}:2:13", "yaml-tag"),
    Case("custom tag", mention("  - entity: !secret morocco\n"), f"{M}:2:13", "yaml-tag"),
    Case("two documents", {M: "mentions: []\n---\nmentions: []\n"}, f"{M}:2:1", "yaml-multiple-documents"),
    Case("unclosed bracket", {M: "mentions: [\n  {entity: morocco\n"}, f"{M}:3:1", "yaml-syntax"),
    Case("tab indentation", {M: "mentions:\n\t- entity: morocco\n"}, f"{M}:2:1", "yaml-syntax"),
    Case("bad indentation", {M: "mentions:\n  - entity: morocco\n   quote: x\n"}, f"{M}:3:4", "yaml-syntax"),
    Case("control character", {M: "mentions:\n  - entity: moro\x07cco\n"}, f"{M}:2:17", "yaml-syntax", "U+0007"),
    Case("latin-1 bytes", {M: "mentions:\n  - entity: caf\xe9\n".encode("latin-1")}, f"{M}:2:16", "not-utf8"),
    Case("byte-order mark", {M: "\ufeffmentions: []\n".encode("utf-8")}, f"{M}:1:1", "byte-order-mark"),
    Case("nesting bomb", {M: "mentions: " + "[" * 50 + "]" * 50 + "\n"}, f"{M}:1:", "yaml-too-deep"),
    Case("huge file", {M: "mentions: []\n#" + "x" * (4 * 1024 * 1024) + "\n"}, f"{M}:1:1", "file-too-large"),
    Case("billion laughs", {M: "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"}, f"{M}:1:4", "yaml-anchor"),
    # ---- file structure -------------------------------------------------------------
    Case("top level is a list", {M: "- entity: morocco\n"}, f"{M}:1:1", "wrong-type"),
    Case("wrong top key", {M: "mention:\n  - entity: morocco\n"}, f"{M}:1:1", "unknown-key", "'mention'"),
    Case("layer is not a list", {M: "mentions: morocco\n"}, f"{M}:1:11", "wrong-type"),
    Case("entry is text", {M: "mentions:\n  - morocco\n"}, f"{M}:2:5", "wrong-type"),
    Case("unknown layer file", {"annotations/sample/notes.yml": "notes: []\n"}, "annotations/sample/notes.yml",
         "unknown-file"),
    Case("annotations of a missing document", {"annotations/ghost/mentions.yml": "mentions: []\n"},
         "annotations/ghost", "unknown-document"),
    Case(".yaml metadata", {"corpus/sample.yaml": META}, "corpus/sample.yaml", "unknown-file"),
    Case("text without metadata", {"corpus/other.txt": "نص\n"}, "corpus/other.txt", "missing-file"),
    Case("metadata without text", {"corpus/other.yml": "title: x\n"}, "corpus/other.yml", "missing-file"),
    Case("file name is not an id", {"corpus/Bad Name.txt": "نص\n", "corpus/Bad Name.yml": "title: x\n"},
         "corpus/Bad Name.txt", "bad-id"),
    Case("stray file in annotations", {"annotations/notes.txt": "x\n"}, "annotations/notes.txt", "unknown-file"),
    # ---- keys, types, ids -----------------------------------------------------------
    Case("unknown key", mention(GOOD_MENTION + "    notes: \"x\"\n"), f"{M}:5:5", "unknown-key", "did you mean 'note'"),
    Case("missing entity", mention("  - quote: \"المغرب\"\n    prefix: \"ب\"\n"), f"{M}:2:5", "missing-key"),
    Case("entity is a list", mention("  - entity: [morocco]\n    quote: \"x\"\n"), f"{M}:2:13", "wrong-type"),
    Case("id with capitals", mention("  - entity: Morocco\n    quote: \"x\"\n"), f"{M}:2:13", "bad-id"),
    Case("id with path traversal", entity("id: \"../../etc\"\n    type: place\n    name: x\n    label: x\n"),
         f"{R}:15:9", "bad-id"),
    Case("id with bidi override", entity("id: \"evil\u202egnp\"\n    type: place\n    name: x\n    label: x\n"),
         f"{R}:15:9", "bad-id"),
    Case("id with zero-width space", entity("id: \"mo\u200brocco2\"\n    type: place\n    name: x\n    label: x\n"),
         f"{R}:15:9", "bad-id"),
    Case("unknown entity type", entity("id: x\n    type: country\n    name: x\n    label: x\n"), f"{R}:16:11",
         "bad-value"),
    Case("empty entity name", entity("id: x\n    type: place\n    name: \"\"\n    label: x\n"), f"{R}:17:11",
         "empty-value"),
    Case("missing label", entity("id: x\n    type: place\n    name: x\n"), f"{R}:15:5", "missing-key"),
    Case("wikidata not an id", entity("id: x\n    type: place\n    name: x\n    label: x\n    wikidata: "
                                      "\"javascript:alert(1)\"\n"), f"{R}:19:15", "bad-value"),
    Case("aliases not a list", entity("id: x\n    type: place\n    name: x\n    label: x\n    aliases: y\n"),
         f"{R}:19:14", "wrong-type"),
    Case("duplicate entity id", entity("id: morocco\n    type: place\n    name: x\n    label: x\n"), f"{R}:15:5",
         "duplicate-id"),
    Case("duplicate claim id", {C: CLAIMS + CLAIMS.split("\n", 1)[1]}, f"{C}:11:9", "duplicate-id"),
    Case("duplicate quote id", {Q: QUOTES + QUOTES.split("\n", 1)[1]}, f"{Q}:7:9", "duplicate-id"),
    # ---- references ------------------------------------------------------------------
    Case("unknown entity", mention("  - entity: moroco\n    quote: \"المغرب\"\n    prefix: \"ب\"\n"), f"{M}:2:13",
         "unknown-entity", "not in the entity registry"),
    Case("unknown claimant", {C: CLAIMS.replace("claimant: anonymous-morocco", "claimant: nobody")}, f"{C}:3:15",
         "unknown-entity"),
    Case("unknown claim target", {C: CLAIMS.replace("about: [moroccan-government]", "about: [nobody]")},
         f"{C}:6:13", "unknown-entity"),
    Case("unknown quote in claim", {C: CLAIMS.replace("quotes: [government-lies-quote]", "quotes: [nope]")},
         f"{C}:8:14", "unknown-quote"),
    Case("unknown speaker", {Q: QUOTES.replace("speaker: anonymous-morocco", "speaker: nobody")}, f"{Q}:3:14",
         "unknown-entity"),
    Case("unknown source entity", {D: META + "source_entity: nowhere\n"}, f"{D}:8:16", "unknown-entity"),
    # ---- values ------------------------------------------------------------------------
    Case("claim kind", claim("    quote: \"تكذب\"\n").__class__({C: claim("    quote: \"تكذب\"\n")[C].replace(
        "kind: accusation", "kind: rumour")}), f"{C}:4:11", "bad-value"),
    Case("claim status", {C: claim("    quote: \"تكذب\"\n")[C].replace("status: attributed", "status: true")},
         f"{C}:5:13", "bad-value"),
    Case("claim without summary", {C: claim("    quote: \"تكذب\"\n")[C].replace("    summary: \"x\"\n", "")},
         f"{C}:2:5", "missing-key"),
    Case("quote kind", {Q: QUOTES.replace("kind: reported", "kind: hearsay")}, f"{Q}:4:11", "bad-value"),
    Case("quote channel", {Q: QUOTES.replace("channel: written-statement", "channel: pigeon")}, f"{Q}:5:14",
         "bad-value"),
    # ---- anchors -----------------------------------------------------------------------
    Case("no anchor", mention("  - entity: morocco\n"), f"{M}:2:5", "missing-anchor"),
    Case("quote and start", quote("    quote: \"تكذب\"\n    start: \"قال\"\n    end: \"تكذب\"\n"), f"{Q}:6:12",
         "anchor-conflict"),
    Case("start without end", quote("    start: \"قال\"\n"), f"{Q}:5:12", "missing-key"),
    Case("prefix with range", quote("    start: \"قال\"\n    end: \"تكذب\"\n    prefix: \"x\"\n"), f"{Q}:7:13",
         "anchor-conflict"),
    Case("empty quote", mention("  - entity: morocco\n    quote: \"\"\n"), f"{M}:3:12", "empty-value"),
    Case("quote not in text", mention("  - entity: morocco\n    quote: \"الجزائر\"\n"), f"{M}:3:12",
         "anchor-not-found"),
    Case("teh marbuta typo", mention("  - entity: moroccan-government\n    quote: \"الحكومه المغربيه\"\n"),
         f"{M}:3:12", "anchor-not-found", "does not occur"),
    Case("ambiguous quote", mention("  - entity: morocco\n    quote: \"المغرب\"\n"), f"{M}:3:12", "anchor-ambiguous",
         "occurs 3 times"),
    Case("occurrence too large", mention("  - entity: morocco\n    quote: \"المغرب\"\n    occurrence: 9\n"),
         f"{M}:4:17", "anchor-occurrence"),
    Case("occurrence zero", mention("  - entity: morocco\n    quote: \"المغرب\"\n    occurrence: 0\n"), f"{M}:4:17",
         "bad-occurrence"),
    Case("occurrence injection", mention("  - entity: morocco\n    quote: \"المغرب\"\n    occurrence: \"1; rm -rf /\"\n"),
         f"{M}:4:17", "bad-occurrence"),
    Case("occurrence all on a claim", claim("    quote: \"تكذب\"\n    occurrence: all\n"), f"{C}:8:17",
         "bad-occurrence"),
    Case("context mismatch", mention("  - entity: morocco\n    quote: \"المغرب\"\n    prefix: \"في \"\n"), f"{M}:3:12",
         "anchor-context"),
    Case("range end before start", quote("    start: \"وردت\"\n    end: \"قال\"\n"), f"{Q}:2:5", "anchor-range"),
    Case("quote splits a letter", {T: DIACRITICS_TEXT, M: "mentions:\n  - entity: morocco\n    quote: \"مُحَم\"\n",
                                   C: "claims: []\n", Q: "quotes: []\n"}, f"{M}:3:12", "anchor-splits-letter"),
    Case("same span twice", mention(GOOD_MENTION + GOOD_MENTION.replace("morocco", "moroccan-government")),
         f"{M}:6:12", "duplicate-mention"),
    # ---- metadata ----------------------------------------------------------------------
    Case("missing title", {D: "language: ar\n"}, f"{D}:1:1", "missing-key"),
    Case("impossible date", {D: META.replace("2012-02-02", "2012-02-30")}, f"{D}:5:13", "bad-date"),
    Case("date as number", {D: META.replace("\"2012-02-29\"", "2012")}, f"{D}:6:11", "bad-date"),
    Case("dates reversed", {D: META.replace("2012-02-29", "2012-01-01")}, f"{D}:6:11", "bad-date"),
    Case("javascript url", {D: META + "url: \"javascript:alert(1)\"\n"}, f"{D}:8:6", "bad-url"),
    Case("data url", {D: META + "url: \"data:text/html,<script>alert(1)</script>\"\n"}, f"{D}:8:6", "bad-url"),
    Case("url with bidi control", {D: META + "url: \"https://exa\u202emple.org/\"\n"}, f"{D}:8:6", "bad-url"),
    Case("bad language", {D: META.replace("language: ar", "language: Arabic!")}, f"{D}:2:11", "bad-value"),
    Case("headline yes", {D: META.replace("headline: true", "headline: yes")}, f"{D}:3:11", "bad-value"),
    Case("unknown metadata key", {D: META + "autor: x\n"}, f"{D}:8:1", "unknown-key", "did you mean 'author'"),
    # ---- text --------------------------------------------------------------------------
    Case("CRLF text", {T: TEXT.replace("\n", "\r\n")}, f"{T}:1:12", "text-crlf"),
    Case("BOM text", {T: ("\ufeff" + TEXT).encode("utf-8")}, f"{T}:1:1", "byte-order-mark"),
    Case("windows-1256 text", {T: TEXT.encode("cp1256")}, f"{T}:1:1", "not-utf8"),
    Case("empty text", {T: "\n\u00a0\n"}, f"{T}:1:1", "empty-text"),
    Case("NUL in text", {T: TEXT.replace("قال", "ق\x00ال")}, f"{T}:3:2", "text-control-character"),
]


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    root = write_files(tmp_path_factory.mktemp("hostile") / "base", fixture_files())
    assert main(["build", "--root", str(root), "--site-dir", str(root / "site"), "--quiet"]) == 0
    return root


def test_there_are_at_least_fifty_cases():
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_refused_cleanly(case, built_project, tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    write_files(root, case.files)
    sources_before = {name: tree_hash(root / name) for name in ("corpus", "annotations")}
    site_before = tree_hash(root / "site")
    pages_before = tree_hash(root / "docs/corpus")
    capsys.readouterr()

    code = main(["build", "--root", str(root), "--site-dir", str(root / "site")])
    err = capsys.readouterr().err

    assert code == 1, err
    lines = [line for line in err.splitlines() if f"error[{case.code}]" in line]
    assert lines, f"no {case.code} error in:\n{err}"
    assert any(line.startswith(case.where) for line in lines), f"expected at {case.where}:\n{err}"
    if case.message:
        assert case.message in err
    assert "hint:" in err
    assert {name: tree_hash(root / name) for name in ("corpus", "annotations")} == sources_before
    assert tree_hash(root / "site") == site_before
    assert tree_hash(root / "docs/corpus") == pages_before
