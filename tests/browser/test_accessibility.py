"""axe-core finds no accessibility violation on any public page type."""

import json

import pytest

from consultations.models import ConsultationRequest
from tests.public_pages import LANGUAGE_PREFIXES, PAGES
from tests.team.factories import with_calendar, with_photo

pytestmark = pytest.mark.django_db(transaction=True)
PAGES = {**PAGES, "404": "/no-such-page/"}


def axe_violations(page, axe_source):
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


@pytest.fixture
def a11y_page(browser):
    # axe is injected by evaluation; the site's Content-Security-Policy must not block it.
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("language", list(LANGUAGE_PREFIXES))
def test_public_page_has_no_accessibility_violations(
    a11y_page, live_server, clinic_content, axe_source, name, language
):
    # The team pages with everything a clinician may have; the form with free times.
    with_calendar(with_photo())
    a11y_page.goto(live_server.url + LANGUAGE_PREFIXES[language] + PAGES[name])
    violations = axe_violations(a11y_page, axe_source)
    assert violations == [], json.dumps(violations, indent=1)


def test_form_with_errors_and_thanks_page_have_no_violations(
    a11y_page, live_server, clinic_content, axe_source, settings
):
    settings.CONSULTATION_MIN_SECONDS = 0
    a11y_page.goto(f"{live_server.url}/consultation/")
    a11y_page.get_by_role("button", name="Send my request").click()
    assert a11y_page.get_by_role("alert").count() == 1
    assert axe_violations(a11y_page, axe_source) == []
    a11y_page.get_by_label("Full name").fill("Malee Srisuk")
    a11y_page.get_by_role("textbox", name="Email").fill("malee@example.com")
    a11y_page.get_by_label("Phone number").fill("+66 81 234 5678")
    a11y_page.get_by_label("Country you live in").select_option("TH")
    a11y_page.get_by_role("radio", name="Email").check()
    a11y_page.get_by_label("Preferred date").fill("2099-01-01")
    a11y_page.get_by_label("I agree that Genoma Health").check()
    a11y_page.get_by_role("button", name="Send my request").click()
    assert axe_violations(a11y_page, axe_source) == []  # the date error, with the rest kept
    from django.utils import timezone

    a11y_page.get_by_label("Preferred date").fill(timezone.localdate().isoformat())
    a11y_page.get_by_label("I agree that Genoma Health").check()
    a11y_page.get_by_role("button", name="Send my request").click()
    a11y_page.wait_for_url("**/consultation/thanks/")
    assert ConsultationRequest.objects.count() == 1
    assert axe_violations(a11y_page, axe_source) == []


@pytest.mark.parametrize("language", list(LANGUAGE_PREFIXES))
@pytest.mark.parametrize("score", ["-1.8", "-6"])
def test_a_reviewed_condition_page_with_an_answer_has_no_violations(
    a11y_page, live_server, clinic_content, axe_source, language, score
):
    """The T-score scale with the reader's score marked (inside the scale, and beyond its
    end), under the reviewing clinician's card with a photo."""
    from tests.articles.test_review_card import approve_as, reviewer

    approve_as(reviewer(), "condition")
    url = f"{live_server.url}{LANGUAGE_PREFIXES[language]}/conditions/osteopenia/?t_score={score}"
    a11y_page.goto(url)
    assert a11y_page.locator(".review-card img").count() == 1
    assert a11y_page.locator(".t-scale-marker-head").count() == 1
    violations = axe_violations(a11y_page, axe_source)
    assert violations == [], json.dumps(violations, indent=1)
