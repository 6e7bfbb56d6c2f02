"""The clinic's clinicians: who reviews the medical content, and who patients meet."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
    photo = models.ImageField(_("photo"), upload_to="team/", blank=True)
    photo_alt = models.CharField(
        _("photo alt text"),
        max_length=250,
        blank=True,
        help_text=_("What the photo shows, for readers who cannot see it. Required with a photo."),
    )
    biography = models.TextField(_("short biography"), max_length=2000, blank=True)
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

    def get_absolute_url(self):
        return reverse("team:clinician_detail", kwargs={"slug": self.slug})

    @property
    def name_with_credentials(self):
        """ "Dr Somchai Jaidee, MD, FRCOST": as the review line and JSON-LD name them."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def specialty_list(self):
        return [part.strip() for part in self.specialties.split(",") if part.strip()]
