"""The content admin, as editors use it."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import publishing
from articles.models import Article, Condition, RiskFactor, Symptom, Treatment, TScoreBand, Version
from tests.articles.factories import make_article, make_condition, publish, save_version
from tests.articles.test_views import approve_and_publish, linked_reviewer
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["condition", "treatment", "article"])
def test_changelists_and_add_pages_open_for_editors(editor_client, clinic_content, model):
    assert editor_client.get(reverse(f"admin:articles_{model}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"admin:articles_{model}_add")).status_code == 200


def test_t_score_bands_are_edited_on_the_page_of_their_condition(editor_client, clinic_content):
    osteoporosis = Condition.objects.get(slug="osteoporosis")
    url = reverse("admin:articles_condition_change", args=[osteoporosis.pk])
    page = editor_client.get(url).content.decode()
    assert 'name="t_score_bands-TOTAL_FORMS"' in page
    own = osteoporosis.t_score_bands.values_list("name", flat=True)
    assert list(own) == ["Osteoporosis"]
    assert 'value="Osteoporosis"' in page
    assert 'value="Osteopenia"' not in page  # another condition's band


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        ("condition", "osteopenia", "Osteopenia"),
        ("treatment", "UC-MSC", "Umbilical cord-derived"),
        ("article", "Breakthroughs", "Breakthroughs in Osteoporosis Treatment"),
    ],
)
def test_changelist_search(editor_client, clinic_content, model, query, expected):
    response = editor_client.get(reverse(f"admin:articles_{model}_changelist"), {"q": query})
    assert expected in response.content.decode()
    assert "1 result" in response.content.decode()


def test_article_changelist_reads_at_a_glance(editor_client, clinic_content):
    later = timezone.now() + timedelta(days=3)
    publish(make_article(slug="later", title="Later", publish_at=later))
    save_version(make_article(slug="draft", title="Draft"))
    page = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert page.count("Awaiting medical review") >= 3
    assert "Scheduled" in page
    assert "Not published" in page  # the draft


def test_review_filter_finds_overdue_and_due_soon_articles(editor_client):
    today = timezone.localdate()
    for slug, title, due in [
        ("overdue", "Overdue one", today - timedelta(days=1)),
        ("soon", "Due soon one", today + timedelta(days=10)),
        ("fine", "Fine one", today + timedelta(days=200)),
    ]:
        article = make_article(slug=slug, title=title)
        version = approve_and_publish(article, name=f"Dr {slug}", slug=f"dr-{slug}")
        # Time has passed since the approval: the review falls due on `due`.
        Version.objects.filter(pk=version.pk).update(next_review_due=due)
    publish(make_article(slug="unreviewed", title="Unreviewed one"))
    url = reverse("admin:articles_article_changelist")
    overdue = editor_client.get(url, {"review": "overdue"}).content.decode()
    assert "Overdue one" in overdue
    assert "Due soon one" not in overdue
    soon = editor_client.get(url, {"review": "due_30_days"}).content.decode()
    assert "Due soon one" in soon
    assert "Fine one" not in soon
    assert "Overdue one" not in soon
    awaiting = editor_client.get(url, {"review": "awaiting"}).content.decode()
    assert "Unreviewed one" in awaiting
    assert "Fine one" not in awaiting


def test_an_editor_publishes_and_unpublishes_an_approved_article_with_the_buttons(
    editor_client, django_capture_on_commit_callbacks
):
    article = make_article(slug="d", title="Approved words")
    version = save_version(article)
    reviewer = linked_reviewer()
    publishing.submit(version, reviewer)
    publishing.approve(version, reviewer)
    changelist = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert 'value="publish"' not in changelist  # no bulk action that skips the review
    url = reverse("admin:articles_article_change", args=[article.pk])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, {"_publish": "Publish"})
    assert Client().get("/articles/d/").status_code == 200
    assert publishing.live_version(article) == version
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, {"_unpublish": "Unpublish"})
    assert Client().get("/articles/d/").status_code == 404
    assert not Version.objects.of_record(article).live().exists()


def test_an_editor_adds_an_article_with_sections_and_it_goes_live_once_published(
    editor, editor_client, clinic_content
):
    article_editor = editor
    osteopenia = Condition.objects.get(slug="osteopenia")
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Living with osteopenia",
            "slug": "living-with-osteopenia",
            "standfirst": "Everyday steps.",
            "publish_at_0": "2026-01-01",
            "publish_at_1": "09:00:00",
            "author_name": "Genoma Health",
            "meta_description": "Everyday steps for osteopenia.",
            "conditions": [osteopenia.pk],
            "hero_alt": "",
            "sections-TOTAL_FORMS": "2",
            "sections-INITIAL_FORMS": "0",
            "sections-0-order": "",
            "sections-0-kind": "text",
            "sections-0-heading": "Start here",
            "sections-0-body": "<p>Walk <strong>daily</strong>.</p>",
            "sections-1-order": "",
            "sections-1-kind": "risk_factors",
            "sections-1-heading": "What raises the risk",
            "sections-1-body": "",
            "sections-1-condition": osteopenia.pk,
            "references-TOTAL_FORMS": "1",
            "references-INITIAL_FORMS": "0",
            "references-0-order": "",
            "references-0-citation": "WHO. Assessment of fracture risk. 1994.",
            "references-0-url": "",
            "references-0-doi": "10.1000/xyz123",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(slug="living-with-osteopenia")
    assert [s.order for s in article.sections.all()] == [1, 2]
    version = Version.objects.of_record(article).get()
    assert (version.number, version.state, version.created_by) == (1, "draft", article_editor)
    assert editor_client.get("/articles/living-with-osteopenia/").status_code == 404
    publish(article)
    page = editor_client.get("/articles/living-with-osteopenia/").content.decode()
    assert "Walk <strong>daily</strong>." in page
    assert "<strong>Genetics</strong>:" in page
    assert "https://doi.org/10.1000/xyz123" in page


def test_a_block_without_its_condition_gets_a_message_not_an_error(editor_client):
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "T",
            "slug": "t",
            "standfirst": "S",
            "publish_at_0": "2026-01-01",
            "publish_at_1": "09:00:00",
            "author_name": "Genoma Health",
            "meta_description": "M" * 161,
            "sections-TOTAL_FORMS": "1",
            "sections-INITIAL_FORMS": "0",
            "sections-0-kind": "symptoms",
            "sections-0-heading": "Symptoms",
            "references-TOTAL_FORMS": "0",
            "references-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the condition whose rows to show." in page
    assert "at most 160 characters" in page
    assert not Article.objects.exists()


def test_condition_admin_edits_risk_factors_inline(editor_client, clinic_content):
    condition = Condition.objects.get(slug="osteopenia")
    url = reverse("admin:articles_condition_change", args=[condition.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "Genetics" in page.content.decode()
    assert "ck-editor-container" in page.content.decode()  # the CKEditor 5 widget


def condition_form(condition, **changes):
    """The condition's admin change form as a browser posts it, with no inline rows."""
    form = {
        "name": condition.name,
        "slug": condition.slug,
        "icd10_code": condition.icd10_code,
        "summary": condition.summary,
        "overview": condition.overview,
        "diagnosis": condition.diagnosis,
    }
    for prefix in ("symptoms", "risk_factors", "condition_treatments", "t_score_bands"):
        form |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return {**form, **changes}


def test_condition_admin_adds_symptoms_and_risk_factors_without_choosing_a_kind(editor_client):
    condition = make_condition()
    url = reverse("admin:articles_condition_change", args=[condition.pk])
    page = editor_client.get(url).content.decode()
    assert "Symptoms" in page
    assert "Risk factors" in page
    assert 'name="symptoms-TOTAL_FORMS"' in page
    assert 'name="risk_factors-TOTAL_FORMS"' in page
    assert "-kind" not in page  # no kind to pick
    new_rows = {
        "symptoms-TOTAL_FORMS": "1",
        "symptoms-0-name": "Back pain",
        "risk_factors-TOTAL_FORMS": "2",
        "risk_factors-0-name": "Back pain",  # a name both kinds may use
        "risk_factors-1-name": "Age",
    }
    response = editor_client.post(url, condition_form(condition, **new_rows))
    assert response.status_code == 302
    assert list(
        condition.points.order_by("kind", "order").values_list("kind", "order", "name")
    ) == [
        ("risk_factors", 1, "Back pain"),
        ("risk_factors", 2, "Age"),
        ("symptoms", 1, "Back pain"),
    ]


def test_condition_admin_explains_two_risk_factors_of_one_name(editor_client):
    condition = make_condition()
    Symptom.objects.create(condition=condition, name="Age")
    url = reverse("admin:articles_condition_change", args=[condition.pk])
    twice = {"risk_factors-TOTAL_FORMS": "2", "risk_factors-0-name": "Age",
             "risk_factors-1-name": "Age"}  # fmt: skip
    response = editor_client.post(url, condition_form(condition, **twice))
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert condition.points.count() == 1


def test_the_band_inline_refuses_a_reversed_range(editor_client):
    condition = make_condition()
    band = {
        "t_score_bands-TOTAL_FORMS": "1",
        "t_score_bands-0-name": "Wrong",
        "t_score_bands-0-indicates_condition": "on",
        "t_score_bands-0-lower_bound": "-1",
        "t_score_bands-0-upper_bound": "-2.5",
        "t_score_bands-0-explanation": "x",
        "t_score_bands-0-order": "9",
    }
    url = reverse("admin:articles_condition_change", args=[condition.pk])
    response = editor_client.post(url, condition_form(condition, **band))
    assert response.status_code == 200
    assert "upper bound must be above" in response.content.decode()
    assert not TScoreBand.objects.filter(name="Wrong").exists()
    assert not Version.objects.of_record(condition).exists()


def test_a_next_review_due_today_or_earlier_is_refused_with_a_message(client):
    article = make_article(slug="a")
    version = save_version(article)
    reviewer = linked_reviewer()
    publishing.submit(version, reviewer)
    sign_in(client, reviewer)
    url = reverse("admin:articles_article_change", args=[article.pk])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"_approve": "Approve", "next_review_due": today}, follow=True)
    assert "The next review must fall due after today." in response.content.decode()
    version.refresh_from_db()
    assert (version.state, version.approved_by, version.next_review_due) == (
        "submitted",
        None,
        None,
    )


def test_treatment_changelist_filters_by_evidence(editor_client, clinic_content):
    url = reverse("admin:articles_treatment_changelist")
    page = editor_client.get(url, {"evidence_status__exact": "experimental"}).content.decode()
    assert "2 results" in page or "Umbilical" in page
    assert Treatment.objects.filter(evidence_status="experimental").count() == 2


def test_view_on_site_link_and_autocomplete(editor_client, clinic_content):
    article = Article.objects.first()
    page = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "View on site" in page.content.decode()
    search = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "conditions",
            "term": "oste",
        },
    )
    assert search.status_code == 200
    assert {r["text"] for r in search.json()["results"]} == {"Osteopenia", "Osteoporosis"}


def test_groups_exist_with_the_right_permissions(db):
    editors = Group.objects.get(name="Editors")
    reviewers = Group.objects.get(name="Medical reviewers")
    clinic_staff = Group.objects.get(name="Clinic staff")
    assert editors.permissions.filter(codename="change_article").exists()
    assert not editors.permissions.filter(content_type__app_label="consultations").exists()
    assert reviewers.permissions.filter(codename="approve_version").exists()
    assert not reviewers.permissions.filter(codename="change_article").exists()
    assert not editors.permissions.filter(codename="approve_version").exists()
    assert clinic_staff.permissions.filter(codename="view_article").exists()
    assert not clinic_staff.permissions.filter(codename="change_article").exists()


@pytest.mark.parametrize("model", ["article", "condition", "treatment"])
def test_only_an_administrator_deletes_a_whole_record(editor_client, admin_client, model):
    from tests.articles.factories import make_treatment

    record = {"article": make_article, "condition": make_condition, "treatment": make_treatment}[
        model
    ]()
    url = reverse(f"admin:articles_{model}_delete", args=[record.pk])
    assert editor_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not type(record).objects.filter(pk=record.pk).exists()


def test_editors_still_delete_sections_of_an_article(editor_client):
    from tests.articles.factories import article_form, make_section

    article = make_article(slug="a")
    section = make_section(article, heading="Goes")
    form = article_form(
        article,
        **{
            "sections-TOTAL_FORMS": "1",
            "sections-INITIAL_FORMS": "1",
            "sections-0-id": section.pk,
            "sections-0-article": article.pk,
            "sections-0-order": section.order,
            "sections-0-kind": "text",
            "sections-0-heading": "Goes",
            "sections-0-body": section.body,
            "sections-0-DELETE": "on",
        },
    )
    response = editor_client.post(reverse("admin:articles_article_change", args=[article.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not article.sections.exists()


def test_clinic_staff_may_read_but_not_change_content(clinic_staff_client, clinic_content):
    factor = RiskFactor.objects.first()
    url = reverse("admin:articles_condition_change", args=[factor.condition_id])
    assert clinic_staff_client.get(url).status_code == 200
    response = clinic_staff_client.post(url, {"name": "Changed"})
    assert response.status_code == 403


def test_clinic_staff_read_rich_text_as_formatted_text_never_as_live_script(clinic_staff_client):
    from django.db.models import TextField, Value

    from tests.articles.factories import make_condition, make_section, make_treatment

    condition = make_condition(overview="<p>Bones <strong>thin</strong>.</p>", diagnosis="")
    # Bypass the field's sanitizer, as a bad migration or an import by SQL could.
    Condition.objects.filter(pk=condition.pk).update(
        diagnosis=Value('<p>DEXA</p><script>alert("x")</script>', output_field=TextField())
    )
    assert "<script>" in Condition.objects.values_list("diagnosis", flat=True).get()
    treatment = make_treatment(name="T", slug="t", description="<ul><li>Step one</li></ul>")
    article = make_article(slug="a")
    make_section(article, body="<h3>Section heading</h3><p>Section text.</p>")
    pages = {
        "condition": ("admin:articles_condition_change", condition.pk),
        "treatment": ("admin:articles_treatment_change", treatment.pk),
        "article": ("admin:articles_article_change", article.pk),
    }
    shown = {
        name: clinic_staff_client.get(reverse(url, args=[pk])).content.decode()
        for name, (url, pk) in pages.items()
    }
    assert "<p>Bones <strong>thin</strong>.</p>" in shown["condition"]
    assert "<p>DEXA</p>" in shown["condition"]
    assert 'alert("x")' not in shown["condition"]
    assert "&lt;p&gt;" not in shown["condition"]
    assert "<ul><li>Step one</li></ul>" in shown["treatment"]
    assert "<h3>Section heading</h3><p>Section text.</p>" in shown["article"]  # an inline
    assert "&lt;h3&gt;" not in shown["article"]
    assert "<script>alert" not in "".join(shown.values())


def test_an_approval_with_a_next_review_in_the_past_is_refused_by_the_workflow_itself():
    article = make_article(slug="past-review")
    reviewer = linked_reviewer(slug="dr-past")
    version = save_version(article)
    publishing.submit(version, reviewer)
    with pytest.raises(publishing.WorkflowError, match="after today"):
        publishing.approve(version, reviewer, next_review_due=timezone.localdate())
    version.refresh_from_db()
    assert version.state == Version.State.SUBMITTED
    assert version.approved_by is None


@pytest.mark.parametrize(
    ("approved", "due"),
    [
        (date(2026, 11, 25), date(2027, 11, 25)),
        (date(2028, 2, 29), date(2029, 2, 28)),  # no 29 February the year after
        (date(2027, 3, 1), date(2028, 3, 1)),  # across a leap day: still the same date
    ],
)
def test_a_review_falls_due_on_the_same_date_a_year_after_approval(approved, due):
    assert publishing.a_year_after(approved) == due


def test_a_sent_back_version_names_the_clinician_who_sent_it_back(editor_client):
    article = make_article(slug="sent-back")
    reviewer = linked_reviewer(slug="dr-back", name="Dr Back", credentials="MD")
    version = save_version(article)
    publishing.submit(version, reviewer)
    publishing.request_changes(version, reviewer, "Cite the trial, please.")
    page = editor_client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert "Sent back by Dr Back, MD on" in page
    assert "Cite the trial, please." in page
