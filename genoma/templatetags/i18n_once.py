"""`{% load i18n_once %}` in place of `{% load i18n %}`: Django's i18n tags, with a fixed
string's `{% translate %}` looked up once per language in a process.

Django's tag wraps the string lazily, looks it up in the catalogue, escapes it and
restores its percent signs on every render: about 7 µs, and a public page has some thirty.
What it writes for a fixed string ("Book a consultation", with or without `context "…"`,
`noop` or `as`) changes only with the language, so it is kept per language. A translated
variable, a string with a filter and every other tag (blocktranslate,
get_current_language…) are Django's own, unchanged; `makemessages` reads the templates'
text whatever they load, so it finds the strings as before.

The layout and the article page load it; any template may. (It cannot take Django's own
name through TEMPLATES' "libraries": `manage.py check` warns of two libraries called i18n.)
What was kept is forgotten when the catalogues are reloaded (a language setting changed by
a test, a .mo file recompiled under runserver).
"""

from django.core.signals import setting_changed
from django.template import Library
from django.templatetags import i18n
from django.utils import translation
from django.utils.autoreload import file_changed

register = Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

# (string, message context, noop, language, autoescape): what the tag writes.
_written = {}


class TranslateOnceNode(i18n.TranslateNode):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message, context = self.filter_expression, self.message_context
        fixed = message.var.literal is not None and not message.filters
        if context is not None:  # a quoted context is a string once parsed
            fixed = fixed and isinstance(context.var, str) and not context.filters
        self.fixed = (message.var.literal, context and context.var, self.noop) if fixed else None

    def render(self, context):
        if self.fixed is None:
            return super().render(context)
        key = (*self.fixed, translation.get_language(), context.autoescape)
        if key not in _written:
            _written[key] = self._written_by_django(context)
        if self.asvar:
            context[self.asvar] = _written[key]
            return ""
        return _written[key]

    def _written_by_django(self, context):
        scratch = context.new()
        written = super().render(scratch)
        return scratch[self.asvar] if self.asvar else written


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return TranslateOnceNode(node.filter_expression, node.noop, node.asvar, node.message_context)


def _forget_on_new_settings(setting, **kwargs):
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        _written.clear()


def _forget_on_new_catalogue(file_path, **kwargs):
    if file_path.suffix == ".mo":
        _written.clear()


setting_changed.connect(_forget_on_new_settings)
file_changed.connect(_forget_on_new_catalogue)
