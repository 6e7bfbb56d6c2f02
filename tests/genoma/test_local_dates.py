"""Dates as Thai readers write them, with the Buddhist-era year, and as English readers
do: in templates (`{% load local_dates %}`) and in code (genoma.dates.local_date)."""

import datetime

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone, translation

from genoma.dates import local_date

UTC = datetime.UTC
# 17:30 UTC on 24 November is 00:30 on 25 November in Bangkok (UTC+7).
NEAR_MIDNIGHT = datetime.datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
NEW_YEAR_IN_BANGKOK = datetime.datetime(2026, 12, 31, 17, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def bangkok():
    with timezone.override("Asia/Bangkok"):
        yield


def render(source, language, **context):
    with translation.override(language):
        return Template("{% load local_dates %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("th", "25 พฤศจิกายน 2569"), ("en", "25 November 2026")],
)
def test_a_date_in_each_language(language, expected):
    assert local_date(datetime.date(2026, 11, 25), language) == expected
    assert render("{{ day|local_date }}", language, day=datetime.date(2026, 11, 25)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("th", "25 พฤศจิกายน 2569, 00:30"), ("en", "25 November 2026, 00:30")],
)
def test_a_datetime_near_midnight_utc_is_the_next_day_in_bangkok(language, expected):
    assert local_date(NEAR_MIDNIGHT, language, with_time=True) == expected
    assert render('{{ when|local_date:"time" }}', language, when=NEAR_MIDNIGHT) == expected
    day_only = expected.removesuffix(", 00:30")
    assert render("{{ when|local_date }}", language, when=NEAR_MIDNIGHT) == day_only


def test_the_time_zone_is_the_current_one_as_for_djangos_date_filter():
    source = '{% load tz %}{% timezone "UTC" %}{{ when|local_date:"time" }}{% endtimezone %}'
    assert render(source, "en", when=NEAR_MIDNIGHT) == "24 November 2026, 17:30"
    with timezone.override("UTC"):
        assert local_date(NEAR_MIDNIGHT, "th") == "24 พฤศจิกายน 2569"


@pytest.mark.parametrize(
    ("value", "thai", "english"),
    [
        (datetime.date(2026, 12, 31), "31 ธันวาคม 2569", "31 December 2026"),
        (datetime.date(2027, 1, 1), "1 มกราคม 2570", "1 January 2027"),
        (NEW_YEAR_IN_BANGKOK, "1 มกราคม 2570, 00:05", "1 January 2027, 00:05"),
    ],
)
def test_the_year_changes_at_new_year_in_bangkok(value, thai, english):
    assert local_date(value, "th", with_time=True) == thai
    assert local_date(value, "en", with_time=True) == english


def test_a_date_has_no_time_to_show():
    assert local_date(datetime.date(2026, 11, 25), "en", with_time=True) == "25 November 2026"


@pytest.mark.parametrize("value", [None, ""])
def test_nothing_renders_empty(value):
    assert local_date(value, "th") == ""
    assert render("[{{ value|local_date }}]", "th", value=value) == "[]"
    assert render("[{{ missing|local_date }}]", "en") == "[]"


def test_the_active_language_unless_one_is_given():
    day = datetime.date(2026, 2, 14)
    with translation.override("th"):
        assert local_date(day) == "14 กุมภาพันธ์ 2569"
        assert local_date(day, language="en") == "14 February 2026"
        assert translation.get_language() == "th"  # the language given is not left active
    with translation.override("en"):
        assert local_date(day) == "14 February 2026"
        assert local_date(day, language="th") == "14 กุมภาพันธ์ 2569"


def test_an_unknown_argument_is_a_mistake_in_the_template():
    with pytest.raises(TemplateSyntaxError):
        render('{{ day|local_date:"j F Y" }}', "en", day=datetime.date(2026, 11, 25))
