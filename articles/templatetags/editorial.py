"""The admin index's editorial panel: what waits for the signed-in member of staff."""

from django import template
from django.urls import reverse

from articles.models import Version

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


@register.inclusion_tag("admin/articles/editorial_panel.html", takes_context=True)
def editorial_panel(context):
    user = context["request"].user
    versions = Version.objects.select_related("content_type", "approved_by", "reviewed_by")
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
