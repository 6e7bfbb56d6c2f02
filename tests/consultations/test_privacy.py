"""Patients' data stays in the database: not in logs, and the notice explains their rights."""

import logging

import pytest
from django.conf import settings as django_settings

from consultations.models import ConsultationRequest

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


def test_the_clinic_email_carries_the_reference_and_link_only(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks
):
    """Not the condition of interest, not the preferred date: health details stay in admin."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", valid_post)
    stored = ConsultationRequest.objects.get()
    clinic = mailoutbox[0]
    assert stored.reference in clinic.body
    assert stored.admin_change_url() in clinic.body
    for detail in ("Osteopenia", "osteopenia", "MSC", "Morning", "Preferred", "Condition"):
        assert detail not in clinic.body
        assert detail not in clinic.subject
    day = stored.preferred_date
    for shown in (day.isoformat(), f"{day.day} {day:%B}", f"{day:%B} {day.day}"):
        assert shown not in clinic.body
    assert "no contact or health details" in clinic.body  # the footer's promise, kept


@pytest.mark.parametrize("language", ["en", "th"])
def test_the_acknowledgment_carries_nothing_the_sender_typed(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks, language
):
    """Anyone can type a stranger's address: the email the stranger gets says nothing
    the sender chose (no name, no message) besides the fixed text and the reference."""
    post = {
        **valid_post,
        "full_name": "Win a prize at evil example com",
        "message": "Call +1 900 555 0100 now",
        "language": language,
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", post)
    patient = mailoutbox[1]
    for typed in ("prize", "evil", "Win", "900 555", "Call"):
        assert typed not in patient.body
        assert typed not in patient.subject
    assert ConsultationRequest.objects.get().reference in patient.body


def test_the_acknowledgment_names_the_contact_method_in_a_sentence(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", {**valid_post, "language": "en", "contact_method": "email"})
    assert "will contact you by email within two working days" in mailoutbox[1].body


def test_every_line_of_the_thai_acknowledgment_is_thai(
    client, valid_post, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", {**valid_post, "language": "th", "contact_method": "line"})
    body = mailoutbox[1].body
    assert "ติดต่อคุณทาง LINE ภายในสองวันทำการ" in body
    for english in ("Hello", "Thank you", "What happens", "If you did not", "contact you"):
        assert english not in body


def test_replies_to_the_patient_emails_reach_the_clinic(
    client, valid_post, mailoutbox, settings, django_capture_on_commit_callbacks
):
    """The emails and the privacy notice ask patients to reply to them."""
    settings.CLINIC_EMAIL = "care@genoma.example"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", valid_post)
    patient = mailoutbox[1]
    assert "reply to this email" in patient.body or "ตอบกลับอีเมล" in patient.body
    assert patient.reply_to == ["care@genoma.example"]
    assert "reply to any email we sent you" in client.get("/privacy/").content.decode()


def test_the_deploy_check_warns_when_replies_would_reach_nobody(settings):
    from django.core import checks

    settings.CLINIC_EMAIL = ""
    warnings = checks.run_checks(include_deployment_checks=True)
    assert "consultations.W001" in {w.id for w in warnings}
    settings.CLINIC_EMAIL = "care@genoma.example"
    warnings = checks.run_checks(include_deployment_checks=True)
    assert "consultations.W001" not in {w.id for w in warnings}


def test_the_notice_says_what_the_calendar_and_the_patients_page_keep_and_set(client):
    """The sentences of the notice that the calendar and the patient's page added; each
    one's behaviour is tested where it is built (test_free_times_form.py,
    test_manage_link.py, test_commands.py) and the cookies below."""
    page = client.get("/privacy/").content.decode()
    for words in (
        "we keep that time and the clinician it is with",
        "we keep the note you write there",
        "anyone who has the link can see",
        "The link stops working once your personal data are erased.",
        "(completed, declined, cancelled or withdrawn)",
        "protects the consultation form and your request's own page",
    ):
        assert words in page


def test_the_patients_page_sets_only_the_cookies_the_notice_names(
    client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from consultations.manage import manage_token
    from tests.consultations.factories import make_request

    consultation = make_request()
    url = reverse("consultations:manage", args=[manage_token(consultation)])
    shown = client.get(url)
    assert set(shown.cookies) <= {"csrftoken"}
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.post(
            url, {"action": "another_time", "note": "", "csrfmiddlewaretoken": "x" * 64}
        )
    assert changed.status_code == 302
    assert set(changed.cookies) <= {"csrftoken", "messages"}
