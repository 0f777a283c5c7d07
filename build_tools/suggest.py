"""Suggestions: places where a registered name occurs in a text but is not annotated yet.

Every entity's ``name`` and ``aliases`` are looked for in every text, also when the text
writes them

- with attached proclitics: the conjunctions و ف, the prepositions ب ك ل, and the article
  ال (``والمغرب``, ``بالمغرب``, ``للحكومة`` = ل + الحكومة with its alif elided);
- with diacritics, tatweel or invisible format characters (``المَغْرِب``, ``حـرب``);
- with the usual spelling variants (أ إ آ ٱ / ا, ة / ه, ى / ي), and Latin names in any case.

Matching runs on a *search key* of the text (marks removed, variants folded, runs of white
space made one space) that keeps, for each of its characters, the offset of the character
of the text it comes from; a match in the key is mapped back to an exact code-point span of
the original text, widened to whole letters (a mark stays with its letter). The span covers
the name as the seed's mention policy has it: the article belongs to the name, the
proclitics و ف ب ك ل do not (``بالمغرب`` → «المغرب»; ``للحكومة`` → «لحكومة»).

A place is not suggested when a mention of the same entity already covers it, when another
mention marks exactly that span, or when it lies inside a longer name (an existing mention
whose words are one of its entity's names, or a longer suggestion): «المغرب» inside
«أنونيموس المغرب» is part of a proper name, not a mention of Morocco.

Suggestions are proposals: ``--write`` appends them to
``annotations/<id>/mentions.proposed.yml`` (which ``check`` and the build ignore) for a
person to review and move into ``mentions.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from .anchoring import TextIndex
from .corpus import Project, ResolvedCorpus
from .model import Entity, ResolvedDocument, Span
from .reanchor import propose_anchor, signature_of_keys
from .yamledit import YamlDocument, id_scalar, scalar

PROPOSED = "mentions.proposed.yml"

# Removed from the key: harakat, tanwin, shadda, sukun, dagger alef, Quranic marks, tatweel,
# and invisible format characters.
_REMOVED = regex.compile(
    "[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED\u0640"
    "\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]")
_FOLD = str.maketrans({
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # أ إ آ ٱ → ا
    "\u0629": "\u0647",  # ة → ه
    "\u0649": "\u064A",  # ى → ي
    "\u06CC": "\u064A",  # Persian yeh → ي
    "\u06A9": "\u0643",  # keheh → ك
})
_ARABIC_LETTER = regex.compile(r"[\u0621-\u064A\u066E-\u06D3\u06D5\u06FA-\u06FF]")
MIN_KEY = 2      # shorter names (after folding) are not looked for: too many false matches


@dataclass(frozen=True)
class SearchKey:
    """A text's search key and, for each key character, the offset it comes from."""

    key: str
    origin: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> "SearchKey":
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            if _REMOVED.match(ch):
                continue
            if ch.isspace():
                if chars and chars[-1] == " ":
                    continue
                ch = " "
            else:
                ch = ch.translate(_FOLD)
                lower = ch.lower()
                ch = lower if len(lower) == 1 else ch
            chars.append(ch)
            origin.append(i)
        return cls("".join(chars), tuple(origin))

    def span(self, start: int, end: int, text: str) -> Span:
        """The span of the original text behind key characters ``start`` to ``end``."""
        first = self.origin[start]
        last = self.origin[end - 1] + 1
        index = TextIndex(text, "")
        while last < len(text) and not index.is_grapheme_boundary(last):
            last += 1     # the marks written on the last letter belong to the name
        return Span(first, last)


def normalise(name: str) -> str:
    return SearchKey.of(name.strip()).key


def name_pattern(key: str) -> regex.Pattern | None:
    """The pattern for one name's key, with the proclitics it may carry in an Arabic text."""
    if len(key.replace(" ", "")) < MIN_KEY:
        return None
    escaped = regex.escape(key)
    before, after = r"(?<![\p{L}\p{N}])", r"(?![\p{L}\p{N}])"
    if not _ARABIC_LETTER.match(key):
        return regex.compile(before + f"(?P<name>{escaped})" + after)
    if key.startswith("ال"):
        rest = regex.escape(key[1:])
        alternatives = [f"[وف]?[بك]?(?P<name>{escaped})", f"[وف]?ل(?P<name>{rest})"]
    else:
        alternatives = [f"[وف]?[بك]?(?P<name>(?:ال)?{escaped})", f"[وف]?ل(?P<name>(?:ل)?{escaped})"]
    return regex.compile(before + "(?:" + "|".join(alternatives) + ")" + after)


@dataclass(frozen=True)
class Suggestion:
    document_id: str
    text_path: str
    entity: Entity
    span: Span
    name: str            # the registered name or alias that matched
    anchor: dict

    def location(self, text: str) -> str:
        return str(TextIndex(text, self.text_path).location(self.span.start))


def _names(entity: Entity) -> list[str]:
    seen, out = set(), []
    for name in (entity.name, *entity.aliases):
        key = normalise(name)
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


def suggest_document(doc: ResolvedDocument, entities: dict[str, Entity]) -> list[Suggestion]:
    text = doc.text
    key = SearchKey.of(text)
    found: dict[tuple[int, int, str], tuple[Entity, str]] = {}
    for entity in entities.values():
        for name in _names(entity):
            pattern = name_pattern(normalise(name))
            if pattern is None:
                continue
            for match in pattern.finditer(key.key, overlapped=True):
                span = key.span(match.start("name"), match.end("name"), text)
                found.setdefault((span.start, span.end, entity.id), (entity, name))

    marked = {(m.span.start, m.span.end) for m in doc.mentions}
    by_entity: dict[str, list[Span]] = {}
    for m in doc.mentions:
        by_entity.setdefault(m.entity.id, []).append(m.span)
    # Proper names (an entity's own 'name', annotated or found): the words inside them are not
    # mentions («المغرب» in «أنونيموس المغرب»). Descriptive aliases do not hide what they contain
    # («عبد الإله بن كيران» in «حكومة عبد الإله بن كيران», «الفيسبوك» in «نشطاء الفيسبوك»).
    proper = [m.span for m in doc.mentions if normalise(text[m.span.start:m.span.end]) == normalise(m.entity.name)]
    proper += [Span(s, e) for (s, e, _), (entity, name) in found.items() if name == entity.name]

    out = []
    for (start, end, entity_id), (entity, name) in sorted(found.items()):
        span = Span(start, end)
        if (start, end) in marked:
            continue
        if any(s.start < end and start < s.end for s in by_entity.get(entity_id, ())):
            continue
        inside = lambda outer: outer.start <= start and end <= outer.end and (outer.start, outer.end) != (start, end)
        if any(inside(s) for s in proper):
            continue
        out.append(Suggestion(doc.id, doc.document.text_path, entity, span, name, propose_anchor(text, span)))
    return out


def suggest(corpus: ResolvedCorpus, document_ids: list[str] | None = None,
            entity_ids: list[str] | None = None) -> list[Suggestion]:
    entities = corpus.entities if not entity_ids else {k: corpus.entities[k] for k in entity_ids}
    out = []
    for doc in corpus.documents:
        if document_ids and doc.id not in document_ids:
            continue
        out.extend(suggest_document(doc, entities))
    return out


def context(text: str, span: Span, width: int = 20) -> str:
    flat = lambda s: s.replace("\n", " ⏎ ")
    return (f"…{flat(text[max(0, span.start - width):span.start])}[{flat(text[span.start:span.end])}]"
            f"{flat(text[span.end:span.end + width])}…")


def describe(suggestions: list[Suggestion], corpus: ResolvedCorpus) -> list[str]:
    lines = []
    for s in suggestions:
        text = corpus.by_id[s.document_id].text
        keys = ", ".join(f"{k}: {scalar(v)}" for k, v in s.anchor.items())
        via = "" if normalise(text[s.span.start:s.span.end]) == normalise(s.name) else f" (as «{s.name}»)"
        lines.append(f"{s.location(text)}: {s.entity.id}{via}: {context(text, s.span)}")
        lines.append(f"    - entity: {id_scalar(s.entity.id)}, {keys}")
    return lines


# ---- writing proposals for review ------------------------------------------------------------

HEADER = ("# yaml-language-server: $schema=../../schemas/mentions.schema.json\n"
          "# Proposed by 'corpus suggest --write': places where a registered name occurs but is not\n"
          "# annotated. Review each entry: move the right ones into mentions.yml (same format), delete\n"
          "# the others, and delete this file when done. 'corpus check' and the build ignore it.\n"
          "mentions:\n")


def _entry(s: Suggestion, text: str) -> str:
    lines = [f"  # {s.location(text)} {context(text, s.span)}\n", f"  - entity: {id_scalar(s.entity.id)}\n"]
    lines += [f"    {k}: {scalar(v)}\n" for k, v in s.anchor.items()]
    return "".join(lines)


def write_proposals(project: Project, corpus: ResolvedCorpus, suggestions: list[Suggestion]) -> dict[str, int]:
    """Append suggestions to each document's proposals file; returns entries written per file."""
    from .diagnostics import Diagnostics
    from .loading import read_mentions
    from .yamlstrict import load_yaml

    written: dict[str, int] = {}
    for doc_id in sorted({s.document_id for s in suggestions}):
        rel = f"annotations/{doc_id}/{PROPOSED}"
        path = project.root / rel
        text = corpus.by_id[doc_id].text
        existing = path.read_text(encoding="utf-8") if path.is_file() else ""
        known: set[str] = set()
        block_list = True
        if existing.strip():
            diagnostics = Diagnostics()
            root = load_yaml(existing, rel, diagnostics)
            for spec in read_mentions(root, rel, diagnostics):
                known.add(signature_of_keys(spec.entity, _keys(spec.anchor)))
            block_list = _appendable(existing)
        new = [s for s in suggestions if s.document_id == doc_id
               and signature_of_keys(s.entity.id, s.anchor) not in known]
        if not new:
            continue
        body = "".join(_entry(s, text) for s in new)
        if not existing.strip() or not block_list:
            content = HEADER + body
            if existing.strip():
                path.with_name(PROPOSED + ".bak").write_text(existing, encoding="utf-8")
        else:
            content = existing + ("" if existing.endswith("\n") else "\n") + body
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
        written[rel] = len(new)
    return written


def _appendable(source: str) -> bool:
    """Whether entries can be added at the end: 'mentions:' is the last key, as a block list or empty."""
    import yaml

    try:
        root = YamlDocument(source).root
    except yaml.YAMLError:
        return False
    if not isinstance(root, yaml.MappingNode) or [k.value for k, _ in root.value] != ["mentions"]:
        return False
    value = root.value[0][1]
    if isinstance(value, yaml.ScalarNode):
        return value.value == "" and not value.style
    return isinstance(value, yaml.SequenceNode) and not value.flow_style


def _keys(anchor) -> dict:
    from .reanchor import anchor_keys

    return anchor_keys(anchor)
