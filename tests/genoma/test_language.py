"""Every public page type in English and in Thai: the address is the language.

Each page says its language in `<html lang>`, names itself in both languages and the
default with `hreflang`, links to the same page in the other language, and keeps its
canonical address in its language. A Thai page says no English sentence of the
interface: the test looks for each English sentence of the catalogue in the words a
Thai reader gets (text and the attributes read aloud), leaving out what is marked as
English (`lang="en"`: a page not yet translated shows its English text so marked).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.consultations.conftest import started_seconds_ago
from tests.public_pages import ARTICLE, PAGES
from tests.team.factories import with_photo

pytestmark = pytest.mark.django_db
READ_ALOUD = {"alt", "aria-label", "title", "placeholder"}


class ThaiReadersWords(HTMLParser):
    """The text and read-aloud attributes of a page, without what is marked English and
    without scripts and styles."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words = []
        self.stack = []  # per open element: whether it hides its content

    def _hidden(self):
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hides = tag in ("script", "style") or attrs.get("lang", "th") != "th"
        if not (self._hidden() or hides):
            self.words.extend(v for k, v in attrs.items() if k in READ_ALOUD and v)
        if tag not in self.VOID:
            self.stack.append(hides)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._hidden():
            self.words.append(data)


def thai_readers_words(html):
    parser = ThaiReadersWords()
    parser.feed(html.split("<body", 1)[1])
    return " ".join(" ".join(parser.words).split())


def english_sentences():
    """The catalogue's English sentences (two words or more) that Thai says otherwise."""
    catalogue = Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES" / "django.po"
    for entry in polib.pofile(str(catalogue)):
        text = re.sub(r"%\(\w+\)[sd]|\{\{.*?\}\}|<[^>]+>", "|", entry.msgid)
        for part in text.split("|"):
            part = " ".join(part.split()).strip(" .:,;·")
            if len(part.split()) >= 2 and entry.msgstr != entry.msgid:
                yield part


@pytest.fixture
def site(client, clinic_content):
    with_photo()  # the team pages with everything a clinician may have
    return client


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("language", ["en", "th"])
def test_each_page_type_is_in_the_language_of_its_address(site, name, language):
    path = PAGES[name] if language == "en" else "/th" + PAGES[name]
    response = site.get(path, HTTP_ACCEPT_LANGUAGE="th" if language == "en" else "en")
    html = response.content.decode()
    assert response.status_code == 200, path
    assert f'<html lang="{language}">' in html
    english = "http://testserver" + PAGES[name].split("?")[0]
    thai = "http://testserver/th" + PAGES[name].split("?")[0]
    assert f'<link rel="alternate" hreflang="en" href="{english}">' in html
    assert f'<link rel="alternate" hreflang="th" href="{thai}">' in html
    assert f'<link rel="alternate" hreflang="x-default" href="{english}">' in html
    other = ("/th" + PAGES[name]) if language == "en" else PAGES[name]
    assert (
        f'href="{other.replace("&", "&amp;")}" hreflang="{"th" if language == "en" else "en"}"'
        in html
    )
    canonical = english if language == "en" else thai
    assert f'<link rel="canonical" href="{canonical}">' in html


@pytest.mark.parametrize("name", list(PAGES))
def test_a_thai_page_says_no_english_sentence_of_the_interface(site, name):
    words = thai_readers_words(site.get("/th" + PAGES[name]).content.decode())
    found = sorted({s for s in english_sentences() if s in words})
    assert found == [], f"English on /th{PAGES[name]}: {found}"


def test_the_thai_form_s_errors_are_thai(site):
    site.get("/th/consultation/")
    response = site.post(
        "/th/consultation/", {"email": "not-an-address", "form_started": started_seconds_ago(9)}
    )
    html = response.content.decode()
    assert '<html lang="th">' in html
    words = thai_readers_words(html)
    assert "This field is required" not in words
    assert sorted({s for s in english_sentences() if s in words}) == []


def test_the_english_pages_stay_english_whatever_the_browser_asks_for(site):
    thai = site.get("/articles/", HTTP_ACCEPT_LANGUAGE="th")
    english = site.get("/articles/", HTTP_ACCEPT_LANGUAGE="en")
    assert thai.status_code == english.status_code == 200
    assert english.content == thai.content
    assert "Location" not in thai  # no redirect on Accept-Language


def test_a_page_not_yet_translated_shows_its_english_text_marked_as_english(site):
    html = site.get("/th" + ARTICLE).content.decode()
    assert "This page is not yet available in Thai" not in html  # said in Thai
    assert '<h1 lang="en">' in html
    english_notice = "This page is not yet available in Thai."
    assert english_notice not in thai_readers_words(html)


def test_admin_follows_the_staff_member_s_browser_language(client, db):
    thai = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    english = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="th"' in thai
    assert "ชื่อผู้ใช้" in thai  # Django's own Thai: "Username"
    assert '<html lang="en"' in english
    assert "Username" in english


def english_content_words():
    """The public records' English names and titles: on a Thai page without translations
    each is English text, and must be marked so."""
    from articles.models import Version

    return {v.title for v in Version.objects.public()}


@pytest.mark.parametrize("name", list(PAGES))
def test_a_thai_page_marks_every_english_title_it_shows_as_english(site, name):
    html = site.get("/th" + PAGES[name]).content.decode()
    words = thai_readers_words(html)
    found = sorted(title for title in english_content_words() if title in words)
    assert found == [], f"English titles not marked lang=en on /th{PAGES[name]}: {found}"


@pytest.mark.parametrize("path", [ARTICLE, "/treatments/uc-msc-therapy/"])
def test_the_title_of_a_page_shown_in_english_is_marked_english(site, path):
    html = site.get("/th" + path).content.decode()
    assert re.search(r'<title lang="en">[^<]+ · Genoma Health</title>', html)
    assert re.search(r'<li aria-current="page" lang="en">[^<]+</li>', html)
    assert "<title>" in site.get(path).content.decode()  # English on an English page
