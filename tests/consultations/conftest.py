from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from consultations.forms import FORM_SIGNER_SALT


def started_seconds_ago(seconds):
    """A form time stamp as if the form had been shown `seconds` ago."""
    signer = signing.TimestampSigner(salt=FORM_SIGNER_SALT)
    original = signer.timestamp
    signer.timestamp = lambda: signing.b62_encode(int(timezone.now().timestamp() - seconds))
    try:
        return signer.sign("form")
    finally:
        signer.timestamp = original


@pytest.fixture
def valid_post(clinic_content):
    """What a patient who fills in the whole form sends (the form shown a minute ago)."""
    return {
        "full_name": "Somchai Jaidee",
        "email": "somchai@example.com",
        "phone": "081 234 5678",
        "country": "TH",
        "contact_method": "whatsapp",
        "language": "th",
        "condition": "osteopenia",
        "treatment": "msc-therapy",
        "preferred_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "preferred_time": "morning",
        "message": "My T-score was -1.9 last year; I take calcium.",
        "consent": "on",
        "website": "",
        "form_started": started_seconds_ago(60),
        "submission_token": "6f1c3a52-3f0e-4a8e-9a59-5a1c0f2b7e10",
        "source_page": "/conditions/osteopenia/",
        "source_article": "",
        "time_zone": "Asia/Bangkok",
    }


@pytest.fixture
def doctor(db):
    """Dr Somchai Jaidee, public, who sees patients Monday to Friday 09:00–12:00 and
    13:00–17:00 clinic time, at the clinic (45 minutes) or by video call (30 minutes)."""
    from tests.team.factories import with_calendar

    return with_calendar()
