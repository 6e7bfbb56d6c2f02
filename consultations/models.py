"""Consultation requests from patients, and their append-only review trail."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# No 0/O, 1/I/L: a reference read over the phone cannot be misheard as another.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


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


class ConsultationRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=ConsultationRequest.OPEN_STATUSES)

    def closed(self):
        return self.exclude(status__in=ConsultationRequest.OPEN_STATUSES)

    def open_first(self):
        """Open requests first (new, then contacted, then scheduled), newest first within each."""
        return self.order_by(*OPEN_FIRST)

    def with_failed_notifications(self):
        return self.exclude(notification_error="")


class ConsultationRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined")
        SPAM = "spam", _("Spam")

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

    OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.SCHEDULED)
    # The review workflow: which status may follow which.
    TRANSITIONS = {
        Status.NEW: {Status.CONTACTED, Status.DECLINED, Status.SPAM},
        Status.CONTACTED: {Status.SCHEDULED, Status.DECLINED, Status.SPAM},
        Status.SCHEDULED: {Status.COMPLETED, Status.CONTACTED, Status.DECLINED, Status.SPAM},
        Status.COMPLETED: set(),
        Status.DECLINED: {Status.NEW},
        Status.SPAM: {Status.NEW},
    }

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=new_reference, editable=False
    )
    submission_token = models.UUIDField(unique=True, editable=False)

    # Who
    full_name = models.CharField(_("full name"), max_length=120)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, help_text=_("E.164 format"))
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
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)

    # Notifications
    clinic_notified_at = models.DateTimeField(_("clinic notified"), null=True, blank=True)
    patient_notified_at = models.DateTimeField(_("patient acknowledged"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("schedule confirmation sent"), null=True, blank=True
    )
    notification_error = models.TextField(_("last notification error"), blank=True)

    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ConsultationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation request")
        permissions = [("export_consultationrequest", _("Can export consultation requests"))]
        indexes = [models.Index(fields=["status", "created_at"], name="consultation_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="consultation_scheduled_has_time",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("admin:consultations_consultationrequest_change", args=[self.pk])

    def clean(self):
        if self.status == self.Status.SCHEDULED and not self.scheduled_at:
            raise ValidationError({"scheduled_at": _("A scheduled consultation needs a time.")})

    def can_move_to(self, status):
        return status == self.status or status in self.TRANSITIONS[self.status]

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def contact_method_phrase(self):
        """How we reach the patient, as it reads inside a sentence ("by email", "on LINE")."""
        return CONTACT_METHOD_PHRASES[self.contact_method]


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
        ANONYMISED = "anonymised", _("Anonymised")

    # PROTECT: a request with a trail cannot be deleted (requests are anonymised instead).
    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
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
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only.")
