import functools

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from articles.translation import LANGUAGE_NAMES


def clinic(request):
    """The clinic's public contact details, for the footer."""
    return {"clinic_email": settings.CLINIC_EMAIL, "clinic_phone": settings.CLINIC_PHONE}


def languages(request):
    """This page at its address in each language, the page's own first: for the
    `hreflang` links (absolute, without a query) and the language switcher (the same
    query: a search stays the same search). Worked out only by a page that shows them
    (not by admin), from the address alone: a language's pages are its prefix
    (none for English) before the same path."""
    return {"language_alternates": SimpleLazyObject(lambda: _alternates(request))}


def _alternates(request):
    try:
        origin = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return []  # the 400 page of a host the site does not serve: no addresses on it
    current = translation.get_language()
    path = request.path.removeprefix(_prefix(current))
    query = request.META.get("QUERY_STRING", "")
    alternates = []
    for code, name in sorted(_own_names().items(), key=lambda item: item[0] != current):
        address = _prefix(code) + path
        alternates.append(
            {
                "code": code,
                "name": name,
                "url": origin + address,
                "switch_to": f"{address}?{query}" if query else address,
                "is_default": code == settings.LANGUAGE_CODE,  # x-default
            }
        )
    return alternates


def _prefix(code):
    return "" if code == settings.LANGUAGE_CODE else f"/{code}"


@functools.cache
def _own_names():
    """Each language's name in that language ("English", "ภาษาไทย")."""
    names = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names[code] = translation.gettext(LANGUAGE_NAMES[code])
    return names
