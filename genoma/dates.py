"""Dates as each language's readers write them: "25 พฤศจิกายน 2569" in Thai, with the
Buddhist-era year, and "25 November 2026" in English.

One function for the templates (the `local_date` filter) and for the code that writes
emails, so a date reads the same wherever it is shown. Month names are Django's own
translations (django.utils.dates.MONTHS).
"""

import datetime
import functools

from django.conf import settings
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.timezone import template_localtime

BUDDHIST_ERA = 543  # years the Buddhist era counts ahead of the Gregorian calendar


def local_date(value, language=None, with_time=False):
    """`value`, a date or a datetime, as a reader of `language` (the active language if
    None) writes it; "" for None or "".

    An aware datetime is shown in the current time zone, as Django's date filter shows
    it; `with_time` adds its 24-hour time after a comma ("25 November 2026, 14:30").
    """
    if value is None or value == "":
        return ""
    value = template_localtime(value)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    year = value.year + BUDDHIST_ERA if language.split("-")[0] == "th" else value.year
    text = f"{value.day} {_month_name(value.month, language)} {year}"
    if with_time and isinstance(value, datetime.datetime):
        text += f", {value:%H:%M}"
    return text


@functools.lru_cache(maxsize=64)
def _month_name(month, language):
    """Django's name of the month in `language`, looked up once (a page writes several dates)."""
    with translation.override(language):
        return str(MONTHS[month])
