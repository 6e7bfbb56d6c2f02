"""The admin index's chart of consultation requests per week: its geometry, in Python.

The counts come from ConsultationRequest.objects.weekly_counts(); this module only
places them: one stacked bar per week (a segment per status, in the workflow's order,
from the bottom), the week's total above it, its Monday below it, and a scale of at most
five steps on the left; over the bars, a line of how many of each week's requests reached
scheduled and one of how many reached completed, a marker on each week. Everything is a
whole number of the SVG's own units, so the template writes it as it is (no localised
decimal separator can creep in) and the picture needs no script nor any inline style.
"""

from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from consultations.models import ConsultationRequest, WeekCount

WIDTH = 640
HEIGHT = 260
LEFT = 40  # the scale's numbers
RIGHT = 8
TOP = 20  # room for the tallest bar's total
BOTTOM = 28  # the weeks' dates
BAR_SHARE = 0.62  # of each week's slot; the rest is the gap between bars
NICE_STEPS = (1, 2, 5)


@dataclass(frozen=True)
class Segment:
    status: str
    y: int
    height: int
    count: int


@dataclass(frozen=True)
class Bar:
    week: WeekCount
    x: int
    width: int
    centre: int
    top: int  # where the week's total is written
    segments: tuple


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclass(frozen=True)
class Line:
    """How many of each week's requests reached one status: a point a week."""

    name: str  # "scheduled" or "completed": its class, chart-reached-<name>
    label: str
    points: tuple

    @property
    def path(self):
        """The points as an SVG polyline's `points` attribute."""
        return " ".join(f"{point.x},{point.y}" for point in self.points)


@dataclass(frozen=True)
class Tick:
    value: int
    y: int


def _step(largest, most_steps=4):
    """The smallest of 1, 2, 5, 10, 20, 50… that reaches `largest` in `most_steps` steps."""
    magnitude = 1
    while True:
        for nice in NICE_STEPS:
            step = nice * magnitude
            if step * most_steps >= largest:
                return step
        magnitude *= 10


@dataclass(frozen=True)
class WeeklyChart:
    weeks: list  # of WeekCount, oldest first

    width = WIDTH
    height = HEIGHT
    left = LEFT
    right_edge = WIDTH - RIGHT
    baseline = HEIGHT - BOTTOM
    label_y = HEIGHT - BOTTOM + 18

    @property
    def statuses(self):
        """(code, label) of the stacked statuses, bottom first: the legend's order."""
        return [(code, ConsultationRequest.Status(code).label) for code in WeekCount.STATUSES]

    @cached_property
    def step(self):
        """Between two lines of the scale."""
        return _step(self.largest or 1)

    @cached_property
    def largest(self):
        return max(week.received for week in self.weeks)

    @cached_property
    def top_value(self):
        """The scale's top: the first line at or above the largest week (1 when empty)."""
        return self.step * max(1, -(-self.largest // self.step))

    def _y(self, value):
        """The height of `value` on the scale, in the picture's units."""
        return round(value * (self.baseline - TOP) / self.top_value)

    @property
    def ticks(self):
        return [
            Tick(value, self.baseline - self._y(value))
            for value in range(0, self.top_value + 1, self.step)
        ]

    @cached_property
    def bars(self):
        slot = (self.right_edge - LEFT) / len(self.weeks)
        width = round(slot * BAR_SHARE)
        bars = []
        for n, week in enumerate(self.weeks):
            centre = round(LEFT + slot * (n + 0.5))
            segments = []
            below = 0  # the count already stacked
            for code in WeekCount.STATUSES:
                count = week.by_status[code]
                if not count:
                    continue
                bottom = self.baseline - self._y(below)
                below += count
                y = self.baseline - self._y(below)
                segments.append(Segment(code, y, bottom - y, count))
            top = self.baseline - self._y(week.received)
            bars.append(Bar(week, centre - width // 2, width, centre, top - 5, tuple(segments)))
        return bars

    @cached_property
    def reached(self):
        """The lines over the bars: reached scheduled, then reached completed."""
        lines = (
            ("scheduled", _("Reached scheduled"), "reached_scheduled"),
            ("completed", _("Reached completed"), "reached_completed"),
        )
        return [
            Line(
                name, label, tuple(self._point(bar, getattr(bar.week, field)) for bar in self.bars)
            )
            for name, label, field in lines
        ]

    def _point(self, bar, count):
        return Point(bar.centre, self.baseline - self._y(count))

    @cached_property
    def total(self):
        """The twelve weeks added up: the table's last row, the text alternative's figures."""
        return WeekCount.sum(self.weeks)
