"""The public page cache: anonymous GETs answered from the shared cache.

A cached page is stored with every header the inner middleware set (CSP, ETag…),
so a hit skips sessions, templates and the database entirely. Any change to the
medical content bumps one version number in the cache, which retires every
stored page at once on every app server; a scheduled article appears on time
because no page is kept past the next scheduled publish time.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.cache import set_response_etag
from django.utils.translation import get_language_from_request

VERSION_KEY = "public-pages:version"
MAX_QUERY_LENGTH = 200


def content_changed(**kwargs):
    """Signal receiver: retire every cached public page."""
    if cache.add(VERSION_KEY, 1, timeout=None):
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted between add and incr
        cache.add(VERSION_KEY, 1, timeout=None)


def _seconds_until_next_publication():
    from articles.models import Article

    now = timezone.now()
    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    return None if upcoming is None else max(1, int((upcoming - now).total_seconds()))


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or not self._cacheable_request(request):
            return self.get_response(request)
        key = self._key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if self._cacheable_response(response):
            if not response.has_header("ETag"):
                set_response_etag(response)
            response.setdefault(
                "Cache-Control", f"public, max-age={settings.BROWSER_CACHE_SECONDS}"
            )
            upcoming = _seconds_until_next_publication()
            timeout = seconds if upcoming is None else min(seconds, upcoming)
            cache.set(key, response, timeout)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable_request(request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
            and not request.path.startswith(settings.NEVER_CACHED_PREFIXES)
        )

    @staticmethod
    def _cacheable_response(response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        )

    @staticmethod
    def _key(request):
        version = cache.get(VERSION_KEY) or 0
        language = get_language_from_request(request)
        raw = f"{request.get_host()}{request.get_full_path()}".encode()
        return f"public-pages:{version}:{language}:{hashlib.sha256(raw).hexdigest()}"
