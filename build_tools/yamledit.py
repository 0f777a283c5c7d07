"""Small, exact edits to contributors' YAML files: change an anchor, add an entry.

Why not a round-trip YAML library (ruamel.yaml)? It keeps comments and key order, but it
re-emits the whole file: indentation of sequences is normalised, long lines may be
re-wrapped and quoting may change, so a one-word correction could show up as a diff of
the whole file in the pull request. Here the file is composed with PyYAML (which the
project already uses) only to learn where each key and value starts and ends; the edit
replaces exactly those characters, inserts whole lines at the entry's own indentation,
or removes a key's own lines. Everything else (comments, blank lines, quoting style,
flow lists, line length) stays byte for byte. Every edited file is parsed again before
it is written, and the caller checks that each changed annotation resolves to the
intended span.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

_Loader = yaml.BaseLoader  # the pure-Python composer: marks carry character indexes


ID_KEYS = ("entity", "id", "claimant", "speaker")


class YamlEditError(Exception):
    pass


def scalar(value) -> str:
    """A YAML value for ``value``: text double-quoted (escapes included), numbers, lists, ``all``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if value == "all":
        return "all"
    text = json.dumps(str(value), ensure_ascii=False)
    # JSON leaves these unescaped; YAML reads them as line breaks or refuses them.
    for ch in ("\u0085", "\u2028", "\u2029", "\ufeff"):
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


_PLAIN_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def id_scalar(value: str) -> str:
    """An id as contributors write it: plain when YAML cannot read it as anything else."""
    if _PLAIN_ID.fullmatch(value) and value not in _YAML_WORDS:
        return value
    return scalar(value)


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def apply_edits(text: str, edits: list[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise YamlEditError("two edits overlap")
    for edit in reversed(ordered):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


class YamlDocument:
    """A YAML source with its composed node tree, for locating entries and keys."""

    def __init__(self, text: str):
        self.text = text
        self.root = yaml.compose(text, Loader=_Loader)

    # ---- finding things ----------------------------------------------------------------

    def entries(self) -> list[yaml.MappingNode]:
        """The entries of the file's single top-level list."""
        if not isinstance(self.root, yaml.MappingNode) or len(self.root.value) != 1:
            return []
        seq = self.root.value[0][1]
        if not isinstance(seq, yaml.SequenceNode):
            return []
        return [n for n in seq.value if isinstance(n, yaml.MappingNode)]

    def entry_at(self, line: int, column: int) -> yaml.MappingNode:
        """The entry whose mapping starts at a 1-based line and column (a model object's ``loc``)."""
        for node in self.entries():
            if (node.start_mark.line + 1, node.start_mark.column + 1) == (line, column):
                return node
        raise YamlEditError(f"no entry starts at line {line}, column {column}")

    @staticmethod
    def keys(entry: yaml.MappingNode) -> list[str]:
        return [k.value for k, _ in entry.value]

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _after_value(self, value: yaml.Node) -> int:
        """The start of the line after a value (block scalars already end there)."""
        end = value.end_mark.index
        if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
            return end
        newline = self.text.find("\n", end)
        return len(self.text) if newline == -1 else newline + 1

    def _owns_line(self, key: yaml.Node) -> bool:
        start = self._line_start(key.start_mark.index)
        return self.text[start:key.start_mark.index].strip() == ""

    # ---- edits -------------------------------------------------------------------------

    def set_keys(self, entry: yaml.MappingNode, updates: dict, after: tuple[str, ...] = ()) -> list[Edit]:
        """Edits that give ``entry`` the values in ``updates`` (``None`` removes a key).

        New keys are inserted after the last of the keys named in ``after`` that the entry
        has (else after its last key), at the entry's indentation.
        """
        if entry.flow_style:
            return [self._rewrite_flow(entry, updates)]
        edits: list[Edit] = []
        pairs = list(entry.value)
        present = {k.value: (i, k, v) for i, (k, v) in enumerate(pairs)}
        additions = []
        for key, value in updates.items():
            if key in present:
                i, key_node, value_node = present[key]
                if value is None:
                    edits.append(self._remove(pairs, i))
                else:
                    if not isinstance(value_node, yaml.ScalarNode) or value_node.value != str(value) or \
                            isinstance(value, (list, tuple)):
                        edits.append(self._replace_value(value_node, value))
            elif value is not None:
                additions.append((key, value))
        if additions:
            anchor_index = max((present[k][0] for k in after if k in present), default=len(pairs) - 1)
            _, last_value = pairs[anchor_index]
            at = self._after_value(last_value)
            indent = " " * entry.start_mark.column
            lead = "" if at == 0 or self.text[at - 1] == "\n" else "\n"
            lines = "".join(f"{indent}{k}: {scalar(v)}\n" for k, v in additions)
            edits.append(Edit(at, at, lead + lines))
        return edits

    def _replace_value(self, value_node: yaml.Node, value) -> Edit:
        replacement = scalar(value)
        if isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">"):
            replacement += "\n"
        if isinstance(value_node, yaml.ScalarNode) and value_node.value == "" and \
                value_node.start_mark.index == value_node.end_mark.index:
            replacement = " " + replacement if self.text[value_node.start_mark.index - 1] == ":" else replacement
        return Edit(value_node.start_mark.index, value_node.end_mark.index, replacement)

    def _remove(self, pairs: list, i: int) -> Edit:
        key_node, value_node = pairs[i]
        if i == 0:
            if len(pairs) == 1:
                raise YamlEditError("cannot remove the only key of an entry")
            return Edit(key_node.start_mark.index, pairs[1][0].start_mark.index, "")
        if not self._owns_line(key_node):
            raise YamlEditError(f"the key '{key_node.value}' does not start its own line")
        return Edit(self._line_start(key_node.start_mark.index), self._after_value(value_node), "")

    def _rewrite_flow(self, entry: yaml.MappingNode, updates: dict) -> Edit:
        parts = []
        seen = set()
        for key_node, value_node in entry.value:
            key = key_node.value
            seen.add(key)
            if key in updates:
                if updates[key] is not None:
                    parts.append(f"{key}: {scalar(updates[key])}")
            else:
                source = self.text[value_node.start_mark.index:value_node.end_mark.index]
                parts.append(f"{key}: {source}")
        parts += [f"{k}: {scalar(v)}" for k, v in updates.items() if k not in seen and v is not None]
        return Edit(entry.start_mark.index, entry.end_mark.index, "{" + ", ".join(parts) + "}")

    def add_entry_after(self, entry: yaml.MappingNode, keys: dict) -> Edit:
        """A new block entry with ``keys``, on the lines right after ``entry``."""
        if entry.flow_style:
            raise YamlEditError("entries written as {…} cannot be extended automatically")
        line_start = self._line_start(entry.start_mark.index)
        dash = self.text[line_start:entry.start_mark.index]
        if dash.strip() != "-":
            raise YamlEditError("the entry does not start with '- ' on its own line")
        at = self._after_value(entry.value[-1][1])
        lead = "" if at == 0 or self.text[at - 1] == "\n" else "\n"
        lines = []
        for n, (key, value) in enumerate(keys.items()):
            shown = id_scalar(value) if key in ID_KEYS else scalar(value)
            lines.append(f"{dash if n == 0 else ' ' * len(dash)}{key}: {shown}\n")
        return Edit(at, at, lead + "".join(lines))
