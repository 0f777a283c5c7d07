"""Loading and resolving inline fixture projects: exact diagnostics, file:line:column."""

import pytest

from build_tools.corpus import Project, load_and_resolve
from corpus_fixtures import REGISTRY as REGISTRY_FIXTURE


def problems(root):
    corpus, diagnostics = load_and_resolve(Project(root))
    return corpus, [(str(d.location), d.code) for d in diagnostics.sorted()], diagnostics


def test_valid_fixture_resolves(make_project):
    corpus, found, _ = problems(make_project())
    assert found == []
    [doc] = corpus.documents
    assert [m.id for m in doc.mentions] == ["anonymous-morocco-1", "moroccan-government-1", "morocco-1"]
    text = doc.text
    assert [text[m.span.start:m.span.end] for m in doc.mentions] == ["أنونيموس المغرب", "الحكومة المغربية", "المغرب"]
    [claim] = doc.claims
    assert text[claim.span.start:claim.span.end].startswith("قال") and text[claim.span.end - 5:claim.span.end] == "تكذب."
    assert [e.id for e in claim.about] == ["moroccan-government"]
    assert corpus.mentions_by_entity["morocco"][0].document_id == "sample"
    assert corpus.quotes_by_speaker["anonymous-morocco"][0].id == "government-lies-quote"


def test_unknown_entity_is_reported_with_suggestion(make_project):
    root = make_project({"annotations/sample/mentions.yml": (
        "mentions:\n"
        "  - entity: morroco\n"
        "    quote: \"المغرب\"\n"
        "    prefix: \"ب\"\n")})
    _, found, diagnostics = problems(root)
    assert found == [("annotations/sample/mentions.yml:2:13", "unknown-entity")]
    assert diagnostics.errors[0].hint == "did you mean 'morocco', 'anonymous-morocco'?"


def test_every_problem_is_reported_at_once(make_project):
    root = make_project({
        "annotations/sample/mentions.yml": (
            "mentions:\n"
            "  - entity: morocco\n"
            "    quote: \"المغرب\"\n"                   # ambiguous (3 occurrences)
            "  - entity: nobody\n"                      # unknown entity
            "    quote: \"الحكومه\"\n"                  # not found (ه for ة)
            "    colour: red\n"),                        # unknown key
        "annotations/sample/claims.yml": (
            "claims:\n"
            "  - id: government-lies\n"
            "    claimant: anonymous-morocco\n"
            "    kind: acusation\n"                     # bad value
            "    status: attributed\n"
            "    summary: \"x\"\n"
            "    quote: \"تكذب\"\n"),
    })
    corpus, found, diagnostics = problems(root)
    assert corpus is None
    assert found == [
        ("annotations/sample/claims.yml:4:11", "bad-value"),
        ("annotations/sample/mentions.yml:3:12", "anchor-ambiguous"),
        ("annotations/sample/mentions.yml:4:13", "unknown-entity"),
        ("annotations/sample/mentions.yml:5:12", "anchor-not-found"),
        ("annotations/sample/mentions.yml:6:5", "unknown-key"),
    ]
    hints = {d.code: d.hint for d in diagnostics.items}
    assert hints["bad-value"] == "did you mean 'accusation', 'assertion'?"
    assert hints["unknown-key"] == "allowed keys: entity, note, quote, prefix, suffix, occurrence, start, end"


def test_not_found_and_unknown_entity_in_the_same_entry(make_project):
    root = make_project({"annotations/sample/mentions.yml": (
        "mentions:\n"
        "  - entity: nobody\n"
        "    quote: \"الحكومه المغربيه\"\n")})
    _, found, diagnostics = problems(root)
    assert found == [("annotations/sample/mentions.yml:2:13", "unknown-entity"),
                     ("annotations/sample/mentions.yml:3:12", "anchor-not-found")]
    not_found = diagnostics.errors[1]
    assert "closest text, at corpus/sample.txt:3:" in not_found.detail[0]


@pytest.mark.parametrize("occurrence, expected", [
    ("0", "bad-occurrence"), ("x", "bad-occurrence"), ("[1, 1]", "bad-occurrence"), ("all", "bad-occurrence"),
])
def test_claim_occurrence_must_be_one_number(make_project, occurrence, expected):
    root = make_project({"annotations/sample/quotes.yml": (
        "quotes:\n"
        "  - id: q\n"
        "    speaker: anonymous-morocco\n"
        "    kind: direct\n"
        "    quote: \"تكذب\"\n"
        f"    occurrence: {occurrence}\n")})
    _, found, _ = problems(root)
    assert (f"annotations/sample/quotes.yml:6:17", expected) in found


def test_yaml_1_1_values_are_not_converted(make_project):
    root = make_project({"annotations/entities.yml": (
        "entities:\n"
        "  - id: no\n"
        "    type: place\n"
        "    name: no\n"
        "    label: 0755\n")})
    corpus, found, _ = problems(root)
    # 'no' is a valid id and stays the text "no"; the mentions of the removed entities are reported.
    assert all(code == "unknown-entity" for _, code in found)


def test_boolean_must_be_true_or_false(make_project):
    root = make_project({"corpus/sample.yml": "title: \"t\"\nheadline: yes\n"})
    _, found, diagnostics = problems(root)
    assert found == [("corpus/sample.yml:2:11", "bad-value")]
    assert "yes/no" in diagnostics.errors[0].hint


def test_bad_dates_and_urls(make_project):
    root = make_project({"corpus/sample.yml": (
        "title: \"t\"\n"
        "url: javascript:alert(1)\n"
        "date:\n"
        "  earliest: \"2012-02-30\"\n"
        "  latest: 2012\n")})
    _, found, _ = problems(root)
    assert found == [("corpus/sample.yml:2:6", "bad-url"), ("corpus/sample.yml:4:13", "bad-date"),
                     ("corpus/sample.yml:5:11", "bad-date")]


def test_duplicate_ids_across_the_registry(make_project):
    root = make_project({"annotations/entities.yml": (
        "entities:\n"
        "  - {id: morocco, type: place, name: \"المغرب\", label: Morocco}\n"
        "  - {id: morocco, type: place, name: \"المغرب\", label: Morocco}\n"
        "  - {id: anonymous-morocco, type: group, name: \"أ\", label: A}\n"
        "  - {id: moroccan-government, type: organisation, name: \"ح\", label: G}\n")})
    _, found, diagnostics = problems(root)
    assert found == [("annotations/entities.yml:3:5", "duplicate-id")]
    assert "already used at annotations/entities.yml:2:5" in diagnostics.errors[0].message


def test_bad_ids_are_refused(make_project):
    root = make_project({"annotations/entities.yml": REGISTRY_WITH("../etc"),})
    _, found, _ = problems(root)
    assert ("annotations/entities.yml:2:9", "bad-id") in found


def REGISTRY_WITH(entity_id: str) -> str:
    return f"entities:\n  - id: \"{entity_id}\"\n    type: place\n    name: \"x\"\n    label: x\n"


def test_identical_mention_spans_are_refused(make_project):
    root = make_project({"annotations/sample/mentions.yml": (
        "mentions:\n"
        "  - entity: moroccan-government\n"
        "    quote: \"الحكومة المغربية\"\n"
        "  - entity: morocco\n"
        "    quote: \"الحكومة المغربية\"\n")})
    _, found, diagnostics = problems(root)
    assert found == [("annotations/sample/mentions.yml:5:12", "duplicate-mention")]
    assert "annotations/sample/mentions.yml:2:5" in diagnostics.errors[0].message


def test_text_checks(make_project):
    root = make_project({"corpus/sample.txt": "سطر\r\nسطر\n"})
    _, found, _ = problems(root)
    assert ("corpus/sample.txt:1:4", "text-crlf") in found
    root = make_project({"corpus/sample.txt": "\ufeffنص".encode("utf-8")})
    _, found, _ = problems(root)
    assert ("corpus/sample.txt:1:1", "byte-order-mark") in found


def test_non_nfc_text_is_a_warning_and_not_changed(make_project):
    decomposed = "ا\u0654 عنوان الخبر"     # alef + hamza above: NFC would make it one code point
    root = make_project({"corpus/sample.txt": decomposed, "annotations/sample/mentions.yml": "mentions: []\n",
                         "annotations/sample/claims.yml": None, "annotations/sample/quotes.yml": None})
    corpus, found, _ = problems(root)
    assert found == [("corpus/sample.txt:1:1", "text-not-nfc")]
    assert corpus.documents[0].text == decomposed


def test_orphans_and_unknown_files(make_project):
    root = make_project({"annotations/other/mentions.yml": "mentions: []\n",
                         "annotations/sample/notes.yml": "notes: []\n",
                         "corpus/lonely.txt": "نص\n"})
    _, found, diagnostics = problems(root)
    assert found == [("annotations/other", "unknown-document"),
                     ("annotations/sample/notes.yml", "unknown-file"),
                     ("corpus/lonely.txt", "missing-file")]


def test_claim_references_are_checked(make_project):
    root = make_project({"annotations/sample/claims.yml": (
        "claims:\n"
        "  - id: c\n"
        "    claimant: anonymous-morocco\n"
        "    kind: accusation\n"
        "    status: attributed\n"
        "    about: [moroccan-governmnt]\n"
        "    quotes: [no-such-quote]\n"
        "    summary_en: x\n"
        "    quote: \"تكذب\"\n")})
    _, found, diagnostics = problems(root)
    assert found == [("annotations/sample/claims.yml:6:13", "unknown-entity"),
                     ("annotations/sample/claims.yml:7:14", "unknown-quote")]


def test_broken_entries_are_not_reported_again_as_unknown(make_project):
    root = make_project({
        "annotations/entities.yml": REGISTRY_FIXTURE.replace("type: group", "type: groups"),
        "annotations/sample/quotes.yml": (
            "quotes:\n  - id: government-lies-quote\n    speaker: anonymous-morocco\n    kind: hearsay\n"
            "    quote: \"تكذب\"\n"),
    })
    _, found, _ = problems(root)
    # one error for the bad type, one for the bad kind; no cascade through mentions, claims, quotes
    assert found == [("annotations/entities.yml:3:11", "bad-value"), ("annotations/sample/quotes.yml:4:11", "bad-value")]


def test_missing_registry_is_one_error(make_project):
    root = make_project({"annotations/entities.yml": None})
    _, found, _ = problems(root)
    assert found == [("annotations/entities.yml", "missing-file")]


def test_metadata_yaml_error_is_reported_once(make_project):
    root = make_project({"corpus/sample.yml": "title: [\n"})
    _, found, _ = problems(root)
    assert [code for _, code in found] == ["yaml-syntax"]


def test_source_entity_error_points_at_its_value(make_project):
    root = make_project({"corpus/sample.yml": "title: \"t\"\nsource_entity: nadortoday\n"})
    _, found, _ = problems(root)
    assert found == [("corpus/sample.yml:2:16", "unknown-entity")]


def test_crlf_text_is_one_error(make_project):
    root = make_project({"corpus/sample.txt": "سطر\r\nسطر\r\n"})
    _, found, diagnostics = problems(root)
    assert [code for _, code in found] == ["text-crlf"]


def test_unquoted_anchor_cut_by_comment_warns(make_project):
    root = make_project({"annotations/sample/mentions.yml": (
        "mentions:\n  - entity: moroccan-government\n    quote: الحكومة المغربية #تكذب\n")})
    _, found, diagnostics = problems(root)
    assert found == [("annotations/sample/mentions.yml:3:12", "yaml-comment-in-value")]
    assert diagnostics.warnings[0].hint.startswith("put the whole value in double quotes")
