"""A replaced, cleared or deleted hero image leaves the disk and the web, once committed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from articles.images import rendition_files
from articles.models import Article
from tests.articles.factories import article_form, image_bytes, make_article, save_committed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.SERVE_MEDIA = True


def with_hero(slug="hero", **fields):
    article = make_article(slug=slug, hero_alt="A hip X-ray", **fields)
    article.hero_image = SimpleUploadedFile("hip.jpg", image_bytes(size=(1200, 800)))
    return save_committed(article)


def hero_files(article):
    """The stored names of the article's hero image and of every rendition of it."""
    article.refresh_from_db()
    if not article.hero_image:
        return []
    return [article.hero_image.name, *rendition_files(article.hero_renditions)]


def assert_gone(client, settings, names):
    for name in names:
        assert not (settings.MEDIA_ROOT / name).exists(), name
        assert client.get(f"/media/{name}").status_code == 404, name


def assert_kept(client, settings, names):
    for name in names:
        assert (settings.MEDIA_ROOT / name).exists(), name
        assert client.get(f"/media/{name}").status_code == 200, name


def change(client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    return client.post(url, article_form(article, **changes))


def test_a_replaced_hero_image_and_its_renditions_are_deleted(
    editor_client, settings, django_capture_on_commit_callbacks
):
    article = with_hero()
    old = hero_files(article)
    assert len(old) == 7  # the original, and 480, 960 and 1200 pixels wide in WebP and JPEG
    assert_kept(editor_client, settings, old)
    new_image = SimpleUploadedFile("new.jpg", image_bytes(size=(900, 600)))
    with django_capture_on_commit_callbacks(execute=True):
        response = change(editor_client, article, hero_image=new_image)
    assert response.status_code == 302, response.content.decode()[:2000]
    new = hero_files(article)
    assert not set(new) & set(old)
    assert_kept(editor_client, settings, new)
    assert_gone(editor_client, settings, old)


def test_a_cleared_hero_image_and_its_renditions_are_deleted(
    editor_client, settings, django_capture_on_commit_callbacks
):
    article = with_hero()
    old = hero_files(article)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(editor_client, article, **{"hero_image-clear": "on", "hero_alt": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert hero_files(article) == []
    assert article.hero_renditions == {}
    assert_gone(editor_client, settings, old)


# Only an administrator deletes a whole article (an editor's attempt is refused, and keeps
# the files).


def test_a_deleted_articles_hero_image_is_deleted(
    admin_client, editor_client, settings, django_capture_on_commit_callbacks
):
    article = with_hero()
    old = hero_files(article)
    url = reverse("admin:articles_article_delete", args=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert_kept(editor_client, settings, old)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.exists()
    assert_gone(admin_client, settings, old)


def test_articles_deleted_from_the_list_lose_their_hero_images(
    admin_client, settings, django_capture_on_commit_callbacks
):
    first, second = with_hero("first"), with_hero("second")
    old = hero_files(first) + hero_files(second)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        )
    assert not Article.objects.exists()
    assert_gone(admin_client, settings, old)


def test_an_image_another_article_still_shows_is_kept(
    editor_client, settings, django_capture_on_commit_callbacks
):
    article = with_hero()
    shared = hero_files(article)
    copy = Article.objects.get(pk=article.pk)
    copy.pk, copy.slug, copy._state.adding = None, "copy", True
    copy.save()  # the same hero image and renditions, as a duplicated article has
    assert hero_files(copy) == shared
    with django_capture_on_commit_callbacks(execute=True):
        response = change(editor_client, article, **{"hero_image-clear": "on", "hero_alt": ""})
    assert response.status_code == 302
    assert_kept(editor_client, settings, shared)
    with django_capture_on_commit_callbacks(execute=True):
        change(editor_client, copy, **{"hero_image-clear": "on", "hero_alt": ""})
    assert_gone(editor_client, settings, shared)


def fail_after(change):
    """Run `change` in a transaction that then fails, as a half-done request would."""
    with transaction.atomic():
        change()
        raise RuntimeError("the rest of the change failed")


def test_a_rolled_back_change_deletes_nothing(client, settings, django_capture_on_commit_callbacks):
    article = with_hero()
    old = hero_files(article)

    def replace():
        article.hero_image = SimpleUploadedFile("new.jpg", image_bytes(size=(900, 600)))
        article.save()

    for change in (replace, Article.objects.get(pk=article.pk).delete):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            fail_after(change)
    assert hero_files(article) == old
    assert_kept(client, settings, old)


def test_a_replaced_hero_image_the_published_version_shows_is_kept(
    editor_client, client, settings, django_capture_on_commit_callbacks
):
    from tests.articles.factories import publish

    article = publish(with_hero(slug="live-hero"))
    old = hero_files(article)
    new_image = SimpleUploadedFile("new.jpg", image_bytes(size=(900, 600)))
    with django_capture_on_commit_callbacks(execute=True):
        response = change(editor_client, article, hero_image=new_image)
    assert response.status_code == 302
    assert_kept(editor_client, settings, old)  # the public still reads them, until published
    page = client.get(article.get_absolute_url()).content.decode()
    assert any(f"/media/{name}" in page for name in old[1:])


def test_renditions_come_from_a_job_and_a_lost_job_is_made_up_by_the_sweep(
    client, django_capture_on_commit_callbacks
):
    from articles.tasks import make_missing_renditions
    from tests.articles.factories import publish

    article = make_article(slug="pending", hero_alt="A hip X-ray")
    article.hero_image = SimpleUploadedFile("hip.jpg", image_bytes(size=(1200, 800)))
    article.save()  # never committed here: its job is as lost as one a killed worker held
    publish(article)
    assert article.hero_renditions == {}
    page = client.get("/articles/pending/").content.decode()
    assert "<picture" not in page  # no hero image rather than a full-size one without sizes

    with django_capture_on_commit_callbacks(execute=True):
        make_missing_renditions()

    article.refresh_from_db()
    assert [size["width"] for size in article.hero_sizes] == [480, 960, 1200]
    page = client.get("/articles/pending/").content.decode()  # the cached page was retired
    assert 'width="1200" height="800"' in page
    assert all(f"/media/{name}" in page for name in rendition_files(article.hero_renditions))
