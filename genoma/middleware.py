"""Response headers Django has no setting for, the admin's narrow CSP exception, and the
admin's language."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

# CKEditor 5 sets inline styles and shows pasted images as data: URLs; nothing else
# in the admin needs more than the public policy.
ADMIN_CSP_UPDATE = {"style-src": ["'unsafe-inline'"], "img-src": ["data:"]}


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix):
            response._csp_update = ADMIN_CSP_UPDATE
            response.setdefault("X-Robots-Tag", "noindex, nofollow")
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class AdminLanguageMiddleware:
    """Admin in the staff member's browser language, where Django has it.

    LocaleMiddleware reads a public page's language from its address (English is the
    unprefixed one); the admin has one address for everybody, so there the browser
    decides, as Django would without language prefixes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(f"/{settings.ADMIN_URL}"):
            language = translation.get_language_from_request(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
