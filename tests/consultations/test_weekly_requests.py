"""Consultation requests per week (issue 16): twelve weeks, Monday to Sunday in Bangkok,
each week's requests by status now and how many reached scheduled and completed."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import ConsultationEvent, ConsultationRequest
from tests.consultations.factories import make_request

pytestmark = pytest.mark.django_db

Status = ConsultationRequest.Status
BANGKOK = ZoneInfo("Asia/Bangkok")
INDEX = reverse("admin:index")
COLUMNS = [
    "received",
    "new",
    "contacted",
    "scheduled",
    "completed",
    "declined",
    "cancelled",
    "reached scheduled",
    "reached completed",
    "spam",
]
ROW = re.compile(r'<tr[^>]*>\s*<th scope="row"><time datetime="([\d-]+)">.*?</tr>', re.S)


def this_monday():
    today = timezone.localdate(timezone.now(), BANGKOK)
    return today - timedelta(days=today.weekday())


def weeks_ago(n):
    return this_monday() - timedelta(weeks=n)


def at(day, hour, minute=0):
    """`day` at hour:minute on the clinic's clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=BANGKOK)


def received(when, status=Status.NEW, **fields):
    return make_request(created_at=when, status=status, **fields)


def test_the_clinic_time_zone_is_bangkok(settings):
    assert settings.TIME_ZONE == "Asia/Bangkok"


def many_requests(count):
    """`count` requests over the twelve weeks, in every status, each with its trail."""
    statuses = [*Status]
    for n in range(count):
        request = received(
            at(weeks_ago(n % 12), 8 + n % 10), statuses[n % len(statuses)], full_name=f"P{n}"
        )
        ConsultationEvent.objects.create(
            request=request, kind=ConsultationEvent.Kind.STATUS, to_value=Status.SCHEDULED
        )


def test_the_counts_are_one_query(django_assert_num_queries):
    many_requests(24)
    with django_assert_num_queries(1):
        weeks = ConsultationRequest.objects.weekly_counts(weeks=12)
    assert len(weeks) == 12
    assert sum(week.received + week.spam for week in weeks) == 24


def test_twelve_weeks_from_monday_in_bangkok_spam_apart_and_what_was_reached():
    last_monday = weeks_ago(1)
    received(at(last_monday - timedelta(days=1), 23, 30), Status.CONTACTED)  # Sunday
    received(at(last_monday, 0, 30), Status.COMPLETED)  # Monday, Sunday 17:30 in UTC
    received(at(last_monday, 1), Status.SPAM)
    weeks = ConsultationRequest.objects.weekly_counts()
    assert [week.start for week in weeks] == [weeks_ago(n) for n in range(11, -1, -1)]
    before, last, this = weeks[-3:]
    assert (before.received, before.by_status["contacted"], before.reached_scheduled) == (1, 1, 0)
    assert (last.received, last.by_status["completed"], last.spam) == (1, 1, 1)
    assert (last.reached_scheduled, last.reached_completed) == (1, 1)
    assert this.received == this.spam == 0
