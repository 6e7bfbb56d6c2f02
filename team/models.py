"""The clinic's clinicians: who reviews the medical content, and who patients meet."""

from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles.translation import SOURCE, column, translation_of


class ClinicianQuerySet(models.QuerySet):
    def shown_publicly(self):
        """Clinicians the public may see on /team/ and beside what they reviewed."""
        return self.filter(is_public=True)


class Clinician(models.Model):
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    title = models.CharField(
        _("professional title"), max_length=160, help_text=_("For example: Orthopaedic surgeon")
    )
    credentials = models.CharField(
        _("credentials"), max_length=160, blank=True, help_text=_("For example: MD, FRCOST")
    )
    specialties = models.CharField(
        _("specialties"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, for example: bone health, regenerative medicine"),
    )
    licence_number = models.CharField(
        _("Thai Medical Council licence number"), max_length=40, blank=True
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="team/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    # Stored so pages give the image its size (no layout shift) without opening the file.
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField(
        _("photo alt text"),
        max_length=250,
        blank=True,
        help_text=_("What the photo shows, for readers who cannot see it. Required with a photo."),
    )
    biography = models.TextField(_("short biography"), max_length=2000, blank=True)
    title_th = translation_of(title)
    specialties_th = translation_of(specialties)
    photo_alt_th = translation_of(photo_alt)
    biography_th = translation_of(biography)
    is_public = models.BooleanField(
        _("shown publicly"), default=False, help_text=_("Listed on /team/ with a profile page.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clinician",
        verbose_name=_("staff account"),
        help_text=_("A Medical reviewer linked here approves content as this clinician."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClinicianQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinician")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(photo="") | ~models.Q(photo_alt=""),
                name="clinician_photo_needs_alt",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        previous = self._stored_photo(kwargs.get("update_fields"))
        self._clean_new_photo()
        super().save(*args, **kwargs)
        if previous and previous != self.photo.name:
            discard_photo(previous, using=self._state.db)

    def get_absolute_url(self):
        return reverse("team:clinician_detail", kwargs={"slug": self.slug})

    # In the page's language where the clinician's profile has the translation.
    def _shown(self, name):
        if get_language() != SOURCE:
            translated = getattr(self, column(name, get_language()), "")
            if translated:
                return translated
        return getattr(self, name)

    @property
    def shown_title(self):
        return self._shown("title")

    @property
    def shown_specialties(self):
        return self._shown("specialties")

    @property
    def shown_biography(self):
        return self._shown("biography")

    @property
    def shown_photo_alt(self):
        return self._shown("photo_alt")

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError(
                {"photo_alt": _("Describe the photo for readers who cannot see it.")}
            )

    def _stored_photo(self, update_fields):
        """The photo in the database, if this save may replace it."""
        if self._state.adding or (update_fields is not None and "photo" not in update_fields):
            return None
        stored = type(self)._default_manager.filter(pk=self.pk)
        return stored.values_list("photo", flat=True).first()

    def _clean_new_photo(self):
        """Every photo reaches storage re-encoded, whatever path it came in by."""
        from articles.images import clean_uploaded_image

        photo = self.photo
        if photo and not getattr(photo, "_committed", True):
            upload = photo.file
            if not getattr(upload, "already_cleaned", False):
                upload = clean_uploaded_image(upload, "team")
            photo.save(PurePosixPath(upload.name).name, upload, save=False)

    @property
    def name_with_credentials(self):
        """ "Dr Somchai Jaidee, MD, FRCOST": as the review line and JSON-LD name them."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def specialty_list(self):
        return [part.strip() for part in self.shown_specialties.split(",") if part.strip()]

    @property
    def biography_paragraphs(self):
        """The biography as typed: each line a paragraph, blank lines dropped."""
        return [line.strip() for line in self.shown_biography.splitlines() if line.strip()]


def discard_photo(name, using=None):
    """Delete the photo `name` from storage once the change is committed.

    A withdrawn photo must not stay reachable at its old address; a rolled-back
    change deletes nothing, and a file another clinician still shows is kept.
    """
    if not name:
        return
    storage = Clinician._meta.get_field("photo").storage

    def delete_unused():
        if not Clinician.objects.using(using).filter(photo=name).exists():
            storage.delete(name)

    # robust: the change is saved; a file that cannot be deleted is logged, not a 500.
    transaction.on_commit(delete_unused, using=using, robust=True)


def discard_deleted_photo(sender, instance, using, **kwargs):
    """`post_delete` receiver for clinicians, also sent by admin's bulk delete."""
    discard_photo(instance.photo.name, using=using)


# Clinicians' calendars: when each one sees patients, and how. Times of day are the
# clinic's (settings.TIME_ZONE); the moments of consultations are stored in UTC.


class ClinicianCalendar(Clinician):
    """A clinician seen as their calendar: the admin page where clinic staff keep the
    hours, days off and consultation types, apart from the profile editors write."""

    class Meta:
        proxy = True
        verbose_name = _("clinician's calendar")
        verbose_name_plural = _("clinicians' calendars")


class ConsultationMode(models.TextChoices):
    CLINIC = "clinic", _("At the clinic")
    VIDEO = "video", _("By video call")


class ConsultationTypeQuerySet(models.QuerySet):
    def bookable(self):
        """Types patients may book: of clinicians shown publicly, who have hours."""
        return self.filter(
            clinician__is_public=True, clinician__consultation_hours__isnull=False
        ).distinct()


class ConsultationType(models.Model):
    """A kind of consultation a clinician offers, and how long it lasts."""

    clinician = models.ForeignKey(
        Clinician, on_delete=models.CASCADE, related_name="consultation_types"
    )
    mode = models.CharField(_("where"), max_length=10, choices=ConsultationMode.choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=45,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )

    objects = ConsultationTypeQuerySet.as_manager()

    class Meta:
        ordering = ["clinician__name", "mode"]
        verbose_name = _("consultation type")
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "mode"], name="consultation_type_once_per_clinician"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=10, duration_minutes__lte=240),
                name="consultation_type_duration_range",
            ),
        ]

    def __str__(self):
        return _("%(mode)s, %(minutes)d minutes") % {
            "mode": self.get_mode_display(),
            "minutes": self.duration_minutes,
        }

    @property
    def duration(self):
        return timedelta(minutes=self.duration_minutes)

    @property
    def is_video(self):
        return self.mode == ConsultationMode.VIDEO


class ConsultationHours(models.Model):
    """A weekly period when the clinician sees patients, in the clinic's time zone."""

    clinician = models.ForeignKey(
        Clinician, on_delete=models.CASCADE, related_name="consultation_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=list(WEEKDAYS.items()))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = _("consultation hours")
        verbose_name_plural = _("consultation hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="consultation_hours_order"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="consultation_hours_weekday"
            ),
        ]

    def __str__(self):
        return f"{WEEKDAYS[self.weekday]} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def clean(self):
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError({"ends": _("The end comes after the start.")})

    def on(self, day):
        """This period on the date `day`, as aware datetimes: (start, end)."""
        zone = timezone.get_default_timezone()
        return (
            timezone.make_aware(datetime.combine(day, self.starts), zone),
            timezone.make_aware(datetime.combine(day, self.ends), zone),
        )


class DayOff(models.Model):
    """Days the clinician sees nobody (leave, a conference), first and last included."""

    clinician = models.ForeignKey(Clinician, on_delete=models.CASCADE, related_name="days_off")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(
        _("reason"), max_length=120, blank=True, help_text=_("For staff only.")
    )

    class Meta:
        ordering = ["first_day"]
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="day_off_order"
            ),
        ]

    def __str__(self):
        if self.first_day == self.last_day:
            return f"{self.first_day:%Y-%m-%d}"
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The last day comes after the first.")})

    def covers(self, day):
        return self.first_day <= day <= self.last_day
