"""The staff groups, kept in step with the models after every migrate.

Editors write the medical content and submit it for review; they never see patient
data. Medical reviewers approve or send back what was submitted (only as a linked
clinician) and publish; clinic staff work on consultation requests and may read the
content. Nobody else changes content.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
MEDICAL_REVIEWERS = "Medical reviewers"
CLINIC_STAFF = "Clinic staff"
# Deleting a whole article, condition or treatment would withdraw it without review:
# only an administrator may. Editors delete sections, rows and references.
RECORDS = ["article", "condition", "treatment"]


def sync_staff_groups(**kwargs):
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    reviewers, _ = Group.objects.get_or_create(name=MEDICAL_REVIEWERS)
    clinic_staff, _ = Group.objects.get_or_create(name=CLINIC_STAFF)
    content = Permission.objects.filter(content_type__app_label="articles").exclude(
        content_type__model="version"
    )
    reading = content.filter(codename__startswith="view_")
    versions = Permission.objects.filter(
        content_type__app_label="articles", content_type__model="version"
    )
    # Editors add and edit clinicians but never delete one (a hidden profile stays on record).
    clinicians = Permission.objects.filter(
        content_type__app_label="team",
        codename__in=["add_clinician", "change_clinician", "view_clinician"],
    )
    viewing_clinicians = clinicians.filter(codename="view_clinician")
    redirects = Permission.objects.filter(content_type__app_label="redirects")
    editors.permissions.set(
        [
            *content.exclude(codename__in=[f"delete_{model}" for model in RECORDS]),
            *versions.filter(codename__in=["view_version", "publish_version"]),
            *clinicians,
            *redirects,
        ]
    )
    reviewers.permissions.set(
        [
            *reading,
            *versions.filter(codename__in=["view_version", "approve_version", "publish_version"]),
            *viewing_clinicians,
        ]
    )
    # Requests are anonymised by the retention command, never deleted by hand.
    consultations = Permission.objects.filter(content_type__app_label="consultations").exclude(
        codename__startswith="delete_"
    )
    # Clinic staff keep the clinicians' calendars (hours, days off, consultation types).
    calendars = Permission.objects.filter(
        content_type__app_label="team",
        content_type__model__in=["consultationtype", "consultationhours", "dayoff"],
    ) | Permission.objects.filter(
        content_type__app_label="team",
        codename__in=["view_cliniciancalendar", "change_cliniciancalendar"],
    )
    clinic_staff.permissions.set([*reading, *viewing_clinicians, *consultations, *calendars])
