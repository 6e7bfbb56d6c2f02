"""The consultation request form, its thanks page, and the patient's own page of their
request (all never cached)."""

import logging
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from articles.models import Article, Condition, Version, clean_slug
from consultations import ratelimit
from consultations.forms import ConsultationRequestForm, signed_timestamp
from consultations.manage import AnotherTimeForm, request_for_token
from consultations.models import ConsultationEvent, ConsultationRequest
from consultations.scheduling import SlotUnavailable
from consultations.services import (
    PICK_STATUSES,
    PatientChangeRefused,
    ask_for_another_time,
    cancel_by_patient,
    cancelled_by_patient,
    consultation_time,
    submit_consultation_request,
)

logger = logging.getLogger(__name__)
SESSION_KEY = "consultation_reference"


def _initial(request):
    """Prefill from ?condition= and ?article=, and remember where the patient came from."""
    initial = {"form_started": signed_timestamp(), "submission_token": uuid.uuid4()}
    condition_slug = clean_slug(request.GET.get("condition"))
    article_slug = clean_slug(request.GET.get("article"))
    published = Version.objects.for_list()
    article = published.of(Article).filter(slug=article_slug).first() if article_slug else None
    if article:
        initial["source_article"] = article.slug
        initial["source_page"] = article.get_absolute_url()
        if not condition_slug:
            topics = article.conditions.values("pk")
            first = published.of(Condition).filter(object_id__in=topics).order_by("title").first()
            condition_slug = first.slug if first else ""
    if condition_slug and published.of(Condition).filter(slug=condition_slug).exists():
        initial["condition"] = condition_slug
    if "source_page" not in initial:
        referer = urlsplit(request.META.get("HTTP_REFERER", ""))
        if referer.netloc == request.get_host() and referer.path:
            initial["source_page"] = referer.path[:300]
    return initial


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def consultation_request(request):
    try:
        return _consultation_request(request)
    except DatabaseError:
        # Nothing was stored (the transaction rolled back); the patient is told to retry.
        logger.exception("The consultation form could not reach the database.")
        return render(request, "consultations/unavailable.html", status=503)


def _consultation_request(request):
    if request.method != "POST":
        form = ConsultationRequestForm(initial=_initial(request))
        return render(request, "consultations/form.html", {"form": form})
    if ratelimit.is_limited(request):
        return render(request, "consultations/rate_limited.html", status=429)
    form = ConsultationRequestForm(request.POST)
    if not form.is_valid():
        form.show_again()  # what was typed, and bookkeeping that cannot fail twice
        return render(request, "consultations/form.html", {"form": form})
    try:
        consultation, created = submit_consultation_request(
            form.cleaned_data, spam_reason=form.spam_reason(), review_note=form.review_note()
        )
    except SlotUnavailable as taken:
        # Another patient took the time meanwhile: everything typed stays, the time is asked again.
        form.time_taken(taken)
        form.show_again()
        return render(request, "consultations/form.html", {"form": form})
    except DatabaseError:
        logger.exception("A consultation request could not be stored.")
        return render(request, "consultations/unavailable.html", {"form": form}, status=503)
    if created:
        ratelimit.count_submission(request)
    request.session[SESSION_KEY] = consultation.reference
    return redirect("consultations:thanks")


@never_cache
@require_safe
def thanks(request):
    reference = request.session.get(SESSION_KEY)
    consultation = (
        ConsultationRequest.objects.filter(reference=reference)
        .select_related("clinician", "consultation_type")
        .only(
            "reference",
            "email",
            "contact_method",
            "language",
            "status",
            "scheduled_at",
            "clinician__name",
            "consultation_type__mode",
            "consultation_type__duration_minutes",
        )
        .first()
        if reference
        else None
    )
    return render(request, "consultations/thanks.html", {"consultation": consultation})


Status = ConsultationRequest.Status
# Each status as the patient reads it: a word, and what it means for them.
PATIENT_STATUS = {
    Status.NEW: (_("Received"), _("We have your request and will contact you soon.")),
    Status.CONTACTED: (_("In progress"), _("We are arranging your consultation with you.")),
    Status.SCHEDULED: (_("Confirmed"), _("Your consultation is booked.")),
    Status.COMPLETED: (_("Completed"), _("Your consultation has taken place.")),
    Status.DECLINED: (_("Closed"), _("We could not offer a consultation for this request.")),
    Status.CANCELLED: (_("Cancelled"), _("This consultation request is cancelled.")),
    Status.SPAM: (_("Closed"), _("This request is closed.")),
}
CANCELLED_BY_YOU = _("This consultation request is cancelled, as you asked.")
# Times, clinicians and types shown for these statuses (a closed request shows its status).
DETAILS_SHOWN = (Status.NEW, Status.CONTACTED, Status.SCHEDULED, Status.COMPLETED)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    """The patient's own page of their request, from the signed link in our emails: no
    sign-in, so it shows nothing the patient typed, and its address (the token) is never
    sent on to another site (referrer only to this site, whose forms need it for their
    CSRF check) nor indexed."""
    consultation = request_for_token(token)
    if consultation is None:
        response = render(request, "consultations/manage_invalid.html", status=404)
    elif request.method == "POST":
        response = _manage_change(request, consultation)
    else:
        response = _manage_page(request, consultation)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _manage_change(request, consultation):
    """Cancel, or ask for another time; then back to the page (POST-redirect-GET) with a
    message. A closed request (or a forged action) changes nothing and says so."""
    action = request.POST.get("action")
    try:
        if action == "cancel":
            cancel_by_patient(consultation)
            messages.success(
                request,
                _("Your consultation request is cancelled. We have let our team know."),
            )
        elif action == "another_time":
            form = AnotherTimeForm(request.POST)
            if not form.is_valid():
                return _manage_page(request, consultation, form=form)
            ask_for_another_time(consultation, form.cleaned_data["note"])
            messages.success(
                request,
                _(
                    "Thank you: we have your request for another time. We will contact "
                    "you %(method)s to agree a new time."
                )
                % {"method": consultation.contact_method_phrase},
            )
        else:
            messages.error(request, _("Nothing was changed. Please choose an action below."))
    except PatientChangeRefused:
        messages.error(
            request,
            _(
                "This request is closed, so it can no longer be changed here. Nothing was "
                "changed. If you need help, please reply to our email."
            ),
        )
    return redirect(request.path)


def _waiting_for_new_time(consultation):
    """The patient asked for another time and staff have not acted on the request since."""
    if consultation.patient_change != ConsultationRequest.PatientChange.NEW_TIME:
        return False
    return not consultation.events.filter(
        created_at__gt=consultation.patient_change_at,
        actor__isnull=False,
        kind__in=[ConsultationEvent.Kind.STATUS, ConsultationEvent.Kind.SCHEDULED_TIME],
    ).exists()


def _manage_page(request, consultation, form=None):
    status = consultation.status
    label, explanation = PATIENT_STATUS[status]
    if status == Status.CANCELLED and cancelled_by_patient(consultation):
        explanation = CANCELLED_BY_YOU
    shown = status in DETAILS_SHOWN
    may_change = status in ConsultationRequest.PATIENT_MAY_CHANGE
    when = consultation_time(consultation.scheduled_at) if consultation.scheduled_at else ""
    context = {
        "consultation": consultation,
        "status_label": label,
        "status_explanation": explanation,
        "shown": shown,
        "when": when if shown else "",
        "time_requested": bool(when) and status in PICK_STATUSES,
        "time_zone": settings.TIME_ZONE,
        "show_video": status == Status.SCHEDULED and consultation.is_video,
        "may_change": may_change,
        "confirm_cancel": may_change and request.GET.get("step") == "cancel",
        "waiting_for_new_time": may_change and _waiting_for_new_time(consultation),
        "form": form or AnotherTimeForm(),
    }
    return render(request, "consultations/manage.html", context)
