"""site_url comes from the environment (!ENV SITE_URL), for MkDocs and for the export IRIs."""

from build_tools.export import read_site_url


def test_site_url_follows_the_environment(tmp_path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nsite_url: !ENV SITE_URL\n", encoding="utf-8")
    monkeypatch.delenv("SITE_URL", raising=False)
    assert read_site_url(tmp_path) is None
    monkeypatch.setenv("SITE_URL", "https://example.org/corpus/")
    assert read_site_url(tmp_path) == "https://example.org/corpus/"


def test_env_tag_with_a_default(tmp_path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text("site_url: !ENV [NOT_SET_HERE, 'https://d.example/']\n", encoding="utf-8")
    monkeypatch.delenv("NOT_SET_HERE", raising=False)
    assert read_site_url(tmp_path) == "https://d.example/"


def test_repository_config_reads_site_url_from_the_environment():
    from corpus_fixtures import REPO

    assert "site_url: !ENV SITE_URL" in (REPO / "mkdocs.yml").read_text(encoding="utf-8")
