"""Structured data (schema.org JSON-LD) of a clinician's profile."""

from django.urls import reverse


def clinician_json_ld(request, clinician):
    """A Person (schema.org's Physician is a practice, not a person) at the clinic.

    Empty values are left out when the page renders it (the `json_ld` filter).
    """
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": clinician.name,
        "honorificSuffix": clinician.credentials,
        "jobTitle": clinician.shown_title,
        "knowsAbout": clinician.specialty_list,
        "url": request.build_absolute_uri(clinician.get_absolute_url()),
        "worksFor": {
            "@type": "MedicalOrganization",
            "name": "Genoma Health",
            "url": request.build_absolute_uri(reverse("home")),
        },
    }
    if clinician.photo:
        data["image"] = request.build_absolute_uri(clinician.photo.url)
    if clinician.licence_number:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "Thai Medical Council licence number",
            "value": clinician.licence_number,
        }
    return data
