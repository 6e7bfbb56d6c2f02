"""The patient's own link, in a real browser: opened from the acknowledgment email, the
consultation cancelled with its confirmation step; the page is accessible in English
and Thai, and reads well on a phone."""

import json
import re
import tempfile
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import expect

from consultations import services
from consultations.models import ConsultationEvent, ConsultationRequest
from consultations.scheduling import book
from tests.browser.test_accessibility import axe_violations
from tests.consultations.factories import make_request
from tests.team.factories import consultation_type, next_weekday_at, with_calendar

pytestmark = pytest.mark.django_db(transaction=True)
Status = ConsultationRequest.Status
LINK = re.compile(r"http://127\.0\.0\.1:8000(/(?:th/)?consultation/manage/[^/\s]+/)")
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/manage.png: to look at, a phone's width


def confirmed_consultation(staff_user=None, doctor=None):
    """A patient picked next Tuesday at 10:00 on the form (acknowledged by email with the
    link), and staff confirmed it (the confirmation with its calendar file sent); with
    `doctor` (a clinician with a calendar) or a new one."""
    doctor = doctor or with_calendar()
    kind = consultation_type(doctor)
    consultation = make_request(
        full_name="Malee Srisuk",
        email="malee@example.com",
        phone="+66812345678",
        message="Knee pain since March.",
        clinician=doctor,
        consultation_type=kind,
        scheduled_at=next_weekday_at(10),
        patient_notified_at=None,
    )
    with transaction.atomic():
        services.queue_emails(consultation)  # the job runs once this commits
    book(consultation, kind, next_weekday_at(10), actor=staff_user)
    consultation.refresh_from_db()
    return consultation


def link_in(email):
    [path] = LINK.findall(email.body)
    return path


@pytest.fixture
def phone_page(browser):
    """A phone-sized browser, its console errors (a CSP refusal among them) collected."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def test_the_patient_cancels_from_the_link_in_the_acknowledgment(phone_page, live_server):
    consultation = confirmed_consultation()
    acknowledgment = next(m for m in mail.outbox if "received" in m.subject)
    when = services._consultation_time(consultation.scheduled_at, "en")
    page = phone_page

    page.goto(live_server.url + link_in(acknowledgment))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your consultation request")
    expect(page.locator(".request-facts")).to_contain_text(when)
    expect(page.locator(".request-status")).to_have_text("Confirmed")
    expect(page.locator(".request-facts")).to_contain_text("Dr Somchai Jaidee")
    expect(page.get_by_role("main")).not_to_contain_text("Malee")

    page.get_by_role("link", name="Cancel my consultation request").click()
    expect(page.get_by_text("Do you want to cancel your consultation request?")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "manage.png", full_page=True)
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED  # not until the patient confirms

    page.get_by_role("button", name="Yes, cancel my consultation request").click()
    expect(page.get_by_role("status")).to_contain_text("Your consultation request is cancelled.")
    expect(page.locator(".request-status")).to_have_text("Cancelled")
    expect(page.get_by_role("button")).to_have_count(0)
    page.screenshot(path=SCREENSHOTS / "manage-cancelled.png", full_page=True)
    assert page.errors == []

    consultation.refresh_from_db()
    assert consultation.status == Status.CANCELLED
    assert consultation.patient_change == ConsultationRequest.PatientChange.CANCELLED
    event = consultation.events.filter(kind=ConsultationEvent.Kind.STATUS).last()
    assert (event.actor_name, event.from_value, event.to_value) == (
        "the patient (own link)",
        Status.SCHEDULED,
        Status.CANCELLED,
    )
    subjects = [m.subject for m in mail.outbox]
    assert f"Consultation request {consultation.reference}: the patient cancelled" in subjects
    cancellation = next(m for m in mail.outbox if m.subject.endswith("is cancelled"))
    assert "METHOD:CANCEL" in cancellation.attachments[0][1]


@pytest.fixture
def a11y_page(browser):
    # axe is injected by evaluation; the site's Content-Security-Policy must not block it.
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("prefix", ["", "/th"])
def test_the_page_and_its_steps_have_no_accessibility_violations(
    a11y_page, live_server, axe_source, prefix
):
    consultation = confirmed_consultation()
    path = prefix + link_in(next(m for m in mail.outbox if "received" in m.subject))
    page = a11y_page
    steps = {}
    page.goto(live_server.url + path)
    steps["page"] = axe_violations(page, axe_source)
    page.goto(f"{live_server.url}{path}?step=cancel")
    steps["confirm"] = axe_violations(page, axe_source)
    page.locator("#id_note").fill("x" * 300)
    page.locator("#id_note").evaluate("note => note.removeAttribute('maxlength')")
    page.locator("#id_note").fill("x" * 301)
    page.locator("#another-time button").click()
    expect(page.locator("#id_note_error")).to_be_visible()
    steps["note error"] = axe_violations(page, axe_source)
    page.locator("#id_note").fill("Mornings")
    page.locator("#another-time button").click()
    expect(page.get_by_role("status")).to_be_visible()
    steps["asked"] = axe_violations(page, axe_source)
    services.cancel_by_patient(consultation)
    page.goto(live_server.url + path)
    steps["closed"] = axe_violations(page, axe_source)
    page.goto(f"{live_server.url}{prefix}/consultation/manage/not-a-link/")
    steps["not valid"] = axe_violations(page, axe_source)
    assert steps == {step: [] for step in steps}, json.dumps(steps, indent=1)
