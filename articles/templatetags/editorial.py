"""The admin index's editorial panel: what waits for the signed-in member of staff."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Condition, Treatment, Version
from articles.versions_admin import MISSING, OUT_OF_DATE, TranslationFilter, stale_translations

register = template.Library()
LIMIT = 20
# Candidates for "out of date" whose words are compared at a time: most are out of date,
# so one batch usually finds the LIMIT (and one more, to tell whether there are more).
BATCH = 2 * LIMIT


def _out_of_date():
    """Up to LIMIT + 1 English working copies whose translation is out of date, in the
    panel's order.

    The database finds the candidates (translations made from another English version)
    and reads them a batch at a time; their documents are compared batch by batch
    (stale_translations, the one rule), until LIMIT + 1 are found or no candidate is
    left. Two queries a batch and usually one batch; the worst case, many candidates
    whose words did not change (say, only slugs changed), reads more batches.
    """
    candidates = Version.objects.translated_from_another_version()
    found, start = [], 0
    while len(found) <= LIMIT:
        batch = list(candidates[start : start + BATCH])
        stale = stale_translations(
            (version.model, version.pk, version.thai_source) for version in batch
        )
        found += [version for version in batch if version.pk in stale]
        if len(batch) < BATCH:
            break
        start += BATCH
    return found[: LIMIT + 1]


def _translations_to_do(user):
    """The records whose Thai translation is out of date, then those whose translation is
    missing, each as its English working copy, at most LIMIT; and, when there are more,
    links to the changelists' Thai translation filter, which lists them all. Reads a
    bounded number of rows whatever the number of records."""
    out_of_date = _out_of_date()
    missing = list(Version.objects.untranslated()[: LIMIT + 1])
    for version in out_of_date:
        version.translation = _("out of date")
    for version in missing:
        version.translation = _("missing")
    shown_missing = max(LIMIT - len(out_of_date), 0)
    more = []
    if len(out_of_date) > LIMIT:
        more.append((_("out of date"), OUT_OF_DATE))
    if len(missing) > shown_missing:
        more.append((_("missing"), MISSING))
    return (out_of_date + missing)[:LIMIT], [
        (state, _full_lists(user, value)) for state, value in more
    ]


def _full_lists(user, value):
    """The changelists of the records `user` may see, filtered by their Thai translation."""
    query = urlencode({TranslationFilter.parameter_name: value})
    return [
        {
            "records": model._meta.verbose_name_plural,
            "url": f"{reverse(f'admin:articles_{model._meta.model_name}_changelist')}?{query}",
        }
        for model in (Article, Condition, Treatment)
        if user.has_perm(f"articles.view_{model._meta.model_name}")
        or user.has_perm(f"articles.change_{model._meta.model_name}")
    ]


@register.inclusion_tag("admin/articles/editorial_panel.html", takes_context=True)
def editorial_panel(context):
    user = context["request"].user
    versions = Version.objects.select_related(
        "content_type", "approved_by", "reviewed_by"
    ).of_existing_records()
    panel = {}
    if user.has_perm("articles.approve_version"):
        panel["waiting"] = list(versions.waiting_for_review()[:LIMIT])
        panel["can_review"] = getattr(user, "clinician", None) is not None
    if user.has_perm("articles.view_version"):
        panel["review_due"] = list(versions.review_due()[:LIMIT])
    if user.has_perm("articles.change_article"):
        sent_back = versions.working_copies().filter(state=Version.State.REJECTED)
        panel["sent_back"] = list(sent_back.order_by("-reviewed_at")[:LIMIT])
        panel["translations"], panel["more_translations"] = _translations_to_do(user)
    panel["shown"] = bool(panel)
    return panel
