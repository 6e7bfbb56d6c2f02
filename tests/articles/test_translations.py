"""A translation is medical text too: versioned, reviewed and published on its own.

English is the source. A Thai version holds the Thai words in the shape of the English
document, remembers the English version it was made from, and is flagged when the
English words changed since.
"""

import pytest

from articles import publishing
from articles.models import ArticleSection, Version
from articles.versioning import source_changed
from tests.articles.factories import make_article, make_section, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    from tests.articles.factories import make_reviewer

    return make_staff("editor", "Editors"), make_reviewer()


@pytest.fixture
def article(db):
    article = make_article(slug="bones", title="Bones and you", standfirst="What to know.")
    make_section(article, heading="Why bones break", body="<p>Calcium matters.</p>")
    return article


def translate(article, **words):
    """Write Thai words into the working copy, as a translator does in admin."""
    defaults = {
        "title_th": "กระดูกกับคุณ",
        "standfirst_th": "สิ่งที่ควรรู้",
        "meta_description_th": "สิ่งที่ควรรู้เกี่ยวกับกระดูก",
    }
    for name, value in {**defaults, **words}.items():
        setattr(article, name, value)
    article.save()
    for section in article.sections.all():
        section.heading_th = words.get("heading_th", "ทำไมกระดูกจึงหัก")
        section.body_th = words.get("body_th", "<p>แคลเซียมสำคัญ</p>")
        section.save()


def approve(version, people):
    editor, reviewer = people
    publishing.submit(version, editor)
    publishing.approve(version, reviewer)
    return version


def test_a_record_nobody_translated_has_english_versions_only(article, people):
    version = publishing.record_versions(article, people[0])
    assert version.language == "en"
    assert not Version.objects.of_record(article, "th").exists()


def test_thai_words_record_a_thai_version_from_the_english_one(article, people):
    english = publishing.record_versions(article, people[0])
    translate(article)
    assert publishing.record_versions(article, people[0]) == english  # English unchanged
    thai = publishing.latest_version(article, "th")
    assert thai.number == 1
    assert thai.source == english
    assert thai.title == "กระดูกกับคุณ"
    assert thai.slug == "bones"  # addresses are shared
    assert thai.data["fields"]["title"] == "กระดูกกับคุณ"
    assert thai.data["parts"]["sections"][0]["heading"] == "ทำไมกระดูกจึงหัก"
    assert "title_th" not in english.data["fields"]  # each document holds one language
    assert "แคลเซียมสำคัญ" in thai.search_text


def test_an_incomplete_translation_cannot_be_submitted(article, people):
    publishing.record_versions(article, people[0])
    translate(article, body_th="")
    publishing.record_versions(article, people[0])
    thai = publishing.latest_version(article, "th")
    with pytest.raises(publishing.WorkflowError) as refused:
        publishing.submit(thai, people[0])
    assert "text" in str(refused.value)  # the section's text has no translation
    thai.refresh_from_db()
    assert thai.state == Version.State.DRAFT


def test_each_language_is_approved_and_published_on_its_own(article, people):
    editor, reviewer = people
    english = approve(publishing.record_versions(article, editor), people)
    publishing.publish(english, reviewer)
    translate(article)
    publishing.record_versions(article, editor)
    thai = publishing.latest_version(article, "th")
    assert publishing.live_version(article, "th") is None
    with pytest.raises(publishing.WorkflowError):
        publishing.publish(thai, reviewer)  # not approved
    publishing.publish(approve(thai, people), reviewer)
    assert publishing.live_version(article, "th") == thai
    assert publishing.live_version(article) == english  # untouched


def test_unpublishing_the_translation_leaves_the_english_page(article, people):
    editor, reviewer = people
    publishing.publish(approve(publishing.record_versions(article, editor), people), reviewer)
    translate(article)
    publishing.record_versions(article, editor)
    publishing.publish(approve(publishing.latest_version(article, "th"), people), reviewer)
    publishing.unpublish(article, reviewer, language="th")
    assert publishing.live_version(article, "th") is None
    assert publishing.live_version(article) is not None


def test_unpublishing_the_english_source_withdraws_every_language(article, people):
    editor, reviewer = people
    publishing.publish(approve(publishing.record_versions(article, editor), people), reviewer)
    translate(article)
    publishing.record_versions(article, editor)
    publishing.publish(approve(publishing.latest_version(article, "th"), people), reviewer)
    publishing.unpublish(article, reviewer)
    assert publishing.live_version(article) is None
    assert publishing.live_version(article, "th") is None


def test_a_translation_is_out_of_date_once_the_english_words_change(article, people):
    editor, _ = people
    publishing.record_versions(article, editor)
    translate(article)
    publishing.record_versions(article, editor)
    thai = publishing.latest_version(article, "th")
    assert not source_changed(
        type(article), thai.source.data, publishing.latest_version(article).data
    )

    article.publish_at = article.publish_at.replace(year=2020)  # not words: still current
    article.save()
    publishing.record_versions(article, editor)
    latest = publishing.latest_version(article).data
    assert not source_changed(type(article), thai.source.data, latest)

    section = article.sections.get()
    section.body = "<p>Calcium and vitamin D matter.</p>"
    section.save()
    publishing.record_versions(article, editor)
    latest = publishing.latest_version(article).data
    assert source_changed(type(article), thai.source.data, latest)


def test_restoring_a_thai_version_brings_back_its_words_only(article, people):
    editor, _ = people
    publishing.record_versions(article, editor)
    translate(article)
    publishing.record_versions(article, editor)
    first_thai = publishing.latest_version(article, "th")
    translate(article, title_th="กระดูกของคุณ")
    article.title = "Your bones"
    article.save()
    publishing.record_versions(article, editor)

    restored = publishing.restore(article, first_thai, editor)
    article.refresh_from_db()
    assert restored.language == "th"
    assert restored.number == 3
    assert article.title_th == "กระดูกกับคุณ"
    assert article.title == "Your bones"  # the English working copy is not touched


def test_restoring_an_english_version_keeps_the_rows_translations(article, people):
    editor, _ = people
    first = publishing.record_versions(article, editor)
    translate(article)
    article.title = "Bones, retitled"
    article.save()
    publishing.record_versions(article, editor)

    publishing.restore(article, first, editor)
    article.refresh_from_db()
    section = article.sections.get()
    assert article.title == "Bones and you"
    assert section.heading_th == "ทำไมกระดูกจึงหัก"
    assert section.kind == ArticleSection.Kind.TEXT


def test_a_change_of_shared_fields_keeps_the_translation_s_source(article, people):
    """A new slug changes the Thai document too, but translates nothing: the translation
    is still the one made from the English words it was made from."""
    editor, _ = people
    publishing.record_versions(article, editor)
    translate(article)
    publishing.record_versions(article, editor)
    made_from = publishing.latest_version(article, "th").source
    section = article.sections.get()
    section.body = "<p>Calcium and vitamin D matter.</p>"
    section.save()
    article.slug = "bones-and-you"
    article.save()
    publishing.record_versions(article, editor)
    thai = publishing.latest_version(article, "th")
    assert thai.number == 2  # the slug is in the Thai document
    assert thai.source == made_from
    assert source_changed(type(article), thai.source.data, publishing.latest_version(article).data)
