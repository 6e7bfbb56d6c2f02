"""One week of the clinicians' calendars, as the admin's calendar page shows it.

The page reads a fixed number of queries whatever the number of clinicians and
consultations: the week's consultations in one query, the clinicians with their hours,
days off and types in one query each. The free times it offers (when staff look for a
time for one request) come from `scheduling.free_in`, the rule the patients' form uses,
from now on rather than after the patients' notice period: whatever staff pick is checked
again by `scheduling.book` under the clinician's lock.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from consultations import scheduling
from consultations.models import ConsultationRequest
from team.models import Clinician, DayOff

Status = ConsultationRequest.Status
# Shown in the calendar: what holds a clinician's time (open, with a clinician), and what
# was scheduled or took place (a consultation scheduled without a clinician included).
SHOWN = Q(status__in=ConsultationRequest.OPEN_STATUSES, clinician__isnull=False) | Q(
    status__in=[Status.SCHEDULED, Status.COMPLETED]
)


def monday_of(day):
    return day - timedelta(days=day.weekday())


def parse_day(value):
    """The date `value` names (YYYY-MM-DD), or None for anything else."""
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def clinic_time(moment):
    """A stored (UTC) moment in the clinic's time zone, whatever zone is active."""
    return timezone.localtime(moment, timezone.get_default_timezone())


def clock(moment):
    return formats.time_format(clinic_time(moment), "H:i")


def week_bounds(monday):
    """The week's first and last moments, aware in the clinic's time zone: [start, end)."""
    zone = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(monday, time.min), zone)
    end = timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min), zone)
    return start, end


@dataclass
class Entry:
    """A consultation in the calendar."""

    consultation: ConsultationRequest
    is_current: bool  # the request staff are finding a time for

    @property
    def start(self):
        return self.consultation.scheduled_at

    @property
    def time_range(self):
        end = self.consultation.scheduled_until or (self.start + self.consultation.duration)
        return f"{clock(self.start)}–{clock(end)}"

    @property
    def is_held(self):
        """A time the patient picked (or staff noted) that staff have not confirmed yet."""
        return self.consultation.status in (Status.NEW, Status.CONTACTED)

    @property
    def status_label(self):
        if self.is_held:
            return _("held, to confirm")
        return self.consultation.get_status_display()

    @property
    def type_label(self):
        kind = self.consultation.consultation_type
        return str(kind) if kind else _("no consultation type")


# What a free time's button says to a screen reader, by the type's mode.
BOOK_LABELS = {
    "clinic": lambda when: _("Book %(time)s at the clinic") % {"time": when},
    "video": lambda when: _("Book %(time)s by video call") % {"time": when},
}


@dataclass
class FreeSlot:
    """A free time as its button shows it: the clock, the full label, the form's value."""

    time: str
    label: str
    value: str


@dataclass
class FreeTimes:
    consultation_type: object
    slots: list


@dataclass
class Day:
    day: date
    is_today: bool
    periods: list
    day_off: DayOff | None
    entries: list = field(default_factory=list)
    free: list = field(default_factory=list)

    @property
    def hours_label(self):
        return ", ".join(f"{p.starts:%H:%M}–{p.ends:%H:%M}" for p in self.periods)

    @property
    def has_free_times(self):
        return any(free.slots for free in self.free)


@dataclass
class ClinicianWeek:
    clinician: Clinician | None  # None: consultations scheduled without a clinician
    days: list

    @property
    def anchor(self):
        return f"clinician-{self.clinician.pk}" if self.clinician else "no-clinician"


def clinicians_with_hours():
    """The clinicians the calendar shows when no one is chosen, for its filter too."""
    return Clinician.objects.filter(consultation_hours__isnull=False).distinct()


def build_week(monday, *, clinician=None, current=None, with_free_times=False, now=None):
    """The week from `monday` of one clinician (or of every clinician with hours, and of
    any other who has a consultation that week), day by day: hours, days off, the
    consultations and, `with_free_times`, the free times of each of their consultation
    types from `now` on. `current` is the request staff are finding a time for: its own
    time is free for it, as `scheduling.check_slot` treats it."""
    now = now or timezone.now()
    start, end = week_bounds(monday)
    days = [monday + timedelta(days=n) for n in range(7)]
    consultations = (
        ConsultationRequest.objects.filter(SHOWN, scheduled_at__gte=start, scheduled_at__lt=end)
        .select_related("consultation_type")
        .order_by("scheduled_at", "pk")
    )
    if clinician is not None:
        consultations = consultations.filter(clinician=clinician)
    consultations = list(consultations)

    if clinician is not None:
        clinicians = Clinician.objects.filter(pk=clinician.pk)
    else:
        with_consultations = {c.clinician_id for c in consultations if c.clinician_id}
        clinicians = Clinician.objects.filter(
            Q(consultation_hours__isnull=False) | Q(pk__in=with_consultations)
        ).distinct()
    prefetches = [
        "consultation_hours",
        Prefetch(
            "days_off",
            queryset=DayOff.objects.filter(first_day__lte=days[-1], last_day__gte=days[0]),
        ),
    ]
    if with_free_times:
        prefetches.append("consultation_types")
    clinicians = list(clinicians.order_by("name", "pk").prefetch_related(*prefetches))

    by_clinician_day = defaultdict(list)
    busy = defaultdict(list)
    for consultation in consultations:
        day = clinic_time(consultation.scheduled_at).date()
        is_current = current is not None and consultation.pk == current.pk
        by_clinician_day[consultation.clinician_id, day].append(Entry(consultation, is_current))
        if consultation.is_open and consultation.clinician_id and not is_current:
            until = consultation.scheduled_until or (
                consultation.scheduled_at + consultation.duration
            )
            busy[consultation.clinician_id].append((consultation.scheduled_at, until))

    today = clinic_time(now).date()
    weeks = []
    for person in clinicians:
        periods = defaultdict(list)
        for period in person.consultation_hours.all():
            periods[period.weekday].append(period)
        days_off = list(person.days_off.all())
        cells = []
        for day in days:
            off = next((d for d in days_off if d.covers(day)), None)
            cell = Day(
                day=day,
                is_today=day == today,
                periods=periods[day.weekday()],
                day_off=off,
                entries=by_clinician_day[person.pk, day],
            )
            if with_free_times and off is None and day >= today:
                cell.free = [
                    FreeTimes(kind, _free_on(kind, cell.periods, day, now, busy[person.pk]))
                    for kind in person.consultation_types.all()
                ]
            cells.append(cell)
        weeks.append(ClinicianWeek(person, cells))
    if clinician is None and any(c.clinician_id is None for c in consultations):
        cells = [Day(day=day, is_today=day == today, periods=[], day_off=None) for day in days]
        for cell in cells:
            cell.entries = by_clinician_day[None, cell.day]
        weeks.append(ClinicianWeek(None, cells))
    return weeks


def _free_on(consultation_type, periods, day, now, busy):
    label = BOOK_LABELS.get(consultation_type.mode, BOOK_LABELS["clinic"])
    slots = []
    for period in periods:
        for slot in scheduling.free_in(consultation_type, period.on(day), now, busy):
            when = clock(slot.start)
            slots.append(FreeSlot(when, label(when), slot.value))
    return slots
