"""The share card as a visitor's browser finds it: the page's og:image and twitter:image,
a 1200×630 PNG at that address, and a new picture once a new title is published through
the review workflow (admin's own forms and buttons) in English or in Thai."""

import io
from typing import NamedTuple

import pytest
from PIL import Image, ImageChops

from tests.articles.factories import (
    admin_form,
    change_url,
    make_article,
    make_reviewer,
    make_section,
    make_staff,
    messages_of,
    move,
    publish,
    publish_in_thai,
    signed_in,
)

pytestmark = pytest.mark.django_db(transaction=True)
TITLES = {
    "en": ("Bones and you", "Strong bones for life"),
    "th": ("กระดูกกับคุณ", "กระดูกแข็งแรงไปตลอดชีวิต"),
}


@pytest.fixture
def article():
    """An article published in English and Thai as it stands (as the seed posts are);
    every text translated, so that a Thai version may be submitted for review."""
    article = make_article(
        slug="bones",
        title=TITLES["en"][0],
        title_th=TITLES["th"][0],
        standfirst_th="สิ่งที่ควรรู้",
        meta_description_th="สิ่งที่ควรรู้เกี่ยวกับกระดูก",
    )
    make_section(
        article,
        heading="Calcium",
        body="<p>Eat greens every day.</p>",
        heading_th="แคลเซียม",
        body_th="<p>กินผักใบเขียวทุกวัน</p>",
    )
    publish(article)  # committed: the cards' job runs (Huey's immediate mode, tests/conftest)
    publish_in_thai(article)
    return article


class Card(NamedTuple):
    address: str
    alt: str
    picture: Image.Image


def card_seen(browser, url):
    """The page's card as a new visitor's browser finds it (og:image, its alt, the picture
    at its address): the page's own card, not the site's default one."""
    context = browser.new_context()  # nothing cached from an earlier visit
    try:
        page = context.new_page()
        assert page.goto(url).status == 200
        address = page.locator('meta[property="og:image"]').get_attribute("content")
        site = "/".join(url.split("/")[:3])
        assert address.startswith(f"{site}/media/share-cards/"), address
        assert page.locator('meta[name="twitter:image"]').get_attribute("content") == address
        assert page.locator('meta[name="twitter:card"]').get_attribute("content") == (
            "summary_large_image"
        )
        alt = page.locator('meta[property="og:image:alt"]').get_attribute("content")
        response = page.request.get(address)
        assert response.status == 200
        assert response.headers["content-type"] == "image/png"
        picture = Image.open(io.BytesIO(response.body()))
        picture.load()
        return Card(address, alt, picture)
    finally:
        context.close()


def publish_title(article, language, title):
    """An editor writes `title` in admin and submits it, a clinician approves it and the
    editor publishes it, each with admin's own button (a Thai button acts on the Thai
    version); the cards' job runs once the publication is committed."""
    editing, reviewing = signed_in(make_staff("editor", "Editors")), signed_in(make_reviewer())
    field = "title" if language == "en" else "title_th"
    saved = editing.post(change_url(article), admin_form(editing, article, **{field: title}))
    assert saved.status_code == 302
    button = "1" if language == "en" else "th"
    for browser, step in ((editing, "_submit_for_review"), (reviewing, "_approve")):
        move(browser, article, step, **{step: button})
    published = move(editing, article, "_publish", _publish=button)
    assert any("is published" in message for message in messages_of(published))


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_card_is_a_1200_by_630_png_and_a_new_title_draws_a_new_one(
    browser, live_server, article, language
):
    english_url = f"{live_server.url}/articles/bones/"
    url = english_url if language == "en" else f"{live_server.url}/th/articles/bones/"
    before = card_seen(browser, url)
    assert (before.picture.format, before.picture.size) == ("PNG", (1200, 630))
    assert before.alt == f"{TITLES[language][0]} · Genoma Health"
    english = card_seen(browser, english_url).address
    if language == "th":
        assert before.address != english  # the Thai title's own card

    publish_title(article, language, TITLES[language][1])

    after = card_seen(browser, url)
    assert after.alt == f"{TITLES[language][1]} · Genoma Health"
    assert after.address != before.address
    assert (after.picture.format, after.picture.size) == ("PNG", (1200, 630))
    drawn = ImageChops.difference(before.picture.convert("RGB"), after.picture.convert("RGB"))
    assert drawn.getbbox() is not None  # a new picture, not only a new name
    if language == "th":
        assert card_seen(browser, english_url).address == english
