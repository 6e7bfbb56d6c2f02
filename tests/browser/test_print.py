"""An article printed from the browser (Chromium's own PDF, print media): the article with
its review line, sections, references, every link's address and the medical disclaimer;
none of the site's navigation, language switcher, forms or invitations to book."""

import io

import pytest
from django.utils import timezone
from model_bakery import baker

from genoma.dates import local_date
from tests.articles.factories import make_article, make_section, publish
from tests.public_pages import ARTICLE

pytestmark = pytest.mark.django_db(transaction=True)

EXTERNAL = "https://www.bones.example/calcium-guide"


@pytest.fixture
def article(db):
    article = make_article(
        slug="printable", title="Strong bones at every age", standfirst="What to eat and do."
    )
    make_section(
        article,
        heading="Calcium every day",
        body=(
            f'<p>Greens and tofu give calcium; see the <a href="{EXTERNAL}">calcium guide</a> '
            'and our page on <a href="/conditions/osteopenia/">osteopenia</a>.</p>'
        ),
    )
    baker.make(
        "articles.ArticleReference",
        article=article,
        citation="Bone Health Society. Calcium and bone, 2024.",
        url="https://www.bones.example/study",
    )
    return publish(article)


# The elements whose text is not black, or whose background is neither white nor none,
# in print; a colour key (a T-score range's swatch) and the scale's picture keep colour.
NOT_BLACK_ON_WHITE = """() => [...document.querySelectorAll('body *')].filter((el) => {
  const r = el.getBoundingClientRect(), style = getComputedStyle(el);
  if (!r.width || !r.height || el.closest('svg, .swatch')) return false;
  const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  return (text && style.color !== 'rgb(0, 0, 0)')
    || !['rgba(0, 0, 0, 0)', 'rgb(255, 255, 255)'].includes(style.backgroundColor);
}).map((el) => `${el.tagName}.${el.className}: ${getComputedStyle(el).color} on `
  + getComputedStyle(el).backgroundColor)"""


def printed_text(page):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    return "\n".join(sheet.extract_text() for sheet in reader.pages)


def test_an_article_prints_as_the_article_alone(page, live_server, article, console_errors):
    page.goto(f"{live_server.url}/articles/printable/")
    text = printed_text(page)
    words = " ".join(text.split())
    joined = "".join(text.split())  # an address may be cut across lines
    assert "Strong bones at every age" in words
    assert "Awaiting medical review" in words  # the review line
    assert "Calcium every day" in words
    assert "Greens and tofu give calcium" in words
    assert f"({EXTERNAL})" in joined  # a link's address written out
    assert "(/conditions/osteopenia/)" in joined  # an address on this site too
    assert "Bone Health Society. Calcium and bone, 2024." in words  # references
    assert joined.count("https://www.bones.example/study") == 1  # its address once
    assert "This article is general information, not medical advice." in words
    assert "Medical disclaimer:" in words  # the site's own, in the footer
    assert f"{live_server.url}/articles/printable/" in joined  # where to read it online
    for clutter in (
        "Skip to main content",
        "Our team",  # the menu
        "Treatments",
        "Book a consultation",  # the menu's and the article's call to book
        "Talk to our team",
        "Ask for a consultation",  # the footer's
        "Privacy notice",  # the footer's links
        "Articles feed",
        "Home",  # the breadcrumbs
    ):
        assert clutter not in words, clutter
    assert "ภาษาไทย" not in text  # the language switcher
    assert console_errors == []


def test_a_screen_reader_of_the_page_still_gets_everything(page, live_server, article):
    """Print rules change nothing on screen: the menu and the call to book are there."""
    page.goto(f"{live_server.url}/articles/printable/")
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert page.get_by_role("heading", name="Talk to our team").is_visible()
    assert not page.locator(".print-only").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert page.locator(".print-only").is_visible()


def test_a_reviewed_article_prints_its_reviewer_and_the_review(page, live_server, clinic_content):
    """The review line's card, with the clinician's photo, prints as the line it says."""
    from tests.articles.test_review_card import approve_as, reviewer

    approve_as(reviewer(), "article")
    page.goto(live_server.url + ARTICLE)
    assert page.locator(".review-card img").count() == 1
    words = " ".join(printed_text(page).split())
    on = local_date(timezone.localdate())
    assert "Medically reviewed by Dr Somchai Jaidee, MD, FRCOST" in words
    assert f"on {on}" in words
    assert "Orthopaedic surgeon" in words  # the reviewer's title
    assert "Awaiting medical review" not in words
    page.emulate_media(media="print")
    assert page.evaluate(NOT_BLACK_ON_WHITE) == []
    photo = page.locator(".review-card img").bounding_box()
    assert max(photo["width"], photo["height"]) <= 80, photo  # a small portrait


@pytest.mark.parametrize("query", ["", "?t_score=-1.8"])
def test_a_condition_prints_its_scale_and_ranges_without_the_form(
    page, live_server, clinic_content, query
):
    page.goto(f"{live_server.url}/conditions/osteopenia/{query}")
    words = " ".join(printed_text(page).split())
    assert "Osteopenia" in words
    assert "What does my T-score mean?" in words
    for number in ("-4", "-2.5", "-1", "+1"):  # the scale's numbers
        assert number in words
    assert "T-score ranges" in words
    for band in ("T ≤ -2.5 Osteoporosis", "between -1 and -2.5 Osteopenia", "T ≥ -1 Normal"):
        assert band in words, band
    if query:
        assert "A T-score of -1.8 falls in the range: Osteopenia." in words
        assert "You: -1.8" in words  # the score marked on the scale
    page.emulate_media(media="print")
    assert page.evaluate(NOT_BLACK_ON_WHITE) == []
    for clutter in (
        "Your T-score (from your DEXA scan report)",  # the interpreter's form
        "Explain my result",
        "Discuss your result with our doctors",
        "On this page",
        "Talk to our team",  # the booking box
        "Book a consultation",
    ):
        assert clutter not in words, clutter
