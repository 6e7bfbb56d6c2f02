"""The public page cache: anonymous GETs answered from the shared cache.

A cached page is stored with every header the inner middleware set (CSP, ETag…),
so a hit skips sessions, templates and the database entirely. Any change to the
medical content gives the cache a new version, which retires every stored page
on every app server: at once in the process that published, within
`SharedVersion.CHECK_SECONDS` in every other (a page is stored with the version it
was rendered under; a process keeps its own copies and reads the shared version at
most once a second, so a busy worker's hit touches neither the cache nor the
database); a scheduled article appears on time because no page is kept past the next
scheduled publish time.

A part that many pages show alike (the article list's condition choices) is kept in
each process under the same version and the same limit (`kept_until_content_changes`).

A page is stored once, whatever the query string: the key holds only the
parameters that page reads, written one way (`PAGE_PARAMETERS`), so `?utm_source=`
or junk cannot fill the cache, and a visitor's own question (a search, a T-score)
is answered but never stored.
"""

import hashlib
import pickle
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import set_response_etag

VERSION_KEY = "public-pages:version"
MAX_PAGE_DIGITS = 6
PART_SECONDS = 24 * 60 * 60
NOT_STORED = object()  # a parameter value that makes the page a per-visitor answer


def _new_version():
    """A value never used before: a version lost from the cache cannot bring old pages back."""
    return uuid.uuid4().hex


class SharedVersion:
    """The content version, as this process last read it from the shared cache.

    Reading the shared version is most of what a hit costs on the database cache
    (about 50 µs of a 160 µs hit in one process), so a process reads it at most once
    every CHECK_SECONDS: a publication elsewhere reaches this process within that
    time, the one here at once.
    """

    CHECK_SECONDS = 1.0

    def __init__(self):
        self._known = (None, float("-inf"))  # (version, when it was read); one assignment

    def current(self):
        version, read_at = self._known
        now = time.monotonic()
        if now - read_at >= self.CHECK_SECONDS:
            version = cache.get(VERSION_KEY) or cache.get_or_set(
                VERSION_KEY, _new_version, timeout=None
            )
            self._known = (version, now)
        return version

    def renew(self):
        version = _new_version()
        cache.set(VERSION_KEY, version, timeout=None)
        self._known = (version, time.monotonic())


_version = SharedVersion()


def content_changed(**kwargs):
    """Signal receiver: retire every cached public page."""
    _version.renew()


def _page_number(value):
    """`?page=02` is page 2, as the paginator reads it; anything else (a word, a number
    longer than any real page count) is not stored."""
    if value.isascii() and value.isdigit() and len(value) <= MAX_PAGE_DIGITS:
        return str(int(value))
    return NOT_STORED


def _condition(value):
    """The article list shows one condition's articles, or all of them with one notice
    for any name it does not know: one entry each."""
    from articles.models import Condition, Version, clean_slug

    if not value:
        return ""  # the whole list, without the notice
    slug = clean_slug(value)
    return (
        slug
        if slug and Version.objects.live().of(Condition).filter(slug=slug).exists()
        else "unknown"
    )


def _per_visitor(value):
    return NOT_STORED


# The query parameters each public page reads (articles/views.py; `p` is the sitemap's
# page), and how its key writes them; other parameters change nothing on the page.
PAGE_PARAMETERS = {
    "articles:article_list": {"page": _page_number, "condition": _condition},
    "articles:condition_list": {"page": _page_number},
    "articles:treatment_list": {"page": _page_number},
    "articles:search": {"q": _per_visitor},
    "articles:condition_detail": {"t_score": _per_visitor, "page": _page_number},
    "articles:treatment_detail": {"page": _page_number},
    "sitemap": {"p": _page_number},
    "sitemap_section": {"p": _page_number},
}


def _key_parameters(request):
    """The page's own parameters, normalised; None when the page must not be stored."""
    if not request.GET:
        return ""
    # Read before LocaleMiddleware: a Thai address resolves only with Thai active.
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            view_name = resolve(request.path_info).view_name
    except Resolver404:
        return ""
    normalised = []
    for name, normalise in PAGE_PARAMETERS.get(view_name, {}).items():
        if name in request.GET:
            value = normalise(request.GET[name])  # the last value, as the view reads it
            if value is NOT_STORED:
                return None
            normalised.append((name, value))
    return urlencode(sorted(normalised))


def _seconds_until_next_publication():
    """Until the next scheduled change of what the public reads, so that no page is kept
    past it."""
    from articles.models import Version

    upcoming = Version.objects.next_change()
    if upcoming is None:
        return None
    return max(1, int((upcoming - timezone.now()).total_seconds()))


class _ProcessCopies:
    """This process's copies of the pages it served or read from the shared cache (or of
    the parts many pages share, `kept_until_content_changes`).

    A hit then needs only the shared version (`SharedVersion`), which says whether
    the copy is current, instead of the whole page (the page is the larger part of a
    hit's cost). The shared version stays the one authority: a publication anywhere
    retires every copy in every process.
    """

    MAX_ENTRIES = 500

    def __init__(self):
        self._entries = {}  # key: (version, expires, value)

    def get(self, key, version):
        found = self._entries.get(key)
        if found is None or found[0] != version or found[1] <= time.time():
            return None
        return found[2]

    def put(self, key, version, expires, value):
        if key not in self._entries and len(self._entries) >= self.MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]  # the oldest
        self._entries[key] = (version, expires, value)


_copies = _ProcessCopies()  # pages, pickled
_parts = _ProcessCopies()  # parts of pages


def kept_until_content_changes(key, make):
    """What `make()` returns (a part of many pages, such as the article list's hundred
    condition choices), made once in this process for each content version, and kept no
    longer than a cached page would be: a publication retires it (elsewhere within
    `SharedVersion.CHECK_SECONDS`), and it never outlives the next scheduled change.

    `key` names the part with everything it depends on besides the content (the
    language, a choice). Kept in the process only: the pages that show it are cached
    whole in the shared cache."""
    version = _version.current()
    part = _parts.get(key, version)
    if part is None:
        part = make()
        upcoming = _seconds_until_next_publication()
        # Without a scheduled change, a part is as good as its version: kept a day at most.
        expires = time.time() + (PART_SECONDS if upcoming is None else min(PART_SECONDS, upcoming))
        _parts.put(key, version, expires, part)
    return part


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or not self._cacheable_request(request):
            return self.get_response(request)
        parameters = _key_parameters(request)
        if parameters is None:
            return self.get_response(request)
        key = self._key(request, parameters)
        version = _version.current()
        pickled = _copies.get(key, version)
        if pickled is None:
            stored_version, expires, pickled = cache.get(key, (None, 0, None))
            if stored_version == version:
                _copies.put(key, version, expires, pickled)
            else:
                pickled = None
        if pickled is not None:
            cached = pickle.loads(pickled)  # noqa: S301 - written by this middleware
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
            expires = time.time() + timeout
            pickled = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
            cache.set(key, (version, expires, pickled), timeout)
            _copies.put(key, version, expires, pickled)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable_request(request):
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
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
    def _key(request, parameters):
        raw = f"{request.get_host()}{request.path}?{parameters}".encode()
        return f"public-pages:{hashlib.sha256(raw).hexdigest()}"
