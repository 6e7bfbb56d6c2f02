"""Clinicians' calendars: the rules of a bookable time, and the database's own refusal
of two consultations of one clinician at once."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from model_bakery import baker

from consultations.models import ConsultationEvent, ConsultationRequest
from consultations.scheduling import (
    PATIENT_NOTICE,
    SlotUnavailable,
    book,
    check_slot,
    free_slots,
)
from tests.consultations.factories import holding_time, make_request
from tests.team.factories import (
    consultation_type,
    make_clinician,
    next_weekday_at,
    with_calendar,
)

Status = ConsultationRequest.Status
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def refusal(consultation_type, start, **kwargs):
    with pytest.raises(SlotUnavailable) as refused:
        check_slot(consultation_type, start, **kwargs)
    return refused.value


def test_a_time_inside_the_hours_on_a_free_day_is_bookable(doctor):
    check_slot(consultation_type(doctor), next_weekday_at(9))
    check_slot(consultation_type(doctor), next_weekday_at(11, 15))  # ends at 12:00 exactly


def test_a_time_outside_the_hours_is_refused_with_the_hours(doctor):
    refused = refusal(consultation_type(doctor), next_weekday_at(11, 30))  # ends 12:15
    assert refused.code == "hours"
    assert refused.message == (
        "11:30–12:15 is outside the consultation hours of Dr Somchai Jaidee on Tuesday "
        "(09:00–12:00, 13:00–17:00)."
    )
    sunday = refusal(consultation_type(doctor), next_weekday_at(10, weekday=6))
    assert sunday.message == "Dr Somchai Jaidee has no consultation hours on Sunday."


def test_a_time_in_the_past_is_refused(doctor):
    last_week = next_weekday_at(9, weeks_ahead=-1)
    if last_week > timezone.now():
        last_week -= timedelta(days=7)
    refused = refusal(consultation_type(doctor), last_week)
    assert refused.code == "past"
    assert "has already passed. Choose a time from now on." in refused.message


def test_a_day_off_is_refused(doctor):
    start = next_weekday_at(10)
    baker.make("team.DayOff", clinician=doctor, first_day=start.date(), last_day=start.date())
    refused = refusal(consultation_type(doctor), start)
    assert refused.code == "day_off"
    assert "does not see patients on" in refused.message


def test_a_clash_names_the_other_consultation(doctor):
    start = next_weekday_at(10)
    other = holding_time(doctor, start, status=Status.SCHEDULED)
    refused = refusal(consultation_type(doctor, "video"), start + timedelta(minutes=30))
    assert refused.code == "clash"
    assert refused.message.startswith(
        "Dr Somchai Jaidee already has a consultation from 10:00 to 10:45 on"
    )
    assert other.reference in refused.message
    # The request's own time is no clash with itself; the next free minute is bookable.
    check_slot(consultation_type(doctor), start, request=other)
    check_slot(consultation_type(doctor), start + timedelta(minutes=45))


def test_a_closed_request_no_longer_holds_its_time(doctor):
    start = next_weekday_at(10)
    holding_time(doctor, start, status=Status.DECLINED)
    check_slot(consultation_type(doctor), start)


@pytest.mark.parametrize("offset_minutes", [0, 30, -30])
def test_the_database_refuses_an_overlap_written_past_every_check(doctor, offset_minutes):
    start = next_weekday_at(10)
    kind = consultation_type(doctor)
    make_request(
        status=Status.SCHEDULED, clinician=doctor, consultation_type=kind, scheduled_at=start
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        make_request(
            clinician=doctor,
            consultation_type=kind,
            scheduled_at=start + timedelta(minutes=offset_minutes),
        )
    assert ConsultationRequest.objects.count() == 1


def test_the_database_refuses_moving_a_request_onto_another(doctor):
    start = next_weekday_at(10)
    kind = consultation_type(doctor)
    make_request(
        status=Status.SCHEDULED, clinician=doctor, consultation_type=kind, scheduled_at=start
    )
    later = make_request(
        clinician=doctor, consultation_type=kind, scheduled_at=start + timedelta(hours=1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.filter(pk=later.pk).update(
            scheduled_at=start, scheduled_until=start + timedelta(minutes=45)
        )


def test_the_database_allows_back_to_back_other_clinicians_and_closed_requests(doctor):
    start = next_weekday_at(10)
    kind = consultation_type(doctor)
    make_request(
        status=Status.SCHEDULED, clinician=doctor, consultation_type=kind, scheduled_at=start
    )
    make_request(clinician=doctor, consultation_type=kind, scheduled_at=start + kind.duration)
    make_request(
        status=Status.DECLINED, clinician=doctor, consultation_type=kind, scheduled_at=start
    )
    colleague = with_calendar(make_clinician(name="Dr Malee Srisuk", slug="malee"))
    holding_time(colleague, start)
    assert ConsultationRequest.objects.count() == 4


def test_booking_schedules_audits_and_confirms_to_the_patient(
    doctor, clinic_staff, django_capture_on_commit_callbacks
):
    consultation = make_request(status=Status.CONTACTED)
    start = next_weekday_at(13, 30)
    with django_capture_on_commit_callbacks(execute=True):
        book(
            consultation,
            consultation_type(doctor, "video"),
            start,
            actor=clinic_staff,
            video_link="https://meet.example.com/abc-defg",
        )
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED
    assert consultation.clinician == doctor
    assert consultation.scheduled_at == start
    assert consultation.scheduled_until == start + timedelta(minutes=30)
    kinds = set(consultation.events.values_list("kind", flat=True))
    assert {"status", "clinician", "scheduled_time", "video_link"} <= kinds
    assert not consultation.events.filter(to_value__contains="meet.example.com").exists()
    assert [m.subject for m in mail.outbox] == ["Genoma Health: your consultation is scheduled"]


def test_booking_a_taken_time_changes_nothing(doctor, clinic_staff):
    start = next_weekday_at(10)
    holding_time(doctor, start, status=Status.SCHEDULED)
    consultation = make_request(status=Status.CONTACTED)
    events = ConsultationEvent.objects.count()
    with pytest.raises(SlotUnavailable):
        book(consultation, consultation_type(doctor), start, actor=clinic_staff)
    consultation.refresh_from_db()
    assert consultation.status == Status.CONTACTED
    assert consultation.scheduled_at is None
    assert ConsultationEvent.objects.count() == events
    assert mail.outbox == []


def test_moving_a_scheduled_request_back_to_contacted_frees_the_time(
    doctor, clinic_staff, django_capture_on_commit_callbacks
):
    from consultations.services import change_request

    start = next_weekday_at(10)
    consultation = holding_time(
        doctor,
        start,
        status=Status.SCHEDULED,
        confirmation_sent_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_request(consultation, actor=clinic_staff, changes={"status": Status.CONTACTED})
    consultation.refresh_from_db()
    assert consultation.scheduled_at is None
    check_slot(consultation_type(doctor), start)
    assert [m.subject for m in mail.outbox] == ["Genoma Health: your consultation is cancelled"]


def test_free_slots_leave_out_taken_times_days_off_and_the_notice(doctor):
    now = timezone.now()
    slots = free_slots("clinic", now=now)
    assert slots, "six weeks of a nine-to-five clinician"
    assert all(slot.start > now + PATIENT_NOTICE for slot in slots)
    # six weeks of days from the first day a patient may pick (after the notice period)
    assert all(slot.start <= now + PATIENT_NOTICE + timedelta(weeks=6, days=1) for slot in slots)
    taken = slots[3]
    make_request(
        clinician=doctor, consultation_type=taken.consultation_type, scheduled_at=taken.start
    )
    off = slots[-1].start.date()
    baker.make("team.DayOff", clinician=doctor, first_day=off, last_day=off)
    after = free_slots("clinic", now=now)
    assert taken.start not in [slot.start for slot in after]
    assert not [slot for slot in after if timezone.localtime(slot.start).date() == off]
    local = [timezone.localtime(slot.start) for slot in after]
    assert {moment.weekday() for moment in local} <= {0, 1, 2, 3, 4}
    assert all(9 <= moment.hour < 17 for moment in local)


def test_free_slots_only_of_public_clinicians_with_hours_of_that_mode(doctor):
    hidden = with_calendar(make_clinician(name="Dr Hidden", slug="hidden", is_public=False))
    without_hours = with_calendar(make_clinician(name="Dr Nohours", slug="nohours"), hours=[])
    names = {slot.clinician.name for slot in free_slots("video")}
    assert names == {"Dr Somchai Jaidee"}
    assert hidden.consultation_types.exists()
    assert without_hours.consultation_types.exists()


def test_free_slots_read_a_fixed_number_of_queries(doctor, django_assert_num_queries):
    for number in range(3):
        with_calendar(make_clinician(name=f"Dr {number}", slug=f"dr-{number}"))
    for slot in free_slots("clinic")[:20]:
        make_request(
            clinician=slot.clinician,
            consultation_type=slot.consultation_type,
            scheduled_at=slot.start,
        )
    with django_assert_num_queries(4):
        free_slots("clinic")


# Two staff members schedule the same clinician at the same time at once: one wins, the
# other is told, on each database (real threads, each with its own connection).
RACE = """
import threading
from django.db import connections
from consultations.models import ConsultationRequest
from consultations.scheduling import SlotUnavailable, book

def race(kind, start, requests, actor):
    outcomes, barrier = [], threading.Barrier(len(requests))

    def staff_member(consultation):
        try:
            barrier.wait()
            book(consultation, kind, start, actor=actor)
            outcomes.append("booked")
        except SlotUnavailable as refused:
            outcomes.append(refused.message)
        except Exception as error:
            outcomes.append(f"error: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=staff_member, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
"""


def assert_one_booked(outcomes, scheduled):
    assert outcomes.count("booked") == 1, outcomes
    refusals = [outcome for outcome in outcomes if outcome != "booked"]
    assert all("already has a consultation" in message for message in refusals), refusals
    assert scheduled == 1


def test_two_staff_booking_one_time_at_once_on_a_file_sqlite_database(tmp_path):
    script = f"""
import django, json
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from tests.consultations.factories import make_request
from tests.team.factories import consultation_type, next_weekday_at, with_calendar
{RACE}
doctor = with_calendar()
actor = get_user_model().objects.create(username="staff")
requests = [make_request(status="contacted") for _ in range(4)]
outcomes = race(consultation_type(doctor), next_weekday_at(10), requests, actor)
scheduled = ConsultationRequest.objects.filter(status="scheduled").count()
print(json.dumps({{"outcomes": outcomes, "scheduled": scheduled}}))
"""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="genoma.settings",
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'race.sqlite3'}",
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert_one_booked(outcome["outcomes"], outcome["scheduled"])


@pytest.mark.django_db(transaction=True)
def test_two_staff_booking_one_time_at_once_on_the_suite_database(django_user_model):
    if connections["default"].vendor == "sqlite":
        pytest.skip("in-memory SQLite is per connection; the file-based test above covers SQLite")
    namespace = {}
    exec(RACE, namespace)  # noqa: S102 - the same staff code as the SQLite test
    doctor = with_calendar()
    actor = django_user_model.objects.create(username="staff")
    requests = [make_request(status=Status.CONTACTED) for _ in range(4)]
    outcomes = namespace["race"](consultation_type(doctor), next_weekday_at(10), requests, actor)
    assert_one_booked(outcomes, ConsultationRequest.objects.filter(status="scheduled").count())
