"""The admin index's chart of consultation requests per week, for staff who may read them."""

from django import template

from consultations.models import ConsultationRequest
from consultations.weekly_chart import WeeklyChart

register = template.Library()
WEEKS = 12


@register.inclusion_tag("admin/consultations/weekly_requests.html", takes_context=True)
def weekly_requests(context):
    """Shown to superusers and Clinic staff (who may view requests); Editors and Medical
    reviewers never see it. Counts only: no patient's name or detail is on it."""
    if not context["request"].user.has_perm("consultations.view_consultationrequest"):
        return {"chart": None}
    return {"chart": WeeklyChart(ConsultationRequest.objects.weekly_counts(weeks=WEEKS))}
