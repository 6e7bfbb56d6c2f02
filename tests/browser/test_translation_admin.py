"""A translator at the article's change form, in a real browser: each Thai field beside
its English one, rich text in the same editor with every button, Thai letters in the
site's Thai face, and a save that records the Thai version."""

from playwright.sync_api import expect

from articles import publishing
from articles.models import Article
from tests.browser.test_journeys import log_in, staff_user


def _beside(page, english, thai):
    """Whether the `thai` element sits to the right of the `english` one, on its line."""
    left, right = page.locator(english).bounding_box(), page.locator(thai).bounding_box()
    return right["x"] >= left["x"] + left["width"] and abs(right["y"] - left["y"]) < 2


def test_a_translator_writes_the_thai_words_beside_the_english_ones(
    page, live_server, clinic_content, console_errors
):
    staff_user("translator", "Editors")
    article = Article.objects.get(slug__startswith="osteoporosis-and")
    log_in(page, live_server, "translator")
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")

    assert _beside(page, "#id_title", "#id_title_th")
    assert _beside(page, "#id_standfirst", "#id_standfirst_th")
    english_body = page.locator(".fieldBox.field-body").first
    thai_body = page.locator(".fieldBox.field-body_th").first
    assert _beside(page, ".fieldBox.field-body >> nth=0", ".fieldBox.field-body_th >> nth=0")
    # Both editors show every button, the image upload among them.
    for body in (english_body, thai_body):
        expect(body.locator(".ck-file-dialog-button")).to_be_visible()
        expect(body.get_by_role("button", name="Show more items")).to_have_count(0)

    page.locator("#id_title_th").fill("โรคกระดูกพรุนและสเต็มเซลล์")
    thai_body.locator(".ck-editor__editable").click()
    page.keyboard.insert_text("กระดูกพรุนคือภาวะที่มวลกระดูกต่ำ")
    page.wait_for_function("document.fonts.check('16px \"Sarabun Thai\"', 'ก')")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator(".workflow")).to_contain_text("Thai translation")
    expect(page.locator(".workflow")).to_contain_text("Working copy: version 1, Draft.")

    thai = publishing.latest_version(article, "th")
    assert thai.title == "โรคกระดูกพรุนและสเต็มเซลล์"
    assert "กระดูกพรุนคือภาวะที่มวลกระดูกต่ำ" in thai.data["parts"]["sections"][0]["body"]
    assert publishing.latest_version(article).number == 1  # the English words are as they were
    assert console_errors == []
