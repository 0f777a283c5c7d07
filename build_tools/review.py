"""``corpus review``: what a pull request changes in the annotations, as Markdown.

Both revisions are loaded and resolved (the base from ``git archive``, the head from git or
the working tree). When a text changed between them, the base spans are mapped through the
diff of the two texts (reanchor.TextMap), so an annotation that only followed its words is
not reported as moved. Per document:

- mentions (which have no id) are matched by entity and mapped span: the same span with
  another entity is *changed*, an overlapping span of the same entity is *moved*;
- claims and quotes are matched by id: a different span is *moved*, different fields are
  *changed*; one removed and one added with the same span and author is a *renamed* id;
- an annotation that kept its place while its words were corrected is *edited*;

and for the registry: entities added, removed, changed, and *merged* (an entity removed
whose places are now marked with another one, or whose name became another one's alias).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .anchoring import TextIndex
from .corpus import Project, ResolvedCorpus, load_corpus, resolve_corpus
from .model import Entity, ResolvedDocument, Span
from .reanchor import TextMap, snap

CLAIM_FIELDS = ("claimant", "kind", "status", "about", "summary", "summary_en", "quotes", "note")
QUOTE_FIELDS = ("speaker", "kind", "channel", "via", "note")
ENTITY_FIELDS = ("type", "name", "label", "aliases", "description", "description_ar", "wikidata")
SHOWN = 70


class ReviewError(Exception):
    pass


@dataclass
class Loaded:
    label: str
    corpus: ResolvedCorpus
    errors: int


def _git(root: Path, *args: str, binary: bool = False):
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=120)
    except OSError as exc:
        raise ReviewError(f"cannot run git: {exc}") from exc
    if result.returncode != 0:
        raise ReviewError(f"git {' '.join(args)}: {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout if binary else result.stdout.decode("utf-8").strip()


def _load(project: Project, label: str) -> Loaded:
    corpus, diagnostics = load_corpus(project)
    resolved = resolve_corpus(corpus, diagnostics)
    return Loaded(label, resolved, len(diagnostics.errors))


def load_revision(root: Path, rev: str, scratch: Path) -> Loaded:
    """The project's sources as they were at ``rev``, loaded and resolved (errors counted)."""
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except ReviewError as exc:
        raise ReviewError(f"{rev!r} is not a commit of the repository at {root} ({exc})") from exc
    top = Path(_git(root, "rev-parse", "--show-toplevel"))
    prefix = _git(root, "rev-parse", "--show-prefix")
    paths = [f"{prefix}{name}" for name in ("corpus", "annotations")
             if subprocess.run(["git", "cat-file", "-e", f"{commit}:{prefix}{name}"], cwd=top,
                               capture_output=True).returncode == 0]
    target = scratch / commit[:12]
    target.mkdir(parents=True)
    if paths:
        data = _git(top, "archive", "--format=tar", commit, "--", *paths, binary=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(target, filter="data")
    project_root = target / prefix
    (project_root / "corpus").mkdir(parents=True, exist_ok=True)
    return _load(Project(project_root), f"{rev} ({commit[:10]})")


# ---- comparing -------------------------------------------------------------------------

@dataclass
class Row:
    change: str        # added, removed, moved, edited, changed, renamed
    layer: str         # mention, claim, quote
    name: str          # entity id or annotation id
    text: str
    detail: str = ""


@dataclass
class DocumentChanges:
    doc_id: str
    status: str        # added, removed, edited, unchanged-text
    rows: list[Row] = field(default_factory=list)
    text_changes: int = 0


@dataclass
class EntityRow:
    change: str
    entity: str
    type: str = ""
    name: str = ""
    detail: str = ""


@dataclass
class Review:
    base: Loaded
    head: Loaded
    documents: list[DocumentChanges]
    entities: list[EntityRow]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHOWN else flat[:SHOWN - 1] + "…"


def _words(doc: ResolvedDocument, span: Span) -> str:
    line = TextIndex(doc.text, "").line_col(span.start)[0]
    return f"«{_short(doc.text[span.start:span.end])}» (line {line})"


def _value(obj, name: str):
    value = getattr(obj, name)
    if isinstance(value, tuple):
        return ", ".join(getattr(v, "id", v) for v in value)
    return getattr(value, "id", value)


def _field_changes(old, new, names) -> str:
    parts = []
    for name in names:
        a, b = _value(old, name), _value(new, name)
        if a != b:
            parts.append(f"{name}: {_short(str(a)) or '—'} → {_short(str(b)) or '—'}")
    return "; ".join(parts)


def _mapped(text_map: TextMap, span: Span) -> Span:
    """Where a base span's words are in the head text, trimmed and in whole letters as
    reanchor proposes them (a deletion at its edge leaves no stray space)."""
    if not text_map.changes:
        return span
    return snap(text_map.new, text_map.map_span(span))


def _compare_mentions(base: ResolvedDocument, head: ResolvedDocument, text_map: TextMap) -> list[Row]:
    rows = []
    old_all = [(m.entity.id, _mapped(text_map, m.span), m) for m in base.mentions]
    new_all = [(m.entity.id, m.span, m) for m in head.mentions]
    old_keys = {(e, s.start, s.end) for e, s, _ in old_all}
    new_keys = {(e, s.start, s.end) for e, s, _ in new_all}
    for entity, span, mention in old_all:
        if (entity, span.start, span.end) in new_keys and text_map.touched(mention.span.start, mention.span.end):
            rows.append(Row("edited", "mention", entity, _words(head, span), f"was {_words(base, mention.span)}"))
    old = [o for o in old_all if (o[0], o[1].start, o[1].end) not in new_keys]
    new = [n for n in new_all if (n[0], n[1].start, n[1].end) not in old_keys]
    for entity, span, mention in list(old):
        same_place = next((n for n in new if (n[1].start, n[1].end) == (span.start, span.end)), None)
        if same_place is not None:
            rows.append(Row("changed", "mention", same_place[0], _words(head, same_place[1]),
                            f"entity: {entity} → {same_place[0]}"))
            old.remove((entity, span, mention))
            new.remove(same_place)
            continue
        overlapping = next((n for n in new if n[0] == entity and n[1].start < span.end and span.start < n[1].end),
                           None)
        if overlapping is not None:
            rows.append(Row("moved", "mention", entity, _words(head, overlapping[1]),
                            f"was {_words(base, mention.span)}"))
            old.remove((entity, span, mention))
            new.remove(overlapping)
    rows += [Row("removed", "mention", e, _words(base, m.span)) for e, _, m in old]
    rows += [Row("added", "mention", e, _words(head, s)) for e, s, _ in new]
    return rows


def _compare_items(layer: str, base_items, head_items, base: ResolvedDocument, head: ResolvedDocument,
                   text_map: TextMap, fields, author: str) -> list[Row]:
    rows = []
    old = {i.id: i for i in base_items}
    new = {i.id: i for i in head_items}
    removed = [i for k, i in old.items() if k not in new]
    added = [i for k, i in new.items() if k not in old]
    for key in sorted(set(old) & set(new)):
        a, b = old[key], new[key]
        mapped = _mapped(text_map, a.span)
        if layer == "claim":
            parts = (_field_changes(a, b, ("claimant", "about")),
                     _field_changes(a.claim, b.claim, [f for f in fields if f not in ("claimant", "about")]))
            changes = "; ".join(p for p in parts if p)
        else:
            changes = _field_changes(a.quote, b.quote, fields)
        if (mapped.start, mapped.end) != (b.span.start, b.span.end):
            rows.append(Row("moved", layer, key, _words(head, b.span), f"was {_words(base, a.span)}"))
        elif text_map.touched(a.span.start, a.span.end):
            rows.append(Row("edited", layer, key, _words(head, b.span), f"was {_words(base, a.span)}"))
        if changes:
            rows.append(Row("changed", layer, key, _words(head, b.span), changes))
    for a in list(removed):
        mapped = _mapped(text_map, a.span)
        twin = next((b for b in added if (b.span.start, b.span.end) == (mapped.start, mapped.end)
                     and _value(b, author) == _value(a, author)), None)
        if twin is not None:
            rows.append(Row("renamed", layer, twin.id, _words(head, twin.span), f"was `{a.id}`"))
            removed.remove(a)
            added.remove(twin)
    rows += [Row("removed", layer, a.id, _words(base, a.span)) for a in removed]
    rows += [Row("added", layer, b.id, _words(head, b.span)) for b in added]
    return rows


def _merged_into(entity: Entity, base: ResolvedCorpus, head: ResolvedCorpus) -> str | None:
    """The entity that took over a removed entity's places (or its name, as an alias)."""
    votes: dict[str, int] = {}
    for mention in base.mentions_by_entity.get(entity.id, []):
        doc = head.by_id.get(mention.document_id)
        base_doc = base.by_id.get(mention.document_id)
        if doc is None or base_doc is None:
            continue
        span = _mapped(TextMap.between(base_doc.text, doc.text), mention.span)
        for m in doc.mentions:
            if (m.span.start, m.span.end) == (span.start, span.end) and m.entity.id in head.entities:
                votes[m.entity.id] = votes.get(m.entity.id, 0) + 1
    if votes:
        return max(sorted(votes), key=lambda k: votes[k])
    for other in head.entities.values():
        if entity.name in other.aliases or entity.name == other.name:
            return other.id
    return None


def compare(base: Loaded, head: Loaded) -> Review:
    b, h = base.corpus, head.corpus
    entities = []
    for eid in sorted(set(h.entities) - set(b.entities)):
        e = h.entities[eid]
        entities.append(EntityRow("added", eid, e.type, e.name))
    for eid in sorted(set(b.entities) - set(h.entities)):
        e = b.entities[eid]
        target = _merged_into(e, b, h)
        if target:
            count = len(b.mentions_by_entity.get(eid, []))
            entities.append(EntityRow("merged", eid, e.type, e.name, f"into `{target}`" +
                                      (f" ({count} mention{'s' if count != 1 else ''})" if count else "")))
        else:
            entities.append(EntityRow("removed", eid, e.type, e.name))
    for eid in sorted(set(b.entities) & set(h.entities)):
        changes = _field_changes(b.entities[eid], h.entities[eid], ENTITY_FIELDS)
        if changes:
            e = h.entities[eid]
            entities.append(EntityRow("changed", eid, e.type, e.name, changes))

    documents = []
    for doc_id in sorted(set(b.by_id) | set(h.by_id)):
        old, new = b.by_id.get(doc_id), h.by_id.get(doc_id)
        if new is None:
            documents.append(DocumentChanges(doc_id, "removed", [
                Row("removed", "document", doc_id, f"{len(old.mentions)} mentions, {len(old.claims)} claims, "
                                                   f"{len(old.quotes)} quotes")]))
            continue
        if old is None:
            changes = DocumentChanges(doc_id, "added")
            changes.rows += [Row("added", "mention", m.entity.id, _words(new, m.span)) for m in new.mentions]
            changes.rows += [Row("added", "claim", c.id, _words(new, c.span)) for c in new.claims]
            changes.rows += [Row("added", "quote", q.id, _words(new, q.span)) for q in new.quotes]
            documents.append(changes)
            continue
        text_map = TextMap.between(old.text, new.text)
        changes = DocumentChanges(doc_id, "edited" if text_map.changes else "annotations",
                                  text_changes=len(text_map.changes))
        changes.rows += _compare_mentions(old, new, text_map)
        changes.rows += _compare_items("claim", old.claims, new.claims, old, new, text_map, CLAIM_FIELDS, "claimant")
        changes.rows += _compare_items("quote", old.quotes, new.quotes, old, new, text_map, QUOTE_FIELDS, "speaker")
        if changes.rows or changes.text_changes:
            documents.append(changes)
    return Review(base, head, documents, entities)


# ---- Markdown --------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _count(rows, layer: str) -> str:
    kinds = {}
    for row in rows:
        if row.layer == layer:
            kinds[row.change] = kinds.get(row.change, 0) + 1
    order = ("added", "removed", "moved", "edited", "changed", "renamed")
    return ", ".join(f"{kinds[k]} {k}" for k in order if k in kinds)


def markdown(review: Review) -> str:
    lines = [f"## Annotation changes: {review.base.label} → {review.head.label}", ""]
    rows = [r for d in review.documents for r in d.rows]
    if not rows and not review.entities and not any(d.text_changes for d in review.documents):
        lines.append("No annotation changes.")
    else:
        summary = []
        for layer, title in (("mention", "mentions"), ("claim", "claims"), ("quote", "quotes")):
            counted = _count(rows, layer)
            if counted:
                summary.append(f"{title}: {counted}")
        kinds = {}
        for e in review.entities:
            kinds[e.change] = kinds.get(e.change, 0) + 1
        if kinds:
            summary.append("entities: " + ", ".join(f"{v} {k}" for k, v in kinds.items()))
        added = sum(1 for d in review.documents if d.status == "added")
        removed = sum(1 for d in review.documents if d.status == "removed")
        edited = sum(1 for d in review.documents if d.text_changes)
        docs = ", ".join(p for p in (f"{added} added" if added else "", f"{removed} removed" if removed else "",
                                     f"{edited} with text edits" if edited else "") if p)
        if docs:
            summary.insert(0, f"documents: {docs}")
        lines += [f"**Summary.** {'; '.join(summary)}.", ""]
    if review.head.errors:
        lines += [f"⚠️ `corpus check` finds {review.head.errors} error(s) in the head revision; annotations that "
                  "do not resolve are missing from this summary.", ""]
    if review.entities:
        lines += ["### Entities", "", "| change | entity | type | name | detail |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {e.change} | `{e.entity}` | {e.type} | {_cell(e.name)} | {_cell(e.detail)} |"
                  for e in review.entities]
        lines.append("")
    for doc in review.documents:
        status = {"added": "new document", "removed": "document removed",
                  "edited": f"text edited in {doc.text_changes} place(s)",
                  "annotations": "annotations only"}[doc.status]
        lines += [f"### `{doc.doc_id}` ({status})", ""]
        if doc.rows:
            lines += ["| change | layer | annotation | text | detail |", "| --- | --- | --- | --- | --- |"]
            order = {"removed": 0, "renamed": 1, "changed": 2, "moved": 3, "edited": 4, "added": 5}
            for row in sorted(doc.rows, key=lambda r: (order.get(r.change, 9), r.layer, r.name)):
                lines.append(f"| {row.change} | {row.layer} | `{row.name}` | {_cell(row.text)} | {_cell(row.detail)} |")
        elif doc.status == "added":
            lines.append("No annotations yet.")
        else:
            lines.append("Every annotation kept its words and place.")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def run(root: Path, base_rev: str, head_rev: str | None = None) -> Review:
    with tempfile.TemporaryDirectory(prefix="corpus-review-") as scratch:
        base = load_revision(root, base_rev, Path(scratch))
        head = load_revision(root, head_rev, Path(scratch)) if head_rev else _load(Project(root), "working tree")
        return compare(base, head)
