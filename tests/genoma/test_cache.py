"""The public page cache: fast for visitors, fresh the moment content changes."""

import re
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import publishing
from articles.models import Article, Condition, RiskFactor, Version
from articles.publishing import publish_unreviewed
from genoma.cache import VERSION_KEY, SharedVersion
from tests.articles.factories import (
    make_article,
    make_condition,
    publish,
    publish_thai,
    save_version,
)

pytestmark = pytest.mark.django_db
ARTICLE = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"
CACHE_TABLE = settings.CACHES["default"]["LOCATION"]


def cache_entries():
    """How many entries the shared cache holds (a table without REDIS_URL)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(CACHE_TABLE)
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - a setting, quoted
        return cursor.fetchone()[0]


def test_a_second_anonymous_visit_is_served_from_the_process_alone(client, clinic_content):
    first = client.get(ARTICLE)
    assert first["X-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = client.get(ARTICLE)
    # This process keeps its copy of the page and read the version under a second ago.
    assert len(queries) == 0
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "public" in second["Cache-Control"]


def test_a_hit_reads_the_shared_version_again_once_a_second_has_passed(client, clinic_content):
    client.get(ARTICLE)
    time.sleep(SharedVersion.CHECK_SECONDS)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ARTICLE)["X-Cache"] == "hit"
    assert len(queries) == 1  # the version, from the cache's table
    assert CACHE_TABLE in queries[0]["sql"]


def test_a_publication_in_another_process_retires_this_process_copies_within_a_second(
    client, clinic_content
):
    from django.core.cache import cache

    assert client.get(ARTICLE)["X-Cache"] == "miss"
    article = Article.objects.get(slug=ARTICLE.split("/")[2])
    article.title = "Published by another worker"
    article.save()
    publish(article)  # its signal would run in the other process, not here:
    cache.set(VERSION_KEY, "a version another process wrote", timeout=None)
    time.sleep(SharedVersion.CHECK_SECONDS)
    response = client.get(ARTICLE)
    assert response["X-Cache"] == "miss"
    assert "Published by another worker" in response.content.decode()


def test_a_page_another_process_stored_is_served_from_the_shared_cache(
    client, clinic_content, monkeypatch
):
    from genoma import cache as page_cache

    first = client.get(ARTICLE)
    # As in a process that never served the page: no copy of its own.
    monkeypatch.setattr(page_cache, "_copies", page_cache._ProcessCopies())
    with CaptureQueriesContext(connection) as queries:
        second = client.get(ARTICLE)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert len(queries) == 1  # the page (the version was read a moment ago)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ARTICLE)["X-Cache"] == "hit"
    assert len(queries) == 0  # kept since


def test_a_copy_kept_in_process_memory_is_retired_by_a_publication(
    client, clinic_content, django_capture_on_commit_callbacks
):
    article = Article.objects.get(slug=ARTICLE.split("/")[2])
    assert client.get(ARTICLE)["X-Cache"] == "miss"
    assert client.get(ARTICLE)["X-Cache"] == "hit"
    article.title = "A title published a moment ago"
    article.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(article)
    response = client.get(ARTICLE)
    assert response["X-Cache"] == "miss"
    assert "A title published a moment ago" in response.content.decode()


def test_a_saved_risk_factor_keeps_the_cached_pages_and_publishing_refreshes_them_at_once(
    client, clinic_content, django_capture_on_commit_callbacks
):
    urls = (ARTICLE, "/conditions/osteoporosis/")
    for url in urls:
        client.get(url)
    assert client.get(ARTICLE)["X-Cache"] == "hit"
    factor = RiskFactor.objects.get(condition__slug="osteoporosis", name="Age")
    factor.description = "Edited once, shown everywhere."
    with django_capture_on_commit_callbacks(execute=True):
        factor.save()
        save_version(factor.condition)  # as a save in admin does
    for url in urls:
        response = client.get(url)
        assert response["X-Cache"] == "hit"  # what the public reads has not changed
        assert "Edited once, shown everywhere." not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publish(factor.condition)
    for url in urls:
        response = client.get(url)
        assert response["X-Cache"] == "miss"
        assert "Edited once, shown everywhere." in response.content.decode()


def test_many_to_many_changes_refresh_pages_once_published(
    client, clinic_content, django_capture_on_commit_callbacks
):
    client.get("/articles/?condition=osteopenia")
    article = Article.objects.get(slug__startswith="breakthroughs")
    with django_capture_on_commit_callbacks(execute=True):
        article.conditions.add(*article.conditions.model.objects.filter(slug="osteopenia"))
        save_version(article)
    saved = client.get("/articles/?condition=osteopenia")
    assert saved["X-Cache"] == "hit"
    assert "Breakthroughs" not in saved.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        publish(article)
    response = client.get("/articles/?condition=osteopenia")
    assert response["X-Cache"] == "miss"
    assert "Breakthroughs" in response.content.decode()


def test_unpublishing_retires_the_cached_pages(
    client, clinic_content, admin_user, django_capture_on_commit_callbacks
):
    client.get(ARTICLE)
    client.get("/articles/")
    assert client.get(ARTICLE)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        publishing.unpublish(Article.objects.get(slug=ARTICLE.split("/")[2]), admin_user)
    assert client.get(ARTICLE).status_code == 404
    listed = client.get("/articles/")
    assert listed["X-Cache"] == "miss"
    assert ARTICLE not in listed.content.decode()


def test_conditional_get_answers_304(client, clinic_content):
    etag = client.get(ARTICLE)["ETag"]
    assert client.get(ARTICLE, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(ARTICLE, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_no_page_outlives_the_next_scheduled_publication(client, clinic_content, monkeypatch):
    publish(make_article(slug="coming-soon", publish_at=timezone.now() + timedelta(seconds=90)))
    timeouts = []
    real_set = caches["default"].set
    monkeypatch.setattr(
        "genoma.cache.cache.set",
        lambda key, value, timeout: timeouts.append(timeout) or real_set(key, value, timeout),
    )
    client.get("/articles/")
    assert 0 < timeouts[0] <= 90


def test_staff_with_a_session_never_get_the_public_copy(editor_client, clinic_content):
    Client().get(ARTICLE)  # cached for the public
    response = editor_client.get(ARTICLE)
    assert "X-Cache" not in response
    draft = make_article(slug="draft")
    save_version(draft)
    assert editor_client.get(draft.get_absolute_url()).status_code == 404
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_a_preview_link_is_never_stored(client, clinic_content):
    from articles.preview import preview_token

    draft = make_article(slug="draft", title="Words not yet public")
    url = f"/preview/{preview_token(save_version(draft))}/"
    for _ in range(2):
        response = client.get(url)
        assert "Words not yet public" in response.content.decode()
        assert "X-Cache" not in response
        assert "no-store" in response["Cache-Control"]


def test_the_form_its_thanks_page_and_admin_are_never_cached(client, clinic_content):
    for url in (
        "/consultation/",
        "/consultation/thanks/",
        "/th/consultation/",
        "/th/consultation/thanks/",
        "/healthz",
    ):
        response = client.get(url)
        assert "X-Cache" not in response, url
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "X-Cache" not in Client().get("/admin/login/")


def test_the_page_cache_can_be_switched_off(client, clinic_content, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(ARTICLE)
    assert "X-Cache" not in client.get(ARTICLE)


def test_the_cache_is_shared_through_redis_across_app_servers(
    clinic_content, settings, django_capture_on_commit_callbacks
):
    redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",  # a database of its own: clear() empties it
        "KEY_PREFIX": f"genoma-test-{uuid.uuid4().hex}",
    }
    settings.CACHES = {"default": redis}
    from django.core.cache import cache

    try:
        cache.get("probe")
    except Exception:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    first_server, second_server = Client(), Client()
    assert first_server.get(ARTICLE)["X-Cache"] == "miss"
    assert second_server.get(ARTICLE)["X-Cache"] == "hit"
    factor = RiskFactor.objects.get(condition__slug="osteoporosis", name="Age")
    factor.description = "Changed on one server."
    factor.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(factor.condition)
    assert "Changed on one server." in second_server.get(ARTICLE).content.decode()
    cache.clear()


@pytest.mark.parametrize(
    ("prefix", "answer"),
    [("", "A T-score of {} falls in the range"), ("/th", "ค่า T-score {} อยู่ในช่วง")],
)
def test_t_scores_and_searches_are_answered_every_time_and_never_stored(
    client, clinic_content, prefix, answer
):
    """In Thai too: the cache reads a Thai address's parameters as the English one's,
    so one visitor's T-score is never stored and shown to the next."""
    plain = client.get(f"{prefix}/conditions/osteopenia/")
    before = cache_entries()
    for n in range(200):
        value = f"-1.{n:03d}"
        response = client.get(f"{prefix}/conditions/osteopenia/?t_score={value}")
        assert "X-Cache" not in response
        assert answer.format(value) in response.content.decode()
    search = client.get(f"{prefix}/search/?q=calcium")
    assert "X-Cache" not in search
    assert 'value="calcium"' in search.content.decode()
    assert cache_entries() == before
    again = client.get(f"{prefix}/conditions/osteopenia/")
    assert (again["X-Cache"], again.content) == ("hit", plain.content)


def test_parameters_no_page_reads_add_no_entry_and_change_nothing(client, clinic_content):
    plain = client.get("/articles/")
    before = cache_entries()
    for n in range(200):
        response = client.get(f"/articles/?utm_source=mail{n}&junk{n}=x")
        assert response["X-Cache"] == "hit"
        assert response.content == plain.content
        assert client.get(f"/?ref={n}&page={n}")["X-Cache"] == ("miss" if n == 0 else "hit")
    assert cache_entries() == before + 1  # the home page


def test_the_article_list_is_stored_once_per_condition_and_page(client, clinic_content):
    osteopenia = client.get("/articles/?condition=osteopenia")
    assert osteopenia["X-Cache"] == "miss"
    same = client.get("/articles/?utm_medium=x&condition=osteopenia")
    assert same["X-Cache"] == "hit"
    assert same.content == osteopenia.content
    before = cache_entries()
    for n in range(50):
        response = client.get(f"/articles/?condition=no-such-condition-{n}")
        assert "We have no condition by that name" in response.content.decode()
    assert cache_entries() == before + 1  # one page for every name the site does not know
    assert client.get("/articles/?page=01")["X-Cache"] == "miss"
    assert client.get("/articles/?page=1")["X-Cache"] == "hit"
    for page in ("x", "99", "1.5", "²"):
        assert client.get(f"/articles/?page={page}").status_code == 404
    assert cache_entries() == before + 2


def test_a_version_lost_from_the_cache_never_brings_an_old_page_back(
    client, clinic_content, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()  # a fresh cache in front of content loaded earlier
    client.get(ARTICLE)
    factor = RiskFactor.objects.get(condition__slug="osteoporosis", name="Age")
    factor.description = "The newer words."
    factor.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(factor.condition)
    assert "The newer words." in client.get(ARTICLE).content.decode()
    cache.delete(VERSION_KEY)  # evicted, as a full cache or a Redis restart may do
    assert "The newer words." in client.get(ARTICLE).content.decode()


def test_a_page_number_longer_than_any_real_one_is_answered_not_stored(client, clinic_content):
    """Python refuses to read a 5,000-digit number: the key must not try."""
    response = client.get("/articles/", {"page": "9" * 5000})
    assert response.status_code in (200, 404)
    assert "X-Cache" not in response


# The parts many pages share (genoma.cache.kept_until_content_changes): the article list's
# condition choices, the same on each of its pages.


def condition_options(response):
    page = response.content.decode()
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page)


def reads_conditions(queries):
    condition_type = ContentType.objects.get_for_model(Condition).pk
    return [q["sql"] for q in queries if f'"content_type_id" = {condition_type}' in q["sql"]]


def test_another_page_of_the_list_reuses_the_condition_choices_made_for_the_first(
    client, clinic_content
):
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/articles/")
    assert reads_conditions(queries)
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/articles/", {"page": "1"})  # a page the page cache has not seen
    assert again["X-Cache"] == "miss"
    assert not reads_conditions(queries)
    assert condition_options(again) == condition_options(first)
    assert ("osteoporosis", "Osteoporosis") in condition_options(first)
    assert "selected" not in again.content.decode()


def test_the_choices_with_a_condition_selected_are_kept_for_that_condition(client, clinic_content):
    client.get("/articles/")
    chosen = client.get("/articles/", {"condition": "osteopenia"})
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/articles/", {"condition": "osteopenia", "page": "1"})
    assert again["X-Cache"] == "miss"
    # The selected condition only: whether the page cache knows it, and the page's title.
    assert len(reads_conditions(queries)) == 2
    for page in (chosen, again):
        assert 'value="osteopenia" selected' in page.content.decode()
        assert page.content.decode().count("selected") == 1
    assert condition_options(chosen) == condition_options(again)


def test_a_published_condition_joins_the_choices_at_once(
    client, clinic_content, django_capture_on_commit_callbacks
):
    client.get("/articles/")
    with django_capture_on_commit_callbacks(execute=True):
        publish(make_condition(name="Rheumatoid arthritis", slug="rheumatoid-arthritis"))
    choices = condition_options(client.get("/articles/", {"page": "1"}))
    assert ("rheumatoid-arthritis", "Rheumatoid arthritis") in choices


def test_a_condition_published_in_another_process_joins_the_choices_within_a_second(
    client, clinic_content
):
    from django.core.cache import cache

    client.get("/articles/")
    publish(make_condition(name="Rheumatoid arthritis", slug="rheumatoid-arthritis"))
    cache.set(VERSION_KEY, "a version another process wrote", timeout=None)
    time.sleep(SharedVersion.CHECK_SECONDS)
    choices = condition_options(client.get("/articles/", {"page": "1"}))
    assert ("rheumatoid-arthritis", "Rheumatoid arthritis") in choices


def test_a_condition_scheduled_for_later_joins_the_choices_on_time(client, clinic_content):
    condition = make_condition(name="Rheumatoid arthritis", slug="rheumatoid-arthritis")
    version = publish_unreviewed(condition)
    # Scheduled for two seconds from now, as a version approved for a later time is.
    goes_live = timezone.now() + timedelta(seconds=2)
    Version.objects.filter(pk=version.pk).update(live_from=goes_live)
    choices = condition_options(client.get("/articles/"))
    assert "rheumatoid-arthritis" not in dict(choices)
    time.sleep((goes_live - timezone.now()).total_seconds() + 0.1)
    choices = condition_options(client.get("/articles/", {"page": "1"}))
    assert ("rheumatoid-arthritis", "Rheumatoid arthritis") in choices


def test_the_choices_are_kept_in_each_language(client, clinic_content):
    osteopenia = Condition.objects.get(slug="osteopenia")
    publish_thai(osteopenia, name="ภาวะกระดูกบาง")
    english = condition_options(client.get("/articles/"))
    thai = condition_options(client.get("/th/articles/"))
    assert ("osteopenia", "Osteopenia") in english
    assert ("osteopenia", "ภาวะกระดูกบาง") in thai
    assert ("osteopenia", "Osteopenia") in condition_options(client.get("/articles/?page=1"))


def test_with_the_page_cache_off_the_choices_are_still_kept_and_retired_by_a_publication(
    client, clinic_content, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get("/articles/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/articles/")
    assert not reads_conditions(queries)
    with django_capture_on_commit_callbacks(execute=True):
        publish(make_condition(name="Rheumatoid arthritis", slug="rheumatoid-arthritis"))
    choices = condition_options(client.get("/articles/"))
    assert ("rheumatoid-arthritis", "Rheumatoid arthritis") in choices


# The T-score bands every condition page draws: those of every published condition, read
# from their documents once per content version (articles.pages.published_bands).


def bands_drawn(response):
    return re.findall(r'<text class="t-scale-name"[^>]*>([^<]*)</text>', response.content.decode())


def test_the_t_score_bands_are_read_once_for_every_condition_page(client, clinic_content, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    first = client.get("/conditions/osteopenia/")
    with CaptureQueriesContext(connection) as queries:
        other = client.get("/conditions/osteoporosis/")
    assert not [q["sql"] for q in queries if "t_score_bands" in q["sql"]]
    assert bands_drawn(other) == bands_drawn(first)
    assert len(bands_drawn(other)) == 3


def test_a_band_published_with_its_condition_is_drawn_on_every_condition_page_at_once(
    client, clinic_content, settings, django_capture_on_commit_callbacks
):
    from articles.models import TScoreBand

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    assert "Low bone mass" not in bands_drawn(client.get("/conditions/osteoporosis/"))
    band = TScoreBand.objects.get(name="Osteopenia")
    band.name = "Low bone mass"
    band.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(band.condition)
    for slug in ("osteoporosis", "osteopenia"):
        assert "Low bone mass" in bands_drawn(client.get(f"/conditions/{slug}/"))
