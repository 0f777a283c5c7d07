"""Import CoNLL/IOB token-tag files (NER output, corpora such as AQMAR) as documents.

Input: one token per line, the token in the first column and its tag in the last
(``TOKEN TAG`` or CoNLL-2003's four columns), a blank line between sentences,
``-DOCSTART-`` lines ignored. Tags are IOB2 (``B-PER``, ``I-PER``, ``O``); IOB1, BIOES and
BILOU prefixes are read too (``S-``/``U-`` as ``B-``, ``E-``/``L-`` as ``I-``).

Output, for each file: ``corpus/<id>.txt`` (the running text rebuilt: tokens joined by
spaces, no space before closing punctuation or after opening brackets, one sentence per
line), ``corpus/<id>.yml`` (its metadata) and ``annotations/<id>/mentions.yml`` (every
tagged mention, anchored by quote), plus new entries in ``annotations/entities.yml``.

Type mapping: PER → person, LOC (and GPE) → place, ORG → organisation, EVENT → event,
MISC and AQMAR's article-specific MIS0…MIS3 → misc; any other type is imported as misc
and reported. An entity is identified by its type and its exact surface form, across
the whole corpus (no linking: «دمشق» and «بدمشق» are two entities until a contributor
merges them; the registry entry says it was created by the import).

Noise is repaired and reported, never fatal: doubled or stray letters (``OO``, ``IO``
→ ``O``), stray punctuation or digits in types (``I--ORG``, ``B-MISS1``, ``B-MIS1```,
``B-MIS-2``), a mention starting with ``I-`` (read as ``B-``), a type change inside a
mention (a new mention), bidirectional marks (RLM, LRM, ALM) glued to tokens (removed),
tokens not in Unicode NFC (normalised), tokens left empty (dropped).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .diagnostics import Diagnostics, Location
from .importing import (
    AnchorWriter, ImportPlan, Registry, anchor_lines, field_lines, render_list, slugify, write_plan,
    yaml_value,
)
from .loading import is_slug
from .model import Span

TYPE_MAP = {
    "PER": "person", "PERS": "person", "PERSON": "person",
    "LOC": "place", "LOCATION": "place", "GPE": "place",
    "ORG": "organisation", "ORGANIZATION": "organisation", "ORGANISATION": "organisation",
    "EVENT": "event",
    "MISC": "misc", "MIS": "misc",
}
SOURCE_CLASSES = ("PER", "LOC", "ORG", "MISC")     # how the counts of the source are reported
CANONICAL_TAG = regex.compile(r"O|[BI]-(?:PER|LOC|ORG|MISC|MIS[0-9]|GPE|EVENT)")
_PREFIXES = {"B": "B", "I": "I", "S": "B", "U": "B", "E": "I", "L": "I"}
_TAG = regex.compile(r"([BIESULbiesul])[-_:]+([A-Za-z]+)[^A-Za-z]*")
MARKS = regex.compile(r"[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
CONTROL = regex.compile(r"[\p{Cc}\p{Cs}]")
CLOSING = set(".,،؛;:!?؟)]}»”’%…")
OPENING = set("([{«“‘")


@dataclass(frozen=True)
class Tag:
    prefix: str              # "B", "I" or "O"
    source_type: str         # the type as written, cleaned ("PER", "MIS1", "ENGLISH"); "" for O
    type: str                # the registry type ("person"...), "" for O
    problem: str = ""        # "" when the tag is canonical, else what was repaired

    @property
    def source_class(self) -> str:
        """PER, LOC, ORG, MISC (MIS0-3 and MISC) or the type itself, for the source counts."""
        if self.source_type.startswith("MIS"):
            return "MISC"
        return self.source_type


def parse_tag(raw: str) -> Tag:
    """Read one tag, repairing what can be repaired (see the module docstring)."""
    if raw == "O":
        return Tag("O", "", "")
    if raw and set(raw) <= set("BIO") and "O" in raw:
        return Tag("O", "", "", f"tag {raw!r} read as O")
    match = _TAG.fullmatch(raw)
    if not match:
        return Tag("O", "", "", f"tag {raw!r} is not an IOB tag; read as O")
    prefix = _PREFIXES[match.group(1).upper()]
    letters = match.group(2).upper()
    digits = "".join(ch for ch in raw[match.start(2):] if ch.isdigit())[:1]
    source_type = letters
    if letters.startswith("MIS") and letters not in ("MISC",):
        source_type = "MIS" + digits            # MIS, MISS1, MIS-2, MIS1` → MIS, MIS1, MIS2…
    registry_type = TYPE_MAP.get(letters) or ("misc" if letters.startswith("MIS") else "")
    canonical = f"{prefix}-{source_type}"
    if not registry_type:
        return Tag(prefix, source_type, "misc",
                   f"tag {raw!r} has the unknown type {letters!r}; imported as misc")
    if CANONICAL_TAG.fullmatch(raw) and raw == canonical:
        return Tag(prefix, source_type, registry_type)
    if raw[0] in "SUEL" and raw[1:] == canonical[1:]:
        return Tag(prefix, source_type, registry_type)           # BIOES/BILOU, not noise
    if raw == canonical:
        return Tag(prefix, source_type, registry_type,
                   f"tag {raw!r} has no MIS0-MIS3 category number; imported as misc")
    return Tag(prefix, source_type, registry_type, f"tag {raw!r} read as {canonical}")


@dataclass
class GoldMention:
    start: int
    end: int
    type: str
    source_class: str
    line: int


@dataclass
class ConllText:
    """One file read: the rebuilt text, its mentions and what was counted and repaired."""

    path: str
    text: str = ""
    mentions: list[GoldMention] = field(default_factory=list)
    tokens: int = 0
    sentences: int = 0
    source_counts: Counter = field(default_factory=Counter)     # B- tags as written, by class
    repairs: Counter = field(default_factory=Counter)


def _group(diagnostics: Diagnostics, path: str, code: str, message: str, hint: str, lines: list[int]) -> None:
    """One warning for a kind of repair that may occur many times in a file."""
    if lines:
        shown = ", ".join(str(n) for n in lines[:12]) + (" …" if len(lines) > 12 else "")
        diagnostics.warning(Location(path, lines[0], 1), code, f"{message} ({len(lines)}×, lines {shown})", hint)


def read_conll(data: str, path: str, diagnostics: Diagnostics) -> ConllText:
    """Parse one file and rebuild its text; every problem becomes a warning, never an error
    (except a file with no tokens at all)."""
    result = ConllText(path)
    sentences: list[list[tuple[str, Tag, int]]] = [[]]
    marks_lines: list[int] = []
    nfc_lines: list[int] = []
    empty_lines: list[int] = []
    for number, line in enumerate(data.split("\n"), 1):
        line = line.rstrip("\r")
        if line.startswith("\ufeff") and number == 1:
            line = line[1:]
        if not line.strip():
            if sentences[-1]:
                sentences.append([])
            continue
        fields = line.split()
        if fields[0] == "-DOCSTART-":
            continue
        token = fields[0]
        if len(fields) == 1:
            diagnostics.warning(Location(path, number, 1), "conll-missing-tag",
                                f"the token {token!r} has no tag; read as O",
                                "write 'TOKEN TAG' on each line")
            raw_tag = "O"
        else:
            raw_tag = fields[-1]
        tag = parse_tag(raw_tag)
        if tag.problem:
            result.repairs["tag"] += 1
            code = "conll-unknown-type" if "unknown type" in tag.problem else "conll-tag-repaired"
            diagnostics.warning(Location(path, number, len(line) - len(raw_tag) + 1), code, tag.problem,
                                "correct the tag in the source file if the reading is wrong")
        if tag.prefix == "B":
            result.source_counts[tag.source_class] += 1
        cleaned = MARKS.sub("", token)
        if cleaned != token:
            marks_lines.append(number)
            result.repairs["bidi-mark"] += len(token) - len(cleaned)
        cleaned = CONTROL.sub("", cleaned)
        normal = unicodedata.normalize("NFC", cleaned)
        if normal != cleaned:
            nfc_lines.append(number)
            result.repairs["nfc"] += 1
        if not normal:
            empty_lines.append(number)
            result.repairs["empty-token"] += 1
            if tag.prefix != "O":
                diagnostics.warning(Location(path, number, 1), "conll-empty-token",
                                    f"a token tagged {raw_tag} is empty once its marks are removed; dropped",
                                    "check the source line")
            continue
        sentences[-1].append((normal, tag, number))
    _group(diagnostics, path, "conll-bidi-mark", "bidirectional marks (RLM/LRM/ALM) glued to tokens were removed",
           "these invisible marks break quoting and search; nothing to do", marks_lines)
    _group(diagnostics, path, "conll-nfc", "tokens not in Unicode NFC were normalised", "nothing to do", nfc_lines)
    _group(diagnostics, path, "conll-empty-token", "tokens that were only invisible marks were dropped",
           "nothing to do", empty_lines)

    text_parts: list[str] = []
    pos = 0
    i_starts: list[int] = []
    type_changes: list[int] = []
    subtype_changes: list[int] = []
    last_type = ""
    for sentence in (s for s in sentences if s):
        result.sentences += 1
        if text_parts:
            text_parts.append("\n")
            pos += 1
        open_quote = False
        current: GoldMention | None = None
        previous = ""
        for index, (token, tag, number) in enumerate(sentence):
            result.tokens += 1
            space = index > 0
            if token == '"':
                if open_quote:
                    space = False
                open_quote = not open_quote
            elif set(token) <= CLOSING:
                space = False
            if previous and (set(previous) <= OPENING or (previous == '"' and open_quote and token != '"')):
                space = False
            if space:
                text_parts.append(" ")
                pos += 1
            start, end = pos, pos + len(token)
            text_parts.append(token)
            pos = end
            previous = token
            if tag.prefix == "O":
                current = None
                continue
            if tag.prefix == "I" and current is not None and current.type == tag.type \
                    and current.source_class == tag.source_class:
                if tag.source_type != last_type:
                    subtype_changes.append(number)
                    result.repairs["subtype-change"] += 1
                current.end = end
                last_type = tag.source_type
                continue
            if tag.prefix == "I":
                if current is None:
                    i_starts.append(number)
                    result.repairs["i-start"] += 1
                else:
                    type_changes.append(number)
                    result.repairs["type-change"] += 1
            current = GoldMention(start, end, tag.type, tag.source_class, number)
            last_type = tag.source_type
            result.mentions.append(current)
    _group(diagnostics, path, "conll-i-start", "mentions that begin with I- (no B- before) were read as B-",
           "IOB1 or a tagging slip; each is imported as a mention of its own", i_starts)
    _group(diagnostics, path, "conll-type-change", "a tag of another type continues a mention; a new mention "
           "was started there", "check the tags of these lines", type_changes)
    _group(diagnostics, path, "conll-subtype-change", "a mention goes on with another subtype of the same "
           "class (I-MIS2 after B-MIS1); kept as one mention", "check the tags of these lines", subtype_changes)
    result.text = "".join(text_parts) + ("\n" if text_parts else "")
    if not result.tokens:
        diagnostics.error(Location(path), "conll-empty", "the file has no tokens",
                          "give a file with one 'TOKEN TAG' line per token")
    return result


def document_id_for(path: Path, prefix: str = "") -> str:
    return slugify(prefix + path.stem.replace("_", " "), fallback="")


def import_conll(paths: list[Path], root: Path, document_ids: list[str] | None = None, id_prefix: str = "",
                 title: str | None = None, source: str = "", source_en: str = "", force: bool = False,
                 write: bool = True) -> ImportPlan:
    """Plan (and unless ``write`` is false, write) the import of CoNLL files into ``root``."""
    plan = ImportPlan(root)
    diagnostics = plan.diagnostics
    registry = Registry(root, diagnostics)
    if document_ids and len(document_ids) != len(paths):
        diagnostics.error(Location("--document-id"), "import-arguments",
                          f"{len(document_ids)} document ids for {len(paths)} files",
                          "give one --document-id per file, in the same order, or none")
        return plan
    if title and len(paths) != 1:
        diagnostics.error(Location("--title"), "import-arguments", "--title goes with a single file",
                          "import the files one by one to give each a title")
        return plan
    totals = {"documents": 0, "tokens": 0, "sentences": 0, "source_counts": Counter(), "mentions_by_type": Counter(),
              "mentions_by_source_class": Counter(), "repairs": Counter(), "entities_added": 0}
    per_document = {}
    seen_ids: set[str] = set()
    for n, path in enumerate(paths):
        shown = str(path)
        doc_id = document_ids[n] if document_ids else document_id_for(path, id_prefix)
        if not is_slug(doc_id):
            diagnostics.error(Location(shown), "import-document-id",
                              f"cannot make a document id from {path.name!r}" if not doc_id else
                              f"{doc_id!r} is not a valid document id",
                              "pass --document-id with lowercase ASCII letters, digits and hyphens")
            continue
        if doc_id in seen_ids:
            diagnostics.error(Location(shown), "import-document-id", f"two files would become document '{doc_id}'",
                              "give each file its own --document-id")
            continue
        seen_ids.add(doc_id)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            diagnostics.error(Location(shown), "unreadable", f"cannot read the file: {exc.strerror}")
            continue
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            diagnostics.error(Location(shown, line, 1), "conll-encoding", "the file is not UTF-8",
                              "convert the file to UTF-8 first")
            continue
        parsed = read_conll(data, shown, diagnostics)
        if not parsed.tokens:
            continue
        spans_by_entity: dict[str, list[Span]] = defaultdict(list)
        for mention in parsed.mentions:
            name = parsed.text[mention.start:mention.end]
            entity_id = registry.find_or_add(
                mention.type, name,
                description=f"Created by 'corpus import-conll' from a {mention.source_class} tag in "
                            f"{path.name}; not reviewed.")
            spans_by_entity[entity_id].append(Span(mention.start, mention.end))
        writer = AnchorWriter(parsed.text, f"corpus/{doc_id}.txt")
        entries = []
        for entity_id, spans in spans_by_entity.items():
            for entry in writer.grouped(spans):
                quote = entry["quote"]
                expected = [s for s in spans if parsed.text[s.start:s.end] == quote]
                if not writer.check(entry, expected, f"mention of '{entity_id}'", diagnostics):
                    continue
                entries.append((entry.pop("_first"), entity_id, entry))
        entries.sort(key=lambda e: (e[0], e[1]))
        header = (f"Imported by 'corpus import-conll' from {path.name} (CoNLL/IOB tags): "
                  f"{len(parsed.mentions)} mentions in {parsed.sentences} sentences.\n"
                  "Anchors were computed by the importer: 'occurrence' counts the places where the quoted\n"
                  "words occur in the text, from its start.")
        plan.add(f"annotations/{doc_id}/mentions.yml",
                 render_list("mentions", [[f"    entity: {yaml_value(entity_id)}", *anchor_lines(entry)]
                                          for _, entity_id, entry in entries], header))
        plan.add(f"corpus/{doc_id}.txt", parsed.text)
        meta = field_lines({
            "title": title or path.stem.replace("_", " "),
            "language": "ar",
            "source": source,
            "source_en": source_en,
            "origin": path.name,
        }, indent="")
        plan.add(f"corpus/{doc_id}.yml", "\n".join(meta) + "\n")
        for name in ("claims.yml", "quotes.yml"):
            if (root / "annotations" / doc_id / name).exists():
                diagnostics.warning(Location(f"annotations/{doc_id}/{name}"), "import-layer-kept",
                                    "this layer was kept as it is, though the text is imported anew",
                                    "check its anchors with 'corpus check'")
        counts = Counter(m.type for m in parsed.mentions)
        per_document[doc_id] = {
            "file": path.name, "tokens": parsed.tokens, "sentences": parsed.sentences,
            "source_counts": dict(sorted(parsed.source_counts.items())),
            "mentions_by_type": dict(sorted(counts.items())),
            "repairs": dict(sorted(parsed.repairs.items())),
        }
        totals["documents"] += 1
        totals["tokens"] += parsed.tokens
        totals["sentences"] += parsed.sentences
        totals["source_counts"].update(parsed.source_counts)
        totals["mentions_by_type"].update(counts)
        totals["mentions_by_source_class"].update(m.source_class for m in parsed.mentions)
        totals["repairs"].update(parsed.repairs)
    totals["entities_added"] = len(registry.added)
    plan.summary = {key: dict(sorted(value.items())) if isinstance(value, Counter) else value
                    for key, value in totals.items()}
    plan.summary["documents_detail"] = per_document
    if write:
        write_plan(plan, registry, force)
    return plan
