"""Small inline fixture projects and the repository root, shared by the tests.

Named apart from conftest.py so that test modules can import it unambiguously
(tests/browser has a conftest.py of its own)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"

FIXTURE_MKDOCS = """\
site_name: Fixture corpus
use_directory_urls: true
theme:
  name: material
  language: ar
  direction: rtl
  font: false
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - attr_list
  - md_in_html
nav:
  - index.md
  - corpus/index.md
  - corpus/entities/index.md
  - corpus/claims.md
  - corpus/quotes.md
not_in_nav: |
  /corpus/
validation:
  links:
    not_found: warn
    anchors: warn
"""

REGISTRY = """\
entities:
  - id: anonymous-morocco
    type: group
    name: "أنونيموس المغرب"
    label: Anonymous Morocco
  - id: morocco
    type: place
    name: "المغرب"
    label: Morocco
    wikidata: Q1028
  - id: moroccan-government
    type: organisation
    name: "الحكومة المغربية"
    label: Moroccan government
"""

TEXT = "عنوان الخبر\n\nقال “أنونيموس المغرب” إن الحكومة المغربية تكذب.\n\u00a0\nوردت الحكومة بالمغرب.\n"

META = """\
title: "عنوان الخبر"
language: ar
headline: true
date:
  earliest: "2012-02-02"
  latest: "2012-02-29"
  note: "approximate"
"""

MENTIONS = """\
mentions:
  - entity: anonymous-morocco
    quote: "أنونيموس المغرب"
  - entity: moroccan-government
    quote: "الحكومة المغربية"
  - entity: morocco
    quote: "المغرب"
    prefix: "ب"
    suffix: "."
"""

CLAIMS = """\
claims:
  - id: government-lies
    claimant: anonymous-morocco
    kind: accusation
    status: attributed
    about: [moroccan-government]
    summary: "الحكومة تكذب"
    quotes: [government-lies-quote]
    start: "قال"
    end: "تكذب."
"""

QUOTES = """\
quotes:
  - id: government-lies-quote
    speaker: anonymous-morocco
    kind: reported
    channel: written-statement
    quote: "الحكومة المغربية تكذب"
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def fixture_files(**overrides: str | bytes | None) -> dict[str, str | bytes]:
    """A small valid project; pass ``path=None`` to drop a file or ``path=text`` to replace it."""
    files: dict[str, str | bytes] = {
        "mkdocs.yml": FIXTURE_MKDOCS,
        "docs/index.md": "# فهرس\n\n[الوثائق](corpus/index.md)\n",
        "annotations/entities.yml": REGISTRY,
        "corpus/sample.txt": TEXT,
        "corpus/sample.yml": META,
        "annotations/sample/mentions.yml": MENTIONS,
        "annotations/sample/claims.yml": CLAIMS,
        "annotations/sample/quotes.yml": QUOTES,
    }
    for key, value in overrides.items():
        path = key.replace("__", "/").replace("_DOT_", ".")
        if value is None:
            files.pop(path, None)
        else:
            files[path] = textwrap.dedent(value) if isinstance(value, str) else value
    return files


def fake_pagefind(tmp_path: Path, fails_at: str) -> Path:
    """A ``pagefind --service`` that answers as Pagefind does until a request of type
    ``fails_at``, which gets an error response."""
    script = tmp_path / "fake-pagefind"
    script.write_text(f"""#!{sys.executable}
import base64, json, sys
ANSWERS = {{"NewIndex": {{"type": "NewIndex", "index_id": 0}},
           "AddFile": {{"type": "IndexedFile", "page_word_count": 1, "page_url": "/", "page_meta": {{}}}}}}
message = b""
while byte := sys.stdin.buffer.read(1):
    if byte != b",":
        message += byte
        continue
    request = json.loads(base64.b64decode(message))
    message = b""
    kind = request["payload"]["type"]
    answer = ANSWERS.get(kind) if kind != {fails_at!r} else {{"type": "Error", "message": "no space left on device"}}
    sys.stdout.buffer.write(base64.b64encode(json.dumps({{"message_id": request["message_id"], "payload": answer}}).encode()) + b",")
    sys.stdout.buffer.flush()
""", encoding="utf-8")
    script.chmod(0o755)
    return script
