"""Every public list comes a page at a time (`?page=N`), whatever the amount of content:
the conditions A–Z, the treatments, and the articles of a condition or a treatment."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.articles.factories import (
    make_article,
    make_condition,
    make_treatment,
    publish,
    publish_thai,
)
from tests.html_checker import assert_valid_html, require_java

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """What the pages show and read, not how the cache keeps them (but see the last test)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def cards(page):
    return re.findall(r'<li class="card"[^>]*>\s*<h\d><a href="[^"]*">([^<]+)</a>', page)


def the_articles_section(page):
    return page.split('<section aria-labelledby="articles">', 1)[1].split("</section>", 1)[0]


def conditions(count, start=0):
    return publish(
        *(
            make_condition(name=f"Condition {n:03}", slug=f"condition-{n:03}")
            for n in range(start, start + count)
        )
    )


def treatments(count, start=0):
    return publish(
        *(
            make_treatment(name=f"Treatment {n:03}", slug=f"treatment-{n:03}")
            for n in range(start, start + count)
        )
    )


def articles_about(record, count, start=0):
    """`count` published articles about `record` (a condition or a treatment), the first
    the newest."""
    topic = "conditions" if record._meta.model_name == "condition" else "treatments"
    now = timezone.now()
    for n in range(start, start + count):
        article = make_article(
            title=f"Article {n:03}", slug=f"article-{n:03}", publish_at=now - timedelta(hours=n)
        )
        getattr(article, topic).add(record)
        publish(article)


def test_the_conditions_a_to_z_come_fifty_to_a_page(client):
    conditions(55)
    first = html(client.get("/conditions/"))
    assert cards(first) == [f"Condition {n:03}" for n in range(50)]
    assert "<span>Page 1 of 2</span>" in first
    assert 'rel="next" href="?page=2">Next page</a>' in first
    assert 'rel="prev"' not in first
    second = html(client.get("/conditions/", {"page": 2}))
    assert cards(second) == [f"Condition {n:03}" for n in range(50, 55)]
    assert "<title>Conditions A–Z · page 2 · Genoma Health</title>" in second
    assert 'rel="prev" href="?page=1">Previous page</a>' in second
    assert 'rel="next"' not in second
    assert client.get("/conditions/", {"page": 3}).status_code == 404
    assert client.get("/conditions/", {"page": "two"}).status_code == 404
    thai = html(client.get("/th/conditions/", {"page": 2}))
    assert 'rel="prev" href="?page=1">หน้าก่อนหน้า</a>' in thai
    assert "<span>หน้า 2 จาก 2</span>" in thai


def test_a_short_list_has_no_page_links(client):
    conditions(3)
    treatments(3)
    for url in ("/conditions/", "/treatments/"):
        assert 'class="pagination"' not in html(client.get(url))


def test_the_treatments_come_twenty_to_a_page_each_once_whatever_its_languages(client):
    first_treatment = treatments(25)[0]
    publish_thai(first_treatment, name="การรักษาที่ศูนย์", summary="สรุป")
    first = html(client.get("/treatments/"))
    assert cards(first) == [f"Treatment {n:03}" for n in range(20)]
    assert "<span>Page 1 of 2</span>" in first
    second = html(client.get("/treatments/", {"page": 2}))
    assert cards(second) == [f"Treatment {n:03}" for n in range(20, 25)]
    assert "<title>Treatments · page 2 · Genoma Health</title>" in second
    assert client.get("/treatments/", {"page": 3}).status_code == 404
    thai = cards(html(client.get("/th/treatments/")))
    assert thai.count("การรักษาที่ศูนย์") == 1
    assert "Treatment 000" not in thai
    assert len(thai) == 20
    home = html(client.get("/"))
    assert home.count(">Treatment 000</a>") == 1
    assert "การรักษาที่ศูนย์" not in home


@pytest.mark.parametrize("maker", [make_condition, make_treatment])
def test_a_condition_or_treatment_page_shows_its_articles_ten_to_a_page(client, maker):
    record = publish(maker(name="Topic", slug="topic"))
    articles_about(record, 23)
    url = record.get_absolute_url()
    first = the_articles_section(html(client.get(url)))
    assert cards(first) == [f"Article {n:03}" for n in range(10)]
    assert "<span>Page 1 of 3</span>" in first
    assert 'rel="next" href="?page=2#articles">Older articles</a>' in first
    last = html(client.get(url, {"page": 3}))
    assert "· page 3 · Genoma Health</title>" in last
    articles = the_articles_section(last)
    assert cards(articles) == [f"Article {n:03}" for n in range(20, 23)]
    assert 'rel="prev" href="?page=2#articles">Newer articles</a>' in articles
    assert 'rel="next"' not in articles
    assert client.get(url, {"page": 4}).status_code == 404
    assert client.get(url, {"page": "0"}).status_code == 404
    thai = the_articles_section(html(client.get(f"/th{url}", {"page": 2})))
    assert "<span>หน้า 2 จาก 3</span>" in thai


@pytest.mark.parametrize("prefix", ["", "/th"])
def test_a_page_of_a_list_is_cached_as_that_page(client, settings, prefix):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 600
    conditions(55)
    condition = conditions(1, start=55)
    articles_about(condition, 12)
    url = prefix + condition.get_absolute_url()  # before a Thai page makes Thai active
    first_fifty = cards(html(client.get(f"{prefix}/conditions/")))
    assert first_fifty != cards(html(client.get(f"{prefix}/conditions/?page=2")))
    first = the_articles_section(html(client.get(url)))
    second = the_articles_section(html(client.get(url, {"page": 2})))
    assert cards(first) != cards(second)
    assert cards(the_articles_section(html(client.get(url, {"page": 2})))) == cards(second)


def pages_and_queries(client, urls):
    """{name: number of queries} of each page of `urls` ({name: url})."""
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[name] = len(queries)
    return counts


def last_page(count, per_page):
    return (count + per_page - 1) // per_page


def fill(condition, treatment, start, stop):
    """Conditions and treatments numbered `start` to `stop`, and as many articles about
    `condition` and about `treatment`."""
    conditions(stop - start, start)
    treatments(stop - start, start)
    articles_about(condition, stop - start, start)
    articles_about(treatment, stop - start, 1000 + start)


def first_and_last_pages(condition, treatment, count):
    """Each list's first and last page, with `count` rows besides `condition` and `treatment`."""
    return {
        "conditions": "/conditions/",
        "conditions, last page": f"/conditions/?page={last_page(count + 1, 50)}",
        "treatments": "/treatments/",
        "treatments, last page": f"/treatments/?page={last_page(count + 1, 20)}",
        "condition": condition.get_absolute_url(),
        "condition, last page": f"{condition.get_absolute_url()}?page={last_page(count, 10)}",
        "treatment": treatment.get_absolute_url(),
        "treatment, last page": f"{treatment.get_absolute_url()}?page={last_page(count, 10)}",
    }


def test_the_lists_read_the_same_number_of_queries_whatever_their_length(client):
    condition, treatment = conditions(1, start=999), treatments(1, start=999)
    fill(condition, treatment, 0, 12)
    small = first_and_last_pages(condition, treatment, 12)
    pages_and_queries(client, small)  # this process's first look (content types, the site)
    few = pages_and_queries(client, small)
    fill(condition, treatment, 12, 72)
    many = pages_and_queries(client, first_and_last_pages(condition, treatment, 72))
    assert many == few
    # A count and a page of rows for each list; a condition page also reads its version,
    # the rows it shows, the T-score scale and its share card, a treatment page its
    # version, conditions and share card.
    assert few == {
        "conditions": 2,
        "conditions, last page": 2,
        "treatments": 2,
        "treatments, last page": 2,
        "condition": 5,
        "condition, last page": 5,
        "treatment": 5,
        "treatment, last page": 5,
    }


def test_the_pages_of_the_lists_are_valid_html_in_both_languages(client, tmp_path):
    require_java()
    conditions(55)
    treatment = treatments(25)[0]
    articles_about(treatment, 12)
    files = []
    for prefix in ("", "/th"):
        for n, url in enumerate(
            (
                "/conditions/?page=2",
                "/treatments/?page=2",
                f"{treatment.get_absolute_url()}?page=2",
            )
        ):
            path = tmp_path / f"{prefix.strip('/') or 'en'}-{n}.html"
            path.write_text(html(client.get(prefix + url)))
            files.append(path)
    assert_valid_html(files)


def test_the_home_page_shows_the_first_conditions_and_treatments_and_links_their_lists(client):
    conditions(9)
    treatments(8)
    page = html(client.get("/"))
    shown = cards(page)
    assert shown == [f"Condition {n:03}" for n in range(6)]  # A-Z, the first six
    treatment_section = page.split('aria-labelledby="home-treatments"', 1)[1]
    assert re.findall(r">(Treatment \d+)</a>", treatment_section) == [
        f"Treatment {n:03}" for n in range(6)
    ]
    assert '<a href="/conditions/">All conditions</a>' in page
    assert '<a href="/treatments/">All treatments</a>' in page
    thai = html(client.get("/th/"))
    assert '<a href="/th/treatments/">การรักษาทั้งหมด</a>' in thai


def test_the_home_page_reads_as_much_with_three_conditions_as_with_forty(client):
    def home_queries():
        with CaptureQueriesContext(connection) as captured:
            html(client.get("/"))
        return [query["sql"] for query in captured]

    conditions(3)
    treatments(3)
    home_queries()  # the content types and the Site, once per process
    few = home_queries()
    conditions(37, start=3)
    treatments(37, start=3)
    many = home_queries()
    assert len(many) == len(few)
    assert all("LIMIT" in sql for sql in many if "articles_version" in sql)


def test_a_thai_lists_translated_titles_are_found_by_record_not_by_scanning_the_kind():
    from django.utils import translation

    from articles.models import Condition, Version

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL plans from its statistics")
    with translation.override("th"):
        sql, params = Version.objects.for_list().of(Condition).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    subqueries = [step for step in plan if "U0" in step]
    assert len(subqueries) == 2, plan  # the title and the summary
    assert all("version_record_live_idx" in step for step in subqueries), plan


def newest_first(count):
    """`count` published articles, two at each publish time ("Article 000" the newest; of
    two at one time, the one made later first, as the list orders them)."""
    now = timezone.now()
    for n in range(count):
        publish(
            make_article(
                title=f"Article {n:03}",
                slug=f"article-{n:03}",
                publish_at=now - timedelta(hours=n // 2),
            )
        )
    return [f"Article {n:03}" for n in sorted(range(count), key=lambda n: (n // 2, -n))]


@pytest.mark.parametrize("count", [1, 10, 11, 25, 30])
def test_the_pages_of_the_article_list_show_every_article_once_in_order(client, count):
    """Pages in the list's second half are read from its other end: the same pages."""
    expected = newest_first(count)
    shown = []
    for number in range(1, last_page(count, 10) + 1):
        shown += cards(html(client.get("/articles/", {"page": number})))
    assert shown == expected
    thai = cards(html(client.get("/th/articles/", {"page": last_page(count, 10)})))
    assert thai == expected[(last_page(count, 10) - 1) * 10 :]


def test_the_last_page_reads_its_rows_from_the_lists_end_not_past_every_other_row(client):
    expected = newest_first(25)
    with CaptureQueriesContext(connection) as queries:
        last = html(client.get("/articles/", {"page": "last"}))
    assert cards(last) == expected[20:]
    (rows,) = [q["sql"] for q in queries if "LIMIT" in q["sql"] and "publish_at" in q["sql"]]
    assert re.search(r'ORDER BY "articles_version"."publish_at" ASC, .* LIMIT 5$', rows)
    assert "OFFSET" not in rows


def test_the_article_lists_count_reads_its_index_alone():
    """Counting the live articles (every page's "Page 1 of N") needs no version's row: the
    list's index holds every column the count asks about."""
    from articles.models import Version

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL plans from its statistics")
    sql, params = Version.objects.articles_for_list().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql})", params)  # noqa: S608
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX version_list_idx" in plan, plan
