"""Content in two languages: English is the source, Thai its translation.

Each text patients read has a Thai column beside it (`name_th` beside `name`),
declared in the model with `translation_of(name)`. A version is of one language
(`Version.language`); a Thai version's document has the English document's shape,
with the Thai words in the English fields' places, so that a page reads either the
same way.
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

SOURCE = "en"
TRANSLATION = "th"
LANGUAGE_NAMES = {SOURCE: _("English"), TRANSLATION: _("Thai")}
SUFFIX = f"_{TRANSLATION}"


def translation_of(field):
    """The Thai column of `field`: the same kind of field, optional (a translation is
    written after the source), never unique, labelled with the language."""
    _name, _path, args, kwargs = field.deconstruct()
    kwargs.update(
        blank=True,
        default="",
        db_default="",  # also for rows written by code that predates the column
        unique=False,
        help_text="",
        verbose_name=format_lazy("{} ({})", kwargs.get("verbose_name", ""), _("Thai")),
    )
    kwargs.pop("db_index", None)
    return type(field)(*args, **kwargs)


def translated_fields(model):
    """The names of `model`'s fields that have a Thai column, in the model's order."""
    names = [f.name for f in model._meta.concrete_fields]
    return [name for name in names if f"{name}{SUFFIX}" in names]


def column(name, language):
    """The column holding field `name` in `language`."""
    return name if language == SOURCE else f"{name}_{language}"


def is_translation_column(model, name):
    return name.endswith(SUFFIX) and name.removesuffix(SUFFIX) in translated_fields(model)
