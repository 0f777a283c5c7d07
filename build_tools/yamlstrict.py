"""Strict YAML loading: located nodes, every scalar kept as the text written.

PyYAML's ``safe_load`` applies YAML 1.1 implicit typing (``no`` -> False, ``0755`` ->
493, ``1:20`` -> 80, bare dates) and silently accepts duplicate keys. Here the
document is *composed* with the base resolver (every scalar stays a string), and the
node tree is turned into small located values; the model layer converts each field to
its type and reports a wrong one with its line and column.

Rejected: duplicate keys, anchors and aliases (alias bombs), merge keys, explicit tags,
multi-document streams, files over ``MAX_BYTES`` and nesting deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import yaml

from .diagnostics import Diagnostics, Location

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16

_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

_DEFAULT_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


@dataclass(frozen=True, slots=True)
class YScalar:
    """A scalar exactly as written. ``cut`` notes what YAML silently dropped from an
    unquoted value: ``"comment"`` (text after `` #``) or ``"trailing-space"``."""

    value: str
    loc: Location
    quoted: bool = False
    cut: str = ""


@dataclass(frozen=True, slots=True)
class YList:
    items: tuple["YNode", ...]
    loc: Location


@dataclass(frozen=True, slots=True)
class YMap:
    """A mapping with string keys; ``keys`` keeps each key's own location."""

    entries: dict[str, "YNode"]
    keys: dict[str, Location]
    loc: Location

    def get(self, key: str) -> "YNode | None":
        return self.entries.get(key)


YNode = Union[YScalar, YList, YMap]


def _loc(path: str, mark) -> Location:
    return Location(path, mark.line + 1, mark.column + 1)


def describe(node: YNode) -> str:
    """The kind of a node in words, for messages."""
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YList):
        return "a list"
    return f"the text {node.value!r}"


def decode_utf8(data: bytes, path: str, diagnostics: Diagnostics) -> str | None:
    """Decode a source file as UTF-8, reporting the place of the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        diagnostics.error(
            Location(path, line, column), "not-utf8",
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8 (in most editors: 'Save with encoding' > UTF-8)")
        return None
    if text.startswith("\ufeff"):
        diagnostics.error(
            Location(path, 1, 1), "byte-order-mark",
            "the file starts with a byte-order mark (U+FEFF)",
            "save the file as UTF-8 without BOM; the mark would become part of the text")
        return None
    return text


def _has_anchor_or_alias(text: str) -> bool:
    return "&" in text or "*" in text


def _find_anchors(text: str, path: str, diagnostics: Diagnostics) -> bool:
    """Report anchors and aliases (only parsed when ``&`` or ``*`` occur at all)."""
    found = False
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            found = True
            what = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            diagnostics.error(
                _loc(path, event.start_mark), "yaml-anchor",
                f"YAML {what} '{event.anchor}' is not allowed",
                "write the value out in full; anchors and aliases are refused "
                "(they hide repeated content and allow 'billion laughs' files)")
    return found


def load_yaml(text: str, path: str, diagnostics: Diagnostics) -> YNode | None:
    """Parse one YAML document into located nodes; ``None`` (with diagnostics) on error.

    A file of the plain shape most annotation files have is read by yamlfast.py, with the
    same result; every other one, and every one with a problem, by PyYAML here."""
    from .yamlfast import parse

    fast = parse(text, path)
    if fast is not None:
        return fast
    if len(text.encode("utf-8")) > MAX_BYTES:
        diagnostics.error(Location(path, 1, 1), "file-too-large",
                          f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB",
                          "split it into smaller files")
        return None
    try:
        if _has_anchor_or_alias(text) and _find_anchors(text, path, diagnostics):
            return None
        root = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "expected a single document" in str(exc):
            diagnostics.error(_loc(path, mark), "yaml-multiple-documents",
                              "the file holds more than one YAML document",
                              "remove the '---' separator; one file holds one document")
        else:
            diagnostics.error(_loc(path, mark), "yaml-syntax", _yaml_message(exc),
                              "check the indentation and quoting around this place")
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        hint = ("check the indentation and quoting around this place; text with "
                "':' or ' #' needs quotes")
        if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
            hint = "indent with spaces, never tabs (set your editor to insert spaces)"
        diagnostics.error(_loc(path, mark) if mark else Location(path, 1, 1), "yaml-syntax",
                          _yaml_message(exc), hint)
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        position = exc.position if isinstance(exc.position, int) else 0
        if _Loader is not yaml.BaseLoader:      # libyaml counts bytes, not characters
            position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        shown = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        diagnostics.error(Location(path, line, column), "yaml-syntax",
                          f"YAML syntax: the character {shown} is not allowed ({exc.reason})",
                          "remove the control character (often pasted in from a word processor)")
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(Location(path, 1, 1), "yaml-syntax", str(exc).splitlines()[0],
                          "save the file as UTF-8 text")
        return None
    if root is None:
        return None
    builder = _Builder(path, diagnostics, text)
    node = builder.build(root, 0)
    return None if builder.failed else node


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    return "YAML syntax: " + (", ".join(parts) if parts else "invalid document")


class _Builder:
    """Turns composed PyYAML nodes into ``YNode`` values, enforcing the strict rules."""

    def __init__(self, path: str, diagnostics: Diagnostics, text: str = ""):
        self.path = path
        self.diagnostics = diagnostics
        self.failed = False
        self._seen: set[int] = set()
        self._text = text
        self._lines: list[str] | None = None

    def _cut(self, node: yaml.ScalarNode) -> str:
        """What YAML dropped after an unquoted value on its last line, if anything."""
        if node.style not in (None, "") or not self._text:
            return ""
        if self._lines is None:
            self._lines = self._text.split("\n")
        end = node.end_mark
        if end.line >= len(self._lines):
            return ""
        rest = self._lines[end.line][end.column:]
        if rest.startswith((" ", "\t")):
            stripped = rest.strip(" \t")
            if stripped.startswith("#"):
                return "comment"
            if not stripped:
                return "trailing-space"
        return ""

    def _error(self, mark, code: str, message: str, hint: str) -> None:
        self.failed = True
        self.diagnostics.error(_loc(self.path, mark), code, message, hint)

    def build(self, node: yaml.Node, depth: int) -> YNode | None:
        if id(node) in self._seen:
            self._error(node.start_mark, "yaml-anchor", "YAML alias is not allowed",
                        "write the value out in full")
            return None
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            self._error(node.start_mark, "yaml-too-deep",
                        f"nesting deeper than {MAX_DEPTH} levels",
                        "annotation files are shallow; check the indentation")
            return None
        if node.tag not in _DEFAULT_TAGS and not (
            isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"
        ):
            self._error(node.start_mark, "yaml-tag", f"explicit YAML tag '{node.tag}' is not allowed",
                        "remove the '!tag'; values are plain text, lists and mappings")
            return None
        loc = _loc(self.path, node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return YScalar(node.value, loc, quoted=node.style in ("'", '"'), cut=self._cut(node))
        if isinstance(node, yaml.SequenceNode):
            items = []
            for child in node.value:
                built = self.build(child, depth + 1)
                if built is not None:
                    items.append(built)
            return YList(tuple(items), loc)
        entries: dict[str, YNode] = {}
        keys: dict[str, Location] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._error(key_node.start_mark, "yaml-key", "a mapping key must be plain text",
                            "use a simple name such as 'quote:'")
                continue
            key = key_node.value
            if key == "<<" and key_node.style in (None, ""):
                self._error(key_node.start_mark, "yaml-merge-key", "YAML merge keys ('<<') are not allowed",
                            "write the keys out in full")
                continue
            if key in entries:
                first = keys[key]
                self._error(key_node.start_mark, "duplicate-key",
                            f"duplicate key '{key}' (first given at line {first.line}, column {first.column})",
                            "if two entries ran together, the second one is missing its '- '; otherwise "
                            "remove one of the two (YAML would silently keep only the last)")
                continue
            value = self.build(value_node, depth + 1)
            if value is None:
                continue
            entries[key] = value
            keys[key] = _loc(self.path, key_node.start_mark)
        return YMap(entries, keys, loc)
