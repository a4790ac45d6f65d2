"""Bar charts drawn on the server: given per-day series, the geometry of an SVG stacked bar
chart (bars, axis ticks, day labels) and the rows of its text alternative. Pure: no
database, no templates; `templates/console/_bar_chart.html` draws the result.

Stacked: each day's bar is its series' values one on top of the other, in series order, so
a day's bar height is its total. The scale's top is a "nice" number (1, 2 or 5 times a power
of ten) at least the largest day's total, so the ticks read as round numbers.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    key: str  # a CSS class suffix: the bar's colour comes from `.chart-<key>`
    label: str
    values: Sequence[int]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    key: str
    label: str  # "2026-12-01: 3 created", the bar's tooltip
    value: int


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class DayLabel:
    x: float
    text: str
    anchor: str = "middle"  # SVG text-anchor: the last label ends at the plot's edge


@dataclass(frozen=True)
class Row:
    day: dt.date
    values: list[int]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: list[Bar]
    ticks: list[Tick]
    day_labels: list[DayLabel]
    series: list[Series]
    rows: list[Row]
    totals: list[int]  # per series, over every day
    top: int  # the scale's top value

    @property
    def is_empty(self) -> bool:
        return not any(self.totals)

    @property
    def tick_x(self) -> float:
        return self.plot_left - 6

    @property
    def center(self) -> tuple[float, float]:
        return (
            _r((self.plot_left + self.plot_right) / 2),
            _r((self.plot_top + self.plot_bottom) / 2),
        )

    @property
    def legend(self) -> list[tuple[Series, int]]:
        return list(zip(self.series, self.totals, strict=True))

    @property
    def summary(self) -> str:
        """The chart in one sentence: each series' total over the period."""
        parts = ", ".join(f"{total} {s.label.lower()}" for s, total in self.legend)
        return f"Over the {len(self.rows)} days shown: {parts}."


def nice_top(value: int) -> int:
    """The smallest of 1, 2, 5 times a power of ten at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    raise AssertionError("unreachable")  # pragma: no cover


def _r(value: float) -> float:
    return round(value, 2)


def stacked_bars(
    days: Sequence[dt.date],
    series: Sequence[Series],
    *,
    width: int = 480,
    height: int = 180,
    margin_left: int = 34,
    margin_right: int = 6,
    margin_top: int = 10,
    margin_bottom: int = 24,
    label_every: int = 7,
) -> Chart:
    """The chart of `series` (each one value per day of `days`) as stacked bars."""
    for s in series:
        if len(s.values) != len(days):
            raise ValueError(f"series {s.key!r} has {len(s.values)} values for {len(days)} days")
    n = len(days)
    day_totals = [sum(s.values[i] for s in series) for i in range(n)]
    top = nice_top(max(day_totals, default=0))
    left, right = float(margin_left), float(width - margin_right)
    plot_top, bottom = float(margin_top), float(height - margin_bottom)
    slot = (right - left) / n if n else 0.0
    bar_width = slot * 0.7
    scale = (bottom - plot_top) / top
    bars: list[Bar] = []
    for i, day in enumerate(days):
        x = left + i * slot + (slot - bar_width) / 2
        base = bottom
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = value * scale
            bars.append(
                Bar(
                    x=_r(x),
                    y=_r(base - h),
                    width=_r(bar_width),
                    height=_r(h),
                    key=s.key,
                    label=f"{day:%Y-%m-%d}: {value} {s.label.lower()}",
                    value=value,
                )
            )
            base -= h
    ticks = [Tick(y=_r(bottom - v * scale), value=v) for v in sorted({0, top // 2, top})]
    # A label under every `label_every`-th day counted back from the last, so today has one.
    day_labels = [
        DayLabel(x=_r(right), text=f"{day:%b} {day.day}", anchor="end")
        if i == n - 1
        else DayLabel(x=_r(left + i * slot + slot / 2), text=f"{day:%b} {day.day}")
        for i, day in enumerate(days)
        if (n - 1 - i) % label_every == 0
    ]
    return Chart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=plot_top,
        plot_bottom=bottom,
        bars=bars,
        ticks=ticks,
        day_labels=day_labels,
        series=list(series),
        rows=[Row(day=day, values=[s.values[i] for s in series]) for i, day in enumerate(days)],
        totals=[sum(s.values) for s in series],
        top=top,
    )
