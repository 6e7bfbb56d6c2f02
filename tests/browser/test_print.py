"""An article printed from the browser (Chromium's own PDF, print media): the article with
its review line, sections, references, every link's address and the medical disclaimer;
none of the site's navigation, language switcher, forms or invitations to book."""

import io

import pytest
from model_bakery import baker

from tests.articles.factories import make_article, make_section, publish

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
