"""The staff groups, kept in step with the models after every migrate.

Editors edit the medical content and never see patient data; clinic staff work
on consultation requests and may read the content.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
CLINIC_STAFF = "Clinic staff"


def sync_staff_groups(**kwargs):
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    clinic_staff, _ = Group.objects.get_or_create(name=CLINIC_STAFF)
    content = Permission.objects.filter(content_type__app_label="articles")
    # Editors add and edit clinicians but never delete one (a hidden profile stays on record).
    clinicians = Permission.objects.filter(
        content_type__app_label="team",
        codename__in=["add_clinician", "change_clinician", "view_clinician"],
    )
    editors.permissions.set([*content, *clinicians])
    # Requests are anonymised by the retention command, never deleted by hand.
    consultations = Permission.objects.filter(content_type__app_label="consultations").exclude(
        codename__startswith="delete_"
    )
    clinic_staff.permissions.set(
        list(content.filter(codename__startswith="view_"))
        + list(clinicians.filter(codename="view_clinician"))
        + list(consultations)
    )
