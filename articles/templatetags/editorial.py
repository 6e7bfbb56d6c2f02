"""The admin index's editorial panel: what waits for the signed-in member of staff."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse

from articles.models import Article, Condition, Treatment, Version

register = template.Library()
LIMIT = 20


def _linked(versions):
    for version in versions:
        meta = version.content_type.model_class()._meta
        version.admin_url = reverse(
            f"admin:{meta.app_label}_{meta.model_name}_change", args=[version.object_id]
        )
        version.kind = meta.verbose_name
    return versions


def _of_existing_records(versions):
    """Versions whose record still exists: a deleted record waits for nobody's review."""
    existing = Q()
    for model in (Article, Condition, Treatment):
        existing |= Q(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=model.objects.values("pk"),
        )
    return versions.filter(existing)


@register.inclusion_tag("admin/articles/editorial_panel.html", takes_context=True)
def editorial_panel(context):
    user = context["request"].user
    versions = _of_existing_records(
        Version.objects.select_related("content_type", "approved_by", "reviewed_by")
    )
    panel = {}
    if user.has_perm("articles.approve_version"):
        panel["waiting"] = _linked(list(versions.waiting_for_review()[:LIMIT]))
        panel["can_review"] = getattr(user, "clinician", None) is not None
    if user.has_perm("articles.view_version"):
        panel["review_due"] = _linked(list(versions.review_due()[:LIMIT]))
    if user.has_perm("articles.change_article"):
        sent_back = versions.working_copies().filter(state=Version.State.REJECTED)
        panel["sent_back"] = _linked(list(sent_back.order_by("-reviewed_at")[:LIMIT]))
    panel["shown"] = bool(panel)
    return panel
