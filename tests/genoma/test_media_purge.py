"""`manage.py purge_media` (every night, by the worker) deletes the uploads nothing shows
any more, and keeps every file a record or a version of the content refers to; local
media are served with a year's cache lifetime (their names are never reused)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from articles.images import rendition_files
from tests.articles.factories import image_bytes, make_article, publish, save_committed
from tests.team.factories import with_photo

pytestmark = pytest.mark.django_db


def purge(*options):
    output = io.StringIO()
    call_command("purge_media", "--grace-hours", "0", *options, stdout=output)
    return output.getvalue().splitlines()


def upload(name):
    return default_storage.save(f"articles/editor/{name}", ContentFile(image_bytes()))


def test_the_purge_keeps_what_records_and_versions_show_and_deletes_the_rest(settings):
    article = make_article(slug="kept", hero_alt="A hip X-ray")
    article.hero_image = SimpleUploadedFile("hip.jpg", image_bytes(size=(900, 600)))
    save_committed(article)
    publish(article)  # the published version holds this hero image
    old_hero = [article.hero_image.name, *rendition_files(article.hero_renditions)]
    article.hero_image = SimpleUploadedFile("knee.jpg", image_bytes(size=(700, 500)))
    save_committed(article)  # replaced in the working copy, still in the version
    new_hero = [article.hero_image.name, *rendition_files(article.hero_renditions)]
    in_english, in_thai, forgotten = upload("en.jpg"), upload("th.jpg"), upload("gone.jpg")
    article.sections.create(
        heading="Scan",
        body=f'<p><img src="{settings.MEDIA_URL}{in_english}" alt="A scan"></p>',
        body_th=f'<p><img src="{settings.MEDIA_URL}{in_thai}" alt="ภาพสแกน"></p>',
    )
    photo = with_photo().photo.name

    assert purge("--dry-run") == [forgotten, "1 unused file(s) would be deleted."]
    assert default_storage.exists(forgotten)
    assert purge() == [forgotten, "1 unused file(s) deleted."]
    assert not default_storage.exists(forgotten)
    for name in [*old_hero, *new_hero, in_english, in_thai, photo]:
        assert default_storage.exists(name), name


def test_the_purge_waits_a_day_for_an_upload_the_editor_is_still_writing_around():
    fresh = upload("fresh.jpg")
    output = io.StringIO()
    call_command("purge_media", stdout=output)
    assert output.getvalue() == "0 unused file(s) deleted.\n"
    assert default_storage.exists(fresh)


def test_local_media_are_served_with_a_years_cache_lifetime(client, settings):
    settings.SERVE_MEDIA = True
    name = upload("cached.jpg")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_purge_deletes_a_share_card_left_behind_and_keeps_those_pages_show():
    from django.test import TestCase

    from articles.models import ShareCard

    article = make_article(slug="carded")
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(article)  # its card is made once the publication is committed
    shown = ShareCard.objects.get().image
    left = default_storage.save("share-cards/article-9-en-left.png", ContentFile(b"png"))
    assert purge() == [left, "1 unused file(s) deleted."]
    assert default_storage.exists(shown)
