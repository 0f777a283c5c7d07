"""The link checker used by the end-to-end tests must itself catch broken links."""

from sitecheck import broken_links


def test_broken_links_finds_missing_files_and_ids(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="a/#here">ok</a>'
                                         '<a href="a/#gone">bad id</a><a href="b/">bad file</a>'
                                         '<a href="https://example.org/">external</a>', encoding="utf-8")
    (tmp_path / "a/index.html").write_text('<p id="here">x</p><a href="../#">top</a>', encoding="utf-8")
    assert broken_links(tmp_path) == ["index.html: a/#gone (no element with that id)", "index.html: b/ (no file)"]
