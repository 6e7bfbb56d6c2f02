"""Search finds a Thai word inside Thai text, which is written without spaces between
words, on SQLite and on PostgreSQL, and ranks what it finds: the title first."""

import re

import pytest

from tests.articles.factories import (
    make_article,
    make_condition,
    make_section,
    make_treatment,
    publish,
    publish_thai,
    save_version,
)

pytestmark = pytest.mark.django_db

CONDITION = "/conditions/thai-osteoporosis/"
ARTICLE = "/articles/thai-bone-health/"
TREATMENT = "/treatments/thai-stem-cells/"
LINK = re.compile(r'href="(/(?:articles|conditions|treatments)/[a-z0-9-]+/)"')
THAI_LINK = re.compile(r'href="/th(/(?:articles|conditions|treatments)/[a-z0-9-]+/)"')


@pytest.fixture
def thai_content():
    """Published Thai versions: every word sits inside a longer run of Thai."""
    article = make_article(
        slug="thai-bone-health",
        title="ดูแลสุขภาพกระดูกในผู้สูงอายุ",
        standfirst="สิ่งที่ควรรู้เมื่ออายุมากขึ้น",
    )
    make_section(article, heading="อาหาร", body="<p>ผู้ป่วยควรได้รับ calcium และวิตามินดีเพียงพอ</p>")
    publish(
        article,
        make_condition(
            name="โรคกระดูกพรุน",
            slug="thai-osteoporosis",
            summary="ภาวะที่มวลกระดูกลดลงจนเปราะหักง่าย",
            overview="<p>พบบ่อยในสตรีวัยหมดประจำเดือน</p>",
        ),
        make_treatment(
            name="การบำบัดด้วยเซลล์ต้นกำเนิด",
            slug="thai-stem-cells",
            summary="การรักษาที่อยู่ระหว่างการศึกษา",
            description="<p>เซลล์จากสายสะดือ UC-MSC</p>",
        ),
    )


def found(client, query):
    """The published pages the search page links to, in the order it shows them."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return LINK.findall(response.content.decode())


@pytest.mark.parametrize(
    ("query", "urls"),
    [
        ("กระดูก", [CONDITION, ARTICLE]),  # a word inside the title and the summary
        ("เปราะหัก", [CONDITION]),  # inside the summary only
        ("วัยหมดประจำเดือน", [CONDITION]),  # inside the text of the overview
        ("ต้นกำเนิด", [TREATMENT]),  # inside the title
        ("ระหว่างการศึกษา", [TREATMENT]),
        ("วิตามินดี", [ARTICLE]),  # inside a section's body
        ("กระดูก ผู้สูงอายุ", [ARTICLE]),  # every word must be there
        ("โรคกระดูกพรุน", [CONDITION]),  # a whole run, as written
    ],
)
def test_a_thai_word_inside_thai_text_finds_it(client, thai_content, query, urls):
    assert found(client, query) == urls


@pytest.mark.parametrize("query", ["หัวใจ", "กระดูก หัวใจ", "พรุนโรค", "กระดูก heart"])
def test_a_thai_word_not_in_the_text_finds_nothing(client, thai_content, query):
    page = client.get("/search/", {"q": query}).content.decode()
    assert LINK.findall(page) == []
    assert "Nothing matched" in page


@pytest.mark.parametrize(
    ("query", "urls"),
    [
        ("วิตามิน calcium", [ARTICLE]),  # an English word inside a Thai sentence
        ("สายสะดือ UC-MSC", [TREATMENT]),
        ("UC-MSC", [TREATMENT]),
    ],
)
def test_a_mixed_thai_and_english_query_needs_every_word(client, thai_content, query, urls):
    assert found(client, query) == urls


def test_thai_search_reads_the_published_words_not_the_working_copy(client, thai_content):
    from articles.models import Condition

    condition = Condition.objects.get(slug="thai-osteoporosis")
    condition.summary = "ภาวะที่ความหนาแน่นของกระดูกต่ำ"
    condition.save()
    save_version(condition)
    assert found(client, "ความหนาแน่น") == []
    publish(condition)
    assert found(client, "ความหนาแน่น") == [CONDITION]
    assert found(client, "เปราะหัก") == []


def test_english_results_stay_ranked_title_first(client):
    """The title weighs more than the text: "Zinc" in a title comes before "zinc" in a
    body, although alphabetical order would put it last."""
    in_title = make_article(slug="zinc-title", title="Zinc and your bones")
    in_text = make_article(slug="zinc-text", title="A diet for bones")
    make_section(in_text, body="<p>Some zinc helps.</p>")
    publish(in_title, in_text)
    assert found(client, "zinc") == ["/articles/zinc-title/", "/articles/zinc-text/"]


def test_a_mixed_query_is_ranked_by_its_english_words(client):
    in_title = make_article(slug="mixed-title", title="Zinc: แร่ธาตุสำหรับกระดูก")
    in_text = make_article(slug="mixed-text", title="อาหารบำรุงกระดูก")
    make_section(in_text, body="<p>Some zinc helps.</p>")
    publish(in_title, in_text)
    assert found(client, "กระดูก zinc") == ["/articles/mixed-title/", "/articles/mixed-text/"]
    assert found(client, "zinc กระดูก") == ["/articles/mixed-title/", "/articles/mixed-text/"]


def test_a_thai_query_ranks_the_title_above_the_summary_above_the_text(client):
    """Alphabetical order would put the text match first ("ก" comes before "อ")."""
    in_text = make_article(slug="calcium-text", title="การกินอาหาร", standfirst="เมนูประจำวัน")
    make_section(in_text, body="<p>แคลเซียมช่วยให้กระดูกแข็งแรง</p>")
    in_summary = make_article(slug="calcium-summary", title="ขนมไทย", standfirst="มีแคลเซียมสูง")
    in_title = make_article(slug="calcium-title", title="อาหารที่มีแคลเซียม")
    publish(in_text, in_summary, in_title)
    assert found(client, "แคลเซียม") == [
        "/articles/calcium-title/",
        "/articles/calcium-summary/",
        "/articles/calcium-text/",
    ]


@pytest.fixture
def calcium_articles():
    """A Thai word in two titles, two summaries and one text; the text's title comes
    first in alphabetical order, the titles' first letters in every collation."""
    in_text = make_article(slug="calcium-text", title="การกินอาหาร", standfirst="เมนูประจำวัน")
    make_section(in_text, body="<p>แคลเซียมช่วยให้กระดูกแข็งแรง</p>")
    publish(
        in_text,
        make_article(slug="calcium-title-2", title="ขนมแคลเซียมสูง"),
        make_article(slug="calcium-title-1", title="กินแคลเซียมทุกวัน"),
        make_article(slug="calcium-summary-2", title="งานวิจัย", standfirst="แคลเซียมในนม"),
        make_article(slug="calcium-summary-1", title="คู่มือ", standfirst="มีแคลเซียมสูง"),
    )


@pytest.mark.parametrize("language", ["", "/th"])
def test_a_page_of_results_takes_the_titles_then_the_summaries_then_the_texts(
    client, calcium_articles, monkeypatch, language
):
    def articles_found(query):
        page = client.get(f"{language}/search/", {"q": query}).content.decode()
        return (THAI_LINK if language else LINK).findall(page)

    assert articles_found("แคลเซียม") == [
        "/articles/calcium-title-1/",
        "/articles/calcium-title-2/",
        "/articles/calcium-summary-1/",
        "/articles/calcium-summary-2/",
        "/articles/calcium-text/",
    ]
    monkeypatch.setattr("articles.search.RESULTS_PER_KIND", 3)
    assert articles_found("แคลเซียม") == [
        "/articles/calcium-title-1/",
        "/articles/calcium-title-2/",
        "/articles/calcium-summary-1/",
    ]


@pytest.mark.parametrize("language", ["", "/th"])
def test_when_titles_fill_the_page_no_long_text_is_read(
    client, calcium_articles, monkeypatch, language
):
    """A word that many texts hold fills the page from the titles: the texts, long and
    (on PostgreSQL) read and decompressed one by one to be compared, are left alone."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article

    # A page of one, and one past it to know whether another follows: two; a Thai page
    # reads twice as many, and one (a record may match in both languages): three.
    monkeypatch.setattr("articles.search.RESULTS_PER_KIND", 1)
    publish(make_article(slug="calcium-title-3", title="งดแคลเซียม"))
    article_kind = ContentType.objects.get_for_model(Article).pk
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"{language}/search/", {"q": "แคลเซียม"}).content.decode()
    assert (THAI_LINK if language else LINK).findall(page) == ["/articles/calcium-title-1/"]
    about_articles = [
        query["sql"]
        for query in captured
        if f'"articles_version"."content_type_id" = {article_kind}' in query["sql"]
    ]
    assert about_articles
    assert not [sql for sql in about_articles if "search_text" in sql]


@pytest.mark.parametrize("language", ["", "/th"])
def test_results_past_a_page_are_on_the_next_pages_each_record_once(
    client, calcium_articles, monkeypatch, language
):
    """Search does not count its results: one match past the page says another page
    follows. On a Thai page a record found in both languages is one result."""
    from articles.models import Article

    # Found in Thai and in English, each in the same place in both.
    for slug in ("calcium-title-1", "calcium-title-2", "calcium-summary-2"):
        article = Article.objects.get(slug=slug)
        publish_thai(
            article, title=f"{article.title} ฉบับไทย", standfirst=f"{article.standfirst} ฉบับไทย"
        )
    monkeypatch.setattr("articles.search.RESULTS_PER_KIND", 2)
    pages = {}
    for number in (1, 2, 3):
        response = client.get(f"{language}/search/", {"q": "แคลเซียม", "page": number})
        assert response.status_code == 200
        pages[number] = response.content.decode()
    assert [(THAI_LINK if language else LINK).findall(page) for page in pages.values()] == [
        ["/articles/calcium-title-1/", "/articles/calcium-title-2/"],
        ["/articles/calcium-summary-1/", "/articles/calcium-summary-2/"],
        ["/articles/calcium-text/"],
    ]
    query = "q=%E0%B9%81%E0%B8%84%E0%B8%A5%E0%B9%80%E0%B8%8B%E0%B8%B5%E0%B8%A2%E0%B8%A1"
    assert f'rel="next" href="?{query}&amp;page=2"' in pages[1]
    assert 'rel="prev"' not in pages[1]
    assert f'rel="prev" href="?{query}&amp;page=1"' in pages[2]
    assert f'rel="next" href="?{query}&amp;page=3"' in pages[2]
    assert 'rel="prev"' in pages[3]
    assert 'rel="next"' not in pages[3]
    assert re.search(r"<title>[^<]*(page|หน้า) 2 ·", pages[2])
    assert client.get(f"{language}/search/", {"q": "แคลเซียม", "page": 4}).status_code == 404


def test_a_page_of_results_holds_ten_of_a_kind(client):
    """As README says: up to 10 of each kind, then "More results"."""
    publish(*[make_article(slug=f"zinc-{n:02}", title=f"สังกะสี {n:02}") for n in range(11)])
    first = client.get("/search/", {"q": "สังกะสี"}).content.decode()
    second = client.get("/search/", {"q": "สังกะสี", "page": 2}).content.decode()
    assert LINK.findall(first) == [f"/articles/zinc-{n:02}/" for n in range(10)]
    assert 'rel="next"' in first
    assert LINK.findall(second) == ["/articles/zinc-10/"]


def test_switching_language_past_the_last_page_keeps_the_search(client, monkeypatch):
    """A Thai page finds the Thai words too, so its second page can be past the last of the
    same search in English: the language switcher, which keeps the page, lands on the
    search with the way to its first page, not on a dead end."""
    both = make_article(slug="zinc-both", title="สังกะสีกับกระดูก")
    thai_only = make_article(slug="zinc-thai", title="อาหารเสริม")
    publish(both, thai_only)
    publish_thai(thai_only, title="อาหารเสริมสังกะสี")
    monkeypatch.setattr("articles.search.RESULTS_PER_KIND", 1)
    zinc = "q=%E0%B8%AA%E0%B8%B1%E0%B8%87%E0%B8%81%E0%B8%B0%E0%B8%AA%E0%B8%B5"
    thai_second = client.get(f"/th/search/?{zinc}&page=2")
    assert THAI_LINK.findall(thai_second.content.decode()) == ["/articles/zinc-thai/"]
    switch = f'href="/search/?{zinc}&amp;page=2"'
    assert switch in thai_second.content.decode()
    english_second = client.get(f"/search/?{zinc}&page=2")
    assert english_second.status_code == 404
    page = english_second.content.decode()
    assert "There are no more results for “สังกะสี”: page 2 is past the last one." in page
    assert f'<a href="?{zinc}">First page of results</a>' in page
    assert 'name="q" value="สังกะสี"' in page  # the search form, filled in
    assert LINK.findall(client.get(f"/search/?{zinc}").content.decode()) == ["/articles/zinc-both/"]


def test_a_page_of_results_that_fits_has_no_page_links(client, calcium_articles):
    page = client.get("/search/", {"q": "แคลเซียม"}).content.decode()
    assert len(LINK.findall(page)) == 5
    assert 'class="pagination"' not in page


@pytest.mark.parametrize("number", ["abc", "0", "-1", "1.5", "", " 2", "10001", "9" * 30])
def test_a_page_number_that_is_not_there_is_a_clear_404(client, calcium_articles, number):
    response = client.get("/search/", {"q": "แคลเซียม", "page": number})
    if number == "":  # no number: the first page
        assert response.status_code == 200
        return
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_on_postgresql_the_trigram_index_starts_with_the_kind():
    """Search reads one kind at a time: its trigram indexes, of the texts and of the
    titles, are by kind first, so that a search for conditions does not recheck every
    article that holds the word (the figures: make bench-scale, docs/performance.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's trigram index (SQLite reads the words themselves)")
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "articles_version")
    trigram = {name: index for name, index in indexes.items() if "search_text" in index["columns"]}
    assert list(trigram) == ["version_kind_search_text_idx"]
    assert trigram["version_kind_search_text_idx"]["columns"] == ["content_type_id", "search_text"]
    assert trigram["version_kind_search_text_idx"]["type"] == "gin"
    titles = {name: index for name, index in indexes.items() if "title" in index["columns"]}
    assert titles["version_kind_title_idx"]["columns"] == ["content_type_id", "title"]
    assert titles["version_kind_title_idx"]["type"] == "gin"
