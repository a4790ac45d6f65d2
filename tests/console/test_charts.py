"""The dashboard's bar charts: geometry from per-day series, with no database."""

import datetime as dt

import pytest

from console.charts import Series, nice_top, stacked_bars

DAYS = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(4)]


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (2, 2), (3, 5), (5, 5), (6, 10), (11, 20), (260, 500)]
)
def test_the_scale_tops_at_a_round_number(value, top):
    assert nice_top(value) == top


def test_bars_stack_in_series_order_and_heights_follow_the_values():
    chart = stacked_bars(
        DAYS,
        [Series("ok", "Requests", [4, 0, 1, 2]), Series("error", "Errors", [1, 0, 0, 3])],
        width=440, height=130, margin_left=40, margin_right=0, margin_top=10, margin_bottom=20,
    )  # fmt: skip
    # plot: x 40..440 (100 per day, bars 70 wide), y 10..110; top 5 → 20 px per unit.
    assert chart.top == 5
    assert [(b.key, b.x, b.y, b.width, b.height) for b in chart.bars] == [
        ("ok", 55.0, 30.0, 70.0, 80.0),
        ("error", 55.0, 10.0, 70.0, 20.0),
        ("ok", 255.0, 90.0, 70.0, 20.0),
        ("ok", 355.0, 70.0, 70.0, 40.0),
        ("error", 355.0, 10.0, 70.0, 60.0),
    ]  # no bar for a zero
    assert chart.bars[1].label == "2026-11-01: 1 errors"
    assert [(t.y, t.value) for t in chart.ticks] == [(110.0, 0), (70.0, 2), (10.0, 5)]
    assert chart.totals == [7, 4]
    assert [r.values for r in chart.rows] == [[4, 1], [0, 0], [1, 0], [2, 3]]
    assert chart.summary == "Over the 4 days shown: 7 requests, 4 errors."
    assert not chart.is_empty


def test_day_labels_count_back_from_today():
    days = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(30)]
    chart = stacked_bars(days, [Series("ok", "Requests", [0] * 30)])
    assert [d.text for d in chart.day_labels] == ["Nov 2", "Nov 9", "Nov 16", "Nov 23", "Nov 30"]
    assert [d.anchor for d in chart.day_labels][-2:] == ["middle", "end"]
    assert chart.day_labels[-1].x == chart.plot_right
    assert chart.is_empty
    assert chart.bars == []
    assert [t.value for t in chart.ticks] == [0, 1]


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="3 values for 4 days"):
        stacked_bars(DAYS, [Series("ok", "Requests", [1, 2, 3])])
