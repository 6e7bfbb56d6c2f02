"""XSS payloads sent through every form field come out inert in admin and on public pages."""

import uuid

import pytest
from django.urls import reverse
from django.utils.html import escape

from articles.models import Condition, RiskFactor, Treatment
from consultations.models import ConsultationRequest
from tests.articles.factories import publish
from tests.articles.test_richtext import XSS_PAYLOADS

pytestmark = pytest.mark.django_db
TEXT_FIELDS = ["full_name", "message"]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_form_payloads_are_stored_as_typed_and_escaped_everywhere(
    client, admin_client, valid_post, payload, django_capture_on_commit_callbacks, mailoutbox
):
    data = {**valid_post, "full_name": f"Ann {payload}", "message": payload,
            "submission_token": str(uuid.uuid4()), "source_page": f"/x/{payload}"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/consultation/", data)
    assert response.status_code in (200, 302)
    for field in ("email", "phone", "preferred_date", "country"):
        rejected = client.post("/consultation/", {**valid_post, field: payload})
        assert payload not in rejected.content.decode()
    stored = ConsultationRequest.objects.filter(message=payload.replace("\x00", "")).first()
    if stored is None:  # refused as invalid input: then nothing was stored
        assert not ConsultationRequest.objects.exists()
        return
    pages = [
        admin_client.get(reverse("admin:consultations_consultationrequest_changelist")),
        admin_client.get(
            reverse("admin:consultations_consultationrequest_change", args=[stored.pk])
        ),
        admin_client.get(
            reverse("admin:consultations_consultationrequest_changelist"), {"q": payload}
        ),
        client.get("/consultation/thanks/"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert payload not in page.content.decode()
    for message in mailoutbox:
        assert payload not in message.body or message.to == [stored.email]


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:8])
def test_content_names_are_escaped_on_public_pages_and_in_admin(
    client, admin_client, clinic_content, payload
):
    condition = Condition.objects.get(slug="osteoporosis")
    condition.name = f"Osteoporosis {payload}"[:120]
    condition.summary = payload
    condition.save()
    factor = RiskFactor.objects.filter(condition=condition).first()
    factor.name = payload[:200]
    factor.description = payload
    factor.save()
    treatment = Treatment.objects.get(slug="msc-therapy")
    treatment.regulatory_note = payload
    treatment.save()
    publish(condition, treatment)
    shown = client.get("/conditions/osteoporosis/").content.decode()
    assert escape(payload) in shown  # the payload is on the page, inert
    urls = [
        "/",
        "/conditions/",
        "/conditions/osteoporosis/",
        "/treatments/msc-therapy/",
        "/articles/osteoporosis-and-stem-cell-therapy-a-new-approach-to-bone-health/",
        "/search/?q=osteoporosis",
        reverse("admin:articles_condition_change", args=[condition.pk]),
        reverse("admin:articles_condition_changelist"),
    ]
    for url in urls:
        page = (admin_client if "admin" in url else client).get(url).content.decode()
        assert payload not in page, url
