"""The Jinja2 environment of the public pages.

The public pages are rendered by Jinja2, which compiles templates to Python
code; the article page renders in about half the time it took with Django's
template language (docs/performance.md). Admin, emails and form widgets keep
Django's templates. Filters that the two languages spell alike but mean
differently (date, default, urlencode, truncatechars) are Django's own here, so
a page reads the same whichever engine wrote it.
"""

import functools

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from jinja2 import Environment

from articles.templatetags.articles_tags import json_ld


def url(name, *args, **kwargs):
    """`{{ url('articles:article_detail', slug=article.slug) }}`: Django's reverse()."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def gettext(message):
    return _translated(translation.get_language(), message)


@functools.lru_cache(maxsize=4096)
def _translated(language, message):
    """A page's fixed strings, looked up once per language (about 30 on a page)."""
    return translation.gettext(message)


def date(value, arg=None):
    """Django's date filter, in the current time zone as Django's templates show it."""
    return defaultfilters.date(template_localtime(value), arg)


def environment(**options):
    options.pop("autoescape", None)  # always on, whatever the settings say
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, translation.ngettext, newstyle=True)
    env.globals.update(url=url, static=static, get_language=translation.get_language)
    env.filters.update(
        date=date,
        truncatechars=defaultfilters.truncatechars,
        urlencode=defaultfilters.urlencode,
        json_ld=json_ld,
    )
    return env
