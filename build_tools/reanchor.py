"""Re-anchoring after a text correction: keep every annotation on the words it marked.

Annotations point at the text by quoting it, so an annotation whose words are intact
keeps its place by itself when the text is corrected. What can go wrong is quiet: a
corrected passage no longer matches its quote (``check`` says so), and, worse, a quote
that still matches but now matches *another* place (an inserted sentence holds the same
words earlier, so ``occurrence: 1`` moves; the words of a ``prefix`` were changed) -
``check`` passes and the annotation is misplaced.

So every annotation is resolved twice: in the old text (from git, ``git show
REV:corpus/<id>.txt``, or a file) and in the new one. Its old span is mapped through a
diff of the two texts (difflib, on tokens and then on code points inside changed
tokens) to the place it must occupy now:

- *intact*: the words are unchanged and the anchor resolves to exactly that place;
- *moved*: the words are unchanged but the anchor now resolves elsewhere (or nowhere):
  a new anchor for the same words is proposed (new ``occurrence`` or context);
- *edited*: the marked words themselves were changed: the new words are proposed, with
  the old and new passages and the differing characters shown;
- *deleted*: the whole passage is gone: reported, nothing proposed.

Every proposal is verified before it is shown: the proposed anchor resolves, in the new
text, to exactly the proposed span. Nothing is written without ``--apply``; with it, the
YAML files are changed by exact edits (see yamledit.py) and checked again.
"""

from __future__ import annotations

import difflib
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import regex
import yaml

from .anchoring import TextIndex, describe_difference, resolve_anchor
from .corpus import Corpus, Project, load_corpus
from .diagnostics import Diagnostics, Location
from .model import ALL, Anchor, Span
from .yamledit import YamlDocument, YamlEditError, apply_edits

ANCHOR_KEYS = ("quote", "prefix", "suffix", "occurrence", "start", "end")
_TOKEN = regex.compile(r"\s+|\w+|[^\w\s]")
MAX_CHAR_DIFF = 20_000   # changed regions longer than this are not aligned character by character


# ---- mapping positions from the old text to the new one -------------------------------

@dataclass
class TextMap:
    """The differences between two versions of a text, as code-point opcodes."""

    old: str
    new: str
    opcodes: list[tuple[str, int, int, int, int]]

    @classmethod
    def between(cls, old: str, new: str) -> "TextMap":
        if old == new:
            return cls(old, new, [("equal", 0, len(old), 0, len(new))] if old else [])
        old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
        old_at, new_at = _offsets(old_tokens), _offsets(new_tokens)
        opcodes: list[tuple[str, int, int, int, int]] = []
        matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
        for tag, a0, a1, b0, b1 in matcher.get_opcodes():
            i1, i2, j1, j2 = old_at[a0], old_at[a1], new_at[b0], new_at[b1]
            if tag == "replace" and max(i2 - i1, j2 - j1) <= MAX_CHAR_DIFF:
                chars = difflib.SequenceMatcher(None, old[i1:i2], new[j1:j2], autojunk=False)
                for ctag, c0, c1, d0, d1 in chars.get_opcodes():
                    opcodes.append((ctag, i1 + c0, i1 + c1, j1 + d0, j1 + d1))
            else:
                opcodes.append((tag, i1, i2, j1, j2))
        return cls(old, new, _merge(opcodes))

    @property
    def changes(self) -> list[tuple[str, int, int, int, int]]:
        return [op for op in self.opcodes if op[0] != "equal"]

    def touched(self, start: int, end: int) -> bool:
        """Whether the old span's own characters were changed (insertions at its edges do not count)."""
        for tag, i1, i2, _, _ in self.opcodes:
            if tag == "equal":
                continue
            if i1 < i2 and i1 < end and i2 > start:
                return True
            if i1 == i2 and start < i1 < end:
                return True
        return False

    def _containing(self, offset: int):
        for op in self.opcodes:
            if op[1] <= offset < op[2]:
                return op
        raise ValueError(offset)

    def map_start(self, offset: int) -> int:
        if offset >= len(self.old):
            return len(self.new)
        tag, i1, _, j1, _ = self._containing(offset)
        return j1 + (offset - i1) if tag == "equal" else j1

    def map_end(self, offset: int) -> int:
        if offset <= 0:
            return 0
        tag, i1, _, j1, j2 = self._containing(offset - 1)
        return j1 + (offset - i1) if tag == "equal" else j2

    def map_span(self, span: Span) -> Span:
        start, end = self.map_start(span.start), self.map_end(span.end)
        return Span(start, max(start, end))


def _offsets(tokens: list[str]) -> list[int]:
    out = [0]
    for token in tokens:
        out.append(out[-1] + len(token))
    return out


def _merge(opcodes):
    merged: list[list] = []
    for op in opcodes:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if merged and merged[-1][0] == op[0] == "equal" and merged[-1][2] == op[1]:
            merged[-1][2], merged[-1][4] = op[2], op[4]
        elif merged and merged[-1][0] != "equal" and op[0] != "equal" and merged[-1][2] == op[1]:
            last = merged[-1]
            last[0] = "replace"
            last[2], last[4] = op[2], op[4]
        else:
            merged.append(list(op))
    out = []
    for tag, i1, i2, j1, j2 in merged:
        if tag != "equal":
            tag = "insert" if i1 == i2 else "delete" if j1 == j2 else "replace"
        out.append((tag, i1, i2, j1, j2))
    return out


# ---- spans and anchors in the new text ----------------------------------------------------

def snap(text: str, span: Span) -> Span:
    """Trim white space at both ends; widen to whole letters (a mark stays with its letter)."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return Span(start, start)
    index = TextIndex(text, "")
    while start > 0 and not index.is_grapheme_boundary(start):
        start -= 1
    while end < len(text) and not index.is_grapheme_boundary(end):
        end += 1
    return Span(start, end)


def resolve(keys: dict, text: str, allow_many: bool = False) -> tuple[Span, ...] | None:
    """The spans an anchor (given as YAML keys) marks in ``text``; None when it does not resolve."""
    occurrence = keys.get("occurrence")
    if occurrence is not None and occurrence != ALL:
        occurrence = tuple(sorted(occurrence)) if isinstance(occurrence, (list, tuple)) else (int(occurrence),)
    anchor = Anchor(Location("-"), quote=keys.get("quote"), prefix=keys.get("prefix") or "",
                    suffix=keys.get("suffix") or "", start=keys.get("start"), end=keys.get("end"),
                    occurrences=occurrence)
    if occurrence == ALL and not allow_many:
        return None
    if any(keys.get(k) is not None and keys[k] not in text for k in ("quote", "start", "end")):
        return None    # (resolve_anchor would first look for the closest passage, for its message)
    result = resolve_anchor(anchor, TextIndex(text, "-"), Diagnostics(), "-")
    return result.spans if result.ok else None


def anchor_keys(anchor: Anchor) -> dict:
    keys: dict = {}
    if anchor.quote is not None:
        keys["quote"] = anchor.quote
        if anchor.prefix:
            keys["prefix"] = anchor.prefix
        if anchor.suffix:
            keys["suffix"] = anchor.suffix
    else:
        keys["start"], keys["end"] = anchor.start, anchor.end
    if anchor.occurrences is not None:
        keys["occurrence"] = anchor.occurrences if anchor.occurrences == ALL else (
            anchor.occurrences[0] if len(anchor.occurrences) == 1 else list(anchor.occurrences))
    return keys


def _fitting(text: str, quote: str, prefix: str, suffix: str) -> list[int]:
    index = TextIndex(text, "-")
    return [s for s in index.occurrences(quote)
            if text.startswith(suffix, s + len(quote)) and text[max(0, s - len(prefix)):s] == prefix]


def _word_grow(text: str, start: int, end: int, forward: bool, minimum: int) -> int:
    """Move an edge outwards by at least ``minimum`` characters, then to the end of the word."""
    if forward:
        pos = min(end, start + minimum)
        while pos < end and not text[pos].isspace():
            pos += 1
        return pos
    pos = max(start, end - minimum)
    while pos > start and not text[pos - 1].isspace():
        pos -= 1
    return pos


def _words_before(text: str, start: int, words: int) -> str:
    """The text before ``start`` back to the beginning of the ``words``-th word (one line at most)."""
    pos = start
    for _ in range(words):
        while pos > 0 and text[pos - 1].isspace() and text[pos - 1] != "\n":
            pos -= 1
        while pos > 0 and not text[pos - 1].isspace():
            pos -= 1
    return text[pos:start]


def _words_after(text: str, end: int, words: int) -> str:
    pos = end
    for _ in range(words):
        while pos < len(text) and text[pos].isspace() and text[pos] != "\n":
            pos += 1
        while pos < len(text) and not text[pos].isspace():
            pos += 1
    return text[end:pos]


def propose_anchor(text: str, span: Span, like: Anchor | None = None) -> dict:
    """The simplest anchor that resolves, in ``text``, to exactly ``span``.

    Keeps the contributor's style where it can: a ``start``/``end`` anchor stays one, and
    an anchor that used ``prefix``/``suffix`` keeps context of the same length. Falls
    back to ``occurrence``, which always works.
    """
    target = (span,)
    passage = text[span.start:span.end]
    candidates: list[dict] = []
    if like is not None and like.quote is None:
        begin_len = len(like.start or "") or 12
        end_len = len(like.end or "") or 12
        for grow in range(0, len(passage) + 1, 8):
            a = _word_grow(text, span.start, span.end, True, begin_len + grow)
            b = _word_grow(text, span.start, span.end, False, end_len + grow)
            if a <= span.start or b >= span.end:
                break
            start_words, end_words = text[span.start:a], text[b:span.end]
            candidates.append({"start": start_words, "end": end_words})
            places = TextIndex(text, "-").occurrences(start_words)
            if span.start in places:
                candidates.append({"start": start_words, "end": end_words,
                                   "occurrence": places.index(span.start) + 1})
            if a >= b:
                break
    places = TextIndex(text, "-").occurrences(passage)
    by_number = {"quote": passage, "occurrence": places.index(span.start) + 1}
    if like is not None and like.quote is not None and like.occurrences is not None and not (
            like.prefix or like.suffix):
        candidates.append(by_number)               # the contributor counted occurrences: keep doing so
    candidates.append({"quote": passage})
    if like is not None and like.quote is not None and (like.prefix or like.suffix):
        same = {"quote": passage}                  # as much context as before, in whole words
        if like.prefix:
            same["prefix"] = _words_before(text, span.start, max(1, len(like.prefix.split())))
        if like.suffix:
            same["suffix"] = _words_after(text, span.end, max(1, len(like.suffix.split())))
        candidates.insert(0 if like.quote == passage else len(candidates), same)
    for words in range(1, 4):                      # the nearest whole words before or after
        before = _words_before(text, span.start, words)
        after = _words_after(text, span.end, words)
        if before.strip():
            candidates.append({"quote": passage, "prefix": before})
        if after.strip():
            candidates.append({"quote": passage, "suffix": after})
    candidates.append(by_number)
    for keys in candidates:
        if keys.get("prefix") == "" or keys.get("suffix") == "":
            continue
        if resolve(keys, text) == target:
            return keys
    raise AssertionError("an occurrence number always resolves")  # pragma: no cover


def propose_many(text: str, spans: list[Span], like: Anchor) -> dict | None:
    """An anchor for several spans of the same words (a mention with ``occurrence`` list or all)."""
    quote = like.quote or ""
    if not spans or any(text[s.start:s.end] != quote for s in spans):
        return None
    base = {"quote": quote}
    if like.prefix:
        base["prefix"] = like.prefix
    if like.suffix:
        base["suffix"] = like.suffix
    places = _fitting(text, quote, like.prefix, like.suffix)
    wanted = sorted(s.start for s in spans)
    if any(s not in places for s in wanted):
        base = {"quote": quote}
        places = _fitting(text, quote, "", "")
    numbers = [places.index(s) + 1 for s in wanted]
    for keys in ({**base, "occurrence": ALL} if like.occurrences == ALL and numbers == list(
            range(1, len(places) + 1)) else None,
                 {**base, "occurrence": numbers[0] if len(numbers) == 1 else numbers}):
        if keys is not None and resolve(keys, text, allow_many=True) == tuple(sorted(spans, key=lambda s: s.start)):
            return keys
    return None


# ---- results ------------------------------------------------------------------------------

INTACT, MOVED, EDITED, DELETED, INSIDE, UNRESOLVED, MANUAL = (
    "intact", "moved", "edited", "deleted", "edited-inside", "unresolved", "manual")
NEEDS_ACTION = (MOVED, EDITED, DELETED, UNRESOLVED, MANUAL)


@dataclass
class Change:
    """One change to write: ``update`` an entry's anchor, or ``add`` an entry after it."""

    action: str
    keys: dict
    span: Span


@dataclass
class Finding:
    """What happened to one annotation entry."""

    layer: str
    path: str
    loc: Location
    what: str
    status: str
    anchor: Anchor
    old_spans: tuple[Span, ...] = ()
    new_spans: tuple[Span, ...] = ()
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)     # keys an added entry copies (the mention's entity)

    @property
    def needs_action(self) -> bool:
        return self.status in NEEDS_ACTION


@dataclass
class DocumentResult:
    document_id: str
    text_path: str
    text_map: TextMap
    findings: list[Finding]
    applied: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(1 for f in self.findings if f.status in statuses)


def _single(finding: Finding, old_span: Span, text_map: TextMap, new_text: str) -> Finding:
    anchor = finding.anchor
    old_words = text_map.old[old_span.start:old_span.end]
    target = snap(new_text, text_map.map_span(old_span))
    finding.new_spans = (target,)
    if not len(target):
        finding.status = DELETED
        finding.notes.append("the whole passage was deleted: remove the annotation, or anchor it again by hand")
        return finding
    now = resolve(anchor_keys(anchor), new_text)
    touched = text_map.touched(old_span.start, old_span.end) or new_text[target.start:target.end] != old_words
    if now == (target,):
        finding.status = INSIDE if touched else INTACT
        if touched:
            finding.notes.append("the passage was edited inside; its anchor still marks all of it")
        return finding
    keys = propose_anchor(new_text, target, anchor)
    finding.changes.append(Change("update", keys, target))
    finding.status = EDITED if touched else MOVED
    if not touched:
        where = "nowhere" if now is None else "another place" if len(now) == 1 else f"{len(now)} places"
        finding.notes.append(f"the words are unchanged, but the anchor now resolves to {where}")
    return finding


def _many(finding: Finding, text_map: TextMap, new_text: str) -> Finding:
    """A mention entry that marks several places (``occurrence: all`` or a list)."""
    anchor = finding.anchor
    quote = anchor.quote or ""
    kept: list[Span] = []
    edited: list[Span] = []
    for old_span in finding.old_spans:
        target = snap(new_text, text_map.map_span(old_span))
        if not len(target):
            where = TextIndex(text_map.old, finding.extra["text_path"]).location(old_span.start)
            finding.notes.append(f"the occurrence at {where} (old text) was deleted with its passage")
        elif new_text[target.start:target.end] == quote and not text_map.touched(old_span.start, old_span.end):
            kept.append(target)
        else:
            edited.append(target)
    now = resolve(anchor_keys(anchor), new_text, allow_many=True)
    finding.new_spans = tuple(kept + edited)
    status = INTACT
    if kept:
        fine = now is not None and (set(kept) <= set(now) if anchor.occurrences == ALL else list(now) == kept)
        if not fine:
            keys = propose_many(new_text, kept, anchor)
            if keys is None:
                finding.status = MANUAL
                finding.notes.append("cannot propose one anchor for the remaining places; edit by hand")
                return finding
            finding.changes.append(Change("update", keys, kept[0]))
            status = MOVED
        if anchor.occurrences == ALL and now is not None:
            gained = [s for s in now if s not in kept]
            if gained:
                finding.notes.append(f"'occurrence: all' now also marks {len(gained)} place(s) in the new text")
    elif not edited:
        finding.status = DELETED
        finding.notes.append("every passage it marked was deleted: remove the entry")
        return finding
    for n, target in enumerate(edited):
        keys = propose_anchor(new_text, target, Anchor(anchor.loc, quote=quote))
        action = "update" if not kept and n == 0 else "add"
        finding.changes.append(Change(action, keys, target))
        status = EDITED
    finding.status = status
    return finding


def signature_of_keys(who: str, keys: dict) -> str:
    return repr((who, sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in keys.items())))


def signature(layer: str, item) -> str:
    """What identifies an annotation entry and its anchor, to find it again in an older version."""
    who = item.entity if layer == "mentions" else item.id
    keys = anchor_keys(item.anchor)
    return repr((layer, who, sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in keys.items())))


def analyse(corpus: Corpus, doc_id: str, old_text: str, project: Project,
            old_entries: set[str] | None = None) -> DocumentResult:
    """Compare one document's annotations in its old and its current text.

    ``old_entries`` holds the signatures of the entries as they were with the old text; an
    entry not among them was added or re-anchored since, and only has to resolve in the new
    text. ``None`` means the entries have not changed (an old text given as a file).
    """
    document = corpus.documents[doc_id]
    new_text = document.text
    text_map = TextMap.between(old_text, new_text)
    layers = corpus.layers.get(doc_id)
    paths = corpus.layer_paths.get(doc_id, {})
    findings: list[Finding] = []
    if layers is None:
        return DocumentResult(doc_id, document.text_path, text_map, findings)
    entries = ([("mentions", m, f"mention of '{m.entity}'", True) for m in layers.mentions]
               + [("claims", c, f"claim '{c.id}'", False) for c in layers.claims]
               + [("quotes", q, f"quote '{q.id}'", False) for q in layers.quotes])
    for layer, item, what, many in entries:
        anchor = item.anchor
        finding = Finding(layer, paths.get(f"{layer}.yml", f"annotations/{doc_id}/{layer}.yml"), item.loc, what,
                          INTACT, anchor, extra={"text_path": document.text_path})
        if layer == "mentions":
            finding.extra["entity"] = item.entity
        if old_entries is not None and signature(layer, item) not in old_entries:
            now = resolve(anchor_keys(anchor), new_text, allow_many=many)
            finding.status = INTACT if now is not None else UNRESOLVED
            finding.new_spans = now or ()
            if now is None:
                finding.notes.append("the entry was added or changed since the old text, and it does not resolve "
                                     "in the new text: fix it by hand ('corpus check' shows the closest text)")
            findings.append(finding)
            continue
        old = resolve(anchor_keys(anchor), old_text, allow_many=many)
        if old is None:
            now = resolve(anchor_keys(anchor), new_text, allow_many=many)
            finding.status = INTACT if now is not None else UNRESOLVED
            finding.new_spans = now or ()
            finding.notes.append("it does not resolve in the old text" +
                                 ("; it does in the new text (already re-anchored?)" if now else
                                  " nor in the new one: fix it by hand ('corpus check' shows the closest text)"))
            findings.append(finding)
            continue
        finding.old_spans = old
        if many and (anchor.occurrences == ALL or len(old) > 1):
            findings.append(_many(finding, text_map, new_text))
        else:
            findings.append(_single(finding, old[0], text_map, new_text))
    return DocumentResult(doc_id, document.text_path, text_map, findings)


# ---- old texts ------------------------------------------------------------------------------

class ReanchorError(Exception):
    pass


def git_text(root: Path, rev: str, rel: str) -> str | None:
    """A file as it was at ``rev`` (None when it did not exist there)."""
    try:
        result = subprocess.run(["git", "show", f"{rev}:./{rel}"], cwd=root, capture_output=True, timeout=60)
    except OSError as exc:
        raise ReanchorError(f"cannot run git: {exc}") from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace")
        if "exists on disk, but not in" in message or "does not exist in" in message:
            return None
        raise ReanchorError(f"git show {rev}:{rel} failed: {message.strip()}")
    return result.stdout.decode("utf-8")


def _old_entries(project: Project, rev: str, doc_id: str) -> set[str]:
    """The signatures of a document's annotation entries at ``rev``."""
    from .loading import read_claims, read_mentions, read_quotes
    from .yamlstrict import load_yaml

    readers = {"mentions": read_mentions, "claims": read_claims, "quotes": read_quotes}
    found: set[str] = set()
    for layer, reader in readers.items():
        rel = f"annotations/{doc_id}/{layer}.yml"
        source = git_text(project.root, rev, rel)
        if source is None:
            continue
        diagnostics = Diagnostics()
        for item in reader(load_yaml(source, rel, diagnostics), rel, diagnostics):
            found.add(signature(layer, item))
    return found


# ---- applying --------------------------------------------------------------------------------

def apply_findings(project: Project, result: DocumentResult) -> None:
    """Write the proposals of one document into its YAML files, then verify them."""
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.changes:
            by_path.setdefault(finding.path, []).append(finding)
    originals: dict[Path, str] = {}
    before = _state(project, result.document_id, set(by_path))
    for rel, findings in by_path.items():
        path = project.root / rel
        source = path.read_text(encoding="utf-8")
        try:
            document = YamlDocument(source)
            edits = []
            for finding in findings:
                entry = document.entry_at(finding.loc.line, finding.loc.column)
                for change in finding.changes:
                    if change.action == "update":
                        updates = {key: change.keys.get(key) for key in ANCHOR_KEYS}
                        edits += document.set_keys(entry, updates, after=("quote", "start", "end", "prefix",
                                                                           "suffix", "occurrence"))
                    else:
                        keys = {"entity": finding.extra["entity"], **change.keys}
                        edits.append(document.add_entry_after(entry, keys))
            new_source = apply_edits(source, edits)
            YamlDocument(new_source)
        except (YamlEditError, yaml.YAMLError, ValueError) as exc:  # reported; this file is left as it was
            result.errors.append(f"{rel}: not changed: {exc}")
            continue
        originals[path] = source
        path.write_text(new_source, encoding="utf-8", newline="")
        result.applied.append(rel)
    if originals and not _verify(project, result, before):
        for path, source in originals.items():
            path.write_text(source, encoding="utf-8", newline="")
        result.applied.clear()


@dataclass
class _State:
    """What writing must not make worse: load errors, anchors that do not resolve, shared spans."""

    load_errors: Counter
    unresolved: Counter
    duplicates: int
    spans: set


def _state(project: Project, doc_id: str, paths: set[str]) -> _State | None:
    """The document's annotations as loaded now, resolved with ``resolve`` (no closest-passage
    search for the anchors that do not resolve: only whether they do)."""
    corpus, diagnostics = load_corpus(project)
    document = corpus.documents.get(doc_id)
    layers = corpus.layers.get(doc_id)
    if document is None or layers is None:
        return None
    text = document.text
    load_errors = Counter(f"{d.code}: {d.message}" for d in diagnostics.errors if d.location.path in paths)
    unresolved: Counter = Counter()
    spans: set = set()
    mention_spans: list = []
    for layer, items in (("mentions", layers.mentions), ("claims", layers.claims), ("quotes", layers.quotes)):
        for item in items:
            found = resolve(anchor_keys(item.anchor), text, allow_many=layer == "mentions")
            if found is None:
                unresolved[signature(layer, item)] += 1
                continue
            spans.update((sp.start, sp.end) for sp in found)
            if layer == "mentions":
                mention_spans += [(sp.start, sp.end) for sp in found]
    return _State(load_errors, unresolved, len(mention_spans) - len(set(mention_spans)), spans)


def _verify(project: Project, result: DocumentResult, before: _State | None) -> bool:
    """After writing: nothing got worse in the files written, and each change marks its span."""
    after = _state(project, result.document_id, set(result.applied))
    if after is None or before is None:
        result.errors.append("the files do not load after the change; nothing was written")
        return False
    problems = [f"after the change: {m}" for m in after.load_errors - before.load_errors]
    if after.unresolved - before.unresolved:
        problems.append("after the change, an annotation does not resolve")
    if after.duplicates > before.duplicates:
        problems.append("after the change, two mentions mark the same span")
    missing = [c.span for f in result.findings for c in f.changes if (c.span.start, c.span.end) not in after.spans]
    if missing:
        problems.append(f"after the change, {len(missing)} proposed span(s) are not marked")
    if problems:
        result.errors.extend(problems)
        result.errors.append("nothing was written")
        return False
    return True


# ---- the command -------------------------------------------------------------------------------

def run(project: Project, document_ids: list[str], rev: str = "HEAD", old_file: Path | None = None,
        apply: bool = False) -> tuple[list[DocumentResult], Diagnostics]:
    corpus, diagnostics = load_corpus(project)
    if old_file is not None and len(document_ids) != 1:
        raise ReanchorError("--old goes with exactly one document id")
    ids = document_ids or sorted(corpus.documents)
    results = []
    for doc_id in ids:
        if doc_id not in corpus.documents:
            known = f"corpus/{doc_id}.txt"
            raise ReanchorError(f"document '{doc_id}' does not load (is there a {known}? see 'corpus check')")
        document = corpus.documents[doc_id]
        if old_file is not None:
            old_text = old_file.read_text(encoding="utf-8")
        else:
            old_text = git_text(project.root, rev, document.text_path)
            if old_text is None:
                continue  # a new document: nothing to carry over
        if old_text == document.text and not document_ids:
            continue
        old_entries = None if old_file is not None else _old_entries(project, rev, doc_id)
        result = analyse(corpus, doc_id, old_text, project, old_entries)
        if apply:
            apply_findings(project, result)
        results.append(result)
    return results, diagnostics


def _flat(text: str) -> str:
    return text.replace("\n", " ⏎ ")


def context(text: str, span: Span, width: int = 20) -> str:
    return (f"…{_flat(text[max(0, span.start - width):span.start])}[{_flat(text[span.start:span.end])}]"
            f"{_flat(text[span.end:span.end + width])}…")


def describe(result: DocumentResult) -> list[str]:
    """Human-readable lines for one document."""
    text_map = result.text_map
    old_index, new_index = TextIndex(text_map.old, result.text_path), TextIndex(text_map.new, result.text_path)
    changes = text_map.changes
    inserted = sum(j2 - j1 for _, _, _, j1, j2 in changes)
    deleted = sum(i2 - i1 for _, i1, i2, _, _ in changes)
    lines = [f"{result.text_path}: {len(changes)} change(s) in the text (+{inserted} −{deleted} characters)"]
    for finding in result.findings:
        if finding.status == INTACT and not finding.notes:
            continue
        lines.append(f"  {finding.path}:{finding.loc.line}:{finding.loc.column}: {finding.status}: {finding.what}")
        if finding.old_spans and finding.status not in (INTACT,):
            for span in finding.old_spans[:4]:
                lines.append(f"      before ({old_index.location(span.start)}): {context(text_map.old, span)}")
        for change in finding.changes:
            lines.append(f"      after  ({new_index.location(change.span.start)}): "
                         f"{context(text_map.new, change.span)}")
            old_words = finding.anchor.quote
            new_words = change.keys.get("quote")
            if old_words and new_words and old_words != new_words:
                lines.extend(f"      {d}" for d in describe_difference(old_words, new_words))
            verb = "replace the anchor with" if change.action == "update" else "add an entry after it with"
            shown = ", ".join(f"{k}: {_show(v)}" for k, v in change.keys.items())
            lines.append(f"      proposal: {verb} {shown}")
        lines.extend(f"      note: {note}" for note in finding.notes)
    for rel in result.applied:
        lines.append(f"  wrote {rel}")
    lines.extend(f"  error: {e}" for e in result.errors)
    return lines


def _show(value) -> str:
    from .yamledit import scalar
    return scalar(value)


def summary_line(results: list[DocumentResult], applied: bool) -> str:
    findings = [f for r in results for f in r.findings]
    count = lambda *s: sum(1 for f in findings if f.status in s)
    proposals = sum(len(f.changes) for f in findings)
    text = (f"reanchor: {len(results)} document(s) with text changes; {count(INTACT)} annotation(s) intact, "
            f"{count(INSIDE)} edited inside (anchor still fits), {count(MOVED)} moved, {count(EDITED)} edited, "
            f"{count(DELETED)} deleted, {count(UNRESOLVED, MANUAL)} to fix by hand; {proposals} proposal(s)")
    if proposals and not applied:
        text += "; nothing written: run 'corpus reanchor --apply' to write the proposals"
    return text


def as_json(results: list[DocumentResult]) -> list[dict]:
    out = []
    for result in results:
        text = result.text_map.new
        out.append({
            "document": result.document_id,
            "changes": len(result.text_map.changes),
            "applied": result.applied,
            "errors": result.errors,
            "annotations": [{
                "file": f.path, "line": f.loc.line, "column": f.loc.column, "what": f.what, "status": f.status,
                "old_spans": [[s.start, s.end] for s in f.old_spans],
                "new_spans": [[s.start, s.end] for s in f.new_spans],
                "proposals": [{"action": c.action, "anchor": c.keys, "span": [c.span.start, c.span.end],
                               "text": text[c.span.start:c.span.end]} for c in f.changes],
                "notes": f.notes,
            } for f in result.findings],
        })
    return out

