"""The MkDocs plugin ``corpus-publisher``: with site.py, the only code that knows MkDocs.

Generated pages mark their HTML blocks (see rawhtml.py). This plugin keeps those blocks
away from Python-Markdown's HTML parsers and puts them back after the conversion, and
tells MkDocs the ids inside them, so that its check of links to fragments still sees
them. Without the plugin (or with another generator) the same pages build to the same
HTML, only slower.
"""

from __future__ import annotations

from mkdocs.plugins import BasePlugin

from . import rawhtml


class CorpusPlugin(BasePlugin):
    def __init__(self):
        self._stashes: dict[str, rawhtml.Stash] = {}

    def on_page_markdown(self, markdown, page, config, files):
        text, store = rawhtml.stash(markdown)
        if store.regions:
            self._stashes[page.file.src_uri] = store
        return text

    def on_page_content(self, html, page, config, files):
        store = self._stashes.pop(page.file.src_uri, None)
        if store is None:
            return html
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= rawhtml.anchor_ids(store)
        return rawhtml.restore(html, store)
