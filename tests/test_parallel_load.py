"""Loading on several processes gives what one process gives: documents, order, problems."""

from __future__ import annotations

import os
import time

import pytest

from build_tools import parallel_load
from build_tools.corpus import Project, load_and_resolve
from corpus_fixtures import CLAIMS, MENTIONS, META, QUOTES, TEXT, fixture_files, write_files

DOCS = 23


def many_documents(**extra: str | bytes) -> dict[str, str | bytes]:
    files = fixture_files()
    for n in range(DOCS):
        doc = f"doc-{n:02d}"
        files[f"corpus/{doc}.txt"] = TEXT
        files[f"corpus/{doc}.yml"] = META
        files[f"annotations/{doc}/mentions.yml"] = MENTIONS
        files[f"annotations/{doc}/claims.yml"] = CLAIMS.replace("id: government-lies\n", f"id: lies-{n}\n")
        files[f"annotations/{doc}/quotes.yml"] = QUOTES.replace("government-lies-quote", f"lies-quote-{n}")
        files[f"annotations/{doc}/claims.yml"] = files[f"annotations/{doc}/claims.yml"].replace(
            "government-lies-quote", f"lies-quote-{n}")
    # warnings, spread over the parts: CRLF metadata, a text not in NFC
    files["corpus/doc-03.yml"] = META.replace("\n", "\r\n")
    files["corpus/doc-17.txt"] = TEXT.replace("الخبر", "الخبر e\u0301")
    files.update(extra)
    return files


def both_ways(root, workers: int, monkeypatch):
    monkeypatch.setattr(parallel_load, "MIN_DOCUMENTS", 2)
    serial_project, parallel_project = Project(root), Project(root)
    serial = load_and_resolve(serial_project)
    parallel = load_and_resolve(parallel_project, workers)
    return (serial, serial_project), (parallel, parallel_project)


@pytest.mark.parametrize("workers", [2, 3])
def test_the_same_corpus_problems_and_digests(tmp_path, monkeypatch, workers):
    root = write_files(tmp_path, many_documents())
    ((serial, serial_diagnostics), serial_project), ((parallel, parallel_diagnostics), parallel_project) = \
        both_ways(root, workers, monkeypatch)
    assert serial is not None and parallel is not None
    assert [d.id for d in parallel.documents] == [d.id for d in serial.documents]
    assert len(parallel.documents) == DOCS + 1
    assert parallel.documents == serial.documents
    assert parallel.entities == serial.entities
    assert [d.format() for d in parallel_diagnostics] == [d.format() for d in serial_diagnostics]
    assert {d.code for d in serial_diagnostics} == {"yaml-crlf", "text-not-nfc"}
    assert parallel_project.digests == serial_project.digests
    # mentions point at the registry's own entities, as after a load in one process
    for doc in parallel.documents:
        for mention in doc.mentions:
            assert mention.entity is parallel.entities[mention.entity.id]


def test_the_same_errors_across_parts(tmp_path, monkeypatch):
    files = many_documents(**{
        # the same claim id in the first and the last part
        "annotations/doc-21/claims.yml": CLAIMS.replace("government-lies-quote", "lies-quote-21")
                                               .replace("id: government-lies\n", "id: lies-0\n"),
        "annotations/doc-10/mentions.yml": MENTIONS.replace("entity: morocco\n", "entity: morroco\n"),
        "annotations/doc-05/quotes.yml": "quotes:\n  - id: [broken\n",
        "annotations/no-such-document/mentions.yml": MENTIONS,
        "corpus/only-text.txt": TEXT,
    })
    root = write_files(tmp_path, files)
    ((serial, serial_diagnostics), _), ((parallel, parallel_diagnostics), _) = both_ways(root, 3, monkeypatch)
    assert serial is None and parallel is None
    formatted = [d.format() for d in serial_diagnostics]
    assert [d.format() for d in parallel_diagnostics] == formatted
    codes = {d.code for d in serial_diagnostics}
    assert {"duplicate-id", "unknown-entity", "yaml-syntax", "unknown-document", "missing-file"} <= codes


def test_a_small_corpus_is_loaded_in_one_process(tmp_path):
    root = write_files(tmp_path, fixture_files())
    assert parallel_load.load_and_resolve_in_parts(Project(root), 2) is None


def test_locations_spans_and_mentions_travel_as_calls_with_every_field():
    """pickled_as_call: the objects come back equal, and a field added later travels too
    (the call is made from the dataclass's fields, not from a list kept by hand)."""
    import dataclasses
    import pickle

    from build_tools.diagnostics import Location, pickled_as_call
    from build_tools.model import Entity, Mention, Span

    loc = Location("annotations/x/mentions.yml", 3, 7)
    entity = Entity("e1", "person", "مثال", "example", loc)
    mention = Mention("e1-1", entity, "x", Span(2, 9), loc)
    for value in (loc, Span(2, 9), mention):
        assert type(value).__reduce__(value)[0] is type(value)
        assert pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) == value

    @pickled_as_call
    @dataclasses.dataclass(frozen=True, slots=True)
    class Grown:
        start: int
        end: int
        note: str = ""

    assert Grown.__reduce__(Grown(1, 2, "new field")) == (Grown, (1, 2, "new field"))


def test_each_chunk_is_loaded_once_by_either_end(tmp_path, monkeypatch):
    root = write_files(tmp_path, many_documents())
    monkeypatch.setattr(parallel_load, "MIN_DOCUMENTS", 2)
    loaded_by: dict[int, int] = {}
    real = parallel_load._load_part
    parent = os.getpid()

    def counting(shared, number):
        loaded_by[number] = loaded_by.get(number, 0) + 1        # seen in the parent only
        return real(shared, number)

    monkeypatch.setattr(parallel_load, "_load_part", counting)
    corpus, _ = parallel_load.load_and_resolve_in_parts(Project(root), 2)
    chunks = parallel_load._chunks(list(range(DOCS + 1)), 2)
    assert len(chunks) == 8 and len(corpus.documents) == DOCS + 1
    # the parent took chunks from the front, never one twice; the forked process the rest
    assert set(loaded_by) == set(range(len(loaded_by))) and set(loaded_by.values()) == {1}
    assert os.getpid() == parent


def test_a_failure_in_a_forked_process_is_raised(tmp_path, monkeypatch):
    root = write_files(tmp_path, many_documents())
    monkeypatch.setattr(parallel_load, "MIN_DOCUMENTS", 2)
    parent = os.getpid()
    real = parallel_load._load_part

    def failing(shared, number):
        if os.getpid() != parent:
            raise ValueError(f"chunk {number} cannot be read")
        return real(shared, number)

    monkeypatch.setattr(parallel_load, "_load_part", failing)
    with pytest.raises(RuntimeError, match=r"(?s)loading failed in a forked process.*ValueError: chunk \d+ cannot"):
        parallel_load.load_and_resolve_in_parts(Project(root), 2)


def test_a_forked_process_that_dies_is_noticed(tmp_path, monkeypatch):
    root = write_files(tmp_path, many_documents())
    monkeypatch.setattr(parallel_load, "MIN_DOCUMENTS", 2)
    monkeypatch.setattr(parallel_load, "WAIT", 0.1)
    parent = os.getpid()
    real = parallel_load._load_part

    def dying(shared, number):
        if os.getpid() != parent:
            os._exit(3)
        time.sleep(0.05)          # the parent is slow: the forked process claims chunks too
        return real(shared, number)

    monkeypatch.setattr(parallel_load, "_load_part", dying)
    with pytest.raises(RuntimeError, match="a loading process ended without sending its documents back"):
        parallel_load.load_and_resolve_in_parts(Project(root), 2)
