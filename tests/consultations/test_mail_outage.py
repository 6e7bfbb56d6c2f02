"""The mail server is down while patients submit: every request is kept, and resent later."""

import re
import socket
import uuid

import pytest
from django.urls import reverse

from consultations.models import ConsultationEvent, ConsultationRequest

pytestmark = pytest.mark.django_db


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the socket closes


def test_requests_survive_a_mail_outage_and_the_resend_action_delivers(
    client, admin_client, valid_post, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
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
    changelist = reverse("admin:consultations_consultationrequest_changelist")
    page = admin_client.get(changelist).content.decode()
    assert len(re.findall(r'field-notification_problem"><img [^>]*alt="False"', page)) == 3

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = admin_client.post(
        changelist,
        {"action": "resend", "_selected_action": [r.pk for r in stored]},
        follow=True,
    )
    assert "Emails sent for 3 requests." in response.content.decode()
    assert len(mailoutbox) == 6
    assert not ConsultationRequest.objects.with_failed_notifications().exists()
    assert all(
        r.clinic_notified_at and r.patient_notified_at for r in ConsultationRequest.objects.all()
    )
