"""Patients' data stays in the database: not in logs, and the notice explains their rights."""

import logging

import pytest
from django.conf import settings as django_settings

pytestmark = pytest.mark.django_db
PRIVATE = ["Somchai", "somchai@example.com", "812345678", "calcium", "T-score was"]


def test_logs_of_a_submission_and_of_a_failed_email_carry_no_patient_data(
    client, valid_post, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.consultations.test_form.FailingBackend"
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/consultation/", valid_post)
    assert response.status_code == 302
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "stored" in text
    assert "failed" in text
    for private in PRIVATE:
        assert private not in text


def test_the_privacy_notice_covers_what_why_how_long_who_and_rights(client):
    page = client.get("/privacy/").content.decode()
    for words in ("What we collect", "Why we use it", "How long we keep it", "Who sees it",
                  "PDPA", "GDPR", "erased", django_settings.PRIVACY_NOTICE_VERSION):  # fmt: skip
        assert words in page


def test_a_thai_patient_gets_the_acknowledgment_in_thai(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", {**valid_post, "language": "th"})
    patient = mailoutbox[1]
    assert "เราได้รับคำขอ" in patient.subject
    assert "หมายเลขอ้างอิงของคุณ" in patient.body
