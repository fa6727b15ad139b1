from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from common.forms import CountFormField, WholeNumberFormField
from common.numbers import NumberFormatError, format_vnd, group_digits, parse_whole_number


class ParseWholeNumberTests(SimpleTestCase):
    def test_it_reads_vietnamese_thousands(self):
        self.assertEqual(parse_whole_number("1.250.000.000", "vi"), Decimal(1_250_000_000))

    def test_it_reads_plain_digits_spaces_and_units(self):
        for text in [
            "1250000000",
            "1 250 000 000",
            "1\u00a0250\u00a0000\u00a0000",
            "1.250.000.000 đ",
            "1.250.000.000đồng",
            "1.250.000.000 VND",
        ]:
            with self.subTest(text=text):
                self.assertEqual(parse_whole_number(text, "vi"), Decimal(1_250_000_000))

    def test_it_accepts_a_zero_fraction(self):
        self.assertEqual(parse_whole_number("1.250,00", "vi"), Decimal(1250))

    def test_it_reads_english_thousands(self):
        self.assertEqual(parse_whole_number("1,250,000,000", "en"), Decimal(1_250_000_000))
        self.assertEqual(parse_whole_number("1,250.00", "en"), Decimal(1250))

    def test_it_refuses_fractions(self):
        for text, lang in [("1,5", "vi"), ("1.250,5", "vi"), ("12.5", "en")]:
            with self.subTest(text=text), self.assertRaises(NumberFormatError) as caught:
                parse_whole_number(text, lang)
            self.assertEqual(caught.exception.code, "fraction")

    def test_it_refuses_negatives(self):
        with self.assertRaises(NumberFormatError) as caught:
            parse_whole_number("-5", "vi")
        self.assertEqual(caught.exception.code, "negative")

    def test_it_refuses_badly_grouped_or_non_numeric_text(self):
        # "1.5" in Vietnamese is not fifteen and not one and a half: it is ambiguous, so refused.
        for text in ["1.5", "1.25.000", "12abc", "abc", "1,2,3", "..", "1..000"]:
            with self.subTest(text=text), self.assertRaises(NumberFormatError) as caught:
                parse_whole_number(text, "vi")
            self.assertEqual(caught.exception.code, "invalid")

    def test_it_refuses_empty_text(self):
        with self.assertRaises(NumberFormatError) as caught:
            parse_whole_number("  ", "vi")
        self.assertEqual(caught.exception.code, "empty")


@given(st.integers(min_value=0, max_value=10**17))
def test_grouping_round_trips_in_both_languages(number):
    for lang in ("vi", "en"):
        assert parse_whole_number(group_digits(number, lang), lang) == number


def test_format_vnd_uses_the_languages_separator_and_unit():
    assert format_vnd(Decimal(1_250_000_000), "vi") == "1.250.000.000 đ"
    assert format_vnd(Decimal(1_250_000_000), "en") == "1,250,000,000 VND"
    assert format_vnd(None, "vi") == ""
    assert format_vnd(0, "vi") == "0 đ"


class WholeNumberFormFieldTests(SimpleTestCase):
    def test_money_cleans_to_decimal_and_counts_to_int(self):
        self.assertEqual(WholeNumberFormField().clean("1.250.000.000"), Decimal(1_250_000_000))
        self.assertEqual(CountFormField().clean("1.724"), 1724)

    def test_messages_are_vietnamese_by_default_and_english_when_switched(self):
        field = WholeNumberFormField()
        for lang, expected in [("vi", "Số tiền không được âm."), ("en", "The amount cannot be negative.")]:
            # Messages are lazy: read them while the language is still active.
            with translation.override(lang):
                with pytest.raises(ValidationError) as caught:
                    field.clean("-5")
                assert caught.value.messages == [expected]

    def test_it_refuses_absurd_sizes(self):
        with pytest.raises(ValidationError) as caught:
            WholeNumberFormField().clean("1" + "0" * 16)
        assert caught.value.code == "too_large"

    def test_the_widget_shows_grouped_digits_in_the_active_language(self):
        field = WholeNumberFormField()
        with translation.override("vi"):
            self.assertIn('value="1.250.000.000"', field.widget.render("x", Decimal(1_250_000_000)))
        with translation.override("en"):
            self.assertIn('value="1,250,000,000"', field.widget.render("x", Decimal(1_250_000_000)))


class DisplayFormatTests(SimpleTestCase):
    def test_billions_are_shown_in_ty_dong_with_a_decimal_comma(self):
        from common.numbers import format_billion_vnd, format_million_vnd

        self.assertEqual(format_billion_vnd(Decimal(123_365_000_000), "vi"), "123,37 tỷ đồng")
        self.assertEqual(format_billion_vnd(Decimal(123_365_000_000), "en"), "123.37 billion VND")
        self.assertEqual(format_billion_vnd(Decimal(1_234_567_000_000), "vi"), "1.234,57 tỷ đồng")
        self.assertEqual(format_million_vnd(Decimal(850_450_000), "vi"), "850,5 triệu đồng")
        self.assertEqual(format_billion_vnd(None, "vi"), "")

    def test_percentages_round_half_up_and_follow_the_language(self):
        from common.numbers import format_pct

        self.assertEqual(format_pct(Decimal("97.015"), "vi"), "97,02 %")
        self.assertEqual(format_pct(Decimal("97.015"), "en"), "97.02%")
        self.assertEqual(format_pct(Decimal("19.19953596"), "vi"), "19,20 %")
        self.assertEqual(format_pct(Decimal("-2.1791"), "vi"), "-2,18 %")
        self.assertEqual(format_pct(None, "vi"), "–")
        self.assertEqual(format_pct(Decimal("1234.5"), "vi"), "1.234,50 %")
