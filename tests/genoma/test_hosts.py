"""A host the site does not serve gets the site's 400 page, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/articles/", "/no-such-page/", "/consultation/"])
def test_an_unknown_host_gets_the_400_page(client, clinic_content, url):
    response = client.get(url, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Something in that request was not right" in response.content.decode()
    assert "evil.example" not in response.content.decode()


def test_an_unknown_host_is_refused_even_when_the_page_is_cached(client, clinic_content):
    assert client.get("/articles/").status_code == 200
    assert client.get("/articles/")["X-Cache"] == "hit"
    response = client.get("/articles/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "X-Cache" not in response


def test_the_400_page_after_a_thai_page_is_in_english(client, clinic_content):
    """The 400 page is rendered before LocaleMiddleware reads the address: the Thai of
    the request before it must not stay active."""
    assert client.get("/th/articles/").status_code == 200
    response = client.get("/th/articles/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert '<html lang="en">' in response.content.decode()
    assert "Something in that request was not right" in response.content.decode()
