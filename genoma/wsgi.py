"""WSGI entry point, served by gunicorn (`gunicorn genoma.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genoma.settings")

application = get_wsgi_application()
