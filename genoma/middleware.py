"""Response headers Django has no setting for, and the admin's narrow CSP exception."""

from django.conf import settings
from django.urls import reverse

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
