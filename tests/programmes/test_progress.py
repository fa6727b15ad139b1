from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from programmes.rules.progress import completion_pct, difference, growth_pct, round_pct, share_pct, total

amounts = st.integers(min_value=0, max_value=10**15).map(Decimal)
positive = st.integers(min_value=1, max_value=10**15).map(Decimal)


class CompletionTests(SimpleTestCase):
    def test_completion_is_none_when_nothing_was_planned(self):
        self.assertIsNone(completion_pct(Decimal(5), Decimal(0)))
        self.assertIsNone(completion_pct(0, 0))

    def test_completion_may_exceed_one_hundred(self):
        self.assertEqual(completion_pct(150, 100), Decimal(150))

    def test_southern_example_rounds_to_the_reported_figure(self):
        self.assertEqual(round_pct(completion_pct(331, 1724)), Decimal("19.20"))

    def test_growth_is_none_without_a_previous_plan_and_signed_otherwise(self):
        self.assertIsNone(growth_pct(10, 0))
        self.assertEqual(round_pct(growth_pct(Decimal(28_640), Decimal(29_278))), Decimal("-2.18"))
        self.assertEqual(round_pct(growth_pct(Decimal(36_830), Decimal(35_016))), Decimal("5.18"))

    def test_share_is_none_when_the_nation_has_nothing(self):
        self.assertIsNone(share_pct(0, 0))
        self.assertEqual(share_pct(1, 4), Decimal(25))

    def test_no_data_is_not_zero_every_ratio_of_a_missing_figure_is_none(self):
        self.assertIsNone(completion_pct(None, 100))
        self.assertIsNone(completion_pct(100, None))
        self.assertIsNone(growth_pct(None, 100))
        self.assertIsNone(growth_pct(100, None))
        self.assertIsNone(share_pct(None, 100))
        self.assertEqual(completion_pct(0, 100), Decimal(0))  # nothing disbursed yet is a real 0 %

    def test_total_adds_the_known_values_and_is_none_only_when_none_is_known(self):
        self.assertIsNone(total([None, None]))
        self.assertIsNone(total([]))
        self.assertEqual(total([None, Decimal(5), 0]), Decimal(5))
        self.assertEqual(total([0, 0]), Decimal(0))

    def test_difference_of_a_live_figure_and_an_approved_one(self):
        self.assertEqual(difference(Decimal(120), Decimal(100)), Decimal(20))
        self.assertIsNone(difference(None, 100))
        self.assertIsNone(difference(100, None))

    def test_rounding_is_half_up_not_bankers(self):
        self.assertEqual(round_pct(Decimal("97.015")), Decimal("97.02"))
        self.assertEqual(round_pct(Decimal("97.025")), Decimal("97.03"))
        self.assertEqual(round_pct(Decimal("-2.185")), Decimal("-2.19"))
        self.assertIsNone(round_pct(None))


@given(st.lists(st.tuples(amounts, positive), min_size=1, max_size=30))
def test_roll_ups_are_ratios_of_sums_not_averages_of_percentages(rows):
    total_actual = sum(actual for actual, _plan in rows)
    total_plan = sum(plan for _actual, plan in rows)
    assert completion_pct(total_actual, total_plan) == total_actual * 100 / total_plan


@given(amounts, positive)
def test_completion_is_exact_before_rounding(actual, plan):
    value = completion_pct(actual, plan)
    assert value is not None
    assert abs(value * plan / 100 - actual) <= Decimal("1e-10") * max(actual, 1)


@given(st.decimals(min_value=-1000, max_value=1000, places=3))
def test_rounding_moves_by_at_most_half_a_cent_and_halves_go_up(value):
    rounded = round_pct(value)
    assert abs(rounded - value) <= Decimal("0.005")
    if abs(value * 1000) % 10 == 5:
        assert abs(rounded) > abs(value)
