"""The retention command, and the calendar invitation on its own."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from consultations import calendar
from consultations.models import ConsultationEvent, ConsultationRequest
from tests.consultations import factories

Status = ConsultationRequest.Status
Kind = ConsultationEvent.Kind
CLOSED = [Status.COMPLETED, Status.DECLINED, Status.CANCELLED, Status.SPAM]
OPEN = [Status.NEW, Status.CONTACTED, Status.SCHEDULED]


def make_request(**fields):
    """A request with everything a purge must erase."""
    fields.setdefault("scheduled_at", timezone.now() - timedelta(days=30))
    return factories.make_request(
        **{
            "message": "My T-score was -1.9 last year; I take calcium.",
            "internal_notes": "Called on Monday, prefers mornings.",
            "time_zone": "Asia/Bangkok",
            "source_page": "/conditions/osteopenia/",
            "patient_change_note": "Mornings suit me better.",
            "video_link": "https://meet.example.com/abc-defg",
            **fields,
        }
    )


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def purge(*args):
    out = io.StringIO()
    call_command("purge_consultations", *args, stdout=out)
    return out.getvalue()


def assert_untouched(consultation):
    consultation.refresh_from_db()
    assert consultation.full_name == "Somchai Jaidee"
    assert consultation.email == "somchai@example.com"
    assert consultation.phone == "+66812345678"
    assert consultation.message.startswith("My T-score")
    assert consultation.internal_notes.startswith("Called on Monday")
    assert consultation.anonymised_at is None
    assert not consultation.events.filter(kind=Kind.ANONYMISED).exists()


def assert_anonymised(consultation, days=365):
    consultation.refresh_from_db()
    assert consultation.full_name == "(anonymised)"
    assert consultation.email == ""
    assert consultation.phone == ""
    assert consultation.message == ""
    assert consultation.internal_notes == ""
    assert consultation.time_zone == ""
    assert consultation.source_page == ""
    assert consultation.patient_change_note == ""
    assert consultation.video_link == ""
    assert consultation.anonymised_at is not None
    [event] = consultation.events.filter(kind=Kind.ANONYMISED)
    assert event.actor is None
    assert event.note == f"retention: {days} days after closing"


# purge_consultations


@pytest.mark.django_db
def test_purge_anonymises_only_old_closed_requests():
    old_closed = {status: make_request(status=status, closed_at=days_ago(400)) for status in CLOSED}
    old_open = {status: make_request(status=status, created_at=days_ago(400)) for status in OPEN}
    recent_closed = {
        status: make_request(status=status, closed_at=days_ago(30)) for status in CLOSED
    }

    output = purge()

    assert "Anonymised 4 request(s) closed more than 365 days ago." in output
    for status, consultation in old_closed.items():
        assert_anonymised(consultation)
        assert consultation.status == status  # kept for the clinic's statistics
    for consultation in [*old_open.values(), *recent_closed.values()]:
        assert_untouched(consultation)


@pytest.mark.django_db
def test_purge_keeps_what_is_not_personal():
    consultation = make_request(status=Status.COMPLETED, closed_at=days_ago(400))
    purge()
    stored = ConsultationRequest.objects.get(pk=consultation.pk)
    assert stored.reference == consultation.reference
    assert stored.preferred_date == consultation.preferred_date
    assert stored.created_at == consultation.created_at
    assert stored.closed_at == consultation.closed_at
    assert stored.status == Status.COMPLETED


@pytest.mark.django_db
def test_purge_honours_older_than():
    month_old = make_request(status=Status.DECLINED, closed_at=days_ago(30))
    week_old = make_request(status=Status.DECLINED, closed_at=days_ago(7))

    output = purge("--older-than", "10")

    assert "Anonymised 1 request(s) closed more than 10 days ago." in output
    assert_anonymised(month_old, days=10)
    assert_untouched(week_old)


@pytest.mark.django_db
def test_purge_with_zero_days_takes_every_closed_request():
    just_closed = make_request(status=Status.SPAM, closed_at=days_ago(0) - timedelta(seconds=1))
    still_open = make_request(status=Status.NEW, created_at=days_ago(1))
    purge("--older-than", "0")
    assert_anonymised(just_closed, days=0)
    assert_untouched(still_open)


@pytest.mark.django_db
def test_dry_run_names_the_requests_and_changes_nothing():
    due = [make_request(status=status, closed_at=days_ago(400)) for status in CLOSED]
    not_due = make_request(status=Status.NEW, created_at=days_ago(400))
    events_before = ConsultationEvent.objects.count()

    output = purge("--dry-run")

    assert output.startswith("Would anonymise 4 request(s) closed more than 365 days ago: ")
    for consultation in due:
        assert consultation.reference in output
        assert_untouched(consultation)
    assert not_due.reference not in output
    assert ConsultationEvent.objects.count() == events_before


@pytest.mark.django_db
def test_dry_run_with_nothing_due():
    make_request(status=Status.COMPLETED, closed_at=days_ago(30))
    assert (
        purge("--dry-run").strip() == "Would anonymise 0 request(s) closed more than 365 days ago."
    )


@pytest.mark.django_db
def test_a_second_purge_does_nothing_more():
    consultation = make_request(status=Status.COMPLETED, closed_at=days_ago(400))
    purge()
    consultation.refresh_from_db()
    first_anonymised_at = consultation.anonymised_at

    output = purge()

    assert "Anonymised 0 request(s)" in output
    consultation.refresh_from_db()
    assert consultation.anonymised_at == first_anonymised_at
    assert consultation.events.filter(kind=Kind.ANONYMISED).count() == 1
    assert "Would anonymise 0 request(s)" in purge("--dry-run")


@pytest.mark.django_db
@pytest.mark.parametrize("args", [("--older-than", "-1"), ("--older-than=-30",)])
def test_negative_days_is_an_error(args):
    consultation = make_request(status=Status.COMPLETED, closed_at=days_ago(400))
    with pytest.raises(CommandError, match="zero or more days"):
        purge(*args)
    assert_untouched(consultation)


@pytest.mark.django_db
def test_negative_days_is_an_error_when_called_from_code():
    with pytest.raises(CommandError, match="zero or more days"):
        call_command("purge_consultations", older_than=-5, stdout=io.StringIO())


@pytest.mark.django_db
def test_the_retention_period_counts_from_the_closing_not_from_the_request():
    """The privacy notice promises erasure a year after a request is closed."""
    long_open_just_closed = make_request(status=Status.CONTACTED, created_at=days_ago(500))
    long_open_just_closed.status = Status.COMPLETED
    long_open_just_closed.save()
    closed_long_ago = make_request(status=Status.COMPLETED, closed_at=days_ago(366))

    purge()

    assert_untouched(long_open_just_closed)
    assert_anonymised(closed_long_ago)


@pytest.mark.django_db
def test_a_reopened_request_is_open_again_and_not_purged():
    reopened = make_request(status=Status.DECLINED, closed_at=days_ago(400))
    reopened.status = Status.NEW
    reopened.save()
    reopened.refresh_from_db()
    assert reopened.closed_at is None

    purge()

    assert_untouched(reopened)
    # Closed again today: the year starts again from today.
    reopened.status = Status.DECLINED
    reopened.save()
    reopened.refresh_from_db()
    assert timezone.now() - reopened.closed_at < timedelta(minutes=1)
    purge()
    assert_untouched(reopened)


# The calendar invitation


def unfold(ics):
    return ics.replace("\r\n ", "")


def test_fold_keeps_short_lines_as_they_are():
    line = "SUMMARY:" + "x" * 67
    assert len(line) == 75
    assert calendar._fold(line) == line


@pytest.mark.parametrize("prefix", ["DESCRIPTION:", "DESCRIPTION:x", "DESCRIPTION:xx"])
def test_fold_never_splits_a_utf8_character(prefix):
    line = prefix + "กระดูกพรุน" * 8 + " é ü 😀" * 5
    folded = calendar._fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 2
    for index, part in enumerate(parts):
        assert len(part.encode()) <= 75
        if index:
            assert part.startswith(" ")
    # Every piece was whole UTF-8 on its own, and joining them back gives the line.
    assert all(part.encode().decode() == part for part in parts)
    assert unfold(folded) == line


def test_invitation_with_a_long_non_ascii_line_folds_on_character_boundaries():
    reference = "GH-" + "ÄÖÜ€" * 12
    consultation = ConsultationRequest(
        reference=reference,
        full_name="Somchai Jaidee",
        scheduled_at=datetime(2027, 3, 10, 7, 30, tzinfo=UTC),
    )
    ics = calendar.consultation_ics(
        consultation, scheduled_at=consultation.scheduled_at, sequence=1
    )
    assert ics.endswith("\r\n")
    lines = ics.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)
    unfolded = unfold(ics)
    assert f"UID:{reference}@genoma-health\r\n" in unfolded
    assert f"Reference {reference}." in unfolded
    assert "DTSTART;TZID=Asia/Bangkok:20270310T143000\r\n" in unfolded
    assert "Somchai" not in ics
