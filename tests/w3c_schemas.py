"""A validator for the W3C Web Annotation test assertions (JSON Schema draft-04).

The assertions are in ``../shared/data/w3c-annotation-model/`` (from w3c/web-annotation-tests;
see the README there). Each ``*.test`` file lists assertion schemas; each assertion says in
``expectedResult`` whether matching the schema means pass (``valid``) or fail. Schemas refer
to the ``definitions/*.json`` files by their ``id`` (``annotations.json#/definitions/...``).

``format: uri`` and ``format: date-time`` are checked here (jsonschema only checks them with
optional packages installed): a URI needs a scheme and no characters that RFC 3986 forbids
unescaped; a date-time is RFC 3339 (``xsd:dateTime`` with a time zone, as the model asks).
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from corpus_fixtures import SHARED_DATA

W3C_DIR = SHARED_DATA / "w3c-annotation-model"
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*\Z")
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")


def available() -> bool:
    return (W3C_DIR / ANNOTATION_MUSTS).is_file()


@dataclass(frozen=True)
class Assertion:
    path: str
    expected_valid: bool
    validator: object

    def passes(self, document) -> bool:
        return self.validator.is_valid(document) == self.expected_valid


class W3CValidator:
    """Runs the assertions of the annotation, collection and page ``*Musts.test`` files."""

    def __init__(self, root: Path = W3C_DIR):
        from jsonschema import Draft4Validator, FormatChecker
        from referencing import Registry
        from referencing.jsonschema import DRAFT4

        self.root = root
        checker = FormatChecker(())

        @checker.checks("uri")
        def is_uri(value) -> bool:
            return not isinstance(value, str) or _URI.match(value) is not None

        @checker.checks("date-time")
        def is_date_time(value) -> bool:
            if not isinstance(value, str):
                return True
            if not _DATE_TIME.match(value):
                return False
            try:
                datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return False
            return True

        definitions = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "definitions").glob("*.json"))]
        registry = Registry().with_resources((d["id"], DRAFT4.create_resource(d)) for d in definitions)

        def load(test: str) -> list[Assertion]:
            listed = json.loads((root / test).read_text(encoding="utf-8"))["assertions"]
            out = []
            for rel in listed:
                schema = json.loads((root / rel).read_text(encoding="utf-8"))
                out.append(Assertion(rel, schema.get("expectedResult", "valid") == "valid",
                                     Draft4Validator(schema, registry=registry, format_checker=checker)))
            return out

        self.annotation = load(ANNOTATION_MUSTS)
        self.collection = load(COLLECTION_MUSTS)
        self.page = load(PAGE_MUSTS)
        self._memo: dict[str, list[str]] = {}

    @staticmethod
    def _failed(assertions: list[Assertion], document) -> list[str]:
        return [a.path for a in assertions if not a.passes(document)]

    def annotation_failures(self, annotation) -> list[str]:
        """The assertions an annotation fails (memoised: jsonschema takes ~0.2 s per annotation,
        and the corpus export repeats the annotations of the per-document exports)."""
        key = json.dumps(annotation, sort_keys=True, ensure_ascii=False)
        if key not in self._memo:
            self._memo[key] = self._failed(self.annotation, annotation)
        return list(self._memo[key])

    def page_failures(self, page, context=None) -> list[str]:
        """The page's own assertions and those of every annotation in it."""
        page_doc = dict(page)
        if context is not None:
            page_doc.setdefault("@context", context)
        failures = self._failed(self.page, page_doc)
        for item in page.get("items", []):
            item_doc = dict(item)
            item_doc.setdefault("@context", page_doc.get("@context"))
            failures += [f"{item.get('id')}: {f}" for f in self.annotation_failures(item_doc)]
        return failures

    def collection_failures(self, collection) -> list[str]:
        """The collection's own assertions, those of its embedded first page, and those of
        every annotation in that page (prefixed with the annotation's id)."""
        failures = self._failed(self.collection, collection)
        page = collection.get("first")
        if isinstance(page, dict):
            failures += [f if ": " in f else f"first: {f}"
                         for f in self.page_failures(page, collection.get("@context"))]
        return failures
