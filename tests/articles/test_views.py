"""Public pages: what visitors see, what the public may not see, and the query budgets."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.test import Client
from django.utils import timezone
from model_bakery import baker

from articles import publishing
from articles.models import ArticleSection, ConditionTreatment, Treatment, TreatmentPoint
from articles.roles import MEDICAL_REVIEWERS
from tests.articles.factories import (
    make_article,
    make_condition,
    make_section,
    make_treatment,
    publish,
    publish_thai,
    save_version,
    text_of,
)
from tests.team.factories import make_clinician

pytestmark = pytest.mark.django_db

OSTEOPOROSIS_POST = "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/"


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def linked_reviewer(**clinician):
    """A member of the Medical reviewers group linked to a clinician (`clinician`: its
    fields, as for make_clinician)."""
    user = baker.make("auth.User", username=clinician.get("slug", "reviewer"), is_staff=True)
    user.groups.add(Group.objects.get(name=MEDICAL_REVIEWERS))
    make_clinician(user=user, **clinician)
    return user


def approve_and_publish(record, next_review_due=None, **clinician):
    """Publish `record` as the clinician (`clinician`: its fields) approved it."""
    user = linked_reviewer(**clinician)
    version = save_version(record)
    publishing.submit(version, user)
    publishing.approve(version, user, next_review_due=next_review_due)
    publishing.publish(version, user)
    return version


def json_ld_blocks(page):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def test_home_shows_articles_conditions_and_the_call_to_book(client, clinic_content):
    page = html(client.get("/"))
    assert "Osteoporosis and Stem Cell Therapy" in page
    assert 'href="/conditions/osteopenia/"' in page
    assert 'href="/consultation/"' in page


def test_article_page_shows_sections_blocks_review_state_and_call_to_action(client, clinic_content):
    page = html(client.get(OSTEOPOROSIS_POST))
    assert "<h1>Osteoporosis and Stem Cell Therapy: A New Approach to Bone Health</h1>" in page
    assert '<ol class="steps">' in page  # therapy steps as a numbered sequence
    assert '<strong class="step-name">Stem Cell Harvesting</strong>' in page
    assert "Awaiting medical review" in page
    assert "not medical advice" in page
    assert 'href="/consultation/?condition=osteoporosis&amp;article=osteoporosis-and' in page
    assert '<link rel="canonical" href="http://testserver' + OSTEOPOROSIS_POST + '">' in page
    assert '<meta property="og:title" content="Osteoporosis and Stem Cell Therapy' in page
    # Related articles: the other osteoporosis post.
    assert "Breakthroughs in Osteoporosis Treatment" in page


def section_html(page, heading):
    match = re.search(rf"<section [^>]*>\s*<h2 [^>]*>{heading}</h2>(.*?)</section>", page, re.S)
    assert match, heading
    return match.group(1)


def test_article_blocks_show_the_rows_of_their_own_condition_treatment_and_kind(client):
    osteopenia = make_condition()
    other = make_condition(name="Other", slug="other")
    msc = make_treatment(name="MSC", slug="msc")
    drugs = make_treatment(name="Medication", slug="medication", evidence_status="established")
    baker.make("articles.RiskFactor", condition=osteopenia, name="Age", description="Over 50")
    baker.make("articles.RiskFactor", condition=other, name="Not this one")
    baker.make("articles.Symptom", condition=osteopenia, name="Silent")
    ConditionTreatment.objects.create(
        condition=osteopenia, treatment=drugs, label="Bisphosphonates"
    )
    ConditionTreatment.objects.create(condition=osteopenia, treatment=msc)  # under study: own block
    baker.make(TreatmentPoint, treatment=msc, kind="steps", name="Harvest", order=2)
    baker.make(TreatmentPoint, treatment=msc, kind="steps", name="Culture", order=1)
    baker.make(TreatmentPoint, treatment=msc, kind="benefits", name="Denser", condition=osteopenia)
    baker.make(TreatmentPoint, treatment=msc, kind="benefits", name="In general")
    article = make_article(slug="blocks")
    for kind, heading, fields in [
        ("risk_factors", "Risks", {"condition": osteopenia}),
        ("symptoms", "Signs", {"condition": osteopenia}),
        ("condition_treatments", "Care", {"condition": osteopenia}),
        ("steps", "Steps", {"treatment": msc}),
        ("benefits", "Benefits for osteopenia", {"treatment": msc, "condition": osteopenia}),
        ("benefits", "Benefits", {"treatment": msc}),
    ]:
        make_section(article, kind=kind, heading=heading, body="", **fields)
    publish(osteopenia, other, msc, drugs, article)

    page = html(client.get(article.get_absolute_url()))

    assert "<li><strong>Age</strong>: Over 50</li>" in section_html(page, "Risks")
    assert "Not this one" not in page
    assert "<li>Silent</li>" in section_html(page, "Signs")
    care = section_html(page, "Care")
    assert '<a href="/treatments/medication/">Bisphosphonates</a>' in care
    assert "MSC" not in care
    steps = section_html(page, "Steps")
    assert '<ol class="steps">' in steps
    assert steps.index("Culture") < steps.index("Harvest")
    assert "Denser" in section_html(page, "Benefits for osteopenia")
    assert "In general" not in section_html(page, "Benefits for osteopenia")
    assert "In general" in section_html(page, "Benefits")
    assert "Denser" not in section_html(page, "Benefits")


def test_article_page_lists_references_topics_and_related_articles(client):
    osteopenia = make_condition()
    msc = make_treatment(name="MSC", slug="msc")
    article = make_article(slug="main", publish_at=timezone.now() - timedelta(days=10))
    article.conditions.add(osteopenia)
    article.treatments.add(msc)
    baker.make(
        "articles.ArticleReference", article=article, citation="Smith 2020", doi="10.1/x", order=1
    )
    baker.make("articles.ArticleReference", article=article, citation="Jones 2021", order=2)
    publish(osteopenia, msc, article)
    for days in range(1, 6):
        related = make_article(
            slug=f"related-{days}",
            title=f"Related {days}",
            publish_at=timezone.now() - timedelta(days=days),
        )
        related.conditions.add(osteopenia)
        publish(related)
    draft = make_article(slug="draft", title="A draft")
    draft.conditions.add(osteopenia)
    save_version(draft)
    scheduled = make_article(
        slug="scheduled", title="Scheduled", publish_at=timezone.now() + timedelta(hours=1)
    )
    scheduled.conditions.add(osteopenia)
    publish(scheduled, make_article(slug="unrelated", title="Unrelated"))

    page = html(client.get(article.get_absolute_url()))

    references = section_html(page, "References")
    assert references.index("Smith 2020") < references.index("Jones 2021")
    assert '<a href="https://doi.org/10.1/x" rel="noopener noreferrer">' in references
    topics = section_html(page, "Topics in this article")
    assert '<a href="/conditions/osteopenia/">Osteopenia</a>' in topics
    assert '<a href="/treatments/msc/">MSC</a> <span class="badge badge-experimental">' in topics
    related = section_html(page, "Related articles")
    assert re.findall(r">Related (\d)</a>", related) == ["1", "2", "3"]  # newest three
    assert related.count('class="card"') == 3  # no draft, no unrelated article, not itself
    assert 'href="/consultation/?condition=osteopenia&amp;article=main"' in page


def test_article_page_shows_the_clinicians_approval_and_next_review(client):
    article = make_article(slug="reviewed")
    today = timezone.localdate()
    due = today + timedelta(days=200)
    approve_and_publish(
        article, next_review_due=due, name="Dr Jane Doe", slug="jane-doe", credentials="MD"
    )
    page = html(client.get(article.get_absolute_url()))
    assert (
        'Medically reviewed by <a href="/team/jane-doe/">Dr Jane Doe, MD</a> on '
        f'<time datetime="{today.isoformat()}">{today.day} {today:%B %Y}</time>'
    ) in page
    assert f'Next review due <time datetime="{due.isoformat()}">' in page
    assert "Awaiting medical review" not in page
    data = json_ld_blocks(page)[0]
    assert data["reviewedBy"]["name"] == "Dr Jane Doe"
    assert data["reviewedBy"]["url"] == "http://testserver/team/jane-doe/"
    assert data["lastReviewed"] == today.isoformat()


def test_article_json_ld_is_a_medical_web_page_about_its_condition(client, clinic_content):
    data = json_ld_blocks(html(client.get(OSTEOPOROSIS_POST)))[0]
    assert data["@type"] == "MedicalWebPage"
    assert data["about"][0] == {
        "@type": "MedicalCondition",
        "name": "Osteoporosis",
        "url": "http://testserver/conditions/osteoporosis/",
    }
    assert "reviewedBy" not in data


def test_json_ld_is_escaped_inside_its_script_element(client):
    publish(make_article(slug="x", title="</script><script>alert(1)</script>"))
    page = html(client.get("/articles/x/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["headline"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize("scheduled", [False, True], ids=["draft", "scheduled"])
def test_drafts_and_scheduled_articles_are_404_even_for_staff_and_shown_by_the_preview_link(
    editor_client, scheduled
):
    later = {"publish_at": timezone.now() + timedelta(days=2)} if scheduled else {}
    article = make_article(slug="hidden", **later)
    make_section(article, heading="Hidden words")
    version = save_version(article)
    if scheduled:
        publish(article)  # it goes live at its publish time
        version.refresh_from_db()
        assert version.is_scheduled

    assert Client().get(article.get_absolute_url()).status_code == 404
    assert editor_client.get(article.get_absolute_url()).status_code == 404
    change_page = editor_client.get(f"/admin/articles/article/{article.pk}/change/")
    preview_url = re.search(r'href="(/preview/[^"]+/)"', change_page.content.decode()).group(1)
    response = Client().get(preview_url)  # a share link: no sign-in
    preview = html(response)
    assert f"Preview of version {version.number} ({version.get_state_display()})" in preview
    assert "Hidden words" in preview
    assert '<meta name="robots" content="noindex, nofollow">' in preview
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert Client().get("/articles/").content.decode().count("hidden") == 0


def test_article_list_filters_by_condition_and_paginates(client):
    condition = make_condition()
    other = make_condition(name="Osteoporosis", slug="osteoporosis")
    publish(condition, other)
    for n in range(12):
        article = make_article(slug=f"on-osteopenia-{n}", title=f"Osteopenia note {n}")
        article.conditions.add(condition)
        publish(article)
    elsewhere = make_article(slug="on-osteoporosis", title="Osteoporosis note")
    elsewhere.conditions.add(other)
    publish(elsewhere)
    first = html(client.get("/articles/?condition=osteopenia"))
    assert first.count('class="card"') == 10
    assert "Osteoporosis note" not in first
    assert "<h1>Articles on Osteopenia</h1>" in first
    assert "<span>Page 1 of 2</span>" in first
    second = html(client.get("/articles/?condition=osteopenia&page=2"))
    assert second.count('class="card"') == 2
    assert "<title>Articles on Osteopenia · page 2 · Genoma Health</title>" in second
    assert 'rel="prev" href="?condition=osteopenia&amp;page=1"' in second
    assert client.get("/articles/?page=99").status_code == 404
    unknown = html(client.get("/articles/?condition=nothing-like-this"))
    assert "We have no condition by that name" in unknown


def test_condition_list_is_alphabetical(client, clinic_content):
    page = html(client.get("/conditions/"))
    assert page.index("Osteopenia") < page.index("Osteoporosis")


def test_condition_page_shows_symptoms_risk_factors_diagnosis_treatments_and_articles(
    client, clinic_content
):
    page = html(client.get("/conditions/osteopenia/"))
    for text in (
        "Frequent fractures or breaks from minor injuries",
        "<strong>Genetics</strong>:",
        "DEXA scan",
        'name="t_score"',
        "Mesenchymal stem cell (MSC) therapy",
        "Understanding Osteopenia and How Stem Cell Therapy",
        'class="badge badge-experimental"',
    ):
        assert text in page
    data = json_ld_blocks(page)[0]
    assert data["@type"] == "MedicalCondition"
    assert len(data["signOrSymptom"]) == 3
    assert len(data["riskFactor"]) == 5
    assert {t["name"] for t in data["possibleTreatment"]} >= {"Mesenchymal stem cell (MSC) therapy"}


def test_condition_page_shows_its_own_rows_treatments_and_published_articles(client):
    osteopenia = make_condition()
    other = make_condition(name="Other", slug="other")
    baker.make("articles.Symptom", condition=osteopenia, name="Silent", order=2)
    baker.make("articles.Symptom", condition=osteopenia, name="Back pain", order=1)
    baker.make("articles.Symptom", condition=other, name="Not this one")
    baker.make("articles.RiskFactor", condition=osteopenia, name="Age", description="Over 50")
    drugs = make_treatment(name="Medication", slug="medication", evidence_status="established")
    msc = make_treatment(name="MSC", slug="msc")
    ConditionTreatment.objects.create(
        condition=osteopenia, treatment=drugs, label="Bisphosphonates"
    )
    ConditionTreatment.objects.create(
        condition=osteopenia, treatment=msc, description="Under study."
    )
    older = make_article(
        slug="older", title="Older post", publish_at=timezone.now() - timedelta(days=9)
    )
    newer = make_article(slug="newer", title="Newer post")
    draft = make_article(slug="draft", title="Draft post")
    scheduled = make_article(
        slug="scheduled", title="Scheduled post", publish_at=timezone.now() + timedelta(hours=1)
    )
    for article in (older, newer, draft, scheduled):
        article.conditions.add(osteopenia)
    publish(osteopenia, other, drugs, msc, older, newer, scheduled)
    save_version(draft)

    page = html(client.get("/conditions/osteopenia/"))

    symptoms = section_html(page, "Symptoms")
    assert symptoms.index("Back pain") < symptoms.index("Silent")
    assert "Not this one" not in page
    assert "<li><strong>Age</strong>: Over 50</li>" in section_html(page, "Risk factors")
    treatments = section_html(page, "Treatments")
    assert (
        '<a href="/treatments/medication/">Bisphosphonates</a></strong> <span class="badge badge-established">'
        in treatments
    )
    assert (
        '<a href="/treatments/msc/">MSC</a></strong> <span class="badge badge-experimental">'
        in treatments
    )
    assert "<br>Under study." in treatments
    articles = section_html(page, "Articles")
    assert articles.index("Newer post") < articles.index("Older post")
    assert "Draft post" not in articles
    assert "Scheduled post" not in articles
    data = json_ld_blocks(page)[0]
    assert [t["name"] for t in data["possibleTreatment"]] == ["Medication", "MSC"]
    assert data["possibleTreatment"][0]["url"] == "http://testserver/treatments/medication/"


@pytest.mark.parametrize(
    ("value", "category"),
    [
        ("0.5", "Normal bone density"),
        ("-1", "Normal bone density"),
        ("-1.0", "Normal bone density"),
        ("-1.01", "Osteopenia"),
        ("-1.8", "Osteopenia"),
        ("\u22121.8", "Osteopenia"),  # a typographic minus sign, as phones type it
        ("-2,4", "Osteopenia"),
        ("-2.49", "Osteopenia"),
        ("-2.5", "Osteoporosis"),
        ("-2.51", "Osteoporosis"),
        ("-4", "Osteoporosis"),
    ],
)
def test_t_score_interpreter_names_the_category_from_the_stored_bands(
    client, clinic_content, value, category
):
    page = html(client.get("/conditions/osteopenia/", {"t_score": value}))
    assert f"falls in the range: <strong>{category}</strong>" in page
    assert "This is not a diagnosis" in page


def test_t_score_result_links_to_the_consultation_for_that_condition(client, clinic_content):
    page = html(client.get("/conditions/osteopenia/", {"t_score": "-3"}))
    assert 'href="/consultation/?condition=osteoporosis"' in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "That is not a T-score"),
        ("", "Enter your T-score"),
        ("nan", "That is not a T-score"),
        ("Infinity", "That is not a T-score"),
        ("1e400", "T-scores lie between"),
        ("-11", "T-scores lie between"),
        ("<script>alert(1)</script>", "That is not a T-score"),
        ("-1.8\x00", "That is not a T-score"),
        ("9" * 500, "That is not a T-score"),
    ],
)
def test_t_score_nonsense_gets_a_clear_message(client, clinic_content, value, message):
    page = html(client.get("/conditions/osteoporosis/", {"t_score": value}))
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "<script>alert(1)</script>" not in page


def test_stored_thresholds_drive_the_interpreter(
    client, clinic_content, django_capture_on_commit_callbacks
):
    from articles.models import TScoreBand

    TScoreBand.objects.filter(name="Osteopenia").update(lower_bound="-3.00")
    TScoreBand.objects.filter(name="Osteoporosis").update(upper_bound="-3.00")
    owners = {band.condition for band in TScoreBand.objects.select_related("condition")}
    for condition in owners:
        save_version(condition)
    saved = html(client.get("/conditions/osteopenia/", {"t_score": "-2.8"}))
    assert "falls in the range: <strong>Osteoporosis</strong>" in saved  # the published bands
    with django_capture_on_commit_callbacks(execute=True):  # as the publication commits
        publish(*owners)
    page = html(client.get("/conditions/osteopenia/", {"t_score": "-2.8"}))
    assert "falls in the range: <strong>Osteopenia</strong>" in page


def test_treatment_page_shows_evidence_steps_conditions_and_articles(client, clinic_content):
    page = html(client.get("/treatments/msc-therapy/"))
    assert "This therapy is experimental." in page
    assert '<ol class="steps">' in page
    assert "Stem Cell Harvesting" in page
    assert '<h3 class="for-condition">For <span>Osteopenia</span></h3>' in page  # its points
    assert 'href="/conditions/osteoporosis/"' in page
    assert "Osteoporosis and Stem Cell Therapy" in page
    data = json_ld_blocks(page)[0]
    assert data["@type"] == "MedicalTherapy"
    established = html(client.get("/treatments/medications/"))
    assert "This therapy is experimental." not in established
    assert "Established treatment" in established


def test_a_therapys_steps_are_a_numbered_sequence_in_their_stored_order(client):
    msc = make_treatment(name="MSC", slug="msc")
    for order, name in [(3, "Inject"), (1, "Harvest"), (4, "Regenerate"), (2, "Culture")]:
        baker.make(
            TreatmentPoint, treatment=msc, kind="steps", order=order, name=name,
            description=f"What {name.lower()} means.",
        )  # fmt: skip
    publish(msc)
    response = client.get("/treatments/msc/")
    steps = section_html(html(response), "How the treatment is given")
    assert re.findall(r'<li class="step"><strong class="step-name">(\w+)</strong>', steps) == [
        "Harvest", "Culture", "Inject", "Regenerate",
    ]  # fmt: skip
    assert steps.count("<ol") == 1
    # Read aloud or copied, each step is its name, then what it means.
    assert "Harvest: What harvest means. Culture: What culture means." in text_of(response)


def test_a_treatments_points_are_grouped_by_condition_each_named_once(client):
    osteoporosis = make_condition(name="Osteoporosis", slug="osteoporosis")
    osteopenia = make_condition(name="Osteopenia", slug="osteopenia")
    msc = make_treatment(name="MSC", slug="msc")
    for kind, name, condition in [
        ("benefits", "Denser bones", osteoporosis),
        ("benefits", "Fewer fractures", osteopenia),
        ("benefits", "One procedure", None),
        ("benefits", "Stronger bones", osteoporosis),
        ("mechanisms", "New osteoblasts", osteoporosis),
        ("mechanisms", "Less inflammation", osteoporosis),
        ("outcomes", "Higher density on DEXA", osteoporosis),
    ]:
        baker.make(TreatmentPoint, treatment=msc, kind=kind, name=name, condition=condition)
    publish(osteoporosis, osteopenia, msc)
    page = html(client.get("/treatments/msc/"))

    def groups(heading):
        """(condition named above them, or "", the points) of a section, in order."""
        section = section_html(page, heading)
        parts = re.split(r'<h3 class="for-condition">For <span>(\w+)</span></h3>', section)
        named = ["", *parts[1::2]]
        return [
            (name, re.findall(r"<li>([^<]+)</li>", points))
            for name, points in zip(named, parts[::2], strict=True)
            if name or "<li>" in points
        ]

    assert groups("Benefits") == [
        ("", ["One procedure"]),  # true of the treatment in general: first, unnamed
        ("Osteoporosis", ["Denser bones", "Stronger bones"]),
        ("Osteopenia", ["Fewer fractures"]),
    ]
    assert groups("How it may work") == [
        ("Osteoporosis", ["New osteoblasts", "Less inflammation"]),
    ]
    assert groups("Reported outcomes") == [("Osteoporosis", ["Higher density on DEXA"])]
    assert "(for " not in page  # never after each point


def test_a_thai_treatment_page_names_its_conditions_in_thai_once(client):
    osteoporosis = make_condition(name="Osteoporosis", slug="osteoporosis")
    osteopenia = make_condition(name="Osteopenia", slug="osteopenia")
    msc = make_treatment(name="MSC", slug="msc")
    for name, condition in [
        ("Denser", osteoporosis),
        ("Stronger", osteoporosis),
        ("Fewer fractures", osteopenia),
        ("Less pain", osteopenia),
    ]:
        baker.make(TreatmentPoint, treatment=msc, kind="benefits", name=name, condition=condition)
    publish(osteoporosis, osteopenia, msc)
    publish_thai(osteoporosis, name="โรคกระดูกพรุน")
    page = html(client.get("/th/treatments/msc/"))
    assert page.count('<h3 class="for-condition">สำหรับ <span>โรคกระดูกพรุน</span></h3>') == 1
    # A condition not yet translated: its English name, marked as English, once.
    assert page.count('<h3 class="for-condition">สำหรับ <span lang="en">Osteopenia</span></h3>') == 1


def test_treatment_list_shows_evidence_badges(client, clinic_content):
    page = html(client.get("/treatments/"))
    assert page.count("badge-experimental") == 2


def test_search_finds_articles_conditions_and_treatments(client, clinic_content):
    page = html(client.get("/search/", {"q": "osteopenia"}))
    assert 'href="/conditions/osteopenia/"' in page
    assert "Understanding Osteopenia" in page
    assert "Mesenchymal" in html(client.get("/search/", {"q": "mesenchymal"}))
    nothing = html(client.get("/search/", {"q": "zebra quantum"}))
    assert "Nothing matched" in nothing


def test_search_never_shows_drafts_or_scheduled_articles(client):
    save_version(make_article(slug="secret", title="Secret osteopenia draft"))
    later = timezone.now() + timedelta(days=1)
    publish(make_article(slug="later", title="Later osteopenia post", publish_at=later))
    publish(make_article(slug="public", title="Public osteopenia post"))
    page = html(client.get("/search/", {"q": "osteopenia"}))
    assert "Public osteopenia post" in page
    assert "Secret osteopenia draft" not in page
    assert "Later osteopenia post" not in page


def test_search_escapes_the_query(client, db):
    page = html(client.get("/search/", {"q": '<img src=x onerror="alert(1)">'}))
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page


def test_unknown_slugs_are_404(client, db):
    for url in ("/articles/nope/", "/conditions/nope/", "/treatments/nope/"):
        assert client.get(url).status_code == 404


def test_sitemap_lists_articles_conditions_and_treatments_with_lastmod(client, clinic_content):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.fromstring(response.content).findall("s:url", ns)
    locations = {u.find("s:loc", ns).text for u in urls}
    site = "http://" + Site.objects.get_current().domain  # DJANGO_SITE_URL's, after migrate
    assert site + OSTEOPOROSIS_POST in locations
    assert site + "/conditions/osteopenia/" in locations
    assert site + "/treatments/uc-msc-therapy/" in locations
    assert site + "/th" + OSTEOPOROSIS_POST in locations
    assert site + "/th/conditions/osteopenia/" in locations
    assert len(urls) == (3 + 2 + 5) * 2  # in English and in Thai
    assert all(u.find("s:lastmod", ns) is not None for u in urls)


def test_every_sitemap_entry_names_its_page_in_both_languages_and_the_default(
    client, clinic_content
):
    """Reciprocal, self-referencing hreflang sets, as search engines ask."""
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    urls = ET.fromstring(client.get("/sitemap.xml").content).findall("s:url", ns)
    site = "http://" + Site.objects.get_current().domain
    for url in urls:
        location = url.find("s:loc", ns).text
        english = location.replace(site + "/th/", site + "/")
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
        assert alternates == {
            "en": english,
            "th": english.replace(site + "/", site + "/th/"),
            "x-default": english,
        }


def test_robots_txt_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "admin" not in response.content.decode()  # a custom ADMIN_URL stays unlisted


def test_atom_feed_lists_published_articles(client, clinic_content):
    save_version(make_article(slug="draft", title="Draft"))
    response = client.get("/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)
    assert len(entries) == 3
    assert {e.find("a:title", ns).text for e in entries} >= {
        "Understanding Osteopenia and How Stem Cell Therapy May Offer New Hope"
    }


def test_the_feed_names_each_article_s_published_author(client):
    article = publish(make_article(slug="bones", author_name="Dr Malee Srisuk"))
    article.author_name = "Dr Somchai Jaidee"  # a working copy, not published
    article.save()
    save_version(article)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = ET.fromstring(client.get("/feed/").content).find("a:entry", ns)
    assert entry.find("a:author/a:name", ns).text == "Dr Malee Srisuk"


def test_privacy_page(client, db):
    page = html(client.get("/privacy/"))
    assert "Privacy notice" in page
    assert "health information" in page


# Query budgets: the same number of queries whatever the number of related rows.


def build_article(size):
    condition = make_condition(slug=f"c{size}", name=f"Condition {size}")
    treatment = make_treatment(slug=f"t{size}", name=f"Treatment {size}")
    ConditionTreatment.objects.create(condition=condition, treatment=treatment)
    for n in range(size):
        baker.make("articles.RiskFactor", condition=condition, name=f"Risk {n}")
        baker.make("articles.Symptom", condition=condition, name=f"Symptom {n}")
        for kind in TreatmentPoint.Kind.values:
            baker.make(TreatmentPoint, treatment=treatment, kind=kind, name=f"{kind} {n}")
        other = make_treatment(
            slug=f"t{size}-{n}", name=f"Other {size}-{n}", evidence_status="established"
        )
        ConditionTreatment.objects.create(condition=condition, treatment=other)
    article = make_article(slug=f"a{size}")
    article.conditions.add(condition)
    article.treatments.add(treatment)
    for n in range(size):
        related = make_article(slug=f"related-{size}-{n}")
        related.conditions.add(condition)
        publish(related)
        baker.make("articles.ArticleReference", article=article, citation=f"Ref {n}")
    for kind in ArticleSection.Kind.values:
        for _ in range(max(1, size // 9)):
            if kind in ArticleSection.CONDITION_KINDS:
                make_section(article, kind=kind, condition=condition)
            elif kind in ArticleSection.TREATMENT_KINDS:
                make_section(article, kind=kind, treatment=treatment)
            else:
                make_section(article)
    publish(treatment, *Treatment.objects.filter(slug__startswith=f"t{size}-"), article)
    return article, condition, treatment


@pytest.mark.parametrize("size", [3, 30])
def test_page_query_budgets_do_not_grow_with_related_rows(
    client, django_assert_max_num_queries, settings, size
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0  # the budget of rendering a page, not of a cache hit
    article, condition, treatment = build_article(size)
    Site.objects.get_current()  # the sitemap's and feed's Site is read once per process
    baker.make("articles.TScoreBand", condition=condition, lower_bound=-5, upper_bound=5, order=1)
    publish(condition)
    budgets = {
        "/": 3,
        "/articles/": 3,
        # The published version with the stored page (read once, below, to store it).
        article.get_absolute_url(): 1,
        # The paginated lists count their rows, then read a page of them.
        "/conditions/": 2,
        # Condition and treatment pages read their share card each time.
        condition.get_absolute_url() + "?t_score=-1": 5,
        "/treatments/": 2,
        treatment.get_absolute_url(): 5,
        # For each of the three kinds, the records with the words in their title, then,
        # when those do not fill the page, the others (SQLite; PostgreSQL ranks English
        # words in one statement).
        "/search/?q=Condition": 6,
        # A count and a page for each of the three content sitemaps and the clinicians',
        # and whether and when the team page changed.
        "/sitemap.xml": 9,
        "/feed/": 1,
    }
    # The first visit after a publication works the article page out and stores it: the
    # version, the versions whose rows it shows, the related articles, the next scheduled
    # change (two), its share card, the store.
    with django_assert_max_num_queries(7, info="first visit"):
        assert client.get(article.get_absolute_url()).status_code == 200
    # The first list makes the condition choices each of its pages shows: the choices and
    # the next scheduled change (two). They are kept under the content version, made here
    # in the cache's table as in a new deployment (six statements, a savepoint and its release).
    with django_assert_max_num_queries(13, info="first list"):
        assert client.get("/articles/").status_code == 200
    # The first condition page after a publication keeps the T-score bands of every
    # condition for the others: the bands and the next scheduled change (two).
    with django_assert_max_num_queries(8, info="first condition page"):
        assert client.get(condition.get_absolute_url()).status_code == 200
    for url, budget in budgets.items():
        with django_assert_max_num_queries(budget, info=url):
            assert client.get(url).status_code == 200, url


def test_a_reviewer_without_credentials_has_no_empty_suffix_in_json_ld(client):
    article = make_article(slug="plain-reviewer")
    approve_and_publish(article, name="Dr Plain", slug="dr-plain", credentials="")
    data = json_ld_blocks(html(client.get(article.get_absolute_url())))[0]
    assert data["reviewedBy"]["name"] == "Dr Plain"
    assert "honorificSuffix" not in data["reviewedBy"]
