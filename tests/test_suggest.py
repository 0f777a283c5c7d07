"""corpus suggest: registered names found in the texts but not annotated, mapped to exact spans."""

from __future__ import annotations

import json

import pytest

from build_tools.cli import main
from build_tools.corpus import Project, load_and_resolve
from build_tools.model import ResolvedDocument
from build_tools.reanchor import resolve
from build_tools.suggest import PROPOSED, SearchKey, suggest, suggest_document
from corpus_fixtures import REPO
from test_schema import schema_errors

REGISTRY = """\
entities:
  - id: morocco
    type: place
    name: "المغرب"
    label: Morocco
  - id: moroccan-government
    type: organisation
    name: "الحكومة المغربية"
    label: Moroccan government
    aliases: ["الحكومة"]
  - id: anonymous-morocco
    type: group
    name: "أنونيموس المغرب"
    label: Anonymous Morocco
    aliases: ["Anonymous Morocco"]
  - id: facebook
    type: platform
    name: "فيسبوك"
    label: Facebook
    aliases: ["فيس بوك"]
"""

TEXT = ("قال “أنونيموس المغرب” إن الحكومة المغربية تكذب.\n"
        "وبالمَغْرِبِ غضب، وللحكومة المغربية رأي، والمغربية صفة.\n"
        "نشر ANONYMOUS morocco على الفيس بوك وفي فيسـبوك ما يفيد حـكومة.\n")


@pytest.fixture
def project(make_project):
    return make_project({
        "annotations/entities.yml": REGISTRY,
        "corpus/sample.txt": TEXT,
        "annotations/sample/mentions.yml": "mentions:\n  - entity: anonymous-morocco\n    quote: \"أنونيموس المغرب\"\n"
                                           "    occurrence: 1\n",
        "annotations/sample/claims.yml": "claims: []\n",
        "annotations/sample/quotes.yml": "quotes: []\n",
    })


def found(root, **kwargs):
    corpus, diagnostics = load_and_resolve(Project(root))
    assert corpus is not None, [d.format() for d in diagnostics]
    return corpus, [(s.entity.id, corpus.documents[0].text[s.span.start:s.span.end])
                    for s in suggest(corpus, **kwargs)]


def test_search_key_maps_back_to_the_text():
    text = "وبالمَغْرِبِ  حـكومة\u00a0أُخرى"
    key = SearchKey.of(text)
    assert key.key == "وبالمغرب حكومه اخري"
    assert len(key.origin) == len(key.key)
    assert all(text[o].isspace() if k == " " else True for k, o in zip(key.key, key.origin))
    start = key.key.index("المغرب")
    span = key.span(start, start + 6, text)
    assert text[span.start:span.end] == "المَغْرِبِ"          # the final kasra stays with its letter


def test_names_with_proclitics_diacritics_and_variants(project):
    _, pairs = found(project)
    assert pairs == [
        ("moroccan-government", "الحكومة المغربية"),     # line 1 (the alias «الحكومة» inside it is not repeated)
        ("morocco", "المَغْرِبِ"),                       # وبـ + diacritics; the proclitics are left out
        ("moroccan-government", "لحكومة المغربية"),      # وللحكومة = و + ل + (ا)لحكومة, as the mention policy has it
        ("anonymous-morocco", "ANONYMOUS morocco"),     # Latin names in any case
        ("facebook", "الفيس بوك"),                       # the article belongs to the name
        ("facebook", "فيسـبوك"),                          # tatweel
    ]


def test_annotated_places_and_parts_of_proper_names_are_not_suggested(project):
    corpus, pairs = found(project)
    texts = [t for _, t in pairs]
    assert "أنونيموس المغرب" not in texts            # annotated
    assert "المغرب" not in texts                     # inside the proper name «أنونيموس المغرب»
    assert "المغربية" not in texts and "حـكومة" not in texts   # not a whole registered name


def test_every_suggestion_carries_an_anchor_that_resolves_to_it(project):
    corpus, _ = load_and_resolve(Project(project))
    text = corpus.documents[0].text
    for s in suggest(corpus):
        assert resolve(s.anchor, text) == (s.span,)


def test_filters(project):
    _, pairs = found(project, entity_ids=["facebook"])
    assert {e for e, _ in pairs} == {"facebook"}
    _, pairs = found(project, document_ids=["nothing"])
    assert pairs == []


def test_write_appends_reviewable_proposals_that_check_ignores(project, capsys):
    assert main(["suggest", "--root", str(project), "--write"]) == 0
    path = project / "annotations/sample" / PROPOSED
    first = path.read_text(encoding="utf-8")
    assert first.startswith("# yaml-language-server: $schema=../../schemas/mentions.schema.json\n")
    assert first.count("  - entity: ") == 6 and "# corpus/sample.txt:2:3 " in first
    assert schema_errors(f"annotations/sample/{PROPOSED}", first) == []
    assert main(["check", "--root", str(project)]) == 0          # the proposals file is not a layer

    assert main(["suggest", "--root", str(project), "--write"]) == 0
    assert path.read_text(encoding="utf-8") == first              # nothing new: nothing appended

    # Reviewing: accepted entries move into mentions.yml and pass check with the suggested spans.
    proposals = first.split("mentions:\n", 1)[1]
    mentions = project / "annotations/sample/mentions.yml"
    mentions.write_text(mentions.read_text(encoding="utf-8") + proposals, encoding="utf-8")
    path.unlink()
    capsys.readouterr()
    assert main(["check", "--root", str(project)]) == 0, capsys.readouterr().err
    _, pairs = found(project)
    assert pairs == []


def test_write_appends_only_new_entries(project):
    path = project / "annotations/sample" / PROPOSED
    assert main(["suggest", "--root", str(project), "--write", "--entity", "facebook"]) == 0
    assert path.read_text(encoding="utf-8").count("  - entity: ") == 2
    assert main(["suggest", "--root", str(project), "--write"]) == 0
    text = path.read_text(encoding="utf-8")
    assert text.count("  - entity: ") == 6 and text.count("entity: facebook") == 2


def test_json_output(project, capsys):
    capsys.readouterr()
    assert main(["suggest", "--root", str(project), "--format", "json", "--entity", "morocco"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert item["entity"] == "morocco" and item["text"] == "المَغْرِبِ"
    assert TEXT[item["start"]:item["end"]] == "المَغْرِبِ"


def test_seed_recall_and_no_noise_on_the_annotated_article():
    """On the fully annotated seed nothing is suggested; with its mentions removed, most come back."""
    corpus, _ = load_and_resolve(Project(REPO))
    doc = next(d for d in corpus.documents if d.id == "nadortoday-2012-cyberwar")
    assert suggest_document(doc, corpus.entities) == []
    bare = ResolvedDocument(doc.document, (), doc.claims, doc.quotes)
    gold = {(m.span.start, m.span.end, m.entity.id) for m in doc.mentions}
    got = {(s.span.start, s.span.end, s.entity.id) for s in suggest_document(bare, corpus.entities)}
    assert len(gold & got) >= 0.85 * len(gold)
    assert len(got - gold) <= 5


def test_unknown_ids_and_broken_projects(project, capsys):
    assert main(["suggest", "--root", str(project), "--entity", "nobody"]) == 1
    (project / "annotations/sample/mentions.yml").write_text("mentions: [\n", encoding="utf-8")
    assert main(["suggest", "--root", str(project)]) == 1
    assert "error[yaml-syntax]" in capsys.readouterr().err
