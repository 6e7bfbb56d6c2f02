"""Share cards: each published article, condition and treatment links a 1200×630 picture
of its published title (og:image, Twitter's summary_large_image), in each language; other
pages link the site's own card."""

import io
import re
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image, ImageChops, ImageDraw

from articles import cards
from articles.models import ShareCard
from articles.publishing import record_version, unpublish
from tests.articles.factories import (
    image_bytes,
    make_article,
    make_condition,
    make_section,
    make_treatment,
    publish,
    publish_in_thai,
    publish_thai,
    save_committed,
)
from tests.html_checker import assert_valid_html, require_java

pytestmark = pytest.mark.django_db

THAI_TITLE = "กระดูกและตัวคุณ: สิ่งที่ควรรู้เพื่อกระดูกที่แข็งแรง"


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.SERVE_MEDIA = True


def committed(work):
    """Run `work` as a request does, and what it queues on commit (the cards' job)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return work()


def meta(page, name):
    """The content of the page's <meta property|name="`name`">, or None."""
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', page)
    return unescape(found[1]) if found else None


def card_of(client, url):
    page = client.get(url).content.decode()
    return meta(page, "og:image"), page


def stored_name(url):
    assert url.startswith("http://testserver/media/"), url
    return url.removeprefix("http://testserver/media/")


def picture(name):
    with default_storage.open(name, "rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        image.load()
    return image


def live(slug="bones", title="Bones and you", **fields):
    article = make_article(slug=slug, title=title, **fields)
    make_section(article, heading="Calcium", body="<p>Eat greens every day.</p>")
    committed(lambda: publish(article))
    return article


def test_a_published_article_links_its_card_with_absolute_addresses(client):
    live()
    url, page = card_of(client, "/articles/bones/")
    image = picture(stored_name(url))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert meta(page, "og:image:type") == "image/png"
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
    assert meta(page, "og:image:alt") == "Bones and you · Genoma Health"
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "twitter:image") == url
    assert meta(page, "twitter:image:alt") == "Bones and you · Genoma Health"
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


# What each kind of page is, as the title-change test makes it: (factory, the field that
# is its title, its English address).
KINDS = {
    "article": (lambda: live(), "title", "/articles/bones/"),
    "condition": (lambda: live_record(make_condition()), "name", "/conditions/osteopenia/"),
    "treatment": (
        lambda: live_record(make_treatment(slug="uc-msc", name="UC-MSC therapy")),
        "name",
        "/treatments/uc-msc/",
    ),
}
NEW_TITLES = {"en": "Strong bones for life", "th": "กระดูกแข็งแรงไปตลอดชีวิต"}


def live_record(record):
    committed(lambda: publish(record))
    return record


def retitle(record, field, language, title):
    """The record's working copy with `title` in `language`, saved as a draft version."""
    setattr(record, field if language == "en" else f"{field}_th", title)
    record.save()
    committed(lambda: record_version(record, language=language))


def publish_as_it_stands(record, language):
    committed(lambda: publish(record) if language == "en" else publish_in_thai(record))


@pytest.mark.parametrize("language", ["en", "th"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_new_published_title_draws_a_new_card_and_a_draft_does_not(client, kind, language):
    """The new card must show the new title: a new file name alone could hold the old
    picture."""
    make, field, path = KINDS[kind]
    record = make()
    url = path if language == "en" else f"/th{path}"
    if language == "th":
        committed(lambda: publish_thai(record, **{field: THAI_TITLE}))
    english, _page = card_of(client, path)
    first, _page = card_of(client, url)
    before = picture(stored_name(first)).convert("RGB")

    retitle(record, field, language, NEW_TITLES[language])  # saved in admin, not published
    assert card_of(client, url)[0] == first
    assert default_storage.exists(stored_name(first))

    publish_as_it_stands(record, language)
    second, page = card_of(client, url)
    assert second != first
    assert meta(page, "twitter:image") == second
    assert meta(page, "og:image:alt") == f"{NEW_TITLES[language]} · Genoma Health"
    after = picture(stored_name(second))
    assert (after.format, after.size) == ("PNG", (1200, 630))
    changed = ImageChops.difference(before, after.convert("RGB")).getbbox()
    assert changed is not None
    # Only the title changed: the mark and the site's name above it, the rule and the
    # label below it are as they were.
    assert changed[1] >= cards.PAD + 72
    assert changed[3] <= cards.HEIGHT - cards.PAD - 50
    # The replaced card is deleted once the change is committed; the other language's
    # card stays.
    assert not default_storage.exists(stored_name(first))
    assert client.get(first.removeprefix("http://testserver")).status_code == 404
    assert ShareCard.objects.count() == (1 if language == "en" else 2)
    if language == "th":
        assert card_of(client, path)[0] == english


def test_a_card_carries_the_sites_colours_mark_and_name(client):
    live()
    url, _page = card_of(client, "/articles/bones/")
    card = picture(stored_name(url)).convert("RGB")
    # The brand colour at the top right, deepening to the dark brand at the bottom left.
    assert card.getpixel((1196, 3)) == pytest.approx(cards.BRAND, abs=3)
    assert card.getpixel((3, 626)) == pytest.approx(cards.BRAND_DARK, abs=3)
    # The mark: a white square, the ring in the brand colour inside it.
    pad, unit = cards.PAD, 72 / 32
    assert card.getpixel((pad + 36, pad + 8)) == pytest.approx(cards.WHITE, abs=3)
    ring = (round(pad + 13.9 * unit), round(pad + 14.9 * unit))
    assert card.getpixel(ring) == pytest.approx(cards.BRAND, abs=3)
    # "Genoma Health" in white beside it, as the name is drawn in the card's font.
    name = card.crop((pad + 94, pad, pad + 420, pad + 72)).convert("L")
    written = Image.new("L", name.size)
    ImageDraw.Draw(written).text(
        (0, 36), "Genoma Health", font=cards.font(40), fill=255, anchor="lm"
    )
    white = name.point(lambda value: 255 if value > 240 else 0)
    ink = written.point(lambda value: 255 if value > 240 else 0)
    assert white.getbbox() is not None
    assert ImageChops.difference(white, ink).histogram()[255] < 0.05 * ink.histogram()[255]


def test_the_thai_page_links_the_card_of_its_thai_title(client):
    article = live()
    english, _page = card_of(client, "/articles/bones/")
    assert card_of(client, "/th/articles/bones/")[0] == english  # no translation yet

    committed(lambda: publish_thai(article, title=THAI_TITLE, standfirst="สิ่งที่ควรรู้"))
    thai, page = card_of(client, "/th/articles/bones/")
    assert thai != english
    assert card_of(client, "/articles/bones/")[0] == english
    assert meta(page, "og:image:alt") == f"{THAI_TITLE} · Genoma Health"
    assert picture(stored_name(thai)).size == (1200, 630)
    assert ImageChops.difference(
        picture(stored_name(thai)).convert("RGB"), picture(stored_name(english)).convert("RGB")
    ).getbbox()
    assert ShareCard.objects.get(language="th").title == THAI_TITLE


def test_conditions_and_treatments_have_cards_too(client):
    condition, treatment = make_condition(), make_treatment(slug="uc-msc", name="UC-MSC therapy")
    committed(lambda: publish(condition, treatment))
    for url in ("/conditions/osteopenia/", "/treatments/uc-msc/"):
        card, _page = card_of(client, url)
        assert picture(stored_name(card)).size == (1200, 630), url


def test_before_its_job_ran_a_page_links_the_sites_card_in_its_language(client):
    publish(make_article(slug="bones"))  # not committed: no job ran
    assert (
        card_of(client, "/articles/bones/")[0] == "http://testserver/static/img/share-card-en.png"
    )
    assert card_of(client, "/th/articles/bones/")[0] == (
        "http://testserver/static/img/share-card-th.png"
    )


def test_a_page_stored_before_its_card_was_made_links_the_card_once_made(client, settings):
    from articles.tasks import refresh_missing_share_cards

    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the article's worked-out page, not the cache
    publish(make_article(slug="bones"))  # its job lost: the page is stored without a card
    assert card_of(client, "/articles/bones/")[0].endswith("/static/img/share-card-en.png")
    committed(refresh_missing_share_cards)
    card, _page = card_of(client, "/articles/bones/")
    assert default_storage.exists(stored_name(card))


@pytest.mark.parametrize("url", ["/", "/articles/", "/conditions/", "/th/", "/team/"])
def test_other_pages_link_the_sites_own_card(client, url):
    from django.contrib.staticfiles import finders

    card, page = card_of(client, url)
    language = "th" if url.startswith("/th/") else "en"
    assert card == f"http://testserver/static/img/share-card-{language}.png"
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "og:image:alt").startswith("Genoma Health · ")
    with Image.open(finders.find(f"img/share-card-{language}.png")) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))


def test_the_sweep_makes_a_lost_card_and_deletes_what_nothing_shows(client):
    from articles.tasks import refresh_missing_share_cards

    article = make_article(slug="bones")
    publish(article)  # its job lost: never committed here
    assert not ShareCard.objects.exists()
    committed(refresh_missing_share_cards)
    card, _page = card_of(client, "/articles/bones/")
    assert default_storage.exists(stored_name(card))

    unpublish(article, _publisher())  # the withdrawal's own job lost too
    committed(refresh_missing_share_cards)
    assert not ShareCard.objects.exists()
    assert not default_storage.exists(stored_name(card))


def _publisher():
    from tests.articles.factories import make_staff

    return make_staff("publisher", "Editors")


def test_unpublishing_deletes_the_card(client):
    article = live()
    card, _page = card_of(client, "/articles/bones/")
    committed(lambda: unpublish(article, _publisher()))
    assert not ShareCard.objects.exists()
    assert not default_storage.exists(stored_name(card))


def test_an_article_with_a_hero_image_shows_its_photo_on_the_card(client):
    article = make_article(slug="hero", title="Hips and knees", hero_alt="A hip X-ray")
    article.hero_image = SimpleUploadedFile("hip.jpg", image_bytes(size=(1200, 800)))
    save_committed(article)
    committed(lambda: publish(article))
    card, page = card_of(client, "/articles/hero/")
    image = picture(stored_name(card))
    assert (image.format, image.size) == ("JPEG", (1200, 630))
    assert meta(page, "og:image:type") == "image/jpeg"
    assert meta(page, "og:image:alt") == "Hips and knees · Genoma Health. A hip X-ray"
    # The photo's colour fills the card's right side.
    assert image.convert("RGB").getpixel((1150, 315)) == pytest.approx((200, 120, 40), abs=12)

    # The photo does not stand in for the card: the title is drawn beside it, and a new
    # title draws a new card with the same photo.
    article.title = "Hips, knees and you"
    save_committed(article)
    committed(lambda: publish(article))
    retitled, _page = card_of(client, "/articles/hero/")
    after = picture(stored_name(retitled)).convert("RGB")
    changed = ImageChops.difference(image.convert("RGB"), after).getbbox()
    assert changed is not None
    assert changed[2] <= 1200 - cards.PHOTO_WIDTH  # the photo's side is as it was
    assert after.getpixel((1150, 315)) == pytest.approx((200, 120, 40), abs=12)

    article.hero_image = SimpleUploadedFile("knee.jpg", image_bytes(size=(900, 600)))
    save_committed(article)
    committed(lambda: publish(article))
    replaced, _page = card_of(client, "/articles/hero/")
    assert replaced != retitled
    assert not default_storage.exists(stored_name(retitled))


def test_an_article_without_a_hero_image_has_a_card_of_its_title_alone(client):
    live()
    card = picture(stored_name(card_of(client, "/articles/bones/")[0])).convert("RGB")
    # No photo at the right: the background's brand colours there.
    assert card.getpixel((1150, 315)) != pytest.approx((200, 120, 40), abs=12)
    assert max(card.getpixel((1190, 40))) < 120


def test_pages_with_their_cards_are_valid_html(client, tmp_path):
    require_java()
    article = live()
    committed(lambda: publish_thai(article, title=THAI_TITLE, standfirst="สิ่งที่ควรรู้"))
    files = []
    for url in ("/articles/bones/", "/th/articles/bones/", "/", "/th/"):
        response = client.get(url)
        assert response.status_code == 200
        assert meta(response.content.decode(), "og:image")
        path = tmp_path / f"{url.strip('/').replace('/', '-') or 'home'}.html"
        path.write_bytes(response.content)
        files.append(path)
    assert_valid_html(files)


# The drawing itself.


def ink(text, size=60):
    """The pixels `text` covers, drawn white on black in the card's bold font."""
    image = Image.new("L", (900, 160))
    ImageDraw.Draw(image).text((20, 120), text, font=cards.font(size), fill=255, anchor="ls")
    return image


def test_thai_is_laid_out_with_its_marks():
    """Raqm (Pillow's complex text layout, with Debian's libfribidi0) places Thai vowel and
    tone marks; without it they are dropped or stacked wrong, and Thai cards are not made."""
    assert cards.HAS_RAQM, "Pillow has no Raqm layout: install libfribidi0 (README)"
    assert ImageChops.difference(ink("ที่นี่"), ink("ทีนี")).getbbox()  # the tone marks show
    # The tone mark of ปู่ sits above the consonant, beside its tall stem: not at its left.
    box = ImageChops.difference(ink("ปู่"), ink("ปู")).getbbox()
    assert box is not None
    assert box[0] > 20


def test_a_font_made_without_raqm_is_never_used_with_it(monkeypatch):
    """A worker that once drew without Raqm (or a test that pretended so) must not hand that
    font to a drawing that lays Thai out with Raqm: Pillow refuses it, and no card is made."""
    with monkeypatch.context() as without_raqm:
        without_raqm.setattr(cards, "HAS_RAQM", False)
        cards.font(61)
    image = Image.new("L", (400, 100))
    cards._text(ImageDraw.Draw(image), (10, 80), "ที่นี่", cards.font(61), 255, "ls")
    assert image.getbbox()


def test_titles_wrap_at_spaces_and_thai_between_words():
    typeface = cards.font(60)
    width = 600
    lines = cards.wrap("Osteoporosis and stem cell therapy: a new approach", typeface, width)
    assert len(lines) > 1
    assert " ".join(lines) == "Osteoporosis and stem cell therapy: a new approach"
    thai = "ภาวะมวลกระดูกต่ำและการป้องกันโรคกระดูกพรุนในผู้สูงอายุด้วยการออกกำลังกาย"
    lines = cards.wrap(thai, typeface, width)
    assert len(lines) > 1
    assert "".join(lines) == thai
    for line in lines:
        assert cards.text_width(line, typeface) <= width
        assert line[0] not in "ะาำ่้๊๋็ิีึืุู์ั"  # never a mark or a closing vowel first
        assert line[-1] not in "เแโใไ"  # never an opening vowel last


def test_a_title_too_long_for_the_card_ends_in_an_ellipsis():
    _typeface, lines, _height = cards.fit_title("Bone " * 80, 1000, 300, (60, 50))
    assert lines[-1].endswith("…")
    assert len(lines) * round(50 * 1.18) <= 300


def test_the_card_fonts_hold_every_character_of_the_sites_fonts():
    """articles/fonts/ is made from static/fonts/ (scripts/make_card_fonts.py): a card
    draws every character a page can."""
    from django.contrib.staticfiles import finders

    ttlib = pytest.importorskip("fontTools.ttLib")
    for weight, name in (("400", "Sarabun-Regular.ttf"), ("700", "Sarabun-Bold.ttf")):
        card_font = set(ttlib.TTFont(cards.FONTS / name).getBestCmap())
        for subset in ("latin", "thai"):
            site_font = ttlib.TTFont(finders.find(f"fonts/sarabun-{subset}-{weight}-normal.woff2"))
            assert set(site_font.getBestCmap()) <= card_font, (name, subset)


def test_thai_lines_break_between_words_from_a_dictionary():
    """libthai (Debian's libthai0) finds Thai words, written without spaces between them:
    a card's line ends after a word, as a browser's does."""
    assert cards.thai_words().breaks("โรคกระดูกพรุน") == {3, 9}, "install libthai0 (README)"


def test_a_scheduled_title_gets_its_card_and_the_old_one_goes_when_it_goes_live(client):
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import Version
    from articles.tasks import refresh_missing_share_cards

    article = live()
    first, _page = card_of(client, "/articles/bones/")
    article.title = "Strong bones for life"
    article.publish_at = timezone.now() + timedelta(hours=1)
    article.save()
    committed(lambda: publish(article))  # scheduled for an hour from now
    assert ShareCard.objects.count() == 2  # ready before its time
    assert card_of(client, "/articles/bones/")[0] == first

    # An hour later (as the clock would have it): the new version is live.
    now = timezone.now()
    Version.objects.filter(live_until__isnull=False).update(
        live_from=now - timedelta(days=2), live_until=now - timedelta(minutes=1)
    )
    Version.objects.filter(live_until__isnull=True).update(live_from=now - timedelta(minutes=1))
    committed(refresh_missing_share_cards)
    second, _page = card_of(client, "/articles/bones/")
    assert second != first
    assert ShareCard.objects.get().title == "Strong bones for life"
    assert not default_storage.exists(stored_name(first))


def test_without_raqm_no_thai_card_is_made_rather_than_a_wrong_one(client, monkeypatch):
    monkeypatch.setattr(cards, "HAS_RAQM", False)
    article = live()
    committed(lambda: publish_thai(article, title=THAI_TITLE, standfirst="สิ่งที่ควรรู้"))
    assert list(ShareCard.objects.values_list("language", flat=True)) == ["en"]
    thai, _page = card_of(client, "/th/articles/bones/")
    assert thai == "http://testserver/static/img/share-card-th.png"


def test_a_schedule_cancelled_by_a_newer_one_loses_its_card(client):
    """README: a cancelled schedule queues the cards' job; the card of a title that will
    now never go live is deleted, the live title's card stays."""
    from datetime import timedelta

    from django.utils import timezone

    article = live()
    first, _page = card_of(client, "/articles/bones/")
    article.title = "Strong bones for life"
    article.publish_at = timezone.now() + timedelta(hours=1)
    article.save()
    committed(lambda: publish(article))  # scheduled for an hour from now: its card made
    scheduled = ShareCard.objects.get(title="Strong bones for life").image
    assert default_storage.exists(scheduled)

    article.title = "Bones at every age"
    article.publish_at = timezone.now() + timedelta(hours=2)
    article.save()
    committed(lambda: publish(article))  # takes the first schedule's place: it is cancelled
    assert set(ShareCard.objects.values_list("title", flat=True)) == {
        "Bones and you",
        "Bones at every age",
    }
    assert not default_storage.exists(scheduled)
    assert card_of(client, "/articles/bones/")[0] == first


def test_unpublishing_cancels_a_scheduled_first_publication_and_its_card(client):
    from datetime import timedelta

    from django.utils import timezone

    article = make_article(slug="bones", publish_at=timezone.now() + timedelta(hours=1))
    committed(lambda: publish(article))  # not public yet; its card is ready
    card = ShareCard.objects.get().image
    assert default_storage.exists(card)
    committed(lambda: unpublish(article, _publisher()))  # cancels the schedule alone
    assert not ShareCard.objects.exists()
    assert not default_storage.exists(card)


def test_the_worker_sweeps_for_cards_every_five_minutes():
    """README: "the worker's sweep (every five minutes)" (Huey keeps time in UTC)."""
    from datetime import datetime, timedelta

    from huey.contrib.djhuey import HUEY

    from articles import tasks  # noqa: F401 - registers them

    start = datetime(2026, 12, 7, 0, 0)
    minutes = [start + timedelta(minutes=n) for n in range(60)]
    sweeps = [
        m
        for m in minutes
        if "refresh_missing_share_cards" in {task.name for task in HUEY.read_periodic(m)}
    ]
    assert sweeps == minutes[::5]
