"""The migration that keeps what the old rows said: closing times, chosen names, who acted,
and the trail's values instead of the labels it used to store."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.migrations import migrate, migrate_to_latest

BEFORE = [("consultations", "0001_initial")]
AFTER = [("consultations", "0002_promises_kept")]


@pytest.mark.django_db(transaction=True)
def test_old_rows_gain_closing_times_names_and_values():
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("auth", "User")
        Condition = apps.get_model("articles", "Condition")
        Request = apps.get_model("consultations", "ConsultationRequest")
        Event = apps.get_model("consultations", "ConsultationEvent")
        nurse = User.objects.create(username="nurse", first_name="Ploy", last_name="Chai")
        condition = Condition.objects.create(name="Osteopenia", slug="osteopenia-m", summary="")
        common = {"contact_method": "email", "language": "en", "preferred_time": "any",
                  "preferred_date": timezone.localdate(), "consent_at": timezone.now()}  # fmt: skip
        declined = Request.objects.create(
            reference="GH-AAAA-AAAA", submission_token="6f1c3a52-3f0e-4a8e-9a59-5a1c0f2b7e11",
            full_name="A", status="declined", condition=condition, **common,
        )  # fmt: skip
        still_open = Request.objects.create(
            reference="GH-BBBB-BBBB", submission_token="6f1c3a52-3f0e-4a8e-9a59-5a1c0f2b7e12",
            full_name="B", status="contacted", **common,
        )  # fmt: skip
        closing = timezone.now() - timedelta(days=40)
        Event.objects.create(request=declined, kind="submitted", to_value="new",
                             created_at=closing - timedelta(days=9))  # fmt: skip
        Event.objects.create(request=declined, actor=nurse, kind="status", from_value="New",
                             to_value="Declined", created_at=closing)  # fmt: skip
        Event.objects.create(request=still_open, actor=nurse, kind="status", from_value="New",
                             to_value="Contacted")  # fmt: skip
        Event.objects.create(request=still_open, actor=nurse, kind="scheduled_time",
                             from_value="—", to_value="2026-12-01 14:30 +07")  # fmt: skip

        apps = migrate(AFTER)

        Request = apps.get_model("consultations", "ConsultationRequest")
        Event = apps.get_model("consultations", "ConsultationEvent")
        declined = Request.objects.get(reference="GH-AAAA-AAAA")
        assert declined.closed_at == closing
        assert declined.condition_name == "Osteopenia"
        assert Request.objects.get(reference="GH-BBBB-BBBB").closed_at is None
        moves = list(Event.objects.filter(kind="status").order_by("pk"))
        assert [(e.from_value, e.to_value) for e in moves] == [
            ("new", "declined"),
            ("new", "contacted"),
        ]
        assert {e.actor_name for e in moves} == {"Ploy Chai"}
        scheduled = Event.objects.get(kind="scheduled_time")
        assert scheduled.from_value == ""
        assert scheduled.to_value == datetime(2026, 12, 1, 7, 30, tzinfo=UTC).isoformat()
    finally:
        migrate_to_latest()
