"""``corpus new``: add a document - its text, its metadata and empty annotation layers.

The text comes from a file or from standard input; the metadata from flags, or from
questions when the command runs in a terminal. Everything is checked before anything is
written (the id, the text, every metadata value, the entity ids it names), nothing that
exists is overwritten, and the files written already pass ``corpus check``.

The text is stored as given, except for what would make it unusable: a byte-order mark is
removed, CRLF/CR line ends become LF, the text is put in Unicode NFC, and a final line end
is added. Each of these is reported. (A text that is already in the corpus is never changed
by any command: annotations point at its characters.)
"""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .anchoring import TextIndex
from .corpus import Project, check_text, load_corpus
from .diagnostics import Diagnostics, Location
from .loading import closest, is_slug, read_meta
from .schema import modeline
from .yamledit import id_scalar, scalar
from .yamlstrict import load_yaml

LAYERS = ("mentions", "claims", "quotes")
META_ORDER = ("title", "title_en", "source", "source_en", "source_entity", "author", "author_en", "author_entity",
              "language", "date", "url", "origin", "headline", "summary_en")
ID_FIELDS = ("source_entity", "author_entity")
QUESTIONS = (
    ("title", "Title, as published (العنوان كما نُشر)", True),
    ("title_en", "Title in English", False),
    ("source", "Source: paper or website, as written (المصدر)", False),
    ("source_en", "Source in Latin script", False),
    ("author", "Author, as written (الكاتب)", False),
    ("author_en", "Author in Latin script", False),
    ("date", "Date: YYYY-MM-DD, or a range YYYY-MM-DD..YYYY-MM-DD", False),
    ("url", "URL (https://…)", False),
)


class ScaffoldError(Exception):
    """Refused: nothing was written. ``diagnostics`` may say more."""

    def __init__(self, message: str, diagnostics: Diagnostics | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or Diagnostics()


@dataclass
class NewDocument:
    doc_id: str
    text: str
    meta: dict
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)


def prepare_text(data: bytes, notes: list[str]) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScaffoldError(f"the text is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                            "save it as UTF-8 first") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
        notes.append("removed the byte-order mark at the start")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append("converted CRLF/CR line ends to LF")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        notes.append("normalised the text to Unicode NFC")
    if text and not text.endswith("\n"):
        text += "\n"
        notes.append("added a line end after the last line")
    return text


def parse_date(value: str, note: str = "") -> dict:
    earliest, _, latest = value.partition("..")
    return {"earliest": earliest.strip(), "latest": (latest or earliest).strip(), **({"note": note} if note else {})}


def meta_yaml(meta: dict, rel: str) -> str:
    lines = [modeline(rel) + "\n"]
    for key in META_ORDER:
        value = meta.get(key)
        if value in (None, "", {}):
            continue
        if key == "date":
            lines.append("date:\n")
            lines += [f"  {k}: {scalar(v)}\n" for k, v in value.items()]
        elif key == "headline":
            lines.append(f"headline: {'true' if value else 'false'}\n")
        elif key in ID_FIELDS or key == "language":
            lines.append(f"{key}: {id_scalar(value)}\n")
        else:
            lines.append(f"{key}: {scalar(value)}\n")
    return "".join(lines)


def layer_yaml(layer: str, rel: str) -> str:
    return f"{modeline(rel)}\n{layer}: []\n"


def files_for(new: NewDocument) -> dict[str, str]:
    doc_id = new.doc_id
    files = {f"corpus/{doc_id}.txt": new.text}
    files[f"corpus/{doc_id}.yml"] = meta_yaml(new.meta, f"corpus/{doc_id}.yml")
    for layer in LAYERS:
        rel = f"annotations/{doc_id}/{layer}.yml"
        files[rel] = layer_yaml(layer, rel)
    return files


def validate(project: Project, new: NewDocument, files: dict[str, str]) -> None:
    """Refuse (with the reasons) anything that would not pass check; write nothing."""
    if not is_slug(new.doc_id):
        raise ScaffoldError(f"{new.doc_id!r} is not a valid document id: lowercase ASCII letters and digits joined "
                            "by hyphens, e.g. 'hespress-2013-elections'")
    existing = [rel for rel in files if (project.root / rel).exists()]
    if (project.root / "annotations" / new.doc_id).exists():
        existing.append(f"annotations/{new.doc_id}/")
    if existing:
        raise ScaffoldError(f"document '{new.doc_id}' exists already ({', '.join(sorted(set(existing)))}); "
                            "nothing was overwritten: choose another id, or edit the files")
    if not project.corpus_dir.is_dir():
        raise ScaffoldError(f"there is no corpus/ folder in {project.root}: run the command from the project "
                            "root, or pass --root")
    diagnostics = Diagnostics()
    text_rel = f"corpus/{new.doc_id}.txt"
    check_text(new.text, TextIndex(new.text, text_rel), diagnostics)
    meta_rel = f"corpus/{new.doc_id}.yml"
    read_meta(load_yaml(files[meta_rel], meta_rel, diagnostics), new.doc_id, meta_rel, diagnostics)
    corpus, _ = load_corpus(project)
    for key in ID_FIELDS:
        value = new.meta.get(key)
        if value and value not in corpus.entities:
            near = closest(value, corpus.entities)
            diagnostics.error(Location(meta_rel), "unknown-entity",
                              f"{key.replace('_', ' ')} '{value}' is not in the entity registry",
                              f"did you mean {', '.join(repr(n) for n in near)}?" if near
                              else "add the entity to annotations/entities.yml first, or leave the flag out")
    if diagnostics.has_errors():
        raise ScaffoldError("the new document would not pass check; nothing was written", diagnostics)
    new.notes.extend(f"warning: {d.message}" for d in diagnostics.warnings)


def write(project: Project, new: NewDocument) -> list[str]:
    files = files_for(new)
    validate(project, new, files)
    written = []
    try:
        for rel, content in files.items():
            path = project.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="\n") as handle:   # never overwrite
                handle.write(content)
            written.append(rel)
    except OSError as exc:
        for rel in written:
            (project.root / rel).unlink(missing_ok=True)
        raise ScaffoldError(f"could not write {rel}: {exc}; nothing was kept") from exc
    new.written = written
    return written


# ---- asking --------------------------------------------------------------------------------

def ask(meta: dict, prompt=None, out=None) -> None:
    """Ask for the metadata not given as flags (empty answer: leave it out)."""
    prompt = prompt or input
    out = out or sys.stderr
    for key, question, required in QUESTIONS:
        if meta.get(key):
            continue
        while True:
            answer = prompt(f"{question}{'' if required else ' [optional]'}: ").strip()
            if answer or not required:
                break
            print("  the title is required", file=out)
        if answer:
            meta[key] = parse_date(answer) if key == "date" else answer
    if "headline" not in meta:
        answer = prompt("Is the first line of the text its headline? [y/N]: ").strip().lower()
        meta["headline"] = answer in ("y", "yes", "نعم", "ن")


def next_steps(doc_id: str) -> list[str]:
    return [
        "next: register the entities the text names in annotations/entities.yml,",
        f"      'corpus suggest {doc_id}' lists registered names that occur in it,",
        f"      annotate in annotations/{doc_id}/ (mentions.yml, claims.yml, quotes.yml),",
        "      then 'corpus check' and 'corpus serve' to preview.",
    ]


def read_text_source(source: str | None, stdin=None) -> bytes:
    stdin = stdin or sys.stdin
    if source and source != "-":
        path = Path(source)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ScaffoldError(f"cannot read {source}: {exc.strerror}") from exc
    if stdin.isatty():
        print("Paste the text, then press Ctrl-D on a new line (Ctrl-Z then Enter on Windows):", file=sys.stderr)
    buffer = getattr(stdin, "buffer", None)
    return buffer.read() if buffer is not None else stdin.read().encode("utf-8")
