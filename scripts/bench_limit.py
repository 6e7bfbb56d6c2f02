"""The limit: a minimal Django project whose one view returns a constant response.

`make bench` serves it with gunicorn beside the site, the same way, so each page's
requests per second can be read as a fraction of what Django itself can do here.
BENCH_LIMIT_BYTES sets the body size (the article page's size).
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

BODY = b"x" * int(os.environ.get("BENCH_LIMIT_BYTES", "16000"))


def constant(request, anything=""):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


settings.configure(
    DEBUG=False,
    SECRET_KEY="benchmark-only-constant-response",  # noqa: S106 - serves one constant page
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
urlpatterns = [path("<path:anything>", constant), path("", constant)]
application = get_wsgi_application()
