from urllib.parse import urlparse

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from articles.sitemaps import SITEMAPS as CONTENT_SITEMAPS
from genoma import views
from team.sitemaps import ClinicianSitemap, TeamPageSitemap

SITEMAPS = {**CONTENT_SITEMAPS, "team": TeamPageSitemap, "clinicians": ClinicianSitemap}

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(f"{settings.ADMIN_URL}two-factor/", include("twofactor.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
]
# The public pages: English at today's addresses, Thai under /th/ (the address is the
# language; LocaleMiddleware never redirects on Accept-Language).
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("", include("articles.urls")),
    path("", include("consultations.urls")),
    path("team/", include("team.urls")),
    prefix_default_language=False,
)

if not urlparse(settings.MEDIA_URL).netloc:
    # Development and local production-like runs (DJANGO_SERVE_MEDIA); in production
    # the reverse proxy serves media and this view answers 404.
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", views.media, name="media")
    )
