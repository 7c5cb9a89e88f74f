"""An instrument's history as an inline SVG line chart: geometry only, drawn by a template.

The figures come from the service (`views.instrument_view`); this module
only places them. Coordinates are computed with `Decimal` and written with
one decimal place, so the same history always draws the same picture. The
template draws each series as a polyline with a legend, and the same figures
sit in a table under the chart for screen readers and for anyone who wants
the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from acquittance.core.money import format_amount
from acquittance.service.views import ChartPoint

WIDTH: Final = 720
HEIGHT: Final = 300
MARGIN_LEFT: Final = 96
MARGIN_RIGHT: Final = 16
MARGIN_TOP: Final = 16
MARGIN_BOTTOM: Final = 40
Y_TICKS_COUNT: Final = 4
X_TICKS_COUNT_MAX: Final = 6
_PIXEL: Final = Decimal("0.1")


@dataclass(frozen=True)
class Series:
    """One line of the chart: its name, CSS class and the points of its polyline."""

    name: str
    css_class: str
    points: str  # "x,y x,y ..." for <polyline points>
    last_x: str  # where the line ends (the page's date), marked with a dot
    last_y: str
    dashed: bool = False


@dataclass(frozen=True)
class Tick:
    position: str  # the pixel coordinate, x for a date tick and y for an amount tick
    label: str
    anchor: str = "middle"  # text-anchor: the first and last dates stay inside the chart


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    series: tuple[Series, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]


def _pixel(value: Decimal) -> str:
    return str(value.quantize(_PIXEL, rounding=ROUND_HALF_UP))


def nice_step(maximum: Decimal, ticks_count: int = Y_TICKS_COUNT) -> Decimal:
    """The smallest step of 1, 2, 2.5 or 5 times a power of ten that covers `maximum`."""
    if maximum <= 0:
        return Decimal(1)
    rough = maximum / ticks_count
    power = Decimal(10) ** (rough.adjusted())
    for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        step = power * multiple
        if step * ticks_count >= maximum:
            return step
    raise AssertionError("a step of ten times the power always covers the maximum")


def _short_amount(value: Decimal) -> str:
    """A tick label: whole units grouped by thousands ("17,500,000"), cents only when needed."""
    text = format_amount(value)
    return text[:-3] if text.endswith(".00") else text


class _Scale:
    def __init__(self, points: Sequence[ChartPoint], top: Decimal) -> None:
        self.first: date = points[0].on
        self.days = max((points[-1].on - self.first).days, 1)
        self.top = top

    def x(self, on: date) -> Decimal:
        width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
        return Decimal(MARGIN_LEFT) + Decimal(width) * (on - self.first).days / self.days

    def y(self, value: Decimal) -> Decimal:
        height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
        return Decimal(HEIGHT - MARGIN_BOTTOM) - Decimal(height) * value / self.top


def _series(
    name: str, css_class: str, scale: _Scale, pairs: Sequence[tuple[date, Decimal]], *,
    dashed: bool = False,
) -> Series:  # fmt: skip
    points = " ".join(f"{_pixel(scale.x(on))},{_pixel(scale.y(value))}" for on, value in pairs)
    last_on, last_value = pairs[-1]
    return Series(
        name, css_class, points, _pixel(scale.x(last_on)), _pixel(scale.y(last_value)), dashed
    )


def _date_ticks(scale: _Scale, points: Sequence[ChartPoint]) -> tuple[Tick, ...]:
    if len(points) == 1:
        return (Tick(_pixel(scale.x(points[0].on)), points[0].on.isoformat()),)
    count = min(X_TICKS_COUNT_MAX, len(points))
    chosen = sorted({points[round(k * (len(points) - 1) / (count - 1))].on for k in range(count)})
    last = len(chosen) - 1
    return tuple(
        Tick(
            _pixel(scale.x(on)),
            on.isoformat(),
            "start" if k == 0 else "end" if k == last else "middle",
        )
        for k, on in enumerate(chosen)
    )


def chart(points: Sequence[ChartPoint], *, payoff_name: str = "Principal and interest") -> Chart:
    """The chart of `points`: principal, accrued interest, their total and any collateral."""
    if not points:
        raise ValueError("a chart needs at least one point")
    collateral = [(p.on, p.collateral) for p in points if p.collateral is not None]
    highest = max([p.total for p in points] + [v for _, v in collateral if v is not None])
    step = nice_step(highest)
    top = step * Y_TICKS_COUNT
    scale = _Scale(points, top)
    series = [
        _series("Principal", "series-principal", scale, [(p.on, p.principal) for p in points]),
        _series("Accrued interest", "series-interest", scale, [(p.on, p.interest) for p in points]),
        _series(payoff_name, "series-total", scale, [(p.on, p.total) for p in points]),
    ]
    pledged = [(on, value) for on, value in collateral if value is not None]
    if pledged:
        series.append(
            _series("Collateral (notes pledged)", "series-collateral", scale, pledged, dashed=True)
        )
    y_ticks = tuple(
        Tick(_pixel(scale.y(step * k)), _short_amount(step * k)) for k in range(Y_TICKS_COUNT + 1)
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=MARGIN_LEFT,
        plot_right=WIDTH - MARGIN_RIGHT,
        plot_top=MARGIN_TOP,
        plot_bottom=HEIGHT - MARGIN_BOTTOM,
        series=tuple(series),
        y_ticks=y_ticks,
        x_ticks=_date_ticks(scale, points),
    )
