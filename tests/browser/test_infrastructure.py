"""The browser fixtures themselves: the site builds, is served locally, and loads."""

from __future__ import annotations


def test_home_page_loads_from_localhost_only(page, site_url):
    response = page.goto(site_url)
    assert response is not None and response.ok
    assert page.locator("body").get_attribute("dir") == "rtl"
    assert page.requests, "the page fixture records requests"
    assert all(url.startswith(site_url) or url.startswith("data:") for url in page.requests)


def test_document_page_loads(page, site_url, built_site):
    assert (built_site / "corpus/documents/nadortoday-2012-cyberwar/index.html").exists()
    page.goto(site_url + "corpus/documents/nadortoday-2012-cyberwar/")
    assert page.locator(".doc-text #p-3").count() == 1
