"""The command line: exit codes and the three report formats."""

import json

import pytest

from build_tools.cli import main


def broken(make_project):
    return make_project({"annotations/sample/mentions.yml": (
        "mentions:\n"
        "  - entity: morocco\n"
        "    quote: \"المغربيه\"\n")})


def test_check_ok_prints_a_summary(make_project, capsys):
    assert main(["check", "--root", str(make_project())]) == 0
    err = capsys.readouterr().err
    assert err.strip() == "ok: 1 documents, 3 entities, 3 mentions, 1 claims, 1 quotes"


def test_check_human_format(make_project, capsys):
    assert main(["check", "--root", str(broken(make_project))]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == ("annotations/sample/mentions.yml:3:12: error[anchor-not-found]: mention of 'morocco': "
                        "the quote «المغربيه» does not occur in the text")
    assert lines[1].startswith("    closest text, at corpus/sample.txt:3:")
    assert "U+0647 ARABIC LETTER HEH" in lines[2] and "U+0629 ARABIC LETTER TEH MARBUTA" in lines[2]
    assert lines[3].startswith("    hint: copy the words from the text file exactly")
    assert lines[-1] == "1 error, 0 warnings"


def test_check_github_format(make_project, capsys):
    assert main(["check", "--root", str(broken(make_project)), "--format", "github"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("::error file=annotations/sample/mentions.yml,line=3,col=12,title=anchor-not-found::"
                           "mention of 'morocco'")
    assert "%0Ahint: copy the words" in line


def test_check_json_format(make_project, capsys):
    assert main(["check", "--root", str(broken(make_project)), "--format", "json"]) == 1
    [item] = json.loads(capsys.readouterr().out)
    assert (item["file"], item["line"], item["column"], item["code"], item["severity"]) == \
        ("annotations/sample/mentions.yml", 3, 12, "anchor-not-found", "error")
    assert item["hint"] and item["detail"]


def test_stats(make_project, capsys):
    assert main(["stats", "--root", str(make_project())]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["mentions_by_type"] == {"group": 1, "organisation": 1, "place": 1}
    assert counts["claims_by_kind"] == {"accusation": 1}
    assert counts["quotes_by_kind"] == {"reported": 1}


def test_missing_corpus_directory(tmp_path, capsys):
    assert main(["check", "--root", str(tmp_path)]) == 1
    assert "error[missing-directory]" in capsys.readouterr().err


def test_serve_refuses_a_busy_address(make_project, capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--root", str(make_project()), "--dev-addr", f"127.0.0.1:{port}"]) == 1
    assert "the address is in use" in capsys.readouterr().err


def test_serve_accepts_an_address_a_stopped_preview_left_in_time_wait():
    """After a preview stops, its closed connections hold the address for a minute
    (TIME_WAIT); the preview's server may bind it, so the check must not refuse it."""
    import socket
    import time

    from build_tools.cli import _port_free

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)     # as MkDocs' server (http.server)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    connection, _ = listener.accept()
    connection.close()                  # the server's side closes first: it waits in TIME_WAIT
    time.sleep(0.1)
    client.close()
    listener.close()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))                 # what the check did: refused
    assert _port_free(f"127.0.0.1:{port}")


def test_a_preview_reports_only_the_problems_a_save_brought_then_the_counts():
    import io

    from build_tools.cli import report_new
    from build_tools.diagnostics import Diagnostics, Location

    def problems(*lines: int) -> Diagnostics:
        found = Diagnostics()
        for line in lines:
            found.warning(Location("corpus/a.txt", line, 1), "text-bidi-control", f"problem on line {line}", "fix it")
        return found

    out = io.StringIO()
    shown = report_new(problems(1, 2), set(), out)
    assert out.getvalue() == ("corpus/a.txt:1:1: warning[text-bidi-control]: problem on line 1\n    hint: fix it\n"
                              "corpus/a.txt:2:1: warning[text-bidi-control]: problem on line 2\n    hint: fix it\n"
                              "0 errors, 2 warnings\n")
    out = io.StringIO()
    shown = report_new(problems(1, 2), shown, out)
    assert out.getvalue() == "0 errors, 2 warnings (0 new; corpus check lists them all)\n"
    out = io.StringIO()
    shown = report_new(problems(2, 3), shown, out)
    assert out.getvalue() == ("corpus/a.txt:3:1: warning[text-bidi-control]: problem on line 3\n    hint: fix it\n"
                              "0 errors, 2 warnings (1 new; corpus check lists them all)\n")
    out = io.StringIO()
    assert report_new(Diagnostics(), shown, out) == set() and out.getvalue() == ""
