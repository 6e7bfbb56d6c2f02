"""The patient picks a free time in a real browser: in their own time zone with the
clinic's beside it, and without JavaScript too."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import ConsultationRequest
from consultations.scheduling import free_times, start_value
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_journeys import fill_request_form
from tests.team.factories import with_calendar

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_patient_abroad_picks_a_time_in_their_own_time_zone(
    browser, live_server, clinic_content, axe_source
):
    with_calendar()
    slot = free_times("video")[1]
    # bypass_csp: axe is injected by evaluation.
    context = browser.new_context(timezone_id="Europe/London", locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultation/")
    fill_request_form(page)  # a preferred date too: the chosen time outweighs it
    times = page.get_by_label("Free times by video call (Thailand time)")
    expect(times).to_be_hidden()  # until the patient says how they want to meet
    expect(page.get_by_label("Preferred date")).to_be_visible()
    page.get_by_role("radio", name="By video call").check()
    expect(times).to_be_visible()
    expect(page.get_by_label("Preferred date")).to_be_hidden()
    clinic_time = f"{timezone.localtime(slot.start):%H:%M}"
    london = slot.start.astimezone(ZoneInfo("Europe/London"))
    option = times.locator(f'option[value="{start_value(slot.start)}"]')
    label = option.inner_text()
    assert label.startswith(f"{clinic_time} (")
    assert f"{london:%H:%M} your time)" in label
    times.select_option(start_value(slot.start))
    assert axe_violations(page, axe_source) == []  # the free times shown and chosen
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    expect(page.locator(".held-time")).to_contain_text("We keep this time for you")
    consultation = ConsultationRequest.objects.get()
    assert consultation.scheduled_at == slot.start
    assert consultation.time_zone == "Europe/London"
    assert consultation.status == ConsultationRequest.Status.NEW
    context.close()


def test_without_javascript_the_patient_still_picks_a_time(browser, live_server, clinic_content):
    with_calendar()
    slot = free_times("clinic")[0]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/consultation/")
    fill_request_form(page)
    page.get_by_role("radio", name="At the clinic").check()
    page.get_by_label("Free times at the clinic (Thailand time)").select_option(
        start_value(slot.start)
    )
    page.get_by_role("button", name="Send my request").click()
    expect(page).to_have_url(re.compile(r"/consultation/thanks/$"))
    assert ConsultationRequest.objects.get().scheduled_at == slot.start
    context.close()
