"""The sitemap is one file while its addresses fit the protocol's limit, and an index of
numbered pages per section once they do not: every address listed once either way."""

import re

import pytest
from django.contrib.sitemaps import Sitemap

pytestmark = pytest.mark.django_db
LOC = re.compile(r"<loc>([^<]+)</loc>")
SITE = re.compile(r"^https?://[^/]+")


def addresses(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_past_the_limit_the_sitemap_is_an_index_of_pages(
    client, clinic_content, settings, monkeypatch
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    single = addresses(client, "/sitemap.xml")
    assert "<urlset" in single
    every = LOC.findall(single)
    assert len(every) > 4

    monkeypatch.setattr(Sitemap, "limit", 4)  # as if 50,000 were 4
    index = addresses(client, "/sitemap.xml")
    assert "<sitemapindex" in index
    pages = LOC.findall(index)
    paths = [SITE.sub("", page) for page in pages]
    assert "/sitemap-articles.xml" in paths
    assert "/sitemap-articles.xml?p=2" in paths  # 3 articles x 2 languages
    listed = []
    for page in paths:
        urlset = addresses(client, page)
        assert "<urlset" in urlset
        locations = LOC.findall(urlset)
        assert len(locations) <= 4
        assert not locations or 'hreflang="th"' in urlset  # the team's are empty here
        listed += locations
    assert sorted(listed) == sorted(every)


def test_a_page_past_the_last_is_a_404(client, clinic_content, monkeypatch):
    monkeypatch.setattr(Sitemap, "limit", 4)
    assert client.get("/sitemap-articles.xml?p=9").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
