"""The province map: its data file (reports/maps/provinces.json), the classes and colours of the
choropleth (reports/maps/choropleth.py), the SVG of templates/reports/_map.html, and the rows
taken from a dashboard summary (reports/maps/rows.py)."""

import csv
import datetime
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from programmes import services
from programmes.models import FundingSource
from programmes.selectors import ProvinceMap, Scope, summary
from reports.maps import choropleth as ch
from reports.maps import geometry
from reports.maps.rows import map_rows_from_summary, summary_era
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "programmes" / "fixtures"
SVG = "{http://www.w3.org/2000/svg}"
D = Decimal


def fixture(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


OLD_CODES = {row["code"] for row in fixture("provinces_63.csv")}
NEW_ROWS = fixture("provinces_34.csv")

NUMBER = r"-?(?:\d+\.?\d*|\.\d+)"
TOKEN = re.compile(rf"[Mlz]|{NUMBER}")
RING = re.compile(rf"M{NUMBER}\s?{NUMBER}l(?:\s?{NUMBER}){{4,}}z")


def rings(d: str) -> list[list[tuple[int, int]]]:
    """The rings of a path written by the build script, as absolute points in tenths of a unit.

    Fails (assert) on anything but `M x y l dx dy … z` repeated: the only commands it writes."""
    assert re.fullmatch(rf"(?:{RING.pattern})+", d), d[:80]
    result = []
    for ring in RING.findall(d):
        numbers = [round(float(token) * 10) for token in TOKEN.findall(ring) if token not in "Mlz"]
        assert len(numbers) % 2 == 0 and len(numbers) >= 6
        x, y = numbers[0], numbers[1]
        points = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        result.append(points)
    return result


def bbox(points) -> tuple[int, int, int, int]:
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def points_of(d: str) -> list[tuple[int, int]]:
    return [point for ring in rings(d) for point in ring]


def render(chart: ch.ChoroplethMap) -> str:
    return render_to_string("reports/_map.html", {"m": chart})


def svg_of(html: str) -> ET.Element:
    """The map's <svg> parsed as XML (it must be well-formed on its own)."""
    match = re.search(r"<svg class=\"map\".*?</svg>", html, re.S)
    assert match, "no map svg"
    return ET.fromstring(match.group(0))


def completion_rows(era: str) -> list[ch.MapRow]:
    """Every province of `era` at 80 %, with a page."""
    return [
        ch.MapRow(code=shape.code, value=D(80), label="80 %", lines=("Hoàn thành: 80,00 %",), url="/p/")
        for shape in geometry.load().provinces(era)
    ]


def chart(rows, era=geometry.OLD, **options) -> ch.ChoroplethMap:
    return ch.choropleth(rows, era=era, measure="Hoàn thành kế hoạch", divides="Giải ngân so với kế hoạch", **options)


# The data file ------------------------------------------------------------------------------


def test_the_data_file_has_exactly_the_63_old_and_34_new_provinces():
    geo = geometry.load()
    assert {shape.code for shape in geo.provinces(geometry.OLD)} == OLD_CODES
    assert len(geo.provinces(geometry.OLD)) == 63
    assert {shape.code for shape in geo.provinces(geometry.NEW)} == {row["code"] for row in NEW_ROWS}
    assert len(geo.provinces(geometry.NEW)) == 34
    names = {row["code"]: row["name"] for row in NEW_ROWS}
    assert all(shape.name == names[shape.code] for shape in geo.provinces(geometry.NEW))


def test_the_data_file_is_small_and_says_where_it_comes_from():
    assert geometry.DATA_FILE.stat().st_size < 150 * 1024
    raw = json.loads(geometry.DATA_FILE.read_text(encoding="utf-8"))
    assert "Natural Earth" in raw["source"]["name"]
    assert "ublic domain" in raw["source"]["licence"]
    assert raw["source"]["attribution"]
    assert re.fullmatch(r"[0-9a-f]{64}", raw["source"]["sha256"])
    readme = (geometry.DATA_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in readme and "public domain" in readme and "build_province_map.py" in readme


def test_every_path_is_well_formed_and_inside_the_viewbox():
    geo = geometry.load()
    paths = [shape.d for era in geometry.ERAS for shape in geo.provinces(era)]
    paths += [geo.outline, *(n.d for n in geo.neighbours)]
    for d in paths:
        for ring in rings(d):
            assert len(ring) >= 3
            x0, y0, x1, y1 = bbox(ring)
            assert x0 >= 0 and y0 >= 0 and x1 <= geo.width * 10 and y1 <= geo.height * 10


def test_the_stored_bounding_boxes_and_label_points_match_the_paths():
    for era in geometry.ERAS:
        for shape in geometry.load().provinces(era):
            assert tuple(v / 10 for v in bbox(points_of(shape.d))) == pytest.approx(shape.bbox)
            x0, y0, x1, y1 = shape.bbox
            assert x0 <= shape.label_x <= x1 and y0 <= shape.label_y <= y1
            assert shape.label_room > 0


@pytest.mark.parametrize("row", NEW_ROWS, ids=lambda row: row["code"])
def test_a_new_province_is_the_union_of_its_predecessors(row):
    geo = geometry.load()
    old = {shape.code: shape for shape in geo.provinces(geometry.OLD)}
    new = {shape.code: shape for shape in geo.provinces(geometry.NEW)}[row["code"]]
    predecessors = [old[code] for code in row["formed_from"].split()]
    union = [point for shape in predecessors for point in points_of(shape.d)]
    assert bbox(points_of(new.d)) == bbox(union)
    # Dissolving only removes the inner borders: every corner of the new shape is a corner of
    # a predecessor, so both eras draw exactly the same outline.
    assert set(points_of(new.d)) <= set(union)
    if len(predecessors) == 1:
        assert new.d == predecessors[0].d


def test_both_eras_cover_the_same_territory():
    geo = geometry.load()
    for era in geometry.ERAS:
        every = [point for shape in geo.provinces(era) for point in points_of(shape.d)]
        assert bbox(every) == bbox(points_of(geo.outline))


@pytest.mark.parametrize(("key", "code"), [("hoang_sa", "48"), ("truong_sa", "56")])
def test_the_archipelagos_are_drawn_as_part_of_da_nang_and_khanh_hoa_in_both_eras(key, code):
    geo = geometry.load()
    archipelago = next(item for item in geo.archipelagos if item.key == key)
    assert archipelago.province == code
    x0, y0, x1, y1 = (round(v * 10) for v in archipelago.bbox)
    for era in geometry.ERAS:
        holders = {
            shape.code
            for shape in geo.provinces(era)
            if any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points_of(shape.d))
        }
        assert holders == {code}, era


# Classes and colours --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (D("-12"), "seq-0"),
        (D(0), "seq-0"),
        (D("49.99"), "seq-0"),
        (D("49.994"), "seq-0"),
        (D("49.995"), "seq-1"),  # shown as 50,00 %: coloured as 50 %
        (D(50), "seq-1"),
        (D("74.99"), "seq-1"),
        (D(75), "seq-2"),
        (D("89.99"), "seq-2"),
        (D(90), "seq-3"),
        (D("99.99"), "seq-3"),
        (D("99.995"), "seq-4"),
        (D(100), "seq-4"),
        (D(250), "seq-4"),
        (None, "none"),
    ],
)
def test_completion_classes_include_their_lower_bound(value, key):
    assert ch.COMPLETION.classify(value).key == key


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (D("-100"), "div-0"),
        (D("-20.01"), "div-0"),
        (D(-20), "div-1"),
        (D("-5.01"), "div-1"),
        (D(-5), "div-2"),
        (D(0), "div-2"),
        (D("4.99"), "div-2"),
        (D(5), "div-3"),
        (D("19.99"), "div-3"),
        (D(20), "div-4"),
        (D(300), "div-4"),
        (None, "none"),
    ],
)
def test_growth_classes_diverge_around_zero(value, key):
    assert ch.GROWTH.classify(value).key == key


def test_colours_are_the_fixed_palettes_and_zero_is_not_no_data():
    assert [c.colour for c in ch.COMPLETION.classes] == ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
    assert [c.colour for c in ch.GROWTH.classes] == ["#e66101", "#fdb863", "#f2f0f7", "#b2abd2", "#5e3c99"]
    colours = {c.colour for c in (*ch.COMPLETION.classes, *ch.GROWTH.classes)}
    assert ch.NO_DATA.colour not in colours
    assert ch.COMPLETION.classify(D(0)) != ch.NO_DATA


def test_a_scale_needs_one_colour_more_than_bounds():
    with pytest.raises(ValueError):
        ch.Scale(name="sequential", bounds=(D(1), D(2)), colours=("#000", "#111"))
    with pytest.raises(ValueError):
        ch.Scale(name="sequential", bounds=(D(2), D(1)), colours=("#000", "#111", "#222"))


def test_the_legend_says_what_each_class_covers_and_counts_provinces():
    rows = [ch.MapRow(code="01", value=D(40)), ch.MapRow(code="79", value=D(100)), ch.MapRow(code="48", value=None)]
    result = chart(rows)
    assert [(e.text, e.count) for e in result.legend] == [
        ("dưới 50 %", 1),
        ("từ 50 % đến dưới 75 %", 0),
        ("từ 75 % đến dưới 90 %", 0),
        ("từ 90 % đến dưới 100 %", 0),
        ("từ 100 % trở lên", 1),
        ("Chưa có số liệu", 61),  # 48 has no value; the 60 provinces without a row neither
    ]
    with translation.override("en"):
        english = chart(rows, scale=ch.GROWTH)
    assert [e.text for e in english.legend] == [
        "under -20%",
        "-20% to under -5%",
        "-5% to under 5%",
        "5% to under 20%",
        "20% or more",
        "No data",
    ]


def test_the_measure_and_what_it_divides_are_in_the_legend():
    html = render(chart([ch.MapRow(code="01", value=D(40))]))
    legend = html[html.index('class="map-legend"') :]
    assert "Hoàn thành kế hoạch" in legend and "Giải ngân so với kế hoạch" in legend


# The era ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "era"),
    [
        (datetime.date(2024, 12, 31), "old"),
        (datetime.date(2025, 6, 30), "old"),
        (datetime.date(2025, 7, 1), "new"),
        (datetime.date(2025, 12, 31), "new"),
        (datetime.date(2026, 3, 31), "new"),
    ],
)
def test_the_era_follows_the_cut_off(as_of, era):
    assert ch.era_for(as_of) == era


def test_the_era_is_named_on_the_map():
    old = svg_of(render(chart(completion_rows(geometry.OLD))))
    new = svg_of(render(chart(completion_rows(geometry.NEW), era=geometry.NEW)))
    era_text = f"{SVG}text[@class='map-era']"
    assert old.find(era_text).text == "63 tỉnh, thành phố trước 01/07/2025"
    assert new.find(era_text).text == "34 tỉnh, thành phố từ 01/07/2025"
    assert "trước 01/07/2025" in old.find(f"{SVG}title").text
    with pytest.raises(ValueError):
        chart([], era="2020")


# The SVG ----------------------------------------------------------------------------------


@pytest.mark.parametrize("era", geometry.ERAS)
def test_the_svg_is_valid_with_a_link_and_a_title_per_province(era):
    shapes = geometry.load().provinces(era)
    root = svg_of(render(chart(completion_rows(era), era=era)))
    links = root.findall(f".//{SVG}g[@class='map-provinces']/{SVG}a")
    assert len(links) == len(shapes)
    for link, shape in zip(links, shapes, strict=True):
        assert link.get("href") == "/p/"
        assert link.find(f"{SVG}title").text == f"{shape.name}: Hoàn thành: 80,00 %"
        assert link.find(f"{SVG}path").get("fill") == "#41b6c4"
        assert link.find(f"{SVG}path").get("d") == shape.d
        tip = link.find(f"{SVG}g[@class='map-tip']")
        assert tip.get("aria-hidden") == "true"
        assert [t.text for t in tip.findall(f"{SVG}text")] == [shape.name, "Hoàn thành: 80,00 %"]
    assert root.get("role") == "group" and root.get("aria-labelledby") == "province-map-title"


def test_a_province_without_a_page_or_figures_is_still_focusable_and_named():
    rows = [ch.MapRow(code="01", value=D(95), lines=("Hoàn thành: 95,00 %",), url=None)]
    root = svg_of(render(chart(rows, dom_id="m2")))
    groups = root.findall(f".//{SVG}g[@class='map-provinces']/{SVG}g")
    assert len(groups) == 63 and not root.findall(f".//{SVG}g[@class='map-provinces']/{SVG}a")
    hanoi = groups[0]
    assert hanoi.get("tabindex") == "0" and hanoi.get("role") == "img"
    assert hanoi.get("aria-label") == "Hà Nội: Hoàn thành: 95,00 %"
    assert "map-seq-3" in hanoi.get("class")
    ha_giang = groups[1]
    assert ha_giang.get("aria-label") == "Hà Giang: Chưa có số liệu"
    assert ha_giang.find(f"{SVG}path").get("fill") == "url(#m2-hatch)"
    assert root.find(f".//{SVG}pattern").get("id") == "m2-hatch"


def test_text_is_escaped():
    rows = [ch.MapRow(code="01", value=D(50), lines=('a < b & "c"',), url="/p/?a=1&b=2")]
    root = svg_of(render(chart(rows)))
    link = root.find(f".//{SVG}a")
    assert link.get("href") == "/p/?a=1&b=2"
    assert link.find(f"{SVG}title").text == 'Hà Nội: a < b & "c"'


def test_value_labels_are_written_only_where_they_fit():
    assert ch.label_fits("80 %", 20)
    assert not ch.label_fits("80 %", 5)
    assert not ch.label_fits("", 100)
    shapes = {shape.code: shape for shape in geometry.load().provinces(geometry.OLD)}
    result = chart(completion_rows(geometry.OLD))
    shown = {p.code for p in result.provinces if p.show_label}
    assert shown == {code for code, shape in shapes.items() if ch.label_fits("80 %", shape.label_room)}
    assert 0 < len(shown) < 63
    labels = svg_of(render(result)).findall(f".//{SVG}g[@class='map-labels']/{SVG}text")
    assert len(labels) == len(shown) and {t.text for t in labels} == {"80 %"}


def test_the_archipelagos_are_named_with_their_province():
    texts = [t.text for t in svg_of(render(chart([]))).findall(f".//{SVG}text[@class='map-archipelago']")]
    assert texts == ["Quần đảo Hoàng Sa (Đà Nẵng)", "Quần đảo Trường Sa (Khánh Hòa)"]


def test_only_maps_the_given_provinces_and_grounds_the_others():
    south = ["79", "74", "77"]
    rows = [ch.MapRow(code=code, value=D(60), url="/p/") for code in south]
    result = chart(rows, only=south)
    assert [p.code for p in result.provinces] == sorted(south)
    assert len(result.outside) == 60
    assert sum(entry.count for entry in result.legend) == 3
    root = svg_of(render(result))
    assert len(root.findall(f".//{SVG}g[@class='map-outside']/{SVG}path")) == 60
    assert root.find(f".//{SVG}g[@class='map-outside']").get("aria-hidden") == "true"
    with pytest.raises(ValueError):
        chart(rows, only=["99"])


def region_codes(era: str, region: str) -> list[str]:
    rows = fixture("provinces_63.csv") if era == geometry.OLD else NEW_ROWS
    return sorted(row["code"] for row in rows if row["khuyen_cong_region"] == region)


@pytest.mark.parametrize("era", geometry.ERAS)
@pytest.mark.parametrize("region", ["north", "central_highlands", "south"])
def test_a_region_is_zoomed_so_that_its_provinces_fill_the_frame(era, region):
    codes = region_codes(era, region)
    result = chart([ch.MapRow(code=code, value=D(80), url="/p/") for code in codes], era=era, only=codes)
    frame = result.frame
    geo = geometry.load()
    assert frame.zoomed and frame.k > 1 and result.width == geo.width and result.height <= geo.height
    # Independently of the stored boxes: every corner of the region's paths, placed by the
    # frame, is inside the viewBox, and the region spans at least 85 % of one side of it.
    points = [point for p in result.provinces for point in points_of(p.d)]
    xs = [frame.dx + frame.k * x / 10 for x, _y in points]
    ys = [frame.dy + frame.k * y / 10 for _x, y in points]
    assert min(xs) >= 0 and max(xs) <= result.width and min(ys) >= 0 and max(ys) <= result.height
    assert max((max(xs) - min(xs)) / result.width, (max(ys) - min(ys)) / result.height) >= 0.85
    root = svg_of(render(result))
    assert root.get("viewBox") == f"0 0 {result.width} {result.height}"
    paths = root.findall(f".//{SVG}g[@class='map-provinces']/{SVG}a/{SVG}path")
    assert len(paths) == len(codes) and {path.get("transform") for path in paths} == {frame.transform}
    assert {path.get("transform") for path in root.findall(f".//{SVG}g[@class='map-outside']/{SVG}path")} == {
        frame.transform
    }
    # Text is placed in the frame itself, not scaled with the geometry.
    for text in root.iter(f"{SVG}text"):
        if text.get("x") is not None and text.find("..") is None:
            assert 0 <= float(text.get("x")) <= result.width
    for label in result.provinces:
        if label.show_label:
            assert 0 <= label.label_x <= result.width and 0 <= label.label_y <= result.height


def test_the_whole_country_is_not_zoomed():
    result = chart(completion_rows(geometry.OLD))
    assert not result.frame.zoomed and result.frame.transform == ""
    assert (result.width, result.height) == (geometry.load().width, geometry.load().height)
    root = svg_of(render(result))
    assert not [path for path in root.iter(f"{SVG}path") if path.get("transform")]
    assert [p.key for p in result.places] == ["china", "laos", "cambodia", "thailand", "east_sea"]


def test_a_zoomed_region_names_only_what_its_frame_shows():
    north = region_codes(geometry.NEW, "north")
    result = chart([], era=geometry.NEW, only=north)
    # The national map's names of Cambodia, Thailand, the sea and both archipelagos fall
    # outside the north's frame: they are left out rather than drawn beyond it.
    assert not {p.key for p in result.places} & {"cambodia", "thailand", "east_sea"}
    assert result.archipelagos == ()
    central = chart([], era=geometry.NEW, only=region_codes(geometry.NEW, "central_highlands"))
    assert "east_sea" in {p.key for p in central.places}
    for place in (*result.places, *central.places):
        assert place.x >= 0 and place.y >= 0  # inside the frame it was chosen for
    assert [a.key for a in central.archipelagos] == ["hoang_sa", "truong_sa"]  # Đà Nẵng and Khánh Hòa
    for item in central.archipelagos:
        assert 0 <= item.x <= central.width and 0 <= item.y <= central.height


def test_a_zoom_frame_keeps_room_for_a_wide_region():
    frame = ch.zoom_frame([(0.0, 0.0, 100.0, 10.0)], 600.0, 700.0)
    assert frame.height == ch.MIN_ZOOM_HEIGHT and frame.width == 600
    assert frame.x(50) == 300 and frame.y(5) == round(ch.MIN_ZOOM_HEIGHT / 2, 1)
    assert ch.zoom_frame([], 600.0, 700.0) == ch.Frame(width=600.0, height=700.0)


def test_the_figures_are_in_a_table_under_the_map():
    rows = [
        ch.MapRow(code="01", value=D(95), lines=("Hoàn thành: 95,00 %", "Kế hoạch: 1,00 tỷ đồng"), url="/p/01/"),
        ch.MapRow(code="79", value=None, lines=("Hoàn thành: Chưa có số liệu",), url=None),
    ]
    html = render(chart(rows, only=["01", "79"]))
    table = html[html.index('<details class="map-table"') : html.index("</details>")]
    assert "Số liệu trên bản đồ của 2 tỉnh, thành phố" in table
    body = ET.fromstring(table[table.index("<tbody>") : table.index("</tbody>") + len("</tbody>")])
    cells = [
        (
            "".join(row.find("th").itertext()).strip(),
            row.find("th/a").get("href") if row.find("th/a") is not None else None,
            [span.text for span in row.findall("td/span")],
        )
        for row in body.findall("tr")
    ]
    assert cells == [
        ("Hà Nội", "/p/01/", ["Hoàn thành: 95,00 %", "Kế hoạch: 1,00 tỷ đồng"]),
        ("Thành phố Hồ Chí Minh", None, ["Hoàn thành: Chưa có số liệu"]),
    ]


def test_bad_rows_are_refused():
    with pytest.raises(ValueError, match="not a province"):
        chart([ch.MapRow(code="02", value=D(1))], era=geometry.NEW)  # Hà Giang is in Tuyên Quang since 2025
    with pytest.raises(ValueError, match="two rows"):
        chart([ch.MapRow(code="01", value=D(1)), ch.MapRow(code="01", value=D(2))])


def test_the_stylesheet_is_linked_and_uses_no_inline_style():
    html = render(chart(completion_rows(geometry.OLD)))
    assert 'href="/static/css/map.css"' in html
    assert "style=" not in html and "<style" not in html and "<script" not in html


# From a dashboard summary -------------------------------------------------------------------


class SummaryRowsTests(TestCase):
    """`map_rows_from_summary` on real summaries: both eras, 2025 included."""

    @classmethod
    def setUpTestData(cls):
        cls.hanoi = factories.province("01")
        cls.binh_duong = factories.province("74")
        cls.hcmc_old = factories.province("79")
        cls.hcmc = factories.province("79", new_era=True)
        factories.budget_plan(cls.hanoi, 2024, 1_000_000_000)
        factories.budget_plan(cls.binh_duong, 2024, 1_600_000_000, fund=FundingSource.KCDP)
        cls.spend(factories.project(cls.hanoi, 2024), datetime.date(2024, 5, 1), 450_000_000)
        # 2025: Bình Dương and the old city until June, the new city (both merged in) after.
        factories.budget_plan(cls.binh_duong, 2025, 400_000_000)
        factories.budget_plan(cls.hcmc_old, 2025, 600_000_000)
        factories.budget_plan(cls.hcmc, 2025, 1_000_000_000, approved_on=datetime.date(2025, 7, 15))
        cls.spend(factories.project(cls.binh_duong, 2025), datetime.date(2025, 5, 1), 300_000_000)
        cls.spend(
            factories.project(cls.hcmc, 2025, status_date=datetime.date(2025, 7, 20)),
            datetime.date(2025, 9, 1),
            500_000_000,
        )
        cls.provinces = ProvinceMap.load()

    @staticmethod
    def spend(project, day, amount):
        services.disbursement_create(project=project, date=day, amount_vnd=D(amount))

    def result(self, year, as_of=None, scope=None):
        return summary(year=year, as_of=as_of, scope=scope, provinces=self.provinces)

    def test_2024_maps_the_63_provinces_by_completion(self):
        result = self.result(2024)
        with self.assertNumQueries(0):  # reads the summary's rows only; reverse() needs no query
            rows = map_rows_from_summary(result, "completion")
            html = render(chart(rows))
        self.assertEqual(len(rows), 63)
        hanoi = next(row for row in rows if row.code == "01")
        self.assertEqual(hanoi.value, D(45))
        self.assertEqual(hanoi.label, "45 %")
        self.assertEqual(
            hanoi.lines,
            ("Tỷ lệ hoàn thành: 45,00 %", "Kế hoạch sau điều chỉnh: 1,00 tỷ đồng", "Đã giải ngân: 0,45 tỷ đồng"),
        )
        self.assertEqual(hanoi.url, reverse("reports:province", kwargs={"province_id": self.hanoi.pk}))
        self.assertTrue(all(row.value is None for row in rows if row.code != "01"))  # nothing planned: no data
        root = svg_of(html)
        link = root.find(f".//{SVG}a[@href='{hanoi.url}']")
        self.assertEqual(link.find(f"{SVG}path").get("fill"), ch.COMPLETION.classify(D(45)).colour)

    def test_2025_after_the_merger_maps_the_34_provinces_by_territory(self):
        result = self.result(2025)  # cut at 31/12/2025
        self.assertEqual(ch.era_for(result.as_of), geometry.NEW)
        with self.assertNumQueries(0):
            rows = map_rows_from_summary(result)
        self.assertEqual({row.code for row in rows}, {row["code"] for row in NEW_ROWS})
        hcmc = next(row for row in rows if row.code == "79")
        # (300 + 500) million disbursed of (400 + 600 + 1000) million planned: the territory's year.
        self.assertEqual(hcmc.value, D(40))
        self.assertEqual(hcmc.url, reverse("reports:province", kwargs={"province_id": self.hcmc.pk}))
        self.assertIn("Kế hoạch sau điều chỉnh: 2,00 tỷ đồng", hcmc.lines)
        result_map = chart(rows, era=geometry.NEW)
        self.assertEqual(next(p for p in result_map.provinces if p.code == "79").colour_class.key, "seq-0")

    def test_2025_before_the_merger_maps_the_63_provinces(self):
        result = self.result(2025, as_of=datetime.date(2025, 6, 30))
        self.assertEqual(ch.era_for(result.as_of), geometry.OLD)
        rows = map_rows_from_summary(result)
        self.assertEqual({row.code for row in rows}, OLD_CODES)
        binh_duong = next(row for row in rows if row.code == "74")
        self.assertEqual(binh_duong.value, D(75))
        # The old city planned 600 million but had no project of 2025: nothing was due, no data.
        self.assertIsNone(next(row for row in rows if row.code == "79").value)
        chart(rows)  # every code is a province of the old era

    def test_a_region_maps_its_own_provinces(self):
        south = self.provinces.by_id[self.binh_duong.pk].region
        result = self.result(2025, scope=Scope(region=south))
        rows = map_rows_from_summary(result)
        codes = [row.code for row in rows]
        self.assertIn("79", codes)
        self.assertNotIn("01", codes)
        region_map = chart(rows, era=geometry.NEW, only=codes)
        self.assertEqual(len(region_map.provinces), len(codes))

    def test_a_measure_a_summary_cannot_give_is_refused(self):
        with self.assertRaisesMessage(ValueError, "cannot be mapped from a summary"):
            map_rows_from_summary(self.result(2024), "plan_share")

    def test_2025_plan_growth_is_the_territorys_first_approved_plans_against_2024(self):
        result = self.result(2025)
        with self.assertNumQueries(0):
            rows = {row.code: row for row in map_rows_from_summary(result, "growth")}
        self.assertEqual(len(rows), 34)
        # New TP HCM's territory: 400 + 600 + 1 000 million first approved in 2025 against old
        # Bình Dương's 1 600 million of 2024 (the old city had none): +25 %.
        self.assertEqual(rows["79"].value, D(25))
        self.assertEqual(rows["79"].lines[0], "Tăng trưởng kế hoạch giao đầu năm: 25,00 %")
        self.assertEqual(
            rows["79"].lines[1:],
            ("Kế hoạch giao đầu năm 2025: 2,00 tỷ đồng", "Kế hoạch giao đầu năm 2024: 1,60 tỷ đồng"),
        )
        self.assertIsNone(rows["01"].value)  # Hà Nội has no 2025 plan: no data, not −100 %
        self.assertEqual(rows["01"].lines[1], "Kế hoạch giao đầu năm 2025: Chưa có số liệu")
        growth_map = chart(list(rows.values()), era=geometry.NEW, scale=ch.GROWTH)
        by_code = {p.code: p for p in growth_map.provinces}
        self.assertEqual(by_code["79"].colour_class.key, "div-4")  # 20 % or more
        self.assertEqual(by_code["01"].colour_class, ch.NO_DATA)

    def test_2025_disbursement_against_contracted_support(self):
        rows = {row.code: row for row in map_rows_from_summary(self.result(2025), "rate")}
        # Two contracted (in progress) projects of 500 million on the territory, 800 million disbursed.
        self.assertEqual(rows["79"].value, D(80))
        self.assertIn("Kinh phí hỗ trợ của các đề án đã ký hợp đồng: 1,00 tỷ đồng", rows["79"].lines)
        self.assertEqual(ch.COMPLETION.classify(rows["79"].value).key, "seq-2")
        self.assertIsNone(rows["01"].value)  # nothing contracted: no data
        half = {row.code: row for row in map_rows_from_summary(self.result(2025, datetime.date(2025, 6, 30)), "rate")}
        self.assertEqual(len(half), 63)
        self.assertEqual(half["74"].value, D(60))  # Bình Dương's own 300 of 500 million, January–June

    def test_2026_maps_the_34_provinces_without_data_as_no_data(self):
        result = self.result(2026)
        self.assertEqual(summary_era(result), geometry.NEW)
        rows = map_rows_from_summary(result)
        self.assertEqual(len(rows), 34)
        self.assertTrue(all(row.value is None and row.label == "" for row in rows))
        root = svg_of(render(chart(rows, era=geometry.NEW)))
        fills = {path.get("fill") for path in root.findall(f".//{SVG}g[@class='map-provinces']//{SVG}path")}
        self.assertEqual(fills, {"url(#province-map-hatch)"})  # hatched, never the colour of 0
        self.assertNotIn(ch.COMPLETION.classify(D(0)).colour, fills)

    def test_the_era_of_a_january_cut_off_is_its_years(self):
        # A settlement cut-off in January of the next year lists the year's last provinces.
        result = self.result(2024, datetime.date(2025, 1, 22))
        self.assertEqual(summary_era(result), geometry.OLD)
        self.assertEqual(len(map_rows_from_summary(result)), 63)
