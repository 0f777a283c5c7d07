"""A hub: several collections, each built as a site of its own, published under one address.

A corpus too large for one build is split into collections. Each is a project of its own
(``corpus/``, ``annotations/`` with its registry, ``mkdocs.yml`` whose ``site_url`` is the
collection's address under the hub), built by ``corpus build`` in a CI job of its own. The
hub then puts each collection's built site under the collection's folder name and writes
an index page listing them with their counts (``corpus/exports/summary.json`` of each
site) and a search over all of them (each site's Pagefind index, merged in the browser by
the sites' own search script), the pages of the entities several collections name, linking
each collection's page of them, whose first page in each collection links the others
(hub_entities.py), a machine-readable ``collections.json``
and ``entities.json`` and, when the hub's address is known, a sitemap index pointing at
each collection's sitemap.

Nothing here knows MkDocs: a collection is a folder with a ``mkdocs.yml`` (its title and
address) and a built site; its files are linked (copied across file systems), never changed:
the entity pages that get links to the other collections are new files in the hub.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape


from . import hub_entities
from .export import FORMAT_VERSION, SUMMARY_FORMAT, SUMMARY_JSON, normalise_base, read_site_setting
from .hub_entities import Entry, SharedEntity
from .loading import is_slug
from .pages import environment
from .site import SiteError, link_tree, replacing

HUB_FORMAT = "arabic-corpus-publisher/collections"
COUNTED = ("documents", "entities", "mentions", "claims", "quotes")
DEFAULT_TITLE = "مجموعات المدونة"
SEARCH_SCRIPT = "assets/javascripts/search.js"     # the search page's module, in each site
HUB_SITEMAP = "sitemap-hub.xml"      # the hub's own pages (its index, the shared entities)
SEARCH_ENTRY = "pagefind/pagefind-entry.json"       # a search index's version and languages


class HubError(Exception):
    """Problems with the collections given; the message lists every one of them."""


@dataclass(frozen=True)
class Collection:
    """A collection as the hub lists it."""

    root: Path                  # its folder, as given
    name: str                   # its folder name: its path under the hub
    title: str                  # ``site_name`` of its mkdocs.yml (its name when unset)
    site_url: str | None        # ``site_url`` of its mkdocs.yml
    site: Path                  # its built site
    summary: dict = field(repr=False)    # its summary.json
    entries: tuple[Entry, ...] = field(repr=False, default=())    # its entities with a mention

    def count(self, what: str) -> int:
        return self.summary[what]

    @property
    def searchable(self) -> bool:
        """Whether its site has a search index, and the search page's script that reads it."""
        return (self.site / "pagefind/pagefind.js").is_file() and (self.site / SEARCH_SCRIPT).is_file()

    def search_version(self) -> str | None:
        """The Pagefind version that made its search index (``pagefind-entry.json``); None
        when that file cannot be read."""
        try:
            version = json.loads((self.site / SEARCH_ENTRY).read_text(encoding="utf-8")).get("version")
        except (OSError, UnicodeDecodeError, ValueError, AttributeError):
            return None
        return version if isinstance(version, str) else None


def read_collection(root: Path, site_dir: str = "site") -> tuple[Collection | None, list[str]]:
    """The collection in ``root`` with its site built in ``root/site_dir``; or None and
    what is wrong, each problem with how to mend it."""
    shown = root.as_posix()
    if not root.is_dir():
        return None, [f"{shown}: no such folder; give the folder of a collection (its mkdocs.yml, corpus/, "
                      "annotations/)"]
    name = root.resolve().name
    problems = []
    if not is_slug(name):
        problems.append(f"{shown}: the folder name {name!r} is the collection's path under the hub and must be "
                        "lowercase ASCII letters and digits joined by hyphens; rename the folder")
    site = root / site_dir
    summary_path = site / SUMMARY_JSON
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, problems + [f"{summary_path.as_posix()}: not found; build the collection first "
                                 f"('corpus build --root {shown}')"]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, problems + [f"{summary_path.as_posix()}: unreadable ({exc}); build the collection again"]
    if not _is_summary(summary):
        return None, problems + [f"{summary_path.as_posix()}: not a summary this version reads (format "
                                 f"{SUMMARY_FORMAT} {FORMAT_VERSION}); build the collection again with it"]
    entries, found = hub_entities.read_entries(name, site)
    problems += found
    if problems:
        return None, problems
    title = read_site_setting(root, "site_name") or name
    return Collection(root, name, title, read_site_setting(root, "site_url"), site, summary, tuple(entries)), []


def _is_summary(data) -> bool:
    return (isinstance(data, dict) and data.get("format") == SUMMARY_FORMAT
            and data.get("version") == FORMAT_VERSION
            and all(type(data.get(what)) is int and data[what] >= 0 for what in COUNTED))


def check_collections(collections: list[Collection], hub_url: str | None) -> list[str]:
    """Problems between the collections: a name used twice; with the hub's address known, a
    collection whose ``site_url`` is not its address under the hub (its exports' IRIs, its
    sitemap and its canonical links would point elsewhere)."""
    problems = []
    seen: dict[str, Collection] = {}
    for collection in collections:
        if collection.name == hub_entities.FOLDER:
            problems.append(f"{collection.root.as_posix()}: a collection cannot be named "
                            f"{hub_entities.FOLDER!r}: the hub's pages of shared entities are there; rename the folder")
        first = seen.setdefault(collection.name, collection)
        if first is not collection:
            problems.append(f"two collections are named {collection.name!r} ({first.root.as_posix()} and "
                            f"{collection.root.as_posix()}); a collection's folder name is its path under "
                            "the hub: rename one folder")
    problems += _search_problems([c for c in collections if c.searchable])
    if hub_url:
        for collection in collections:
            expected = address(hub_url, collection.name)
            found = normalise_base(collection.site_url) if collection.site_url else None
            if found != expected:
                problems.append(f"{(collection.root / 'mkdocs.yml').as_posix()}: site_url is "
                                f"{collection.site_url or 'unset'}, but the collection is published at "
                                f"{expected}; set 'site_url: {expected}' and build it again")
    return problems


def _search_problems(searched: list[Collection]) -> list[str]:
    """The hub's search loads the first collection's Pagefind script and merges the others'
    indexes into it: indexes made by other Pagefind versions may not read alike."""
    versions = {c.name: c.search_version() for c in searched}
    unknown = [c for c in searched if versions[c.name] is None]
    problems = [f"{(c.site / SEARCH_ENTRY).as_posix()}: unreadable, or without the version of Pagefind that "
                "made it; build the collection again" for c in unknown]
    if not unknown and len(set(versions.values())) > 1:
        made = ", ".join(f"{name} {version}" for name, version in versions.items())
        problems.append(f"the collections' search indexes were made by different Pagefind versions ({made}); the "
                        "hub's search reads them all with one version's script: build every collection with the "
                        "same version of this tool")
    return problems


def titles(collections: list[Collection]) -> dict[str, str]:
    """Each collection's title, by name: how the hub's pages name a collection."""
    return {c.name: c.title for c in collections}


def address(hub_url: str, name: str) -> str:
    """A collection's address under the hub: ``<hub_url>/<name>/``."""
    return normalise_base(hub_url) + name + "/"


@dataclass(frozen=True)
class Hub:
    """What a hub was made of: its collections, and the entities more than one names."""

    collections: list[Collection]
    shared: list[SharedEntity]
    linked_pages: int = 0       # collections' entity pages that link the same entity elsewhere


def hub_files(collections: list[Collection], shared: list[SharedEntity], title: str,
              hub_url: str | None) -> dict[str, str]:
    """The hub's own files: ``index.html``, ``collections.json``, the shared entities'
    pages and ``entities.json`` and, with its address, ``sitemap.xml`` (a sitemap index of
    the collections' sitemaps and of ``sitemap-hub.xml``, the hub's own pages)."""
    totals = {what: sum(c.count(what) for c in collections) for what in COUNTED}
    searched = [c for c in collections if c.searchable]
    files = {
        "index.html": environment().get_template("hub.html.j2").render(
            title=title, collections=collections, totals=totals, counted=COUNTED, shared=len(shared),
            search_sites=[{"path": c.name + "/", "title": c.title} for c in searched],
            search_script=f"{searched[0].name}/{SEARCH_SCRIPT}" if searched else None),
        "collections.json": json.dumps({
            "format": HUB_FORMAT, "version": FORMAT_VERSION, "title": title,
            "collections": [{
                "name": c.name, "title": c.title, "path": c.name + "/",
                "url": address(hub_url, c.name) if hub_url else None,
                "summary": c.summary,
            } for c in collections],
        }, ensure_ascii=False, indent=2) + "\n",
    }
    files.update(hub_entities.entity_files(shared, titles(collections), title, environment()))
    if hub_url:
        base = normalise_base(hub_url)
        pages = "".join(f"  <url><loc>{xml_escape(base + path.removesuffix('index.html'))}</loc></url>\n"
                        for path in files if path.endswith("index.html"))
        files[HUB_SITEMAP] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                              '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                              f"{pages}</urlset>\n")
        entries = f"  <sitemap><loc>{xml_escape(base + HUB_SITEMAP)}</loc></sitemap>\n"
        entries += "".join(f"  <sitemap><loc>{xml_escape(address(hub_url, c.name))}sitemap.xml</loc>"
                           "</sitemap>\n" for c in collections if (c.site / "sitemap.xml").is_file())
        files["sitemap.xml"] = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                                f"{entries}</sitemapindex>\n")
    return files


def join(roots: list[Path], out: Path, title: str | None = None, hub_url: str | None = None,
         site_dir: str = "site") -> Hub:
    """Publish the collections in ``roots`` (each with its site built in ``site_dir``) as one
    hub in ``out``. Every problem is reported at once and nothing is written then; the hub
    is made in a scratch folder that replaces ``out`` only when complete."""
    collections, problems = [], []
    for root in roots:
        collection, found = read_collection(root, site_dir)
        problems += found
        if collection is not None:
            collections.append(collection)
    problems += check_collections(collections, hub_url)
    target = out.resolve()
    for collection in collections:
        site = collection.site.resolve()
        if target == site or site in target.parents or target in site.parents:
            problems.append(f"{out.as_posix()}: the hub cannot be written in or around the site of "
                            f"{collection.name!r} ({collection.site.as_posix()}); choose another --site-dir")
    if not roots:
        problems.append("no collection given; name the folders of the collections to join")
    if problems:
        raise HubError("\n".join(problems))
    shared = hub_entities.shared_entities([entry for c in collections for entry in c.entries])
    try:
        with replacing(out) as scratch:
            for collection in collections:
                link_tree(collection.site, scratch / collection.name)
            for name, text in hub_files(collections, shared, title or DEFAULT_TITLE, hub_url).items():
                (scratch / name).parent.mkdir(parents=True, exist_ok=True)
                (scratch / name).write_text(text, encoding="utf-8")
            linked = hub_entities.link_entity_pages(scratch, shared, titles(collections))
    except OSError as exc:
        raise SiteError(f"the hub could not be written: {exc}; the previous hub is untouched") from exc
    return Hub(collections, shared, linked)
