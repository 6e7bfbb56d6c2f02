"""Image uploads: staff only, images only, verified, stripped of metadata, renamed at random."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.images import rendition_files
from articles.models import Article
from tests.articles.factories import (
    article_form,
    image_bytes,
    make_article,
    publish,
    save_committed,
)

pytestmark = pytest.mark.django_db
UPLOAD_URL = reverse("articles:editor_image_upload")


def png_bomb(width=60000, height=60000):
    """A tiny PNG whose header claims billions of pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def upload(client, content, name="photo.jpg", content_type="image/jpeg"):
    return client.post(UPLOAD_URL, {"upload": SimpleUploadedFile(name, content, content_type)})


@pytest.mark.parametrize("name", ["../../etc/passwd.jpg", "..\\..\\win.ini.jpg", "x\x00.jpg"])
def test_a_path_in_the_file_name_never_reaches_the_disk(editor_client, settings, name):
    # Django's multipart parser keeps only the base name; we then discard even that.
    response = upload(editor_client, image_bytes(), name=name)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        stored = settings.MEDIA_ROOT / response.json()["url"].removeprefix("/media/")
        assert stored.parent == settings.MEDIA_ROOT / "articles" / "editor"
        assert "passwd" not in stored.name
        assert "win" not in stored.name
    assert not (settings.MEDIA_ROOT.parent / "etc").exists()


def test_an_editor_uploads_an_image_under_a_random_name_without_metadata(editor_client, settings):
    response = upload(editor_client, image_bytes(exif=True), name="../../etc/passwd.jpg")
    assert response.status_code == 200
    url = response.json()["url"]
    assert url.startswith("/media/articles/editor/")
    assert "passwd" not in url
    stored = settings.MEDIA_ROOT / url.removeprefix("/media/")
    assert stored.exists()
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    assert b"SecretCamera" not in stored.read_bytes()


@pytest.mark.parametrize(
    ("content", "name", "content_type", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "evil.png", "image/png", "not a valid image"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
            "x.svg",
            "image/svg+xml",
            "not a valid image",
        ),
        (png_bomb(), "bomb.png", "image/png", "too many pixels"),
        (image_bytes("GIF"), "anim.gif", "image/gif", "JPEG, PNG or WebP"),
        (image_bytes(size=(8, 8)), "tiny.jpg", "image/jpeg", "too small"),
        (b"", "empty.jpg", "image/jpeg", "not a valid image"),
    ],
    ids=["html-as-png", "svg", "decompression-bomb", "gif", "tiny", "empty"],
)
def test_bad_uploads_get_a_400_with_a_message(editor_client, content, name, content_type, message):
    response = upload(editor_client, content, name, content_type)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_an_oversize_file_is_refused(editor_client):
    response = upload(editor_client, b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10))
    assert response.status_code == 400
    assert "larger than 10 MB" in response.json()["error"]["message"]


def test_a_missing_file_is_a_400(editor_client):
    assert editor_client.post(UPLOAD_URL).status_code == 400


def test_anonymous_visitors_and_clinic_staff_cannot_upload(client, clinic_staff_client):
    from django.test import Client

    assert upload(Client(), image_bytes()).status_code == 403
    assert upload(clinic_staff_client, image_bytes()).status_code == 403


def test_upload_only_accepts_post(editor_client):
    assert editor_client.get(UPLOAD_URL).status_code == 405


def test_hero_image_gets_webp_and_jpeg_renditions_and_srcset(client, settings):
    article = make_article(slug="hero", hero_alt="An X-ray of a hip")
    article.hero_image = SimpleUploadedFile(
        "my-photo.jpg", image_bytes(size=(2000, 1000), exif=True)
    )
    save_committed(article)
    article.refresh_from_db()
    assert "my-photo" not in article.hero_image.name
    sizes = article.hero_sizes
    assert [size["width"] for size in sizes] == [480, 960, 1600]
    assert sizes[0]["height"] == 240
    for size in sizes:
        assert (settings.MEDIA_ROOT / size["webp"]).exists()
        assert (settings.MEDIA_ROOT / size["jpg"]).exists()
    publish(article)
    page = client.get("/articles/hero/").content.decode()
    assert 'type="image/webp"' in page
    assert " 960w" in page
    assert 'width="1600" height="800"' in page
    largest = f"http://testserver/media/{sizes[-1]['jpg']}"
    assert f'"image": "{largest}"' in page  # JSON-LD; og:image is the share card
    assert 'alt="An X-ray of a hip"' in page


def test_admin_refuses_a_bad_hero_image_with_a_message(admin_client):
    article = make_article(slug="hero")
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = article_form(
        article,
        hero_alt="A picture",
        hero_image=SimpleUploadedFile("bomb.png", png_bomb(), "image/png"),
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert (
        "too many pixels" in response.content.decode() or "valid image" in response.content.decode()
    )
    article.refresh_from_db()
    assert not article.hero_image
    assert Article.objects.count() == 1


MARKERS = [b"SECRET-COMMENT", b"SECRET-EXIF", b"SECRET-ICC", b"SECRET-XMP", b"SECRET-TEXT",
           b"SECRET-ZTXT", b"SECRET-ITXT"]  # fmt: skip
METADATA_KEYS = {"comment", "exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "dpi"}


def image_with_metadata(fmt):
    """An image carrying every kind of metadata its format holds, each with a marker."""
    from PIL import PngImagePlugin

    image = Image.new("RGB", (800, 600), (30, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "SECRET-EXIF"  # Make
    exif[0x8825] = {1: "N", 2: (13.0, 45.0, 0.0)}  # GPS
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SECRET-XMP</x:xmpmeta>'
    common = {"exif": exif, "icc_profile": b"SECRET-ICC" * 20, "dpi": (300, 300)}
    options = {
        "JPEG": {**common, "comment": b"SECRET-COMMENT", "xmp": xmp},
        "PNG": {**common, "pnginfo": PngImagePlugin.PngInfo()},
        "WEBP": {**common, "xmp": xmp},
    }[fmt]
    if fmt == "PNG":
        options["pnginfo"].add_text("Comment", "SECRET-TEXT")
        options["pnginfo"].add_text("Author", "SECRET-ZTXT", zip=True)
        options["pnginfo"].add_itxt("Description", "SECRET-ITXT", lang="en", tkey="x")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def assert_no_metadata(path):
    data = path.read_bytes()
    for marker in MARKERS:
        assert marker not in data, (marker, path.name)
    with Image.open(path) as image:
        assert not METADATA_KEYS & set(image.info), (image.info.keys(), path.name)
        assert not image.getexif(), path.name
        assert not getattr(image, "text", {}), path.name
        assert not any(b"SECRET" in repr(value).encode() for value in image.info.values())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_every_kind_of_metadata_is_stripped_from_editor_uploads(editor_client, settings, fmt):
    original = image_with_metadata(fmt)
    with Image.open(io.BytesIO(original)) as source:
        assert {"exif", "icc_profile"} <= set(source.info)  # the test image carries them
    response = upload(editor_client, original, name=f"photo.{fmt.lower()}")
    assert response.status_code == 200
    assert_no_metadata(settings.MEDIA_ROOT / response.json()["url"].removeprefix("/media/"))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_every_kind_of_metadata_is_stripped_from_hero_images_and_renditions(
    editor_client, settings, fmt, django_capture_on_commit_callbacks
):
    article = make_article(slug="hero")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_article_change", args=[article.pk]),
            article_form(
                article,
                hero_alt="A hip",
                hero_image=SimpleUploadedFile(f"hero.{fmt.lower()}", image_with_metadata(fmt)),
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert_no_metadata(settings.MEDIA_ROOT / article.hero_image.name)
    renditions = rendition_files(article.hero_renditions)
    assert len(renditions) == 4  # 480 and 800 pixels wide, WebP and JPEG
    for name in renditions:
        assert_no_metadata(settings.MEDIA_ROOT / name)
