"""Submitting and reviewing consultation requests: the workflows that span models.

A request is saved in its transaction first, with a note that it has emails to send
(`EmailsDue`); a job of the queue sends them once the transaction is committed, never
the web request. A failed send is recorded on the request and retried with growing
delays for about a day (`EmailsDue.RETRY_MINUTES`); staff can resend at any time.
No email and no log line carries the patient's health details or message.
"""

import logging
import re
from datetime import UTC

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from consultations import calendar, scheduling
from consultations.manage import manage_token
from consultations.models import (
    REMINDERS,
    ConsultationEvent,
    ConsultationRequest,
    EmailsDue,
    new_reference,
)
from genoma.dates import local_date

logger = logging.getLogger(__name__)
Status = ConsultationRequest.Status
PatientChange = ConsultationRequest.PatientChange
# Who the audit trail names for a change made from the patient's own link.
PATIENT_ACTOR = "the patient (own link)"
# A time on a request in these statuses is the patient's pick, held until staff confirm.
PICK_STATUSES = (Status.NEW, Status.CONTACTED)
EMAIL_ADDRESS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")


def submit_consultation_request(cleaned_data, *, spam_reason="", review_note=""):
    """Store one request from the form's cleaned data; return (request, created).

    The form's submission token makes a double click or a resubmission land on
    the request already stored instead of a second one. A `spam_reason` (proof of
    a bot) stores it as spam, unsent; a `review_note` (a doubt, such as a very fast
    submission) keeps it a new request, answered like any other, flagged for staff.
    """
    token = cleaned_data["submission_token"]
    existing = ConsultationRequest.objects.filter(submission_token=token).first()
    if existing:
        return existing, False
    article_slug = cleaned_data.get("source_article") or ""
    condition, treatment = cleaned_data.get("condition"), cleaned_data.get("treatment")
    fields = {
        "submission_token": token,
        "full_name": cleaned_data["full_name"],
        "email": cleaned_data["email"],
        "phone": cleaned_data["phone"],
        "country": cleaned_data["country"],
        "contact_method": cleaned_data["contact_method"],
        "language": cleaned_data["language"],
        "condition": condition,
        "condition_name": condition.name if condition else "",
        "treatment": treatment,
        "treatment_name": treatment.name if treatment else "",
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
        "review_note": "" if spam_reason else review_note,
    }
    slot = None if spam_reason else cleaned_data.get("slot")
    if slot is not None:
        # The patient's pick: held for staff to confirm (the request stays new).
        fields.update(
            clinician=slot.clinician,
            consultation_type=slot.consultation_type,
            scheduled_at=slot.start,
        )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if slot is not None:
                    scheduling.lock_calendar(slot.clinician)
                    scheduling.check_slot(
                        slot.consultation_type,
                        slot.start,
                        earliest=timezone.now() + scheduling.PATIENT_NOTICE,
                    )
                request = ConsultationRequest.objects.create(reference=new_reference(), **fields)
                ConsultationEvent.objects.create(
                    request=request,
                    kind=ConsultationEvent.Kind.SUBMITTED,
                    to_value=request.status,
                    note=spam_reason,
                )
                if slot is not None:
                    ConsultationEvent.objects.create(
                        request=request,
                        kind=ConsultationEvent.Kind.SCHEDULED_TIME,
                        to_value=_trail_value("scheduled_at", slot.start),
                        note=f"Chosen by the patient, to confirm: {slot.clinician}, "
                        f"{slot.consultation_type}",
                    )
                if not spam_reason:
                    queue_emails(request)
        except IntegrityError:
            # Either the same form was sent twice at once, or (rarely) the reference collided.
            existing = ConsultationRequest.objects.filter(submission_token=token).first()
            if existing:
                return existing, False
            if slot is not None and ConsultationRequest.objects.overlapping(
                slot.clinician, slot.start, slot.end
            ):
                raise scheduling.SlotUnavailable(
                    gettext("That time was taken a moment ago. Please choose another."), "clash"
                ) from None
            continue
        logger.info(
            "Consultation request %s stored (status %s).", request.reference, request.status
        )
        return request, True
    raise RuntimeError("Could not allocate a unique consultation reference.")


def _send(request, kind, send):
    """Run `send`; record success or failure on the request and in its audit trail.

    Every failure is its own trail entry (with its time); the request keeps the
    latest one until a send succeeds. Addresses are left out of the recorded error.
    """
    try:
        send()
    except Exception as error:
        problem = EMAIL_ADDRESS.sub("[address]", f"{kind}: {type(error).__name__}: {error}")
        request.notification_error = problem[:1000]
        request.save(update_fields=["notification_error", "updated_at"])
        ConsultationEvent.objects.create(
            request=request, kind=ConsultationEvent.Kind.NOTIFICATION_FAILED, note=problem[:1000]
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


def _absolute_url(path):
    """An address on this site as an email gives it, with the site's scheme and host."""
    return settings.SITE_URL.rstrip("/") + path


def admin_url(request):
    return _absolute_url(request.admin_change_url())


def _clinic_message(request):
    """The clinic is told a reference and a link: what the request says stays in admin.
    In the clinic's language, whichever language the patient's page or the staff
    member's admin had active when this was sent."""
    context = {"request": request, "admin_url": admin_url(request)}
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("consultations/email/clinic_notification.txt", context)
    return EmailMessage(
        subject=f"New consultation request {request.reference}",
        body=body,
        to=settings.CONSULTATION_NOTIFY_EMAILS,
    )


def manage_url(request):
    """The patient's own page (status, time, cancel, ask for another time), as an email
    gives it: absolute, at its address in the patient's language."""
    with translation.override(request.language):
        return _absolute_url(reverse("consultations:manage", args=[manage_token(request)]))


def consultation_time(moment, language=None):
    """When a consultation is, as the readers of the page's language write it."""
    return _consultation_time(moment, language or translation.get_language())


def _consultation_time(moment, language):
    """When a consultation is, as a reader of `language` writes it, in the clinic's time
    zone: "Thursday 26 November 2026, 14:30", "วันพฤหัสบดีที่ 26 พฤศจิกายน 2569, 14:30"."""
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        # Translators: a consultation's day and time, "Thursday 26 November 2026, 14:30".
        return _("%(weekday)s %(date)s") % {
            "weekday": WEEKDAYS[timezone.localtime(moment).weekday()],
            "date": local_date(moment, language=language, with_time=True),
        }


def _patient_message(request, template, subject, **context):
    """An email to the patient in their language, its links to the pages in that language.
    Anyone can type any address in the form, so these emails carry nothing the sender
    typed: no name, no message."""
    with translation.override(request.language):
        body = render_to_string(
            template,
            {
                "request": request,
                "time_zone": settings.TIME_ZONE,
                "home_url": _absolute_url(reverse("home")),
                "privacy_url": _absolute_url(reverse("privacy")),
                "manage_url": manage_url(request),
                **context,
            },
        )
        subject = str(subject)
    # The emails ask the patient to reply: replies go to the clinic, not to a no-reply sender.
    reply_to = [settings.CLINIC_EMAIL] if settings.CLINIC_EMAIL else None
    return EmailMessage(subject=subject, body=body, to=[request.email], reply_to=reply_to)


def send_submission_notifications(request):
    """Tell the clinic (reference and link only) and acknowledge to the patient."""
    sent_all = True
    if request.clinic_notified_at is None and settings.CONSULTATION_NOTIFY_EMAILS:
        if _send(request, "clinic notification", lambda: _clinic_message(request).send()):
            request.clinic_notified_at = timezone.now()
            request.save(update_fields=["clinic_notified_at", "updated_at"])
        else:
            sent_all = False
    if request.patient_notified_at is None and request.email:
        # The patient's pick, held for staff to confirm: said to be a request, not a booking.
        picked = request.scheduled_at if request.status in PICK_STATUSES else None
        message = _patient_message(
            request,
            "consultations/email/patient_acknowledgment.txt",
            _("Genoma Health: we received your consultation request"),
            when=_consultation_time(picked, request.language) if picked else "",
        )
        if _send(request, "patient acknowledgment", message.send):
            request.patient_notified_at = timezone.now()
            request.save(update_fields=["patient_notified_at", "updated_at"])
        else:
            sent_all = False
    return sent_all


def _calendar_email(request, kind, template, subject, method, scheduled_at, **context):
    """Send the patient a calendar file; each one sent numbers a new SEQUENCE, so the
    patient's calendar replaces (or removes) the event it holds for this request."""
    sequence = request.calendar_sequence + 1
    when = _consultation_time(scheduled_at, request.language)
    message = _patient_message(request, template, subject, when=when, **context)
    message.attach(
        f"genoma-consultation-{request.reference}.ics",
        calendar.consultation_ics(
            request, scheduled_at=scheduled_at, sequence=sequence, method=method
        ),
        f"text/calendar; method={method}",
    )
    if not _send(request, kind, message.send):
        return False
    request.calendar_sequence = sequence
    request.confirmation_sent_at = timezone.now() if method == calendar.PUBLISH else None
    request.save(update_fields=["calendar_sequence", "confirmation_sent_at", "updated_at"])
    return True


def send_schedule_confirmation(request):
    """Confirm the scheduled time to the patient, with an .ics calendar invitation."""
    if not request.email or not request.scheduled_at:
        return False
    return _calendar_email(
        request,
        "schedule confirmation",
        "consultations/email/schedule_confirmation.txt",
        _("Genoma Health: your consultation is scheduled"),
        calendar.PUBLISH,
        request.scheduled_at,
    )


def send_cancellation(request, scheduled_at):
    """Tell the patient the consultation at `scheduled_at` is off, and remove it from
    their calendar (METHOD:CANCEL for the same event)."""
    if not request.email:
        return False
    return _calendar_email(
        request,
        "cancellation",
        "consultations/email/consultation_cancelled.txt",
        _("Genoma Health: your consultation is cancelled"),
        calendar.CANCEL,
        scheduled_at,
        by_patient=cancelled_by_patient(request),
    )


# Moves out of "scheduled" that take the time away (completed keeps it; spam gets no email).
CANCELLING_STATUSES = {Status.CONTACTED, Status.DECLINED, Status.CANCELLED}


def _cancellation_due(request):
    """The patient's calendar holds a time that no longer stands."""
    return request.status in CANCELLING_STATUSES and request.confirmation_sent_at is not None


def send_outstanding(request, cancelled_time=None):
    """Send whatever has not gone out yet; clear the recorded error when all went."""
    request.notification_error = ""
    sent = request.status == Status.SPAM or send_submission_notifications(request)
    if sent and _patient_change_untold(request):
        sent = send_patient_change_notice(request)
    if sent and request.status == Status.SCHEDULED and request.confirmation_sent_at is None:
        sent = send_schedule_confirmation(request)
    if sent and _cancellation_due(request):
        sent = send_cancellation(request, cancelled_time or request.scheduled_at)
    if sent:
        sent = send_due_reminder(request)
    if sent:
        request.save(update_fields=["notification_error", "updated_at"])
    return sent


def _reminders_due(request, now):
    """The reminders whose time has come, after the confirmation went, and that have not
    gone; none once the consultation has begun or is no longer scheduled."""
    if (
        request.status != Status.SCHEDULED
        or not request.email
        or request.confirmation_sent_at is None
        or request.scheduled_at <= now
    ):
        return []
    return [
        reminder
        for reminder in REMINDERS
        if getattr(request, reminder.field) is None
        and request.confirmation_sent_at <= request.scheduled_at - reminder.before <= now
    ]


def send_due_reminder(request):
    """Remind the patient of the consultation, in their language: the day before and two
    hours before. Of the reminders due at once only the last goes; all count as sent."""
    now = timezone.now()
    due = _reminders_due(request, now)
    if not due:
        return True
    message = _patient_message(
        request,
        "consultations/email/consultation_reminder.txt",
        _("Genoma Health: reminder of your consultation"),
        when=_consultation_time(request.scheduled_at, request.language),
    )
    if not _send(request, due[-1].kind, message.send):
        return False
    for reminder in due:
        setattr(request, reminder.field, now)
    request.save(update_fields=[reminder.field for reminder in due] + ["updated_at"])
    return True


def send_due_reminders():
    """The periodic job, in the worker: send every reminder whose time has come, as any
    due email (claimed, retried, never twice)."""
    for request in ConsultationRequest.objects.with_reminders_due().exclude(
        emails_due__isnull=False
    ):
        if _reminders_due(request, timezone.now()):
            _mark_due(request)
            send_due_emails(request.pk)


def _patient_change_untold(request):
    """The patient changed something from their link that staff have not been told of."""
    return request.patient_change_at is not None and (
        request.staff_told_of_change_at is None
        or request.staff_told_of_change_at < request.patient_change_at
    )


PATIENT_CHANGE_SUBJECTS = {
    PatientChange.CANCELLED: "Consultation request {reference}: the patient cancelled",
    PatientChange.NEW_TIME: "Consultation request {reference}: the patient asks for another time",
}


def _patient_change_message(request):
    """Staff are told what the patient did and where to look: the reference and the
    admin link, never the patient's note (it stays on the request)."""
    recipients = list(settings.CONSULTATION_NOTIFY_EMAILS)
    assignee = request.assigned_to
    if assignee is not None and assignee.is_active and assignee.email not in ("", *recipients):
        recipients.append(assignee.email)
    context = {"request": request, "admin_url": admin_url(request)}
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string("consultations/email/clinic_patient_change.txt", context)
    subject = PATIENT_CHANGE_SUBJECTS[request.patient_change].format(reference=request.reference)
    return EmailMessage(subject=subject, body=body, to=recipients)


def send_patient_change_notice(request):
    """Tell the clinic, and the staff member the request is assigned to, that the patient
    cancelled or asks for another time; once for each change the patient makes."""
    message = _patient_change_message(request)
    if not message.to:
        return True  # nobody to tell: the change waits in admin's list
    if not _send(request, "clinic told of the patient's change", message.send):
        return False
    # Only for the change this email told of: one the patient made meanwhile stays untold,
    # for the next round of the job (the queue_emails of that change made it due again).
    told = timezone.now()
    ConsultationRequest.objects.filter(
        pk=request.pk, patient_change_at=request.patient_change_at
    ).update(staff_told_of_change_at=told, updated_at=told)
    request.staff_told_of_change_at = told
    return True


def queue_emails(request, cancelled_time=None):
    """Note that `request` has emails to send, due now, and queue the job that sends them
    once the transaction commits. Called inside the transaction that made them due."""
    _mark_due(request, cancelled_time)
    transaction.on_commit(lambda: _enqueue(request.pk))


def _mark_due(request, cancelled_time=None):
    defaults = {"due_at": timezone.now()}
    if cancelled_time is not None:
        defaults["cancelled_time"] = cancelled_time
    EmailsDue.objects.update_or_create(request=request, defaults=defaults)


def _enqueue(request_pk):
    from consultations.tasks import send_emails

    try:
        send_emails(request_pk)
    except Exception:  # the queue is down: the row stays, and the next sweep sends
        logger.exception("Could not queue the emails of consultation request #%s.", request_pk)


def send_due_emails(request_pk):
    """The job: send the request's due emails, until none are due."""
    while _send_due_once(request_pk):
        pass


def _send_due_once(request_pk):
    """Claim the request's due emails, send them, and remove the note, or count the
    failure and set the next attempt (none after about a day: staff resend). True when
    the note was made due again while sending (staff scheduled meanwhile): go again.

    The claim is one UPDATE: two workers never send the same emails.
    """
    now = timezone.now()
    due = EmailsDue.objects.due(now).filter(pk=request_pk).first()
    if due is None:
        return False
    if (
        not EmailsDue.objects.due(now)
        .filter(pk=request_pk, due_at=due.due_at)
        .update(sending_since=now)
    ):
        return False  # another worker claimed it first
    request = ConsultationRequest.objects.get(pk=request_pk)
    sent = send_outstanding(request, due.cancelled_time)
    delay = None if sent else EmailsDue.next_delay(due.failures + 1)
    if not sent and delay is None:
        ConsultationEvent.objects.create(
            request=request,
            kind=ConsultationEvent.Kind.NOTIFICATION_FAILED,
            note="Automatic retries stopped after a day: resend from admin.",
        )
    unchanged = EmailsDue.objects.filter(pk=request_pk, due_at=due.due_at)
    if delay is None:
        settled = unchanged.delete()[0]
    else:
        settled = unchanged.update(
            due_at=now + delay, failures=due.failures + 1, sending_since=None
        )
    if settled:
        return False
    EmailsDue.objects.filter(pk=request_pk).update(sending_since=None)
    return True


def send_all_due_emails():
    """The sweep: every request whose emails are due (a retry, a lost job)."""
    for request_pk in EmailsDue.objects.due().values_list("pk", flat=True):
        send_due_emails(request_pk)


def resend_notifications(request):
    """Staff's resend: the request's outstanding emails due now, for the queue."""
    with transaction.atomic():
        queue_emails(request)


def change_request(request, *, actor, changes):
    """Apply staff changes (status, assignee, scheduled time, notes) and audit each one.

    `changes` maps field names to new values; the caller has checked the workflow.
    The trail stores values (a status code, a UTC time); admin shows their labels.
    Returns the list of events written.
    """
    events = []
    kinds = {
        "status": ConsultationEvent.Kind.STATUS,
        "assigned_to": ConsultationEvent.Kind.ASSIGNED,
        "clinician": ConsultationEvent.Kind.CLINICIAN,
        "consultation_type": ConsultationEvent.Kind.CLINICIAN,
        "scheduled_at": ConsultationEvent.Kind.SCHEDULED_TIME,
        "video_link": ConsultationEvent.Kind.VIDEO_LINK,
        "internal_notes": ConsultationEvent.Kind.NOTES,
    }
    with transaction.atomic():
        before = ConsultationRequest.objects.select_for_update().get(pk=request.pk)
        if before.status == Status.SCHEDULED and changes.get("status") == Status.CONTACTED:
            # Back to arranging a time: the clinician's time is free again.
            changes = {**changes, "scheduled_at": None}
        for field, value in changes.items():
            old = getattr(before, field)
            if old == value:
                continue
            setattr(request, field, value)
            events.append(
                ConsultationEvent(
                    request=request,
                    actor=actor,
                    kind=kinds[field],
                    from_value=_trail_value(field, old),
                    to_value=_trail_value(field, value),
                )
            )
        request.save()
        for event in events:
            event.save()
        was_scheduled = before.status == Status.SCHEDULED
        now_scheduled = request.status == Status.SCHEDULED
        if now_scheduled and (not was_scheduled or _appointment(before) != _appointment(request)):
            # A new time, clinician, type or video link: a new confirmation; and the
            # reminders of a new time.
            request.confirmation_sent_at = None
            reset = ["confirmation_sent_at", "updated_at"]
            if not was_scheduled or before.scheduled_at != request.scheduled_at:
                for reminder in REMINDERS:
                    setattr(request, reminder.field, None)
                reset += [reminder.field for reminder in REMINDERS]
            request.save(update_fields=reset)
            queue_emails(request)
        elif was_scheduled and _cancellation_due(request):
            queue_emails(request, cancelled_time=before.scheduled_at)
    return events


def _appointment(request):
    """What the patient's confirmation and calendar file say."""
    return (
        request.scheduled_at,
        request.clinician_id,
        request.consultation_type_id,
        request.video_link,
    )


def _trail_value(field, value):
    if value is None or value == "":
        return ""
    if field == "scheduled_at":
        return value.astimezone(UTC).isoformat()
    if field == "video_link":
        return "(set)"  # a meeting address admits whoever has it: kept on the request only
    if field == "internal_notes":
        return "(edited)"  # the notes themselves stay on the request, not in the trail
    if field == "assigned_to":
        return (value.get_full_name() or value.get_username())[:200]
    return str(value)[:200]


def correct_contact_details(request, *, actor, changes):
    """Correct what the patient typed (on their request): the trail records which fields
    changed and who changed them, never the old or new values."""
    changed = [field for field, value in changes.items() if getattr(request, field) != value]
    if not changed:
        return None
    with transaction.atomic():
        for field in changed:
            setattr(request, field, changes[field])
        request.save()
        labels = [str(ConsultationRequest._meta.get_field(field).verbose_name) for field in changed]
        return ConsultationEvent.objects.create(
            request=request,
            actor=actor,
            kind=ConsultationEvent.Kind.CORRECTED,
            note=", ".join(labels),
        )


def erase_personal_data(request, *, actor=None, reason):
    """Erase what identifies the patient now (on their request, or at the end of the
    retention period). The trail keeps that it happened, by whom and why."""
    with transaction.atomic():
        request.anonymise()
        request.save()
        ConsultationEvent.objects.create(
            request=request, actor=actor, kind=ConsultationEvent.Kind.ANONYMISED, note=reason
        )


# What the patient's own link writes (the job writes its own fields meanwhile).
PATIENT_CHANGE_FIELDS = ["patient_change", "patient_change_at", "patient_change_note", "updated_at"]


class PatientChangeRefused(Exception):
    """The request is closed: the patient's link shows it but changes nothing."""


def _locked_for_patient(request):
    """The request, locked until the transaction ends; refused unless open."""
    current = (
        ConsultationRequest.objects.select_for_update()
        .filter(pk=request.pk, anonymised_at__isnull=True)
        .first()
    )
    if current is None or current.status not in ConsultationRequest.PATIENT_MAY_CHANGE:
        raise PatientChangeRefused(current.status if current else "")
    return current


def cancel_by_patient(request):
    """The patient cancels from their own link. The clinician's time is free at once (a
    cancelled request holds none); the trail says the patient did it; the job tells
    staff and, when a time had been confirmed, takes it out of the patient's calendar."""
    with transaction.atomic():
        current = _locked_for_patient(request)
        confirmed = current.status == Status.SCHEDULED and current.confirmation_sent_at is not None
        before = current.status
        current.status = Status.CANCELLED
        current.patient_change = PatientChange.CANCELLED
        current.patient_change_at = timezone.now()
        current.patient_change_note = ""
        current.save(update_fields=[*PATIENT_CHANGE_FIELDS, "status"])
        ConsultationEvent.objects.create(
            request=current,
            actor=None,
            actor_name=PATIENT_ACTOR,
            kind=ConsultationEvent.Kind.STATUS,
            from_value=before,
            to_value=current.status,
        )
        queue_emails(current, cancelled_time=current.scheduled_at if confirmed else None)
    logger.info("Consultation request %s cancelled by the patient.", current.reference)
    return current


def ask_for_another_time(request, note=""):
    """The patient asks for another time from their own link, with an optional note of
    what suits them better. Nothing changes on the calendar until staff agree a time;
    the trail records the ask, never the note (it stays on the request, which erasure
    blanks); the job tells staff."""
    with transaction.atomic():
        current = _locked_for_patient(request)
        current.patient_change = PatientChange.NEW_TIME
        current.patient_change_at = timezone.now()
        current.patient_change_note = note[:300]
        current.save(update_fields=PATIENT_CHANGE_FIELDS)
        ConsultationEvent.objects.create(
            request=current,
            actor=None,
            actor_name=PATIENT_ACTOR,
            kind=ConsultationEvent.Kind.PATIENT,
            to_value=PatientChange.NEW_TIME,
            note="With a note on the request." if note else "",
        )
        queue_emails(current)
    logger.info("Consultation request %s: the patient asks for another time.", current.reference)
    return current


def cancelled_by_patient(request):
    """The request is cancelled, and the patient did it (the last status change is theirs:
    staff may have reopened a request the patient once cancelled)."""
    if request.status != Status.CANCELLED:
        return False
    last = request.events.filter(kind=ConsultationEvent.Kind.STATUS).order_by("-pk").first()
    return last is not None and last.actor_id is None and last.actor_name == PATIENT_ACTOR
