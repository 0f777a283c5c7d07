"""corpus new: a new document with empty layers that pass check; then annotated, checked, built."""

from __future__ import annotations

import io
import sys

import pytest

from build_tools.cli import main
from build_tools.corpus import Project, load_and_resolve
from build_tools.schema import modeline
from test_schema import schema_errors

TEXT = ("وزارة الاتصال تنفي\n\n"
        "نفت الحكومة المغربية ما نشرته “أنونيموس المغرب” عن اختراق موقع الوزارة، وقالت في بيان إن "
        "“الموقع لم يتعرض لأي اختراق” وإن الخلل تقني.\n")


class Stdin(io.TextIOWrapper):
    def __init__(self, data: bytes, tty: bool = False):
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def run(capsys, monkeypatch, *args: str, stdin: bytes = b"", tty: bool = False) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", Stdin(stdin, tty))
    capsys.readouterr()
    code = main(list(args))
    return code, capsys.readouterr().err


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_new_document_from_a_file_passes_check(make_project, tmp_path, capsys, monkeypatch):
    root = make_project()
    source = tmp_path / "text.txt"
    source.write_text(TEXT, encoding="utf-8")
    code, err = run(capsys, monkeypatch, "new", "mincom-2012-denial", "--root", str(root), "--text", str(source),
                    "--title", "وزارة الاتصال تنفي", "--title-en", "The ministry denies", "--date",
                    "2012-02-08..2012-02-10", "--date-note", "from the sequence of events", "--headline",
                    "--source-entity", "moroccan-government", "--url", "https://example.org/a?b=1")
    assert code == 0, err
    assert "created corpus/mincom-2012-denial.txt" in err and "next:" in err
    assert (root / "corpus/mincom-2012-denial.txt").read_text(encoding="utf-8") == TEXT
    meta = (root / "corpus/mincom-2012-denial.yml").read_text(encoding="utf-8")
    assert meta == (f"{modeline('corpus/mincom-2012-denial.yml')}\n"
                    'title: "وزارة الاتصال تنفي"\ntitle_en: "The ministry denies"\n'
                    "source_entity: moroccan-government\ndate:\n"
                    '  earliest: "2012-02-08"\n  latest: "2012-02-10"\n  note: "from the sequence of events"\n'
                    'url: "https://example.org/a?b=1"\nheadline: true\n')
    for layer in ("mentions", "claims", "quotes"):
        rel = f"annotations/mincom-2012-denial/{layer}.yml"
        content = (root / rel).read_text(encoding="utf-8")
        assert content == f"{modeline(rel)}\n{layer}: []\n"
        assert schema_errors(rel, content) == []
    assert schema_errors("corpus/mincom-2012-denial.yml", meta) == []
    corpus, diagnostics = load_and_resolve(Project(root))
    assert corpus is not None and not diagnostics.items
    doc = corpus.by_id["mincom-2012-denial"]
    assert doc.meta.headline and doc.meta.date.earliest == "2012-02-08"


def test_text_from_standard_input_is_cleaned_and_reported(make_project, capsys, monkeypatch):
    root = make_project()
    data = ("\ufeff" + TEXT.replace("\n", "\r\n").replace("إن", "ا\u0655ن").rstrip("\r\n")).encode("utf-8")
    code, err = run(capsys, monkeypatch, "new", "piped", "--root", str(root), "--title", "t", stdin=data)
    assert code == 0, err
    for note in ("removed the byte-order mark", "converted CRLF/CR line ends to LF", "normalised the text to Unicode "
                 "NFC", "added a line end after the last line"):
        assert f"note: {note}" in err
    assert (root / "corpus/piped.txt").read_text(encoding="utf-8") == TEXT


def test_refuses_to_overwrite_and_writes_nothing_on_error(make_project, capsys, monkeypatch):
    root = make_project()
    before = snapshot(root)
    code, err = run(capsys, monkeypatch, "new", "sample", "--root", str(root), "--title", "t", stdin=b"x\n")
    assert code == 1 and "exists already" in err and "nothing was overwritten" in err
    (root / "annotations/ghost").mkdir()
    code, err = run(capsys, monkeypatch, "new", "ghost", "--root", str(root), "--title", "t", stdin=b"x\n")
    assert code == 1 and "annotations/ghost/" in err
    (root / "annotations/ghost").rmdir()
    cases = [
        (["Bad_Id", "--title", "t"], b"x\n", "not a valid document id"),
        (["no-title"], b"x\n", "give the title with --title"),
        (["empty", "--title", "t"], b"\n \n", "error[empty-text]"),
        (["latin1", "--title", "t"], "café".encode("latin-1"), "not UTF-8"),
        (["nul", "--title", "t"], b"a\x00b\n", "error[text-control-character]"),
        (["dates", "--title", "t", "--date", "2012-02-30"], b"x\n", "error[bad-date]"),
        (["url", "--title", "t", "--url", "javascript:alert(1)"], b"x\n", "error[bad-url]"),
        (["who", "--title", "t", "--author-entity", "moroco"], b"x\n", "did you mean 'morocco'"),
    ]
    for args, data, message in cases:
        code, err = run(capsys, monkeypatch, "new", *args, "--root", str(root), stdin=data)
        assert code == 1 and message in err, (args, err)
    assert snapshot(root) == before


def test_asks_for_metadata_in_a_terminal(make_project, tmp_path, capsys, monkeypatch):
    root = make_project()
    source = tmp_path / "text.txt"
    source.write_text(TEXT, encoding="utf-8")
    answers = iter(["", "وزارة الاتصال تنفي", "", "هسبريس", "Hespress", "", "", "2012-02-09", "", "y"])
    prompts = []

    def fake_input(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("builtins.input", fake_input)
    code, err = run(capsys, monkeypatch, "new", "asked", "--root", str(root), "--text", str(source), tty=True)
    assert code == 0, err
    assert prompts[0].startswith("Title") and "the title is required" in err
    meta = (root / "corpus/asked.yml").read_text(encoding="utf-8")
    assert 'source: "هسبريس"' in meta and 'source_en: "Hespress"' in meta and "headline: true" in meta
    assert '  earliest: "2012-02-09"\n  latest: "2012-02-09"' in meta


@pytest.mark.e2e
def test_a_new_document_with_a_few_annotations_checks_and_builds(make_project, tmp_path, capsys, monkeypatch):
    """As a new contributor would: corpus new, register an entity, suggest, annotate, check, build."""
    root = make_project()
    source = tmp_path / "text.txt"
    source.write_text(TEXT, encoding="utf-8")
    code, err = run(capsys, monkeypatch, "new", "mincom-2012-denial", "--root", str(root), "--text", str(source),
                    "--title", "وزارة الاتصال تنفي", "--headline", "--no-input")
    assert code == 0, err
    registry = root / "annotations/entities.yml"
    registry.write_text(registry.read_text(encoding="utf-8") + (
        "  - id: ministry-of-communication-morocco\n    type: organisation\n    name: \"وزارة الاتصال\"\n"
        "    label: Ministry of Communication\n    aliases: [\"الوزارة\"]\n"), encoding="utf-8")
    code, err = run(capsys, monkeypatch, "suggest", "mincom-2012-denial", "--root", str(root), "--write")
    assert code == 0, err
    proposed = (root / "annotations/mincom-2012-denial/mentions.proposed.yml").read_text(encoding="utf-8")
    accepted = proposed.split("mentions:\n", 1)[1]
    layers = root / "annotations/mincom-2012-denial"
    (layers / "mentions.yml").write_text(
        (layers / "mentions.yml").read_text(encoding="utf-8").replace("mentions: []\n", "mentions:\n") + accepted,
        encoding="utf-8")
    (layers / "mentions.proposed.yml").unlink()
    (layers / "quotes.yml").write_text(
        (layers / "quotes.yml").read_text(encoding="utf-8").replace("quotes: []\n", "") +
        "quotes:\n  - id: ministry-site-not-hacked\n    speaker: moroccan-government\n    kind: direct\n"
        "    channel: written-statement\n    quote: \"الموقع لم يتعرض لأي اختراق\"\n", encoding="utf-8")
    (layers / "claims.yml").write_text(
        (layers / "claims.yml").read_text(encoding="utf-8").replace("claims: []\n", "") +
        "claims:\n  - id: government-denies-ministry-hack\n    claimant: moroccan-government\n    kind: denial\n"
        "    status: attributed\n    about: [anonymous-morocco]\n    summary_en: \"The government denies the hack.\"\n"
        "    quotes: [ministry-site-not-hacked]\n    start: \"نفت الحكومة\"\n    end: \"الخلل تقني.\"\n",
        encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--root", str(root)]) == 0, capsys.readouterr().err
    corpus, _ = load_and_resolve(Project(root))
    doc = corpus.by_id["mincom-2012-denial"]
    marked = sorted((doc.text[m.span.start:m.span.end], m.entity.id) for m in doc.mentions)
    assert ("أنونيموس المغرب", "anonymous-morocco") in marked
    assert ("الحكومة المغربية", "moroccan-government") in marked
    assert ("وزارة الاتصال", "ministry-of-communication-morocco") in marked
    assert [c.id for c in doc.claims] == ["government-denies-ministry-hack"]
    assert main(["build", "--root", str(root), "--site-dir", str(root / "site"), "--quiet"]) == 0
    page = (root / "site/corpus/documents/mincom-2012-denial/index.html").read_text(encoding="utf-8")
    assert "c-government-denies-ministry-hack" in page and "q-ministry-site-not-hacked" in page
