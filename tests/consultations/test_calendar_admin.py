"""The clinicians' calendars in admin: the change form books only what the calendar's
rules allow, the week's calendar shows who sees whom when, and staff schedule a request
from it."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from model_bakery import baker

from consultations.models import ConsultationEvent, ConsultationRequest
from consultations.scheduling import Slot
from tests.conftest import sign_in
from tests.consultations.factories import holding_time, make_request
from tests.consultations.test_admin import change_url, page_of, review
from tests.team.factories import (
    consultation_type,
    make_clinician,
    next_weekday_at,
    with_calendar,
)

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Kind = ConsultationEvent.Kind
CALENDAR = "admin:consultations_consultationrequest_calendar"
CHANGELIST = "admin:consultations_consultationrequest_changelist"


def clinic_time(day, hour):
    """`hour` o'clock on `day`, clinic time."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def colleague(db):
    return with_calendar(make_clinician(name="Dr Malee Srisuk", slug="malee"))


def local(moment):
    return timezone.localtime(moment)


def booking(clinician, start, mode="clinic", **more):
    """The review fields that give a request a time with `clinician`."""
    return {
        "clinician": clinician.pk,
        "consultation_type": consultation_type(clinician, mode).pk,
        "scheduled_at_0": local(start).date().isoformat(),
        "scheduled_at_1": local(start).strftime("%H:%M"),
        **more,
    }


def errors_of(page):
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S))


def assert_unchanged(consultation):
    consultation.refresh_from_db()
    assert consultation.status == Status.CONTACTED
    assert consultation.clinician is None
    assert consultation.scheduled_at is None
    assert not consultation.events.exists()


def calendar(client, **params):
    return page_of(client.get(reverse(CALENDAR), params))


def cell(page, clinician, day):
    """The calendar's cell of `clinician` (None: without one) on the date `day`."""
    anchor = f"clinician-{clinician.pk}" if clinician else "no-clinician"
    start = page.index(f'id="{anchor}-{day.isoformat()}"')
    return page[start : page.index("</td>", start)]


# The change form: a time with a clinician follows the calendar's rules


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            lambda: next_weekday_at(11, 30),
            "11:30–12:15 is outside the consultation hours of Dr Somchai Jaidee on Tuesday "
            "(09:00–12:00, 13:00–17:00).",
        ),
        (
            lambda: next_weekday_at(10, weekday=6),
            "Dr Somchai Jaidee has no consultation hours on Sunday.",
        ),
    ],
)
def test_the_change_form_refuses_a_time_outside_the_hours(
    clinic_staff_client, doctor, when, message
):
    consultation = make_request(status=Status.CONTACTED)
    response = review(
        clinic_staff_client, consultation, status=Status.SCHEDULED, **booking(doctor, when())
    )
    assert message in errors_of(page_of(response))
    assert_unchanged(consultation)


def test_the_change_form_refuses_a_clash_naming_the_other_consultation(
    clinic_staff_client, doctor, mailoutbox
):
    start = next_weekday_at(10)
    other = holding_time(doctor, start, status=Status.SCHEDULED)
    consultation = make_request(status=Status.CONTACTED)
    response = review(
        clinic_staff_client,
        consultation,
        status=Status.SCHEDULED,
        **booking(doctor, start + timedelta(minutes=30), "video"),
    )
    errors = errors_of(page_of(response))
    assert "Dr Somchai Jaidee already has a consultation from 10:00 to 10:45 on" in errors
    assert other.reference in errors
    assert_unchanged(consultation)
    assert mailoutbox == []


def test_the_change_form_refuses_a_day_off(clinic_staff_client, doctor):
    start = next_weekday_at(10)
    baker.make("team.DayOff", clinician=doctor, first_day=start.date(), last_day=start.date())
    consultation = make_request(status=Status.CONTACTED)
    response = review(
        clinic_staff_client, consultation, status=Status.SCHEDULED, **booking(doctor, start)
    )
    assert "Dr Somchai Jaidee does not see patients on" in errors_of(page_of(response))
    assert "(a day off)" in errors_of(page_of(response))
    assert_unchanged(consultation)


def test_the_change_form_refuses_a_time_in_the_past_with_a_clinician(clinic_staff_client, doctor):
    consultation = make_request(status=Status.CONTACTED)
    past = next_weekday_at(10, weeks_ahead=-1)
    if past > timezone.now():
        past -= timedelta(days=7)
    response = review(clinic_staff_client, consultation, **booking(doctor, past))
    assert "has already passed. Choose a time from now on." in errors_of(page_of(response))
    assert_unchanged(consultation)


def test_the_change_form_refuses_a_type_of_another_clinician(
    clinic_staff_client, doctor, colleague
):
    consultation = make_request(status=Status.CONTACTED)
    fields = booking(doctor, next_weekday_at(10))
    fields["consultation_type"] = consultation_type(colleague).pk
    response = review(clinic_staff_client, consultation, status=Status.SCHEDULED, **fields)
    assert (
        "At the clinic, 45 minutes is offered by Dr Malee Srisuk, not by Dr Somchai Jaidee. "
        "Choose a type of Dr Somchai Jaidee." in errors_of(page_of(response))
    )
    assert_unchanged(consultation)


def test_a_type_needs_its_clinician_and_a_clinician_with_a_time_needs_a_type(
    clinic_staff_client, doctor
):
    consultation = make_request(status=Status.CONTACTED)
    fields = booking(doctor, next_weekday_at(10))
    response = review(clinic_staff_client, consultation, **{**fields, "clinician": ""})
    assert (
        "Choose the clinician of this consultation type (Dr Somchai Jaidee), or no type."
        in errors_of(page_of(response))
    )
    response = review(clinic_staff_client, consultation, **{**fields, "consultation_type": ""})
    assert (
        "Choose the consultation type: it says how long Dr Somchai Jaidee is booked."
        in errors_of(page_of(response))
    )
    assert_unchanged(consultation)


def test_a_video_link_goes_with_a_video_consultation_only(clinic_staff_client, doctor):
    consultation = make_request(status=Status.CONTACTED)
    response = review(
        clinic_staff_client,
        consultation,
        status=Status.SCHEDULED,
        video_link="https://meet.example.com/abc",
        **booking(doctor, next_weekday_at(10)),
    )
    assert "A video call link goes with a video consultation" in errors_of(page_of(response))
    assert_unchanged(consultation)


def test_the_change_form_books_a_free_time_audited_and_confirmed_by_email(
    clinic_staff_client, clinic_staff, doctor, django_capture_on_commit_callbacks
):
    consultation = make_request(status=Status.CONTACTED)
    start = next_weekday_at(13, 30)
    with django_capture_on_commit_callbacks(execute=True):
        response = review(
            clinic_staff_client,
            consultation,
            status=Status.SCHEDULED,
            video_link="https://meet.example.com/abc-defg",
            **booking(doctor, start, "video"),
        )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED
    assert (consultation.clinician, consultation.consultation_type) == (
        doctor,
        consultation_type(doctor, "video"),
    )
    assert consultation.scheduled_at == start
    assert consultation.scheduled_until == start + timedelta(minutes=30)
    assert consultation.video_link == "https://meet.example.com/abc-defg"
    events = consultation.events.exclude(kind=Kind.NOTIFIED)
    assert {e.kind for e in events} == {
        Kind.STATUS,
        Kind.CLINICIAN,
        Kind.SCHEDULED_TIME,
        Kind.VIDEO_LINK,
    }
    assert all(e.actor == clinic_staff for e in events)
    assert not events.filter(to_value__contains="meet.example.com").exists()
    assert [m.subject for m in mail.outbox] == ["Genoma Health: your consultation is scheduled"]


def test_the_patients_held_pick_is_confirmed_unless_the_calendar_changed_since(
    clinic_staff_client, doctor, django_capture_on_commit_callbacks
):
    start = next_weekday_at(10)
    held = holding_time(doctor, start)
    baker.make("team.DayOff", clinician=doctor, first_day=start.date(), last_day=start.date())
    response = review(clinic_staff_client, held, status=Status.SCHEDULED)
    assert "does not see patients on" in errors_of(page_of(response))
    held.refresh_from_db()
    assert held.status == Status.NEW

    doctor.days_off.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert review(clinic_staff_client, held, status=Status.SCHEDULED).status_code == 302
    held.refresh_from_db()
    assert (held.status, held.scheduled_at) == (Status.SCHEDULED, start)


def test_notes_on_a_booked_consultation_are_not_checked_again(clinic_staff_client, doctor):
    """A day off added after booking is staff's to sort out; it does not block notes."""
    start = next_weekday_at(10)
    booked = holding_time(doctor, start, status=Status.SCHEDULED)
    baker.make("team.DayOff", clinician=doctor, first_day=start.date(), last_day=start.date())
    response = review(clinic_staff_client, booked, internal_notes="Asked to bring the X-ray.")
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.internal_notes == "Asked to bring the X-ray."


def test_scheduling_without_a_clinician_still_works(admin_client):
    consultation = make_request(status=Status.CONTACTED)
    day = timezone.localdate() + timedelta(days=4)
    response = review(
        admin_client,
        consultation,
        status=Status.SCHEDULED,
        scheduled_at_0=day.isoformat(),
        scheduled_at_1="10:00",
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED
    assert consultation.clinician is None


def test_the_type_choices_name_their_clinician(clinic_staff_client, doctor):
    page = page_of(clinic_staff_client.get(change_url(make_request())))
    assert ">Dr Somchai Jaidee: At the clinic, 45 minutes</option>" in page
    assert ">Dr Somchai Jaidee: By video call, 30 minutes</option>" in page
    for name in ("clinician", "consultation_type", "video_link"):
        assert f'name="{name}"' in page


def test_what_the_patient_asked_is_shown_read_only(clinic_staff_client):
    asked = make_request(
        patient_change=ConsultationRequest.PatientChange.NEW_TIME,
        patient_change_at=timezone.now(),
        patient_change_note="Mornings suit me better.",
    )
    page = page_of(clinic_staff_client.get(change_url(asked)))
    assert "Asked by the patient" in page
    assert "The patient asks for another time" in page
    assert "Mornings suit me better." in page
    assert 'name="patient_change' not in page
    quiet = page_of(clinic_staff_client.get(change_url(make_request())))
    assert "Asked by the patient" not in quiet


def test_the_changelist_filters_what_patients_asked_and_by_clinician(
    clinic_staff_client, doctor, colleague
):
    asked = make_request(patient_change=ConsultationRequest.PatientChange.NEW_TIME)
    asked_closed = make_request(
        status=Status.CANCELLED, patient_change=ConsultationRequest.PatientChange.CANCELLED
    )
    quiet = make_request(clinician=doctor)
    theirs = make_request(clinician=colleague)
    everyone = [asked, asked_closed, quiet, theirs]

    def listed(**params):
        page = page_of(clinic_staff_client.get(reverse(CHANGELIST), params))
        return {c.reference for c in everyone if c.reference in page}

    assert listed(asked="open") == {asked.reference}
    assert listed(asked="cancelled") == {asked_closed.reference}
    assert listed(clinician__id__exact=doctor.pk) == {quiet.reference}
    page = page_of(clinic_staff_client.get(reverse(CHANGELIST)))
    assert '<td class="field-clinician nowrap">Dr Somchai Jaidee</td>' in page
    assert "Open, with a change asked by the patient" in page


@pytest.mark.parametrize("size", [2, 20])
def test_the_changelist_reads_a_fixed_number_of_queries(
    clinic_staff_client, doctor, colleague, size, django_assert_max_num_queries
):
    for n in range(size):
        make_request(clinician=doctor if n % 2 else colleague)
    clinic_staff_client.get(reverse(CHANGELIST))
    with django_assert_max_num_queries(12):
        page_of(clinic_staff_client.get(reverse(CHANGELIST)))


# The week's calendar


def test_the_calendar_shows_the_weeks_consultations_by_clinician_and_day(
    clinic_staff_client, doctor, colleague
):
    tuesday = next_weekday_at(10)
    thursday = next_weekday_at(14, weekday=3)
    scheduled = holding_time(doctor, tuesday, status=Status.SCHEDULED)
    held = holding_time(colleague, thursday, "video")
    declined = holding_time(doctor, tuesday + timedelta(hours=1), status=Status.DECLINED)
    next_week = holding_time(doctor, tuesday + timedelta(days=7), status=Status.SCHEDULED)
    page = calendar(clinic_staff_client, week=local(tuesday).date().isoformat())
    assert "Consultation calendar" in page
    doctors_tuesday = cell(page, doctor, local(tuesday).date())
    assert scheduled.reference in doctors_tuesday
    assert "10:00–10:45" in doctors_tuesday
    assert "At the clinic, 45 minutes" in doctors_tuesday
    assert "Scheduled" in doctors_tuesday
    assert f'href="{change_url(scheduled)}"' in doctors_tuesday
    assert "09:00–12:00, 13:00–17:00" in doctors_tuesday
    colleagues_thursday = cell(page, colleague, local(thursday).date())
    assert held.reference in colleagues_thursday
    assert "14:00–14:30" in colleagues_thursday
    assert "held, to confirm" in colleagues_thursday
    assert held.reference not in cell(page, doctor, local(thursday).date())
    assert scheduled.reference not in cell(page, colleague, local(tuesday).date())
    assert declined.reference not in page
    assert next_week.reference not in page
    sunday = local(tuesday).date() + timedelta(days=5)
    assert "No consultation hours" in cell(page, doctor, sunday)
    # No free times to book outside the scheduling of one request.
    assert 'name="slot"' not in page


def test_the_calendar_shows_completed_consultations_and_those_without_a_clinician(
    clinic_staff_client, doctor
):
    # This week's Monday and Wednesday, whichever day of the week the test runs on.
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    wednesday = monday + timedelta(days=2)
    completed = holding_time(doctor, clinic_time(monday, 9), status=Status.COMPLETED)
    without = make_request(status=Status.SCHEDULED, scheduled_at=clinic_time(wednesday, 15))
    page = calendar(clinic_staff_client, week=monday.isoformat())
    assert completed.reference in cell(page, doctor, monday)
    assert "Completed" in cell(page, doctor, monday)
    assert "Scheduled without a clinician" in page
    assert without.reference in cell(page, None, wednesday)


def test_days_off_are_marked(clinic_staff_client, doctor):
    start = next_weekday_at(10)
    baker.make(
        "team.DayOff",
        clinician=doctor,
        first_day=start.date(),
        last_day=start.date() + timedelta(days=1),
        reason="Conference in Chiang Mai",
    )
    page = calendar(clinic_staff_client, week=start.date().isoformat())
    for day in (start.date(), start.date() + timedelta(days=1)):
        assert "Day off: Conference in Chiang Mai" in cell(page, doctor, day)
    assert "Day off" not in cell(page, doctor, start.date() + timedelta(days=2))


def test_the_calendar_navigates_weeks(clinic_staff_client, doctor):
    day = next_weekday_at(10, weekday=3).date()  # a Thursday
    monday = day - timedelta(days=3)
    page = calendar(clinic_staff_client, week=day.isoformat())
    assert f'id="clinician-{doctor.pk}-{monday.isoformat()}"' in page
    assert f'id="clinician-{doctor.pk}-{(monday + timedelta(days=6)).isoformat()}"' in page
    assert f'href="?week={(monday - timedelta(days=7)).isoformat()}"' in page
    assert f'href="?week={(monday + timedelta(days=7)).isoformat()}"' in page
    assert f'href="?week={timezone.localdate().isoformat()}"' in page
    assert "Previous week" in page
    assert "This week" in page
    # Without a week, or with one that is no date: this week, today marked.
    for params in ({}, {"week": "not-a-date"}):
        page = calendar(clinic_staff_client, **params)
        assert f'id="clinician-{doctor.pk}-{timezone.localdate().isoformat()}"' in page
        assert 'aria-current="page"' in page


def test_the_calendar_filters_by_clinician(clinic_staff_client, doctor, colleague):
    start = next_weekday_at(10)
    mine = holding_time(doctor, start)
    theirs = holding_time(colleague, start)
    week = start.date().isoformat()
    page = calendar(clinic_staff_client, week=week)
    assert mine.reference in page
    assert theirs.reference in page
    page = calendar(clinic_staff_client, week=week, clinician=colleague.pk)
    assert theirs.reference in page
    assert mine.reference not in page
    assert f'id="clinician-{doctor.pk}"' not in page
    assert f'<option value="{colleague.pk}" selected>Dr Malee Srisuk</option>' in page
    monday = start.date() - timedelta(days=start.date().weekday())
    previous = (monday - timedelta(days=7)).isoformat()
    assert f'href="?week={previous}&amp;clinician={colleague.pk}"' in page


def test_only_clinicians_with_hours_are_shown_by_default(clinic_staff_client, doctor):
    reviewer_only = make_clinician(name="Dr Reviewer", slug="reviewer")
    page = calendar(clinic_staff_client)
    assert f'id="clinician-{doctor.pk}"' in page
    assert f'id="clinician-{reviewer_only.pk}"' not in page


def test_the_calendar_is_linked_from_the_changelist_and_each_request(clinic_staff_client, doctor):
    consultation = make_request(status=Status.CONTACTED)
    page = page_of(clinic_staff_client.get(reverse(CHANGELIST)))
    assert f'href="{reverse(CALENDAR)}"' in page
    page = page_of(clinic_staff_client.get(change_url(consultation)))
    assert (
        f'href="{reverse(CALENDAR)}?request={consultation.pk}">Find a time in the calendar' in page
    )
    completed = make_request(
        status=Status.COMPLETED,
        clinician=doctor,
        consultation_type=consultation_type(doctor),
        scheduled_at=timezone.now() - timedelta(days=1),
    )
    page = page_of(clinic_staff_client.get(change_url(completed)))
    assert "Find a time in the calendar" not in page
    assert "Show in the calendar" in page


@pytest.mark.parametrize(
    ("role", "status"), [("editor", 403), ("clinic_staff", 200), ("admin_user", 200)]
)
def test_who_may_see_the_calendar(client, request, doctor, role, status):
    sign_in(client, request.getfixturevalue(role))
    assert client.get(reverse(CALENDAR)).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse(CALENDAR))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def calendar_queries(client, **params):
    with CaptureQueriesContext(connection) as captured:
        page_of(client.get(reverse(CALENDAR), params))
    return len(captured)


@pytest.mark.parametrize("with_request", [False, True])
def test_the_calendar_reads_a_fixed_number_of_queries(
    clinic_staff_client, doctor, colleague, with_request, django_assert_max_num_queries
):
    start = next_weekday_at(9)
    current = make_request(status=Status.CONTACTED, clinician=doctor)
    params = {"week": start.date().isoformat(), "clinician": ""}
    if with_request:
        params["request"] = current.pk
    calendar(clinic_staff_client, **params)  # content types and the like, once per process
    counts = []
    for size in (1, 12):
        ConsultationRequest.objects.exclude(pk=current.pk).update(status=Status.DECLINED)
        for n in range(size):
            clinician = (doctor, colleague)[n % 2]
            with_calendar(make_clinician(name=f"Dr {size} {n}", slug=f"dr-{size}-{n}"))
            make_request(
                status=Status.SCHEDULED,
                clinician=clinician,
                consultation_type=consultation_type(clinician),
                scheduled_at=start + timedelta(days=n // 4, minutes=45 * (n % 4)),
            )
        baker.make("team.DayOff", clinician=doctor, first_day=start.date(), last_day=start.date())
        # The session and user, their permissions, the request; the week's consultations;
        # the clinicians with their hours, days off (and types); the filter's choices.
        with django_assert_max_num_queries(12):
            counts.append(calendar_queries(clinic_staff_client, **params))
    assert counts[0] == counts[1]


# Scheduling from the calendar


def schedule_url(consultation):
    return reverse("admin:consultations_consultationrequest_schedule", args=[consultation.pk])


def slot_value(clinician, start, mode="clinic"):
    return Slot(consultation_type(clinician, mode), start).value


def test_staff_schedule_from_the_calendar(
    clinic_staff_client, clinic_staff, doctor, colleague, django_capture_on_commit_callbacks
):
    start = next_weekday_at(10)
    taken = make_request(
        status=Status.SCHEDULED,
        clinician=doctor,
        consultation_type=consultation_type(doctor),
        scheduled_at=start - timedelta(hours=1),  # 09:00–09:45
    )
    consultation = make_request(status=Status.CONTACTED, clinician=doctor)
    page = page_of(clinic_staff_client.get(change_url(consultation)))
    assert "Find a time in the calendar" in page

    page = calendar(clinic_staff_client, request=consultation.pk, week=start.date().isoformat())
    assert (
        f'Finding a time for <a href="{change_url(consultation)}">{consultation.reference}</a>'
        in page
    )
    assert f'action="{schedule_url(consultation)}"' in page
    assert f'id="clinician-{colleague.pk}"' not in page  # the request's clinician, preselected
    tuesday = cell(page, doctor, start.date())
    assert taken.reference in tuesday
    free = re.findall(
        r'<button type="submit" name="slot" value="([^"]+)" aria-label="([^"]+)"', tuesday
    )
    labels = [label for _value, label in free]
    # One after another from the hours' start, those free: 09:00 is taken.
    assert "Book 09:00 at the clinic" not in labels
    assert "Book 09:45 at the clinic" in labels
    assert "Book 10:30 at the clinic" in labels
    assert "Book 09:30 by video call" not in labels
    assert "Book 10:00 by video call" in labels
    value = {label: value for value, label in free}["Book 09:45 at the clinic"]
    assert value == slot_value(doctor, start - timedelta(minutes=15))

    confirm = page_of(clinic_staff_client.post(schedule_url(consultation), {"slot": value}))
    assert consultation.reference in confirm
    assert "Dr Somchai Jaidee" in confirm
    assert "At the clinic, 45 minutes" in confirm
    assert "09:45–10:30" in confirm
    assert 'name="video_link"' not in confirm
    assert 'name="_schedule"' in confirm
    consultation.refresh_from_db()
    assert consultation.status == Status.CONTACTED  # nothing booked before the confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = clinic_staff_client.post(
            schedule_url(consultation), {"slot": value, "_schedule": "Schedule"}
        )
    assert response.status_code == 302
    assert response["Location"] == change_url(consultation)
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED
    assert consultation.scheduled_at == start - timedelta(minutes=15)
    assert consultation.consultation_type == consultation_type(doctor)
    assert consultation.events.filter(kind=Kind.STATUS, actor=clinic_staff).exists()
    assert [m.subject for m in mail.outbox] == ["Genoma Health: your consultation is scheduled"]
    page = page_of(clinic_staff_client.get(response["Location"]))
    assert f"{consultation.reference} is scheduled with Dr Somchai Jaidee on" in page


def test_a_video_consultation_takes_its_link_on_the_confirmation(clinic_staff_client, doctor):
    consultation = make_request(status=Status.NEW)
    value = slot_value(doctor, next_weekday_at(13), "video")
    confirm = page_of(clinic_staff_client.post(schedule_url(consultation), {"slot": value}))
    assert 'name="video_link"' in confirm
    assert "By video call, 30 minutes" in confirm
    response = clinic_staff_client.post(
        schedule_url(consultation),
        {"slot": value, "_schedule": "1", "video_link": "https://meet.example.com/xyz"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.video_link == "https://meet.example.com/xyz"
    assert consultation.status == Status.SCHEDULED


def test_a_time_taken_meanwhile_is_answered_on_the_page_with_nothing_lost(
    clinic_staff_client, doctor, mailoutbox
):
    start = next_weekday_at(10)
    consultation = make_request(status=Status.CONTACTED)
    value = slot_value(doctor, start, "video")
    # Another member of staff books that time while this one reads the confirmation.
    other = holding_time(doctor, start, status=Status.SCHEDULED)
    response = clinic_staff_client.post(
        schedule_url(consultation),
        {"slot": value, "_schedule": "1", "video_link": "https://meet.example.com/kept"},
    )
    page = page_of(response)
    assert "This time cannot be booked" in page
    assert "Dr Somchai Jaidee already has a consultation from 10:00 to 10:45 on" in page
    assert other.reference in page
    assert 'value="https://meet.example.com/kept"' in page  # what staff typed is kept
    assert "Choose another time" in page
    assert_unchanged(consultation)
    assert mailoutbox == []


def test_the_confirmation_says_at_once_when_the_time_is_no_longer_free(clinic_staff_client, doctor):
    start = next_weekday_at(10)
    consultation = make_request(status=Status.CONTACTED)
    other = holding_time(doctor, start)
    page = page_of(
        clinic_staff_client.post(schedule_url(consultation), {"slot": slot_value(doctor, start)})
    )
    assert "This time cannot be booked" in page
    assert other.reference in page
    assert 'name="_schedule"' not in page
    assert "Choose another time" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": Status.DECLINED}, "is closed (Declined): it cannot be scheduled."),
        (
            {"status": Status.CANCELLED, "anonymised_at": timezone.now()},
            "is anonymised: it cannot be scheduled.",
        ),
    ],
)
def test_a_closed_or_anonymised_request_is_not_scheduled(
    clinic_staff_client, doctor, fields, message
):
    consultation = make_request(**fields)
    value = slot_value(doctor, next_weekday_at(10))
    response = clinic_staff_client.post(
        schedule_url(consultation), {"slot": value, "_schedule": "1"}, follow=True
    )
    assert f"{consultation.reference} {message}" in page_of(response)
    consultation.refresh_from_db()
    assert consultation.scheduled_at is None
    page = calendar(clinic_staff_client, request=consultation.pk)
    assert f"{consultation.reference} {message}" in page
    assert 'name="slot"' not in page


def test_a_time_not_from_the_calendar_is_sent_back_to_it(clinic_staff_client):
    consultation = make_request(status=Status.CONTACTED)
    response = clinic_staff_client.post(
        schedule_url(consultation), {"slot": "999-202601010900", "_schedule": "1"}, follow=True
    )
    assert "Choose a free time in the calendar first." in page_of(response)
    assert response.redirect_chain[-1][0] == f"{reverse(CALENDAR)}?request={consultation.pk}"
    assert_unchanged(consultation)


def test_scheduling_needs_the_change_permission(client, django_user_model, doctor):
    viewer = django_user_model.objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_consultationrequest"),
    )
    sign_in(client, viewer)
    consultation = make_request(status=Status.CONTACTED)
    page = calendar(client, request=consultation.pk)
    assert 'name="slot"' not in page
    value = slot_value(doctor, next_weekday_at(10))
    response = client.post(schedule_url(consultation), {"slot": value, "_schedule": "1"})
    assert response.status_code == 403
    assert_unchanged(consultation)


def test_scheduling_is_protected_against_cross_site_requests(clinic_staff, doctor):
    browser = sign_in(Client(enforce_csrf_checks=True), clinic_staff)
    consultation = make_request(status=Status.CONTACTED)
    value = slot_value(doctor, next_weekday_at(10))
    response = browser.post(schedule_url(consultation), {"slot": value, "_schedule": "1"})
    assert response.status_code == 403
    assert_unchanged(consultation)
