"""Loading: located YAML nodes become typed model objects, each field checked.

One reader per file kind (registry, document metadata, the three layers). Every
problem is reported with the place of the offending key or value and a fix; loading
goes on after a problem so that one run reports them all.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from typing import Iterable

import regex

from .diagnostics import Diagnostics, Location
from .model import (
    ALL, CLAIM_KINDS, CLAIM_STATUSES, ENTITY_TYPES, QUOTE_CHANNELS, QUOTE_KINDS,
    Anchor, Claim, DateRange, DocumentMeta, Entity, MentionSpec, Quote,
)
from .yamlstrict import YList, YMap, YNode, YScalar, describe

SLUG = regex.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_SLUG = 80
WIKIDATA = regex.compile(r"Q[1-9][0-9]*")
URL = regex.compile(r"https?://[^\s<>\"'\p{Cc}\p{Cf}]+")
BIDI_CONTROLS = regex.compile(r"[\u202a-\u202e\u2066-\u2069]")
ANCHOR_KEYS = ("quote", "prefix", "suffix", "occurrence", "start", "end")


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.5)


def suggestion(word: str, choices: Iterable[str]) -> str:
    near = closest(word, choices)
    return f"did you mean {', '.join(repr(c) for c in near)}?" if near else ""


class Fields:
    """Typed access to the keys of one YAML mapping, reporting every misuse."""

    def __init__(self, node: YMap, diagnostics: Diagnostics, what: str):
        self.node = node
        self.diagnostics = diagnostics
        self.what = what
        self.ok = True

    def _error(self, loc: Location, code: str, message: str, hint: str = "") -> None:
        self.ok = False
        self.diagnostics.error(loc, code, message, hint)

    def loc(self, key: str) -> Location:
        value = self.node.get(key)
        return value.loc if value is not None else self.node.loc

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key, key_loc in self.node.keys.items():
            if key not in allowed:
                # Reported, but the rest of the entry is still checked and resolved.
                hint = suggestion(key, allowed) or f"allowed keys: {', '.join(allowed)}"
                self.diagnostics.error(key_loc, "unknown-key", f"unknown key '{key}' in {self.what}", hint)

    def _scalar(self, key: str, required: bool) -> YScalar | None:
        value = self.node.get(key)
        if value is None:
            if required:
                self._error(self.node.loc, "missing-key", f"{self.what} has no '{key}'",
                            f"add '{key}: ...' to this entry")
            return None
        if not isinstance(value, YScalar):
            self._error(value.loc, "wrong-type", f"'{key}' must be text, not {describe(value)}",
                        "write a single value on the same line as the key")
            return None
        if value.value == "" and not value.quoted:
            if required:
                self._error(value.loc, "empty-value", f"'{key}' is empty",
                            f"give '{key}' a value")
            return None
        if value.cut == "comment":
            self.diagnostics.warning(
                value.loc, "yaml-comment-in-value",
                f"'{key}' is cut short: YAML reads the text after ' #' as a comment",
                f"put the whole value in double quotes: {key}: \"…\"")
        elif value.cut == "trailing-space" and key in ANCHOR_KEYS:
            self.diagnostics.warning(
                value.loc, "yaml-trailing-space",
                f"'{key}' ends with spaces that YAML drops from unquoted text",
                f"if the space belongs to the anchor, write the value in double quotes: {key}: \"… \"")
        return value

    def text(self, key: str, required: bool = False) -> str:
        value = self._scalar(key, required)
        if value is None:
            return ""
        if required and not value.value.strip():
            self._error(value.loc, "empty-value", f"'{key}' is empty", f"give '{key}' a value")
            return ""
        bidi = BIDI_CONTROLS.search(value.value)
        if bidi:
            self.diagnostics.warning(
                value.loc, "text-bidi-control",
                f"'{key}' contains the bidirectional control U+{ord(bidi.group()):04X}",
                "remove it: such characters can make text display in a misleading order "
                "(right-to-left marks U+200F and U+061C are fine)")
        return value.value

    def slug(self, key: str, required: bool = True) -> str:
        value = self._scalar(key, required)
        if value is None:
            return ""
        if not is_slug(value.value):
            self._error(value.loc, "bad-id", f"'{key}' {value.value!r} is not a valid id",
                        "ids are lowercase ASCII letters and digits joined by single hyphens, "
                        f"at most {MAX_SLUG} characters, e.g. 'anonymous-morocco'")
            return ""
        return value.value

    def choice(self, key: str, choices: Iterable[str], required: bool = True, default: str = "") -> str:
        value = self._scalar(key, required)
        if value is None:
            return default
        choices = tuple(choices)
        if value.value not in choices:
            self._error(value.loc, "bad-value", f"'{key}' {value.value!r} is not one of: {', '.join(choices)}",
                        suggestion(value.value, choices) or f"use one of: {', '.join(choices)}")
            return default
        return value.value

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self._scalar(key, False)
        if value is None:
            return default
        if value.value in ("true", "false"):
            return value.value == "true"
        self._error(value.loc, "bad-value", f"'{key}' must be true or false, not {value.value!r}",
                    "write true or false (YAML's yes/no/on/off are not accepted)")
        return default

    def _list(self, key: str) -> YList | None:
        value = self.node.get(key)
        if value is None:
            return None
        if isinstance(value, YScalar) and value.value == "" and not value.quoted:
            return YList((), value.loc)
        if not isinstance(value, YList):
            self._error(value.loc, "wrong-type", f"'{key}' must be a list, not {describe(value)}",
                        f"write '{key}: [a, b]' or one '- item' per line")
            return None
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        items = self._list(key)
        if items is None:
            return ()
        out = []
        for item in items.items:
            if not isinstance(item, YScalar) or not item.value.strip():
                self._error(item.loc, "wrong-type", f"each item of '{key}' must be non-empty text",
                            "write one text value per item")
                continue
            out.append(item.value)
        return tuple(out)

    def slug_list(self, key: str) -> tuple[tuple[str, Location], ...]:
        items = self._list(key)
        if items is None:
            return ()
        out = []
        for item in items.items:
            if not isinstance(item, YScalar) or not is_slug(item.value):
                shown = item.value if isinstance(item, YScalar) else describe(item)
                self._error(item.loc, "bad-id", f"{shown!r} in '{key}' is not a valid id",
                            "ids are lowercase ASCII letters and digits joined by hyphens")
                continue
            out.append((item.value, item.loc))
        return tuple(out)

    def mapping(self, key: str, required: bool = False) -> "Fields | None":
        value = self.node.get(key)
        if value is None:
            if required:
                self._error(self.node.loc, "missing-key", f"{self.what} has no '{key}'", f"add '{key}:'")
            return None
        if not isinstance(value, YMap):
            self._error(value.loc, "wrong-type", f"'{key}' must be a mapping, not {describe(value)}",
                        f"indent the keys of '{key}' below it")
            return None
        return Fields(value, self.diagnostics, f"'{key}'")


def is_slug(value: str) -> bool:
    return len(value) <= MAX_SLUG and SLUG.fullmatch(value) is not None


def top_list(root: YNode | None, key: str, path: str, diagnostics: Diagnostics) -> tuple[YMap, ...]:
    """The entries under a file's single top-level key (``entities:``, ``claims:``...)."""
    if root is None:
        return ()
    if isinstance(root, YScalar) and root.value == "":
        return ()
    if not isinstance(root, YMap):
        diagnostics.error(root.loc, "wrong-type", f"the file must be a mapping with a '{key}' list",
                          f"start the file with '{key}:' and list the entries below it")
        return ()
    fields = Fields(root, diagnostics, path)
    fields.check_keys((key,))
    items = fields._list(key)
    if items is None:
        if key not in root.entries:
            diagnostics.error(root.loc, "missing-key", f"the file has no '{key}' list",
                              f"start the file with '{key}:'")
        return ()
    out = []
    for item in items.items:
        if not isinstance(item, YMap):
            diagnostics.error(item.loc, "wrong-type", f"each item of '{key}' must be a mapping, not {describe(item)}",
                              "start each entry with '- ' followed by 'key: value' lines")
            continue
        out.append(item)
    return tuple(out)


# ---- registry ------------------------------------------------------------------------

ENTITY_KEYS = ("id", "type", "name", "label", "aliases", "description", "description_ar", "wikidata")


def _note_broken(broken: set[str] | None, f: Fields) -> None:
    """Remember the id of an entry that failed to load, so that references to it are not
    reported a second time as unknown ids (the entry's own error says what is wrong)."""
    node = f.node.get("id")
    if broken is not None and isinstance(node, YScalar) and is_slug(node.value):
        broken.add(node.value)


def read_entities(root: YNode | None, path: str, diagnostics: Diagnostics,
                  broken: set[str] | None = None) -> list[Entity]:
    entities = []
    for node in top_list(root, "entities", path, diagnostics):
        f = Fields(node, diagnostics, "the entity")
        f.check_keys(ENTITY_KEYS)
        wikidata = f.text("wikidata")
        if wikidata and not WIKIDATA.fullmatch(wikidata):
            f._error(f.loc("wikidata"), "bad-value", f"'wikidata' {wikidata!r} is not a Wikidata id",
                     "write the item id only, e.g. Q1028; leave it out when you are not certain")
            wikidata = ""
        entity = Entity(
            id=f.slug("id"),
            type=f.choice("type", ENTITY_TYPES),
            name=f.text("name", required=True),
            label=f.text("label", required=True),
            loc=node.loc,
            aliases=f.text_list("aliases"),
            description=f.text("description"),
            description_ar=f.text("description_ar"),
            wikidata=wikidata,
        )
        if f.ok:
            entities.append(entity)
        else:
            _note_broken(broken, f)
    return entities


# ---- document metadata ---------------------------------------------------------------

META_KEYS = ("title", "title_en", "source", "source_en", "source_entity", "author", "author_en",
             "author_entity", "language", "date", "url", "origin", "headline", "summary_en")
LANGUAGE = regex.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _iso_date(f: Fields, key: str) -> str:
    value = f.text(key, required=True)
    if not value:
        return ""
    try:
        _dt.date.fromisoformat(value)
        if len(value) != 10:
            raise ValueError
    except ValueError:
        f._error(f.loc(key), "bad-date", f"'{key}' {value!r} is not a date",
                 "write a date as YYYY-MM-DD; for an uncertain date give the range "
                 "'earliest' to 'latest' and say why in 'note'")
        return ""
    return value


def read_meta(root: YNode | None, document_id: str, path: str, diagnostics: Diagnostics) -> DocumentMeta | None:
    if root is None or not isinstance(root, YMap):
        where = root.loc if root is not None else Location(path, 1, 1)
        diagnostics.error(where, "wrong-type", "document metadata must be a mapping",
                          "write 'title: ...' and the other metadata keys, one per line")
        return None
    f = Fields(root, diagnostics, "the document metadata")
    f.check_keys(META_KEYS)
    date = None
    date_fields = f.mapping("date")
    if date_fields is not None:
        date_fields.check_keys(("earliest", "latest", "note"))
        earliest = _iso_date(date_fields, "earliest")
        latest = _iso_date(date_fields, "latest")
        if earliest and latest and earliest > latest:
            date_fields._error(date_fields.loc("latest"), "bad-date",
                               f"'latest' {latest} is before 'earliest' {earliest}",
                               "swap the two dates")
        date = DateRange(earliest, latest, date_fields.text("note"))
        f.ok = f.ok and date_fields.ok
    url = f.text("url")
    if url and not URL.fullmatch(url):
        f._error(f.loc("url"), "bad-url", f"'url' {url!r} is not an http(s) URL",
                 "write the full address, starting with https:// or http://, with no spaces, quotes, "
                 "angle brackets or invisible characters (percent-encode them)")
        url = ""
    language = f.text("language") or "ar"
    if not LANGUAGE.fullmatch(language):
        f._error(f.loc("language"), "bad-value", f"'language' {language!r} is not a language tag",
                 "write a BCP 47 tag such as 'ar' or 'ar-MA'")
    source_entity = f.slug("source_entity", required=False)
    author_entity = f.slug("author_entity", required=False)
    meta = DocumentMeta(
        id=document_id,
        title=f.text("title", required=True),
        loc=root.loc,
        language=language,
        title_en=f.text("title_en"),
        source=f.text("source"),
        source_en=f.text("source_en"),
        source_entity=source_entity,
        author=f.text("author"),
        author_en=f.text("author_en"),
        author_entity=author_entity,
        date=date,
        url=url,
        origin=f.text("origin"),
        headline=f.boolean("headline"),
        summary_en=f.text("summary_en"),
        field_locs={key: f.loc(key) for key in ("source_entity", "author_entity") if key in root.entries},
    )
    return meta if f.ok else None


# ---- anchors -------------------------------------------------------------------------

def read_anchor(f: Fields, allow_many: bool) -> Anchor | None:
    """The anchor keys of an annotation entry (``quote``... or ``start``/``end``)."""
    quote = f._scalar("quote", False)
    start = f._scalar("start", False)
    end = f._scalar("end", False)
    if quote is None and start is None and end is None:
        f._error(f.node.loc, "missing-anchor", f"{f.what} says nowhere which text it marks",
                 "add 'quote: <the exact words>' (or 'start:' and 'end:' for a long passage)")
        return None
    if quote is not None and (start is not None or end is not None):
        f._error((start or end).loc, "anchor-conflict", "give either 'quote' or 'start'/'end', not both",
                 "use 'quote' for a short passage, 'start' and 'end' for a long one")
        return None
    if quote is None and (start is None or end is None):
        missing = "end" if end is None else "start"
        f._error((start or end).loc, "missing-key", f"'start' and 'end' go together: '{missing}' is missing",
                 f"add '{missing}: <the exact words that {'end' if missing == 'end' else 'begin'} the passage>'")
        return None
    for scalar in (quote, start, end):
        if scalar is not None and not scalar.value:
            f._error(scalar.loc, "empty-value", "an anchor cannot be empty", "quote at least one word")
            return None
    prefix = f.text("prefix")
    suffix = f.text("suffix")
    if quote is None and (prefix or suffix):
        f._error(f.loc("prefix" if prefix else "suffix"), "anchor-conflict",
                 "'prefix'/'suffix' go with 'quote', not with 'start'/'end'",
                 "make 'start' longer instead, or use 'occurrence'")
        return None
    occurrences = _read_occurrence(f, allow_many)
    if occurrences is False:
        return None
    return Anchor(
        loc=f.node.loc,
        quote=quote.value if quote is not None else None,
        prefix=prefix,
        suffix=suffix,
        start=start.value if start is not None else None,
        end=end.value if end is not None else None,
        occurrences=occurrences,
        quote_loc=(quote or start).loc,
        occurrence_loc=f.node.get("occurrence").loc if f.node.get("occurrence") is not None else None,
    )


def _read_occurrence(f: Fields, allow_many: bool):
    node = f.node.get("occurrence")
    if node is None:
        return None
    hint = ("write a number with the digits 0-9 (1 for the first occurrence)"
            + (", a list such as [1, 3], or all" if allow_many
               else "; lists and 'all' are for mentions only: a claim or quote marks one passage"))
    values: list[YNode]
    if isinstance(node, YScalar):
        if node.value == ALL and allow_many:
            return ALL
        values = [node]
    elif isinstance(node, YList) and allow_many:
        values = list(node.items)
    else:
        f._error(node.loc, "bad-occurrence", f"'occurrence' must be a number, not {describe(node)}", hint)
        return False
    numbers = []
    for value in values:
        if not isinstance(value, YScalar) or not value.value.isascii() or not value.value.isdigit() \
                or int(value.value) < 1:
            shown = value.value if isinstance(value, YScalar) else describe(value)
            f._error(value.loc, "bad-occurrence", f"'occurrence' {shown!r} is not a whole number from 1", hint)
            return False
        numbers.append(int(value.value))
    if len(set(numbers)) != len(numbers):
        f._error(node.loc, "bad-occurrence", "'occurrence' lists a number twice", "list each number once")
        return False
    if not numbers:
        f._error(node.loc, "bad-occurrence", "'occurrence' is an empty list", hint)
        return False
    return tuple(sorted(numbers))


# ---- layers --------------------------------------------------------------------------

MENTION_KEYS = ("entity", "note") + ANCHOR_KEYS
CLAIM_KEYS = ("id", "claimant", "kind", "status", "about", "summary", "summary_en", "quotes", "note") + ANCHOR_KEYS
QUOTE_KEYS = ("id", "speaker", "kind", "channel", "via", "note") + ANCHOR_KEYS


def read_mentions(root: YNode | None, path: str, diagnostics: Diagnostics) -> list[MentionSpec]:
    out = []
    for node in top_list(root, "mentions", path, diagnostics):
        f = Fields(node, diagnostics, "the mention")
        f.check_keys(MENTION_KEYS)
        entity = f.slug("entity")
        anchor = read_anchor(f, allow_many=True)
        note = f.text("note")
        if f.ok and anchor is not None:
            out.append(MentionSpec(entity, anchor, node.loc, f.loc("entity"), note))
    return out


def read_claims(root: YNode | None, path: str, diagnostics: Diagnostics,
                broken: set[str] | None = None) -> list[Claim]:
    out = []
    for node in top_list(root, "claims", path, diagnostics):
        f = Fields(node, diagnostics, "the claim")
        f.check_keys(CLAIM_KEYS)
        about = f.slug_list("about")
        quotes = f.slug_list("quotes")
        claim = Claim(
            id=f.slug("id"),
            claimant=f.slug("claimant"),
            kind=f.choice("kind", CLAIM_KINDS),
            status=f.choice("status", CLAIM_STATUSES),
            anchor=read_anchor(f, allow_many=False),
            loc=node.loc,
            about=tuple(a for a, _ in about),
            summary=f.text("summary"),
            summary_en=f.text("summary_en"),
            quotes=tuple(q for q, _ in quotes),
            note=f.text("note"),
            field_locs={"claimant": f.loc("claimant"), "id": f.loc("id"),
                        **{f"about:{a}": loc for a, loc in about},
                        **{f"quotes:{q}": loc for q, loc in quotes}},
        )
        if not claim.summary and not claim.summary_en:
            f._error(node.loc, "missing-key", "the claim has neither 'summary' nor 'summary_en'",
                     "say in one sentence what is claimed (Arabic in 'summary', English in 'summary_en')")
        if f.ok and claim.anchor is not None:
            out.append(claim)
        else:
            _note_broken(broken, f)
    return out


def read_quotes(root: YNode | None, path: str, diagnostics: Diagnostics,
                broken: set[str] | None = None) -> list[Quote]:
    out = []
    for node in top_list(root, "quotes", path, diagnostics):
        f = Fields(node, diagnostics, "the quote")
        f.check_keys(QUOTE_KEYS)
        quote = Quote(
            id=f.slug("id"),
            speaker=f.slug("speaker"),
            kind=f.choice("kind", QUOTE_KINDS),
            channel=f.choice("channel", QUOTE_CHANNELS, required=False, default="unknown"),
            anchor=read_anchor(f, allow_many=False),
            loc=node.loc,
            via=f.text("via"),
            note=f.text("note"),
            field_locs={"speaker": f.loc("speaker"), "id": f.loc("id")},
        )
        if f.ok and quote.anchor is not None:
            out.append(quote)
        else:
            _note_broken(broken, f)
    return out
