"""The mail server is down while patients submit: every request is kept, and its emails
go out once the server is back, each once, without anyone pressing a button."""

import re
import socket
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone

from consultations import services, tasks
from consultations.models import ConsultationEvent, ConsultationRequest, EmailsDue
from tests.consultations.factories import make_request

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the socket closes


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2


def minutes_pass(minutes):
    """The clock moves on for the queue: every due time comes `minutes` sooner."""
    EmailsDue.objects.update(due_at=F("due_at") - timedelta(minutes=minutes))


def test_requests_survive_a_mail_outage_and_their_emails_go_out_once_it_ends(
    client,
    admin_client,
    valid_post,
    settings,
    mail_server_down,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/consultation/", {**valid_post, "submission_token": str(uuid.uuid4())}
            )
        assert response.status_code == 302
    stored = ConsultationRequest.objects.all()
    assert stored.count() == 3
    assert all("ConnectionRefusedError" in r.notification_error for r in stored)
    assert ConsultationEvent.objects.filter(kind="notification_failed").count() == 6
    page = admin_client.get(CHANGELIST).content.decode()  # staff see the problem meanwhile
    assert len(re.findall(r'field-notification_problem"><img [^>]*alt="False"', page)) == 3
    assert set(EmailsDue.objects.values_list("failures", flat=True)) == {1}
    first = stored.first()
    retry = timezone.localtime(EmailsDue.objects.get(pk=first.pk).due_at)
    change_page = admin_client.get(first.admin_change_url()).content.decode()
    assert formats.date_format(retry, "DATETIME_FORMAT") in change_page  # next attempt

    tasks.send_emails_due.call_local()  # the next sweep, a few seconds later: not due yet
    assert ConsultationEvent.objects.filter(kind="notification_failed").count() == 6

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # back up
    minutes_pass(1)
    tasks.send_emails_due.call_local()
    assert len(mailoutbox) == 6  # a clinic notification and an acknowledgment each
    assert sorted(m.to[0] for m in mailoutbox).count("somchai@example.com") == 3
    assert not EmailsDue.objects.exists()
    assert not ConsultationRequest.objects.with_failed_notifications().exists()
    minutes_pass(60 * 24)
    tasks.send_emails_due.call_local()
    assert len(mailoutbox) == 6  # none twice


def test_retries_wait_longer_each_time_and_stop_after_a_day(mail_server_down):
    consultation = make_request(patient_notified_at=None)
    with_emails_due = EmailsDue.objects.create(request=consultation, due_at=timezone.now())
    waits = []
    while EmailsDue.objects.exists():
        services.send_all_due_emails()
        with_emails_due = EmailsDue.objects.filter(pk=consultation.pk).first()
        if with_emails_due:
            waits.append(round((with_emails_due.due_at - timezone.now()).total_seconds() / 60))
            minutes_pass(waits[-1])
    assert waits == [1, 2, 4, 8, 15, 30, 60, 120, 240, 240, 240, 240, 240]
    assert 23 * 60 < sum(waits) <= 24 * 60
    consultation.refresh_from_db()
    assert "ConnectionRefusedError" in consultation.notification_error  # staff see it
    last = consultation.events.filter(kind="notification_failed").latest("created_at")
    assert last.note == "Automatic retries stopped after a day: resend from admin."


def test_emails_another_worker_is_sending_are_left_to_it(mailoutbox):
    consultation = make_request(patient_notified_at=None)
    now = timezone.now()
    EmailsDue.objects.create(request=consultation, due_at=now, sending_since=now)
    services.send_all_due_emails()
    assert mailoutbox == []
    # A claim older than any send can take belongs to a worker that died: taken over.
    EmailsDue.objects.update(sending_since=now - EmailsDue.claim_lasts() - timedelta(seconds=1))
    services.send_all_due_emails()
    assert len(mailoutbox) == 1
    assert not EmailsDue.objects.exists()


class SchedulingMeanwhileBackend(EmailBackend):
    """While the acknowledgment goes out, staff schedule the consultation."""

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if len(mail.outbox) == 1:
            consultation = ConsultationRequest.objects.get()
            services.change_request(
                consultation,
                actor=None,
                changes={
                    "status": ConsultationRequest.Status.SCHEDULED,
                    "scheduled_at": timezone.now() + timedelta(days=2),
                },
            )
        return sent


def test_an_email_made_due_while_others_are_sent_is_sent_too(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.consultations.test_mail_outage.SchedulingMeanwhileBackend"
    consultation = make_request(patient_notified_at=None, status="contacted")
    EmailsDue.objects.create(request=consultation, due_at=timezone.now())
    services.send_all_due_emails()
    assert [m.subject for m in mailoutbox] == [
        "Genoma Health: we received your consultation request",
        "Genoma Health: your consultation is scheduled",
    ]
    assert not EmailsDue.objects.exists()
