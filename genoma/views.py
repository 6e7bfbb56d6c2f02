"""Site-wide views: the home page, the privacy notice and the health check."""

import logging

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.static import serve

from articles.models import Condition, Version
from genoma import health

logger = logging.getLogger(__name__)
HOME_ARTICLES = 3
# The home page shows the first conditions and treatments (A-Z) and links to their lists:
# a page whose cost and length do not grow with the content.
HOME_CONDITIONS = 6
HOME_TREATMENTS = 6


@never_cache
@require_safe
def healthz(request):
    """Every part, named with its answer: the database, the cache, the media store and
    the job worker's heartbeat. 503 when a part a page needs fails (what load balancers
    read); a stale worker makes it "degraded", a 503 only with `?strict` (monitoring)."""
    results = health.run_checks(health.CHECKS)
    status = health.overall(results)
    refused = status == "unavailable" or (status == "degraded" and "strict" in request.GET)
    return JsonResponse({"status": status, **results}, status=503 if refused else 200)


@require_safe
def sitemap(request, sitemaps):
    """Every public address in one file while they fit one file (`limit`, articles/
    sitemaps.py); past that, an index of each section's numbered pages
    (`/sitemap-articles.xml?p=2`), which list every address once. Counted, not read."""
    sections = {name: site() for name, site in sitemaps.items()}
    addresses = sum(site.paginator.count for site in sections.values())
    if addresses <= min(site.limit for site in sections.values()):
        return sitemap_views.sitemap(request, sitemaps=sections)  # each section's one page
    return sitemap_views.index(request, sitemaps=sections, sitemap_url_name="sitemap_section")


@require_safe
def home(request):
    conditions = Version.objects.for_list().of(Condition).order_by("title")
    treatments = Version.objects.treatments_for_list().order_by("title")
    return render(
        request,
        "home.html",
        {
            "articles": Version.objects.articles_for_list()[:HOME_ARTICLES],
            "conditions": conditions[:HOME_CONDITIONS],
            "treatments": treatments[:HOME_TREATMENTS],
        },
    )


THEME_COLOUR = "#0b5563"  # the header's colour (static/css/site.css --brand)


@require_safe
def web_manifest(request):
    """The web app manifest: the name, colours and icons a phone gives the site added to
    its home screen, opening on the home page of the manifest's language."""
    manifest = {
        "id": "/",
        "name": "Genoma Health",
        "short_name": "Genoma",
        "description": _(
            "Genoma Health, a regenerative-medicine clinic in Thailand: clear information on "
            "osteoporosis, osteopenia and stem cell therapy, and consultations with our doctors."
        ),
        "lang": get_language(),
        "dir": "ltr",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": static(f"icons/{name}"),
                "sizes": sizes,
                "type": "image/png",
                "purpose": purpose,
            }
            for name, sizes, purpose in MANIFEST_ICONS
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


# (file in static/icons/, its size, its purpose): scripts/make_site_images.py draws them.
MANIFEST_ICONS = (
    ("icon-192.png", "192x192", "any"),
    ("icon-512.png", "512x512", "any"),
    ("icon-maskable-192.png", "192x192", "maskable"),
    ("icon-maskable-512.png", "512x512", "maskable"),
)


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages without an icon link (the admin's)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_safe
def media(request, path):
    if not settings.SERVE_MEDIA:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = settings.MEDIA_CACHE_CONTROL
    return response


@require_safe
def privacy(request):
    return render(
        request, "privacy.html", {"privacy_notice_version": settings.PRIVACY_NOTICE_VERSION}
    )


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('articles:editor_image_upload')}",
        f"Sitemap: {sitemap_url}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
