"""The Jinja2 environment of the public pages (genoma/jinja2.py)."""

from datetime import UTC, datetime

from django.template import engines
from django.utils import translation


def render(source, **context):
    return engines["jinja2"].from_string(source).render(context)


def test_fixed_strings_follow_the_active_language_even_once_looked_up():
    template = '{{ _("Email") }}'
    assert render(template) == "Email"
    with translation.override("th"):
        assert render(template) == "อีเมล"
    assert render(template) == "Email"


def test_dates_show_in_the_clinic_time_zone_like_django_templates(settings):
    settings.TIME_ZONE = "Asia/Bangkok"
    moment = datetime(2026, 1, 31, 20, 30, tzinfo=UTC)  # already 1 February in Bangkok
    assert render("{{ moment|date('j F Y, H:i') }}", moment=moment) == "1 February 2026, 03:30"


def test_text_is_escaped_and_translated_sentences_escape_their_values():
    assert render("{{ name }}", name="<b>") == "&lt;b&gt;"
    assert render("{% trans name=name %}Hello {{ name }}{% endtrans %}", name="<b>") == (
        "Hello &lt;b&gt;"
    )


def test_url_and_filters_are_djangos():
    assert render("{{ url('articles:condition_detail', slug='osteopenia') }}") == (
        "/conditions/osteopenia/"
    )
    assert render("{{ 'a b&c'|urlencode }}") == "a%20b%26c"
    assert render("{{ text|truncatechars(5) }}", text="Osteoporosis") == "Oste…"
