"""The entities that several collections of a hub name: one row each, linking the page
every collection has for it.

Each collection has its own registry and its pages are built without knowing the others,
so nothing in a collection links to the same entity elsewhere. The hub reads each
collection's entity table (``corpus/exports/entities.csv``, with its counts) and links
the entries that are one entity:

- entries with the same Wikidata id;
- entries with the same registry id, type and name (collections cut from one corpus share
  its registry), unless their Wikidata ids differ.

Nothing else is guessed: entries of one name under different ids stay apart, as do
entries of one id whose names or types differ. Only entries with at least one mention
count (with a shared registry, every collection lists every entity).

The rows are paginated (``PAGE_SIZE``): no page grows with the number of entities.

The first page of each of these entities in each collection gets, in the hub's copy only,
a row of its card linking the same entity's pages in the other collections and its row in
the hub's table (:func:`link_entity_pages`): the card has a slot for it (``pages.HUB_SLOT``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import urls
from .export import CSV_COLUMNS, FORMAT_VERSION, csv_path
from .loading import WIKIDATA, is_slug
from .model import ENTITY_TYPES
from .output import write_atomic
from .pages import HUB_SLOT

from markupsafe import Markup, escape

if TYPE_CHECKING:
    import jinja2

FORMAT = "arabic-corpus-publisher/shared-entities"
FOLDER = "entities"          # the pages, under the hub
JSON_FILE = "entities.json"
PAGE_SIZE = 100
RULE = ("entries with the same Wikidata id; or with the same registry id, type and name and no "
        "differing Wikidata ids; each with at least one mention")


@dataclass(frozen=True)
class Entry:
    """One entity of one collection's entity table."""

    collection: str          # the collection's name: its folder under the hub
    id: str
    type: str
    name: str
    wikidata: str
    mentions: int
    documents: int

    @property
    def path(self) -> str:
        """Its page, from the hub's root."""
        return f"{self.collection}/{urls.page_url(urls.entity_page(self.id))}"


@dataclass(frozen=True)
class SharedEntity:
    """Entries of several collections that are one entity, in the collections' order."""

    entries: tuple[Entry, ...]

    @property
    def anchor(self) -> str:
        """The id of its row in the hub's table: its first entry's collection and id, apart
        by two hyphens, which no slug has (collection ``a-b`` with entity ``c`` is not
        collection ``a`` with entity ``b-c``)."""
        first = self.entries[0]
        return f"shared-{first.collection}--{first.id}"

    @property
    def name(self) -> str:
        return self.entries[0].name

    @property
    def type(self) -> str:
        return self.entries[0].type

    @property
    def wikidata(self) -> str:
        return next((e.wikidata for e in self.entries if e.wikidata), "")

    @property
    def collections(self) -> int:
        return len({e.collection for e in self.entries})

    @property
    def documents(self) -> int:
        return sum(e.documents for e in self.entries)


def read_entries(collection: str, site: Path) -> tuple[list[Entry], list[str]]:
    """The entries of ``site``'s entity table that have a mention; or the problems of the
    table, each with its place and how to mend it."""
    path = site / csv_path("entities")
    shown = path.as_posix()
    rebuild = "build the collection again with this version"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return [], [f"{shown}: not found; {rebuild}"]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"{shown}: unreadable ({exc}); {rebuild}"]
    columns = CSV_COLUMNS["entities"]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or tuple(header) != columns:
            return [], [f"{shown}:1: not the entity table this version writes (columns {', '.join(columns)}); "
                        f"{rebuild}"]
        entries, problems = [], []
        for row in reader:
            entry, problem = _entry(collection, row, columns)
            if problem:
                problems.append(f"{shown}:{reader.line_num}: {problem}; {rebuild}")
            elif entry.mentions:
                entries.append(entry)
    except csv.Error as exc:
        return [], [f"{shown}:{reader.line_num}: not CSV ({exc}); {rebuild}"]
    return entries, problems


def _entry(collection: str, row: list[str], columns: tuple[str, ...]) -> tuple[Entry | None, str | None]:
    """One row as an entry, or what is wrong with it."""
    if len(row) != len(columns):
        return None, f"{len(row)} cells where the header has {len(columns)}"
    cells = dict(zip(columns, row))
    if not is_slug(cells["id"]):
        return None, f"the id {cells['id']!r} is not an entity id"
    if cells["type"] not in ENTITY_TYPES:
        return None, f"the type {cells['type']!r} is not an entity type"
    if cells["wikidata"] and not WIKIDATA.fullmatch(cells["wikidata"]):
        return None, f"{cells['wikidata']!r} is not a Wikidata id"
    if not (cells["mentions"].isascii() and cells["mentions"].isdigit()
            and cells["documents"].isascii() and cells["documents"].isdigit()):
        return None, "the mentions and documents cells are not counts"
    return Entry(collection, cells["id"], cells["type"], cells["name"], cells["wikidata"],
                 int(cells["mentions"]), int(cells["documents"])), None


def shared_entities(entries: list[Entry]) -> list[SharedEntity]:
    """The entities named in more than one collection (see the module's rule), the most
    widely named first. ``entries`` come in the collections' order."""
    parent = list(range(len(entries)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(members: list[int]) -> None:
        for other in members[1:]:
            parent[find(other)] = find(members[0])

    by_wikidata: dict[str, list[int]] = defaultdict(list)
    by_key: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, entry in enumerate(entries):
        if entry.wikidata:
            by_wikidata[entry.wikidata].append(i)
        by_key[entry.id, entry.type, entry.name].append(i)
    for members in by_wikidata.values():
        join(members)
    for members in by_key.values():
        known = {entries[i].wikidata for i in members if entries[i].wikidata}
        if len(known) <= 1:
            join(members)
        else:               # differing Wikidata ids: only the entries without one are joined
            join([i for i in members if not entries[i].wikidata])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(entries)):
        groups[find(i)].append(i)
    shared = [SharedEntity(tuple(entries[i] for i in sorted(members))) for members in groups.values()]
    shared = [s for s in shared if s.collections > 1]
    shared.sort(key=lambda s: (-s.collections, -s.documents, s.name, s.entries[0].collection, s.entries[0].id))
    return shared


def page_path(number: int) -> str:
    """Page ``number`` of the shared entities, from the hub's root."""
    return f"{FOLDER}/index.html" if number == 1 else f"{FOLDER}/{number}/index.html"


def entity_files(shared: list[SharedEntity], titles: dict[str, str], hub_title: str,
                 environment: jinja2.Environment) -> dict[str, str]:
    """The pages of the shared entities (none when there are none) and ``entities.json``;
    ``titles``: each collection's title, by name."""
    files = {}
    count = -(-len(shared) // PAGE_SIZE)
    template = environment.get_template("hub_entities.html.j2")
    for number in range(1, count + 1):
        root = "../" if number == 1 else "../../"
        files[page_path(number)] = template.render(
            hub_title=hub_title, rows=shared[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], total=len(shared),
            titles=titles, root=root, number=number, count=count, types=ENTITY_TYPES, entry_link=entry_link,
            first=(number - 1) * PAGE_SIZE + 1,
            previous=root + page_path(number - 1).removesuffix("index.html") if number > 1 else None,
            following=root + page_path(number + 1).removesuffix("index.html") if number < count else None)
    files[JSON_FILE] = json.dumps({
        "format": FORMAT, "version": FORMAT_VERSION, "rule": RULE,
        "entities": [{
            "name": s.name, "type": s.type, "wikidata": s.wikidata or None,
            "in": [{"collection": e.collection, "id": e.id, "name": e.name, "path": e.path,
                    "mentions": e.mentions, "documents": e.documents} for e in s.entries],
        } for s in shared],
    }, ensure_ascii=False, indent=2) + "\n"
    return files


def entry_link(entry: Entry, root: str, titles: dict[str, str], name: str) -> Markup:
    """An entry as the hub links it, from a page ``root`` below the hub's root: its
    collection's title (linked to its page there), its name there when it is not ``name``,
    its counts there. Every text escaped. (The table's rows and the entity pages' card row.)"""
    named = Markup(" (<bdi>%s</bdi>)") % entry.name if entry.name != name else ""
    return Markup('<a href="%s"><bdi>%s</bdi></a>%s: %d إحالة في %d وثيقة') % (
        root + entry.path, titles[entry.collection], named, entry.mentions, entry.documents)


def elsewhere_row(shared: SharedEntity, entry: Entry, titles: dict[str, str], row_page: str) -> str:
    """The card row that ``entry``'s page gets in the hub: the same entity's page in each
    other collection (:func:`entry_link`), and its row in the hub's table (``row_page``,
    from the hub's root)."""
    up = "../" * entry.path.count("/")          # from the entry's page up to the hub's root
    links = Markup("؛ ").join(entry_link(other, up, titles, entry.name) for other in shared.entries
                               if other.collection != entry.collection)
    table = escape(up + row_page.removesuffix("index.html") + "#" + shared.anchor)
    return (f'<div class="hub-elsewhere"><dt>في مجموعات أخرى</dt><dd>{links} '
            f'(<a href="{table}">جدول الكيانات المشتركة</a>)</dd></div>')


def link_entity_pages(hub: Path, shared: list[SharedEntity], titles: dict[str, str]) -> int:
    """Put :func:`elsewhere_row` into the slot of the first page of each shared entity of
    each collection under ``hub``; returns how many pages got it. Each such page is
    written anew (the collections' own files, which the hub links, keep their bytes). A
    page without the slot (a site built by an older version), or not UTF-8, is left as it is."""
    changed = 0
    for number, entity in enumerate(shared):
        row_page = page_path(number // PAGE_SIZE + 1)
        for entry in entity.entries:
            page = hub / entry.path / "index.html"
            try:
                text = page.read_text(encoding="utf-8")
            except (FileNotFoundError, UnicodeDecodeError):       # no such page, or not one of ours
                continue
            if HUB_SLOT not in text:
                continue
            text = text.replace(HUB_SLOT, elsewhere_row(entity, entry, titles, row_page), 1)
            write_atomic(page, text.encode("utf-8"))      # a new file: the link to the collection's is dropped
            changed += 1
    return changed
