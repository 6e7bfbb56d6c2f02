"""The weekly email to the Medical reviewers: the published content whose medical
review is due within a month, or overdue."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from articles.models import ReviewDigest, Version

WITHIN_DAYS = 30


def reviewers_addresses():
    users = (
        get_user_model()
        .objects.filter(groups__name="Medical reviewers", is_active=True)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def send_review_digest(today=None):
    """Send this week's digest once, whichever job worker runs it first; nothing when no
    review is due or nobody would receive it. Returns how many versions it listed.

    The week's row is written before the email goes and removed if the send fails, so
    that a worker that runs it later (a retry) sends it then.
    """
    today = today or timezone.localdate()
    due = list(Version.objects.of_existing_records().review_due(WITHIN_DAYS))
    addresses = reviewers_addresses()
    if not due or not addresses:
        return 0
    week = today - timedelta(days=today.weekday())
    try:
        with transaction.atomic():
            ReviewDigest.objects.create(week=week, versions=len(due))
    except IntegrityError:
        return 0  # this week's digest went already
    try:
        with translation.override("en"):
            body = render_to_string(
                "articles/email/review_digest.txt",
                {
                    "versions": due,
                    "today": today,
                    "within_days": WITHIN_DAYS,
                    "site_url": settings.SITE_URL.rstrip("/"),
                },
            )
            subject = f"Genoma Health: {len(due)} medical review(s) due"
        EmailMessage(subject=subject, body=body, to=addresses).send()
    except Exception:
        ReviewDigest.objects.filter(week=week).delete()
        raise
    return len(due)
