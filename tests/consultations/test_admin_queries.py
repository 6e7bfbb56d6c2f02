"""The consultation requests' changelist reads the same number of queries whatever the
number of requests: its first page, a filter and a search."""

import pytest
from django.urls import reverse

from consultations.models import ConsultationEvent, ConsultationRequest
from tests.articles.factories import make_condition, make_staff, make_treatment
from tests.changelists import changelist_queries
from tests.consultations.factories import make_request
from tests.team.factories import make_clinician

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")
Status = ConsultationRequest.Status


def requests(start, stop):
    """Requests numbered `start` to `stop`, each with its own condition, treatment, staff
    member and clinician (what the changelist shows of each), and its audit trail."""
    made = []
    for n in range(start, stop):
        request = make_request(
            full_name=f"Patient {n:03}",
            email=f"patient{n}@example.com",
            status=Status.CONTACTED if n % 2 else Status.NEW,
            condition=make_condition(name=f"Condition {n}", slug=f"condition-{n}"),
            treatment=make_treatment(name=f"Treatment {n}", slug=f"treatment-{n}"),
            assigned_to=make_staff(f"staff-{n}", "Clinic staff"),
            clinician=make_clinician(name=f"Dr {n}", slug=f"dr-{n}"),
            review_note="Sent very fast." if n % 3 == 0 else "",
            notification_error="SMTPException: boom" if n % 5 == 0 else "",
        )
        ConsultationEvent.objects.create(request=request, kind=ConsultationEvent.Kind.SUBMITTED)
        made.append(request)
    return made


def test_the_changelist_reads_the_same_queries_for_5_or_60_requests(clinic_staff_client):
    first = requests(0, 5)[0]
    pages = {
        "first page": {},
        "open": {"status": "open"},
        "a condition": {"condition__id__exact": first.condition_id},
        "needs a look": {"needs_a_look": "yes"},
        "search": {"q": "Patient"},
        "search and filter": {"q": "Patient", "status": "contacted"},
        "last page": {"p": 2},
    }
    changelist_queries(
        clinic_staff_client, CHANGELIST, {"first page": {}}
    )  # the session's first look
    few = changelist_queries(
        clinic_staff_client, CHANGELIST, {k: v for k, v in pages.items() if k != "last page"}
    )
    requests(5, 60)
    many = changelist_queries(clinic_staff_client, CHANGELIST, pages)
    assert {name: count for name, (count, _rows) in many.items() if name in few} == {
        name: count for name, (count, _rows) in few.items()
    }
    assert many["last page"][0] == many["first page"][0]
    assert max(count for count, _rows in many.values()) <= 12
    assert many["first page"][1] == 60 > few["first page"][1]
    assert many["search"][1] == 60
