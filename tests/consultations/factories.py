"""A consultation request as the public form stores it, with readable defaults."""

from datetime import timedelta
from uuid import uuid4

from django.utils import timezone
from model_bakery import baker

from consultations.models import ConsultationRequest

Status = ConsultationRequest.Status


def make_request(**fields):
    """A valid request (status new unless told), its clinic notification and acknowledgment
    sent; scheduled ones get a time in three days."""
    now = timezone.now()
    defaults = {
        "submission_token": uuid4(),
        "full_name": "Somchai Jaidee",
        "email": "somchai@example.com",
        "phone": "+66812345678",
        "country": "TH",
        "contact_method": ConsultationRequest.ContactMethod.EMAIL,
        "language": ConsultationRequest.Language.ENGLISH,
        "preferred_date": timezone.localdate() + timedelta(days=14),
        "preferred_time": ConsultationRequest.TimeOfDay.MORNING,
        "consent_at": now,
        "consent_notice_version": "2026-11-22",
        "clinic_notified_at": now,
        "patient_notified_at": now,
    }
    if fields.get("status") in (Status.SCHEDULED, Status.COMPLETED):
        fields.setdefault("scheduled_at", timezone.now() + timedelta(days=3))
    return baker.make(ConsultationRequest, **{**defaults, **fields})


def holding_time(clinician, start, mode="clinic", **fields):
    """A request that holds `clinician`'s time from `start` with their `mode` type (new,
    as a patient's pick, unless told: status=Status.SCHEDULED for a booked one)."""
    kind = clinician.consultation_types.get(mode=mode)
    return make_request(clinician=clinician, consultation_type=kind, scheduled_at=start, **fields)
