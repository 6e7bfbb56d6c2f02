"""Who may do what with consultation requests: every admin URL, every role, every verb."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from consultations.models import ConsultationRequest
from tests.conftest import sign_in
from tests.consultations.factories import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(db):
    return make_request(full_name="Malee Srisuk", email="malee@example.com")


def requests_for(consultation):
    """(method, url, data) for every consultations admin URL and verb."""
    change = reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])
    changelist = reverse("admin:consultations_consultationrequest_changelist")
    action = {"action": "mark_contacted", "_selected_action": [consultation.pk]}
    export = {"action": "export_csv", "_selected_action": [consultation.pk]}
    content_type = ContentType.objects.get_for_model(ConsultationRequest)
    correct = reverse("admin:consultations_consultationrequest_correct", args=[consultation.pk])
    erase = reverse("admin:consultations_consultationrequest_erase", args=[consultation.pk])
    correction = {"full_name": "Malee Srisuk", "email": "malee.s@example.com",
                  "phone": "+66812345678", "country": "TH", "contact_method": "email",
                  "language": "en"}  # fmt: skip
    review = {"status": "contacted", "assigned_to": "", "internal_notes": "Called back.",
              "scheduled_at_0": "", "scheduled_at_1": "",
              "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "1",
              "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "0"}  # fmt: skip
    return {
        "changelist GET": ("get", changelist, None),
        "change GET": ("get", change, None),
        "history GET": (
            "get",
            reverse("admin:consultations_consultationrequest_history", args=[consultation.pk]),
            None,
        ),
        "change POST": ("post", change, review),
        "action POST": ("post", changelist, action),
        "export POST": ("post", changelist, export),
        "add GET": ("get", reverse("admin:consultations_consultationrequest_add"), None),
        "add POST": ("post", reverse("admin:consultations_consultationrequest_add"), {}),
        "delete GET": (
            "get",
            reverse("admin:consultations_consultationrequest_delete", args=[consultation.pk]),
            None,
        ),
        "delete POST": (
            "post",
            reverse("admin:consultations_consultationrequest_delete", args=[consultation.pk]),
            {"post": "yes"},
        ),
        "view on site GET": (
            "get",
            reverse("admin:view_on_site", args=[content_type.pk, consultation.pk]),
            None,
        ),
        "correct GET": ("get", correct, None),
        "correct POST": ("post", correct, correction),
        "erase GET": ("get", erase, None),
        "erase POST": ("post", erase, {"reason": "The patient asked by phone."}),
    }


EXPECTED = {
    "editor": dict.fromkeys(
        [
            "changelist GET",
            "change GET",
            "history GET",
            "change POST",
            "action POST",
            "export POST",
            "add GET",
            "add POST",
            "delete GET",
            "delete POST",
            "correct GET",
            "correct POST",
            "erase GET",
            "erase POST",
        ],
        403,
    )
    # No URL tells an editor whether a request exists.
    | {"view on site GET": 404},
    "clinic_staff": {
        "changelist GET": 200,
        "change GET": 200,
        "history GET": 200,
        "change POST": 302,
        "action POST": 302,
        "export POST": 200,
        "add GET": 403,
        "add POST": 403,
        "delete GET": 403,
        "delete POST": 403,
        "view on site GET": 404,
        "correct GET": 200,
        "correct POST": 302,
        "erase GET": 200,
        "erase POST": 302,
    },
    "admin_user": {
        "changelist GET": 200,
        "change GET": 200,
        "history GET": 200,
        "change POST": 302,
        "action POST": 302,
        "export POST": 200,
        "add GET": 403,
        "add POST": 403,
        "delete GET": 403,
        "delete POST": 403,
        "view on site GET": 404,
        "correct GET": 200,
        "correct POST": 302,
        "erase GET": 200,
        "erase POST": 302,
    },
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_gets_exactly_its_rights_on_every_url_and_verb(
    request, consultation, role, mailoutbox
):
    client = Client()
    sign_in(client, request.getfixturevalue(role))
    got = {}
    for name, (method, url, data) in requests_for(consultation).items():
        response = getattr(client, method)(url, data or {})
        got[name] = response.status_code
        if role == "editor":
            assert "Malee" not in response.content.decode()
    assert got == EXPECTED[role]
    assert ConsultationRequest.objects.filter(pk=consultation.pk).exists()


def test_an_editor_gets_the_same_answer_whether_a_request_exists_or_not(client, editor):
    """A 302 for an existing id and a 404 for a missing one would tell which requests exist."""
    existing = make_request()
    missing = ConsultationRequest(pk=existing.pk + 1000)
    sign_in(client, editor)
    answers = {}
    for consultation in (existing, missing):
        answers[consultation.pk] = {
            name: getattr(client, method)(url, data or {}).status_code
            for name, (method, url, data) in requests_for(consultation).items()
        }
    assert answers[existing.pk] == answers[missing.pk]


def test_only_clinic_staff_are_offered_as_assignee(
    admin_client, clinic_staff, editor, consultation
):
    page = admin_client.get(
        reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])
    ).content.decode()
    assignee_select = page[
        page.index('name="assigned_to"') : page.index("</select>", page.index('name="assigned_to"'))
    ]
    assert f'value="{clinic_staff.pk}"' in assignee_select
    assert f'value="{editor.pk}"' not in assignee_select


def test_anonymous_visitors_are_sent_to_log_in_for_every_url_and_verb(consultation):
    client = Client()
    for name, (method, url, data) in requests_for(consultation).items():
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name
    consultation.refresh_from_db()
    assert consultation.status == "new"


def test_the_export_permission_is_its_own(consultation, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_consultationrequest", "change_consultationrequest"]
        )
    )
    client = Client()
    sign_in(client, user)
    page = client.get(reverse("admin:consultations_consultationrequest_changelist"))
    assert 'value="export_csv"' not in page.content.decode()
    response = client.post(
        reverse("admin:consultations_consultationrequest_changelist"),
        {"action": "export_csv", "_selected_action": [consultation.pk]},
    )
    assert response.get("Content-Type", "").startswith("text/html")  # no CSV for them
