"""Submitting and reviewing consultation requests: the workflows that span models.

A request is saved in its transaction first; email goes out only once it is
committed, and a failed send is recorded on the request for a resend from admin.
No email and no log line carries the patient's health details or message.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from articles.models import Article
from consultations import calendar
from consultations.models import ConsultationEvent, ConsultationRequest, new_reference

logger = logging.getLogger(__name__)
Status = ConsultationRequest.Status


def submit_consultation_request(cleaned_data, *, spam_reason=""):
    """Store one request from the form's cleaned data; return (request, created).

    The form's submission token makes a double click or a resubmission land on
    the request already stored instead of a second one.
    """
    token = cleaned_data["submission_token"]
    existing = ConsultationRequest.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    article_slug = cleaned_data.get("source_article") or ""
    fields = {
        "submission_token": token,
        "full_name": cleaned_data["full_name"],
        "email": cleaned_data["email"],
        "phone": cleaned_data["phone"],
        "country": cleaned_data["country"],
        "contact_method": cleaned_data["contact_method"],
        "language": cleaned_data["language"],
        "condition": cleaned_data.get("condition"),
        "treatment": cleaned_data.get("treatment"),
        "message": cleaned_data.get("message", ""),
        "preferred_date": cleaned_data["preferred_date"],
        "preferred_time": cleaned_data["preferred_time"],
        "time_zone": cleaned_data.get("time_zone") or settings.TIME_ZONE,
        "consent_at": timezone.now(),
        "consent_notice_version": settings.PRIVACY_NOTICE_VERSION,
        "source_page": cleaned_data.get("source_page", ""),
        "source_article": Article.objects.filter(slug=article_slug).first()
        if article_slug
        else None,
        "status": Status.SPAM if spam_reason else Status.NEW,
        "spam_reason": spam_reason,
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = ConsultationRequest.objects.create(reference=new_reference(), **fields)
                ConsultationEvent.objects.create(
                    request=request,
                    kind=ConsultationEvent.Kind.SUBMITTED,
                    to_value=request.status,
                    note=spam_reason,
                )
                if not spam_reason:
                    transaction.on_commit(
                        lambda stored=request: send_submission_notifications(stored)
                    )
        except IntegrityError:
            # Either the same form was sent twice at once, or (rarely) the reference collided.
            existing = ConsultationRequest.objects.filter(submission_token=token).first()
            if existing:
                return existing, False
            continue
        logger.info(
            "Consultation request %s stored (status %s).", request.reference, request.status
        )
        return request, True
    raise RuntimeError("Could not allocate a unique consultation reference.")


def _send(request, kind, send):
    """Run `send`; record success or failure on the request and in its audit trail."""
    try:
        send()
    except Exception as error:
        request.notification_error = (
            f"{timezone.now():%Y-%m-%d %H:%M} {kind}: {type(error).__name__}: {error}"[:1000]
        )
        request.save(update_fields=["notification_error", "updated_at"])
        ConsultationEvent.objects.create(
            request=request,
            kind=ConsultationEvent.Kind.NOTIFICATION_FAILED,
            note=f"{kind}: {type(error).__name__}",
        )
        logger.warning(
            "Email '%s' for consultation request %s failed (%s).",
            kind,
            request.reference,
            type(error).__name__,
        )
        return False
    ConsultationEvent.objects.create(
        request=request, kind=ConsultationEvent.Kind.NOTIFIED, note=kind
    )
    return True


def admin_url(request):
    return settings.SITE_URL.rstrip("/") + request.get_absolute_url()


def _clinic_message(request):
    context = {"request": request, "admin_url": admin_url(request)}
    return EmailMessage(
        subject=f"New consultation request {request.reference}",
        body=render_to_string("consultations/email/clinic_notification.txt", context),
        to=settings.CONSULTATION_NOTIFY_EMAILS,
    )


def _patient_message(request, template, subject):
    with translation.override(request.language):
        body = render_to_string(template, {"request": request, "time_zone": settings.TIME_ZONE})
        subject = str(subject)
    return EmailMessage(subject=subject, body=body, to=[request.email])


def send_submission_notifications(request):
    """Tell the clinic (reference and link only) and acknowledge to the patient."""
    from django.utils.translation import gettext_lazy as _

    sent_all = True
    if request.clinic_notified_at is None and settings.CONSULTATION_NOTIFY_EMAILS:
        if _send(request, "clinic notification", lambda: _clinic_message(request).send()):
            request.clinic_notified_at = timezone.now()
            request.save(update_fields=["clinic_notified_at", "updated_at"])
        else:
            sent_all = False
    if request.patient_notified_at is None and request.email:
        message = _patient_message(
            request,
            "consultations/email/patient_acknowledgment.txt",
            _("Genoma Health: we received your consultation request"),
        )
        if _send(request, "patient acknowledgment", message.send):
            request.patient_notified_at = timezone.now()
            request.save(update_fields=["patient_notified_at", "updated_at"])
        else:
            sent_all = False
    return sent_all


def send_schedule_confirmation(request):
    """Confirm the scheduled time to the patient, with an .ics calendar invitation."""
    from django.utils.translation import gettext_lazy as _

    if not request.email or not request.scheduled_at:
        return False
    message = _patient_message(
        request,
        "consultations/email/schedule_confirmation.txt",
        _("Genoma Health: your consultation is scheduled"),
    )
    message.attach(
        f"genoma-consultation-{request.reference}.ics",
        calendar.consultation_ics(request),
        "text/calendar; method=PUBLISH",
    )
    if _send(request, "schedule confirmation", message.send):
        request.confirmation_sent_at = timezone.now()
        request.save(update_fields=["confirmation_sent_at", "updated_at"])
        return True
    return False


def resend_notifications(request):
    """Send whatever has not gone out yet; clear the recorded error when all went."""
    request.notification_error = ""
    sent = request.status == Status.SPAM or send_submission_notifications(request)
    if sent and request.status == Status.SCHEDULED and request.confirmation_sent_at is None:
        sent = send_schedule_confirmation(request)
    if sent:
        request.save(update_fields=["notification_error", "updated_at"])
    return sent


def change_request(request, *, actor, changes):
    """Apply staff changes (status, assignee, scheduled time, notes) and audit each one.

    `changes` maps field names to new values; the caller has checked the workflow.
    Returns the list of events written.
    """
    events = []
    labels = {
        "status": ConsultationEvent.Kind.STATUS,
        "assigned_to": ConsultationEvent.Kind.ASSIGNED,
        "scheduled_at": ConsultationEvent.Kind.SCHEDULED_TIME,
        "internal_notes": ConsultationEvent.Kind.NOTES,
    }
    with transaction.atomic():
        before = ConsultationRequest.objects.select_for_update().get(pk=request.pk)
        for field, value in changes.items():
            old = getattr(before, field)
            if old == value:
                continue
            setattr(request, field, value)
            events.append(
                ConsultationEvent(
                    request=request,
                    actor=actor,
                    kind=labels[field],
                    from_value=_display(before, field, old),
                    to_value=_display(request, field, value),
                )
            )
        request.save()
        for event in events:
            event.save()
        became_scheduled = any(
            e.kind == ConsultationEvent.Kind.STATUS and e.to_value == Status.SCHEDULED.label
            for e in events
        )
        rescheduled = request.status == Status.SCHEDULED and any(
            e.kind == ConsultationEvent.Kind.SCHEDULED_TIME for e in events
        )
        if became_scheduled or rescheduled:
            transaction.on_commit(lambda: send_schedule_confirmation(request))
    return events


def _display(request, field, value):
    if value is None or value == "":
        return "—"
    if field == "status":
        return str(Status(value).label)
    if field == "scheduled_at":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    if field == "internal_notes":
        return "(edited)"  # the notes themselves stay on the request, not in the trail
    return str(value)[:200]
