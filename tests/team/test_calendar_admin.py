"""Clinic staff keep the clinicians' calendars in admin (Team → Clinicians' calendars):
consultation types, weekly hours and days off; the profile stays the editors'."""

import pytest
from django.urls import reverse

from consultations.scheduling import free_slots
from team.models import Clinician, ConsultationHours, ConsultationType, DayOff
from tests.team.factories import make_clinician, next_weekday_at, with_calendar

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:team_cliniciancalendar_changelist")
INLINES = ("consultation_types", "consultation_hours", "days_off")


def calendar_url(clinician):
    return reverse("admin:team_cliniciancalendar_change", args=[clinician.pk])


def calendar_form(**rows):
    """The calendar page's inline forms as a browser posts them, with new `rows`:
    {"consultation_hours": [{"weekday": "0", "starts": "09:00", "ends": "12:00"}], …}."""
    data = {}
    for inline in INLINES:
        new = rows.get(inline, [])
        data.update({f"{inline}-TOTAL_FORMS": str(len(new)), f"{inline}-INITIAL_FORMS": "0"})
        for number, row in enumerate(new):
            data.update({f"{inline}-{number}-{name}": value for name, value in row.items()})
    return data


def test_clinic_staff_set_a_clinicians_types_hours_and_days_off(clinic_staff_client):
    clinician = make_clinician()
    assert clinic_staff_client.get(CHANGELIST).status_code == 200
    assert clinic_staff_client.get(calendar_url(clinician)).status_code == 200
    day_off = next_weekday_at(9, weekday=2).date()
    response = clinic_staff_client.post(
        calendar_url(clinician),
        {
            **calendar_form(
                consultation_types=[{"mode": "video", "duration_minutes": "30"}],
                consultation_hours=[
                    {"weekday": "1", "starts": "09:00", "ends": "12:00"},
                    {"weekday": "2", "starts": "13:00", "ends": "17:00"},
                ],
                days_off=[{"first_day": day_off, "last_day": day_off, "reason": "Conference"}],
            ),
            "name": "Changed by hand",  # read-only here: ignored
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert ConsultationType.objects.get(clinician=clinician).duration_minutes == 30
    assert ConsultationHours.objects.filter(clinician=clinician).count() == 2
    assert DayOff.objects.get(clinician=clinician).reason == "Conference"
    assert Clinician.objects.get(pk=clinician.pk).name == "Dr Somchai Jaidee"
    # The form offers those times now, none on the day off.
    starts = {slot.start.date() for slot in free_slots("video")}
    assert next_weekday_at(9).date() in starts
    assert day_off not in starts


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            {"consultation_hours": [{"weekday": "1", "starts": "12:00", "ends": "09:00"}]},
            "The end comes after the start.",
        ),
        (
            {"days_off": [{"first_day": "2027-01-10", "last_day": "2027-01-09", "reason": ""}]},
            "The last day comes after the first.",
        ),
        (
            {"consultation_types": [{"mode": "clinic", "duration_minutes": "5"}]},
            "Ensure this value is greater than or equal to 10.",
        ),
        (
            {
                "consultation_types": [
                    {"mode": "clinic", "duration_minutes": "45"},
                    {"mode": "clinic", "duration_minutes": "30"},
                ]
            },
            "Please correct the duplicate data for mode",
        ),
    ],
)
def test_a_wrong_row_is_refused_with_a_message_and_nothing_is_saved(
    clinic_staff_client, rows, message
):
    clinician = make_clinician()
    response = clinic_staff_client.post(calendar_url(clinician), calendar_form(**rows))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ConsultationHours.objects.exists()
    assert not DayOff.objects.exists()
    assert not ConsultationType.objects.exists()


def test_the_calendar_list_names_each_clinicians_types(clinic_staff_client):
    with_calendar()
    page = clinic_staff_client.get(CHANGELIST).content.decode()
    assert "At the clinic, 45 minutes, By video call, 30 minutes" in page


def test_calendars_are_neither_added_nor_deleted_here(clinic_staff_client, admin_client):
    clinician = make_clinician()
    for client in (clinic_staff_client, admin_client):
        assert client.get(reverse("admin:team_cliniciancalendar_add")).status_code == 403
        delete = reverse("admin:team_cliniciancalendar_delete", args=[clinician.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Clinician.objects.filter(pk=clinician.pk).exists()


def test_editors_keep_the_profiles_and_never_see_the_calendars(editor_client):
    clinician = with_calendar()
    assert editor_client.get(CHANGELIST).status_code == 403
    assert editor_client.get(calendar_url(clinician)).status_code == 403
    profile = editor_client.get(reverse("admin:team_clinician_change", args=[clinician.pk]))
    assert profile.status_code == 200
    assert "consultation_hours-TOTAL_FORMS" not in profile.content.decode()
