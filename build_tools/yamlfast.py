"""A fast reader for the plain shape most annotation files have, giving exactly the located
nodes of yamlstrict.load_yaml, or None: then yamlstrict reads the file (and reports its
problems).

Composing a layer file's nodes with PyYAML, then building located values from them, took
about 2 ms per document (three layers of about ten annotations): most of the loading
time of a corpus. Annotation files are block mappings and lists of one-line values, which
a line-by-line reader turns into the same values in a fraction of that.

Read here: block mappings with plain keys (letters, digits, ``_`` and ``-``), block lists
(``- `` items, indented under their key or not), ``[]`` as a key's value, and one-line
values, plain, in single quotes or in double quotes without backslash escapes; blank lines
and whole-line comments. Anything else gives None, so the full reader decides: flow
collections, block scalars (``|``, ``>``), values continued on the next line, comments
after a value, trailing spaces, tabs, anchors, tags, document markers, empty values,
duplicate keys, characters YAML treats as line breaks or refuses, nesting deeper than
yamlstrict.MAX_DEPTH, files larger than yamlstrict.MAX_BYTES. tests/test_yamlfast.py holds
both readers to the same result on generated files and on every file of the seed and the
benchmark corpora.

Columns and lines are counted as PyYAML counts them: from 1, in characters.
"""

from __future__ import annotations

import re

from .diagnostics import Location
from .yamlstrict import MAX_BYTES, MAX_DEPTH, YList, YMap, YNode, YScalar

# A line: its indentation, then its content (no tab, no trailing space: checked before).
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_-]*):(?: |$)")
# Characters the full reader treats differently: line breaks other than \n, characters YAML
# refuses, tabs, carriage returns, the byte-order mark.
_UNUSUAL = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
# What a plain value may not start with (YAML indicators, quotes handled apart) and may not hold.
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_BAD = re.compile(r": | #|:$")
_DEEPEST = MAX_DEPTH - 2     # a container this deep, and its values, are within yamlstrict's limit


class _Decline(Exception):
    """The file is not of the plain shape: the full reader takes it."""


def parse(text: str, path: str) -> YNode | None:
    """The located nodes of ``text``, as yamlstrict.load_yaml gives them without a problem;
    None when the file is not of the shape read here (see the module's docstring)."""
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8")) > MAX_BYTES:
        return None
    if _UNUSUAL.search(text):
        return None
    lines = []
    for number, raw in enumerate(text.split("\n")):
        content = raw.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        if raw.endswith(" "):
            return None
        lines.append((number, len(raw) - len(content), content))
    if not lines:
        return None
    reader = _Reader(lines, path)
    try:
        root = reader.block(0, lines[0][1], 0)
    except _Decline:
        return None
    if reader.position != len(lines) or not isinstance(root, YMap):
        return None
    return root


class _Reader:
    def __init__(self, lines: list[tuple[int, int, str]], path: str):
        self.lines = lines
        self.path = path
        self.position = 0

    def loc(self, line: int, column: int) -> Location:
        return Location(self.path, line + 1, column + 1)

    def block(self, position: int, indent: int, depth: int) -> YNode:
        """The list or mapping whose first line is ``lines[position]``, at ``indent``."""
        if depth > _DEEPEST:
            raise _Decline
        number, found, content = self.lines[position]
        if found != indent:
            raise _Decline
        if content == "-":
            raise _Decline                        # an item on the next lines
        if content.startswith("- "):
            return self.sequence(position, indent, depth)
        return self.mapping(position, indent, content, indent, depth)

    def sequence(self, position: int, indent: int, depth: int) -> YList:
        items = []
        first_number = self.lines[position][0]
        while position < len(self.lines):
            number, found, content = self.lines[position]
            if found != indent or not content.startswith("- "):
                break
            rest = content[2:]
            column = indent + 2
            if rest.startswith(" ") or not rest:
                raise _Decline
            if _KEY.match(rest):
                items.append(self.mapping(position, column, rest, column, depth + 1))
            else:
                items.append(self.scalar(rest, number, column))
                self.position = position + 1
            position = self.position
        self.position = position
        return YList(tuple(items), self.loc(first_number, indent))

    def mapping(self, position: int, indent: int, content: str, column: int, depth: int) -> YMap:
        """A mapping whose first key is ``content`` at ``column`` of ``lines[position]``, its
        other keys at ``indent``."""
        if depth > _DEEPEST:
            raise _Decline
        entries: dict[str, YNode] = {}
        keys: dict[str, Location] = {}
        first = True
        while position < len(self.lines):
            number, found, line_content = self.lines[position]
            if not first:
                if found != indent:
                    if found > indent:
                        raise _Decline            # a value continued, or a stray indentation
                    break
                content, column = line_content, indent
            match = _KEY.match(content)
            if match is None:
                if first:
                    raise _Decline
                break
            key = match.group(1)
            if key in entries:
                raise _Decline                    # the full reader reports it
            keys[key] = self.loc(number, column)
            rest = content[match.end():]
            if rest == "[]":                      # an empty list, as PyYAML writes one
                entries[key] = YList((), self.loc(number, column + match.end()))
                position += 1
            elif rest:
                if rest.startswith(" "):
                    raise _Decline
                entries[key] = self.scalar(rest, number, column + match.end())
                position += 1
            else:
                position += 1
                if position >= len(self.lines):
                    raise _Decline                # an empty value
                next_indent = self.lines[position][1]
                next_content = self.lines[position][2]
                if next_indent > indent or (next_indent == indent and next_content.startswith("- ")):
                    entries[key] = self.block(position, next_indent, depth + 1)
                    position = self.position
                else:
                    raise _Decline                # an empty value
            first = False
            self.position = position
        self.position = position
        return YMap(entries, keys, next(iter(keys.values())))      # a mapping starts at its first key

    def scalar(self, value: str, number: int, column: int) -> YScalar:
        """The one-line value ``value`` starting at ``column`` of line ``number``."""
        first = value[0]
        if first == "'":
            if len(value) < 2 or not value.endswith("'"):
                raise _Decline
            inner = value[1:-1]
            if inner.replace("''", "").count("'"):
                raise _Decline                   # a quote ends the value before the line does
            return YScalar(inner.replace("''", "'"), self.loc(number, column), quoted=True)
        if first == '"':
            if len(value) < 2 or not value.endswith('"'):
                raise _Decline
            inner = value[1:-1]
            if '"' in inner or "\\" in inner:
                raise _Decline
            return YScalar(inner, self.loc(number, column), quoted=True)
        if first in _PLAIN_START or _PLAIN_BAD.search(value):
            raise _Decline
        return YScalar(value, self.loc(number, column))
