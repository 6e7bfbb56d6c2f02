"""Clinicians' calendars: which times are free, and booking one.

The rules of the calendar live here once; the patient's form, the admin's change form
and its calendar all ask them. A time is bookable when it lies within one period of the
clinician's weekly consultation hours, not on a day off, not in the past, and shares no
moment with another consultation of the clinician that holds its time
(`ConsultationRequest.objects.holding_time()`). The database refuses an overlap on its
own (migration consultations 0005); the checks here give the clear message first, under
a lock on the clinician's row, so two staff members booking at once are answered in turn.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from consultations.models import ConsultationRequest
from team.models import Clinician, ConsultationType

BOOKING_WEEKS = 6  # how far ahead patients see free times
PATIENT_NOTICE = timedelta(hours=12)  # the earliest a patient may pick: staff confirm first


class SlotUnavailable(Exception):
    """The time cannot be booked; `code` says why (past, hours, day_off, clash, type)."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


class Slot(NamedTuple):
    """A free time of one clinician for one consultation type."""

    consultation_type: ConsultationType
    start: datetime

    @property
    def end(self):
        return self.start + self.consultation_type.duration

    @property
    def clinician(self):
        return self.consultation_type.clinician

    @property
    def value(self):
        """How staff's calendar names this slot for the schedule view: the type and the
        UTC start, to the minute ("12-202612080300")."""
        return f"{self.consultation_type.pk}-{self.start.astimezone(UTC):%Y%m%d%H%M}"


def parse_slot_value(value):
    """(type pk, aware UTC start) from `Slot.value`, or None for anything else."""
    type_pk, _sep, stamp = str(value).partition("-")
    if not type_pk.isdigit() or len(stamp) != 12 or not stamp.isdigit():
        return None
    try:
        start = datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    return int(type_pk), start


def _clock(moment):
    return formats.time_format(timezone.localtime(moment), "H:i")


def _day(moment_or_date):
    day = moment_or_date
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    return formats.date_format(day, "DATE_FORMAT")


def _hours_text(periods):
    return ", ".join(f"{p.starts:%H:%M}–{p.ends:%H:%M}" for p in periods)


def check_slot(consultation_type, start, *, request=None, now=None, earliest=None):
    """Raise SlotUnavailable when `consultation_type`'s clinician cannot see a patient
    from `start` (aware) for the type's duration; `request` is the one being booked
    (its own current time is no clash). Reads the clinician's hours, days off and
    consultations: call it under `lock_calendar` when the answer leads to a write."""
    clinician = consultation_type.clinician
    now = now or timezone.now()
    end = start + consultation_type.duration
    if start <= (earliest or now):
        raise SlotUnavailable(
            _("%(when)s has already passed. Choose a time from now on.")
            % {"when": f"{_day(start)} {_clock(start)}"}
            if start <= now
            else _("%(when)s is too soon to confirm. Choose a later time.")
            % {"when": f"{_day(start)} {_clock(start)}"},
            "past",
        )
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    day = local_start.date()
    if clinician.days_off.filter(first_day__lte=day, last_day__gte=day).exists():
        raise SlotUnavailable(
            _("%(clinician)s does not see patients on %(day)s (a day off).")
            % {"clinician": clinician.name, "day": _day(day)},
            "day_off",
        )
    periods = list(clinician.consultation_hours.filter(weekday=day.weekday()))
    fits = any(
        period.on(day)[0] <= local_start and local_end <= period.on(day)[1] for period in periods
    )
    if not fits:
        if periods:
            message = _(
                "%(start)s–%(end)s is outside the consultation hours of %(clinician)s on %(weekday)s (%(hours)s)."
            ) % {
                "start": _clock(start),
                "end": _clock(end),
                "clinician": clinician.name,
                "weekday": WEEKDAYS[day.weekday()],
                "hours": _hours_text(periods),
            }
        else:
            message = _("%(clinician)s has no consultation hours on %(weekday)s.") % {
                "clinician": clinician.name,
                "weekday": WEEKDAYS[day.weekday()],
            }
        raise SlotUnavailable(message, "hours")
    clashes = ConsultationRequest.objects.overlapping(clinician, start, end)
    if request is not None and request.pk is not None:
        clashes = clashes.exclude(pk=request.pk)
    clash = clashes.only("reference", "scheduled_at", "scheduled_until").first()
    if clash is not None:
        raise SlotUnavailable(
            _(
                "%(clinician)s already has a consultation from %(start)s to %(end)s on %(day)s (%(reference)s)."
            )
            % {
                "clinician": clinician.name,
                "start": _clock(clash.scheduled_at),
                "end": _clock(clash.scheduled_until),
                "day": _day(clash.scheduled_at),
                "reference": clash.reference,
            },
            "clash",
        )


def lock_calendar(clinician):
    """Inside a transaction: bookings of this clinician wait for each other from here
    (a row lock on PostgreSQL; SQLite's IMMEDIATE transactions already take turns)."""
    Clinician.objects.select_for_update().filter(pk=clinician.pk).values_list("pk").first()


def book(request, consultation_type, start, *, actor, video_link=None):
    """Schedule `request` with the type's clinician at `start`, audited and confirmed
    to the patient by email (services.change_request); raise SlotUnavailable when the
    time cannot be booked, the request unchanged."""
    from consultations import services

    changes = {
        "status": ConsultationRequest.Status.SCHEDULED,
        "clinician": consultation_type.clinician,
        "consultation_type": consultation_type,
        "scheduled_at": start,
    }
    if video_link is not None:
        changes["video_link"] = video_link
    try:
        with transaction.atomic():
            lock_calendar(consultation_type.clinician)
            check_slot(consultation_type, start, request=request)
            return services.change_request(request, actor=actor, changes=changes)
    except IntegrityError as error:  # the database's own refusal: a race the lock missed
        raise SlotUnavailable(
            _("%(clinician)s already has a consultation at that time.")
            % {"clinician": consultation_type.clinician.name},
            "clash",
        ) from error


def free_slots(mode, *, now=None, weeks=BOOKING_WEEKS):
    """The free times of every bookable clinician offering `mode`, from the patient's
    notice period on, for `weeks` weeks: Slots in time order. A fixed number of queries
    whatever the number of clinicians, periods or consultations."""
    now = now or timezone.now()
    earliest = now + PATIENT_NOTICE
    first_day = timezone.localtime(earliest).date()
    last_day = first_day + timedelta(weeks=weeks)
    types = list(
        ConsultationType.objects.bookable()
        .filter(mode=mode)
        .select_related("clinician")
        .prefetch_related("clinician__consultation_hours", "clinician__days_off")
    )
    busy = defaultdict(list)
    taken = ConsultationRequest.objects.holding_time().filter(
        clinician__in=[t.clinician_id for t in types],
        scheduled_until__gt=earliest,
        scheduled_at__lt=now + timedelta(weeks=weeks + 1),
    )
    for clinician_id, start, end in taken.values_list(
        "clinician_id", "scheduled_at", "scheduled_until"
    ):
        busy[clinician_id].append((start, end))
    slots = []
    for consultation_type in types:
        clinician = consultation_type.clinician
        periods = defaultdict(list)
        for period in clinician.consultation_hours.all():
            periods[period.weekday].append(period)
        days_off = list(clinician.days_off.all())
        day = first_day
        while day <= last_day:
            if not any(off.covers(day) for off in days_off):
                for period in periods[day.weekday()]:
                    slots += free_in(
                        consultation_type, period.on(day), earliest, busy[clinician.pk]
                    )
            day += timedelta(days=1)
    return sorted(slots, key=lambda slot: (slot.start, slot.clinician.name))


def free_in(consultation_type, period, earliest, busy):
    """The type's slots one after another from the period's start, those free."""
    start, period_end = period
    duration = consultation_type.duration
    free = []
    while start + duration <= period_end:
        end = start + duration
        if start > earliest and not any(b_start < end and start < b_end for b_start, b_end in busy):
            free.append(Slot(consultation_type, start))
        start = end
    return free


def free_times(mode, *, now=None):
    """What a patient chooses from: each free start time of `mode` once, with the Slot
    of the first clinician (by name) free then. In time order."""
    first = {}
    for slot in free_slots(mode, now=now):
        first.setdefault(slot.start, slot)
    return list(first.values())


def start_value(start):
    """How a form names a start time: UTC, to the minute ("202612080300")."""
    return f"{start.astimezone(UTC):%Y%m%d%H%M}"


def bookable_slot(mode, value, *, now=None):
    """The Slot a patient may book at the start time `value` names (from `start_value`):
    the first clinician by name offering `mode` who is free then, from the patient's
    notice period on. Raise SlotUnavailable when nobody is (code "clash" when the time
    was free but is taken, "gone" for anything else)."""
    try:
        start = datetime.strptime(str(value), "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        raise SlotUnavailable(_("That time is no longer available."), "gone") from None
    now = now or timezone.now()
    if start > now + timedelta(weeks=BOOKING_WEEKS, days=1):
        raise SlotUnavailable(_("That time is no longer available."), "gone")
    earliest = now + PATIENT_NOTICE
    refusals = []
    bookable = ConsultationType.objects.bookable().filter(mode=mode)
    for consultation_type in bookable.select_related("clinician").order_by("clinician__name"):
        try:
            check_slot(consultation_type, start, earliest=earliest)
        except SlotUnavailable as refused:
            refusals.append(refused.code)
            continue
        return Slot(consultation_type, start)
    code = "clash" if "clash" in refusals else "gone"
    raise SlotUnavailable(_("That time is no longer available."), code)
