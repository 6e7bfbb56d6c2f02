"""The web app manifest and the home-screen icons: a phone that adds the site to its home
screen shows the clinic's name, colours and mark, and opens the page's language."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from tests.public_pages import LANGUAGE_PREFIXES, PAGES
from tests.team.factories import with_photo

pytestmark = pytest.mark.django_db


def manifest(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def static_image(src):
    assert src.startswith("/static/"), src
    path = finders.find(src.removeprefix("/static/"))
    assert path, src
    return Image.open(path)


def test_the_manifest_names_the_clinic_its_colours_and_where_it_opens(client):
    data = manifest(client, "/manifest.webmanifest")
    assert data["name"] == "Genoma Health"
    assert data["short_name"] == "Genoma"
    assert data["start_url"] == "/"
    assert data["scope"] == "/"
    assert data["lang"] == "en"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#0b5563"
    assert data["background_color"] == "#ffffff"
    assert "osteoporosis" in data["description"]


def test_the_thai_manifest_opens_the_thai_home_page(client):
    data = manifest(client, "/th/manifest.webmanifest")
    assert data["start_url"] == "/th/"
    assert data["lang"] == "th"
    assert data["name"] == "Genoma Health"
    assert re.search("[\u0e00-\u0e7f]", data["description"])
    assert data["id"] == manifest(client, "/manifest.webmanifest")["id"]  # one app


def test_the_icons_exist_at_the_sizes_the_manifest_declares(client):
    icons = manifest(client, "/manifest.webmanifest")["icons"]
    declared = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared
    for icon in icons:
        assert icon["type"] == "image/png"
        with static_image(icon["src"]) as image:
            assert image.format == "PNG"
            assert "x".join(map(str, image.size)) == icon["sizes"], icon["src"]
            if icon["purpose"] == "maskable":
                # Full bleed: the system masks it; no transparent corner shows.
                assert image.convert("RGBA").getpixel((0, 0))[3] == 255


@pytest.mark.parametrize("name", [*PAGES, "404"])
@pytest.mark.parametrize("language", list(LANGUAGE_PREFIXES))
def test_every_page_links_the_manifest_its_theme_colour_and_touch_icon(
    client, clinic_content, language, name
):
    with_photo()  # the clinician's page
    prefix = LANGUAGE_PREFIXES[language]
    manifest_url = f"{prefix}/manifest.webmanifest"
    page = client.get(prefix + {**PAGES, "404": "/no-such-page/"}[name]).content.decode()
    assert f'<link rel="manifest" href="{manifest_url}">' in page
    theme = re.search(r'<meta name="theme-color" content="([^"]+)">', page)[1]
    assert theme == manifest(client, manifest_url)["theme_color"]
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', page)[1]
    with static_image(touch) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (180, 180), "RGB")
