"""JSON Schemas: generated from the loader, committed, referenced from every source file.

The committed ``schemas/*.schema.json`` must equal what the code generates (a key or an
enumeration value added to the loader without ``corpus schema --write`` fails here), and
the schemas must agree with the loader: files the loader accepts validate, and the
problems a schema can see (unknown keys, values outside an enumeration, bad ids, missing
required keys) are refused by both.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
import yaml

from build_tools import schema
from build_tools.cli import main
from build_tools.diagnostics import Diagnostics
from build_tools.loading import read_claims, read_entities, read_mentions, read_meta, read_quotes
from build_tools.yamlstrict import load_yaml
from corpus_fixtures import REPO, fixture_files

SCHEMA_CODES = {"unknown-key", "bad-value", "bad-id", "missing-key", "wrong-type", "empty-value",
                "anchor-conflict", "bad-occurrence", "missing-anchor", "bad-date"}
# Loader rules a JSON Schema cannot express: they are left to `corpus check`.
BEYOND_SCHEMA = {"dates reversed"}


def load_core(text: str):
    """YAML as an editor sees it (YAML 1.2 core schema: ``2`` is a number, ``yes`` is text)."""
    def convert(node):
        if isinstance(node, yaml.MappingNode):
            return {convert(k): convert(v) for k, v in node.value}
        if isinstance(node, yaml.SequenceNode):
            return [convert(v) for v in node.value]
        value = node.value
        if node.style:
            return value
        if value in ("", "~", "null", "Null", "NULL"):
            return None
        if value in ("true", "True", "TRUE", "false", "False", "FALSE"):
            return value.lower() == "true"
        if re.fullmatch(r"[-+]?[0-9]+", value):
            return int(value)
        if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", value):
            return float(value)
        return value

    node = yaml.compose(text, Loader=yaml.BaseLoader)
    return None if node is None else convert(node)


def validator(kind_name: str) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema.schema_for(schema.KINDS_BY_NAME[kind_name]),
                                      format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def schema_errors(rel: str, text: str) -> list[str]:
    kind = schema.kind_of(rel)
    assert kind is not None, rel
    return [e.message for e in validator(kind.name).iter_errors(load_core(text))]


def test_committed_schemas_match_the_loader():
    stale = schema.stale_files(REPO)
    assert stale == [], (f"{stale} differ from what build_tools/schema.py generates: "
                         "run 'corpus schema --write' and commit schemas/")


def test_schemas_are_valid_draft_7():
    for kind in schema.KINDS:
        jsonschema.Draft7Validator.check_schema(schema.schema_for(kind))
        assert json.loads(schema.render(kind)) == schema.schema_for(kind)


def test_every_loader_key_is_in_its_schema():
    from build_tools import loading
    from build_tools.model import CLAIM_KINDS, ENTITY_TYPES, QUOTE_CHANNELS

    entry = lambda name: schema.entry_schema(schema.KINDS_BY_NAME[name])["properties"]
    assert list(entry("entities")) == list(loading.ENTITY_KEYS)
    assert list(entry("document")) == list(loading.META_KEYS)
    assert list(entry("mentions")) == list(loading.MENTION_KEYS)
    assert list(entry("claims")) == list(loading.CLAIM_KEYS)
    assert list(entry("quotes")) == list(loading.QUOTE_KEYS)
    assert entry("entities")["type"]["enum"] == list(ENTITY_TYPES)
    assert entry("claims")["kind"]["enum"] == list(CLAIM_KINDS)
    assert entry("quotes")["channel"]["enum"] == list(QUOTE_CHANNELS)


def test_a_key_added_to_the_loader_alone_stops_generation():
    kind = schema.KINDS_BY_NAME["mentions"]
    with pytest.raises(schema.SchemaDrift, match="'confidence'"):
        schema.schema_for(replace(kind, keys=kind.keys + ("confidence",)))


def test_schema_command_reports_and_writes(tmp_path, capsys):
    assert main(["schema", "--root", str(tmp_path)]) == 1
    assert "run 'corpus schema --write'" in capsys.readouterr().err
    assert main(["schema", "--root", str(tmp_path), "--write"]) == 0
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == sorted(
        k.file_name for k in schema.KINDS)
    assert main(["schema", "--root", str(tmp_path)]) == 0
    (tmp_path / "schemas/claims.schema.json").write_text("{}", encoding="utf-8")
    assert main(["schema", "--root", str(tmp_path)]) == 1
    assert "schemas/claims.schema.json" in capsys.readouterr().err


# ---- the schemas agree with the loader ------------------------------------------------

READERS = {
    "entities": lambda root, d: read_entities(root, "f.yml", d),
    "document": lambda root, d: [read_meta(root, "doc", "f.yml", d)],
    "mentions": lambda root, d: read_mentions(root, "f.yml", d),
    "claims": lambda root, d: read_claims(root, "f.yml", d),
    "quotes": lambda root, d: read_quotes(root, "f.yml", d),
}

FULL = {
    "entities": {"id": "x", "type": "place", "name": "س", "label": "X", "aliases": ["ص"], "description": "d",
                 "description_ar": "د", "wikidata": "Q1"},
    "document": {"title": "ع", "title_en": "t", "source": "s", "source_en": "s", "source_entity": "x",
                 "author": "a", "author_en": "a", "author_entity": "x", "language": "ar",
                 "date": {"earliest": "2012-01-01", "latest": "2012-01-02", "note": "n"}, "url": "https://e.org/",
                 "origin": "o", "headline": True, "summary_en": "s"},
    "mentions": {"entity": "x", "note": "n", "quote": "ق", "prefix": "p", "suffix": "s", "occurrence": [1, 2]},
    "claims": {"id": "c", "claimant": "x", "kind": "threat", "status": "verified", "about": ["x"], "summary": "s",
               "summary_en": "s", "quotes": ["q"], "note": "n", "quote": "ق", "occurrence": 1},
    "quotes": {"id": "q", "speaker": "x", "kind": "direct", "channel": "interview", "via": "v", "note": "n",
               "quote": "ق", "occurrence": 1},
}


def as_file(kind_name: str, entry: dict) -> str:
    kind = schema.KINDS_BY_NAME[kind_name]
    data = entry if kind.top_key is None else {kind.top_key: [entry]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def loader_codes(kind_name: str, text: str) -> list[str]:
    diagnostics = Diagnostics()
    READERS[kind_name](load_yaml(text, "f.yml", diagnostics), diagnostics)
    return [d.code for d in diagnostics.errors]


@pytest.mark.parametrize("kind_name", list(FULL))
def test_a_full_entry_is_valid_for_both(kind_name):
    text = as_file(kind_name, FULL[kind_name])
    assert loader_codes(kind_name, text) == []
    assert list(validator(kind_name).iter_errors(load_core(text))) == []


@pytest.mark.parametrize("kind_name", list(FULL))
def test_required_keys_agree_with_the_loader(kind_name):
    """Dropping a key the schema requires is an error for the loader, and the other way round."""
    anchor = {"quote", "prefix", "suffix", "occurrence"}
    for key in FULL[kind_name]:
        entry = {k: v for k, v in FULL[kind_name].items() if k != key}
        if kind_name == "claims" and key in ("summary", "summary_en"):
            continue  # one of the two suffices, for both (checked below)
        text = as_file(kind_name, entry)
        schema_ok = not list(validator(kind_name).iter_errors(load_core(text)))
        loader_ok = loader_codes(kind_name, text) == []
        assert schema_ok == loader_ok, (kind_name, key)
        assert schema_ok == (key not in schema.REQUIRED[kind_name] and key != "quote"
                             or key in anchor - {"quote"}), (kind_name, key)
    if kind_name == "claims":
        entry = {k: v for k, v in FULL["claims"].items() if k not in ("summary", "summary_en")}
        assert loader_codes("claims", as_file("claims", entry)) == ["missing-key"]
        assert list(validator("claims").iter_errors(load_core(as_file("claims", entry))))


def test_start_and_end_instead_of_quote():
    entry = {"entity": "x", "start": "a", "end": "b", "occurrence": 2}
    assert schema_errors("annotations/d/mentions.yml", as_file("mentions", entry)) == []
    for extra in ({"quote": "q"}, {"prefix": "p"}, {"suffix": "s"}):
        text = as_file("mentions", {**entry, **extra})
        assert schema_errors("annotations/d/mentions.yml", text)
        assert "anchor-conflict" in loader_codes("mentions", text)
    text = as_file("mentions", {"entity": "x", "start": "a"})
    assert schema_errors("annotations/d/mentions.yml", text) and loader_codes("mentions", text) == ["missing-key"]


def hostile_cases():
    from test_hostile import CASES

    for case in CASES:
        if case.code not in SCHEMA_CODES or case.name in BEYOND_SCHEMA:
            continue
        for rel, content in case.files.items():
            if isinstance(content, str) and schema.kind_of(rel) is not None and case.where.startswith(rel):
                yield pytest.param(rel, content, case.code, id=case.name)


@pytest.mark.parametrize("rel,content,code", list(hostile_cases()))
def test_schema_refuses_what_the_loader_refuses(rel, content, code):
    """The hostile-input cases whose problem is visible to a schema are flagged in the editor too."""
    assert schema_errors(rel, content), f"the schema accepts a file the loader refuses ({code})"


# ---- the repository's files ------------------------------------------------------------

def source_files(root: Path) -> list[str]:
    found = [p for p in (root / "annotations").rglob("*.yml")] + list((root / "corpus").glob("*.yml"))
    return sorted(p.relative_to(root).as_posix() for p in found)


def test_repository_files_name_their_schema_and_validate():
    files = source_files(REPO)
    assert "annotations/entities.yml" in files and len(files) >= 5
    for rel in files:
        text = (REPO / rel).read_text(encoding="utf-8")
        assert text.splitlines()[0] == schema.modeline(rel), f"{rel} does not start with its schema line"
        assert (REPO / rel).parent.joinpath(schema.modeline(rel).split("=", 1)[1]).resolve().is_file()
        assert schema_errors(rel, text) == [], rel


def test_fixture_files_validate():
    for rel, text in fixture_files().items():
        if schema.kind_of(rel) is not None:
            assert schema_errors(rel, text) == [], rel


def test_modelines():
    assert schema.modeline("annotations/entities.yml") == \
        "# yaml-language-server: $schema=../schemas/entities.schema.json"
    assert schema.modeline("corpus/a-b.yml") == "# yaml-language-server: $schema=../schemas/document.schema.json"
    assert schema.modeline("annotations/a-b/claims.yml") == \
        "# yaml-language-server: $schema=../../schemas/claims.schema.json"
    assert schema.modeline("annotations/a-b/mentions.proposed.yml").endswith("/mentions.schema.json")
    assert schema.modeline("corpus/a-b.txt") is None


def test_vscode_settings_map_every_schema():
    settings = json.loads((REPO / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"] == {f"./schemas/{k.file_name}": k.applies_to for k in schema.KINDS}
    assert "redhat.vscode-yaml" in json.loads((REPO / ".vscode/extensions.json").read_text())["recommendations"]
