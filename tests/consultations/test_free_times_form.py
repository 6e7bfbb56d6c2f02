"""The patient picks one of the clinicians' free times in the form: the time is held for
staff to confirm; a time taken meanwhile is asked again with nothing else lost."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import ConsultationEvent, ConsultationRequest
from consultations.scheduling import (
    PATIENT_NOTICE,
    SlotUnavailable,
    check_slot,
    free_times,
    start_value,
)
from tests.consultations.factories import make_request
from tests.team.factories import consultation_type, make_clinician, with_calendar

pytestmark = pytest.mark.django_db
FORM_URL = "/consultation/"
Status = ConsultationRequest.Status


def options_of(page, name):
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no {name} select"
    return re.findall(
        r'<option value="([^"]+)" data-start="([^"]+)"[^>]*>([^<]*)</option>', select[1]
    )


def choose(valid_post, slot, mode="clinic"):
    data = {**valid_post, "consultation_mode": mode, f"{mode}_time": start_value(slot.start)}
    data.pop("preferred_date")
    return data


def submit(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(FORM_URL, data)


def test_without_calendars_the_form_asks_for_a_preferred_date_only(client, clinic_content):
    page = client.get(FORM_URL).content.decode()
    assert 'name="consultation_mode"' not in page
    assert 'name="clinic_time"' not in page
    assert re.search(r'<input type="date" name="preferred_date"[^>]*required', page)


def test_the_form_offers_each_way_of_meeting_and_its_free_times_by_day(
    client, clinic_content, doctor
):
    page = client.get(FORM_URL).content.decode()
    assert "Contact me to arrange a time" in page
    assert 'value="clinic"' in page
    assert 'value="video"' in page
    options = options_of(page, "clinic_time")
    slots = free_times("clinic")
    assert [value for value, _start, _label in options] == [start_value(s.start) for s in slots]
    first = slots[0]
    local = timezone.localtime(first.start)
    assert options[0] == (start_value(first.start), first.start.isoformat(), f"{local:%H:%M}")
    assert f'<optgroup label="{local:%A} {local.day} {local:%B} {local.year}">' in page
    assert 'data-clinic-zone="Asia/Bangkok"' in page
    assert 'data-your-time="your time"' in page


def test_the_thai_form_names_the_days_with_the_buddhist_year(client, clinic_content, doctor):
    page = client.get(f"/th{FORM_URL}").content.decode()
    local = timezone.localtime(free_times("clinic")[0].start)
    assert f"{local.day} " in page
    assert f" {local.year + 543}" in page
    assert "ติดต่อฉันเพื่อนัดเวลา" in page


def test_a_chosen_time_is_held_for_staff_to_confirm(
    client, valid_post, doctor, django_capture_on_commit_callbacks
):
    slot = free_times("clinic")[2]
    response = submit(client, choose(valid_post, slot), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert consultation.status == Status.NEW
    assert consultation.clinician == doctor
    assert consultation.consultation_type == consultation_type(doctor)
    assert consultation.scheduled_at == slot.start
    assert consultation.scheduled_until == slot.start + timedelta(minutes=45)
    assert consultation.preferred_date == timezone.localtime(slot.start).date()
    held = consultation.events.get(kind=ConsultationEvent.Kind.SCHEDULED_TIME)
    assert held.note.startswith("Chosen by the patient, to confirm: Dr Somchai Jaidee")
    # No one else is offered it; staff cannot book over it.
    assert slot.start not in [s.start for s in free_times("clinic")]
    with pytest.raises(SlotUnavailable):
        check_slot(consultation_type(doctor), slot.start)
    thanks = client.get(response["Location"]).content.decode()
    local = timezone.localtime(slot.start)
    assert f"You asked for {local.day} {local:%B} {local.year}, {local:%H:%M}" in thanks
    assert "with Dr Somchai Jaidee (At the clinic)" in thanks


def test_a_video_time_is_held_with_the_video_type(client, valid_post, doctor):
    slot = free_times("video")[0]
    assert client.post(FORM_URL, choose(valid_post, slot, "video")).status_code == 302
    consultation = ConsultationRequest.objects.get()
    assert consultation.consultation_type == consultation_type(doctor, "video")
    assert consultation.scheduled_until - consultation.scheduled_at == timedelta(minutes=30)


def test_a_time_taken_meanwhile_is_asked_again_and_nothing_else_is_lost(client, valid_post, doctor):
    slot = free_times("clinic")[0]
    make_request(
        clinician=doctor, consultation_type=slot.consultation_type, scheduled_at=slot.start
    )
    response = client.post(FORM_URL, choose(valid_post, slot))
    assert response.status_code == 200
    page = response.content.decode()
    assert "That time was taken a moment ago. Please choose another." in page
    assert 'value="Somchai Jaidee"' in page  # what was typed stays
    assert "My T-score was -1.9 last year" in page
    assert "GH-" not in page.split("<main", 1)[1]  # never another patient's reference
    assert ConsultationRequest.objects.count() == 1


def test_a_time_taken_between_the_check_and_the_write_is_asked_again(
    client, valid_post, doctor, monkeypatch
):
    """Two patients at once: the second one's form passed its check before the first was
    stored; the check under the clinician's lock answers it."""
    from consultations import forms

    slot = free_times("clinic")[0]
    monkeypatch.setattr(forms.scheduling, "check_slot", lambda *args, **kwargs: None)
    make_request(
        clinician=doctor, consultation_type=slot.consultation_type, scheduled_at=slot.start
    )
    response = client.post(FORM_URL, choose(valid_post, slot))
    assert response.status_code == 200
    assert "That time was taken a moment ago. Please choose another." in response.content.decode()
    assert ConsultationRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Choose a time, or choose “Contact me to arrange a time”."),
        ("2027010110", "That time is no longer available. Please choose another."),
        ("not a time", "That time is no longer available. Please choose another."),
        ("209912310300", "That time is no longer available. Please choose another."),
        ("202612062300", "That time is no longer available. Please choose another."),
    ],
)
def test_a_missing_or_forged_time_gets_a_clear_message(client, valid_post, doctor, value, message):
    data = {**valid_post, "consultation_mode": "clinic", "clinic_time": value}
    response = client.post(FORM_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConsultationRequest.objects.exists()


def test_a_time_inside_the_notice_period_is_refused(client, valid_post, doctor):
    soon = timezone.now() + PATIENT_NOTICE - timedelta(hours=1)
    value = start_value(soon)
    data = {**valid_post, "consultation_mode": "clinic", "clinic_time": value}
    assert "That time is no longer available" in client.post(FORM_URL, data).content.decode()


def test_contact_me_still_needs_a_preferred_date(client, valid_post, doctor):
    data = {**valid_post, "consultation_mode": ""}
    data.pop("preferred_date")
    response = client.post(FORM_URL, data)
    assert response.status_code == 200
    assert re.search(
        r'id="id_preferred_date_error">This field is required.', response.content.decode()
    )
    data["preferred_date"] = valid_post["preferred_date"]
    assert client.post(FORM_URL, data).status_code == 302
    assert ConsultationRequest.objects.get().scheduled_at is None


def test_spam_holds_no_time(client, valid_post, doctor):
    slot = free_times("clinic")[0]
    data = {**choose(valid_post, slot), "website": "http://spam.example"}
    client.post(FORM_URL, data)
    spam = ConsultationRequest.objects.get()
    assert spam.status == Status.SPAM
    assert spam.scheduled_at is None
    check_slot(slot.consultation_type, slot.start)


def test_the_form_page_reads_a_fixed_number_of_queries(client, clinic_content, doctor):
    def queries_of_the_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(FORM_URL).status_code == 200
        return len(captured)

    few = queries_of_the_page()
    for number in range(4):
        colleague = with_calendar(make_clinician(name=f"Dr {number}", slug=f"dr-{number}"))
        for slot in free_times("clinic")[:5]:
            if slot.clinician == colleague:
                make_request(
                    clinician=colleague,
                    consultation_type=slot.consultation_type,
                    scheduled_at=slot.start,
                )
    assert queries_of_the_page() == few


def test_a_time_two_clinicians_have_free_is_offered_once_and_booked_with_a_free_one(
    client, valid_post, doctor
):
    colleague = with_calendar(make_clinician(name="Dr Anong Wattana", slug="anong"))
    page = client.get(FORM_URL).content.decode()
    values = [value for value, _start, _label in options_of(page, "clinic_time")]
    assert len(values) == len(set(values))
    slot = free_times("clinic")[0]
    assert slot.clinician == colleague  # the first by name
    make_request(
        clinician=colleague, consultation_type=slot.consultation_type, scheduled_at=slot.start
    )
    assert start_value(slot.start) in [start_value(s.start) for s in free_times("clinic")]
    assert client.post(FORM_URL, choose(valid_post, slot)).status_code == 302
    assert ConsultationRequest.objects.get(scheduled_at=slot.start, status="new", clinician=doctor)
