"""An article page is worked out once from the published versions and stored with its
version; it is used only while nothing was published since and no scheduled change
came, so a shared row never stays old."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleSection, Publications, RiskFactor, Version
from articles.pages import article_page, find_published
from tests.articles.factories import make_article, make_condition, make_section, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the stored page, not the page cache
    condition = make_condition(slug="bones")
    RiskFactor.objects.create(condition=condition, name="Age", description="Over 50")
    publish(condition)
    article = make_article(slug="shown")
    article.conditions.add(condition)
    make_section(article, kind=ArticleSection.Kind.RISK_FACTORS, condition=condition, heading="")
    publish(article)
    return article


def stored(article, language="en"):
    """The page stored for `article`'s published version in `language`."""
    return Version.objects.live().of(type(article)).get(object_id=article.pk).page[language]


def store(article, page, language="en"):
    version = Version.objects.live().of(type(article)).get(object_id=article.pk)
    Version.objects.filter(pk=version.pk).update(page={**version.page, language: page})


def test_the_first_visit_stores_the_page_and_later_visits_read_only_the_version(client, article):
    assert "Over 50" in client.get("/articles/shown/").content.decode()
    assert stored(article)["publications"] == Publications.objects.get().count
    with CaptureQueriesContext(connection) as queries:
        assert "Over 50" in client.get("/articles/shown/").content.decode()
    assert len(queries) == 1


def test_a_stored_page_gives_way_to_a_publication_of_a_record_it_shows(
    client, article, django_capture_on_commit_callbacks
):
    client.get("/articles/shown/")
    factor = RiskFactor.objects.get(name="Age")
    factor.description = "Over 65, as the new version says"
    factor.save()
    assert "Over 65" not in client.get("/articles/shown/").content.decode()  # saved only
    with django_capture_on_commit_callbacks(execute=True):
        publish(factor.condition)
    assert "Over 65, as the new version says" in client.get("/articles/shown/").content.decode()


def test_a_page_worked_out_during_a_publication_is_not_kept_after_it(client, article):
    # The version was read (with the count) before the condition's new version went live;
    # the rows were read after it. The page is stored under the count before it.
    version = find_published(Article, "shown")
    factor = RiskFactor.objects.get(name="Age")
    factor.description = "Over 65, published meanwhile"
    factor.save()
    publish(factor.condition)
    article_page(version)
    assert stored(article)["publications"] == Publications.objects.get().count - 1
    html = client.get("/articles/shown/").content.decode()
    assert "Over 65, published meanwhile" in html
    assert stored(article)["publications"] == Publications.objects.get().count


def test_a_stored_page_is_not_used_past_the_next_scheduled_change(client, article):
    client.get("/articles/shown/")
    page = stored(article)
    page["shown"]["sections"][0]["rows"][0]["description"] = "An old row"
    page["until"] = (timezone.now() - timedelta(seconds=1)).isoformat()
    store(article, page)
    html = client.get("/articles/shown/").content.decode()
    assert "An old row" not in html
    assert "Over 50" in html


def test_a_stored_page_is_what_the_page_shows_while_it_is_current(client, article):
    client.get("/articles/shown/")
    page = stored(article)
    page["shown"]["sections"][0]["rows"][0]["description"] = "Read from the stored page"
    store(article, page)
    assert "Read from the stored page" in client.get("/articles/shown/").content.decode()


def test_a_page_that_cannot_be_stored_is_still_shown(client, article, monkeypatch, caplog):
    from django.db import OperationalError
    from django.db.models import QuerySet

    def locked(self, **values):
        raise OperationalError("database is locked")

    monkeypatch.setattr(QuerySet, "update", locked)
    response = client.get("/articles/shown/")
    assert response.status_code == 200
    assert "Over 50" in response.content.decode()
    assert "could not be stored" in caplog.text


def test_each_language_has_its_own_stored_page_with_its_own_addresses(client, article):
    """The stored page holds links; a Thai page links to Thai addresses."""
    client.get("/articles/shown/")
    client.get("/th/articles/shown/")
    english, thai = stored(article, "en"), stored(article, "th")
    assert english["shown"]["conditions"][0]["url"] == "/conditions/bones/"
    assert thai["shown"]["conditions"][0]["url"] == "/th/conditions/bones/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/th/articles/shown/").status_code == 200
    assert len(queries) == 1  # the version, with its stored Thai page
