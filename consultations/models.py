"""Consultation requests from patients, and their append-only review trail."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# No 0/O, 1/I/L: a reference read over the phone cannot be misheard as another.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


ANONYMISED_NAME = "(anonymised)"
DEFAULT_DURATION = timedelta(hours=1)  # a consultation scheduled without a type


class SecureURLField(models.URLField):
    """A web address; typed without a scheme, it is read as https:// (as Django 6 will)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def new_reference():
    """An unguessable reference such as GH-7K3Q-9P2M (31^8, about 8.5e11 values)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"GH-{chars[:4]}-{chars[4:]}"


def _status_rank():
    return Case(
        When(status="new", then=Value(0)),
        When(status="contacted", then=Value(1)),
        When(status="scheduled", then=Value(2)),
        default=Value(3),
    )


OPEN_FIRST = [_status_rank().asc(), "-created_at"]


@dataclass
class WeekCount:
    """One week's requests (Monday to Sunday in the clinic's time zone): how many came, by
    their status now, and how many of them reached "scheduled" and "completed" at some
    point. Spam is counted apart: it is in neither `received` nor the others."""

    # Every status but spam, in the workflow's order (the chart's stack, the table's columns).
    STATUSES = ("new", "contacted", "scheduled", "completed", "declined", "cancelled")

    start: date  # the Monday
    by_status: dict  # status code -> count, spam excluded
    reached_scheduled: int
    reached_completed: int
    spam: int

    @property
    def received(self):
        return sum(self.by_status.values())

    @property
    def figures(self):
        """As the admin table gives them: received, each of STATUSES in their order,
        reached scheduled, reached completed, spam."""
        return [
            self.received,
            *(self.by_status[code] for code in self.STATUSES),
            self.reached_scheduled,
            self.reached_completed,
            self.spam,
        ]

    @classmethod
    def sum(cls, weeks):
        """The weeks added up (its `start` is the first week's)."""
        return cls(
            start=weeks[0].start,
            by_status={code: sum(week.by_status[code] for week in weeks) for code in cls.STATUSES},
            reached_scheduled=sum(week.reached_scheduled for week in weeks),
            reached_completed=sum(week.reached_completed for week in weeks),
            spam=sum(week.spam for week in weeks),
        )


def _reached(status):
    """A request that is, or once was, in `status`: its status now, or a status change (or
    its submission) to it in the audit trail. A request scheduled and later cancelled still
    reached "scheduled"; a completed one reached "scheduled" before it."""
    now_or_after = {
        ConsultationRequest.Status.SCHEDULED: ("scheduled", "completed"),
        ConsultationRequest.Status.COMPLETED: ("completed",),
    }[status]
    trail = ConsultationEvent.objects.filter(
        request=OuterRef("pk"),
        kind__in=(ConsultationEvent.Kind.STATUS, ConsultationEvent.Kind.SUBMITTED),
        to_value=status,
    )
    return Q(status__in=now_or_after) | Q(Exists(trail))


class ConsultationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=ConsultationRequest.OPEN_STATUSES)

    def closed(self):
        return self.exclude(status__in=ConsultationRequest.OPEN_STATUSES)

    def open_first(self):
        """Open requests first (new, then contacted, then scheduled), newest first within each."""
        return self.order_by(*OPEN_FIRST)

    def holding_time(self):
        """Requests that keep a clinician's time: open, with a clinician and a time (the
        patient's pick awaiting staff, or a scheduled consultation). The database refuses
        two of them overlapping for one clinician (migration 0005)."""
        return self.filter(
            status__in=ConsultationRequest.OPEN_STATUSES,
            clinician__isnull=False,
            scheduled_at__isnull=False,
        )

    def overlapping(self, clinician, start, end):
        """The clinician's consultations that share a moment with [start, end)."""
        return self.holding_time().filter(
            clinician=clinician, scheduled_at__lt=end, scheduled_until__gt=start
        )

    def weekly_counts(self, weeks=12, now=None):
        """The last `weeks` weeks, oldest first and the current one last, each a WeekCount
        (empty weeks too): one query, whatever the number of requests.

        A week runs Monday to Sunday in the clinic's time zone (settings.TIME_ZONE); a
        request belongs to the week it was received in."""
        clinic = timezone.get_default_timezone()
        today = timezone.localtime(now or timezone.now(), clinic).date()
        first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
        mondays = [first + timedelta(weeks=n) for n in range(weeks)]
        start = datetime.combine(first, time.min, tzinfo=clinic)
        end = datetime.combine(mondays[-1] + timedelta(weeks=1), time.min, tzinfo=clinic)
        Status = ConsultationRequest.Status
        real = ~Q(status=Status.SPAM)
        rows = (
            self.filter(created_at__gte=start, created_at__lt=end)
            .annotate(week=TruncWeek("created_at", tzinfo=clinic))
            .values("week")
            .annotate(
                **{f"n_{code}": Count("pk", filter=Q(status=code)) for code in Status.values},
                reached_scheduled=Count("pk", filter=real & _reached(Status.SCHEDULED)),
                reached_completed=Count("pk", filter=real & _reached(Status.COMPLETED)),
            )
            .order_by("week")
        )
        found = {timezone.localtime(row["week"], clinic).date(): row for row in rows}
        weeks = []
        for monday in mondays:
            row = found.get(monday, {})
            weeks.append(
                WeekCount(
                    start=monday,
                    by_status={s: row.get(f"n_{s}", 0) for s in WeekCount.STATUSES},
                    reached_scheduled=row.get("reached_scheduled", 0),
                    reached_completed=row.get("reached_completed", 0),
                    spam=row.get(f"n_{Status.SPAM}", 0),
                )
            )
        return weeks

    def with_failed_notifications(self):
        return self.exclude(notification_error="")

    def with_reminders_due(self, now=None):
        """Scheduled consultations of the next day whose reminder has not gone yet."""
        now = now or timezone.now()
        day_before, hours_before = (now + reminder.before for reminder in REMINDERS)
        return self.filter(
            status=ConsultationRequest.Status.SCHEDULED, scheduled_at__gt=now
        ).filter(
            Q(scheduled_at__lte=day_before, reminded_day_before_at__isnull=True)
            | Q(scheduled_at__lte=hours_before, reminded_hours_before_at__isnull=True)
        )


class ConsultationRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        SPAM = "spam", _("Spam")

    class PatientChange(models.TextChoices):
        CANCELLED = "cancelled", _("The patient cancelled")
        NEW_TIME = "new_time", _("The patient asks for another time")

    class ContactMethod(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        WHATSAPP = "whatsapp", _("WhatsApp")
        LINE = "line", _("LINE")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        THAI = "th", _("Thai")

    class TimeOfDay(models.TextChoices):
        MORNING = "morning", _("Morning (9:00–12:00)")
        AFTERNOON = "afternoon", _("Afternoon (12:00–17:00)")
        EVENING = "evening", _("Evening (17:00–19:00)")
        ANY = "any", _("Any time")

        @classmethod
        def of(cls, moment):
            """The part of the day a clinic time (a `time`) falls in."""
            if moment.hour < 12:
                return cls.MORNING
            return cls.AFTERNOON if moment.hour < 17 else cls.EVENING

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.SCHEDULED)
    # The review workflow: which status may follow which.
    # New may go straight to scheduled: staff confirm the time the patient chose.
    TRANSITIONS = {
        Status.NEW: {
            Status.CONTACTED,
            Status.SCHEDULED,
            Status.DECLINED,
            Status.CANCELLED,
            Status.SPAM,
        },
        Status.CONTACTED: {Status.SCHEDULED, Status.DECLINED, Status.CANCELLED, Status.SPAM},
        Status.SCHEDULED: {
            Status.COMPLETED,
            Status.CONTACTED,
            Status.DECLINED,
            Status.CANCELLED,
            Status.SPAM,
        },
        Status.COMPLETED: set(),
        Status.DECLINED: {Status.NEW},
        Status.CANCELLED: {Status.NEW},
        Status.SPAM: {Status.NEW},
    }
    # What the patient may do from their own link, in these statuses.
    PATIENT_MAY_CHANGE = (Status.NEW, Status.CONTACTED, Status.SCHEDULED)

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_reference, editable=False
    )
    submission_token = models.UUIDField(unique=True, editable=False)

    # Who
    full_name = models.CharField(_("full name"), max_length=120)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        help_text=_("International form, with any extension: +66812345678 ext. 12"),
    )
    country = CountryField(_("country"), blank=True)
    contact_method = models.CharField(
        _("preferred contact method"), max_length=10, choices=ContactMethod.choices
    )
    language = models.CharField(_("preferred language"), max_length=5, choices=Language.choices)

    # What
    condition = models.ForeignKey(
        "articles.Condition",
        verbose_name=_("condition of interest"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    treatment = models.ForeignKey(
        "articles.Treatment",
        verbose_name=_("treatment of interest"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The names the patient chose, kept even if the condition or treatment leaves the site.
    condition_name = models.CharField(
        _("condition of interest (as chosen)"), max_length=160, blank=True
    )
    treatment_name = models.CharField(
        _("treatment of interest (as chosen)"), max_length=160, blank=True
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)

    # When
    preferred_date = models.DateField(_("preferred date"))
    preferred_time = models.CharField(
        _("preferred time of day"), max_length=10, choices=TimeOfDay.choices
    )
    time_zone = models.CharField(_("patient's time zone"), max_length=64, blank=True)

    # Consent and provenance
    consent_at = models.DateTimeField(_("consent given at"))
    consent_notice_version = models.CharField(_("privacy notice version"), max_length=20)
    source_page = models.CharField(_("came from"), max_length=300, blank=True)
    source_article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("from article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    spam_reason = models.CharField(_("why marked as spam"), max_length=100, blank=True)
    review_note = models.CharField(
        _("needs a look"),
        max_length=200,
        blank=True,
        help_text=_("Why this request may not come from a person (for example sent very fast)."),
    )

    # Review
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_consultations",
    )
    clinician = models.ForeignKey(
        "team.Clinician",
        verbose_name=_("clinician"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    consultation_type = models.ForeignKey(
        "team.ConsultationType",
        verbose_name=_("consultation type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # Set by save() from the type's duration: what the overlap constraint compares.
    scheduled_until = models.DateTimeField(_("until"), null=True, blank=True, editable=False)
    video_link = SecureURLField(
        _("video call link"),
        max_length=500,
        blank=True,
        help_text=_(
            "For a video consultation: sent to the patient with the confirmation and reminders."
        ),
    )
    internal_notes = models.TextField(_("internal notes"), blank=True)

    # Notifications
    clinic_notified_at = models.DateTimeField(_("clinic notified"), null=True, blank=True)
    patient_notified_at = models.DateTimeField(_("patient acknowledged"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("schedule confirmation sent"), null=True, blank=True
    )
    reminded_day_before_at = models.DateTimeField(
        _("reminder sent the day before"), null=True, blank=True
    )
    reminded_hours_before_at = models.DateTimeField(
        _("reminder sent two hours before"), null=True, blank=True
    )
    notification_error = models.TextField(_("unresolved email failure"), blank=True)
    # The patient's own link (/consultation/manage/<token>/): this key, signed.
    manage_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient_change = models.CharField(
        _("asked by the patient"), max_length=10, choices=PatientChange.choices, blank=True
    )
    patient_change_at = models.DateTimeField(_("asked by the patient at"), null=True, blank=True)
    patient_change_note = models.CharField(_("the patient's note"), max_length=300, blank=True)
    staff_told_of_change_at = models.DateTimeField(
        _("staff told of the patient's change"), null=True, blank=True
    )
    # RFC 5545 SEQUENCE of the calendar event: each invitation or cancellation sent bumps it.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation request")
        permissions = [("export_consultationrequest", _("Can export consultation requests"))]
        indexes = [
            models.Index(fields=["status", "created_at"], name="consultation_status_idx"),
            # Admin's list, open first (OPEN_FIRST): a page read in order, not a sort of all.
            models.Index(
                _status_rank(), models.F("created_at").desc(), name="consultation_open_first_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="consultation_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(scheduled_until__isnull=True)
                | Q(scheduled_until__gt=models.F("scheduled_at")),
                name="consultation_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # When a request was closed is what the retention period counts from; reopening clears it.
        if self.is_open:
            self.closed_at = None
        elif self.closed_at is None:
            self.closed_at = timezone.now()
        self.scheduled_until = self.scheduled_at + self.duration if self.scheduled_at else None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "closed_at", "scheduled_until"}
        super().save(*args, **kwargs)

    # Deliberately not get_absolute_url: admin's /r/<type>/<id>/ shortcut would then
    # tell anyone signed in which requests exist.
    def admin_change_url(self):
        return reverse("admin:consultations_consultationrequest_change", args=[self.pk])

    def clean(self):
        if self.status == self.Status.SCHEDULED and not self.scheduled_at:
            raise ValidationError({"scheduled_at": _("A scheduled consultation needs a time.")})

    @property
    def duration(self):
        """How long the consultation lasts: its type's duration, an hour without one."""
        if self.consultation_type_id:
            return self.consultation_type.duration
        return DEFAULT_DURATION

    @property
    def is_video(self):
        return bool(self.consultation_type_id) and self.consultation_type.is_video

    def anonymise(self):
        """Blank everything that identifies the patient or was written about them."""
        self.full_name = ANONYMISED_NAME
        self.email = ""
        self.phone = ""
        self.message = ""
        self.internal_notes = ""
        self.time_zone = ""
        self.source_page = ""
        self.notification_error = ""
        self.video_link = ""
        self.patient_change_note = ""
        self.anonymised_at = timezone.now()

    def can_move_to(self, status):
        return status == self.status or status in self.TRANSITIONS[self.status]

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def contact_method_phrase(self):
        """How we reach the patient, as it reads inside a sentence ("by email", "on LINE")."""
        return CONTACT_METHOD_PHRASES[self.contact_method]


class EmailsDueQuerySet(models.QuerySet):
    def due(self, now=None):
        """Due now and not being sent, or claimed by a worker that has since died."""
        now = now or timezone.now()
        return self.filter(due_at__lte=now).filter(
            Q(sending_since__isnull=True) | Q(sending_since__lt=now - EmailsDue.claim_lasts())
        )


class EmailsDue(models.Model):
    """A request with emails still to send: the job queue's bookkeeping, in the database.

    A web request only stores this row (in its transaction) and queues a job; the job
    claims the row, sends what the request has outstanding and removes it, or counts the
    failure and sets the next attempt. A job lost with a killed worker leaves the row
    behind, and the sweep every minute picks it up once its claim has lapsed.
    """

    # Growing delays between attempts, in minutes: about a day in all, then staff resend.
    RETRY_MINUTES = (1, 2, 4, 8, 15, 30, 60, 120, 240, 240, 240, 240, 240)

    request = models.OneToOneField(
        ConsultationRequest, on_delete=models.CASCADE, primary_key=True, related_name="emails_due"
    )
    due_at = models.DateTimeField(_("next attempt"), db_index=True)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    sending_since = models.DateTimeField(null=True, blank=True)
    # The appointment a cancellation takes out of the patient's calendar (staff may have
    # cleared the request's time when they moved it out of "scheduled").
    cancelled_time = models.DateTimeField(null=True, blank=True)

    objects = EmailsDueQuerySet.as_manager()

    class Meta:
        verbose_name = _("emails to send")
        verbose_name_plural = _("emails to send")

    def __str__(self):
        return str(self.request)

    @classmethod
    def claim_lasts(cls):
        """Longer than a job's sends can take (at most three emails, each socket wait
        bounded by EMAIL_TIMEOUT): a claim older than this belongs to a worker that died."""
        return timedelta(seconds=10 * settings.EMAIL_TIMEOUT)

    @classmethod
    def next_delay(cls, failures):
        """The wait after the `failures`-th failure in a row; None once a day has passed."""
        if failures > len(cls.RETRY_MINUTES):
            return None
        return timedelta(minutes=cls.RETRY_MINUTES[failures - 1])


class Reminder(NamedTuple):
    before: timedelta  # how long before the consultation it goes
    field: str  # when it went, on the request
    kind: str  # as the audit trail names it


# In order; a reminder whose time came before the confirmation went is not sent, and of
# several due at once (a worker stopped for a day) only the last goes.
REMINDERS = (
    Reminder(timedelta(hours=24), "reminded_day_before_at", "reminder the day before"),
    Reminder(timedelta(hours=2), "reminded_hours_before_at", "reminder two hours before"),
)


CONTACT_METHOD_PHRASES = {
    ConsultationRequest.ContactMethod.EMAIL: _("by email"),
    ConsultationRequest.ContactMethod.PHONE: _("by phone"),
    ConsultationRequest.ContactMethod.WHATSAPP: _("on WhatsApp"),
    ConsultationRequest.ContactMethod.LINE: _("on LINE"),
}


class ConsultationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only.")

    def delete(self):
        raise TypeError("The audit trail is append-only.")


class ConsultationEvent(models.Model):
    """One entry of a request's audit trail: who did what, when. Never changed or deleted."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        SCHEDULED_TIME = "scheduled_time", _("Scheduled time set")
        NOTES = "notes", _("Internal notes changed")
        NOTIFIED = "notified", _("Email sent")
        NOTIFICATION_FAILED = "notification_failed", _("Email failed")
        EXPORTED = "exported", _("Exported")
        CORRECTED = "corrected", _("Contact details corrected")
        ANONYMISED = "anonymised", _("Personal data erased")
        CLINICIAN = "clinician", _("Clinician or consultation type set")
        VIDEO_LINK = "video_link", _("Video call link set")
        PATIENT = "patient", _("Changed by the patient")

    # PROTECT: a request with a trail cannot be deleted (requests are anonymised instead).
    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.PROTECT, related_name="events"
    )
    # PROTECT: an account that acted on requests is deactivated, not deleted; and the name
    # it had is kept beside it, so the trail says who acted whatever happens to the account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    from_value = models.CharField(_("from"), max_length=200, blank=True)
    to_value = models.CharField(_("to"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ConsultationEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("audit trail entry")
        verbose_name_plural = _("audit trail")

    def __str__(self):
        return f"{self.request} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit trail is append-only.")
        if self.actor is not None and not self.actor_name:
            self.actor_name = self.actor.get_full_name() or self.actor.get_username()
        super().save(*args, **kwargs)

    @property
    def from_label(self):
        return self._label(self.from_value)

    @property
    def to_label(self):
        return self._label(self.to_value)

    def _label(self, value):
        """The stored value (a status code, a UTC time) as staff read it."""
        if value == "":
            return "—"
        if self.kind in (self.Kind.STATUS, self.Kind.SUBMITTED) and value in (
            ConsultationRequest.Status.values
        ):
            return ConsultationRequest.Status(value).label
        if self.kind == self.Kind.SCHEDULED_TIME:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        return value

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only.")
