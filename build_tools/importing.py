"""What the importers share: writing sources, anchoring spans by quote, merging the registry.

An importer works out *spans* (code-point offsets in a text) and entities; this module
turns them into the project's own source files, written the way a contributor would
write them:

- every span becomes a quote anchor (``quote`` plus ``occurrence`` when the words occur
  more than once), checked with the real resolver before anything is written, so that
  every anchor written passes ``corpus check``;
- YAML strings are always double-quoted with JSON escapes, which the strict YAML loader
  reads back exactly (no implicit typing, no folding);
- new entities get safe ids (a consonantal romanisation of the name, lowercase ASCII
  and hyphens, numbered when taken); the existing registry is only ever appended to;
- nothing is written when a target file exists, unless ``force`` is given.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .anchoring import TextIndex, resolve_anchor
from .corpus import REGISTRY_FILE
from .diagnostics import Diagnostics, Location
from .loading import MAX_SLUG, is_slug, read_entities
from .model import ALL, Anchor, Entity, Span
from .output import write_atomic
from .yamlstrict import decode_utf8, load_yaml

# ---- YAML ------------------------------------------------------------------------------

# What YAML may carry unescaped in a double-quoted scalar (PyYAML's printable set, minus the
# characters YAML treats as line breaks, which would be folded).
_YAML_UNSAFE = regex.compile(r"[^\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\U00010000-\U0010FFFF]")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def yaml_str(value: str) -> str:
    """A YAML double-quoted scalar that loads back as exactly ``value``."""
    def escape(match) -> str:
        ch = match.group()
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        code = ord(ch)
        return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"
    value = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _YAML_UNSAFE.sub(escape, value) + '"'


_PLAIN = regex.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def yaml_value(value: str) -> str:
    """Ids and keywords (``anonymous-morocco``, ``reported-as-fact``) plain, other text quoted;
    plain only when every YAML reader sees a string: starting with a letter (``2m``, ``1e5``
    or ``0x1f`` could be read as numbers) and not a YAML 1.1 keyword."""
    if _PLAIN.fullmatch(value) and value not in _YAML11_WORDS:
        return value
    return yaml_str(value)


def yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(yaml_value(v) for v in values) + "]"


# ---- ids -----------------------------------------------------------------------------------

_ROMAN = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "w", "ئ": "y", "ب": "b", "ت": "t",
    "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh",
    "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l",
    "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w", "ي": "y", "ى": "a", "پ": "p", "چ": "ch", "ژ": "zh",
    "گ": "g", "ک": "k", "ی": "y", "ڤ": "v", "ڨ": "g", "ڭ": "g",
}
_SILENT = regex.compile(r"[\p{Mn}\u0640]")      # harakat and other marks, tatweel


def romanise(text: str) -> str:
    """A consonantal romanisation in lowercase ASCII words (Arabic letters by a fixed table,
    Latin letters without their accents, digits of any script as ASCII digits)."""
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if _SILENT.match(ch):
            continue
        if ch in _ROMAN:
            out.append(_ROMAN[ch])
        elif ch.isdigit() and unicodedata.digit(ch, None) is not None:
            out.append(str(unicodedata.digit(ch)))
        elif ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        else:
            out.append(" ")
    return " ".join("".join(out).split())


def slugify(text: str, fallback: str = "entity") -> str:
    """A valid id from any text: romanised, hyphenated, at most ``MAX_SLUG`` characters."""
    slug = "-".join(romanise(text).split())
    if len(slug) > MAX_SLUG - 4:           # leave room for a "-NNN" suffix
        slug = slug[:MAX_SLUG - 4].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG - 4] else slug[:MAX_SLUG - 4]
    slug = slug.strip("-")
    return slug if slug and is_slug(slug) else fallback


# ---- anchors -----------------------------------------------------------------------------

class AnchorWriter:
    """Quote anchors for spans of one text, checked against the real resolver."""

    def __init__(self, text: str, path: str = "<text>"):
        self.index = TextIndex(text, path)
        self._starts: dict[str, list[int]] = {}

    def starts(self, quote: str) -> list[int]:
        if quote not in self._starts:
            self._starts[quote] = self.index.occurrences(quote)
        return self._starts[quote]

    def single(self, span: Span) -> dict:
        """``{"quote": ..., "occurrence": n?}`` for one span."""
        quote = self.index.text[span.start:span.end]
        starts = self.starts(quote)
        if len(starts) == 1:
            return {"quote": quote}
        return {"quote": quote, "occurrence": starts.index(span.start) + 1}

    def grouped(self, spans: list[Span]) -> list[dict]:
        """Anchors for spans of one entity: spans with the same words share one entry,
        with ``occurrence: [n, ...]`` (or ``all`` when they are every occurrence)."""
        by_quote: dict[str, list[int]] = defaultdict(list)
        for span in spans:
            by_quote[self.index.text[span.start:span.end]].append(span.start)
        entries = []
        for quote, starts in by_quote.items():
            everywhere = self.starts(quote)
            numbers = sorted(everywhere.index(s) + 1 for s in set(starts))
            entry: dict = {"quote": quote}
            if len(everywhere) > 1:
                if len(numbers) == len(everywhere):
                    entry["occurrence"] = ALL
                elif len(numbers) == 1:
                    entry["occurrence"] = numbers[0]
                else:
                    entry["occurrence"] = numbers
            entry["_first"] = everywhere[numbers[0] - 1]
            entries.append(entry)
        return entries

    def check(self, entry: dict, expected: list[Span], what: str, diagnostics: Diagnostics) -> bool:
        """Resolve the entry with the real resolver; True when it gives exactly ``expected``."""
        occurrence = entry.get("occurrence")
        if isinstance(occurrence, int):
            occurrence = (occurrence,)
        elif isinstance(occurrence, list):
            occurrence = tuple(occurrence)
        anchor = Anchor(Location(self.index.path), quote=entry["quote"], occurrences=occurrence)
        local = Diagnostics()
        result = resolve_anchor(anchor, self.index, local, what)
        if result.ok and sorted(result.spans, key=lambda s: s.start) == sorted(expected, key=lambda s: s.start):
            return True
        diagnostics.extend(local)
        if result.ok:
            diagnostics.error(Location(self.index.path), "import-anchor",
                              f"{what}: the anchor written would mark other text than the import asked for",
                              "report this as a bug of the importer")
        return False


def anchor_lines(entry: dict, indent: str = "    ") -> list[str]:
    lines = [f"{indent}quote: {yaml_str(entry['quote'])}"]
    occurrence = entry.get("occurrence")
    if occurrence == ALL:
        lines.append(f"{indent}occurrence: all")
    elif isinstance(occurrence, list):
        lines.append(f"{indent}occurrence: [{', '.join(str(n) for n in occurrence)}]")
    elif occurrence is not None:
        lines.append(f"{indent}occurrence: {occurrence}")
    return lines


def field_lines(fields: dict, indent: str = "    ") -> list[str]:
    """``key: value`` lines for the non-empty fields (strings quoted, lists in flow style)."""
    lines = []
    for key, value in fields.items():
        if value in ("", None, [], ()):
            continue
        if isinstance(value, bool):
            lines.append(f"{indent}{key}: {'true' if value else 'false'}")
        elif isinstance(value, (list, tuple)):
            lines.append(f"{indent}{key}: {yaml_list(list(value))}")
        else:
            lines.append(f"{indent}{key}: {yaml_value(str(value))}")
    return lines


def render_list(key: str, entries: list[list[str]], header: str = "") -> str:
    """A layer file: an optional comment header, then ``key:`` and one entry per item."""
    out = [f"# {line}" if line else "#" for line in header.splitlines()]
    if not entries:
        out.append(f"{key}: []")
    else:
        out.append(f"{key}:")
        for lines in entries:
            first, *rest = lines
            out.append("  - " + first.lstrip())
            out.extend(rest)
    return "\n".join(out) + "\n"


# ---- the registry ----------------------------------------------------------------------

ENTITY_FIELDS = ("id", "type", "name", "label", "aliases", "description", "description_ar", "wikidata")


def entity_lines(entity: Entity) -> list[str]:
    return field_lines({key: getattr(entity, key) for key in ENTITY_FIELDS})


class Registry:
    """The target project's entity registry, plus the entities an import adds to it.

    Existing entries are never changed. An entity is reused when the registry already
    has one of the same type with the same name or alias (or the same Wikidata item).
    """

    def __init__(self, root: Path, diagnostics: Diagnostics):
        self.path = root / "annotations" / REGISTRY_FILE
        self.rel = f"annotations/{REGISTRY_FILE}"
        self.text = ""
        self.existing: dict[str, Entity] = {}
        self.added: dict[str, Entity] = {}
        self.ok = True
        if self.path.exists():
            local = Diagnostics()
            text = decode_utf8(self.path.read_bytes(), self.rel, local)
            root_node = load_yaml(text, self.rel, local) if text is not None else None
            entities = read_entities(root_node, self.rel, local) if text is not None else []
            if local.has_errors():
                diagnostics.extend(local)
                diagnostics.error(Location(self.rel), "import-registry",
                                  "the entity registry has errors; nothing was imported",
                                  "fix the registry first (run 'corpus check')")
                self.ok = False
            self.text = text or ""
            self.existing = {e.id: e for e in entities}
        self._by_key: dict[tuple[str, str], str] = {}
        self._by_wikidata: dict[tuple[str, str], str] = {}
        for entity in self.existing.values():
            self._index(entity)

    def _index(self, entity: Entity) -> None:
        for name in (entity.name, *entity.aliases):
            self._by_key.setdefault((entity.type, name), entity.id)
        if entity.wikidata:
            self._by_wikidata.setdefault((entity.type, entity.wikidata), entity.id)

    def get(self, entity_id: str) -> Entity | None:
        return self.existing.get(entity_id) or self.added.get(entity_id)

    def _unique_id(self, base: str) -> str:
        taken = lambda i: i in self.existing or i in self.added
        if not taken(base):
            return base
        n = 2
        while taken(f"{base}-{n}"):
            n += 1
        return f"{base}-{n}"

    def find_or_add(self, type_: str, name: str, description: str = "", wikidata: str = "") -> str:
        """The id of the entity of this type and name (or Wikidata item), added when new."""
        if wikidata and (type_, wikidata) in self._by_wikidata:
            return self._by_wikidata[(type_, wikidata)]
        if (type_, name) in self._by_key:
            return self._by_key[(type_, name)]
        entity_id = self._unique_id(slugify(name, fallback=type_))
        entity = Entity(id=entity_id, type=type_, name=name, label=romanise(name) or entity_id,
                        loc=Location(self.rel), description=description, wikidata=wikidata)
        self.added[entity_id] = entity
        self._index(entity)
        return entity_id

    def add_record(self, entity: Entity, diagnostics: Diagnostics, where: Location) -> None:
        """Add an entity given with its id (from an export); an existing id is kept as it is."""
        current = self.get(entity.id)
        if current is None:
            self.added[entity.id] = entity
            self._index(entity)
            return
        same = all(getattr(current, key) == getattr(entity, key) for key in ENTITY_FIELDS)
        if not same:
            diagnostics.warning(where, "import-entity-differs",
                                f"entity '{entity.id}' is already in the registry with other details; "
                                "the registry's entry is kept",
                                f"compare the two and edit {self.rel} by hand if the import is right")

    def new_text(self) -> str | None:
        """The registry file with the added entities appended, or None when nothing was added."""
        if not self.added:
            return None
        entries = [entity_lines(e) for e in sorted(self.added.values(), key=lambda e: e.id)]
        if not self.text.strip() or not self.existing:
            return _replace_empty_registry(self.text, entries)
        indent = regex.search(r"(?m)^( *)- ", self.text)
        pad = indent.group(1) if indent else "  "
        out = [self.text if self.text.endswith("\n") else self.text + "\n"]
        for lines in entries:
            first, *rest = lines
            out.append(f"{pad}- {first.lstrip()}\n")
            out.extend(f"{pad}  {line.lstrip()}\n" for line in rest)
        return "".join(out)


def _replace_empty_registry(text: str, entries: list[list[str]]) -> str:
    """A registry without entries (missing, empty, or ``entities: []``): keep its comment
    lines and write the list."""
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    body = render_list("entities", entries)
    return ("\n".join(comments) + "\n" if comments else "") + body


# ---- the plan and its writing -------------------------------------------------------------

@dataclass
class ImportPlan:
    """Files an import wants to write (paths relative to the root) and what it found."""

    root: Path
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, str] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    written: list[str] = field(default_factory=list)

    def add(self, rel: str, text: str) -> None:
        self.files[rel] = text


def _registry_reads_back(registry: Registry, text: str, diagnostics: Diagnostics) -> bool:
    """The appended registry must load, with the old entries unchanged and the new ones added
    (a registry written in an unusual style, such as a flow list, cannot be appended to)."""
    local = Diagnostics()
    entities = read_entities(load_yaml(text, registry.rel, local), registry.rel, local)
    ids = [e.id for e in entities]
    expected = list(registry.existing) + sorted(registry.added)
    if local.has_errors() or ids != expected:
        diagnostics.error(Location(registry.rel), "import-registry",
                          "the new entities cannot be appended to this registry as it is written",
                          "write the registry as a block list ('entities:' then one '  - id: ...' entry "
                          "per entity) and import again")
        return False
    return True


def write_plan(plan: ImportPlan, registry: Registry, force: bool) -> bool:
    """Write every planned file, or none: an existing file is an error unless ``force``.

    The registry is appended to (existing entries are never rewritten)."""
    if plan.diagnostics.has_errors() or not registry.ok:
        return False
    existing = [rel for rel in plan.files if (plan.root / rel).exists()]
    if existing and not force:
        for rel in existing:
            plan.diagnostics.error(Location(rel), "import-file-exists",
                                   "the file exists; the import would overwrite it",
                                   "import into another --root, remove the file, or pass --force to overwrite")
        return False
    registry_text = registry.new_text()
    if registry_text is not None and not _registry_reads_back(registry, registry_text, plan.diagnostics):
        return False
    for rel, text in sorted(plan.files.items()):
        write_atomic(plan.root / rel, text.encode("utf-8"))
        plan.written.append(rel)
    if registry_text is not None:
        write_atomic(registry.path, registry_text.encode("utf-8"))
        plan.written.append(registry.rel)
    return True

