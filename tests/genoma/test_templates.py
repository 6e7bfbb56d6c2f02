"""Django's template language as the public pages use it: translated (a fixed string looked
up once per language), escaped, dated in the clinic's time zone, with Django's own filters
and the project's tags (capture, iso_datetime, cached_url)."""

from datetime import UTC, datetime

from django.template import Context, Engine, engines
from django.utils import translation


def render(source, **context):
    libraries = "{% load i18n_once articles_tags cached_urls %}"
    return engines["django"].from_string(libraries + source).render(context)


def test_fixed_strings_follow_the_active_language_even_once_looked_up():
    template = '{% translate "Email" %}'
    assert render(template) == "Email"
    with translation.override("th"):
        assert render(template) == "อีเมล"
    assert render(template) == "Email"


def test_a_fixed_string_kept_per_language_is_what_django_s_own_tag_writes():
    """genoma/templatetags/i18n_once.py writes what Django's tag writes, once a language."""
    djangos = Engine(libraries={"i18n": "django.templatetags.i18n"})  # Django's own tag
    sources = [
        '{% translate "Email" %}',
        '{% translate "Email" as label %}[{{ label }}]',
        '{% translate "Email" noop %}',
        '{% translate "May" context "alt. month" %}',
        '{% translate "A & B" %} {% translate "100%" %}',
        '{% autoescape off %}{% translate "A & B" %}{% endautoescape %}',
        "{% translate word %}",
        '{% translate "Email"|upper %}',
    ]
    for language in ("th", "en", "th"):
        with translation.override(language):
            for source in sources:
                expected = djangos.from_string("{% load i18n %}" + source).render(
                    Context({"word": "Search"})
                )
                assert render(source, word="Search") == expected
                assert render(source, word="Search") == expected  # once kept


def test_a_translated_variable_is_looked_up_on_every_render():
    template = "{% translate word %}"
    with translation.override("th"):
        assert render(template, word="Email") == "อีเมล"
        assert render(template, word="Search") == translation.gettext("Search")


def test_dates_show_in_the_clinic_time_zone(settings):
    settings.TIME_ZONE = "Asia/Bangkok"
    moment = datetime(2026, 1, 31, 20, 30, tzinfo=UTC)  # already 1 February in Bangkok
    assert render('{{ moment|date:"j F Y, H:i" }}', moment=moment) == "1 February 2026, 03:30"


def test_iso_datetime_writes_what_the_date_filter_writes_for_machines(settings):
    settings.TIME_ZONE = "Asia/Bangkok"
    moment = datetime(2026, 1, 31, 20, 30, tzinfo=UTC)
    written = render("{{ moment|iso_datetime }}", moment=moment)
    assert written == "2026-02-01T03:30:00+0700"
    assert written == render('{{ moment|date:"Y-m-d\\TH:i:sO" }}', moment=moment)
    assert render("{{ moment|iso_datetime }}", moment=None) == ""


def test_text_is_escaped_and_translated_sentences_escape_their_values():
    assert render("{{ name }}", name="<b>") == "&lt;b&gt;"
    source = "{% blocktranslate with name=name %}Hello {{ name }}{% endblocktranslate %}"
    assert render(source, name="<b>") == "Hello &lt;b&gt;"


def test_a_captured_value_is_escaped_once_and_keeps_its_markup_in_a_sentence():
    source = (
        '{% capture as who %}<a href="/x/">{{ name }}</a>{% endcapture %}'
        "{% blocktranslate %}Hello {{ who }}{% endblocktranslate %}"
    )
    assert render(source, name="<b> & co") == 'Hello <a href="/x/">&lt;b&gt; &amp; co</a>'


def test_url_and_filters_are_djangos():
    assert render("{% url 'articles:condition_detail' slug='osteopenia' %}") == (
        "/conditions/osteopenia/"
    )
    assert render("{{ 'a b&c'|urlencode }}") == "a%20b%26c"
    assert render("{{ text|truncatechars:5 }}", text="Osteoporosis") == "Oste…"


def test_cached_url_is_the_url_tag_s_address_in_the_page_s_language():
    source = "{% cached_url 'articles:condition_list' %} {% url 'articles:condition_list' %}"
    assert render(source) == "/conditions/ /conditions/"
    with translation.override("th"):
        assert render(source) == "/th/conditions/ /th/conditions/"
    assert render("{% cached_url 'privacy' as link %}[{{ link }}]") == "[/privacy/]"


def test_no_html_template_turns_autoescaping_off():
    """SECURITY.md: only the plain-text emails (.txt) write values unescaped."""
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "templates"
    unescaped = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if "autoescape off" in path.read_text()
    ]
    assert unescaped == []
