"""Template filters of the report pages: the page's language decides the separators and units."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from reports.templatetags import report_format as fmt


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", ["123,37 tỷ đồng", "123,37", "850,5 triệu đồng", "1.250.000.000 đ", "97,02 %", "1.724"]),
        ("en", ["123.37 billion VND", "123.37", "850.5 million VND", "1,250,000,000 VND", "97.02%", "1,724"]),
    ],
)
def test_amounts_percentages_and_counts_follow_the_language(lang, expected):
    with translation.override(lang):
        assert [
            fmt.billion_vnd(Decimal("123365000000")),
            fmt.billions(Decimal("123365000000")),
            fmt.million_vnd(Decimal("850450000")),
            fmt.vnd(Decimal("1250000000")),
            fmt.pct(Decimal("97.015")),
            fmt.digits(1724),
        ] == expected


@pytest.mark.parametrize(("lang", "text"), [("vi", "chưa có số liệu"), ("en", "no data")])
def test_a_figure_with_no_record_behind_it_says_so_never_zero(lang, text):
    with translation.override(lang):
        assert fmt.pct(None) == text
        assert fmt.billion_vnd(None) == text
        assert fmt.billions(None) == text
        assert fmt.million_vnd(None) == text
        assert fmt.vnd(None) == text
        assert fmt.digits(None) == text


def test_negative_percentages_keep_their_sign():
    with translation.override("vi"):
        assert fmt.pct(Decimal("-2.1789")) == "-2,18 %"
    with translation.override("en"):
        assert fmt.pct(Decimal("-2.1789")) == "-2.18%"


def test_axis_labels_have_no_needless_decimals():
    with translation.override("vi"):
        assert [fmt.axis_pct(value) for value in (0.0, 50.0, 100.0)] == ["0 %", "50 %", "100 %"]
        assert [fmt.axis_billions(value) for value in (0.0, 50e9, 2.5e9, 0.25e9)] == ["0", "50", "2,5", "0,25"]
        assert fmt.axis_count(1500.0) == "1.500"
    with translation.override("en"):
        assert fmt.axis_pct(50.0) == "50%"
        assert fmt.axis_billions(2.5e9) == "2.5"
        assert fmt.axis_count(1500.0) == "1,500"


def test_in_language_prefers_the_english_field_in_english_only_when_filled():
    indicator = SimpleNamespace(
        name="Lao động được đào tạo nghề", name_en="Trained workers", unit="lao động", unit_en=""
    )
    with translation.override("vi"):
        assert fmt.in_language(indicator) == "Lao động được đào tạo nghề"
    with translation.override("en"):
        assert fmt.in_language(indicator) == "Trained workers"
        assert fmt.in_language(indicator, "unit") == "lao động"


def test_direction_of_a_change():
    assert [fmt.direction(value) for value in (Decimal("1.8"), Decimal("-2"), Decimal(0), None)] == [
        "up",
        "down",
        "flat",
        "none",
    ]


def test_filters_are_usable_in_templates():
    template = Template("{% load report_format %}{{ plan|billion_vnd }} · {{ share|pct }} · {{ missing|pct }}")
    with translation.override("vi"):
        text = template.render(Context({"plan": Decimal("65470000000"), "share": Decimal("28.3542"), "missing": None}))
    assert text == "65,47 tỷ đồng · 28,35 % · chưa có số liệu"
