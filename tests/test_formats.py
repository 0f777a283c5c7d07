"""Every diagnostic of ``corpus check``, with its exact position and hint, in all three formats.

``EXPECTED`` holds one case per rule code (two where a code has two distinct causes): the
broken input, the exact ``file:line:column``, the exact hint and, where the message lists
places or differences, a fragment of that detail. Each case runs ``corpus check`` three
times (``--format human``, ``github``, ``json``) and finds the same diagnostic, at the
same place, with the same hint, in each output. A coverage test makes sure that every
rule code the checking modules can emit has a case here.

The hostile-input table of test_hostile.py (84 cases, checked there through ``corpus
build`` in the human format) is replayed here in the GitHub and JSON formats.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass

import pytest

from build_tools.cli import _github_escape, main, report
from build_tools.diagnostics import Diagnostics, Location
from corpus_fixtures import MENTIONS, REPO, TEXT, fixture_files
from test_hostile import CASES, GOOD_MENTION, M, R, T

BY_NAME = {case.name: case for case in CASES}


@dataclass(frozen=True)
class Expect:
    name: str
    files: dict
    where: str                # "path:line:column", or "path" for a whole-file problem
    code: str
    hint: str                 # the exact hint
    detail: tuple = ()        # fragments that must occur in the detail lines
    severity: str = "error"
    base: bool = True         # start from the valid fixture project


def hostile(name: str, hint: str, detail: tuple = (), where: str = "") -> Expect:
    case = BY_NAME[name]
    return Expect(name, case.files, where or case.where, case.code, hint, detail)


HINT_ANCHOR_NOT_FOUND = ("copy the words from the text file exactly (letters such as ه/ة, ي/ى, أ/ا and spaces or "
                         "no-break spaces must match); the text is never changed to fit an annotation")
HINT_YAML_SYNTAX = "check the indentation and quoting around this place; text with ':' or ' #' needs quotes"
HINT_ID = ("ids are lowercase ASCII letters and digits joined by single hyphens, at most 80 characters, "
           "e.g. 'anonymous-morocco'")

EXPECTED = [
    # ---- files and encodings
    Expect("no corpus directory", {}, "corpus", "missing-directory",
           "run the command from the project root, or pass --root", base=False),
    Expect("no registry", {"annotations/entities.yml": None}, R, "missing-file",
           "create annotations/entities.yml with 'entities: []'"),
    hostile("text without metadata", "create corpus/other.yml with at least 'title:'"),
    hostile("metadata without text", "create corpus/other.txt with the text"),
    hostile(".yaml metadata", "rename the file (metadata files end in .yml, not .yaml)"),
    hostile("unknown layer file", "did you mean 'quotes.yml', 'mentions.yml', 'claims.yml'?"),
    hostile("annotations of a missing document", "name the folder after the document's text file"),
    Expect("text is a folder", {T: None, "corpus/sample.txt/readme": "x"}, T, "unreadable",
           "check that the file exists and is readable"),
    hostile("latin-1 bytes", "save the file as UTF-8 (in most editors: 'Save with encoding' > UTF-8)"),
    hostile("byte-order mark", "save the file as UTF-8 without BOM; the mark would become part of the text"),
    hostile("huge file", "split it into smaller files"),
    Expect("CRLF annotations", {M: MENTIONS.replace("\n", "\r\n")}, f"{M}:1:1", "yaml-crlf",
           "set your editor to LF line ends to keep diffs clean", severity="warning"),
    # ---- YAML strictness
    hostile("duplicate key", "if two entries ran together, the second one is missing its '- '; otherwise remove one "
                             "of the two (YAML would silently keep only the last)"),
    hostile("anchor and alias", "write the value out in full; anchors and aliases are refused (they hide "
                                "repeated content and allow 'billion laughs' files)"),
    hostile("merge key", "write the keys out in full"),
    hostile("python tag", "remove the '!tag'; values are plain text, lists and mappings"),
    hostile("two documents", "remove the '---' separator; one file holds one document"),
    hostile("bad indentation", HINT_YAML_SYNTAX),
    hostile("control character", "remove the control character (often pasted in from a word processor)"),
    hostile("nesting bomb", "annotation files are shallow; check the indentation", where=f"{M}:1:27"),
    Expect("value cut by a comment", {M: "mentions:\n" + GOOD_MENTION + "    note: see #2\n"}, f"{M}:5:11",
           "yaml-comment-in-value", "put the whole value in double quotes: note: \"…\"", severity="warning"),
    Expect("anchor loses its trailing space", {M: "mentions:\n  - entity: morocco\n    quote: المغرب\n    prefix: ب \n"},
           f"{M}:4:13", "yaml-trailing-space",
           "if the space belongs to the anchor, write the value in double quotes: prefix: \"… \"", severity="warning"),
    Expect("mapping as a key", {M: "mentions:\n  - {[a]: b}\n"}, f"{M}:2:6", "yaml-key",
           "use a simple name such as 'quote:'"),
    # ---- keys, types, values
    hostile("unknown key", "did you mean 'note', 'quote'?"),
    hostile("unknown metadata key", "did you mean 'author', 'author_en', 'author_entity'?"),
    hostile("missing entity", "add 'entity: ...' to this entry"),
    hostile("claim without summary", "say in one sentence what is claimed (Arabic in 'summary', English in "
                                     "'summary_en')"),
    hostile("entity is a list", "write a single value on the same line as the key"),
    hostile("aliases not a list", "write 'aliases: [a, b]' or one '- item' per line"),
    hostile("empty entity name", "give 'name' a value"),
    hostile("id with capitals", HINT_ID),
    hostile("file name is not an id", "rename the file: lowercase ASCII letters and digits joined by hyphens"),
    hostile("claim status", "did you mean 'attributed'?"),
    hostile("headline yes", "write true or false (YAML's yes/no/on/off are not accepted)"),
    hostile("impossible date", "write a date as YYYY-MM-DD; for an uncertain date give the range 'earliest' to "
                               "'latest' and say why in 'note'"),
    hostile("dates reversed", "swap the two dates"),
    hostile("javascript url", "write the full address, starting with https:// or http://, with no spaces, "
                              "quotes, angle brackets or invisible characters (percent-encode them)"),
    hostile("duplicate entity id", "give each entity its own id, or merge the two entries"),
    hostile("duplicate claim id", "claim ids are unique across the corpus; add a distinguishing word"),
    Expect("bidi control in a name", {R: fixture_files()[R].replace('name: "المغرب"', 'name: "الم\u202eغرب"')},
           f"{R}:8:11", "text-bidi-control",
           "remove it: such characters can make text display in a misleading order (right-to-left marks "
           "U+200F and U+061C are fine)", severity="warning"),
    # ---- references
    hostile("unknown entity", "did you mean 'morocco', 'anonymous-morocco'?"),
    hostile("unknown speaker", "add the entity to annotations/entities.yml first"),
    hostile("unknown quote in claim", "give the id of a quote of the same document"),
    # ---- anchors
    hostile("no anchor", "add 'quote: <the exact words>' (or 'start:' and 'end:' for a long passage)"),
    hostile("quote and start", "use 'quote' for a short passage, 'start' and 'end' for a long one"),
    hostile("prefix with range", "make 'start' longer instead, or use 'occurrence'"),
    hostile("empty quote", "quote at least one word"),
    hostile("start without end", "add 'end: <the exact words that end the passage>'"),
    hostile("occurrence zero", "write a number with the digits 0-9 (1 for the first occurrence), a list such as "
                               "[1, 3], or all"),
    hostile("occurrence all on a claim", "write a number with the digits 0-9 (1 for the first occurrence); lists and "
                                        "'all' are for mentions only: a claim or quote marks one passage"),
    hostile("teh marbuta typo", HINT_ANCHOR_NOT_FOUND,
            ("closest text, at corpus/sample.txt:3:",
             "at character 7 of the quote: the quote has 'ه' (U+0647 ARABIC LETTER HEH), the text has 'ة' "
             "(U+0629 ARABIC LETTER TEH MARBUTA)")),
    hostile("ambiguous quote", "say which one: add 'occurrence: N' (counted from the start of the text), or "
                               "'prefix:'/'suffix:' with the words just before or after it",
            ("occurrence 1 at corpus/sample.txt:3:15: …", "قال “أنونيموس [المغرب]” إن", "occurrence 3 at corpus/sample.txt:5:15: …")),
    hostile("occurrence too large", "count the occurrences again: the list below shows where each one is",
            ("occurrence 3 at corpus/sample.txt:5:15",)),
    hostile("context mismatch", "make 'prefix' the exact text just before the quote and 'suffix' the exact "
                                "text just after it (spaces included)", ("occurrence 1 at corpus/sample.txt:3:",)),
    hostile("range end before start", "'end' must be words that come after 'start' in the text",
            ("start at corpus/sample.txt:5:1",)),
    hostile("quote splits a letter", "extend the quote to include the whole letter with its diacritics",
            ("text at corpus/sample.txt:3:",)),
    hostile("same span twice", "remove one of them; one span of text is one mention",
            ("text at corpus/sample.txt:5:15: …",)),
    # ---- the text
    hostile("CRLF text", "save the file with LF line ends; offsets must be the same on every system"),
    hostile("empty text", "put the text of the document in this file"),
    hostile("NUL in text", "remove it"),
    Expect("decomposed letter", {T: TEXT.replace("إن", "ا\u0655ن")}, f"{T}:3:23", "text-not-nfc",
           "normalise the file to NFC before annotating it (the build never changes the text, since that would "
           "move every offset)", severity="warning"),
    Expect("bidi control in the text", {T: TEXT.replace("عنوان", "عنوان\u202b")}, f"{T}:1:6", "text-bidi-control",
           "remove it unless it is needed; it can make text display in a misleading order", severity="warning"),
    Expect("presentation form", {T: TEXT.replace("عنوان", "\ufecbنوان")}, f"{T}:1:1", "text-presentation-form",
           "replace presentation forms by the ordinary letters (search will miss them)", severity="warning"),
]


def run(root, fmt: str, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["check", "--root", str(root), "--format", fmt])
    out = capsys.readouterr()
    return code, out.out, out.err


def split_where(where: str) -> tuple[str, int, int]:
    match = re.fullmatch(r"(.+?)(?::(\d+):(\d+))?", where)
    return match.group(1), int(match.group(2) or 0), int(match.group(3) or 0)


def human_blocks(err: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    for line in err.splitlines():
        if line.startswith("    ") and blocks:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


@pytest.mark.parametrize("expect", EXPECTED, ids=[e.name for e in EXPECTED])
def test_diagnostic_in_three_formats(expect, make_project, capsys):
    root = make_project(expect.files, base=expect.base)
    path, line, column = split_where(expect.where)
    exit_code = 0 if expect.severity == "warning" else 1

    # JSON: the machine-readable record, on standard output.
    code, out, err = run(root, "json", capsys)
    assert code == exit_code, out + err
    items = [i for i in json.loads(out) if i["code"] == expect.code]
    assert items, out
    [item] = [i for i in items if (i["file"], i["line"], i["column"]) == (path, line, column)] or [None]
    assert item is not None, f"no {expect.code} at {expect.where} in {out}"
    assert item["severity"] == expect.severity
    assert item["hint"] == expect.hint
    for fragment in expect.detail:
        assert any(fragment in d for d in item["detail"]), (fragment, item["detail"])

    # Human: "file:line:column: severity[code]: message", detail lines, then "hint: ...".
    code, out, err = run(root, "human", capsys)
    assert code == exit_code and out == ""
    head = f"{expect.where}: {expect.severity}[{expect.code}]: {item['message']}"
    [block] = [b for b in human_blocks(err) if b[0] == head] or [None]
    assert block is not None, f"no line {head!r} in:\n{err}"
    assert block[-1] == f"    hint: {expect.hint}"
    assert block[1:-1] == [f"    {d}" for d in item["detail"]]
    for fragment in expect.detail:
        assert any(fragment in line for line in block), fragment

    # GitHub Actions: one workflow command per problem, so it shows on the pull request diff.
    code, out, err = run(root, "github", capsys)
    assert code == exit_code and out == ""
    props = f"file={_github_escape(path, True)}" + (f",line={line},col={column}" if line else "")
    prefix = f"::{expect.severity} {props},title={expect.code}::"
    [command] = [c for c in err.splitlines() if c.startswith(prefix) and
                 c[len(prefix):].startswith(_github_escape(item["message"]))] or [None]
    assert command is not None, f"no {prefix!r} in:\n{err}"
    assert command.endswith("%0Ahint: " + _github_escape(expect.hint))
    for fragment in expect.detail:
        assert _github_escape(fragment) in command


def emitted_codes() -> set[str]:
    """Every rule code the checking modules can report (read from their source)."""
    codes: set[str] = set()
    for module in ("yamlstrict", "loading", "corpus", "anchoring"):
        source = (REPO / "build_tools" / f"{module}.py").read_text(encoding="utf-8")
        codes |= set(re.findall(r'[,(]\s*"([a-z]+(?:-[a-z0-9]+)+)",\s*\n?\s*f?"', source))
        codes |= set(re.findall(r'(?:\.error|\.warning|_error)\(\s*[^,()]*(?:\([^()]*\))?[^,()]*,\s*'
                                r'"([a-z][a-z0-9-]+)"', source, re.S))
    return codes


def test_every_rule_code_has_a_case():
    codes = emitted_codes()
    assert len(codes) >= 40
    assert codes - {e.code for e in EXPECTED} == set()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_cases_in_github_and_json(case, make_project, capsys):
    """The positions test_hostile.py checks in the human format hold in the other two."""
    root = make_project(case.files)
    parts = case.where.split(":")      # "path", "path:line:" or "path:line:column"
    path = parts[0]
    line = int(parts[1]) if len(parts) > 1 else 0
    column = int(parts[2]) if len(parts) > 2 and parts[2] else None
    _, out, _ = run(root, "json", capsys)
    items = [i for i in json.loads(out) if i["code"] == case.code and i["file"] == path and i["line"] == line
             and (column is None or i["column"] == column)]
    assert items, out
    _, _, err = run(root, "github", capsys)
    for item in items:
        assert item["hint"]
        props = f"file={_github_escape(path, True)}" + (f",line={item['line']},col={item['column']}" if line else "")
        assert any(c.startswith(f"::error {props},title={case.code}::") and
                   c.endswith("%0Ahint: " + _github_escape(item["hint"])) for c in err.splitlines()), err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_human_format_is_coloured_on_a_terminal_only(monkeypatch):
    diagnostics = Diagnostics()
    diagnostics.error(Location("a.yml", 2, 3), "bad-id", "message", "hint")
    diagnostics.warning(Location("a.yml", 4, 1), "yaml-crlf", "message", "hint")
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = Terminal()
    report(diagnostics, "human", tty)
    lines = tty.getvalue().splitlines()
    assert lines[0] == "a.yml:2:3: \033[31merror\033[0m[bad-id]: message"
    assert lines[2] == "a.yml:4:1: \033[33mwarning\033[0m[yaml-crlf]: message"
    assert lines[-1] == "\033[1m1 error, 1 warning\033[0m"
    plain = io.StringIO()
    report(diagnostics, "human", plain)
    assert "\033[" not in plain.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty = Terminal()
    report(diagnostics, "human", tty)
    assert "\033[" not in tty.getvalue()


def test_github_format_escapes_what_would_break_the_command():
    diagnostics = Diagnostics()
    diagnostics.error(Location("a,b:c.yml", 1, 2), "bad-value", "100% wrong\r\nsecond line", "use: this, please")
    stream = io.StringIO()
    report(diagnostics, "github", stream)
    assert stream.getvalue() == ("::error file=a%2Cb%3Ac.yml,line=1,col=2,title=bad-value::"
                                 "100%25 wrong%0D%0Asecond line%0Ahint: use: this, please\n")
