"""The translation's side of admin, from the outside.

A translator writes the Thai words beside the English ones in the change form; saving
records a Thai version. The Thai working copy is submitted, approved and published with
the workflow's own buttons, whose value "th" names the translation; unpublishing it
leaves the English page. The history lists each language's versions, compares within
one and restores a translation. The changelists, their filter and the admin index say
which translations are missing or out of date.
"""

import re
from html import unescape
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify

from articles import publishing
from articles.models import (
    Article,
    ArticleSection,
    Condition,
    ConditionPoint,
    ConditionTreatment,
    Treatment,
    TreatmentPoint,
    TScoreBand,
    Version,
)
from articles.translation import translated_fields
from team.models import Clinician
from tests.articles.factories import (
    admin_form,
    change_url,
    make_article,
    make_condition,
    make_treatment,
    messages_of,
    move,
    public,
    publish,
    save_version,
    signed_in,
    text_of,
)
from tests.team.factories import make_clinician

pytestmark = pytest.mark.django_db

# The Thai words of the article below, as its change form names their inputs.
THAI = {
    "title_th": "กระดูกกับคุณ",
    "standfirst_th": "สิ่งที่ควรรู้",
    "meta_description_th": "สิ่งที่ควรรู้เกี่ยวกับกระดูก",
    "sections-0-heading_th": "แคลเซียม",
    "sections-0-body_th": "<p>กินผักใบเขียวทุกวัน</p>",
}


# Helpers ---------------------------------------------------------------------------


def translate(browser, record, **words):
    """Write the Thai words (THAI, changed by `words`) in the change form and save it, as
    a translator does; return the Thai working copy."""
    response = browser.post(change_url(record), admin_form(browser, record, **{**THAI, **words}))
    assert response.status_code == 302
    return publishing.latest_version(record, "th")


def thai_move(browser, record, button, **fields):
    """Press `button` in the Thai translation's block of the review panel."""
    return move(browser, record, button, **{button: "th", **fields})


def panel(browser, record):
    """The review panel's words: (its English block, its Thai translation block)."""
    page = text_of(browser.get(change_url(record)))
    words = page.split("Review and publishing", 1)[1].split("Title:", 1)[0]
    english, thai = words.split("Thai translation", 1)
    return english, thai


def thai_column(response):
    """{record's name: its "Thai translation" cell} of a changelist page."""
    assert response.status_code == 200
    rows = re.findall(
        r'class="field-(?:title|name)"><a [^>]*>([^<]+)</a>.*?'
        r'class="field-thai_translation">([^<]*)<',
        response.content.decode(),
        re.S,
    )
    return {unescape(name): unescape(cell) for name, cell in rows}


def history_url(record):
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[record.pk])


def published_translation(editor, reviewer, article):
    """`article` with its Thai translation written, approved and published through admin."""
    editing = signed_in(editor)
    translate(editing, article)
    thai_move(editing, article, "_submit_for_review")
    thai_move(signed_in(reviewer), article, "_approve")
    thai_move(editing, article, "_publish")
    assert publishing.live_version(article, "th") is not None
    return editing


# 1. The whole path ---------------------------------------------------------------------


def test_a_translation_is_written_reviewed_and_published_then_goes_out_of_date(
    editor, reviewer, live_article
):
    editing, reviewing = signed_in(editor), signed_in(reviewer)
    english_copy = publishing.latest_version(live_article)

    thai = translate(editing, live_article)
    assert (thai.number, thai.state, thai.source) == (1, Version.State.DRAFT, english_copy)
    assert thai.title == "กระดูกกับคุณ"
    assert publishing.latest_version(live_article) == english_copy  # no English word changed
    english, translation = panel(editing, live_article)
    assert "Working copy: version 1, Published." in english
    assert (
        "Working copy: version 1, Draft. Translated from English version 1. "
        "Up to date with the English working copy."
    ) in translation
    assert "Not published: Thai readers see the English text." in translation

    submitted = thai_move(editing, live_article, "_submit_for_review", version_th="1")
    assert "Thai translation: Version 1 was submitted for medical review." in messages_of(submitted)
    approved = thai_move(reviewing, live_article, "_approve", version_th="1")
    assert "Thai translation: Version 1 was approved." in messages_of(approved)
    thai.refresh_from_db()
    assert (thai.state, thai.approved_by) == (Version.State.APPROVED, reviewer.clinician)
    assert "กระดูกกับคุณ" not in text_of(public("/th/articles/bones/"))  # not published yet

    published = thai_move(editing, live_article, "_publish", version_th="1")
    assert "Thai translation: Version 1 is published." in messages_of(published)
    assert "กระดูกกับคุณ" in text_of(public("/th/articles/bones/"))
    assert "Bones and you" in text_of(public("/articles/bones/"))
    assert publishing.live_version(live_article) == english_copy  # English untouched
    assert "View the Thai page" in panel(editing, live_article)[1]

    # The English words change: the translation is out of date, wherever staff look.
    changed = {"sections-0-body": "<p>Eat greens and walk every day.</p>"}
    editing.post(change_url(live_article), admin_form(editing, live_article, **changed))
    assert publishing.latest_version(live_article).number == 2
    assert publishing.latest_version(live_article, "th") == thai  # its words did not change
    translation = panel(editing, live_article)[1]
    assert (
        "Translated from English version 1. Out of date: the English words changed since. "
        "Bring the Thai words up to date and save."
    ) in translation
    changelist = reverse("admin:articles_article_changelist")
    assert thai_column(editing.get(changelist)) == {"Bones and you": "out of date"}
    out_of_date = editing.get(changelist, {"translation": "out_of_date"})
    assert thai_column(out_of_date) == {"Bones and you": "out of date"}
    assert thai_column(editing.get(changelist, {"translation": "published"})) == {}
    index = text_of(editing.get(reverse("admin:index")))
    assert "Translations to do Bones and you (article): Thai translation out of date" in index

    # The translator brings it up to date: a new Thai version, from English version 2.
    updated = translate(editing, live_article, **{"sections-0-body_th": "<p>กินผักและเดิน</p>"})
    assert (updated.number, updated.source.number) == (2, 2)
    assert "Up to date with the English working copy." in panel(editing, live_article)[1]
    assert thai_column(editing.get(changelist)) == {"Bones and you": "draft"}


# 2. What is refused ----------------------------------------------------------------------


def test_an_incomplete_translation_is_refused_and_the_panel_says_what_it_lacks(
    editor, live_article
):
    editing = signed_in(editor)
    section = live_article.sections.get()
    translate(editing, live_article, **{"sections-0-body_th": ""})
    assert (
        f"Not complete, so it cannot be submitted yet: section #{section.pk}: text have no "
        "translation."
    ) in panel(editing, live_article)[1]

    response = thai_move(editing, live_article, "_submit_for_review")
    assert (
        "Thai translation: The translation is not complete, so it cannot be submitted: "
        f"section #{section.pk}: text have no translation."
    ) in messages_of(response)
    assert publishing.latest_version(live_article, "th").state == Version.State.DRAFT


def test_an_editor_posting_approve_for_the_translation_is_refused(editor, live_article):
    editing = signed_in(editor)
    translate(editing, live_article)
    thai_move(editing, live_article, "_submit_for_review")
    response = thai_move(editing, live_article, "_approve")
    assert "Thai translation: Only a medical reviewer may approve or send back content." in (
        messages_of(response)
    )
    thai = publishing.latest_version(live_article, "th")
    assert (thai.state, thai.approved_by) == (Version.State.SUBMITTED, None)
    assert 'name="_approve"' not in response.content.decode()  # nor offered


def test_a_move_on_a_missing_translation_asks_for_one(editor, live_article):
    response = thai_move(signed_in(editor), live_article, "_submit_for_review")
    assert "Thai translation: There is no translation yet: write it and save first." in (
        messages_of(response)
    )
    assert (
        "Not translated yet: write the Thai words beside the English ones and save."
        in (panel(signed_in(editor), live_article)[1])
    )


def test_a_reviewer_approves_the_translation_they_read_not_a_newer_one(
    editor, reviewer, live_article
):
    editing, reviewing = signed_in(editor), signed_in(reviewer)
    translate(editing, live_article)
    thai_move(editing, live_article, "_submit_for_review")
    page = reviewing.get(change_url(live_article)).content.decode()
    assert '<input type="hidden" name="version" value="1">' in page  # the English form's
    shown = re.search(r'<input type="hidden" name="version_th" value="(\d+)">', page).group(1)
    assert '<button type="submit" class="button" name="_approve" value="th">' in page
    assert 'name="_approve" value="en"' not in page  # the English copy waits for nobody

    # Meanwhile the translator changes the Thai words and submits those.
    translate(editing, live_article, title_th="กระดูกของคุณ")
    thai_move(editing, live_article, "_submit_for_review")

    response = thai_move(reviewing, live_article, "_approve", version_th=shown, version="1")
    assert (
        "Thai translation: Version 2 is the working copy now, not version 1 that you read. "
        "Read it before you approve it or send it back."
    ) in messages_of(response)
    assert not Version.objects.filter(language="th", approved_by__isnull=False).exists()


def test_sending_the_translation_back_shows_why_in_its_own_block(editor, reviewer, live_article):
    editing = signed_in(editor)
    translate(editing, live_article)
    thai_move(editing, live_article, "_submit_for_review")
    response = thai_move(
        signed_in(reviewer), live_article, "_request_changes", comment="ใช้คำที่ง่ายกว่านี้"
    )
    assert "Thai translation: Version 1 was sent back to the editors." in messages_of(response)
    english, translation = panel(editing, live_article)
    assert "Sent back by" not in english
    assert "Working copy: version 1, Changes requested." in translation
    assert "Sent back by Dr Somchai Jaidee, MD, FRCOST on" in translation
    assert "ใช้คำที่ง่ายกว่านี้" in translation
    assert (
        'name="_submit_for_review" value="th"'
        in editing.get(change_url(live_article)).content.decode()
    )


# 3. Unpublishing a translation -------------------------------------------------------------


def test_unpublishing_the_translation_withdraws_only_the_thai_words(editor, reviewer, live_article):
    editing = published_translation(editor, reviewer, live_article)
    response = thai_move(editing, live_article, "_unpublish")
    assert "Thai translation: Unpublished. Thai readers see the English text again." in (
        messages_of(response)
    )
    assert publishing.live_version(live_article, "th") is None
    assert publishing.live_version(live_article) is not None
    thai_page = public("/th/articles/bones/")
    assert thai_page.status_code == 200
    assert "Bones and you" in text_of(thai_page)
    assert "กระดูกกับคุณ" not in text_of(thai_page)
    assert public("/articles/bones/").status_code == 200
    assert "Not published: Thai readers see the English text." in panel(editing, live_article)[1]

    again = thai_move(editing, live_article, "_unpublish")
    assert (
        "Thai translation: This is not published, so there is nothing to unpublish."
        in messages_of(again)
    )


def test_unpublishing_in_english_withdraws_the_translation_too(editor, reviewer, live_article):
    editing = published_translation(editor, reviewer, live_article)
    response = move(editing, live_article, "_unpublish", _unpublish="en")
    assert "Unpublished: the public no longer sees this page." in messages_of(response)
    assert publishing.live_version(live_article, "th") is None
    assert public("/th/articles/bones/").status_code == 404


# 4. The preview ------------------------------------------------------------------------------


def test_the_thai_working_copy_s_preview_link_reads_in_thai(editor, live_article):
    editing = signed_in(editor)
    translate(editing, live_article)
    page = editing.get(change_url(live_article)).content.decode()
    english_link, thai_link = map(unescape, re.findall(r'href="(/(?:th/)?preview/[^"]+/)"', page))
    assert english_link.startswith("/preview/")
    assert thai_link.startswith("/th/preview/")

    response = public(thai_link)
    assert response.status_code == 200
    assert '<html lang="th"' in response.content.decode()
    assert "กระดูกกับคุณ" in text_of(response)
    assert "กินผักใบเขียวทุกวัน" in text_of(response)
    assert "Bones and you" in text_of(public(english_link))


# 5. History ------------------------------------------------------------------------------------


def test_the_history_lists_each_language_compares_within_one_and_restores_a_translation(
    editor, live_article
):
    editing = signed_in(editor)
    translate(editing, live_article)
    translate(editing, live_article, title_th="กระดูกของคุณ")
    history = editing.get(history_url(live_article))
    words = text_of(history)
    assert "English Versions, newest first." in words
    assert "Thai translation Versions of the Thai translation, newest first." in words
    assert "Translated from" in words
    assert words.count("English version 1") == 2  # each Thai version was made from it
    page = history.content.decode()
    # Each language has its own form: two versions compared are of one language.
    assert page.count(f'action="{history_url(live_article)}compare/"') == 2
    assert '<input type="hidden" name="language" value="th">' in page
    assert f'action="{history_url(live_article)}th/1/restore/"' in page

    compare = f"{history_url(live_article)}compare/"
    compared = editing.get(compare, {"language": "th", "a": 1, "b": 2})
    assert compared.status_code == 200
    assert "Thai translation: Version 1 and version 2 of “Bones and you”" in text_of(compared)
    assert "<del>กระดูกกับคุณ</del>" in compared.content.decode()
    assert "<ins>กระดูกของคุณ</ins>" in compared.content.decode()
    assert editing.get(compare, {"a": 1, "b": 2}).status_code == 404  # English has one
    assert editing.get(compare, {"language": "fr", "a": 1, "b": 1}).status_code == 404

    restored = editing.post(f"{history_url(live_article)}th/1/restore/", follow=True)
    assert (
        "Thai translation: Version 1 is the working copy again, as version 3. It needs "
        "review before it can be published."
    ) in messages_of(restored)
    live_article.refresh_from_db()
    assert (live_article.title, live_article.title_th) == ("Bones and you", "กระดูกกับคุณ")
    assert publishing.latest_version(live_article, "th").number == 3
    assert publishing.latest_version(live_article).number == 1  # English: no new version
    assert editing.post(f"{history_url(live_article)}th/9/restore/").status_code == 404
    assert editing.post(f"{history_url(live_article)}fr/1/restore/").status_code == 404


# 6. The side-by-side change forms ---------------------------------------------------------


def _inputs(page, form_id):
    """The tags of the inputs of form `form_id`, in the page's order, by name."""
    form = page.split(f'id="{form_id}"', 1)[1].split("</form>", 1)[0]
    tags = re.findall(r"<(?:input|textarea|select)\b[^>]*>", form)
    return [(re.search(r'\sname="([^"]+)"', tag).group(1), tag) for tag in tags if " name=" in tag]


def _ckeditor_config(page, name):
    pattern = rf'<script id="id_{name}_script" type="application/json">(.*?)</script>'
    return re.search(pattern, page).group(1)


@pytest.mark.parametrize(
    ("model", "slug", "parts"),
    [  # the clinic's records with every kind of row
        (
            Article,
            "osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health",
            [ArticleSection],
        ),
        (Condition, "osteopenia", [ConditionPoint, ConditionTreatment, TScoreBand]),
        (Treatment, "msc-therapy", [TreatmentPoint]),
    ],
)
def test_each_thai_input_comes_right_after_its_english_input(
    model, slug, parts, editor, clinic_content
):
    record = model.objects.get(slug=slug)
    page = signed_in(editor).get(change_url(record)).content.decode()
    inputs = _inputs(page, f"{model._meta.model_name}_form")
    paired = set()
    for (before, _tag), (name, tag) in pairwise(inputs):
        if name.endswith("_th"):
            assert name == f"{before}_th", name
            assert 'lang="th"' in tag, name
            paired.add(name.rsplit("-", 1)[-1])
    expected = {f"{name}_th" for part in [model, *parts] for name in translated_fields(part)}
    assert paired == expected
    # Thai rich text is written in the same CKEditor 5 as its English field.
    rich = {"article": "sections-0-body", "condition": "overview", "treatment": "description"}
    name = rich[model._meta.model_name]
    assert _ckeditor_config(page, f"{name}_th") == _ckeditor_config(page, name)
    assert f'name="{name}_th" class="django_ckeditor_5"' in page


def test_a_clinician_s_thai_inputs_come_right_after_the_english_ones(editor):
    clinician = make_clinician()
    page = signed_in(editor).get(change_url(clinician)).content.decode()
    names = [name for name, _tag in _inputs(page, "clinician_form")]
    for name in translated_fields(Clinician):
        assert names[names.index(f"{name}_th") - 1] == name
    assert "css/admin-versions.css" in page  # the stylesheet that sets pairs side by side


# 7. The changelists and the admin index -------------------------------------------------------

MAKERS = {
    "article": lambda name: make_article(title=name, slug=slugify(name)),
    "condition": lambda name: make_condition(name=name, slug=slugify(name)),
    "treatment": lambda name: make_treatment(name=name, slug=slugify(name)),
}
# A record with its translation in each state, named after it: its "Thai translation"
# cell, and the filter values that find it.
STATES = {
    "Missing": ("missing", ["missing"]),
    "Draft": ("draft", ["draft"]),
    "Submitted": ("submitted for review", ["submitted"]),
    "Published": ("published", ["published"]),
    "Out of date": ("out of date", ["out_of_date"]),
    "Changed back": ("published", ["published"]),  # English changed, then as it was
}


def _translated(model, state, copy, reviewer):
    """A published `model` record whose Thai translation is as `state` says."""
    record = MAKERS[model](f"{state} {copy}")
    publish(record)
    if state == "Missing":
        return record
    for name in translated_fields(type(record)):
        if getattr(record, name):
            setattr(record, f"{name}_th", f"ไทย {getattr(record, name)}")
    record.save()
    publishing.record_versions(record)
    thai = publishing.latest_version(record, "th")
    if state != "Draft":
        publishing.submit(thai, None)
    if state in ("Published", "Out of date", "Changed back"):
        publishing.approve(thai, reviewer)
        publishing.publish(thai, reviewer)
    if state in ("Out of date", "Changed back"):
        before = record.summary if model != "article" else record.standfirst
        record.summary = record.standfirst = "The English words changed."
        record.save()
        save_version(record)
        if state == "Changed back":
            record.summary = record.standfirst = before
            record.save()
            save_version(record)
    return record


@pytest.mark.parametrize("model", MAKERS)
def test_the_thai_translation_column_and_filter_read_in_a_fixed_number_of_queries(
    model, editor, reviewer
):
    url = reverse(f"admin:articles_{model}_changelist")
    browser = signed_in(editor)
    for state in STATES:
        _translated(model, state, 0, reviewer)
    with CaptureQueriesContext(connection) as few:
        listed = thai_column(browser.get(url))
    assert listed == {f"{state} 0": cell for state, (cell, _values) in STATES.items()}
    for value in ("missing", "out_of_date", "draft", "submitted", "approved", "published"):
        found = {name for name, (_cell, values) in STATES.items() if value in values}
        assert set(thai_column(browser.get(url, {"translation": value}))) == {
            f"{name} 0" for name in found
        }, value

    for copy in range(1, 4):
        for state in STATES:
            _translated(model, state, copy, reviewer)
    with CaptureQueriesContext(connection) as many:
        assert len(thai_column(browser.get(url))) == 4 * len(STATES)
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_translations_to_do_are_listed_on_the_admin_index_out_of_date_first(editor, reviewer):
    for state in STATES:
        _translated("condition", state, 0, reviewer)
    browser = signed_in(editor)
    with CaptureQueriesContext(connection) as few:
        page = text_of(browser.get(reverse("admin:index")))
    to_do = page.split("Translations to do", 1)[1].split("Medical review due", 1)[0]
    assert to_do.strip() == (
        "Out of date 0 (condition): Thai translation out of date "
        "Missing 0 (condition): Thai translation missing"
    )

    for copy in range(1, 4):
        _translated("article", "Missing", copy, reviewer)
    with CaptureQueriesContext(connection) as many:
        assert "Missing 3 (article)" in text_of(browser.get(reverse("admin:index")))
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_translations_to_do_say_when_there_is_none(editor, reviewer):
    _translated("treatment", "Published", 0, reviewer)
    page = text_of(signed_in(editor).get(reverse("admin:index")))
    assert "Translations to do Every Thai translation is up to date." in page
    assert "Translations to do" not in text_of(signed_in(reviewer).get(reverse("admin:index")))


def test_a_translation_waiting_for_review_is_named_as_one(editor, reviewer, live_article):
    editing = signed_in(editor)
    translate(editing, live_article)
    thai_move(editing, live_article, "_submit_for_review")
    page = text_of(signed_in(reviewer).get(reverse("admin:index")))
    waiting = page.split("Waiting for my review", 1)[1]
    assert waiting.startswith(" กระดูกกับคุณ (article, Thai translation, version 1, submitted")
