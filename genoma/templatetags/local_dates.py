"""`{% load local_dates %}`: dates as the page's readers write them (genoma/dates.py)."""

from django import template

from genoma import dates

register = template.Library()


@register.filter
def local_date(value, arg=None):
    """`{{ when|local_date }}`: "25 พฤศจิกายน 2569" on a Thai page, "25 November 2026" on
    an English one; `{{ when|local_date:"time" }}` adds the time ("…, 14:30")."""
    if arg not in (None, "time"):
        raise template.TemplateSyntaxError(f'local_date takes "time" or nothing, not {arg!r}')
    return dates.local_date(value, with_time=arg == "time")
