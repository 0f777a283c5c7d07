"""The project on disk: find the sources, load them, resolve and validate them.

Layout (paths relative to the project root)::

    corpus/<document-id>.txt              the text, UTF-8, LF, NFC, never modified
    corpus/<document-id>.yml              its metadata
    annotations/entities.yml              the corpus-wide entity registry
    annotations/<document-id>/mentions.yml
    annotations/<document-id>/claims.yml
    annotations/<document-id>/quotes.yml  (each layer optional)

``load_corpus`` reads and type-checks every file; ``resolve_corpus`` anchors every
annotation and checks every reference. Both collect all problems before giving up.
"""

from __future__ import annotations

import gc
import hashlib
import os
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .anchoring import TextIndex, char_name, resolve_anchor
from .diagnostics import CorpusError, Diagnostics, Location
from .loading import (
    BIDI_CONTROLS, closest, is_slug, read_claims, read_entities, read_mentions, read_meta,
    read_quotes, suggestion,
)
from .model import (
    Document, Entity, Layers, Mention, ResolvedClaim, ResolvedDocument,
    ResolvedQuote, Span,
)
from .yamlstrict import decode_utf8, load_yaml

LAYER_FILES = ("mentions.yml", "claims.yml", "quotes.yml")
REGISTRY_FILE = "entities.yml"
PRESENTATION_FORMS = regex.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]")
MAX_TEXT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Project:
    """Where a project's sources are, and the digest of each source file read so far
    (fingerprints.py keys generated pages on them instead of reading the files again)."""

    root: Path
    digests: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def corpus_dir(self) -> Path:
        return self.root / "corpus"

    @property
    def annotations_dir(self) -> Path:
        return self.root / "annotations"

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, with ``/`` (as messages and keys name files)."""
        text, root = str(path), str(self.root)
        if text.startswith(root) and text[len(root):len(root) + 1] == os.sep:    # the usual case, sooner
            return text[len(root) + 1:].replace(os.sep, "/")
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


@dataclass
class Corpus:
    """Everything loaded and type-checked, not yet anchored."""

    entities: dict[str, Entity] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    layers: dict[str, Layers] = field(default_factory=dict)
    layer_paths: dict[str, dict[str, str]] = field(default_factory=dict)
    # Ids of entries that failed to load: references to them are not reported again.
    broken_entities: set[str] = field(default_factory=set)
    broken_quotes: dict[str, set[str]] = field(default_factory=dict)
    registry_missing: bool = False


@dataclass
class ResolvedCorpus:
    """Every annotation anchored, every reference checked; what rendering works from."""

    entities: dict[str, Entity]
    documents: list[ResolvedDocument]

    def __post_init__(self) -> None:
        self.by_id = {d.id: d for d in self.documents}
        self.mentions_by_entity: dict[str, list[Mention]] = defaultdict(list)
        self.claims_by_claimant: dict[str, list[ResolvedClaim]] = defaultdict(list)
        self.claims_about: dict[str, list[ResolvedClaim]] = defaultdict(list)
        self.quotes_by_speaker: dict[str, list[ResolvedQuote]] = defaultdict(list)
        # entity id -> the documents that mention or quote it, or make or target a claim with it
        self.documents_of_entity: dict[str, list[str]] = defaultdict(list)
        for doc in self.documents:
            involved = set()
            for mention in doc.mentions:
                self.mentions_by_entity[mention.entity.id].append(mention)
                involved.add(mention.entity.id)
            for claim in doc.claims:
                self.claims_by_claimant[claim.claimant.id].append(claim)
                involved.add(claim.claimant.id)
                for target in claim.about:
                    self.claims_about[target.id].append(claim)
                    involved.add(target.id)
            for quote in doc.quotes:
                self.quotes_by_speaker[quote.speaker.id].append(quote)
                involved.add(quote.speaker.id)
            doc_id = doc.id
            for entity_id in involved:
                self.documents_of_entity[entity_id].append(doc_id)


# ---- loading -------------------------------------------------------------------------

def _read_source(path: Path, project: Project, diagnostics: Diagnostics) -> str | None:
    rel = project.rel(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.error(Location(rel), "unreadable", f"cannot read the file: {exc.strerror}",
                          "check that the file exists and is readable")
        return None
    project.digests[rel] = file_digest(data)
    return decode_utf8(data, rel, diagnostics)


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _load_yaml_file(path: Path, project: Project, diagnostics: Diagnostics):
    """Located YAML nodes of a file; ``None`` for an empty file or one with errors (reported)."""
    text = _read_source(path, project, diagnostics)
    if text is None:
        return None
    rel = project.rel(path)
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        diagnostics.warning(Location(rel, line, 1), "yaml-crlf",
                            "the file has CRLF (Windows) line ends; it is read correctly",
                            "set your editor to LF line ends to keep diffs clean")
    return load_yaml(text, rel, diagnostics)


def check_text(text: str, index: TextIndex, diagnostics: Diagnostics) -> bool:
    """Checks on a document's text: reported, never silently fixed (offsets would move)."""
    ok = True
    if not text.strip():
        diagnostics.error(Location(index.path, 1, 1), "empty-text", "the document text is empty",
                          "put the text of the document in this file")
        return False
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        diagnostics.error(Location(index.path, 1, 1), "file-too-large", "the text is larger than 8 MiB",
                          "split the document")
        return False
    cr = text.find("\r")
    if cr != -1:
        ok = False
        diagnostics.error(index.location(cr), "text-crlf", "the text has carriage returns (CRLF or CR line ends)",
                          "save the file with LF line ends; offsets must be the same on every system")
    if not unicodedata.is_normalized("NFC", text):
        first = next((i for i in range(len(text))
                      if not unicodedata.is_normalized("NFC", text[max(0, i - 1):i + 2])), 0)
        diagnostics.warning(index.location(first), "text-not-nfc",
                            "the text is not in Unicode normal form C",
                            "normalise the file to NFC before annotating it (the build never changes "
                            "the text, since that would move every offset)")
    bidi = BIDI_CONTROLS.search(text)
    if bidi:
        diagnostics.warning(index.location(bidi.start()), "text-bidi-control",
                            f"the text contains the bidirectional control {char_name(bidi.group())}",
                            "remove it unless it is needed; it can make text display in a misleading order")
    forms = PRESENTATION_FORMS.search(text)
    if forms and forms.group() != "\ufeff":
        diagnostics.warning(index.location(forms.start()), "text-presentation-form",
                            f"the text contains the Arabic presentation form {char_name(forms.group())}",
                            "replace presentation forms by the ordinary letters (search will miss them)")
    for match in regex.finditer(r"[\p{Cc}--[\n\t\r]]", text, flags=regex.V1):   # \r: text-crlf
        ok = False
        diagnostics.error(index.location(match.start()), "text-control-character",
                          f"the text contains the control character {char_name(match.group())}",
                          "remove it")
        break
    return ok


def load_corpus(project: Project) -> tuple[Corpus, Diagnostics]:
    """Read every source file into the typed model; report every problem."""
    diagnostics = Diagnostics()
    corpus = Corpus()
    if not _has_corpus_dir(project, diagnostics):
        return corpus, diagnostics
    load_registry(project, corpus, diagnostics)
    for stem, text_path, meta_path in document_paths(project, diagnostics):
        document = _load_document(stem, text_path, meta_path, project, diagnostics)
        if document is not None:
            corpus.documents[stem] = document
    for folder in layer_folders(project, diagnostics):
        _load_layers(folder, corpus, project, diagnostics)
    return corpus, diagnostics


def _has_corpus_dir(project: Project, diagnostics: Diagnostics) -> bool:
    if project.corpus_dir.is_dir():
        return True
    diagnostics.error(Location("corpus"), "missing-directory", "there is no corpus/ directory",
                      "run the command from the project root, or pass --root")
    return False


def load_registry(project: Project, corpus: Corpus, diagnostics: Diagnostics) -> None:
    """The entity registry into ``corpus.entities`` (and the ids that failed to load)."""
    registry_path = project.annotations_dir / REGISTRY_FILE
    if registry_path.is_file():
        root = _load_yaml_file(registry_path, project, diagnostics)
        for entity in read_entities(root, project.rel(registry_path), diagnostics, corpus.broken_entities):
            first = corpus.entities.get(entity.id)
            if first is not None:
                diagnostics.error(entity.loc, "duplicate-id",
                                  f"entity id '{entity.id}' is already used at {first.loc}",
                                  "give each entity its own id, or merge the two entries")
                continue
            corpus.entities[entity.id] = entity
    else:
        corpus.registry_missing = True
        diagnostics.error(Location(project.rel(registry_path)), "missing-file",
                          "there is no entity registry", f"create {project.rel(registry_path)} with 'entities: []'")


def document_paths(project: Project, diagnostics: Diagnostics) -> list[tuple[str, Path, Path]]:
    """(id, text, metadata) of every document with both files, in id order; stray files,
    bad ids and documents missing a file are reported."""
    listing = sorted(project.corpus_dir.iterdir())
    texts = {p.stem: p for p in listing if p.suffix == ".txt"}
    metas = {p.stem: p for p in listing if p.suffix == ".yml"}
    for path in listing:
        if path.suffix not in (".txt", ".yml") and not path.name.startswith("."):
            diagnostics.error(Location(project.rel(path)), "unknown-file",
                              "corpus/ holds only <id>.txt texts and <id>.yml metadata",
                              "rename the file (metadata files end in .yml, not .yaml)")
    found = []
    for stem in sorted(set(texts) | set(metas)):
        where = Location(project.rel(texts.get(stem) or metas[stem]))
        if not is_slug(stem):
            diagnostics.error(where, "bad-id", f"document id {stem!r} (from the file name) is not a valid id",
                              "rename the file: lowercase ASCII letters and digits joined by hyphens")
            continue
        if stem not in metas:
            diagnostics.error(where, "missing-file", f"document '{stem}' has a text but no metadata",
                              f"create corpus/{stem}.yml with at least 'title:'")
            continue
        if stem not in texts:
            diagnostics.error(where, "missing-file", f"document '{stem}' has metadata but no text",
                              f"create corpus/{stem}.txt with the text")
            continue
        found.append((stem, texts[stem], metas[stem]))
    return found


def layer_folders(project: Project, diagnostics: Diagnostics) -> list[Path]:
    """The folders of annotations/, in name order; stray files there are reported."""
    if not project.annotations_dir.is_dir():
        return []
    folders = []
    for path in sorted(project.annotations_dir.iterdir()):
        if path.is_dir():
            folders.append(path)
        elif path.name != REGISTRY_FILE and not path.name.startswith("."):
            diagnostics.error(Location(project.rel(path)), "unknown-file",
                              "annotations/ holds entities.yml and one folder per document",
                              "move the file into annotations/<document-id>/")
    return folders


def _load_document(doc_id: str, text_path: Path, meta_path: Path, project: Project,
                   diagnostics: Diagnostics) -> Document | None:
    text = _read_source(text_path, project, diagnostics)
    errors_before = len(diagnostics.errors)
    root = _load_yaml_file(meta_path, project, diagnostics)
    if root is None and len(diagnostics.errors) > errors_before:
        return None                     # the YAML error is reported; "not a mapping" would repeat it
    meta = read_meta(root, doc_id, project.rel(meta_path), diagnostics)
    if text is None or meta is None:
        return None
    if not check_text(text, TextIndex(text, project.rel(text_path)), diagnostics):
        return None
    return Document(meta, text, project.rel(text_path))


def _load_layers(folder: Path, corpus: Corpus, project: Project, diagnostics: Diagnostics) -> None:
    doc_id = folder.name
    if doc_id not in corpus.documents:
        known = [p.stem for p in project.corpus_dir.glob("*.txt")]
        if doc_id not in known:
            diagnostics.error(Location(project.rel(folder)), "unknown-document",
                              f"annotations for '{doc_id}', but there is no corpus/{doc_id}.txt",
                              suggestion(doc_id, known) or "name the folder after the document's text file")
        return
    broken_quotes = corpus.broken_quotes.setdefault(doc_id, set())
    readers = {"mentions.yml": read_mentions,
               "claims.yml": read_claims,
               "quotes.yml": lambda root, rel, d: read_quotes(root, rel, d, broken_quotes)}
    loaded: dict[str, list] = {name: [] for name in LAYER_FILES}
    paths: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name not in readers:
            # '*.proposed.yml': suggestions waiting for review (corpus suggest --write), not annotations.
            if not path.name.startswith(".") and not path.name.endswith(".proposed.yml"):
                diagnostics.error(Location(project.rel(path)), "unknown-file",
                                  f"unknown annotation layer '{path.name}'",
                                  suggestion(path.name, LAYER_FILES) or f"layers are {', '.join(LAYER_FILES)}")
            continue
        rel = project.rel(path)
        paths[path.name] = rel
        loaded[path.name] = readers[path.name](_load_yaml_file(path, project, diagnostics), rel, diagnostics)
    corpus.layers[doc_id] = Layers(doc_id, tuple(loaded["mentions.yml"]), tuple(loaded["claims.yml"]),
                                   tuple(loaded["quotes.yml"]))
    corpus.layer_paths[doc_id] = paths


# ---- resolution ----------------------------------------------------------------------

class _Everything:
    """Stands for every id: with no registry at all, each reference would be an error."""

    def __contains__(self, item: object) -> bool:
        return True


def _entity(entities: dict[str, Entity], entity_id: str, loc: Location, role: str,
            diagnostics: Diagnostics, quiet=frozenset()) -> Entity | None:
    entity = entities.get(entity_id)
    if entity is None and entity_id not in quiet:
        near = closest(entity_id, entities)
        diagnostics.error(loc, "unknown-entity", f"{role} '{entity_id}' is not in the entity registry",
                          f"did you mean {', '.join(repr(n) for n in near)}?" if near
                          else "add the entity to annotations/entities.yml first")
    return entity


def resolve_document(document: Document, layers: Layers, entities: dict[str, Entity],
                     diagnostics: Diagnostics, quiet_entities=frozenset(),
                     quiet_quotes=frozenset()) -> ResolvedDocument:
    """Anchor one document's annotations and check their references (pure, per document).

    References to ids in ``quiet_entities``/``quiet_quotes`` (entries that failed to
    load, already reported) are dropped without a second error.
    """
    index = TextIndex(document.text, document.text_path)
    meta = document.meta
    for key in ("source_entity", "author_entity"):
        value = getattr(meta, key)
        if value:
            _entity(entities, value, meta.field_locs.get(key, meta.loc), key.replace("_", " "), diagnostics,
                    quiet_entities)

    mentions: list[tuple[Span, Entity, Location]] = []
    seen_spans: dict[tuple[int, int], Location] = {}
    for spec in layers.mentions:
        entity = _entity(entities, spec.entity, spec.entity_loc, "entity", diagnostics, quiet_entities)
        result = resolve_anchor(spec.anchor, index, diagnostics, f"mention of '{spec.entity}'")
        if entity is None or not result.ok:
            continue
        for span in result.spans:
            key = (span.start, span.end)
            if key in seen_spans:
                diagnostics.error(spec.anchor.quote_loc or spec.loc, "duplicate-mention",
                                  f"this mention marks the same text as the mention at {seen_spans[key]}",
                                  "remove one of them; one span of text is one mention",
                                  [f"text at {index.location(span.start)}: {index.context(span.start, span.end)}"])
                continue
            seen_spans[key] = spec.loc
            mentions.append((span, entity, spec.loc))
    mentions.sort(key=lambda m: (m[0].start, -m[0].end, m[1].id))
    counters: dict[str, int] = defaultdict(int)
    resolved_mentions = []
    for span, entity, loc in mentions:
        counters[entity.id] += 1
        resolved_mentions.append(Mention(f"{entity.id}-{counters[entity.id]}", entity, document.id, span, loc))

    quote_ids = {q.id for q in layers.quotes}
    claims = []
    for claim in layers.claims:
        claimant = _entity(entities, claim.claimant, claim.field_locs["claimant"], "claimant", diagnostics,
                           quiet_entities)
        about = [_entity(entities, a, claim.field_locs[f"about:{a}"], "'about' entity", diagnostics, quiet_entities)
                 for a in claim.about]
        for quote_id in claim.quotes:
            if quote_id not in quote_ids and quote_id not in quiet_quotes:
                diagnostics.error(claim.field_locs[f"quotes:{quote_id}"], "unknown-quote",
                                  f"quote '{quote_id}' is not in this document's quotes.yml",
                                  suggestion(quote_id, quote_ids) or "give the id of a quote of the same document")
        result = resolve_anchor(claim.anchor, index, diagnostics, f"claim '{claim.id}'")
        if claimant is None or None in about or not result.ok:
            continue
        claims.append(ResolvedClaim(claim, document.id, result.spans[0], claimant, tuple(about)))

    quotes = []
    for quote in layers.quotes:
        speaker = _entity(entities, quote.speaker, quote.field_locs["speaker"], "speaker", diagnostics,
                          quiet_entities)
        result = resolve_anchor(quote.anchor, index, diagnostics, f"quote '{quote.id}'")
        if speaker is None or not result.ok:
            continue
        quotes.append(ResolvedQuote(quote, document.id, result.spans[0], speaker))

    claims.sort(key=lambda c: (c.span.start, -c.span.end, c.id))
    quotes.sort(key=lambda q: (q.span.start, -q.span.end, q.id))
    return ResolvedDocument(document, tuple(resolved_mentions), tuple(claims), tuple(quotes))


def layer_ids(corpus: Corpus) -> list[tuple[str, str, Location]]:
    """(kind, id, place) of every claim and quote, in document order."""
    return [(kind, item.id, item.field_locs["id"])
            for doc_id in sorted(corpus.layers)
            for kind, items in (("claim", corpus.layers[doc_id].claims), ("quote", corpus.layers[doc_id].quotes))
            for item in items]


def check_unique_ids(ids: list[tuple[str, str, Location]], diagnostics: Diagnostics) -> None:
    """Claim ids, and quote ids, are unique across the corpus: each repeat is reported."""
    first: dict[tuple[str, str], Location] = {}
    for kind, ident, loc in ids:
        if (kind, ident) in first:
            diagnostics.error(loc, "duplicate-id", f"{kind} id '{ident}' is already used at {first[kind, ident]}",
                              f"{kind} ids are unique across the corpus; add a distinguishing word")
        else:
            first[kind, ident] = loc


def _check_unique_ids(corpus: Corpus, diagnostics: Diagnostics) -> None:
    check_unique_ids(layer_ids(corpus), diagnostics)


def resolve_corpus(corpus: Corpus, diagnostics: Diagnostics) -> ResolvedCorpus:
    _check_unique_ids(corpus, diagnostics)
    return ResolvedCorpus(dict(sorted(corpus.entities.items())), resolve_documents(corpus, diagnostics))


def resolve_documents(corpus: Corpus, diagnostics: Diagnostics) -> list[ResolvedDocument]:
    """Every loaded document resolved, in id order."""
    documents = []
    quiet_entities = _Everything() if corpus.registry_missing else corpus.broken_entities
    for doc_id in sorted(corpus.documents):
        layers = corpus.layers.get(doc_id, Layers(doc_id))
        documents.append(resolve_document(corpus.documents[doc_id], layers, corpus.entities, diagnostics,
                                          quiet_entities, corpus.broken_quotes.get(doc_id, frozenset())))
    return documents


@contextmanager
def without_cycle_collection():
    """Loading makes millions of objects and no garbage cycles worth collecting; Python's
    cycle collector, triggered by the allocations, walked them again and again (a quarter
    of the loading time at 1,000 documents). It runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_and_resolve(project: Project, workers: int = 1) -> tuple[ResolvedCorpus | None, Diagnostics]:
    """Load and resolve the whole project; ``None`` when any error was found. With
    ``workers`` > 1, the documents are loaded and resolved by that many processes
    (parallel_load.py): the same corpus and the same problems, sooner."""
    with without_cycle_collection():
        return _load_and_resolve(project, workers)


def _load_and_resolve(project: Project, workers: int) -> tuple[ResolvedCorpus | None, Diagnostics]:
    if workers > 1:
        from .parallel_load import load_and_resolve_in_parts

        loaded = load_and_resolve_in_parts(project, workers)
        if loaded is not None:
            return loaded
    corpus, diagnostics = load_corpus(project)
    resolved = resolve_corpus(corpus, diagnostics)
    if diagnostics.has_errors():
        return None, diagnostics
    return resolved, diagnostics


def require(project: Project) -> tuple[ResolvedCorpus, Diagnostics]:
    resolved, diagnostics = load_and_resolve(project)
    if resolved is None:
        raise CorpusError(diagnostics)
    return resolved, diagnostics
