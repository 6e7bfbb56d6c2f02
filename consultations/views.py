"""The consultation request form and its thanks page (never cached)."""

import logging
import uuid
from urllib.parse import urlsplit

from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from articles.models import Article, Condition, Version, clean_slug
from consultations import ratelimit
from consultations.forms import ConsultationRequestForm, signed_timestamp
from consultations.models import ConsultationRequest
from consultations.services import submit_consultation_request

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
        .only("reference", "email", "contact_method", "language", "status")
        .first()
        if reference
        else None
    )
    return render(request, "consultations/thanks.html", {"consultation": consultation})
