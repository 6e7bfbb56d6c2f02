"""Checks on what a patient types.

What a patient types is shown to staff in admin, in the CSV export and in emails:
characters that are invisible or that reorder the text around them (U+202E turns
"admin" into "nimda") never reach those places.
"""

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Joiners shape letters in some scripts (ZWNJ in Persian names); they move nothing.
ALLOWED_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
# Unicode categories: controls, format (bidi marks, zero-width spaces), surrogates,
# private use, unassigned, line and paragraph separators.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
PHONE_MAX_LENGTH = 32  # ConsultationRequest.phone


def is_invisible(character):
    return (
        unicodedata.category(character) in INVISIBLE_CATEGORIES
        and character not in ALLOWED_FORMAT_CHARACTERS
    )


def refuse_invisible_characters(value):
    """Validator for one-line texts (a name): refuse rather than change what was typed."""
    if any(is_invisible(character) for character in value):
        raise ValidationError(
            _(
                "Please remove invisible or control characters (such as text-direction marks) from this field."
            ),
            code="invisible_characters",
        )


def strip_invisible_characters(text, *, keep="\n\t"):
    """For free text (a message): drop what cannot be seen, keep line breaks and tabs."""
    return "".join(ch for ch in text if ch in keep or not is_invisible(ch))


def international_phone_number(raw, country=None):
    """A typed phone number in E.164 (+66812345678), its extension kept ("… ext. 12").

    A number without a country code is read as one of `country` (an ISO code).
    """
    try:
        number = phonenumbers.parse(raw, str(country) if country else None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "Enter a valid phone number, with the country code if you are outside Thailand (for example +66 81 234 5678)."
            ),
            code="invalid_phone",
        )
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        # Thai (or other) digits typed in the extension are stored as the number's are.
        formatted += f" ext. {phonenumbers.normalize_digits_only(number.extension)}"
    if len(formatted) > PHONE_MAX_LENGTH:
        raise ValidationError(
            _("This phone number and its extension are too long (at most %(n)d characters).")
            % {"n": PHONE_MAX_LENGTH},
            code="phone_too_long",
        )
    return formatted
