"""The data the document page gives the reader's script, the citation, keyword in context."""

from __future__ import annotations

import html
import json
import re

from build_tools.corpus import Project, require
from build_tools.pages import PageWriter, bibtex_escape, joined_at, json_for_html
from corpus_fixtures import REGISTRY  # the fixture registry; one name is made hostile below

HOSTILE = '</div><script>alert("x")</script>&amp; \u2028 \' "'


def test_json_for_html_is_inert_and_round_trips():
    data = {"a": HOSTILE, "b": ["<!--", "]]>", "&lt;"]}
    text = json_for_html(data)
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == data


def test_bibtex_escape_keeps_braces_balanced():
    escaped = bibtex_escape("a {b} c\\ 50% & $x$ #1 a_b ^ ~ }{")
    assert escaped.count(r"\{") == 2 and escaped.count(r"\}") == 2
    unescaped = re.sub(r"\\[{}]", "", escaped)
    assert "{" not in unescaped.replace(r"\textbackslash{}", "").replace(r"\^{}", "").replace(r"\~{}", "")
    assert r"\%" in escaped and r"\&" in escaped and r"\_" in escaped


def test_joined_at_follows_unicode_joining_types():
    assert joined_at("للحكومة", 1)               # ل|لحكومة: lam joins the next lam
    assert not joined_at("والحكومة", 1)          # و does not join the next letter
    assert joined_at("بَلد", 2)                  # a haraka between two letters does not cut the join
    assert not joined_at("ب د", 2) and not joined_at("ب", 1)


def _writer(make_project, files=None):
    corpus, _ = require(Project(make_project(files)))
    return corpus, PageWriter(corpus)


def test_document_page_carries_escaped_annotation_data(make_project):
    corpus, writer = _writer(make_project)
    doc = corpus.by_id["sample"]
    page = writer.document(doc)
    match = re.search(r'<div class="ann-data" hidden data-annotations="([^"]*)"></div>', page)
    assert match
    data = json.loads(html.unescape(match.group(1)))
    assert set(data) == {"entities", "claims", "quotes", "entityPages", "typeNames"}
    claim = data["claims"]["c-government-lies"]
    assert claim["claimant"] == "anonymous-morocco" and claim["about"] == ["moroccan-government"]
    assert claim["url"] == "../../claims/#claim-government-lies"
    assert data["quotes"]["q-government-lies-quote"]["speaker"] == "anonymous-morocco"
    # the reader makes each entity's page and type name from these, written once per page
    assert data["entityPages"] + "morocco/" == "../../entities/morocco/"
    assert data["entities"]["morocco"] == {"name": "المغرب", "label": "Morocco", "type": "place"}
    assert data["typeNames"]["place"] == "مكان"


def test_hostile_names_stay_text_in_the_data_attribute(make_project):
    registry = REGISTRY.replace('name: "المغرب"', "name: " + json.dumps(HOSTILE))
    corpus, writer = _writer(make_project, {"annotations/entities.yml": registry})
    page = writer.document(corpus.by_id["sample"])
    attribute = re.search(r'data-annotations="([^"]*)"', page).group(1)
    assert "<" not in attribute and ">" not in attribute and '"' not in attribute
    assert json.loads(html.unescape(attribute))["entities"]["morocco"]["name"] == HOSTILE


def test_citation_plain_and_bibtex(make_project):
    corpus, writer = _writer(make_project)
    doc = corpus.by_id["sample"]
    citation = writer.citation(doc)
    assert "«عنوان الخبر»" in citation["plain"]
    before, after = citation["bibtex"]
    entry = before + "corpus/documents/sample/" + after
    assert entry.startswith("@article{sample,\n") and entry.endswith("}\n}")
    assert "  year     = {2012}," in entry and "month    = feb," in entry
    assert "date     = {2012-02-02/2012-02-29}," in entry
    assert entry.count("{") == entry.count("}")


def test_kwic_adds_joiners_only_where_the_mark_cuts_a_join(make_project):
    corpus, writer = _writer(make_project)
    doc = corpus.by_id["sample"]
    by_entity = {m.entity.id: m for m in doc.mentions}
    before, keyword, after = writer.kwic(doc, by_entity["morocco"].span)       # بالمغرب.
    assert keyword == "\u200dالمغرب" and before.endswith("ب\u200d") and not after.startswith("\u200d")
    before, keyword, after = writer.kwic(doc, by_entity["moroccan-government"].span)
    assert "\u200d" not in before + keyword + after
