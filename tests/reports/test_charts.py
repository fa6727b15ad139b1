"""Chart geometry (reports/charts.py): pure functions, no database, no request."""

from decimal import Decimal

import pytest

from reports.dashboard import charts


@pytest.mark.parametrize(
    ("maximum", "top", "ticks"),
    [
        (100, 100, [0, 25, 50, 75, 100]),
        (155, 200, [0, 50, 100, 150, 200]),
        (120.5, 150, [0, 50, 100, 150]),
        (7, 8, [0, 2, 4, 6, 8]),
        (265e9, 300e9, [0, 100e9, 200e9, 300e9]),
        (0, 1, [0, 1]),
    ],
)
def test_nice_axis_reaches_the_maximum_in_round_steps(maximum, top, ticks):
    assert charts.nice_axis(maximum) == (top, ticks)


def test_a_count_axis_never_has_fractional_steps():
    assert charts.nice_axis(1, min_step=1) == (1, [0, 1])
    assert charts.nice_axis(9, min_step=1) == (10, [0, 5, 10])
    assert all(value == int(value) for value in charts.nice_axis(3, min_step=1)[1])


def test_shorten_cuts_long_labels_with_an_ellipsis():
    assert charts.shorten("Bà Rịa - Vũng Tàu", None) == "Bà Rịa - Vũng Tàu"
    assert charts.shorten("Bà Rịa - Vũng Tàu", 17) == "Bà Rịa - Vũng Tàu"
    assert charts.shorten("Thành phố Hồ Chí Minh", 10) == "Thành phố…"


def _hbar(rows, **options):
    defaults = {"width": 600, "label_width": 100, "value_width": 50, "bar_height": 10, "gap": 10, "axis_height": 20}
    return charts.hbar_chart(rows, **{**defaults, **options})


def test_hbar_lengths_are_proportional_on_an_axis_to_the_reference():
    chart = _hbar([("A", Decimal("50")), ("B", Decimal("25")), ("C", Decimal("100"))], reference=100)
    span = chart.plot_right - chart.plot_left
    assert (chart.plot_left, chart.plot_right) == (100, 550)
    assert [bar.width for bar in chart.bars] == [span / 2, span / 4, span]
    assert all(bar.x == chart.plot_left for bar in chart.bars)
    assert chart.reference_x == chart.plot_right
    assert [tick.value for tick in chart.ticks] == [0, 25, 50, 75, 100]
    assert [bar.beyond_reference for bar in chart.bars] == [False, False, True]


def test_hbar_rows_keep_their_order_and_stack_downwards():
    chart = _hbar([("A", 1), ("B", 2), ("C", 3)])
    assert [bar.label for bar in chart.bars] == ["A", "B", "C"]
    assert [bar.y for bar in chart.bars] == [25, 45, 65]
    assert chart.plot_top == 20
    assert chart.plot_bottom == 80
    assert chart.height == 84
    assert all(bar.text_y == bar.y + 9 for bar in chart.bars)
    assert all(bar.label_x == chart.plot_left - 6 for bar in chart.bars)


def test_a_value_past_the_reference_widens_the_axis_and_the_reference_line_moves_in():
    chart = _hbar([("A", Decimal("130")), ("B", Decimal("65"))], reference=100)
    assert chart.ticks[-1].value == 150
    span = chart.plot_right - chart.plot_left
    assert chart.reference_x == pytest.approx(chart.plot_left + span * 100 / 150, abs=0.1)
    assert chart.bars[0].width == pytest.approx(span * 130 / 150, abs=0.1)
    assert chart.bars[0].beyond_reference


def test_none_and_negative_values_draw_no_bar_and_are_not_the_extremes():
    chart = _hbar([("plan 0", None), ("refund", Decimal("-5")), ("ok", Decimal("40"))], reference=100)
    assert [bar.width for bar in chart.bars[:2]] == [0, 0]
    assert chart.bars[0].value is None
    assert chart.bars[0].value_x == chart.plot_left + 5
    assert chart.highest.label == "ok"
    assert chart.lowest.label == "refund"


def test_highest_and_lowest_are_none_without_values():
    chart = _hbar([("A", None)])
    assert chart.highest is None and chart.lowest is None
    assert _hbar([]).is_empty


def test_hbar_keys_and_short_labels():
    chart = _hbar([("Đang thực hiện", 3), ("Đã quyết toán", 0)], keys=["in_progress", "settled"], label_chars=8)
    assert [bar.key for bar in chart.bars] == ["in_progress", "settled"]
    assert [bar.short_label for bar in chart.bars] == ["Đang th…", "Đã quyế…"]
    assert [bar.key for bar in _hbar([("A", 1), ("B", 2)]).bars] == ["0", "1"]


def test_columns_are_grouped_per_label_and_scaled_to_the_axis():
    chart = charts.column_chart(
        [("2015", [Decimal(200), Decimal(100)]), ("2016", [Decimal(400), None])],
        width=300,
        height=200,
        left=40,
        right=10,
        top=20,
        bottom=30,
    )
    assert (chart.plot_left, chart.plot_right, chart.plot_top, chart.plot_bottom) == (40, 290, 20, 170)
    assert [tick.value for tick in chart.ticks] == [0, 100, 200, 300, 400]
    assert chart.ticks[0].position == 170 and chart.ticks[-1].position == 20
    first, second = chart.groups
    assert [column.height for column in first.columns] == [75, 37.5]
    assert [column.y for column in first.columns] == [95, 132.5]
    assert second.columns[0].height == 150
    assert second.columns[1].height == 0
    assert [column.series for column in first.columns] == [0, 1]
    assert first.columns[0].x < first.columns[1].x < second.columns[0].x
    assert first.label_x == 40 + 125 / 2
    assert all(group.show_label for group in chart.groups)


def test_column_labels_are_thinned_when_slots_are_narrow_keeping_the_last():
    groups = [(str(year), [year]) for year in range(2017, 2027)]
    chart = charts.column_chart(groups, width=200, height=100, left=0, right=0, min_label_spacing=34)
    shown = [group.label for group in chart.groups if group.show_label]
    assert shown == ["2018", "2020", "2022", "2024", "2026"]


def test_column_widths_stay_within_their_slot():
    chart = charts.column_chart([("2026", [1, 2])], width=120, height=100, left=0, right=0, max_column_width=26)
    columns = chart.groups[0].columns
    assert all(column.width == 26 for column in columns)
    assert columns[0].x >= 0 and columns[-1].x + columns[-1].width <= 120


def test_meter_clamps_to_its_box():
    assert charts.meter(Decimal("25.86")) == charts.Meter(fill=25.9, over=False, empty=False)
    assert charts.meter(Decimal("130")) == charts.Meter(fill=100, over=True, empty=False)
    assert charts.meter(Decimal("-3")) == charts.Meter(fill=0, over=False, empty=False)
    assert charts.meter(None) == charts.Meter(fill=0, over=False, empty=True)
    assert charts.meter(30, full=60).fill == 50
