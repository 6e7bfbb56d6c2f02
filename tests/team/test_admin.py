"""The clinicians' admin, as editors and superusers use it."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from team.models import Clinician
from tests.articles.factories import image_bytes
from tests.team.factories import make_clinician, photo_upload, with_photo

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:team_clinician_changelist")
ADD = reverse("admin:team_clinician_add")


@pytest.fixture(autouse=True)
def _serve_media(settings):
    settings.SERVE_MEDIA = True


def change_url(clinician):
    return reverse("admin:team_clinician_change", args=[clinician.pk])


def clinician_form(clinician=None, **changes):
    """The admin form of `clinician` (or of a new one) as a browser posts it, with `changes`."""
    fields = {
        "name": "Dr Malee Srisuk",
        "slug": "malee-srisuk",
        "title": "Endocrinologist",
        "credentials": "MD",
        "specialties": "osteoporosis",
        "licence_number": "67890",
        "biography": "Bone metabolism.",
        "is_public": "on",
        "photo_alt": "",
    }
    if clinician is not None:
        fields.update(
            {name: getattr(clinician, name) for name in fields if name != "is_public"},
            is_public="on" if clinician.is_public else "",
        )
    return {**fields, **changes}


def errors_of(response):
    assert response.status_code == 200
    return response.context["adminform"].form.errors


def test_changelist_shows_clinicians_at_a_glance(editor_client):
    with_photo()
    make_clinician(name="Dr Hidden Person", slug="hidden-person", is_public=False)
    page = editor_client.get(CHANGELIST).content.decode()
    assert "Dr Somchai Jaidee" in page
    assert "Dr Hidden Person" in page
    assert "Orthopaedic surgeon" in page
    assert "2 clinicians" in page


@pytest.mark.parametrize(
    "query", ["Somchai", "orthopaedic", "FRCOST", "bone health", "12345"], ids=str
)
def test_changelist_search(editor_client, query):
    make_clinician()
    make_clinician(name="Dr Malee Srisuk", slug="malee", title="Nurse", credentials="RN",
                   specialties="wound care", licence_number="999")  # fmt: skip
    page = editor_client.get(CHANGELIST, {"q": query}).content.decode()
    assert "Dr Somchai Jaidee" in page
    assert "Dr Malee Srisuk" not in page
    assert "1 result" in page


def test_changelist_filters_on_shown_publicly(editor_client):
    make_clinician()
    make_clinician(name="Dr Hidden Person", slug="hidden-person", is_public=False)
    page = editor_client.get(CHANGELIST, {"is_public__exact": "0"}).content.decode()
    assert "Dr Hidden Person" in page
    assert "Dr Somchai Jaidee" not in page


def test_an_editor_adds_a_clinician_whose_photo_is_re_encoded(editor_client, settings):
    upload = photo_upload("my portrait.jpg", size=(600, 750), exif=True)
    response = editor_client.post(
        ADD, clinician_form(photo=upload, photo_alt="Dr Malee at her desk")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clinician = Clinician.objects.get(slug="malee-srisuk")
    assert clinician.photo.name.startswith("team/")
    assert "portrait" not in clinician.photo.name  # renamed at random
    stored = (settings.MEDIA_ROOT / clinician.photo.name).read_bytes()
    assert b"SecretCamera" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert image.size == (600, 750)
    assert (clinician.photo_width, clinician.photo_height) == (600, 750)
    assert clinician.is_public


def test_a_photo_the_image_pipeline_refuses_is_not_saved(editor_client):
    gif = SimpleUploadedFile("portrait.gif", image_bytes("GIF"), content_type="image/gif")
    response = editor_client.post(ADD, clinician_form(photo=gif, photo_alt="A portrait"))
    assert errors_of(response)["photo"] == ["Upload a JPEG, PNG or WebP image."]
    assert not Clinician.objects.exists()


def test_a_photo_needs_its_alt_text(editor_client):
    response = editor_client.post(ADD, clinician_form(photo=photo_upload(), photo_alt="  "))
    assert errors_of(response)["photo_alt"] == ["Describe the photo for readers who cannot see it."]
    assert not Clinician.objects.exists()


def test_an_editor_changes_a_clinician(editor_client):
    clinician = make_clinician()
    assert editor_client.get(change_url(clinician)).status_code == 200
    response = editor_client.post(
        change_url(clinician), clinician_form(clinician, title="Head of bone health")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clinician.refresh_from_db()
    assert clinician.title == "Head of bone health"


def test_a_replaced_photo_leaves_storage_once_committed(
    editor_client, settings, django_capture_on_commit_callbacks
):
    clinician = with_photo()
    old = clinician.photo.name
    assert editor_client.get(f"/media/{old}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(
            change_url(clinician),
            clinician_form(clinician, photo=photo_upload(size=(300, 300))),
        )
        assert (settings.MEDIA_ROOT / old).exists()  # until the change is committed
    assert response.status_code == 302, response.content.decode()[:2000]
    assert callbacks
    clinician.refresh_from_db()
    assert clinician.photo.name != old
    assert (settings.MEDIA_ROOT / clinician.photo.name).exists()
    assert (clinician.photo_width, clinician.photo_height) == (300, 300)
    assert not (settings.MEDIA_ROOT / old).exists()
    assert editor_client.get(f"/media/{old}").status_code == 404


def test_a_cleared_photo_leaves_storage(
    editor_client, settings, django_capture_on_commit_callbacks
):
    clinician = with_photo()
    old = clinician.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            change_url(clinician), clinician_form(clinician, **{"photo-clear": "on"})
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    clinician.refresh_from_db()
    assert not clinician.photo
    assert clinician.photo_width is None
    assert not (settings.MEDIA_ROOT / old).exists()


def test_a_deleted_clinicians_photo_leaves_storage(
    admin_client, settings, django_capture_on_commit_callbacks
):
    clinician = with_photo()
    old = clinician.photo.name
    url = reverse("admin:team_clinician_delete", args=[clinician.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Clinician.objects.exists()
    assert not (settings.MEDIA_ROOT / old).exists()


def test_a_photo_another_clinician_still_shows_is_kept(
    settings, django_capture_on_commit_callbacks
):
    clinician = with_photo()
    make_clinician(slug="copy", photo=clinician.photo.name, photo_alt="The same portrait")
    with django_capture_on_commit_callbacks(execute=True):
        clinician.delete()
    assert (settings.MEDIA_ROOT / clinician.photo.name).exists()


def test_an_editor_sees_the_staff_account_but_cannot_set_it(editor_client, editor):
    clinician = make_clinician(user=editor)
    page = editor_client.get(change_url(clinician)).content.decode()
    assert 'name="user"' not in page
    assert "editor" in page  # shown, read-only
    assert 'name="user"' not in editor_client.get(ADD).content.decode()
    response = editor_client.post(change_url(clinician), clinician_form(clinician, user=""))
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.user == editor


def test_an_editor_cannot_link_an_account_to_a_new_clinician(editor_client, editor):
    response = editor_client.post(ADD, clinician_form(user=str(editor.pk)))
    assert response.status_code == 302
    assert Clinician.objects.get(slug="malee-srisuk").user is None


def test_a_superuser_links_an_active_staff_account(admin_client, editor, django_user_model):
    django_user_model.objects.create_user(username="visitor-account", password="x-123456789")
    page = admin_client.get(ADD).content.decode()
    assert 'name="user"' in page
    assert ">editor<" in page
    assert "visitor-account" not in page  # not staff: cannot be offered
    response = admin_client.post(ADD, clinician_form(user=str(editor.pk)))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Clinician.objects.get(slug="malee-srisuk").user == editor


def test_editors_add_change_and_view_clinicians_but_never_delete_them(editor_client, editor):
    clinician = make_clinician()
    assert {
        codename
        for codename in ("add", "change", "view", "delete")
        if editor.has_perm(f"team.{codename}_clinician")
    } == {"add", "change", "view"}
    delete = reverse("admin:team_clinician_delete", args=[clinician.pk])
    assert editor_client.post(delete, {"post": "yes"}).status_code == 403
    assert Clinician.objects.exists()


def test_clinic_staff_may_only_view_clinicians_profiles(clinic_staff_client, clinic_staff):
    clinician = make_clinician()
    assert clinic_staff_client.get(CHANGELIST).status_code == 200
    assert clinic_staff_client.get(ADD).status_code == 403
    response = clinic_staff_client.post(
        change_url(clinician), clinician_form(clinician, title="Changed")
    )
    assert response.status_code == 403
    clinician.refresh_from_db()
    assert clinician.title == "Orthopaedic surgeon"
    profile = Permission.objects.filter(
        group=Group.objects.get(name="Clinic staff"), content_type__model="clinician"
    )
    assert list(profile.values_list("codename", flat=True)) == ["view_clinician"]
