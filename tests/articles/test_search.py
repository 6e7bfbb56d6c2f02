"""Search reads what visitors read: the visible text of rich text, never its markup."""

import pytest

from tests.articles.factories import (
    make_article,
    make_condition,
    make_section,
    make_treatment,
    publish,
    save_version,
)

pytestmark = pytest.mark.django_db

MARKUP = (
    '<p>Read <a href="https://journal.example/paper">the <strong>trial</strong></a>'
    "&nbsp;now &amp; calcium later.</p><table><tbody><tr><td>dosage</td></tr></tbody></table>"
)
URLS = ("/articles/markup-post/", "/conditions/markup-condition/", "/treatments/markup-therapy/")


@pytest.fixture
def content_with_markup():
    article = make_article(slug="markup-post", title="Bones", standfirst="Plain.")
    make_section(article, heading="Plain heading", body=MARKUP)
    publish(
        article,
        make_condition(name="Marked", slug="markup-condition", summary="Plain.", overview=MARKUP),
        make_treatment(name="Therapy", slug="markup-therapy", summary="Plain.", description=MARKUP),
    )


def found(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    return [url for url in URLS if f'href="{url}"' in page]


@pytest.mark.parametrize(
    "query", ["href", "strong", "nbsp", "amp", "journal", "paper", "noopener", "tbody"]
)
def test_words_inside_markup_find_nothing(client, content_with_markup, query):
    assert found(client, query) == []


@pytest.mark.parametrize("query", ["trial", "calcium", "dosage", "trial calcium"])
def test_visible_words_of_rich_text_still_find_it(client, content_with_markup, query):
    assert found(client, query) == list(URLS)


def test_search_reads_the_published_words_not_the_working_copy(client, content_with_markup):
    from articles.models import ArticleSection

    section = ArticleSection.objects.get(heading="Plain heading")
    section.body = "<p>Vitamin D instead.</p>"
    section.save()
    save_version(section.article)
    assert found(client, "vitamin") == []
    assert found(client, "calcium") == list(URLS)
    publish(section.article)
    assert found(client, "vitamin") == [URLS[0]]
    assert found(client, "calcium") == list(URLS[1:])
