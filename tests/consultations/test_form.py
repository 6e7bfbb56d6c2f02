"""The consultation form, from the patient's side: validation, spam guards, PRG, emails."""

import re
import smtplib
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone

from consultations.models import ConsultationEvent, ConsultationRequest

pytestmark = pytest.mark.django_db
FORM_URL = "/consultation/"


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server down")


def post(client, data, **extra):
    return client.post(FORM_URL, data, **extra)


def submit(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return post(client, data)


def test_the_form_page_has_labels_help_and_an_unticked_consent_box(client, clinic_content):
    response = client.get(FORM_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_full_name">Full name</label>' in page
    assert 'aria-describedby="id_phone_help"' in page
    assert 'type="checkbox" name="consent"' in page
    assert 'name="consent" required id="id_consent" checked' not in page
    assert 'href="/privacy/"' in page
    assert "no-store" in response["Cache-Control"]


def test_condition_and_article_prefill_the_form_and_record_the_source(client, clinic_content):
    page = client.get(FORM_URL, {"condition": "osteopenia"}).content.decode()
    assert '<option value="osteopenia" selected>' in page
    slug = "breakthroughs-in-osteoporosis-treatment-uc-msc-therapy-emerging-in-thailand"
    page = client.get(FORM_URL, {"article": slug}).content.decode()
    assert '<option value="osteoporosis" selected>' in page
    assert f'name="source_article" value="{slug}"' in page
    assert f'name="source_page" value="/articles/{slug}/"' in page


def test_unknown_prefill_values_are_ignored(client, clinic_content):
    page = client.get(FORM_URL, {"condition": "<script>", "article": "nope"}).content.decode()
    assert "<script>" not in page.split("<main", 1)[1]
    assert '<option value="" selected>Not sure</option>' in page


def test_a_valid_request_is_stored_redirected_and_thanked_with_its_reference(
    client, valid_post, django_capture_on_commit_callbacks
):
    response = submit(client, valid_post, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/consultation/thanks/"
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.NEW
    assert stored.phone == "+66812345678"
    assert stored.condition.slug == "osteopenia"
    assert stored.treatment.slug == "msc-therapy"
    assert stored.consent_notice_version
    assert abs(stored.consent_at - timezone.now()) < timedelta(minutes=1)
    assert stored.source_page == "/conditions/osteopenia/"
    thanks = client.get(response["Location"])
    assert stored.reference in thanks.content.decode()
    assert "What happens next" in thanks.content.decode()
    assert "contacts you on WhatsApp within two working days" in thanks.content.decode()
    assert "no-store" in thanks["Cache-Control"]


def test_the_reference_is_readable_over_the_phone(client, valid_post):
    post(client, valid_post)
    reference = ConsultationRequest.objects.get().reference
    assert len(reference) == 12
    assert reference[:3] == "GH-"
    assert reference[7] == "-"
    assert not set(reference[3:].replace("-", "")) & set("01OIL")


def test_the_clinic_is_told_without_health_details_and_the_patient_is_acknowledged(
    client, valid_post, django_capture_on_commit_callbacks
):
    submit(client, valid_post, django_capture_on_commit_callbacks)
    stored = ConsultationRequest.objects.get()
    clinic, patient = mail.outbox
    assert clinic.to == ["clinic@localhost"]
    assert stored.reference in clinic.subject
    assert f"/admin/consultations/consultationrequest/{stored.pk}/change/" in clinic.body
    for private in ("Somchai", "somchai@example.com", "812345678", "T-score", "calcium"):
        assert private not in clinic.body
        assert private not in clinic.subject
    assert patient.to == ["somchai@example.com"]
    assert stored.reference in patient.body
    assert "calcium" not in patient.body
    stored.refresh_from_db()
    assert stored.clinic_notified_at
    assert stored.patient_notified_at
    assert ConsultationEvent.objects.filter(kind="notified").count() == 2


def test_a_failed_send_keeps_the_request_and_records_the_error(
    client, valid_post, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.consultations.test_form.FailingBackend"
    response = submit(client, valid_post, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    stored = ConsultationRequest.objects.get()
    assert "SMTPServerDisconnected" in stored.notification_error
    assert stored.clinic_notified_at is None
    assert ConsultationEvent.objects.filter(kind="notification_failed").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "This field is required."),
        ("full_name", "   ", "This field is required."),
        ("full_name", "x" * 121, "at most 120 characters"),
        ("full_name", "12345", "Please enter your name."),
        ("full_name", "Som\x00chai", "Null characters are not allowed."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "a@b", "Enter a valid email address."),
        ("phone", "12", "Enter a valid phone number"),
        ("phone", "+66 12", "Enter a valid phone number"),
        ("phone", "call me maybe", "Enter a valid phone number"),
        ("phone", "+1" + "9" * 70, "at most 64 characters"),
        ("country", "XX", "Select a valid choice"),
        ("contact_method", "pigeon", "Select a valid choice"),
        ("language", "fr", "Select a valid choice"),
        ("condition", "cancer", "Select a valid choice"),
        ("treatment", "<b>x</b>", "Select a valid choice"),
        ("preferred_date", "2020-01-01", "Choose today or a later date."),
        ("preferred_date", "2999-01-01", "within the next six months"),
        ("preferred_date", "31/02/2027", "Enter a valid date."),
        ("preferred_date", "tomorrow", "Enter a valid date."),
        ("preferred_date", "", "This field is required."),
        ("preferred_time", "midnight", "Select a valid choice"),
        ("message", "x" * 2001, "at most 2000 characters"),
        ("consent", "", "Please agree to the processing"),
    ],
)
def test_bad_input_gets_a_clear_message_keeps_what_was_typed_and_stores_nothing(
    client, valid_post, field, value, message
):
    data = {**valid_post, field: value}
    response = post(client, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="error-summary"' in page
    assert f'id="id_{field}_error"' in page
    assert 'aria-invalid="true"' in page
    if field != "full_name":
        assert 'value="Somchai Jaidee"' in page
    assert ConsultationRequest.objects.count() == 0


def test_the_error_is_announced_beside_the_field_and_linked_from_the_summary(client, valid_post):
    page = post(client, {**valid_post, "email": "nope"}).content.decode()
    assert 'role="alert"' in page
    assert '<a href="#id_email">Email: Enter a valid email address.</a>' in page
    assert 'aria-describedby="id_email_error id_email_help"' in page


def test_markup_and_unicode_are_stored_as_typed_and_escaped_on_output(client, valid_post):
    data = {
        **valid_post,
        "full_name": "สมชาย <b>ใจดี</b>",
        "message": "<script>alert(1)</script> 😀",
    }
    assert post(client, data).status_code == 302
    stored = ConsultationRequest.objects.get()
    assert stored.full_name == "สมชาย <b>ใจดี</b>"
    assert stored.message == "<script>alert(1)</script> 😀"
    error_page = post(client, {**data, "email": "bad"}).content.decode()
    assert "<script>alert(1)</script>" not in error_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in error_page


def test_control_characters_are_dropped_from_the_message(client, valid_post):
    post(client, {**valid_post, "message": "line one\r\nline\x07 two\x1b"})
    assert ConsultationRequest.objects.get().message == "line one\nline two"


def test_an_international_number_is_normalised(client, valid_post):
    post(client, {**valid_post, "country": "GB", "phone": "07911 123456"})
    assert ConsultationRequest.objects.get().phone == "+447911123456"


def test_a_missing_csrf_token_gets_the_friendly_403_page(valid_post):
    response = Client(enforce_csrf_checks=True).post(FORM_URL, valid_post)
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert ConsultationRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"website": "http://spam.example"}, "honeypot filled"),
        ({"form_started": "forged-value"}, "form time stamp missing or forged"),
        ({"form_started": ""}, "form time stamp missing or forged"),
    ],
)
def test_suspected_spam_is_stored_as_spam_and_sends_no_email(
    client, valid_post, django_capture_on_commit_callbacks, changes, reason
):
    response = submit(client, {**valid_post, **changes}, django_capture_on_commit_callbacks)
    assert response.status_code == 302  # a bot learns nothing
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.SPAM
    assert stored.spam_reason == reason
    assert mail.outbox == []


def test_the_minimum_fill_time_follows_the_setting(client, valid_post, settings):
    settings.CONSULTATION_MIN_SECONDS = 120
    post(client, valid_post)  # shown 60 seconds ago
    stored = ConsultationRequest.objects.get()
    assert stored.status == ConsultationRequest.Status.NEW
    assert re.fullmatch(r"sent 6[01] seconds after the form was shown", stored.review_note)


def test_a_double_submission_stores_one_request_and_lands_on_the_same_thanks_page(
    client, valid_post
):
    first = post(client, valid_post)
    second = post(client, valid_post)
    assert first["Location"] == second["Location"] == "/consultation/thanks/"
    assert ConsultationRequest.objects.count() == 1
    reference = ConsultationRequest.objects.get().reference
    assert reference in client.get("/consultation/thanks/").content.decode()


def test_a_new_form_is_a_new_request(client, valid_post):
    post(client, valid_post)
    post(client, {**valid_post, "submission_token": str(uuid.uuid4())})
    assert ConsultationRequest.objects.count() == 2


def test_the_thanks_page_without_a_request_says_so(client, db):
    page = client.get("/consultation/thanks/").content.decode()
    assert "No request found" in page


def test_the_rate_limit_answers_429_after_five_requests_an_hour(client, valid_post):
    for _ in range(5):
        assert (
            post(client, {**valid_post, "submission_token": str(uuid.uuid4())}).status_code == 302
        )
    response = post(client, {**valid_post, "submission_token": str(uuid.uuid4())})
    assert response.status_code == 429
    assert "You have sent several requests already" in response.content.decode()
    assert ConsultationRequest.objects.count() == 5
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert post(other, {**valid_post, "submission_token": str(uuid.uuid4())}).status_code == 302


def test_the_rate_limit_reads_its_setting_and_can_be_switched_off(client, valid_post, settings):
    settings.CONSULTATION_RATE_LIMIT = "1/m"
    post(client, valid_post)
    assert post(client, {**valid_post, "submission_token": str(uuid.uuid4())}).status_code == 429
    settings.CONSULTATION_RATE_LIMIT = "off"
    assert post(client, {**valid_post, "submission_token": str(uuid.uuid4())}).status_code == 302


def test_the_rate_limit_counts_the_client_behind_trusted_proxies(client, valid_post, settings):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    settings.TRUSTED_PROXY_COUNT = 1
    post(client, valid_post, HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = {**valid_post, "submission_token": str(uuid.uuid4())}
    assert post(client, other, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302
    again = {**valid_post, "submission_token": str(uuid.uuid4())}
    assert post(client, again, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_a_database_failure_answers_please_try_again_and_stores_nothing(
    client, valid_post, monkeypatch
):
    from django.db import OperationalError

    def unavailable(*args, **kwargs):
        raise OperationalError("database is unavailable")

    monkeypatch.setattr(ConsultationRequest.objects, "create", unavailable)
    response = post(client, valid_post)
    assert response.status_code == 503
    assert "nothing was stored" in response.content.decode()
    monkeypatch.undo()
    assert ConsultationRequest.objects.count() == 0


def test_only_get_and_post_are_allowed(client, db):
    assert client.put(FORM_URL).status_code == 405
    assert client.post("/consultation/thanks/").status_code == 405


@pytest.mark.parametrize("method", ["get", "post"])
def test_with_the_database_unreachable_the_form_says_please_try_again(method):
    """The real site, started against a database it cannot reach: 503 and a friendly page."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="genoma.settings",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="CRITICAL",
        DATABASE_URL="postgres://genoma@127.0.0.1:9/genoma?connect_timeout=2",
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        # Static files are not collected here: plain storage instead of the manifest.
        "settings.STORAGES = {**settings.STORAGES, 'staticfiles': "
        "{'BACKEND': 'django.contrib.staticfiles.storage.StaticFilesStorage'}}; "
        "from django.test import Client; "
        f"r = Client().{method}('/consultation/', {{'full_name': 'A'}}, HTTP_HOST='localhost'); "
        "print('RESULT', r.status_code, 'nothing was stored' in r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT")]
    assert lines == ["RESULT 503 True"], result.stderr[-2000:]
