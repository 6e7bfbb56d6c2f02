"""model_bakery recipes with readable defaults."""

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from model_bakery import baker

from tests.articles.factories import image_bytes


def make_clinician(**fields):
    defaults = {
        "name": "Dr Somchai Jaidee",
        "slug": "somchai-jaidee",
        "title": "Orthopaedic surgeon",
        "credentials": "MD, FRCOST",
        "specialties": "bone health, regenerative medicine",
        "licence_number": "12345",
        "biography": "Twenty years in orthopaedics.\n\nNow leads the bone health programme.",
        "is_public": True,
        "user": None,
    }
    return baker.make("team.Clinician", **{**defaults, **fields})


def photo_upload(name="portrait.jpg", **image):
    """A JPEG as a browser uploads it; `image` as for image_bytes (size, exif…)."""
    return SimpleUploadedFile(name, image_bytes(**image), content_type="image/jpeg")


def with_photo(**fields):
    """A clinician whose photo went through the model's save, as any upload does."""
    clinician = make_clinician(photo_alt="Dr Somchai smiling in a white coat", **fields)
    clinician.photo = photo_upload(size=(400, 500))
    clinician.save()
    return clinician


WEEKDAYS_NINE_TO_FIVE = [(day, "09:00", "12:00") for day in range(5)] + [
    (day, "13:00", "17:00") for day in range(5)
]


def with_calendar(clinician=None, *, modes=(("clinic", 45), ("video", 30)), hours=None, **fields):
    """A public clinician who sees patients Monday to Friday, 09:00–12:00 and 13:00–17:00
    clinic time, at the clinic (45 minutes) and by video call (30 minutes)."""
    clinician = clinician or make_clinician(**fields)
    for mode, minutes in modes:
        baker.make(
            "team.ConsultationType", clinician=clinician, mode=mode, duration_minutes=minutes
        )
    for weekday, starts, ends in WEEKDAYS_NINE_TO_FIVE if hours is None else hours:
        baker.make(
            "team.ConsultationHours", clinician=clinician, weekday=weekday, starts=starts, ends=ends
        )
    return clinician


def consultation_type(clinician, mode="clinic"):
    return clinician.consultation_types.get(mode=mode)


def next_weekday_at(hour, minute=0, *, weekday=1, weeks_ahead=1):
    """An aware time at hour:minute clinic time on `weekday` (0 = Monday) of a coming week."""
    today = timezone.localdate()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
