"""Errors go to Sentry when SENTRY_DSN is set, and never with patient data."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from genoma import sentry
from tests.genoma.test_settings import load_settings  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parents[2]
PATIENT = ["Somchai Jaidee", "somchai@example.com", "812345678", "T-score was -1.9"]


def test_sentry_starts_only_with_a_dsn(load_settings, monkeypatch):  # noqa: F811
    started = []
    monkeypatch.setattr(sentry, "start_sentry", lambda dsn, **options: started.append(dsn))
    load_settings(DJANGO_SECRET_KEY="k" * 50)
    assert started == []
    load_settings(DJANGO_SECRET_KEY="k" * 50, SENTRY_DSN="https://key@sentry.example.invalid/1")
    assert started == ["https://key@sentry.example.invalid/1"]


def test_an_event_keeps_the_fault_and_loses_the_patient():
    token = "43477f979591491c92f5e5082f266967:VMWzco-9aiQxDhi20I0O7B_8chVimCDYEHX0LyT_HOk"
    event = {
        "request": {
            "url": f"https://genoma.example/th/consultation/manage/{token}/",
            "method": "POST",
            "data": {"full_name": "Somchai Jaidee", "message": "T-score was -1.9"},
            "cookies": {"sessionid": "abc", "csrftoken": "def"},
            "query_string": "email=somchai@example.com",
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "Firefox", "X-Request-Id": "r1"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"ip_address": "203.0.113.9", "email": "somchai@example.com"},
        "breadcrumbs": {"values": [{"message": "INSERT … somchai@example.com"}]},
        "extra": {"sys.argv": ["gunicorn"]},
        "exception": {
            "values": [
                {
                    "type": "SMTPRecipientsRefused",
                    "value": "{'somchai@example.com': (550, b'no such user')}",
                    "stacktrace": {"frames": [{"function": "send", "vars": {"email": "x"}}]},
                }
            ]
        },
        "logentry": {"message": "Failed for %s", "params": ["somchai@example.com"]},
    }
    cleaned = sentry.scrub(event)
    text = json.dumps(cleaned)
    for private in ("Somchai", "somchai@example.com", "T-score", "sessionid", token, "203.0.113.9"):
        assert private not in text
    assert cleaned["request"]["url"] == "https://genoma.example/th/consultation/manage/[token]/"
    assert cleaned["request"]["headers"] == {"User-Agent": "Firefox", "X-Request-Id": "r1"}
    assert cleaned["exception"]["values"][0]["type"] == "SMTPRecipientsRefused"
    assert "[address]" in cleaned["exception"]["values"][0]["value"]


CAPTURE = """
import django, json, uuid
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_clinic_content", verbosity=0)
import sentry_sdk
from sentry_sdk.transport import Transport
from genoma.sentry import start_sentry

events = []

class Capture(Transport):
    def capture_envelope(self, envelope):
        events.extend(item.payload.json for item in envelope.items if item.type == "event")

start_sentry("https://key@sentry.example.invalid/1", transport=Capture())

from consultations import views

def broken(*args, **kwargs):
    raise RuntimeError("could not store the request of somchai@example.com")

views.submit_consultation_request = broken
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from datetime import timedelta
# Static files are not collected here (as in tests/conftest.py): no manifest to read.
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}).enable()
client = Client(raise_request_exception=False)
client.get("/consultation/")
response = client.post("/consultation/", {
    "full_name": "Somchai Jaidee", "email": "somchai@example.com", "phone": "081 234 5678",
    "country": "TH", "contact_method": "email", "language": "en",
    "preferred_date": (timezone.localdate() + timedelta(days=9)).isoformat(),
    "preferred_time": "morning", "message": "My T-score was -1.9 last year", "consent": "on",
    "submission_token": str(uuid.uuid4()), "form_started": "",
}, HTTP_X_REQUEST_ID="req-sentry-1")
sentry_sdk.flush()
print(json.dumps({"status": response.status_code, "events": events}))
"""


def test_a_server_error_reaches_sentry_without_patient_data(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="genoma.settings",
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"sqlite:///{tmp_path / 'sentry.sqlite3'}",
        DJANGO_LOG_LEVEL="CRITICAL",
        CONSULTATION_MIN_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CAPTURE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 500
    [event] = outcome["events"]
    [exception] = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == "could not store the request of [address]"
    request = event.get("request", {})
    assert "data" not in request
    assert "cookies" not in request
    text = json.dumps(event)
    for private in PATIENT:
        assert private not in text
    assert "csrftoken" not in text
