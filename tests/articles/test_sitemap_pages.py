"""The sitemap is one file while its addresses fit one file (1,000), and an index of
numbered pages per section once they do not: every address listed once either way, and
neither the index nor a page reads more records than it lists."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.sitemaps import InEveryLanguage

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

    monkeypatch.setattr(InEveryLanguage, "limit", 4)  # as if 1,000 were 4
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
    monkeypatch.setattr(InEveryLanguage, "limit", 4)
    assert client.get("/sitemap-articles.xml?p=9").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_file_holds_at_most_a_thousand_addresses():
    assert InEveryLanguage.limit == 1000


def test_the_index_and_a_page_read_only_what_they_list(
    client, clinic_content, settings, monkeypatch
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr(InEveryLanguage, "limit", 4)
    client.get("/sitemap.xml")  # the Site and the content types, cached once per process
    with CaptureQueriesContext(connection) as index:
        assert "<sitemapindex" in addresses(client, "/sitemap.xml")
    with CaptureQueriesContext(connection) as page:
        assert len(LOC.findall(addresses(client, "/sitemap-articles.xml?p=2"))) == 2
    index_sql = [query["sql"] for query in index]
    # The index counts each section and asks its latest change: no record is read.
    assert all("COUNT(" in sql or "MAX(" in sql for sql in index_sql), index_sql
    # The second page of articles (the third in both languages) reads that one record.
    reads = [query["sql"] for query in page if "COUNT(" not in query["sql"]]
    assert len(reads) == 1, reads
    assert "LIMIT 1 OFFSET 2" in reads[0]
