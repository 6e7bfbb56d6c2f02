"""Who signs in to admin with a second factor: whoever can read patient data."""

from django.conf import settings
from django.urls import reverse

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10


def needs_second_factor(user):
    """Superusers, and staff who can read consultation requests (Clinic staff)."""
    return user.is_active and (
        user.is_superuser or user.has_perm("consultations.view_consultationrequest")
    )


def is_admin(path):
    return path.startswith(f"/{settings.ADMIN_URL}")


def open_before_second_factor(path):
    """The admin pages a signed-in user reaches before the second factor: the two-factor
    pages themselves, and signing out."""
    return path.startswith(f"/{settings.ADMIN_URL}two-factor/") or path == reverse("admin:logout")
