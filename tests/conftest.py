"""Shared fixtures: small inline fixture projects."""

from __future__ import annotations

import pytest

from corpus_fixtures import fixture_files, write_files


@pytest.fixture
def make_project(tmp_path):
    """Write a fixture project: ``make_project({"corpus/x.txt": "..."})`` (merged with the defaults)."""

    def make(files: dict[str, str | bytes | None] | None = None, base: bool = True) -> Path:
        content = fixture_files() if base else {}
        for rel, value in (files or {}).items():
            if value is None:
                content.pop(rel, None)
            else:
                content[rel] = value
        return write_files(tmp_path / "project", content)

    return make
