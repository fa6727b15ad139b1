"""A choropleth of the provinces: pure geometry and classes, no database, no request.

`choropleth()` takes plain rows (a province code, its value, the text to show) and returns a
frozen `ChoroplethMap` that templates/reports/_map.html draws as SVG, like reports/charts.py
for the other charts: every colour, class, position and accessible name is decided here, so
that the map is tested without a page.

Classes are fixed, not fitted to the data, so that two maps (two years, two regions) read the
same: plan completion and disbursement against contracted support in five classes cut at 50,
75, 90 and 100 %, plan growth on a diverging scale cut at −20, −5, 5 and 20 %. A value is
classed as it is shown (rounded half-up to 2 places, like every percentage of the portal), so
that "100,00 %" is never coloured as "under 100 %". A province without a value (nothing to
divide by, or no row) gets the hatched "no data" class: never the colour of 0.

Colours are ColorBrewer schemes that stay distinct for the common colour-vision deficiencies
(YlGnBu, sequential; PuOr, diverging); they are written as SVG `fill` attributes, which the
CSP allows (only style attributes and elements need a nonce).
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common import numbers
from common.numbers import round_pct

from . import geometry

MERGER_DATE = datetime.date(2025, 7, 1)

NO_DATA_COLOUR = "#d9dde3"  # under the hatching of the "no data" class
LABEL_FONT = 10.0  # value labels inside provinces, in viewBox units
TIP_FONT = 13.0
TIP_LINE = 17.0
ZOOM_MARGIN = 0.06  # of the region's larger side, kept around a zoomed region
MIN_ZOOM_HEIGHT = 380.0  # a wide region's frame keeps room for the era's name and the tip box


def era_for(as_of: datetime.date) -> str:
    """The era a map of figures cut at `as_of` shows: the 34 provinces from 1 July 2025 on, the 63 before."""
    return geometry.NEW if as_of >= MERGER_DATE else geometry.OLD


def era_label(era: str) -> str:
    """The era as named on the map; ValueError for an unknown era."""
    if era == geometry.OLD:
        return _("63 provinces and cities before 01/07/2025")
    if era == geometry.NEW:
        return _("34 provinces and cities from 01/07/2025")
    raise ValueError(f"unknown era {era!r}")


@dataclass(frozen=True)
class ColourClass:
    """Values from `lower` (included) to `upper` (excluded); None is open on that side. The
    "no data" class has key "none" and no bounds."""

    key: str
    lower: Decimal | None
    upper: Decimal | None
    colour: str


NO_DATA = ColourClass(key="none", lower=None, upper=None, colour=NO_DATA_COLOUR)


@dataclass(frozen=True)
class Scale:
    """Fixed class bounds and one colour per class (len(colours) == len(bounds) + 1)."""

    name: str  # "sequential" or "diverging": the CSS class of the map
    bounds: tuple[Decimal, ...]
    colours: tuple[str, ...]

    def __post_init__(self):
        if len(self.colours) != len(self.bounds) + 1 or list(self.bounds) != sorted(self.bounds):
            raise ValueError("a scale needs ascending bounds and one colour more than bounds")

    @property
    def classes(self) -> tuple[ColourClass, ...]:
        edges = (None, *self.bounds, None)
        return tuple(
            ColourClass(key=f"{self.name[:3]}-{index}", lower=edges[index], upper=edges[index + 1], colour=colour)
            for index, colour in enumerate(self.colours)
        )

    def classify(self, value: Decimal | None) -> ColourClass:
        """The class of `value` as shown (rounded to 2 places); NO_DATA for None."""
        shown = round_pct(value)
        if shown is None:
            return NO_DATA
        for colour_class in self.classes:
            if colour_class.upper is None or shown < colour_class.upper:
                return colour_class
        raise AssertionError("the last class is open")  # pragma: no cover


# Completion (disbursed / plan) and disbursement against contracted support: light to dark.
COMPLETION = Scale(
    name="sequential",
    bounds=(Decimal(50), Decimal(75), Decimal(90), Decimal(100)),
    colours=("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
)
# Plan growth against the previous year: orange for a fall, purple for a rise, grey around 0.
GROWTH = Scale(
    name="diverging",
    bounds=(Decimal(-20), Decimal(-5), Decimal(5), Decimal(20)),
    colours=("#e66101", "#fdb863", "#f2f0f7", "#b2abd2", "#5e3c99"),
)


@dataclass(frozen=True)
class MapRow:
    """A province's input: `code` of the era drawn, `value` a percentage (None: nothing to
    divide by), `label` the value as written on the map when it fits ('' for none), `lines`
    its figures (shown on hover and focus, and part of its accessible name), `url` its page."""

    code: str
    value: Decimal | None
    label: str = ""
    lines: tuple[str, ...] = ()
    url: str | None = None


@dataclass(frozen=True)
class TipLine:
    text: str
    y: float


@dataclass(frozen=True)
class MapProvince:
    code: str
    name: str
    d: str
    colour_class: ColourClass
    value: Decimal | None
    title: str  # the accessible name and native tooltip: the name and every figure
    url: str | None
    label: str
    show_label: bool  # the label fits in the province (inside its largest inscribed circle)
    label_x: float
    label_y: float
    tip: tuple[TipLine, ...]  # the name then the figures, in the tip box (hover and focus)
    tip_height: float

    @property
    def css_class(self) -> str:
        return f"map-{self.colour_class.key}"


@dataclass(frozen=True)
class LegendEntry:
    colour_class: ColourClass
    text: str
    count: int  # provinces in the class

    @property
    def css_class(self) -> str:
        return f"map-{self.colour_class.key}"


@dataclass(frozen=True)
class PlaceLabel:
    key: str
    text: str
    x: float
    y: float
    anchor: str = "middle"


@dataclass(frozen=True)
class Frame:
    """Where the map's geometry goes: the stored coordinates (x, y) are drawn at
    (`dx` + `k`·x, `dy` + `k`·y) in a `width` × `height` viewBox. The whole country is the
    identity (k = 1); a region is zoomed so that its provinces fill the frame."""

    width: float
    height: float
    k: float = 1.0
    dx: float = 0.0
    dy: float = 0.0

    @property
    def zoomed(self) -> bool:
        return self.k != 1.0

    @property
    def transform(self) -> str:
        """The SVG transform of the geometry group ('' for the identity)."""
        if not self.zoomed:
            return ""
        return f"translate({self.dx:.1f} {self.dy:.1f}) scale({self.k:.4f})"

    def x(self, value: float) -> float:
        return round(self.dx + self.k * value, 1)

    def y(self, value: float) -> float:
        return round(self.dy + self.k * value, 1)

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        """True when the stored point (x, y) is drawn inside the frame, `margin` units in."""
        return margin <= self.x(x) <= self.width - margin and margin <= self.y(y) <= self.height - margin


def zoom_frame(boxes: Sequence[tuple[float, float, float, float]], width: float, height: float) -> Frame:
    """The frame that shows `boxes` (minx, miny, maxx, maxy in stored units) as large as the
    country's `width` × `height` allows, centred, with a margin: the width stays the country's
    (so text reads at the same size on both maps), the height follows the region's shape,
    never more than the country's nor less than MIN_ZOOM_HEIGHT. No box: the whole country."""
    if not boxes:
        return Frame(width=width, height=height)
    minx = min(box[0] for box in boxes)
    miny = min(box[1] for box in boxes)
    maxx = max(box[2] for box in boxes)
    maxy = max(box[3] for box in boxes)
    margin = ZOOM_MARGIN * max(maxx - minx, maxy - miny)
    box_w, box_h = maxx - minx + 2 * margin, maxy - miny + 2 * margin
    k = min(width / box_w, height / box_h)
    frame_h = round(max(min(box_h * k, height), MIN_ZOOM_HEIGHT), 1)
    centre_x, centre_y = (minx + maxx) / 2, (miny + maxy) / 2
    return Frame(width=width, height=frame_h, k=k, dx=width / 2 - k * centre_x, dy=frame_h / 2 - k * centre_y)


@dataclass(frozen=True)
class ChoroplethMap:
    dom_id: str  # prefix of the ids in the SVG (title, hatching), unique on the page
    era: str
    era_label: str
    title: str
    measure: str
    divides: str
    width: float
    height: float
    frame: Frame  # how the stored geometry is placed in the width × height viewBox
    scale: Scale
    provinces: tuple[MapProvince, ...]
    outside: tuple[str, ...]  # paths of the provinces not mapped (see `only`), drawn as ground
    legend: tuple[LegendEntry, ...]
    outline: str
    neighbours: tuple[geometry.Neighbour, ...]
    places: tuple[PlaceLabel, ...]  # neighbours and the sea: context, hidden from screen readers
    archipelagos: tuple[PlaceLabel, ...]
    era_x: float
    era_y: float
    tip_x: float
    tip_y: float
    tip_width: float
    attribution: str

    @property
    def no_data(self) -> ColourClass:
        return NO_DATA

    @property
    def tip_text_x(self) -> float:
        return round(self.tip_x + 10, 1)


def _lang() -> str:
    return get_language() or "vi"


def _pct(value: Decimal) -> str:
    """A class bound: `50 %` / `50%`."""
    number = numbers.format_decimal(value, 0, _lang())
    return f"{number}%" if _lang().lower().startswith("en") else f"{number} %"


def legend_text(colour_class: ColourClass) -> str:
    """What a class covers, in words: "under 50 %", "50 % to under 75 %", "100 % or more"."""
    if colour_class.key == NO_DATA.key:
        return _("No data")
    if colour_class.lower is None:
        return _("under %(upper)s") % {"upper": _pct(colour_class.upper)}
    if colour_class.upper is None:
        return _("%(lower)s or more") % {"lower": _pct(colour_class.lower)}
    return _("%(lower)s to under %(upper)s") % {"lower": _pct(colour_class.lower), "upper": _pct(colour_class.upper)}


def label_fits(label: str, room: float, font: float = LABEL_FONT) -> bool:
    """True when `label` (about 0.56 em a character, 1 em high) fits in a circle of radius `room`."""
    if not label:
        return False
    half_width = 0.56 * font * len(label) / 2
    return math.hypot(half_width, font / 2) <= room


def _text_width(text: str, font: float) -> float:
    return 0.56 * font * len(text)


def choropleth(
    rows: Sequence[MapRow],
    *,
    era: str,
    measure: str,
    divides: str,
    scale: Scale = COMPLETION,
    title: str | None = None,
    only: Iterable[str] | None = None,
    dom_id: str = "province-map",
    geo: geometry.MapGeometry | None = None,
) -> ChoroplethMap:
    """The map of `era` ("old": 63 provinces, "new": 34) with each province coloured by its row.

    `measure` names what is mapped ("Plan completion") and `divides` says what the percentage
    divides ("disbursed as a share of the approved plan"); `title` defaults to `measure`.
    Provinces of the era without a row are drawn in the "no data" class, without a link.
    `only` (codes of the era, e.g. a region's provinces) zooms the map to them (they fill the
    frame, see `zoom_frame`) and draws every other province as plain grey ground, neither
    classed nor counted nor focusable; None maps every province of the whole country.
    ValueError for an unknown era, a row (or a code of `only`) that is not a province of the
    era, or two rows for one province.
    """
    geo = geo or geometry.load()
    label = era_label(era)  # ValueError for an unknown era
    shapes = geo.provinces(era)
    known = {shape.code for shape in shapes}
    by_code: dict[str, MapRow] = {}
    for row in rows:
        if row.code not in known:
            raise ValueError(f"{row.code!r} is not a province of the {era!r} era")
        if row.code in by_code:
            raise ValueError(f"two rows for the province {row.code!r}")
        by_code[row.code] = row
    mapped = known if only is None else set(only)
    if not mapped <= known:
        raise ValueError(f"{sorted(mapped - known)} are not provinces of the {era!r} era")

    frame = (
        Frame(width=geo.width, height=geo.height)
        if only is None
        else zoom_frame([shape.bbox for shape in shapes if shape.code in mapped], geo.width, geo.height)
    )
    tip_right = frame.width - 10
    tip_y = 40.0
    provinces = []
    outside = tuple(shape.d for shape in shapes if shape.code not in mapped)
    widest_tip = 0.0
    for shape in shapes:
        if shape.code not in mapped:
            continue
        row = by_code.get(shape.code, MapRow(code=shape.code, value=None))
        colour_class = scale.classify(row.value)
        lines = row.lines or (_("No data"),)
        tip_texts = (shape.name, *lines)
        widest_tip = max(widest_tip, *(_text_width(text, TIP_FONT) for text in tip_texts))
        provinces.append(
            MapProvince(
                code=shape.code,
                name=shape.name,
                d=shape.d,
                colour_class=colour_class,
                value=row.value,
                title=f"{shape.name}: {'; '.join(lines)}",
                url=row.url,
                label=row.label,
                show_label=label_fits(row.label, shape.label_room * frame.k),
                label_x=frame.x(shape.label_x),
                # The baseline: the text's middle on the point.
                label_y=round(frame.y(shape.label_y) + LABEL_FONT * 0.35, 1),
                tip=tuple(
                    TipLine(text=text, y=round(tip_y + 20 + index * TIP_LINE, 1))
                    for index, text in enumerate(tip_texts)
                ),
                tip_height=round(12 + TIP_LINE * len(tip_texts), 1),
            )
        )
    tip_width = round(min(widest_tip + 20, tip_right - 300), 1)

    counts = {colour_class.key: 0 for colour_class in (*scale.classes, NO_DATA)}
    for province in provinces:
        counts[province.colour_class.key] += 1
    legend = tuple(
        LegendEntry(colour_class=colour_class, text=legend_text(colour_class), count=counts[colour_class.key])
        for colour_class in (*scale.classes, NO_DATA)
    )

    names = {shape.code: shape.name for shape in geo.provinces(geometry.OLD)}
    archipelagos = []
    for item in geo.archipelagos:
        centre_x, centre_y = (item.bbox[0] + item.bbox[2]) / 2, (item.bbox[1] + item.bbox[3]) / 2
        if not frame.contains(centre_x, centre_y):
            continue  # a zoomed region far from it: the archipelago is out of the frame
        minx, miny, maxx = frame.x(item.bbox[0]), frame.y(item.bbox[1]), frame.x(item.bbox[2])
        if item.key == "hoang_sa":
            text = _("Hoàng Sa archipelago (%(province)s)") % {"province": names[item.province]}
            centre = round((minx + maxx) / 2, 1)
            archipelagos.append(PlaceLabel(key=item.key, text=text, x=centre, y=round(miny - 8, 1), anchor="middle"))
        else:
            text = _("Trường Sa archipelago (%(province)s)") % {"province": names[item.province]}
            archipelagos.append(PlaceLabel(key=item.key, text=text, x=maxx, y=round(miny - 8, 1), anchor="end"))

    place_names = {
        "china": _("China"),
        "laos": _("Laos"),
        "cambodia": _("Cambodia"),
        "thailand": _("Thailand"),
        "east_sea": _("East Sea"),
    }
    # A zoomed region keeps the names of the neighbours and the sea that fall inside its frame.
    places = tuple(
        PlaceLabel(key=key, text=text, x=frame.x(geo.places[key][0]), y=frame.y(geo.places[key][1]))
        for key, text in place_names.items()
        if key in geo.places and frame.contains(*geo.places[key], margin=30)
    )
    return ChoroplethMap(
        dom_id=dom_id,
        era=era,
        era_label=label,
        title=title or measure,
        measure=measure,
        divides=divides,
        width=frame.width,
        height=frame.height,
        frame=frame,
        scale=scale,
        provinces=tuple(provinces),
        outside=outside,
        legend=legend,
        outline=geo.outline,
        neighbours=geo.neighbours,
        places=places,
        archipelagos=tuple(archipelagos),
        era_x=tip_right,
        era_y=26.0,
        tip_x=round(tip_right - tip_width, 1),
        tip_y=tip_y,
        tip_width=tip_width,
        attribution=_(
            "Illustrative map: boundaries simplified from Natural Earth (public domain), not a reference "
            "for administrative boundaries."
        ),
    )
