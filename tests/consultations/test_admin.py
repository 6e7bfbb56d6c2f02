"""The consultation admin, as clinic staff use it: review, workflow, audit trail, emails."""

import csv
import html
import io
import re
import smtplib
from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone

from consultations.admin import ConsultationReviewForm
from consultations.models import ConsultationEvent, ConsultationRequest
from tests.articles.factories import make_condition
from tests.conftest import sign_in
from tests.consultations.factories import make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
Kind = ConsultationEvent.Kind
CHANGELIST = "admin:consultations_consultationrequest_changelist"
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("boom")


def in_bangkok(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def change_url(consultation):
    return reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])


def page_of(response):
    assert response.status_code == 200
    return response.content.decode()


def listed(client, consultations, **params):
    """The references of `consultations` that the changelist shows for these query params."""
    page = page_of(client.get(reverse(CHANGELIST), params))
    return {c.reference for c in consultations if c.reference in page}


def review(client, consultation, **changes):
    """Post the change form as a reviewer would: the current review fields, then `changes`.

    The read-only audit trail inline still sends its management form; its prefix and
    values are taken from the page as rendered.
    """
    consultation.refresh_from_db()
    page = page_of(client.get(change_url(consultation)))
    prefix = re.search(r'name="([\w-]+)-TOTAL_FORMS"', page).group(1)
    data = {
        name: html.unescape(value)
        for name, value in HIDDEN_INPUT.findall(page)
        if name.startswith(f"{prefix}-")
    }
    for field in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        assert f"{prefix}-{field}" in data
    local = timezone.localtime(consultation.scheduled_at) if consultation.scheduled_at else None
    data.update(
        {
            "status": consultation.status,
            "assigned_to": consultation.assigned_to_id or "",
            "clinician": consultation.clinician_id or "",
            "consultation_type": consultation.consultation_type_id or "",
            "video_link": consultation.video_link,
            "scheduled_at_0": local.date().isoformat() if local else "",
            "scheduled_at_1": local.strftime("%H:%M:%S") if local else "",
            "internal_notes": consultation.internal_notes,
        }
    )
    data.update(changes)
    return client.post(change_url(consultation), data)


def run_action(client, action, consultations, follow=True):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in consultations]},
        follow=follow,
    )


def status_events(consultation):
    return list(consultation.events.filter(kind=Kind.STATUS))


# The changelist


def test_changelist_shows_the_review_columns(clinic_staff_client, clinic_staff):
    osteopenia = make_condition()
    consultation = make_request(
        full_name="Malee Srisuk",
        condition=osteopenia,
        status=Status.CONTACTED,
        assigned_to=clinic_staff,
        created_at=timezone.now() - timedelta(days=3, hours=1),
    )
    page = page_of(clinic_staff_client.get(reverse(CHANGELIST)))
    for column in ("reference", "full_name", "condition_of_interest", "preferred_date", "status"):
        assert f"column-{column}" in page
    assert "column-assigned_to" in page
    assert "column-age" in page
    assert consultation.reference in page
    assert "Malee Srisuk" in page
    assert '<td class="field-condition_of_interest">Osteopenia</td>' in page
    preferred = formats.date_format(consultation.preferred_date)
    assert f'<td class="field-preferred_date nowrap">{preferred}</td>' in page
    assert '<td class="field-status">Contacted</td>' in page
    assert '<td class="field-assigned_to nowrap">clinician</td>' in page
    assert '<td class="field-age">3\xa0days</td>' in page


def test_open_requests_are_listed_before_closed_ones(admin_client):
    old_new = make_request(full_name="Old new", created_at=timezone.now() - timedelta(days=9))
    old_scheduled = make_request(
        full_name="Old scheduled",
        status=Status.SCHEDULED,
        created_at=timezone.now() - timedelta(days=8),
    )
    recent_completed = make_request(full_name="Recent completed", status=Status.COMPLETED)
    recent_spam = make_request(full_name="Recent spam", status=Status.SPAM)
    page = page_of(admin_client.get(reverse(CHANGELIST)))
    positions = {
        c.full_name: page.index(c.reference)
        for c in (old_new, old_scheduled, recent_completed, recent_spam)
    }
    last_open = max(positions["Old new"], positions["Old scheduled"])
    first_closed = min(positions["Recent completed"], positions["Recent spam"])
    assert last_open < first_closed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("open", {Status.NEW, Status.CONTACTED, Status.SCHEDULED}),
        ("new", {Status.NEW}),
        ("completed", {Status.COMPLETED}),
        ("declined", {Status.DECLINED}),
        ("spam", {Status.SPAM}),
    ],
)
def test_status_filter(admin_client, value, expected):
    by_status = {status: make_request(status=status) for status in Status.values}
    shown = listed(admin_client, by_status.values(), status=value)
    assert shown == {by_status[status].reference for status in expected}


def test_status_filter_offers_the_open_choice(admin_client):
    page = page_of(admin_client.get(reverse(CHANGELIST)))
    assert 'href="?status=open"' in page
    assert "Open (new, contacted, scheduled)" in page


def test_condition_filter(admin_client):
    osteopenia = make_condition()
    osteoporosis = make_condition(name="Osteoporosis", slug="osteoporosis")
    about_osteopenia = make_request(condition=osteopenia)
    about_osteoporosis = make_request(condition=osteoporosis)
    unsure = make_request()
    everyone = [about_osteopenia, about_osteoporosis, unsure]
    shown = listed(admin_client, everyone, condition__id__exact=osteopenia.pk)
    assert shown == {about_osteopenia.reference}


def test_assigned_to_me_filter(clinic_staff_client, clinic_staff, django_user_model):
    colleague = django_user_model.objects.create_user(username="colleague", is_staff=True)
    mine = make_request(assigned_to=clinic_staff)
    theirs = make_request(assigned_to=colleague)
    nobodys = make_request()
    everyone = [mine, theirs, nobodys]
    assert listed(clinic_staff_client, everyone, assigned="me") == {mine.reference}
    assert listed(clinic_staff_client, everyone, assigned="nobody") == {nobodys.reference}
    assert len(listed(clinic_staff_client, everyone)) == 3


def test_preferred_date_filter(admin_client):
    today = timezone.localdate()
    for_today = make_request(preferred_date=today)
    for_later = make_request(preferred_date=today + timedelta(days=400))
    shown = listed(
        admin_client,
        [for_today, for_later],
        preferred_date__gte=today.isoformat(),
        preferred_date__lt=(today + timedelta(days=1)).isoformat(),
    )
    assert shown == {for_today.reference}


@pytest.mark.parametrize("field", ["reference", "full_name", "email", "phone"])
def test_search_finds_the_right_request_and_only_it(admin_client, field):
    somchai = make_request(
        full_name="Somchai Jaidee", email="somchai@example.com", phone="+66811111111"
    )
    malee = make_request(full_name="Malee Srisuk", email="malee@example.org", phone="+66822222222")
    response = admin_client.get(reverse(CHANGELIST), {"q": getattr(malee, field)})
    page = page_of(response)
    assert malee.reference in page
    assert somchai.reference not in page
    assert "1 result" in page


def test_changelist_has_a_date_hierarchy(admin_client):
    make_request()
    page = page_of(admin_client.get(reverse(CHANGELIST)))
    assert '<nav class="toplinks">' in page
    assert f"?created_at__year={timezone.localdate().year}" in page


# The change page


def test_patient_fields_are_read_only(clinic_staff_client):
    consultation = make_request(message="My T-score was -1.9 last year.")
    page = page_of(clinic_staff_client.get(change_url(consultation)))
    assert '<div class="readonly">Somchai Jaidee</div>' in page
    for field in ("full_name", "email", "phone", "message", "preferred_date"):
        assert f'name="{field}"' not in page
    for field in ("status", "assigned_to", "scheduled_at_0", "scheduled_at_1", "internal_notes"):
        assert f'name="{field}"' in page

    response = review(
        clinic_staff_client,
        consultation,
        full_name="Somebody Else",
        email="else@example.com",
        message="Rewritten by staff",
        internal_notes="Called back on Monday.",
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.full_name == "Somchai Jaidee"
    assert consultation.email == "somchai@example.com"
    assert consultation.message == "My T-score was -1.9 last year."
    assert consultation.internal_notes == "Called back on Monday."


def test_staff_set_status_assignee_scheduled_time_and_notes(
    clinic_staff_client, clinic_staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(status=Status.CONTACTED)
    day = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = review(
            clinic_staff_client,
            consultation,
            status=Status.SCHEDULED,
            assigned_to=clinic_staff.pk,
            scheduled_at_0=day.isoformat(),
            scheduled_at_1="14:30",
            internal_notes="Prefers the afternoon; bring last DEXA report.",
        )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED
    assert consultation.assigned_to == clinic_staff
    assert consultation.scheduled_at == in_bangkok(day, 14, 30)
    assert consultation.internal_notes == "Prefers the afternoon; bring last DEXA report."

    events = {e.kind: e for e in consultation.events.exclude(kind=Kind.NOTIFIED)}
    assert set(events) == {Kind.STATUS, Kind.ASSIGNED, Kind.SCHEDULED_TIME, Kind.NOTES}
    assert all(e.actor == clinic_staff for e in events.values())
    # The trail stores values; admin shows their labels in the clinic's time zone.
    assert (events[Kind.STATUS].from_value, events[Kind.STATUS].to_value) == (
        "contacted",
        "scheduled",
    )
    assert (events[Kind.STATUS].from_label, events[Kind.STATUS].to_label) == (
        "Contacted",
        "Scheduled",
    )
    assert (events[Kind.ASSIGNED].from_value, events[Kind.ASSIGNED].to_value) == (
        "",
        "clinician",
    )
    scheduled = events[Kind.SCHEDULED_TIME]
    assert scheduled.to_value == in_bangkok(day, 14, 30).astimezone(UTC).isoformat()
    assert scheduled.to_label == formats.date_format(in_bangkok(day, 14, 30), "DATETIME_FORMAT")
    assert events[Kind.NOTES].to_value == "(edited)"  # the notes stay out of the trail
    assert len(mailoutbox) == 1


# The workflow


def test_the_workflow_runs_from_new_to_completed(admin_client, admin_user):
    consultation = make_request()
    day = timezone.localdate() + timedelta(days=5)
    steps = [
        {"status": Status.CONTACTED},
        {"status": Status.SCHEDULED, "scheduled_at_0": day.isoformat(), "scheduled_at_1": "10:00"},
        {"status": Status.COMPLETED},
    ]
    for step in steps:
        assert review(admin_client, consultation, **step).status_code == 302
        consultation.refresh_from_db()
        assert consultation.status == step["status"]
    trail = [(e.from_value, e.to_value, e.actor) for e in status_events(consultation)]
    assert trail == [
        ("new", "contacted", admin_user),
        ("contacted", "scheduled", admin_user),
        ("scheduled", "completed", admin_user),
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.NEW, Status.DECLINED),
        (Status.CONTACTED, Status.DECLINED),
        (Status.SCHEDULED, Status.DECLINED),
        (Status.NEW, Status.SPAM),
        (Status.CONTACTED, Status.SPAM),
    ],
)
def test_open_requests_may_be_declined_or_marked_spam(admin_client, start, target):
    consultation = make_request(status=start)
    assert review(admin_client, consultation, status=target).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == target
    assert [(e.from_value, e.to_value) for e in status_events(consultation)] == [(start, target)]


@pytest.mark.parametrize(
    ("start", "target", "message"),
    [
        (
            Status.NEW,
            Status.COMPLETED,
            "A request cannot move from New to Completed. Allowed next: Cancelled, Contacted, Declined, Scheduled, Spam.",
        ),
        (
            Status.CONTACTED,
            Status.COMPLETED,
            "A request cannot move from Contacted to Completed. Allowed next: Cancelled, Declined, Scheduled, Spam.",
        ),
        (
            Status.COMPLETED,
            Status.NEW,
            "A request cannot move from Completed to New. "
            "Allowed next: none: the request is closed.",
        ),
        (
            Status.COMPLETED,
            Status.DECLINED,
            "A request cannot move from Completed to Declined. "
            "Allowed next: none: the request is closed.",
        ),
        (
            Status.DECLINED,
            Status.CONTACTED,
            "A request cannot move from Declined to Contacted. Allowed next: New.",
        ),
    ],
)
def test_a_move_the_workflow_forbids_is_refused(admin_client, start, target, message):
    consultation = make_request(status=start, internal_notes="Before.")
    before = ConsultationRequest.objects.get(pk=consultation.pk)
    day = timezone.localdate() + timedelta(days=5)
    response = review(
        admin_client,
        consultation,
        status=target,
        scheduled_at_0=day.isoformat(),
        scheduled_at_1="10:00",
        internal_notes="After.",
    )
    page = page_of(response)
    assert message in page
    consultation.refresh_from_db()
    assert consultation.status == start
    assert consultation.internal_notes == "Before."
    assert consultation.scheduled_at == before.scheduled_at
    assert not consultation.events.exists()


def test_the_refusal_message_comes_from_the_review_form():
    consultation = make_request()
    form = ConsultationReviewForm(
        data={"status": Status.COMPLETED, "internal_notes": ""}, instance=consultation
    )
    assert not form.is_valid()
    assert form.errors["status"] == [
        "A request cannot move from New to Completed. Allowed next: Cancelled, Contacted, Declined, Scheduled, Spam."
    ]


def test_scheduled_without_a_time_is_refused(admin_client):
    consultation = make_request(status=Status.CONTACTED)
    response = review(admin_client, consultation, status=Status.SCHEDULED)
    page = page_of(response)
    assert "Set the scheduled time before marking it scheduled." in page
    consultation.refresh_from_db()
    assert consultation.status == Status.CONTACTED
    assert consultation.scheduled_at is None
    assert not consultation.events.exists()


# The audit trail


def test_the_audit_trail_is_shown_read_only_on_the_change_page(clinic_staff_client):
    consultation = make_request()
    review(clinic_staff_client, consultation, status=Status.CONTACTED)
    page = page_of(clinic_staff_client.get(change_url(consultation)))
    assert "Audit trail" in page
    trail = page[page.index('id="events-group"') :]
    assert re.search(r'class="field-kind">\s*<p>Status changed</p>', trail)
    assert re.search(r'class="field-from_label">\s*<p>New</p>', trail)
    assert re.search(r'class="field-to_label">\s*<p>Contacted</p>', trail)
    assert re.search(r'class="field-actor_name">\s*<p>clinician</p>', trail)
    for field in ("kind", "from_value", "to_value", "note", "actor", "actor_name", "created_at"):
        assert not re.search(rf'name="events-\d+-{field}"', page)
    assert "events-0-DELETE" not in page
    assert "__prefix__" not in page  # no blank row to add an entry
    assert 'name="events-MAX_NUM_FORMS" value="0"' in page


def test_audit_events_cannot_be_changed_or_deleted():
    consultation = make_request()
    event = ConsultationEvent.objects.create(request=consultation, kind=Kind.SUBMITTED)
    event.note = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        ConsultationEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(TypeError, match="append-only"):
        ConsultationEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        consultation.events.all().delete()
    stored = ConsultationEvent.objects.get(pk=event.pk)
    assert stored.note == ""


# The schedule confirmation


def test_scheduling_emails_the_patient_a_calendar_invitation_without_health_details(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(
        status=Status.CONTACTED,
        full_name="Somchai Jaidee",
        email="somchai@example.com",
        phone="+66812345678",
        condition=make_condition(),
        message="My T-score was -1.9 last year; I take calcium.",
    )
    day = timezone.localdate() + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = review(
            admin_client,
            consultation,
            status=Status.SCHEDULED,
            scheduled_at_0=day.isoformat(),
            scheduled_at_1="14:30",
        )
    assert response.status_code == 302

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["somchai@example.com"]
    assert email.subject == "Genoma Health: your consultation is scheduled"
    assert consultation.reference in email.body
    assert len(email.attachments) == 1
    filename, ics, mimetype = email.attachments[0]
    assert filename == f"genoma-consultation-{consultation.reference}.ics"
    assert mimetype.split(";")[0] == "text/calendar"
    part = next(p for p in email.message().walk() if p.get_filename() == filename)
    assert part.get_content_type() == "text/calendar"

    assert ics.startswith("BEGIN:VCALENDAR\r\n")
    assert ics.endswith("END:VCALENDAR\r\n")
    assert "\n" not in ics.replace("\r\n", "")
    assert "\r" not in ics.replace("\r\n", "")
    lines = ics.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    assert f"DTSTART;TZID=Asia/Bangkok:{day:%Y%m%d}T143000" in lines
    assert f"DTEND;TZID=Asia/Bangkok:{day:%Y%m%d}T153000" in lines
    assert consultation.reference in ics
    for private in (
        "Somchai",
        "Jaidee",
        "somchai@example.com",
        "66812345678",
        "T-score",
        "calcium",
        "Osteopenia",
        "osteopenia",
    ):
        assert private not in ics

    consultation.refresh_from_db()
    assert consultation.confirmation_sent_at is not None
    assert consultation.events.filter(kind=Kind.NOTIFIED, note="schedule confirmation").exists()


def ics_fields(email):
    """The calendar file's lines as {name: value} (names without their parameters)."""
    [(_filename, ics, mimetype)] = email.attachments
    fields = {}
    for line in ics.replace("\r\n ", "").split("\r\n"):
        name, _, value = line.partition(":")
        fields[name.split(";")[0]] = value  # the event's own lines come after the zone's
    return fields, mimetype


def test_moving_or_cancelling_a_consultation_updates_the_patients_calendar(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    """Same event (UID), growing SEQUENCE: calendars replace the time, then remove it."""
    consultation = make_request(status=Status.CONTACTED)
    first_day = timezone.localdate() + timedelta(days=7)
    second_day = first_day + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, status=Status.SCHEDULED,
               scheduled_at_0=first_day.isoformat(), scheduled_at_1="14:30")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, scheduled_at_0=second_day.isoformat(),
               scheduled_at_1="09:00")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = review(admin_client, consultation, status=Status.DECLINED)
    assert response.status_code == 302

    cancelled = mailoutbox[-1]
    (first, _), (second, _), (last, mimetype) = map(ics_fields, mailoutbox)
    uid = f"{consultation.reference}@genoma-health"
    assert [f["UID"] for f in (first, second, last)] == [uid, uid, uid]
    assert [int(f["SEQUENCE"]) for f in (first, second, last)] == [1, 2, 3]
    assert (first["METHOD"], first["STATUS"]) == ("PUBLISH", "CONFIRMED")
    assert second["DTSTART"] == f"{second_day:%Y%m%d}T090000"
    assert (last["METHOD"], last["STATUS"]) == ("CANCEL", "CANCELLED")
    assert last["DTSTART"] == f"{second_day:%Y%m%d}T090000"  # the time that no longer stands
    assert last["ORGANIZER"].startswith("mailto:")
    assert "method=CANCEL" in mimetype
    assert cancelled.to == ["somchai@example.com"]
    assert cancelled.subject == "Genoma Health: your consultation is cancelled"
    assert "is cancelled" in cancelled.body
    assert consultation.reference in cancelled.body
    assert "Somchai" not in cancelled.body
    consultation.refresh_from_db()
    assert consultation.confirmation_sent_at is None  # the patient's calendar holds nothing
    assert consultation.events.filter(kind=Kind.NOTIFIED, note="cancellation").exists()


def test_back_to_contacted_also_cancels_the_time_in_the_calendar(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(status=Status.SCHEDULED, confirmation_sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, status=Status.CONTACTED)
    [email] = mailoutbox
    fields, _ = ics_fields(email)
    assert (fields["METHOD"], fields["STATUS"]) == ("CANCEL", "CANCELLED")


def test_a_thai_patient_is_told_of_the_cancellation_in_thai(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(
        status=Status.SCHEDULED, confirmation_sent_at=timezone.now(), language="th"
    )
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, status=Status.DECLINED)
    [email] = mailoutbox
    assert email.subject == "Genoma Health: การนัดหมายปรึกษาของคุณถูกยกเลิกแล้ว"
    assert "ถูกยกเลิกแล้ว" in email.body
    assert "cancelled" not in email.body


def test_completing_a_consultation_sends_no_cancellation(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(status=Status.SCHEDULED, confirmation_sent_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, status=Status.COMPLETED)
    assert mailoutbox == []


def test_a_failed_cancellation_is_resent(
    admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.consultations.test_admin.FailingBackend"
    consultation = make_request(
        status=Status.SCHEDULED,
        confirmation_sent_at=timezone.now(),
        clinic_notified_at=timezone.now(),
        patient_notified_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        review(admin_client, consultation, status=Status.DECLINED)
    consultation.refresh_from_db()
    assert "cancellation: SMTPException" in consultation.notification_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        page = page_of(run_action(admin_client, "resend", [consultation]))
    assert "Emails queued for 1 request" in page
    [email] = mailoutbox
    assert ics_fields(email)[0]["METHOD"] == "CANCEL"


@pytest.mark.parametrize("days", [-1, 0])
def test_a_time_in_the_past_is_refused(admin_client, mailoutbox, days):
    consultation = make_request(status=Status.CONTACTED)
    past = timezone.localtime() + timedelta(days=days, minutes=-5)
    response = review(
        admin_client,
        consultation,
        status=Status.SCHEDULED,
        scheduled_at_0=past.date().isoformat(),
        scheduled_at_1=past.strftime("%H:%M"),
    )
    assert "has already passed. Choose a time from now on" in page_of(response)
    consultation.refresh_from_db()
    assert (consultation.status, consultation.scheduled_at) == (Status.CONTACTED, None)
    assert mailoutbox == []


def test_a_past_time_already_stored_does_not_block_completing(admin_client):
    consultation = make_request(
        status=Status.SCHEDULED, scheduled_at=timezone.now() - timedelta(hours=2)
    )
    assert review(admin_client, consultation, status=Status.COMPLETED).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.COMPLETED


# The actions


def test_mark_contacted_moves_what_the_workflow_allows_and_names_the_rest(
    clinic_staff_client, clinic_staff
):
    first, second = make_request(), make_request()
    closed = make_request(status=Status.COMPLETED)
    response = run_action(clinic_staff_client, "mark_contacted", [first, second, closed])
    page = page_of(response)
    assert "2 requests marked Contacted." in page
    assert f"Not allowed by the workflow, left unchanged: {closed.reference}." in page
    for consultation in (first, second):
        consultation.refresh_from_db()
        assert consultation.status == Status.CONTACTED
        [event] = status_events(consultation)
        assert (event.actor, event.from_value, event.to_value) == (
            clinic_staff,
            "new",
            "contacted",
        )
    closed.refresh_from_db()
    assert closed.status == Status.COMPLETED
    assert not closed.events.exists()


def test_mark_spam(clinic_staff_client, clinic_staff):
    consultation = make_request(status=Status.CONTACTED)
    page = page_of(run_action(clinic_staff_client, "mark_spam", [consultation]))
    assert "1 request marked Spam." in page
    consultation.refresh_from_db()
    assert consultation.status == Status.SPAM
    [event] = status_events(consultation)
    assert (event.actor, event.from_value, event.to_value) == (clinic_staff, "contacted", "spam")


def test_assign_to_me(clinic_staff_client, clinic_staff):
    first, second = make_request(), make_request(status=Status.CONTACTED)
    page = page_of(run_action(clinic_staff_client, "assign_to_me", [first, second]))
    assert "Assigned to you." in page
    for consultation in (first, second):
        consultation.refresh_from_db()
        assert consultation.assigned_to == clinic_staff
        [event] = consultation.events.filter(kind=Kind.ASSIGNED)
        assert (event.actor, event.from_value, event.to_value) == (clinic_staff, "", "clinician")
    run_action(clinic_staff_client, "assign_to_me", [first])
    assert first.events.filter(kind=Kind.ASSIGNED).count() == 1  # no change, no entry


def test_resend_delivers_what_failed_and_clears_the_error(
    clinic_staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = make_request(
        clinic_notified_at=timezone.now(),
        patient_notified_at=None,
        notification_error="2026-01-01 09:00 patient acknowledgment: SMTPException: boom",
    )
    with django_capture_on_commit_callbacks(execute=True):
        page = page_of(run_action(clinic_staff_client, "resend", [consultation]))
    assert (
        "Emails queued for 1 request: they go out within a minute, and a failure shows on "
        "the request." in page
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["somchai@example.com"]
    assert mailoutbox[0].subject == "Genoma Health: we received your consultation request"
    assert consultation.reference in mailoutbox[0].body
    consultation.refresh_from_db()
    assert consultation.notification_error == ""
    assert consultation.patient_notified_at is not None
    assert consultation.events.filter(kind=Kind.NOTIFIED, note="patient acknowledgment").exists()


def test_export_csv(admin_client, admin_user):
    formula = make_request(full_name='=HYPERLINK("x")', email="a@example.com")
    command = make_request(full_name="+cmd", email="b@example.com", condition=make_condition())
    not_selected = make_request(full_name="Not Selected")
    response = run_action(admin_client, "export_csv", [formula, command], follow=False)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="consultations-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert rows[0] == [
        "Reference",
        "Received",
        "Status",
        "Full name",
        "Email",
        "Phone",
        "Country",
        "Contact method",
        "Language",
        "Condition",
        "Treatment",
        "Preferred date",
        "Time of day",
        "Assigned to",
        "Scheduled for",
    ]
    by_reference = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_reference) == {formula.reference, command.reference}
    assert len(rows) == 3
    assert by_reference[formula.reference]["Full name"] == '\'=HYPERLINK("x")'
    assert by_reference[command.reference]["Full name"] == "'+cmd"
    assert by_reference[command.reference]["Email"] == "b@example.com"
    assert by_reference[command.reference]["Country"] == "Thailand"
    assert by_reference[command.reference]["Condition"] == "Osteopenia"
    assert by_reference[command.reference]["Status"] == "New"
    assert by_reference[command.reference]["Preferred date"] == command.preferred_date.isoformat()

    for consultation in (formula, command):
        [event] = consultation.events.filter(kind=Kind.EXPORTED)
        assert event.actor == admin_user
    assert not not_selected.events.exists()


def test_clinic_staff_may_export(clinic_staff_client):
    make_request()
    page = page_of(clinic_staff_client.get(reverse(CHANGELIST)))
    assert 'value="export_csv"' in page


def test_no_export_without_the_export_permission(client, django_user_model):
    reviewer = django_user_model.objects.create_user(username="reviewer", is_staff=True)
    reviewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="consultations",
            codename__in=["view_consultationrequest", "change_consultationrequest"],
        )
    )
    sign_in(client, reviewer)
    consultation = make_request()
    page = page_of(client.get(reverse(CHANGELIST)))
    assert 'value="mark_contacted"' in page
    assert 'value="export_csv"' not in page
    response = run_action(client, "export_csv", [consultation], follow=False)
    assert response.status_code == 302
    assert not response["Content-Type"].startswith("text/csv")
    assert not consultation.events.filter(kind=Kind.EXPORTED).exists()


# Who may see what


@pytest.fixture
def consultation(db):
    return make_request()


def admin_page(view, consultation):
    name = f"admin:consultations_consultationrequest_{view}"
    if view in ("changelist", "add"):
        return reverse(name)
    return reverse(name, args=[consultation.pk])


VIEWS = ["changelist", "change", "history", "delete", "add"]


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, consultation, view):
    url = admin_page(view, consultation)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('admin:login')}?next=")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("editor", {"changelist": 403, "change": 403, "history": 403, "delete": 403, "add": 403}),
        (
            "clinic_staff",
            {"changelist": 200, "change": 200, "history": 200, "delete": 403, "add": 403},
        ),
        (
            "admin_user",
            {"changelist": 200, "change": 200, "history": 200, "delete": 403, "add": 403},
        ),
    ],
)
def test_each_role_reaches_only_its_consultation_pages(
    client, consultation, request, role, expected
):
    sign_in(client, request.getfixturevalue(role))
    got = {view: client.get(admin_page(view, consultation)).status_code for view in VIEWS}
    assert got == expected
    assert ConsultationRequest.objects.filter(pk=consultation.pk).exists()


def test_audit_events_have_no_admin(admin_client):
    assert not admin.site.is_registered(ConsultationEvent)
    with pytest.raises(NoReverseMatch):
        reverse("admin:consultations_consultationevent_changelist")
    assert admin_client.get("/admin/consultations/consultationevent/").status_code == 404


def test_the_admin_index_shows_consultations_to_clinic_staff_only(client, editor, clinic_staff):
    changelist = reverse(CHANGELIST)
    sign_in(client, editor)
    page = page_of(client.get(reverse("admin:index")))
    assert reverse("admin:app_list", args=["consultations"]) not in page
    assert changelist not in page
    assert "Consultation requests" not in page

    sign_in(client, clinic_staff)
    page = page_of(client.get(reverse("admin:index")))
    assert changelist in page
    assert "Consultation requests" in page


# A failing mail server


def test_a_failing_mail_server_keeps_the_change_and_a_resend_delivers_later(
    admin_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.consultations.test_admin.FailingBackend"
    consultation = make_request(
        status=Status.CONTACTED,
        clinic_notified_at=timezone.now(),
        patient_notified_at=timezone.now(),
    )
    day = timezone.localdate() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = review(
            admin_client,
            consultation,
            status=Status.SCHEDULED,
            scheduled_at_0=day.isoformat(),
            scheduled_at_1="09:15",
        )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.SCHEDULED
    assert consultation.scheduled_at == in_bangkok(day, 9, 15)
    assert consultation.confirmation_sent_at is None
    assert "schedule confirmation: SMTPException: boom" in consultation.notification_error
    [failure] = consultation.events.filter(kind=Kind.NOTIFICATION_FAILED)
    assert failure.note == "schedule confirmation: SMTPException: boom"
    assert mailoutbox == []

    page = page_of(admin_client.get(reverse(CHANGELIST)))
    assert "SMTPException" not in page  # the list flags the problem without the details
    with django_capture_on_commit_callbacks(execute=True):
        page_of(run_action(admin_client, "resend", [consultation]))
    consultation.refresh_from_db()
    assert "SMTPException: boom" in consultation.notification_error
    failures = list(consultation.events.filter(kind=Kind.NOTIFICATION_FAILED))
    assert len(failures) == 2  # each failure is kept, not the last one only
    page = page_of(admin_client.get(change_url(consultation)))
    for failure in failures:  # shown at the clinic's time, as the rest of admin
        shown = formats.date_format(timezone.localtime(failure.created_at), "DATETIME_FORMAT")
        assert f"{shown}: schedule confirmation: SMTPException: boom" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        page = page_of(run_action(admin_client, "resend", [consultation]))
    assert "Emails queued for 1 request" in page
    assert len(mailoutbox) == 1
    assert mailoutbox[0].attachments[0].filename.endswith(".ics")
    consultation.refresh_from_db()
    assert consultation.notification_error == ""
    assert consultation.confirmation_sent_at is not None
