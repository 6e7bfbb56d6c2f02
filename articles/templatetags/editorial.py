"""The admin index's editorial panel: what waits for the signed-in member of staff."""

from django import template
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from articles.models import Version
from articles.translation import SOURCE, TRANSLATION
from articles.versions_admin import stale_translations

register = template.Library()
LIMIT = 20


def _translations_to_do():
    """The records whose Thai translation is missing or out of date (those first), each
    as its English working copy, in two queries whatever their number."""
    thai = Version.objects.filter(
        content_type=OuterRef("content_type"),
        object_id=OuterRef("object_id"),
        language=TRANSLATION,
    ).order_by("-number")
    english = list(
        Version.objects.working_copies()
        .filter(language=SOURCE)
        .of_existing_records()
        .select_related("content_type")
        .defer("data", "search_text")
        .annotate(
            thai_number=Subquery(thai.values("number")[:1]),
            thai_source=Subquery(thai.values("source")[:1]),
        )
        .order_by("content_type", "title")
    )
    stale = stale_translations(
        (version.content_type.model_class(), version.pk, version.thai_source)
        for version in english
        if version.thai_number is not None
    )
    for version in english:
        version.translation = _("out of date") if version.pk in stale else _("missing")
    to_do = [version for version in english if version.pk in stale]
    to_do += [version for version in english if version.thai_number is None]
    return to_do[:LIMIT]


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
        panel["translations"] = _translations_to_do()
    panel["shown"] = bool(panel)
    return panel
