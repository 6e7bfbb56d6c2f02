"""Structured data (schema.org JSON-LD) generated from the models."""

from django.utils.html import strip_tags


def _absolute(request, path):
    return request.build_absolute_uri(path)


def article_json_ld(request, page):
    """A MedicalWebPage: what it is about, when it was last reviewed and by whom."""
    article, version = page.article, page.version
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "inLanguage": version.language,  # the words' language: English where not translated
        "name": article.title,
        "headline": article.title,
        "description": article.meta_description,
        "url": _absolute(request, article.get_absolute_url()),
        "datePublished": article.publish_at.isoformat(),
        "dateModified": (version.live_from or version.created_at).isoformat(),
        "author": {"@type": "Organization", "name": article.author_name},
        "publisher": {"@type": "MedicalOrganization", "name": "Genoma Health"},
        "about": [
            {"@type": "MedicalCondition", "name": c.name, "url": _absolute(request, c.url)}
            for c in page.conditions
        ]
        + [
            {"@type": "MedicalTherapy", "name": t.name, "url": _absolute(request, t.url)}
            for t in page.treatments
        ],
    }
    if version.is_approved:
        clinician = version.approved_by
        data["lastReviewed"] = version.reviewed_on.isoformat()
        data["reviewedBy"] = {
            "@type": "Person",
            "name": clinician.name,
            "jobTitle": clinician.shown_title,
        }
        if clinician.credentials:
            data["reviewedBy"]["honorificSuffix"] = clinician.credentials
        if clinician.is_public:
            data["reviewedBy"]["url"] = _absolute(request, clinician.get_absolute_url())
    if article.hero_fallback:
        data["image"] = _absolute(
            request, article.hero_image.storage.url(article.hero_fallback["jpg"])
        )
    return data


def condition_json_ld(request, page):
    """A MedicalCondition with its symptoms, risk factors and possible treatments."""
    condition = page.condition
    return {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "inLanguage": page.version.language,
        "name": condition.name,
        "description": condition.summary,
        "url": _absolute(request, condition.get_absolute_url()),
        "code": (
            {"@type": "MedicalCode", "code": condition.icd10_code, "codingSystem": "ICD-10"}
            if condition.icd10_code
            else None
        ),
        "signOrSymptom": [
            {"@type": "MedicalSymptom", "name": s.name, "description": s.description}
            for s in page.symptoms
        ],
        "riskFactor": [
            {"@type": "MedicalRiskFactor", "name": r.name, "description": r.description}
            for r in page.risk_factors
        ],
        "possibleTreatment": [
            {
                "@type": "MedicalTherapy",
                "name": treatment.treatment_name,
                "url": _absolute(request, treatment.url),
            }
            for treatment in page.treatments
        ],
    }


def treatment_json_ld(request, page):
    treatment = page.treatment
    return {
        "@context": "https://schema.org",
        "@type": "MedicalTherapy",
        "inLanguage": page.version.language,
        "name": treatment.name,
        "description": treatment.summary or strip_tags(treatment.description),
        "url": _absolute(request, treatment.get_absolute_url()),
        "medicineSystem": "WesternConventional",
        "study": treatment.regulatory_note or None,
    }
