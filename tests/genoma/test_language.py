"""A page's language is its address: today's addresses are English whatever the browser
asks for, lang attribute included."""

import re

import pytest

pytestmark = pytest.mark.django_db
THAI = re.compile("[\u0e00-\u0e7f]")


@pytest.mark.parametrize("url", ["/", "/articles/", "/conditions/osteopenia/?t_score=abc"])
def test_pages_are_english_whatever_the_browser_asks_for(client, clinic_content, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="th")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert not THAI.search(html)


def test_form_errors_are_english_too(client, clinic_content):
    client.get("/consultation/", HTTP_ACCEPT_LANGUAGE="th")
    response = client.post("/consultation/", {"email": "not-an-address"}, HTTP_ACCEPT_LANGUAGE="th")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "This field is required." in html
    assert "Enter a valid email address." in html
    assert not THAI.search(html)


def test_a_thai_visitor_does_not_change_the_page_an_english_one_gets(client, clinic_content):
    thai = client.get("/articles/", HTTP_ACCEPT_LANGUAGE="th")
    english = client.get("/articles/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["X-Cache"] == "hit"
    assert english.content == thai.content
