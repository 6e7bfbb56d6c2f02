"""Patients are reminded of a scheduled consultation the day before and two hours
before, in their language, by the job worker; once each, and for the time that stands."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from consultations import services, tasks
from consultations.models import ConsultationRequest
from tests.consultations.factories import make_request

pytestmark = pytest.mark.django_db
Status = ConsultationRequest.Status
SUBJECT = "Genoma Health: reminder of your consultation"


def scheduled(in_hours, confirmed_days_ago=3, **fields):
    now = timezone.now()
    return make_request(
        status=Status.SCHEDULED,
        scheduled_at=now + timedelta(hours=in_hours),
        confirmation_sent_at=now - timedelta(days=confirmed_days_ago),
        **fields,
    )


def test_the_day_before_the_patient_is_reminded_once(mailoutbox):
    consultation = scheduled(in_hours=23.9)
    tasks.send_reminders.call_local()
    [email] = mailoutbox
    assert email.subject == SUBJECT
    assert email.to == [consultation.email]
    assert consultation.reference in email.body
    when = services._consultation_time(consultation.scheduled_at, "en")
    assert f"When: {when} (Asia/Bangkok time)" in email.body
    consultation.refresh_from_db()
    assert consultation.reminded_day_before_at is not None
    assert consultation.events.filter(kind="notified", note="reminder the day before").exists()
    tasks.send_reminders.call_local()
    assert len(mailoutbox) == 1  # not twice


def test_two_hours_before_the_patient_is_reminded_again(mailoutbox):
    consultation = scheduled(in_hours=1.9, reminded_day_before_at=timezone.now())
    tasks.send_reminders.call_local()
    [email] = mailoutbox
    assert email.subject == SUBJECT
    consultation.refresh_from_db()
    assert consultation.reminded_hours_before_at is not None


def test_reminders_are_in_the_patient_s_language(mailoutbox):
    consultation = scheduled(in_hours=20, language="th")
    tasks.send_reminders.call_local()
    [email] = mailoutbox
    assert email.subject == "Genoma Health: แจ้งเตือนนัดหมายการปรึกษาของคุณ"
    assert "แจ้งเตือนนัดหมายการปรึกษาของคุณกับ Genoma Health:" in email.body
    when = services._consultation_time(consultation.scheduled_at, "th")  # Buddhist era
    assert when in email.body


def test_nothing_is_sent_too_early_or_after_the_consultation(mailoutbox):
    scheduled(in_hours=30)  # the day before has not come
    scheduled(in_hours=-1)  # already began
    make_request(status=Status.CONTACTED)
    tasks.send_reminders.call_local()
    assert mailoutbox == []


def test_a_worker_back_after_a_day_sends_only_the_last_reminder(mailoutbox):
    consultation = scheduled(in_hours=1)  # neither reminder went
    tasks.send_reminders.call_local()
    assert len(mailoutbox) == 1
    consultation.refresh_from_db()
    assert consultation.reminded_day_before_at is not None
    assert consultation.reminded_hours_before_at is not None
    assert consultation.events.filter(note="reminder two hours before").count() == 1


def test_no_reminder_when_the_confirmation_came_after_its_time(mailoutbox):
    """Booked this morning for this afternoon: the confirmation is the reminder."""
    consultation = scheduled(in_hours=1.5, confirmed_days_ago=0)
    consultation.confirmation_sent_at = timezone.now() - timedelta(minutes=10)
    consultation.save()
    tasks.send_reminders.call_local()
    assert mailoutbox == []


def test_a_new_time_is_reminded_again(mailoutbox, django_capture_on_commit_callbacks):
    consultation = scheduled(in_hours=20)
    tasks.send_reminders.call_local()
    assert len(mailoutbox) == 1
    later = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_request(consultation, actor=None, changes={"scheduled_at": later})
    consultation.refresh_from_db()
    assert consultation.reminded_day_before_at is None
    assert mailoutbox[-1].subject == "Genoma Health: your consultation is scheduled"
    assert len(mailoutbox) == 2


def test_the_worker_looks_for_reminders_every_five_minutes():
    from huey.contrib.djhuey import HUEY

    hour = [datetime(2026, 11, 25, 9, 0) + timedelta(minutes=m) for m in range(60)]
    runs = [m for m in hour if "send_reminders" in {t.name for t in HUEY.read_periodic(m)}]
    assert [m.minute for m in runs] == list(range(0, 60, 5))
