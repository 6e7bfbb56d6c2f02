"""`{% load cached_urls %}`: the layout's own links, reversed once per process."""

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def cached_url(name):
    """`{% cached_url "articles:feed" as feed_url %}`: {% url %} for a link without
    arguments. Each page's layout links to the same seven addresses, and reversing them
    was a fifteenth of the article page's time; an address changes only with the language,
    the prefix the site is served under and the URLconf, which key the cache."""
    return _reversed(name, get_language(), get_script_prefix(), get_urlconf(settings.ROOT_URLCONF))


@functools.lru_cache(maxsize=256)
def _reversed(name, language, script_prefix, urlconf):
    return reverse(name, urlconf=urlconf)
