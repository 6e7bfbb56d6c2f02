"""Uploaded media on a real S3 server (Ceph RGW): everything that touches media works
there as on the local folder, at stable addresses with a year's cache lifetime, and
pages never ask the store."""

import io
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from articles.images import rendition_files
from articles.models import ShareCard
from scripts.prodlike import ROOT
from team.models import Clinician
from tests.articles.factories import (
    article_form,
    image_bytes,
    make_article,
    publish,
    save_committed,
)
from tests.team.factories import make_clinician, photo_upload

pytestmark = pytest.mark.django_db

YEAR = "public, max-age=31536000, immutable"


def fetch(url):
    """The file at `url` as a browser reads it: anonymously, over HTTP."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (127.0.0.1)
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


def in_bucket(s3, name):
    return s3.list_objects_v2(Bucket=s3.bucket, Prefix=name).get("KeyCount", 0) > 0


@pytest.fixture
def store_requests(s3_media):
    """The S3 requests the site makes while a test's block runs."""
    seen = []
    events = default_storage.connection.meta.client.meta.events
    handler = events.register("before-call.s3", lambda model, **kw: seen.append(model.name))
    yield seen
    events.unregister("before-call.s3", handler)


def test_the_production_settings_put_media_in_the_bucket_with_stable_addresses():
    environment = {
        "DJANGO_AWS_STORAGE_BUCKET_NAME": "genoma-media",
        "DJANGO_AWS_S3_ENDPOINT_URL": "https://s3.example.net/",
        "DJANGO_AWS_S3_CUSTOM_DOMAIN": "media.genoma.example",
    }
    script = (
        "from django.conf import settings; from django.core.files.storage import storages;"
        "s = storages['default']; print(type(s).__name__);"
        "print(settings.MEDIA_URL); print(s.url('team/a.jpg'));"
        "print(s.file_overwrite, s.default_acl, s.querystring_auth, s.object_parameters);"
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    output = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", **environment},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert output == [
        "S3Storage",
        "https://media.genoma.example/",
        "https://media.genoma.example/team/a.jpg",
        f"False None False {{'CacheControl': '{YEAR}'}}",
        "[\"'self'\", 'https://media.genoma.example']",
    ]


def test_an_editors_upload_lands_in_the_bucket_under_a_new_name_each_time(editor_client, s3_media):
    urls = []
    for _ in range(2):
        upload = SimpleUploadedFile("scan.jpg", image_bytes(), content_type="image/jpeg")
        response = editor_client.post(reverse("articles:editor_image_upload"), {"upload": upload})
        assert response.status_code == 200, response.content
        urls.append(response.json()["url"])
    assert urls[0] != urls[1]  # S3 would overwrite: the storage never reuses a name
    for url in urls:
        assert url.startswith(settings.MEDIA_URL)
        assert "Signature" not in url
        assert "?" not in url
        status, headers, body = fetch(url)
        assert status == 200
        assert headers["Content-Type"] == "image/jpeg"
        assert headers["Cache-Control"] == YEAR
        assert body.startswith(b"\xff\xd8")


def test_a_hero_image_and_its_renditions_reach_the_page_from_the_bucket(
    client, s3_media, store_requests
):
    article = make_article(slug="on-s3", hero_alt="A hip X-ray")
    article.hero_image = SimpleUploadedFile("hip.jpg", image_bytes(size=(1200, 800)))
    save_committed(article)  # the job makes the renditions once the change is committed
    names = [article.hero_image.name, *rendition_files(article.hero_renditions)]
    assert len(names) == 7
    assert all(in_bucket(s3_media, name) for name in names)
    with TestCase.captureOnCommitCallbacks(execute=True):
        publish(article)  # ...and the share card's job, once the publication is committed
    card = ShareCard.objects.get().image
    assert in_bucket(s3_media, card)
    store_requests.clear()
    pages = [client.get("/articles/on-s3/").content.decode() for _ in range(2)]
    assert store_requests == []  # sizes and names come from the database
    assert pages[0] == pages[1]  # stable addresses: the page cache can keep the page
    for name in rendition_files(article.hero_renditions):
        url = f"{default_storage.url(name)}"
        assert url in pages[0]
        status, headers, _body = fetch(url)
        assert (status, headers["Cache-Control"]) == (200, YEAR)
    assert 'width="1200" height="800"' in pages[0]
    largest = default_storage.url(article.hero_fallback["jpg"])
    assert f'"image": "{largest}"' in pages[0]  # JSON-LD
    card_url = default_storage.url(card)  # the bucket's address: absolute already
    assert card_url.startswith(settings.MEDIA_URL)
    assert f'<meta property="og:image" content="{card_url}">' in pages[0]
    status, headers, body = fetch(card_url)
    assert (status, headers["Content-Type"]) == (200, "image/jpeg")
    assert body.startswith(b"\xff\xd8")


def test_a_replaced_hero_image_leaves_the_bucket(
    editor_client, s3_media, django_capture_on_commit_callbacks
):
    article = make_article(slug="replaced", hero_alt="A hip X-ray")
    article.hero_image = SimpleUploadedFile("hip.jpg", image_bytes(size=(900, 600)))
    save_committed(article)
    old = [article.hero_image.name, *rendition_files(article.hero_renditions)]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            article_form(
                article, hero_image=SimpleUploadedFile("new.png", image_bytes("PNG", (700, 500)))
            ),
        )
    assert response.status_code == 302
    article.refresh_from_db()
    new = [article.hero_image.name, *rendition_files(article.hero_renditions)]
    assert len(new) == 5
    assert all(in_bucket(s3_media, name) for name in new)
    assert not any(in_bucket(s3_media, name) for name in old)
    assert fetch(default_storage.url(old[0]))[0] in (403, 404)  # gone from the web too


def test_a_clinicians_photo_on_s3_is_shown_with_its_stored_size_and_removed_with_it(
    editor_client, client, s3_media, store_requests, django_capture_on_commit_callbacks
):
    clinician = make_clinician(slug="dr-malee", photo_alt="Dr Malee at her desk")
    clinician.photo = photo_upload(size=(400, 500))
    clinician.save()
    name = clinician.photo.name
    assert in_bucket(s3_media, name)
    store_requests.clear()
    page = client.get(clinician.get_absolute_url()).content.decode()
    again = Clinician.objects.get(pk=clinician.pk)
    assert f'src="{default_storage.url(name)}" width="400" height="500"' in page
    assert again.photo_width == 400
    assert store_requests == []
    with django_capture_on_commit_callbacks(execute=True):
        again.photo = None
        again.photo_alt = ""
        again.save()
    assert not in_bucket(s3_media, name)


def purge(*options):
    output = io.StringIO()
    call_command("purge_media", *options, stdout=output)
    return output.getvalue().splitlines()


def test_the_purge_deletes_unused_uploads_from_the_bucket_and_keeps_the_rest(s3_media):
    article = make_article(slug="shows-an-upload")
    shown = default_storage.save("articles/editor/shown.jpg", ContentFile(image_bytes()))
    forgotten = default_storage.save("articles/editor/forgotten.jpg", ContentFile(image_bytes()))
    article.sections.create(
        heading="Scan", body=f'<p><img src="{default_storage.url(shown)}" alt="A scan"></p>'
    )
    assert purge() == ["0 unused file(s) deleted."]  # uploaded less than a day ago
    assert purge("--grace-hours", "0") == [forgotten, "1 unused file(s) deleted."]
    assert in_bucket(s3_media, shown)
    assert not in_bucket(s3_media, forgotten)


def test_healthz_asks_the_bucket(client, s3_media, worker_alive):
    assert client.get("/healthz").json()["media"] == "ok"


def test_the_bucket_policy_lets_anyone_read_an_image_and_nothing_else(editor_client, s3_media):
    upload = SimpleUploadedFile("scan.jpg", image_bytes(), content_type="image/jpeg")
    url = editor_client.post(reverse("articles:editor_image_upload"), {"upload": upload}).json()[
        "url"
    ]
    assert fetch(url)[0] == 200
    assert fetch(settings.MEDIA_URL)[0] == 403  # no listing of the bucket
    anonymous_put = urllib.request.Request(url, data=b"defaced", method="PUT")  # noqa: S310
    assert fetch(anonymous_put)[0] == 403
    assert fetch(url)[2].startswith(b"\xff\xd8")
