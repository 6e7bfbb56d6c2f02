"""The T-score interpreter: a DEXA T-score placed in the stored bands, in plain words."""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from articles.models import T_SCORE_LIMIT, plain_number

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


# The scale: the stored bands as a horizontal bar, lowest T-score on the left. Positions
# are percentages of the bar's width, so the picture (templates/articles/t_score_scale.html)
# stretches to any screen while its words keep their size.

LABEL_EDGE = 20  # % from either end where the marker's label leans inwards, not centred
CLOSE_TICKS = 8  # % within which a scale end's number gives way to a band boundary's


@dataclass(frozen=True)
class ScaleBand:
    band: object  # a TScoreBand
    x: float  # where its rectangle starts, in % of the bar
    width: float
    tone: str  # a CSS class name: "normal" or "condition-1" (lowest) to "condition-3"
    is_marked: bool = False  # the reader's score falls in it

    @property
    def middle(self):
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Tick:
    value: Decimal
    x: float
    anchor: str  # SVG text-anchor: start, middle or end

    @property
    def label(self):
        return signed(self.value)


@dataclass(frozen=True)
class Marker:
    value: Decimal
    x: float
    anchor: str
    clamped: str = ""  # "below" or "above" when the score lies beyond the scale's ends


@dataclass(frozen=True)
class Scale:
    low: Decimal
    high: Decimal
    bands: list  # ScaleBand, left to right
    ticks: list
    marker: Marker | None = None

    @property
    def low_label(self):
        return signed(self.low)

    @property
    def high_label(self):
        return signed(self.high)


def signed(number):
    """-4 → "-4", 1 → "+1": a T-score as a scale's numbers say it."""
    text = plain_number(number)
    return f"+{text}" if number > 0 else text


def t_score_scale(bands, value=None):
    """The bar of `bands` (TScoreBand, in any order) with `value` marked on it, if given;
    None without bands. The scale runs a band's width beyond the outermost thresholds (at
    least one T-score unit), rounded out to whole numbers; a value beyond either end is
    marked at that end and flagged `clamped`."""
    bounds = sorted(
        {b for band in bands for b in (band.lower_bound, band.upper_bound) if b is not None}
    )
    if not bounds:
        return None
    widths = [
        band.upper_bound - band.lower_bound
        for band in bands
        if band.lower_bound is not None and band.upper_bound is not None
    ]
    margin = max([*widths, Decimal(1)])
    low = (bounds[0] - margin).to_integral_value(rounding=ROUND_FLOOR)
    high = (bounds[-1] + margin).to_integral_value(rounding=ROUND_CEILING)

    def at(number):
        return round(float((min(max(number, low), high) - low) / (high - low) * 100), 2)

    def anchor(x):
        return "start" if x < LABEL_EDGE else "end" if x > 100 - LABEL_EDGE else "middle"

    ordered = sorted(
        bands,
        key=lambda band: (
            band.lower_bound is not None,
            band.lower_bound or 0,
            band.upper_bound is None,
            band.upper_bound or 0,
        ),
    )
    drawn, conditions = [], 0
    for band in ordered:
        start = at(band.lower_bound if band.lower_bound is not None else low)
        end = at(band.upper_bound if band.upper_bound is not None else high)
        if band.indicates_condition:
            conditions += 1
            tone = f"condition-{min(conditions, 3)}"
        else:
            tone = "normal"
        marked = value is not None and band.contains(value)
        drawn.append(ScaleBand(band, start, round(end - start, 2), tone, marked))
    inner = [Tick(b, at(b), "middle") for b in bounds if low < b < high]
    ends = [Tick(low, 0, "start"), Tick(high, 100, "end")]
    ticks = [end for end in ends if all(abs(end.x - t.x) >= CLOSE_TICKS for t in inner)]
    marker = None
    if value is not None:
        clamped = "below" if value < low else "above" if value > high else ""
        marker = Marker(value, at(value), anchor(at(value)), clamped)
    return Scale(low, high, drawn, sorted([*inner, *ticks], key=lambda t: t.x), marker)
