"""Geometry of the dashboards' SVG charts: pure functions, no Django, no database.

Each function takes rows of label/value (values as the selector returns them: Decimal or int,
None when there is nothing to show) and returns frozen dataclasses with positions and sizes in
SVG user units. Templates only draw them: every number in a chart comes from here, and every
text in it is formatted by the template filters, so the geometry is tested without a request.

Values are never computed here: a bar is as long as its value says, clamped to the plot (a
negative completion draws no bar, a completion above the scale stops at its edge).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = Decimal | int | float

# A "nice" step is one of these times a power of ten: axes read 0, 50, 100… not 0, 47, 94….
NICE_STEPS = (1, 2, 2.5, 5, 10)


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


def _px(value: float) -> float:
    """A coordinate rounded to a tenth of a unit: enough for a screen, short in the HTML."""
    return round(value, 1)


def nice_step(maximum: float, ticks: int = 4, min_step: float = 0) -> float:
    """The step of an axis from 0 to at least `maximum` in about `ticks` steps (1, 2, 2.5, 5 × 10ⁿ),
    at least `min_step` (1 for counts, so that an axis never reads 0.25 projects)."""
    if maximum <= 0:
        return max(1.0, min_step)
    rough = max(maximum / ticks, min_step)
    power = 10 ** math.floor(math.log10(rough))
    for factor in NICE_STEPS:
        step = factor * power
        whole = min_step < 1 or step == int(step)  # 2.5 is no step for counts: take 5
        if step >= rough * (1 - 1e-9) and whole:
            return float(step)
    return float(10 * power)  # pragma: no cover - the last factor always matches


def nice_axis(maximum: float, ticks: int = 4, min_step: float = 0) -> tuple[float, list[float]]:
    """(top of the axis, tick values from 0 to it) for data reaching `maximum`."""
    step = nice_step(maximum, ticks, min_step)
    count = max(1, math.ceil(maximum / step - 1e-9))
    values = [float(step * i) for i in range(count + 1)]
    return values[-1], values


def shorten(label: str, max_chars: int | None) -> str:
    """`label` cut to `max_chars` characters with an ellipsis; unchanged when it fits or no limit."""
    if max_chars is None or len(label) <= max_chars:
        return label
    return label[: max(1, max_chars - 1)].rstrip() + "…"


@dataclass(frozen=True)
class Tick:
    """A grid line and its label: `value` in the data's unit, `position` along the value axis."""

    value: float
    position: float


@dataclass(frozen=True)
class HBar:
    """One row of a horizontal bar chart: the bar, its label on the left and its value on the right."""

    label: str
    short_label: str
    value: Number | None
    key: str  # the row's key (e.g. a status code, for a CSS class); its index when none is given
    x: float
    y: float
    width: float
    height: float
    text_y: float  # baseline of the label and of the value text, centred on the bar
    label_x: float  # right edge of the label (text-anchor: end)
    value_x: float  # left edge of the value text
    beyond_reference: bool  # the value reaches or passes the reference line (e.g. 100 %)


@dataclass(frozen=True)
class HBarChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    tick_label_y: float
    bars: tuple[HBar, ...]
    ticks: tuple[Tick, ...]
    reference_x: float | None
    highest: HBar | None
    lowest: HBar | None

    @property
    def is_empty(self) -> bool:
        return not self.bars


def hbar_chart(
    rows: Sequence[tuple[str, Number | None]],
    *,
    width: float,
    label_width: float,
    value_width: float = 64,
    bar_height: float = 14,
    gap: float = 8,
    axis_height: float = 22,
    reference: Number | None = None,
    ticks: int = 4,
    min_step: float = 0,
    label_chars: int | None = None,
    keys: Sequence[str] | None = None,
) -> HBarChart:
    """Horizontal bars, one per row, in the order given, on an axis from 0.

    The axis reaches the largest value or `reference` (a line is drawn there, e.g. 100 % of
    plan), whichever is higher, rounded up to a nice step. Rows with None get no bar (their
    value text still has a place). `highest`/`lowest` are the rows with the largest and
    smallest value (first one on ties), None when no row has a value.
    """
    plot_left = label_width
    plot_right = width - value_width
    plot_top = axis_height
    values = [_float(value) for _label, value in rows]
    known = [value for value in values if value is not None]
    ref = _float(reference)
    top, tick_values = nice_axis(max([0.0, *known, *([ref] if ref is not None else [])]), ticks, min_step)
    span = plot_right - plot_left

    def x_of(value: float) -> float:
        return plot_left + span * min(max(value, 0.0), top) / top

    bars = []
    for index, ((label, value), number) in enumerate(zip(rows, values, strict=True)):
        y = plot_top + gap / 2 + index * (bar_height + gap)
        end = x_of(number) if number is not None else plot_left
        bars.append(
            HBar(
                label=label,
                short_label=shorten(label, label_chars),
                value=value,
                key=keys[index] if keys is not None else str(index),
                x=_px(plot_left),
                y=_px(y),
                width=_px(end - plot_left),
                height=_px(bar_height),
                text_y=_px(y + bar_height / 2 + 4),
                label_x=_px(plot_left - 6),
                value_x=_px(end + 5),
                beyond_reference=ref is not None and number is not None and number >= ref,
            )
        )
    plot_bottom = plot_top + len(rows) * (bar_height + gap)
    with_values = [bar for bar, number in zip(bars, values, strict=True) if number is not None]
    return HBarChart(
        width=_px(width),
        height=_px(plot_bottom + 4),
        plot_left=_px(plot_left),
        plot_right=_px(plot_right),
        plot_top=_px(plot_top),
        plot_bottom=_px(plot_bottom),
        tick_label_y=_px(plot_top - 8),
        bars=tuple(bars),
        ticks=tuple(Tick(value=value, position=_px(x_of(value))) for value in tick_values),
        reference_x=_px(x_of(ref)) if ref is not None else None,
        highest=max(with_values, key=lambda bar: bar.value, default=None),
        lowest=min(with_values, key=lambda bar: bar.value, default=None),
    )


@dataclass(frozen=True)
class Column:
    """One bar of a column group: `series` is its index in the group (plan 0, actual 1…)."""

    series: int
    value: Number | None
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class ColumnGroup:
    label: str
    columns: tuple[Column, ...]
    label_x: float  # centre of the group (text-anchor: middle)
    show_label: bool  # False for the groups skipped when labels would not fit


@dataclass(frozen=True)
class ColumnChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    label_y: float  # baseline of the group labels under the axis
    tick_label_x: float  # right edge of the value-axis labels (text-anchor: end)
    groups: tuple[ColumnGroup, ...]
    ticks: tuple[Tick, ...]

    @property
    def is_empty(self) -> bool:
        return not self.groups


def column_chart(
    groups: Sequence[tuple[str, Sequence[Number | None]]],
    *,
    width: float,
    height: float,
    left: float = 44,
    right: float = 8,
    top: float = 12,
    bottom: float = 26,
    max_column_width: float = 26,
    column_gap: float = 2,
    ticks: int = 4,
    min_label_spacing: float = 34,
) -> ColumnChart:
    """Grouped vertical columns (e.g. plan and actual per year) on a value axis from 0.

    Each group takes an equal slot of the plot; its columns share 70 % of the slot, each at
    most `max_column_width` wide. When the slots are narrower than `min_label_spacing`, only
    every second (third…) group label is shown, always including the last one.
    """
    plot_left, plot_right = left, width - right
    plot_top, plot_bottom = top, height - bottom
    known = [number for _label, values in groups for value in values if (number := _float(value)) is not None]
    axis_top, tick_values = nice_axis(max([0.0, *known]), ticks)
    plot_height = plot_bottom - plot_top

    def y_of(value: float) -> float:
        return plot_bottom - plot_height * min(max(value, 0.0), axis_top) / axis_top

    slot = (plot_right - plot_left) / len(groups) if groups else 0
    every = max(1, math.ceil(min_label_spacing / slot)) if slot else 1
    result = []
    for index, (label, values) in enumerate(groups):
        count = max(1, len(values))
        column_width = min(max_column_width, (slot * 0.7 - column_gap * (count - 1)) / count)
        used = column_width * count + column_gap * (count - 1)
        start = plot_left + slot * index + (slot - used) / 2
        columns = []
        for series, value in enumerate(values):
            number = _float(value)
            y = y_of(number) if number is not None else plot_bottom
            columns.append(
                Column(
                    series=series,
                    value=value,
                    x=_px(start + series * (column_width + column_gap)),
                    y=_px(y),
                    width=_px(column_width),
                    height=_px(plot_bottom - y),
                )
            )
        result.append(
            ColumnGroup(
                label=label,
                columns=tuple(columns),
                label_x=_px(plot_left + slot * (index + 0.5)),
                show_label=(len(groups) - 1 - index) % every == 0,
            )
        )
    return ColumnChart(
        width=_px(width),
        height=_px(height),
        plot_left=_px(plot_left),
        plot_right=_px(plot_right),
        plot_top=_px(plot_top),
        plot_bottom=_px(plot_bottom),
        label_y=_px(plot_bottom + 17),
        tick_label_x=_px(plot_left - 6),
        groups=tuple(result),
        ticks=tuple(Tick(value=value, position=_px(y_of(value))) for value in tick_values),
    )


@dataclass(frozen=True)
class Meter:
    """A completion bar in a 0–100 box: `fill` is the filled width, clamped to the box."""

    fill: float
    over: bool  # the value passed the full mark (more than 100 %)
    empty: bool  # no value (nothing planned)


def meter(value: Number | None, *, full: Number = 100) -> Meter:
    """The bar of a percentage (`full` fills the box): 0–100 units wide; `empty` for None."""
    number = _float(value)
    if number is None:
        return Meter(fill=0.0, over=False, empty=True)
    ceiling = float(full)
    return Meter(fill=_px(100 * min(max(number, 0.0), ceiling) / ceiling), over=number > ceiling, empty=False)
