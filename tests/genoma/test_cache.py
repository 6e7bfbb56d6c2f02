"""The public page cache: fast for visitors, fresh the moment content changes."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from articles.models import Article, RiskFactor

pytestmark = pytest.mark.django_db
ARTICLE = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"


def test_a_second_anonymous_visit_is_served_from_the_cache_without_queries(
    client, clinic_content, django_assert_num_queries
):
    first = client.get(ARTICLE)
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(ARTICLE)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "public" in second["Cache-Control"]


def test_editing_a_risk_factor_refreshes_the_article_and_the_condition_page_at_once(
    client, clinic_content
):
    client.get(ARTICLE)
    client.get("/conditions/osteoporosis/")
    assert client.get(ARTICLE)["X-Cache"] == "hit"
    factor = RiskFactor.objects.get(condition__slug="osteoporosis", name="Age")
    factor.description = "Edited once, shown everywhere."
    factor.save()
    for url in (ARTICLE, "/conditions/osteoporosis/"):
        response = client.get(url)
        assert response["X-Cache"] == "miss"
        assert "Edited once, shown everywhere." in response.content.decode()


def test_many_to_many_changes_refresh_pages_too(client, clinic_content):
    client.get("/articles/?condition=osteopenia")
    article = Article.objects.get(slug__startswith="breakthroughs")
    article.conditions.add(*article.conditions.model.objects.filter(slug="osteopenia"))
    response = client.get("/articles/?condition=osteopenia")
    assert response["X-Cache"] == "miss"
    assert "Breakthroughs" in response.content.decode()


def test_conditional_get_answers_304(client, clinic_content):
    etag = client.get(ARTICLE)["ETag"]
    assert client.get(ARTICLE, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(ARTICLE, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_no_page_outlives_the_next_scheduled_publication(client, clinic_content, monkeypatch):
    Article.objects.create(
        title="Coming soon",
        slug="coming-soon",
        standfirst="Soon.",
        meta_description="Soon.",
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() + timedelta(seconds=90),
    )
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
    draft = Article.objects.create(
        title="Draft", slug="draft", standfirst="x", meta_description="x", status="draft"
    )
    assert "Preview:" in editor_client.get(draft.get_absolute_url()).content.decode()
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_the_form_its_thanks_page_and_admin_are_never_cached(client, clinic_content):
    for url in ("/consultation/", "/consultation/thanks/", "/healthz"):
        response = client.get(url)
        assert "X-Cache" not in response, url
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "X-Cache" not in Client().get("/admin/login/")


def test_the_page_cache_can_be_switched_off(client, clinic_content, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get(ARTICLE)
    assert "X-Cache" not in client.get(ARTICLE)


def test_the_cache_is_shared_through_redis_across_app_servers(clinic_content, settings):
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
    assert "Changed on one server." in second_server.get(ARTICLE).content.decode()
    cache.clear()
