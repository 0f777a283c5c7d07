"""JSON Schemas of the source files, generated from the loader's own definitions.

The allowed keys (``ENTITY_KEYS``, ``META_KEYS``, ``MENTION_KEYS``…), the enumerations
(``ENTITY_TYPES``, ``CLAIM_KINDS``…) and the id, date and Wikidata patterns are taken from
``loading.py`` and ``model.py``; this module only adds what a schema needs beyond them
(a description per key, which keys are required). Generation fails when the loader knows
a key this module does not describe, or the other way round, so the two cannot drift:
``corpus schema`` compares the committed ``schemas/*.schema.json`` with what the code
generates, and ``corpus schema --write`` rewrites them.

The schemas serve editors (VS Code's YAML extension reads the
``# yaml-language-server: $schema=…`` line at the top of each file): completion, hover
help and inline errors while typing. ``corpus check`` stays the authority: it checks what
a schema cannot (that a quote occurs in the text, that an entity id exists).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import loading
from .model import CLAIM_KINDS, CLAIM_STATUSES, ENTITY_TYPES, QUOTE_CHANNELS, QUOTE_KINDS

SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
SCHEMA_DIR = "schemas"
MODELINE = "# yaml-language-server: $schema="


def _pattern(compiled) -> str:
    """An anchored ECMAScript pattern from one of the loader's ``regex`` patterns."""
    return f"^{compiled.pattern}$"


SLUG = {"type": "string", "pattern": _pattern(loading.SLUG), "maxLength": loading.MAX_SLUG}
TEXT = {"type": ["string", "null"]}
REQUIRED_TEXT = {"type": "string", "minLength": 1, "pattern": "\\S"}
TEXT_LIST = {"type": ["array", "null"], "items": {"type": "string", "minLength": 1, "pattern": "\\S"}}
OPTIONAL_SLUG = {**SLUG, "type": ["string", "null"]}
SLUG_LIST = {"type": ["array", "null"], "items": SLUG}
ISO_DATE = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}
ANCHOR_TEXT = {"type": "string", "minLength": 1}
POSITIVE = [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": "^0*[1-9][0-9]*$"}]


def _enum(choices: dict[str, str], what: str) -> dict:
    return {
        "type": "string",
        "enum": list(choices),
        "enumDescriptions": list(choices.values()),
        "markdownDescription": what + "\n\n" + "\n".join(f"- `{k}`: {v}" for k, v in choices.items()),
    }


def _described(spec: dict, description: str) -> dict:
    return {"description": description, **spec}


ENTITY_TYPE_NAMES = {k: f"{en} ({ar})" for k, (ar, en) in ENTITY_TYPES.items()}

# ---- one description per key the loader accepts -----------------------------------------

ANCHOR_FIELDS = {
    "quote": _described(ANCHOR_TEXT, "The exact words of the text that the annotation marks, copied from the "
                                     "text file (letters, diacritics, spaces and punctuation must match)."),
    "prefix": _described({"type": ["string", "null"]},
                         "Text just before the quote (spaces included), when the quote occurs more than once."),
    "suffix": _described({"type": ["string", "null"]},
                         "Text just after the quote (spaces included), when the quote occurs more than once."),
    "start": _described(ANCHOR_TEXT, "For a long passage instead of 'quote': the exact words that begin it."),
    "end": _described(ANCHOR_TEXT, "For a long passage instead of 'quote': the exact words that end it."),
}
OCCURRENCE_ONE = {
    "description": "Which occurrence of the quote (or of 'start') is meant, counted from the start of "
                   "the text: 1 for the first.",
    "anyOf": POSITIVE,
}
OCCURRENCE_MANY = {
    "description": "Which occurrences of the quote are meant, counted from the start of the text: a number "
                   "(1 for the first), a list such as [1, 3], or all.",
    "anyOf": POSITIVE + [
        {"const": "all"},
        {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"anyOf": POSITIVE}},
    ],
}

ENTITY_FIELDS = {
    "id": _described(SLUG, "The entity's id, used by annotations: lowercase ASCII letters and digits joined "
                           "by hyphens, e.g. anonymous-morocco."),
    "type": _enum(ENTITY_TYPE_NAMES, "What kind of entity this is."),
    "name": _described(REQUIRED_TEXT, "The name as written in Arabic (the entity page's title)."),
    "label": _described(REQUIRED_TEXT, "The name in English (or in Latin script)."),
    "aliases": _described(TEXT_LIST, "Other names and spellings under which the entity occurs in the texts "
                                     "(used by 'corpus suggest')."),
    "description": _described(TEXT, "One or two sentences in English: who or what this is."),
    "description_ar": _described(TEXT, "One or two sentences in Arabic: who or what this is."),
    "wikidata": _described({"type": ["string", "null"], "pattern": _pattern(loading.WIKIDATA)},
                           "The Wikidata item id, e.g. Q1028; leave it out when not certain."),
}

META_FIELDS = {
    "title": _described(REQUIRED_TEXT, "The title (or headline) of the document, as written."),
    "title_en": _described(TEXT, "The title translated into English."),
    "source": _described(TEXT, "Where the document was published, as written (e.g. the newspaper)."),
    "source_en": _described(TEXT, "The source in English or Latin script."),
    "source_entity": _described(OPTIONAL_SLUG, "The registry id of the source (e.g. the newspaper's entity)."),
    "author": _described(TEXT, "The author, as written."),
    "author_en": _described(TEXT, "The author in English or Latin script."),
    "author_entity": _described(OPTIONAL_SLUG, "The registry id of the author."),
    "language": _described({"type": "string", "pattern": _pattern(loading.LANGUAGE)},
                           "The language of the text as a BCP 47 tag (default: ar)."),
    "date": {
        "description": "When the document was written: a range from 'earliest' to 'latest' (the same day "
                       "twice when exact), with a 'note' saying how it was established.",
        "type": "object",
        "properties": {
            "earliest": _described(ISO_DATE, "The earliest possible date, YYYY-MM-DD."),
            "latest": _described(ISO_DATE, "The latest possible date, YYYY-MM-DD."),
            "note": _described(TEXT, "How the date was established."),
        },
        "required": ["earliest", "latest"],
        "additionalProperties": False,
    },
    "url": _described({"type": ["string", "null"], "pattern": "^https?://[^\\s<>\"']+$"},
                      "The address where the document was published (http or https)."),
    "origin": _described(TEXT, "Where the text file came from (e.g. the file name in a collection)."),
    "headline": {"description": "true when the first line of the text is the headline.",
                 "anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}]},
    "summary_en": _described(TEXT, "A short summary of the document in English."),
}

MENTION_FIELDS = {
    "entity": _described(SLUG, "The id of the entity mentioned (from annotations/entities.yml)."),
    "note": _described(TEXT, "A remark for readers and reviewers."),
    **ANCHOR_FIELDS,
    "occurrence": OCCURRENCE_MANY,
}

CLAIM_FIELDS = {
    "id": _described(SLUG, "The claim's id, unique in the whole corpus."),
    "claimant": _described(SLUG, "The id of the entity that makes the claim."),
    "kind": _enum(CLAIM_KINDS, "What kind of claim it is."),
    "status": _enum(CLAIM_STATUSES, "How the text presents the claim."),
    "about": _described(SLUG_LIST, "The ids of the entities the claim is about."),
    "summary": _described(TEXT, "What is claimed, in one sentence of Arabic."),
    "summary_en": _described(TEXT, "What is claimed, in one sentence of English."),
    "quotes": _described(SLUG_LIST, "The ids of quotes (in this document's quotes.yml) that carry the claim."),
    "note": _described(TEXT, "A remark for readers and reviewers."),
    **ANCHOR_FIELDS,
    "occurrence": OCCURRENCE_ONE,
}

QUOTE_FIELDS = {
    "id": _described(SLUG, "The quote's id, unique in the whole corpus."),
    "speaker": _described(SLUG, "The id of the entity whose words these are."),
    "kind": _enum(QUOTE_KINDS, "Direct quotation or reported speech."),
    "channel": _enum(QUOTE_CHANNELS, "How the words were first made public (default: unknown)."),
    "via": _described(TEXT, "Through whom or what the words reach the text."),
    "note": _described(TEXT, "A remark for readers and reviewers."),
    **ANCHOR_FIELDS,
    "occurrence": OCCURRENCE_ONE,
}

# Keys the loader reports as missing-key (``required=True``, or the anchor rule below).
REQUIRED = {
    "entities": ("id", "type", "name", "label"),
    "document": ("title",),
    "mentions": ("entity",),
    "claims": ("id", "claimant", "kind", "status"),
    "quotes": ("id", "speaker", "kind"),
}

# Either 'quote' (with its optional context) or 'start' and 'end' (read_anchor).
ANCHOR_RULE = {
    "oneOf": [
        {"required": ["quote"], "not": {"anyOf": [{"required": ["start"]}, {"required": ["end"]}]}},
        {"required": ["start", "end"],
         "not": {"anyOf": [{"required": ["quote"]}, {"required": ["prefix"]}, {"required": ["suffix"]}]}},
    ],
}
# A claim needs a summary in at least one language (read_claims).
SUMMARY_RULE = {"anyOf": [{"required": ["summary"]}, {"required": ["summary_en"]}]}


@dataclass(frozen=True)
class FileKind:
    name: str            # schemas/<name>.schema.json
    title: str
    description: str
    keys: tuple[str, ...]     # the loader's allowed keys, in its order
    fields: dict
    top_key: str | None       # the file's single top-level list key; None for a mapping file
    applies_to: str           # a glob, for editor settings and documentation

    @property
    def file_name(self) -> str:
        return f"{self.name}.schema.json"


KINDS = (
    FileKind("entities", "Entity registry", "annotations/entities.yml: every entity the corpus refers to.",
             loading.ENTITY_KEYS, ENTITY_FIELDS, "entities", "annotations/entities.yml"),
    FileKind("document", "Document metadata", "corpus/<id>.yml: the metadata of the text corpus/<id>.txt.",
             loading.META_KEYS, META_FIELDS, None, "corpus/*.yml"),
    FileKind("mentions", "Entity mentions", "annotations/<id>/mentions.yml: where the text names an entity.",
             loading.MENTION_KEYS, MENTION_FIELDS, "mentions", "annotations/*/mentions*.yml"),
    FileKind("claims", "Claims", "annotations/<id>/claims.yml: claims made in the text, and by whom.",
             loading.CLAIM_KEYS, CLAIM_FIELDS, "claims", "annotations/*/claims.yml"),
    FileKind("quotes", "Quotes", "annotations/<id>/quotes.yml: direct and reported speech in the text.",
             loading.QUOTE_KEYS, QUOTE_FIELDS, "quotes", "annotations/*/quotes.yml"),
)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}


class SchemaDrift(Exception):
    """The loader and this module disagree about the keys of a file kind."""


def _properties(kind: FileKind) -> dict:
    undescribed = [k for k in kind.keys if k not in kind.fields]
    stale = [k for k in kind.fields if k not in kind.keys]
    if undescribed or stale:
        raise SchemaDrift(
            f"{kind.name}: the loader accepts {undescribed or 'no'} undescribed key(s) and schema.py describes "
            f"{stale or 'no'} key(s) the loader refuses; update build_tools/schema.py")
    return {key: kind.fields[key] for key in kind.keys}


def entry_schema(kind: FileKind) -> dict:
    """The schema of one entry (or of the whole file, for document metadata)."""
    schema: dict = {
        "type": "object",
        "properties": _properties(kind),
        "required": list(REQUIRED[kind.name]),
        "additionalProperties": False,
    }
    rules = []
    if "quote" in kind.keys:
        rules.append(ANCHOR_RULE)
    if kind.name == "claims":
        rules.append(SUMMARY_RULE)
    if rules:
        schema["allOf"] = rules
    return schema


def schema_for(kind: FileKind) -> dict:
    head = {
        "$schema": SCHEMA_DIALECT,
        "title": kind.title,
        "description": kind.description + " Generated by `corpus schema --write` from build_tools/loading.py; "
                                          "do not edit by hand.",
    }
    if kind.top_key is None:
        return {**head, **entry_schema(kind)}
    return {
        **head,
        "type": ["object", "null"],
        "properties": {kind.top_key: {"type": ["array", "null"], "items": entry_schema(kind)}},
        "required": [kind.top_key],
        "additionalProperties": False,
    }


def render(kind: FileKind) -> str:
    return json.dumps(schema_for(kind), ensure_ascii=False, indent=2) + "\n"


def all_schemas() -> dict[str, str]:
    """``{"schemas/<name>.schema.json": text}`` for every file kind."""
    return {f"{SCHEMA_DIR}/{kind.file_name}": render(kind) for kind in KINDS}


def stale_files(root: Path) -> list[str]:
    """The schema files that are missing or differ from what the code generates."""
    out = []
    for rel, text in all_schemas().items():
        path = root / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            out.append(rel)
    return out


def write_schemas(root: Path) -> list[str]:
    """Write every schema file that changed; returns the paths written."""
    written = []
    for rel, text in all_schemas().items():
        path = root / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(rel)
    return written


# ---- the line that points editors at a schema ------------------------------------------

def kind_of(rel_path: str) -> FileKind | None:
    """The file kind of a project-relative path, or None for files that have no schema."""
    parts = rel_path.split("/")
    if parts == ["annotations", "entities.yml"]:
        return KINDS_BY_NAME["entities"]
    if len(parts) == 2 and parts[0] == "corpus" and parts[1].endswith(".yml"):
        return KINDS_BY_NAME["document"]
    if len(parts) == 3 and parts[0] == "annotations":
        name = parts[2]
        for layer in ("mentions", "claims", "quotes"):
            if name == f"{layer}.yml" or name == f"{layer}.proposed.yml":
                return KINDS_BY_NAME[layer]
    return None


def modeline(rel_path: str) -> str | None:
    """``# yaml-language-server: $schema=<relative path>`` for a source file, or None."""
    kind = kind_of(rel_path)
    if kind is None:
        return None
    up = "../" * (rel_path.count("/"))
    return f"{MODELINE}{up}{SCHEMA_DIR}/{kind.file_name}"
