"""A fixture project with script payloads in every free-text and metadata field."""

from __future__ import annotations

from pathlib import Path

from corpus_fixtures import FIXTURE_MKDOCS, write_files

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "\"><svg onload=alert(3)>",
    "javascript:alert(4)",
    "[link](javascript:alert(5))",
    "<a href=\"data:text/html,<script>alert(6)</script>\">x</a>",
    "{{ 7*7 }}{% raw %}",
    "</title></textarea><script>alert(8)</script>",
    "'--!><!--<script>alert(9)</script>-->",
    "*em* _u_ # h `c` <b onmouseover=alert(10)>b</b>",
    "&lt;script&gt;alert(11)&lt;/script&gt;",
]
PAYLOAD = " ".join(PAYLOADS)


def yaml_text(value: str) -> str:
    """A double-quoted YAML scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_files() -> dict[str, str]:
    p = yaml_text(PAYLOAD)
    text = f"عنوان {PAYLOAD}\n\nقال أنونيموس المغرب: {PAYLOAD} والحكومة ترد.\n"
    return {
        "mkdocs.yml": FIXTURE_MKDOCS,
        "docs/index.md": "# فهرس\n\n[الوثائق](corpus/index.md)\n",
        "annotations/entities.yml": (
            "entities:\n"
            f"  - id: anonymous-morocco\n    type: group\n    name: {yaml_text('أنونيموس ' + PAYLOAD)}\n"
            f"    label: {p}\n    aliases: [{p}, {p}]\n    description: {p}\n    description_ar: {p}\n"
            f"  - id: moroccan-government\n    type: organisation\n    name: {p}\n    label: {p}\n"),
        "corpus/evil.txt": text,
        "corpus/evil.yml": (
            f"title: {yaml_text('عنوان ' + PAYLOAD)}\ntitle_en: {p}\nsource: {p}\nsource_en: {p}\n"
            f"author: {p}\nauthor_en: {p}\norigin: {p}\nsummary_en: {p}\nheadline: true\n"
            f"url: \"https://example.org/?a=1&b=2\"\n"
            f"date:\n  earliest: \"2012-02-02\"\n  latest: \"2012-02-29\"\n  note: {p}\n"),
        "annotations/evil/mentions.yml": (
            "mentions:\n"
            f"  - entity: anonymous-morocco\n    quote: \"أنونيموس المغرب\"\n    note: {p}\n"
            f"  - entity: moroccan-government\n    quote: {yaml_text(PAYLOADS[0])}\n    occurrence: 2\n"
            f"  - entity: moroccan-government\n    quote: \"الحكومة\"\n"),
        "annotations/evil/claims.yml": (
            "claims:\n"
            f"  - id: evil-claim\n    claimant: anonymous-morocco\n    kind: threat\n    status: attributed\n"
            f"    about: [moroccan-government]\n    summary: {p}\n    summary_en: {p}\n    note: {p}\n"
            f"    quotes: [evil-quote]\n    start: \"قال\"\n    end: \"ترد.\"\n"),
        "annotations/evil/quotes.yml": (
            "quotes:\n"
            f"  - id: evil-quote\n    speaker: anonymous-morocco\n    kind: direct\n    channel: social-media-post\n"
            f"    via: {p}\n    note: {p}\n    quote: {yaml_text(PAYLOAD)}\n    occurrence: 2\n"),
    }


def write_hostile_project(root: Path) -> Path:
    return write_files(root, hostile_files())
