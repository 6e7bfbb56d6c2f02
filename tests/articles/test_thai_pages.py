"""The public pages in Thai: the published translation where there is one, the English
text inside the Thai page where not, never an unapproved translation."""

import xml.etree.ElementTree as ET

import pytest

from articles.models import Article, Condition, RiskFactor
from articles.publishing import publish_unreviewed, record_version
from tests.articles.factories import publish_in_thai, publish_thai

pytestmark = pytest.mark.django_db
ARTICLE_SLUG = "osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health"
ARTICLE = f"/articles/{ARTICLE_SLUG}/"
ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """What the pages show, not how long the cache keeps them (tests/genoma/test_cache.py)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def thai_article(clinic_content):
    article = Article.objects.get(slug=ARTICLE_SLUG)
    article.title_th = "โรคกระดูกพรุนและการรักษาด้วยสเต็มเซลล์"
    article.standfirst_th = "แนวทางใหม่เพื่อสุขภาพกระดูก"
    article.meta_description_th = "แนวทางใหม่เพื่อสุขภาพกระดูก"
    article.hero_alt_th = article.hero_alt and "ภาพประกอบ"
    article.save()
    for section in article.sections.all():
        section.heading_th = section.heading and f"หัวข้อ {section.order}"
        section.body_th = section.body and f"<p>เนื้อหาส่วนที่ {section.order}</p>"
        section.save()
    publish_in_thai(article)
    return article


def test_a_published_translation_is_what_the_thai_page_shows(client, thai_article):
    html = client.get(f"/th{ARTICLE}").content.decode()
    assert "โรคกระดูกพรุนและการรักษาด้วยสเต็มเซลล์" in html
    assert "เนื้อหาส่วนที่" in html
    assert "Osteoporosis and Stem Cell Therapy" not in html.split("<main", 1)[1]
    english = client.get(ARTICLE).content.decode()
    assert "โรคกระดูกพรุนและการรักษาด้วยสเต็มเซลล์" not in english


def test_a_translation_saved_but_not_published_never_reaches_the_public(client, clinic_content):
    article = Article.objects.get(slug=ARTICLE_SLUG)
    article.title_th = "ร่างที่ยังไม่ได้ตรวจ"
    article.save()
    record_version(article, language="th")
    assert "ร่างที่ยังไม่ได้ตรวจ" not in client.get(f"/th{ARTICLE}").content.decode()
    assert "ร่างที่ยังไม่ได้ตรวจ" not in client.get("/th/articles/").content.decode()


def test_lists_show_the_translation_and_the_english_title_where_there_is_none(client, thai_article):
    html = client.get("/th/articles/").content.decode()
    assert "โรคกระดูกพรุนและการรักษาด้วยสเต็มเซลล์" in html
    assert "Understanding Osteopenia" in html  # not translated: English, in the Thai list


def test_a_row_shows_in_thai_once_its_condition_s_translation_is_published(client, thai_article):
    age = RiskFactor.objects.get(condition__slug="osteoporosis", name="Age")
    osteoporosis = Condition.objects.get(slug="osteoporosis")
    before = client.get("/th/conditions/osteoporosis/").content.decode()
    assert "Age" in before
    for point in osteoporosis.points.all():
        point.name_th = f"ปัจจัย {point.pk}" if point.pk != age.pk else "อายุ"
        point.description_th = point.description and "คำอธิบาย"
        point.save()
    publish_thai(osteoporosis, name="โรคกระดูกพรุน", summary="กระดูกบางลง")
    condition_page = client.get("/th/conditions/osteoporosis/").content.decode()
    assert "โรคกระดูกพรุน" in condition_page
    assert "อายุ" in condition_page
    assert "อายุ" not in client.get("/conditions/osteoporosis/").content.decode()


def test_search_in_thai_finds_the_translation_s_words(client, thai_article):
    html = client.get("/th/search/", {"q": "สเต็มเซลล์"}).content.decode()
    assert "โรคกระดูกพรุนและการรักษาด้วยสเต็มเซลล์" in html
    assert f"/th{ARTICLE}" in html
    english = client.get("/search/", {"q": "สเต็มเซลล์"}).content.decode()
    assert ARTICLE not in english  # the English pages search the English words


def test_the_thai_feed_is_in_thai_with_thai_addresses(client, thai_article):
    response = client.get("/th/feed/")
    feed = ET.fromstring(response.content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "th"
    titles = {entry.find("a:title", ATOM).text for entry in feed.findall("a:entry", ATOM)}
    assert "โรคกระดูกพรุนและการรักษาด้วยสเต็มเซลล์" in titles
    links = {e.find("a:link", ATOM).get("href") for e in feed.findall("a:entry", ATOM)}
    assert all("/th/articles/" in link for link in links)
    english = ET.fromstring(client.get("/feed/").content)
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_unpublishing_the_english_article_takes_the_thai_page_down_too(
    client, thai_article, admin_user
):
    from articles.publishing import unpublish

    unpublish(thai_article, admin_user)
    assert client.get(f"/th{ARTICLE}").status_code == 404
    assert client.get(ARTICLE).status_code == 404


def test_a_record_whose_english_version_is_live_is_public_in_thai_without_translation(
    client, clinic_content
):
    condition = Condition.objects.get(slug="osteopenia")
    publish_unreviewed(condition)
    assert client.get("/th/conditions/osteopenia/").status_code == 200


def _json_ld(html):
    import json

    return json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>")[0])


def test_json_ld_names_the_language_of_the_words(client, thai_article):
    assert _json_ld(client.get(f"/th{ARTICLE}").content.decode())["inLanguage"] == "th"
    assert _json_ld(client.get(ARTICLE).content.decode())["inLanguage"] == "en"
    untranslated = client.get("/th/conditions/osteopenia/").content.decode()
    assert _json_ld(untranslated)["inLanguage"] == "en"  # the English words, in a Thai page
    assert _json_ld(untranslated)["url"].endswith("/th/conditions/osteopenia/")


def test_the_form_names_conditions_as_their_published_pages_do(client, clinic_content):
    osteoporosis = Condition.objects.get(slug="osteoporosis")
    publish_thai(osteoporosis, name="โรคกระดูกพรุน", summary="กระดูกบางลง")
    osteoporosis.name = "Osteoporosis (draft rename)"  # saved, not published
    osteoporosis.save()
    thai = client.get("/th/consultation/").content.decode()
    assert '<option value="osteoporosis">โรคกระดูกพรุน</option>' in thai
    assert '<option value="osteopenia" lang="en">Osteopenia</option>' in thai
    english = client.get("/consultation/").content.decode()
    assert '<option value="osteoporosis">Osteoporosis</option>' in english
    assert "draft rename" not in english + thai
