"""model_bakery recipes with readable defaults."""

from django.core.files.uploadedfile import SimpleUploadedFile
from model_bakery import baker

from tests.articles.factories import image_bytes


def make_clinician(**fields):
    defaults = {
        "name": "Dr Somchai Jaidee",
        "slug": "somchai-jaidee",
        "title": "Orthopaedic surgeon",
        "credentials": "MD, FRCOST",
        "specialties": "bone health, regenerative medicine",
        "licence_number": "12345",
        "biography": "Twenty years in orthopaedics.\n\nNow leads the bone health programme.",
        "is_public": True,
        "user": None,
    }
    return baker.make("team.Clinician", **{**defaults, **fields})


def photo_upload(name="portrait.jpg", **image):
    """A JPEG as a browser uploads it; `image` as for image_bytes (size, exif…)."""
    return SimpleUploadedFile(name, image_bytes(**image), content_type="image/jpeg")


def with_photo(**fields):
    """A clinician whose photo went through the model's save, as any upload does."""
    clinician = make_clinician(photo_alt="Dr Somchai smiling in a white coat", **fields)
    clinician.photo = photo_upload(size=(400, 500))
    clinician.save()
    return clinician
