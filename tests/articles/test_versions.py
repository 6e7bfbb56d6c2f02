"""Versions in admin: the history of a record, two versions compared, an old one restored.

Every version is kept; restoring one makes it the working copy again as a new version,
which needs a clinician's approval like any other before the public sees it.
"""

import re

import pytest
from django.urls import reverse

from articles.models import (
    ArticleReference,
    ArticleSection,
    ConditionTreatment,
    RiskFactor,
    Version,
)
from tests.articles.factories import (
    admin_form,
    make_article,
    make_condition,
    make_reviewer,
    make_section,
    make_treatment,
    messages_of,
    move,
    public,
    publish,
    save_version,
    signed_in,
    text_of,
    versions_of,
)

pytestmark = pytest.mark.django_db


def history_url(record):
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[record.pk])


def sections_of(article):
    return list(
        ArticleSection.objects.filter(article=article)
        .order_by("order")
        .values_list("id", "order", "kind", "heading", "body", "condition_id")
    )


def references_of(article):
    return list(
        ArticleReference.objects.filter(article=article)
        .order_by("order")
        .values_list("id", "order", "citation", "url", "doi")
    )


@pytest.fixture
def article(db):
    """An article with a text section, a risk-factors block and two references, published
    as it stands (version 1)."""
    condition = make_condition(name="Osteopenia", slug="osteopenia")
    RiskFactor.objects.create(condition=condition, name="Age", description="Over fifty.")
    article = make_article(slug="bones", title="Bones and you", conditions=[condition])
    make_section(article, heading="Calcium", body="<p>Eat greens <em>every</em> day.</p>")
    make_section(
        article, kind="risk_factors", heading="What raises the risk", body="", condition=condition
    )
    ArticleReference.objects.create(article=article, citation="WHO 1994.", doi="10.1000/who")
    ArticleReference.objects.create(
        article=article, citation="NOF 2022.", url="https://example.org/nof"
    )
    publish(condition, article)
    return article


def edit(browser, article):
    """Version 2, saved through the change form: the text rewritten, the block deleted, the
    first reference removed, a section added and the topic dropped."""
    calcium, block = article.sections.order_by("order")
    who = article.references.get(citation="WHO 1994.")
    form = admin_form(
        browser,
        article,
        title="Bones and your health",
        conditions=None,  # no topic any more
        change_note="Rewrote the calcium advice",
        **{
            "sections-0-body": "<p>Eat leafy greens twice a day.</p>",
            "sections-1-DELETE": "on",
            "sections-TOTAL_FORMS": "3",
            "sections-2-order": "",
            "sections-2-kind": "text",
            "sections-2-heading": "Exercise",
            "sections-2-body": "<p>Walk daily.</p>",
            "references-0-DELETE": "on",
        },
    )
    assert form["sections-0-id"] == str(calcium.pk)
    assert form["sections-1-id"] == str(block.pk)
    assert form["references-0-id"] == str(who.pk)
    response = browser.post(reverse("admin:articles_article_change", args=[article.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    return versions_of(article).last()


def approve_and_publish(editing, reviewing, record):
    move(editing, record, "_submit_for_review")
    move(reviewing, record, "_approve")
    return move(editing, record, "_publish")


# Restore --------------------------------------------------------------------------------


def test_a_restored_version_is_a_new_draft_the_public_sees_only_once_published(editor, article):
    editing, reviewing = signed_in(editor), signed_in(make_reviewer())
    first = versions_of(article).get(number=1)
    first_sections, first_references = sections_of(article), references_of(article)
    edit(editing, article)
    approve_and_publish(editing, reviewing, article)
    assert "Bones and your health" in text_of(public("/articles/bones/"))

    history = editing.get(history_url(article))
    assert history.status_code == 200
    assert "Rewrote the calcium advice" in text_of(history)
    assert f'action="{history_url(article)}1/restore/"' in history.content.decode()

    restored = editing.post(f"{history_url(article)}1/restore/", follow=True)
    assert (
        "Version 1 is the working copy again, as version 3. It needs review before it can "
        "be published."
    ) in messages_of(restored)
    third = versions_of(article).last()
    assert (third.number, third.state) == (3, Version.State.DRAFT)
    assert third.change_note == "Restored from version 1"
    assert third.approved_by is None
    assert third.data == first.data
    assert sections_of(article) == first_sections
    assert references_of(article) == first_references
    article.refresh_from_db()
    assert article.title == "Bones and you"
    assert set(article.conditions.values_list("slug", flat=True)) == {"osteopenia"}
    page = text_of(public("/articles/bones/"))
    assert "Bones and your health" in page  # still version 2
    assert "What raises the risk" not in page

    refused = move(editing, article, "_publish")
    assert "Version 3 has not been approved by a clinician" in messages_of(refused)[-1]
    approve_and_publish(editing, reviewing, article)
    page = text_of(public("/articles/bones/"))
    assert "Bones and you" in page
    assert "Eat greens every day." in page
    assert "What raises the risk Age: Over fifty." in page
    assert "WHO 1994. https://doi.org/10.1000/who" in page
    assert "Exercise" not in page


def test_restoring_is_for_editors_and_a_post(editor, article):
    edit(signed_in(editor), article)
    reviewing = signed_in(make_reviewer())
    assert "Restore this version" not in text_of(reviewing.get(history_url(article)))
    assert reviewing.post(f"{history_url(article)}1/restore/").status_code == 403
    editing = signed_in(editor)
    assert editing.get(f"{history_url(article)}1/restore/").status_code == 302
    assert editing.post(f"{history_url(article)}9/restore/").status_code == 404
    assert versions_of(article).count() == 2


# Compare --------------------------------------------------------------------------------


def test_compare_shows_fields_rich_text_word_by_word_and_rows_added_removed_and_changed(
    editor, article
):
    editing = signed_in(editor)
    edit(editing, article)
    response = editing.get(f"{history_url(article)}compare/", {"a": 2, "b": 1})
    assert response.status_code == 200
    page = response.content.decode()
    text = text_of(response)

    assert "Version 1 and version 2 of “Bones and your health”" in text
    assert "<td>Bones and <del>you</del></td><td>Bones and <ins>your health</ins></td>" in page
    assert "Publish time" not in text  # saved through the form, not changed
    # Rich text as its words: what went and what came, never the markup.
    assert "Eat greens <del>every</del> day." in page
    assert "Eat <ins>leafy</ins> greens <ins>twice a</ins> day." in page
    assert "&lt;p&gt;" not in page
    assert "&lt;em&gt;" not in page
    assert "Calcium changed Text" in text
    assert "Exercise added" in text
    assert "What raises the risk removed" in text
    assert "WHO 1994. removed" in text
    assert "NOF 2022." not in text  # unchanged rows are not listed
    assert "Conditions: removed Osteopenia" in text


def test_compare_shows_a_changed_risk_factor_of_a_condition(editor, article):
    condition = article.conditions.get()
    editing = signed_in(editor)
    form = admin_form(editing, condition, **{"risk_factors-0-description": "Over sixty."})
    response = editing.post(reverse("admin:articles_condition_change", args=[condition.pk]), form)
    assert response.status_code == 302
    compared = editing.get(f"{history_url(condition)}compare/", {"a": 1, "b": 2})
    assert "Symptoms and risk factors Row Field Version 1 Version 2 Age changed" in text_of(
        compared
    )
    assert "<td>Over <del>fifty.</del></td><td>Over <ins>sixty.</ins></td>" in (
        compared.content.decode()
    )


def test_compare_of_a_version_with_itself_says_they_are_the_same(editor, article):
    compared = signed_in(editor).get(f"{history_url(article)}compare/", {"a": 1, "b": 1})
    assert "These two versions are the same." in text_of(compared)


def test_compare_without_two_versions_goes_back_to_the_history(editor, article):
    editing = signed_in(editor)
    response = editing.get(f"{history_url(article)}compare/", {"a": "one"}, follow=True)
    assert response.request["PATH_INFO"] == history_url(article)
    assert "Choose two versions to compare." in messages_of(response)
    assert editing.get(f"{history_url(article)}compare/", {"a": 1, "b": 7}).status_code == 404


def test_compare_reads_times_in_the_clinics_time_zone(editor, article):
    editing = signed_in(editor)
    form = admin_form(editing, article, publish_at_0="2026-12-01", publish_at_1="09:30:00")
    editing.post(reverse("admin:articles_article_change", args=[article.pk]), form)
    compared = editing.get(f"{history_url(article)}compare/", {"a": 1, "b": 2})
    assert re.search(
        r"Publish time \d+ [A-Z][a-z]+ \d{4}, \d\d:\d\d 1 December 2026, 09:30", text_of(compared)
    )
    assert not re.search(r"\d{4}-\d\d-\d\dT", compared.content.decode())  # no ISO 8601


def test_compare_shows_a_changed_link_in_rich_text(editor, article):
    calcium = article.sections.get(heading="Calcium")
    calcium.body = '<p>See <a href="https://example.org/old-guideline">the guideline</a>.</p>'
    calcium.save()
    save_version(article)
    editing = signed_in(editor)
    new_body = '<p>See <a href="https://example.org/new-guideline">the guideline</a>.</p>'
    form = admin_form(editing, article, **{"sections-0-body": new_body})
    editing.post(reverse("admin:articles_article_change", args=[article.pk]), form)
    compared = editing.get(f"{history_url(article)}compare/", {"a": 2, "b": 3})
    page = compared.content.decode()
    assert "These two versions are the same." not in page
    assert "<del>(https://example.org/old-guideline).</del>" in page
    assert "<ins>(https://example.org/new-guideline).</ins>" in page
    assert "&lt;a" not in page


def test_saving_unchanged_content_records_no_version(editor, clinic_content):
    from articles.models import Article, Condition, Treatment

    editing = signed_in(editor)
    for model in (Article, Condition, Treatment):
        record = model.objects.first()
        url = reverse(f"admin:articles_{model._meta.model_name}_change", args=[record.pk])
        assert editing.post(url, admin_form(editing, record)).status_code == 302
        assert versions_of(record).count() == 1, record
    changelist = text_of(editing.get(reverse("admin:articles_article_changelist")))
    assert "changed since" not in changelist


def test_a_version_showing_a_record_deleted_since_is_not_restored(editor):
    condition = make_condition(name="Osteopenia", slug="osteopenia")
    drug = make_treatment(name="Bisphosphonates", slug="drug", evidence_status="established")
    ConditionTreatment.objects.create(condition=condition, treatment=drug)
    publish(condition)
    ConditionTreatment.objects.all().delete()
    save_version(condition)
    drug_pk = drug.pk
    drug.delete()  # by an administrator: editors may not

    editing = signed_in(editor)
    response = editing.post(f"{history_url(condition)}1/restore/", follow=True)
    assert response.status_code == 200
    assert (
        f"Version 1 cannot be restored: it shows treatment #{drug_pk}, deleted since. Edit "
        "the working copy instead."
    ) in messages_of(response)
    assert versions_of(condition).count() == 2
    assert not ConditionTreatment.objects.exists()
    assert (
        editing.get(reverse("admin:articles_condition_change", args=[condition.pk])).status_code
        == 200
    )


def test_a_version_whose_address_another_record_took_is_not_restored(editor, article):
    editing = signed_in(editor)
    form = admin_form(editing, article, slug="bones-and-you")
    assert editing.post(reverse("admin:articles_article_change", args=[article.pk]), form)
    make_article(slug="bones", title="Another article at the old address")

    response = editing.post(f"{history_url(article)}1/restore/", follow=True)
    assert response.status_code == 200
    assert (
        "Version 1 cannot be restored as it stands: another record has one of its unique "
        "values (such as its slug) now. Edit the working copy instead."
    ) in messages_of(response)
    assert versions_of(article).count() == 2
    article.refresh_from_db()
    assert article.slug == "bones-and-you"


def test_compare_names_a_new_hero_image_not_its_renditions(editor, article):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.articles.factories import image_bytes

    editing = signed_in(editor)
    upload = SimpleUploadedFile("bones.jpg", image_bytes(), content_type="image/jpeg")
    form = admin_form(editing, article, hero_image=upload, hero_alt="An x-ray of a hip")
    response = editing.post(reverse("admin:articles_article_change", args=[article.pk]), form)
    assert response.status_code == 302
    compared = text_of(editing.get(f"{history_url(article)}compare/", {"a": 1, "b": 2}))
    assert "Hero image alt text An x-ray of a hip" in compared
    assert "Hero image articles/hero/" in compared
    assert "renditions" not in compared.lower()
    assert "sizes" not in compared
