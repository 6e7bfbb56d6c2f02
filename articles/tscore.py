"""The T-score interpreter: a DEXA T-score placed in the stored bands, in plain words."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from articles.models import T_SCORE_LIMIT

MAX_INPUT_LENGTH = 20


@dataclass
class Interpretation:
    value: Decimal | None = None
    band: object = None
    error: str = ""


def parse_t_score(raw):
    """Return the T-score as a Decimal, or raise ValueError with a message for the reader."""
    text = (raw or "").strip().replace("\u2212", "-").replace("\u2013", "-").replace(",", ".")
    if not text:
        raise ValueError(_("Enter your T-score, for example -1.8."))
    if len(text) > MAX_INPUT_LENGTH:
        raise ValueError(_("That is not a T-score. Enter a number such as -1.8."))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("That is not a T-score. Enter a number such as -1.8.")) from None
    if not value.is_finite():
        raise ValueError(_("That is not a T-score. Enter a number such as -1.8."))
    if abs(value) > T_SCORE_LIMIT:
        raise ValueError(
            _(
                "T-scores lie between -%(limit)s and %(limit)s. Please check the number on your report."
            )
            % {"limit": T_SCORE_LIMIT}
        )
    return value


def interpret_t_score(raw, bands):
    """Place `raw` in one of `bands`; the result carries an error message instead when invalid."""
    try:
        value = parse_t_score(raw)
    except ValueError as error:
        return Interpretation(error=str(error))
    for band in bands:
        if band.contains(value):
            return Interpretation(value=value, band=band)
    return Interpretation(
        value=value, error=_("This T-score is outside the ranges we have on file.")
    )
