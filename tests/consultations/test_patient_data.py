"""What the privacy notice promises staff can do for a patient, and what a request keeps
whatever happens to the site's content or to staff accounts."""

import pytest
from django.contrib.auth.models import Group
from django.db.models import ProtectedError
from django.urls import reverse

from articles.models import Condition
from articles.roles import CLINIC_STAFF
from consultations import services
from consultations.models import ConsultationEvent, ConsultationRequest
from tests.articles.factories import make_condition, publish
from tests.consultations.factories import make_request

pytestmark = pytest.mark.django_db
Kind = ConsultationEvent.Kind


def correct_url(consultation):
    return reverse("admin:consultations_consultationrequest_correct", args=[consultation.pk])


def erase_url(consultation):
    return reverse("admin:consultations_consultationrequest_erase", args=[consultation.pk])


def change_page(client, consultation):
    url = reverse("admin:consultations_consultationrequest_change", args=[consultation.pk])
    return client.get(url).content.decode()


CORRECTION = {
    "full_name": "Malee Srisuk",
    "email": "malee.new@example.com",
    "phone": "02 123 4567 ext. 12",
    "country": "TH",
    "contact_method": "phone",
    "language": "th",
}


# Correction


def test_staff_correct_contact_details_and_the_trail_says_which_not_what(
    clinic_staff_client, clinic_staff
):
    consultation = make_request(full_name="Malee Sri", email="malee.old@example.com")
    assert correct_url(consultation) in change_page(clinic_staff_client, consultation)

    response = clinic_staff_client.post(correct_url(consultation), CORRECTION, follow=True)

    assert "Contact details corrected." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.full_name == "Malee Srisuk"
    assert consultation.email == "malee.new@example.com"
    assert consultation.phone == "+6621234567 ext. 12"
    assert (consultation.contact_method, consultation.language) == ("phone", "th")
    [event] = consultation.events.filter(kind=Kind.CORRECTED)
    assert event.actor == clinic_staff
    for label in ("full name", "email", "phone", "preferred contact method"):
        assert label in event.note
    for value in ("Malee", "malee", "212", "Sri"):
        assert value not in f"{event.note}{event.from_value}{event.to_value}"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "\u202eadmin\u202c", "invisible or control characters"),
        ("email", "malee@exa\u202emple.com", "invisible or control characters"),
        ("phone", "081 234 5678\u200b", "invisible or control characters"),
        ("full_name", "   ", "This field is required."),
        ("email", "", "This field is required."),
        ("email", "not an address", "Enter a valid email address."),
        ("phone", "12", "Enter a valid phone number"),
    ],
)
def test_a_wrong_correction_is_refused_with_a_message_and_changes_nothing(
    clinic_staff_client, field, value, message
):
    consultation = make_request()
    response = clinic_staff_client.post(correct_url(consultation), {**CORRECTION, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.full_name == "Somchai Jaidee"
    assert consultation.email == "somchai@example.com"
    assert not consultation.events.filter(kind=Kind.CORRECTED).exists()


# Erasure on request


def test_staff_erase_one_request_now_and_the_trail_keeps_that_it_happened(
    clinic_staff_client, clinic_staff
):
    consultation = make_request(
        full_name="Malee Srisuk",
        message="My T-score was -2.7.",
        internal_notes="Prefers mornings.",
    )
    other = make_request(full_name="Somchai Jaidee")
    page = clinic_staff_client.get(erase_url(consultation)).content.decode()
    assert "cannot be undone" in page

    response = clinic_staff_client.post(
        erase_url(consultation), {"reason": "The patient asked by phone."}, follow=True
    )

    assert f"The personal data of {consultation.reference} is erased." in (
        response.content.decode()
    )
    consultation.refresh_from_db()
    assert consultation.full_name == "(anonymised)"
    assert (consultation.email, consultation.phone, consultation.message) == ("", "", "")
    assert consultation.internal_notes == ""
    assert consultation.anonymised_at is not None
    [event] = consultation.events.filter(kind=Kind.ANONYMISED)
    assert (event.actor, event.note) == (clinic_staff, "The patient asked by phone.")
    page = change_page(clinic_staff_client, consultation)
    for erased in ("Malee", "-2.7", "Prefers mornings"):
        assert erased not in page
    assert "Personal data erased" in page
    assert erase_url(consultation) not in page  # nothing left to erase or correct
    assert clinic_staff_client.post(erase_url(consultation), {"reason": "x"}).status_code == 403
    other.refresh_from_db()
    assert other.full_name == "Somchai Jaidee"


def test_an_erasure_needs_a_reason(clinic_staff_client):
    consultation = make_request()
    response = clinic_staff_client.post(erase_url(consultation), {"reason": ""})
    assert "This field is required." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.anonymised_at is None


# What a request keeps


def test_a_deleted_condition_stays_named_on_the_requests_that_chose_it(
    client, valid_post, clinic_staff_client, django_capture_on_commit_callbacks
):
    publish(make_condition(name="Frozen shoulder", slug="frozen-shoulder"))  # the form offers it
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", {**valid_post, "condition": "frozen-shoulder"})
    consultation = ConsultationRequest.objects.get()
    assert consultation.condition_name == "Frozen shoulder"

    Condition.objects.filter(slug="frozen-shoulder").delete()

    consultation.refresh_from_db()
    assert consultation.condition is None
    assert consultation.condition_name == "Frozen shoulder"
    page = change_page(clinic_staff_client, consultation)
    assert "Frozen shoulder (no longer on the site)" in page


def test_a_renamed_condition_shows_under_its_current_name(clinic_staff_client):
    condition = make_condition(name="Osteopenia")
    consultation = make_request(condition=condition, condition_name="Osteopenia")
    Condition.objects.filter(pk=condition.pk).update(name="Osteopenia (low bone mass)")
    assert "Osteopenia (low bone mass)" in change_page(clinic_staff_client, consultation)


def test_the_trail_keeps_who_acted_and_their_account_cannot_be_deleted(
    admin_client, django_user_model
):
    nurse = django_user_model.objects.create_user(
        "nurse", password="x", is_staff=True, first_name="Ploy", last_name="Chai"
    )
    nurse.groups.add(Group.objects.get(name=CLINIC_STAFF))
    consultation = make_request()
    services.change_request(consultation, actor=nurse, changes={"status": "contacted"})

    with pytest.raises(ProtectedError):
        nurse.delete()
    response = admin_client.post(
        reverse("admin:auth_user_delete", args=[nurse.pk]), {"post": "yes"}
    )
    assert response.status_code == 200  # Django admin explains what protects the account
    assert django_user_model.objects.filter(pk=nurse.pk).exists()

    nurse.is_active = False  # leaving staff are deactivated
    nurse.save()
    [event] = consultation.events.filter(kind=Kind.STATUS)
    assert (event.actor, event.actor_name) == (nurse, "Ploy Chai")
    assert "Ploy Chai" in change_page(admin_client, consultation)


# A request that may not come from a person


def test_a_fast_request_is_flagged_for_staff_in_the_clinic_email_and_in_admin(
    client, valid_post, clinic_staff_client, mailoutbox, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from tests.consultations.conftest import started_seconds_ago

    settings.CONSULTATION_MIN_SECONDS = 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", {**valid_post, "form_started": started_seconds_ago(1)})
    slow = make_request(full_name="Slow Sender")
    fast = ConsultationRequest.objects.exclude(pk=slow.pk).get()
    assert fast.status == "new"
    clinic = mailoutbox[0]
    assert "Please check it is genuine before replying: sent" in clinic.body

    changelist = reverse("admin:consultations_consultationrequest_changelist")
    flagged = clinic_staff_client.get(changelist, {"needs_a_look": "yes"}).content.decode()
    assert fast.reference in flagged
    assert slow.reference not in flagged
    page = clinic_staff_client.get(changelist).content.decode()
    assert "column-needs_a_look" in page


def test_a_request_keeps_the_treatment_the_patient_chose(
    client, valid_post, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/consultation/", valid_post)
    stored = ConsultationRequest.objects.get()
    assert stored.treatment is not None
    assert stored.treatment_name == stored.treatment.name
