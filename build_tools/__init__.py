"""Annotated Arabic corpus publisher: raw texts + YAML annotation layers -> static site."""

__version__ = "0.1.0"
