"""Re-anchoring after text corrections: nothing is misplaced silently.

The main test edits the seed article (in a git copy of the repository in a temporary
folder) with insertions, replacements and deletions before, between and inside annotated
passages. An oracle computed here from the edits themselves - independent of the
difflib alignment in reanchor.py - says where every annotation must be afterwards:
untouched ones shift by the edits before them; touched ones cover the old words' new
form. ``corpus reanchor`` must report every touched annotation (and every untouched one
whose anchor no longer points at its words), propose exactly the oracle's spans, write
nothing without ``--apply``, and after ``--apply`` the project passes ``check`` with every
annotation where the oracle puts it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from build_tools.cli import main
from build_tools.corpus import Project, load_and_resolve
from build_tools.model import Span
from build_tools.reanchor import TextMap, propose_anchor, resolve, snap
from build_tools.yamledit import YamlDocument, apply_edits, scalar
from corpus_fixtures import REPO

SEED = "nadortoday-2012-cyberwar"
SEED_TEXT = f"corpus/{SEED}.txt"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def git_copy(tmp_path: Path) -> Path:
    """The repository's sources, committed in a fresh repository (the working tree is never touched)."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("corpus", "annotations"):
        shutil.copytree(REPO / name, root / name)
    git(root, "init", "-q")
    git(root, "add", "corpus", "annotations")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "-m", "seed")
    return root


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((root / "annotations").rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# ---- the oracle -------------------------------------------------------------------------

@dataclass(frozen=True)
class TextEdit:
    start: int
    end: int
    text: str

    @property
    def delta(self) -> int:
        return len(self.text) - (self.end - self.start)


def nth(text: str, needle: str, n: int = 1) -> int:
    pos = -1
    for _ in range(n):
        pos = text.index(needle, pos + 1)
    return pos


def apply_text_edits(text: str, edits: list[TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


def oracle_touched(span: Span, edits: list[TextEdit]) -> bool:
    return any((e.start < span.end and e.end > span.start) if e.start < e.end
               else span.start < e.start < span.end for e in edits)


def oracle_span(span: Span, edits: list[TextEdit], new_text: str) -> Span:
    """Where the old span's words are in the new text (insertions at its edges stay outside)."""
    for e in edits:
        assert not (e.start < span.start < e.end) and not (e.start < span.end < e.end), \
            "the test's edits never cut through a span boundary"
    start = span.start + sum(e.delta for e in edits if e.end <= span.start)
    end = span.end + sum(e.delta for e in edits if e.end <= span.end and not (e.start == e.end == span.end))
    return snap(new_text, Span(start, end))


def annotation_spans(root: Path) -> dict[str, list[Span]]:
    """Every annotation's span, keyed by what identifies it (mentions in text order per entity)."""
    corpus, diagnostics = load_and_resolve(Project(root))
    assert corpus is not None, "\n".join(d.format() for d in diagnostics)
    [doc] = [d for d in corpus.documents if d.id == SEED]
    spans: dict[str, list[Span]] = defaultdict(list)
    for m in doc.mentions:
        spans[f"mention:{m.entity.id}"].append(m.span)
    for c in doc.claims:
        spans[f"claim:{c.id}"].append(c.span)
    for q in doc.quotes:
        spans[f"quote:{q.id}"].append(q.span)
    return spans


def seed_edits(old: str) -> list[TextEdit]:
    p_report = nth(old, "كما تضمن البيان المتوصل به تقريرا حول العملية، حيث ")
    p_statement = nth(old, "على حد تعبير البيان") + len("على حد تعبير البيان")
    p_false = nth(old, "أخبارا زائفة") + len("أخبارا زائفة")
    p_evening = nth(old, " مساء يوم أمس")
    p_social = nth(old, "الإجتماعية")
    p_morocco = nth(old, "20 فبراير بالمغرب") + len("20 فبراير ")
    return [
        # before every annotated passage; it also puts the words of an 'occurrence: 1' mention first
        TextEdit(0, 0, "وزير السكنى يعلق: "),
        # inside the first paragraph's text around a context-anchored mention: «ب» becomes «في »
        TextEdit(p_morocco, p_morocco + 1, "في "),
        # inside annotated passages: a spelling fix (إ → ا), an insertion and a deletion
        TextEdit(p_social + 2, p_social + 3, "ا"),
        TextEdit(p_false, p_false, " ومضللة"),
        TextEdit(p_evening, p_evening + len(" مساء يوم أمس"), ""),
        # between annotated passages: a sentence rewritten and words inserted
        TextEdit(p_report, p_report + len("كما تضمن البيان المتوصل به تقريرا حول العملية، حيث "), "وفي تقرير مرفق، "),
        TextEdit(p_statement, p_statement, " الذي وزعته المجموعة"),
    ]


def test_seed_edits_are_reported_and_applied_without_misplacing_anything(tmp_path, capsys):
    root = git_copy(tmp_path)
    old_text = (root / SEED_TEXT).read_text(encoding="utf-8")
    before = annotation_spans(root)
    edits = seed_edits(old_text)
    new_text = apply_text_edits(old_text, edits)
    (root / SEED_TEXT).write_text(new_text, encoding="utf-8")

    expected: dict[str, list[Span]] = {}
    touched: set[str] = set()
    for key, spans in before.items():
        expected[key] = [oracle_span(s, edits, new_text) for s in spans]
        if any(oracle_touched(s, edits) for s in spans):
            touched.add(key)
    assert len(touched) >= 6 and len(before) - len(touched) >= 40
    sources = tree_hash(root)

    code, out, err = run_cli(capsys, "reanchor", "--root", str(root), "--format", "json")
    assert code == 1, err
    assert tree_hash(root) == sources, "nothing may be written without --apply"
    [report] = json.loads(out)
    assert report["document"] == SEED and report["applied"] == [] and report["errors"] == []

    findings = report["annotations"]
    by_status = defaultdict(list)
    for f in findings:
        by_status[f["status"]].append(f)
    # Every touched annotation is reported; none is called intact.
    reported = {f["what"] for f in findings if f["status"] != "intact"}
    assert all(f["status"] in ("edited", "edited-inside", "moved") for f in findings if f["status"] != "intact")
    assert not by_status["deleted"] and not by_status["unresolved"] and not by_status["manual"]

    def key_of(what: str) -> str:
        kind, _, rest = what.partition(" ")
        name = rest.split("'")[1]
        return {"mention": "mention", "claim": "claim", "quote": "quote"}[kind] + ":" + name

    for name in touched:
        if name.startswith("mention:"):
            continue  # checked per span below
        assert any(key_of(w) == name for w in reported), f"{name} was touched but not reported"
    # The untouched mention whose 'occurrence: 1' now meets the inserted words first is caught.
    moved = [f for f in by_status["moved"] if f["what"] == "mention of 'nabil-benabdallah'"]
    assert moved and moved[0]["proposals"][0]["anchor"] == {"quote": "وزير السكنى", "occurrence": 2}
    # So is the mention whose prefix «20 فبراير ب» became «20 فبراير في ».
    assert any(f["what"] == "mention of 'morocco'" for f in by_status["moved"])

    # Each proposal marks exactly the span the oracle computes.
    proposed: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for f in findings:
        for p in f["proposals"]:
            proposed[key_of(f["what"])].append(tuple(p["span"]))
            assert p["text"] == new_text[p["span"][0]:p["span"][1]]
            assert resolve(p["anchor"], new_text, allow_many=True) is not None
    for name, spans in proposed.items():
        wanted = {(s.start, s.end) for s in expected[name]}
        assert set(spans) <= wanted, (name, spans, wanted)

    # The edited passages read as corrected.
    texts = {key_of(f["what"]): p["text"] for f in findings for p in f["proposals"]}
    assert texts["quote:government-false-news-characterisation"] == "أخبارا زائفة ومضللة لمغالطة الرأي العام المغربي"
    assert texts["claim:anonymous-morocco-claims-hack-of-employment-ministry-site"].endswith(
        "قرصنة موقع وزارة التشغيل المغربية")
    assert texts["mention:moroccan-facebook-activists"] == "نشطاء المواقع الاجتماعية"

    # Apply, then: check passes and every annotation is where the oracle says.
    code, out, err = run_cli(capsys, "reanchor", "--root", str(root), "--apply")
    assert code == 0, out + err
    assert "wrote annotations/" in out
    after = annotation_spans(root)
    assert set(after) == set(expected)
    for name, spans in expected.items():
        assert sorted(after[name], key=lambda s: s.start) == sorted(spans, key=lambda s: s.start), name
    assert main(["check", "--root", str(root)]) == 0

    # Comments and untouched lines are kept byte for byte: only anchor lines changed.
    diff = git(root, "diff", "-U0", "--", "annotations")
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    assert changed and all(l[1:].lstrip().startswith(("quote:", "prefix:", "suffix:", "occurrence:", "start:",
                                                      "end:")) for l in changed), changed
    assert "# Mention policy" in (root / f"annotations/{SEED}/mentions.yml").read_text(encoding="utf-8")

    # A second run finds nothing left to do.
    code, out, err = run_cli(capsys, "reanchor", "--root", str(root))
    assert code == 0, out + err
    assert "0 moved, 0 edited, 0 deleted" in err


def test_a_deleted_passage_is_reported_not_guessed(tmp_path, capsys):
    root = git_copy(tmp_path)
    text = (root / SEED_TEXT).read_text(encoding="utf-8")
    (root / SEED_TEXT).write_text(text.replace("حتى أن قناة دوزيم نشرت الخبر أيضا", "حتى أن قناة نشرت الخبر"),
                                  encoding="utf-8")
    code, out, err = run_cli(capsys, "reanchor", "--root", str(root), "--format", "json")
    assert code == 1
    [report] = json.loads(out)
    [deleted] = [f for f in report["annotations"] if f["status"] == "deleted"]
    assert deleted["what"] == "mention of '2m'" and deleted["proposals"] == []
    assert "deleted" in deleted["notes"][0]
    code, out, err = run_cli(capsys, "reanchor", "--root", str(root), "--apply")
    assert code == 1                      # the other proposals are written; this one needs a person
    assert "error[anchor-not-found]" in err and "دوزيم" in err


def test_intact_edits_need_nothing(tmp_path, capsys):
    root = git_copy(tmp_path)
    text = (root / SEED_TEXT).read_text(encoding="utf-8")
    (root / SEED_TEXT).write_text(text.replace("على حد تعبير البيان،", "على حد تعبير البيان نفسه،"),
                                  encoding="utf-8")
    sources = tree_hash(root)
    code, out, err = run_cli(capsys, "reanchor", "--root", str(root))
    assert code == 0, out + err
    assert "0 moved, 0 edited, 0 deleted" in err and "0 proposal(s)" in err
    code, out, err = run_cli(capsys, "reanchor", "--root", str(root), "--apply")
    assert code == 0 and tree_hash(root) == sources


def test_old_text_from_a_file_and_without_git(make_project, tmp_path, capsys):
    root = make_project()
    old = tmp_path / "old.txt"
    text = (root / "corpus/sample.txt").read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    (root / "corpus/sample.txt").write_text(text.replace("الحكومة المغربية", "الحكومة المغربيّة"),
                                            encoding="utf-8")
    code, out, err = run_cli(capsys, "reanchor", "--root", str(root))
    assert code == 1 and "git" in err
    code, out, err = run_cli(capsys, "reanchor", "sample", "--root", str(root), "--old", str(old), "--format", "json")
    assert code == 1
    [report] = json.loads(out)
    statuses = {f["what"]: f["status"] for f in report["annotations"]}
    assert statuses["mention of 'moroccan-government'"] == "edited"
    assert statuses["quote 'government-lies-quote'"] == "edited"
    assert statuses["claim 'government-lies'"] == "edited-inside"    # start/end still fit
    code, out, err = run_cli(capsys, "reanchor", "sample", "--root", str(root), "--old", str(old), "--apply")
    assert code == 0, out + err
    mentions = (root / "annotations/sample/mentions.yml").read_text(encoding="utf-8")
    assert 'quote: "الحكومة المغربيّة"' in mentions


MULTI_TEXT = "أنونيموس المغرب قال. ثم أنونيموس المغرب عاد. وأخيرا أنونيموس المغرب.\n"


def test_occurrence_all_keeps_the_intact_places_and_adds_the_edited_one(make_project, tmp_path, capsys):
    root = make_project({
        "corpus/sample.txt": MULTI_TEXT,
        "annotations/sample/mentions.yml": "mentions:\n  # every place\n  - entity: anonymous-morocco\n"
                                           "    quote: \"أنونيموس المغرب\"\n    occurrence: all\n",
        "annotations/sample/claims.yml": "claims: []\n",
        "annotations/sample/quotes.yml": "quotes: []\n",
    })
    old = tmp_path / "old.txt"
    old.write_text(MULTI_TEXT, encoding="utf-8")
    new_text = MULTI_TEXT.replace("ثم أنونيموس المغرب", "ثم أنونيموس بالمغرب")
    (root / "corpus/sample.txt").write_text(new_text, encoding="utf-8")
    code, out, err = run_cli(capsys, "reanchor", "sample", "--root", str(root), "--old", str(old), "--format", "json")
    [report] = json.loads(out)
    [finding] = report["annotations"]
    assert finding["status"] == "edited"
    [proposal] = finding["proposals"]
    assert proposal["action"] == "add" and proposal["text"] == "أنونيموس بالمغرب"
    code, out, err = run_cli(capsys, "reanchor", "sample", "--root", str(root), "--old", str(old), "--apply")
    assert code == 0, out + err
    assert (root / "annotations/sample/mentions.yml").read_text(encoding="utf-8") == (
        "mentions:\n  # every place\n  - entity: anonymous-morocco\n    quote: \"أنونيموس المغرب\"\n"
        "    occurrence: all\n  - entity: anonymous-morocco\n    quote: \"أنونيموس بالمغرب\"\n")
    corpus, _ = load_and_resolve(Project(root))
    assert [new_text[m.span.start:m.span.end] for m in corpus.documents[0].mentions] == [
        "أنونيموس المغرب", "أنونيموس بالمغرب", "أنونيموس المغرب"]


def test_occurrence_list_is_renumbered(make_project, tmp_path, capsys):
    root = make_project({
        "corpus/sample.txt": MULTI_TEXT,
        "annotations/sample/mentions.yml": "mentions:\n  - entity: anonymous-morocco\n"
                                           "    quote: \"أنونيموس المغرب\"\n    occurrence: [1, 3]\n",
        "annotations/sample/claims.yml": "claims: []\n",
        "annotations/sample/quotes.yml": "quotes: []\n",
    })
    old = tmp_path / "old.txt"
    old.write_text(MULTI_TEXT, encoding="utf-8")
    (root / "corpus/sample.txt").write_text("أنونيموس المغرب أولا. " + MULTI_TEXT, encoding="utf-8")
    code, out, err = run_cli(capsys, "reanchor", "sample", "--root", str(root), "--old", str(old), "--apply")
    assert code == 0, out + err
    assert "occurrence: [2, 4]" in (root / "annotations/sample/mentions.yml").read_text(encoding="utf-8")


def test_a_mark_added_to_the_last_letter_is_an_edit(make_project, tmp_path, capsys):
    root = make_project()
    text = (root / "corpus/sample.txt").read_text(encoding="utf-8")
    old = tmp_path / "old.txt"
    old.write_text(text, encoding="utf-8")
    (root / "corpus/sample.txt").write_text(text.replace("الحكومة المغربية تكذب", "الحكومة المغربيةُ تكذب"),
                                            encoding="utf-8")
    code, out, err = run_cli(capsys, "reanchor", "sample", "--root", str(root), "--old", str(old), "--format", "json")
    [report] = json.loads(out)
    statuses = {f["what"]: (f["status"], [p["text"] for p in f["proposals"]]) for f in report["annotations"]}
    assert statuses["mention of 'moroccan-government'"] == ("edited", ["الحكومة المغربيةُ"])


# ---- the parts ----------------------------------------------------------------------------

def test_text_map_positions():
    old = "قال الوزير إن الحكومة تكذب."
    new = "ثم قال الوزير الأول إن الحكومة لا تكذب."
    m = TextMap.between(old, new)
    span = Span(old.index("الحكومة"), old.index("الحكومة") + len("الحكومة"))
    assert not m.touched(span.start, span.end)
    mapped = m.map_span(span)
    assert new[mapped.start:mapped.end] == "الحكومة"
    minister = Span(old.index("الوزير"), old.index("الوزير") + len("الوزير إن"))
    assert m.touched(minister.start, minister.end)
    mapped = m.map_span(minister)
    assert new[mapped.start:mapped.end] == "الوزير الأول إن"
    assert TextMap.between(old, old).changes == []


def test_proposals_resolve_to_their_span():
    text = "في المغرب قال المغرب إن المغرب بلد. المغرب"
    for start in [i for i in range(len(text)) if text.startswith("المغرب", i)]:
        span = Span(start, start + len("المغرب"))
        keys = propose_anchor(text, span)
        assert resolve(keys, text) == (span,)


def test_yaml_edits_keep_everything_else():
    source = ("# head comment\nmentions:\n  - entity: a   # the entity\n    quote: 'x'\n    occurrence: 2\n"
              "    note: n\n\n  # section\n  - {entity: b, quote: y, prefix: p}\n  - quote: z\n    entity: c\n")
    doc = YamlDocument(source)
    first, flow, third = doc.entries()
    edits = doc.set_keys(first, {"quote": "x2", "occurrence": None, "prefix": "ب"}, after=("quote",))
    edits += doc.set_keys(flow, {"prefix": None, "suffix": "s"})
    edits += doc.set_keys(third, {"quote": None, "prefix": None})  # removing the first key
    edits.append(doc.add_entry_after(first, {"entity": "a", "quote": "w"}))
    result = apply_edits(source, edits)
    assert result == ("# head comment\nmentions:\n  - entity: a   # the entity\n    quote: \"x2\"\n"
                      "    prefix: \"ب\"\n    note: n\n  - entity: a\n    quote: \"w\"\n\n  # section\n"
                      "  - {entity: b, quote: y, suffix: \"s\"}\n  - entity: c\n")


@pytest.mark.parametrize("value", ["a\"b\\c", "سطر\u2028فاصل", "tab\there", "\u0085", "# not a comment", "'", ""])
def test_scalars_read_back_as_written(value):
    import yaml

    assert yaml.compose(f"k: {scalar(value)}\n", Loader=yaml.BaseLoader).value[0][1].value == value


# ---- random corrections: nothing lands anywhere unannounced ------------------------------------

CHUNKS = [" كلمة", "وزير السكنى ", "المغرب", "، ", " الحكومة المغربية", "\n", "“", "ناظورتوداي ", "x"]


def random_edits(rng, text: str) -> list[TextEdit]:
    edits: list[TextEdit] = []
    for _ in range(rng.randint(1, 4)):
        start = rng.randrange(len(text))
        kind = rng.choice(("insert", "delete", "replace"))
        end = start if kind == "insert" else min(len(text), start + rng.randint(1, 12))
        new = "" if kind == "delete" else rng.choice(CHUNKS)
        edit = TextEdit(start, end, new)
        if all(edit.end < e.start or edit.start > e.end for e in edits):
            edits.append(edit)
    return edits


@pytest.mark.parametrize("seed", range(25))
def test_random_corrections_never_misplace_silently(seed, tmp_path, capsys):
    """After ``reanchor --apply``, every annotation whose words were not touched is exactly where
    the oracle shifts it, and every marked span is either such a place or a reported proposal."""
    import random

    from build_tools.reanchor import run as reanchor_run

    rng = random.Random(seed)
    root = tmp_path / "p"
    for name in ("corpus", "annotations"):
        shutil.copytree(REPO / name, root / name)
    old_text = (root / SEED_TEXT).read_text(encoding="utf-8")
    before = annotation_spans(root)
    edits = random_edits(rng, old_text)
    new_text = apply_text_edits(old_text, edits)
    (root / SEED_TEXT).write_text(new_text, encoding="utf-8")
    old_file = tmp_path / "old.txt"
    old_file.write_text(old_text, encoding="utf-8")

    results, _ = reanchor_run(Project(root), [SEED], old_file=old_file, apply=True)
    [result] = results
    assert not result.errors, result.errors
    flagged = {key for f in result.findings if f.status in ("manual", "unresolved")
               for key in [_key(f)]}
    proposed = defaultdict(set)
    for f in result.findings:
        for change in f.changes:
            proposed[_key(f)].add((change.span.start, change.span.end))
        if f.status == "edited-inside":     # reported: the passage changed inside, the anchor still fits
            proposed[_key(f)].update((s.start, s.end) for s in f.new_spans)
    quotes_of_all = {_key(f): f.anchor.quote for f in result.findings if f.anchor.occurrences == "all"}

    corpus, diagnostics = load_and_resolve(Project(root))
    if corpus is None:   # only deleted or hand-fix passages may be left unresolved
        assert all(d.code.startswith("anchor") for d in diagnostics.errors), [d.format() for d in diagnostics]
        assert any(f.status in ("deleted", "manual", "unresolved") for f in result.findings)
        return
    after = annotation_spans(root)
    for key, spans in before.items():
        if key in flagged:
            continue
        expected = {(oracle_span(s, edits, new_text).start, oracle_span(s, edits, new_text).end)
                    for s in spans if not oracle_touched(s, edits) and not _cuts(s, edits)}
        actual = {(s.start, s.end) for s in after.get(key, [])}
        assert expected <= actual, (key, expected - actual, edits)
        unexplained = actual - expected - proposed[key]
        # An edit that cuts a boundary may be aligned in more than one way (deleting «ا» before
        # «اتهم» or the one after «ت» leaves the same text): the same words, at that place, are fine.
        for old_span in (s for s in spans if _cuts(s, edits)):
            near = _rough_position(old_span.start, edits)
            words = old_text[old_span.start:old_span.end]
            unexplained = {u for u in unexplained if not (new_text[u[0]:u[1]] == words and abs(u[0] - near) <= 16)}
        if key in quotes_of_all:
            unexplained = {s for s in unexplained if new_text[s[0]:s[1]] != quotes_of_all[key]}
        assert not unexplained, (key, unexplained, edits)


def _key(finding) -> str:
    kind, _, rest = finding.what.partition(" ")
    return {"mention": "mention", "claim": "claim", "quote": "quote"}[kind] + ":" + rest.split("'")[1]


def _cuts(span: Span, edits: list[TextEdit]) -> bool:
    return any(e.start < span.start < e.end or e.start < span.end < e.end for e in edits)


def _rough_position(offset: int, edits: list[TextEdit]) -> int:
    for e in edits:
        if e.start < offset < e.end:
            offset = e.start
    return offset + sum(e.delta for e in edits if e.end <= offset)


def test_a_write_that_does_not_verify_is_rolled_back(make_project, tmp_path, capsys, monkeypatch):
    import build_tools.reanchor as reanchor

    root = make_project()
    text = (root / "corpus/sample.txt").read_text(encoding="utf-8")
    old = tmp_path / "old.txt"
    old.write_text(text, encoding="utf-8")
    (root / "corpus/sample.txt").write_text(text.replace("الحكومة المغربية تكذب", "الحكومة المغربيّة تكذب"),
                                            encoding="utf-8")
    before = tree_hash(root)
    real = reanchor.apply_edits
    monkeypatch.setattr(reanchor, "apply_edits", lambda source, edits: real(source, edits).replace("المغربيّة", "X"))
    code, out, err = run_cli(capsys, "reanchor", "sample", "--root", str(root), "--old", str(old), "--apply")
    assert code == 1
    assert "nothing was written" in out and tree_hash(root) == before
