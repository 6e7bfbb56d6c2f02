from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import translate_url
from django.utils import translation

from articles.translation import LANGUAGE_NAMES


def clinic(request):
    """The clinic's public contact details, for the footer."""
    return {"clinic_email": settings.CLINIC_EMAIL, "clinic_phone": settings.CLINIC_PHONE}


def languages(request):
    """This page at its address in each language, the page's own first: for the
    `hreflang` links (absolute, without a query) and the language switcher (the same
    query: a search stays the same search)."""
    try:
        request.get_host()
    except DisallowedHost:
        return {}  # the 400 page of a host the site does not serve: no addresses on it
    current = translation.get_language()
    ordered = sorted(settings.LANGUAGES, key=lambda language: language[0] != current)
    alternates = []
    for code, _name in ordered:
        with translation.override(code):
            own_name = translation.gettext(LANGUAGE_NAMES[code])
        alternates.append(
            {
                "code": code,
                "name": own_name,
                "url": request.build_absolute_uri(translate_url(request.path, code)),
                "switch_to": translate_url(request.get_full_path(), code),
                "is_default": code == settings.LANGUAGE_CODE,  # x-default
            }
        )
    return {"language_alternates": alternates}
