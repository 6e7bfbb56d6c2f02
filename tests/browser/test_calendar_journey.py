"""Staff schedule a consultation from the calendar, in a real browser (Chromium)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import ConsultationEvent, ConsultationRequest
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_journeys import log_in, staff_user
from tests.consultations.factories import holding_time, make_request
from tests.team.factories import consultation_type, with_calendar

pytestmark = pytest.mark.django_db(transaction=True)
SCREENSHOT = "/tmp/calendar.png"  # noqa: S108 - where the brief asks for it, to look at


def make_aware_on(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def a_tuesday_in_the_week_of(day):
    return day - timedelta(days=day.weekday()) + timedelta(days=1)


def test_staff_find_a_time_in_the_calendar_and_schedule(page, live_server, console_errors):
    doctor = with_calendar()
    consultation = make_request(status=ConsultationRequest.Status.CONTACTED, clinician=doctor)
    tuesday = a_tuesday_in_the_week_of(consultation.preferred_date)
    other = holding_time(
        doctor, make_aware_on(tuesday, 9), status=ConsultationRequest.Status.SCHEDULED
    )
    staff_user("nurse", "Clinic staff")
    log_in(page, live_server, "nurse")
    change = reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])
    page.goto(f"{live_server.url}{change}")
    page.get_by_role("link", name="Find a time in the calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultation calendar")
    expect(page.locator(".calendar-request")).to_contain_text(
        f"Finding a time for {consultation.reference}"
    )
    day = page.locator(f"#clinician-{doctor.pk}-{tuesday.isoformat()}")
    expect(day).to_contain_text(other.reference)
    expect(day.get_by_role("button", name="Book 09:00 at the clinic")).to_have_count(0)
    page.screenshot(path=SCREENSHOT, full_page=True)

    day.get_by_role("button", name="Book 10:30 at the clinic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Schedule {consultation.reference}")
    expect(page.locator(".schedule-summary")).to_contain_text("10:30–11:15")
    page.get_by_role("button", name="Schedule").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(change)}$"))
    expect(page.locator(".messagelist")).to_contain_text(
        f"{consultation.reference} is scheduled with Dr Somchai Jaidee"
    )
    expect(page.locator("#events-group")).to_contain_text("Scheduled")

    consultation.refresh_from_db()
    assert consultation.status == ConsultationRequest.Status.SCHEDULED
    assert consultation.scheduled_at == make_aware_on(tuesday, 10, 30)
    assert consultation.consultation_type == consultation_type(doctor)
    assert consultation.events.filter(kind=ConsultationEvent.Kind.SCHEDULED_TIME).exists()
    assert console_errors == []  # nothing the Content-Security-Policy refused


def test_the_calendar_has_no_accessibility_violations(browser, live_server, axe_source):
    doctor = with_calendar()
    consultation = make_request(status=ConsultationRequest.Status.NEW, clinician=doctor)
    make_request(
        clinician=doctor,
        consultation_type=consultation_type(doctor, "video"),
        scheduled_at=make_aware_on(a_tuesday_in_the_week_of(consultation.preferred_date), 14),
    )
    staff_user("nurse", "Clinic staff")
    context = browser.new_context(bypass_csp=True)  # axe is injected by evaluation
    page = context.new_page()
    log_in(page, live_server, "nurse")
    calendar = reverse("admin:consultations_consultationrequest_calendar")
    page.goto(f"{live_server.url}{calendar}?request={consultation.pk}")
    expect(page.locator(".calendar-free button").first).to_be_visible()
    assert axe_violations(page, axe_source) == []
    context.close()
