"""Submissions per client address, counted in the shared cache (Redis in production)."""

import ipaddress
import re

from django.conf import settings
from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """ "5/h" → (5, 3600); "off" (or empty) → None."""
    text = (rate or "").strip().lower()
    if text in {"", "off", "0", "none"}:
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([smhd])", text)
    if not match:
        raise ValueError(f"CONSULTATION_RATE_LIMIT must look like '5/h' or 'off', not {rate!r}.")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * PERIODS[unit]


def client_address(request):
    """The client's address, past the trusted reverse proxies (DJANGO_TRUSTED_PROXY_COUNT)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def client_address_for_axes(request):
    """django-axes counts failed logins per user and address, seen past the same proxies.

    Axes stores the address in an IP column: anything that is not an IP address
    (a forged X-Forwarded-For, a test request without one) is recorded as None.
    """
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _key(request, period):
    return f"consultation-rate:{client_address(request)}:{period}"


def is_limited(request):
    rate = parse_rate(settings.CONSULTATION_RATE_LIMIT)
    if rate is None:
        return False
    limit, period = rate
    return (cache.get(_key(request, period)) or 0) >= limit


def count_submission(request):
    rate = parse_rate(settings.CONSULTATION_RATE_LIMIT)
    if rate is None:
        return
    _, period = rate
    key = _key(request, period)
    if not cache.add(key, 1, timeout=period):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period)
