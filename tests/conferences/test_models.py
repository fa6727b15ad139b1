"""Conference records: the database constraints and the friendlier checks of clean()."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import SimpleTestCase, TestCase
from django.utils.translation import gettext

from conferences import services
from conferences.models import (
    Addressee,
    Conference,
    Recommendation,
    RecommendationStatus,
    agency_name_on,
)
from conferences.numerals import to_roman
from tests import factories

from . import helpers

D = datetime.date


class RomanNumeralTests(SimpleTestCase):
    def test_editions_are_written_in_roman_numerals(self):
        self.assertEqual(
            [to_roman(n) for n in (1, 4, 6, 7, 9, 12, 13, 14, 40, 1999)],
            ["I", "IV", "VI", "VII", "IX", "XII", "XIII", "XIV", "XL", "MCMXCIX"],
        )

    def test_there_is_no_roman_zero(self):
        with self.assertRaises(ValueError):
            to_roman(0)


class AgencyNameTests(SimpleTestCase):
    def test_the_agency_is_named_as_it_was_on_the_day(self):
        self.assertEqual(agency_name_on(D(2016, 7, 28)), "Cục Công nghiệp địa phương")
        self.assertEqual(agency_name_on(D(2017, 10, 5)), "Cục Công Thương địa phương")
        self.assertEqual(agency_name_on(D(2025, 10, 1)), "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công")


class ConferenceConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.south_7 = helpers.conference()

    def _insert(self, **fields) -> None:
        """Save bypassing clean(): only the database's constraints stand in the way."""
        values = {
            "region": self.south_7.region,
            "edition": 8,
            "year": 2017,
            "start_date": D(2017, 9, 21),
            "end_date": D(2017, 9, 21),
            "host_province": factories.province("79"),
            **fields,
        }
        with transaction.atomic():
            Conference.objects.create(**values)

    def test_the_title_gives_the_region_and_the_edition_in_roman_numerals(self):
        self.assertEqual(self.south_7.edition_roman, "VII")
        self.assertIn("VII", self.south_7.title)
        self.assertIn("phía Nam", self.south_7.title)

    def test_an_edition_number_is_unique_within_a_region(self):
        with self.assertRaises(IntegrityError):
            self._insert(edition=7)
        # Another region may have its own 7th conference.
        self._insert(edition=7, region=helpers.region("north"), host_province=factories.province("25"))

    def test_a_region_holds_one_conference_a_year(self):
        with self.assertRaises(IntegrityError):
            self._insert(year=2016, start_date=D(2016, 11, 3), end_date=D(2016, 11, 3))

    def test_the_form_check_names_the_clash_too(self):
        twin = Conference(
            region=self.south_7.region,
            edition=7,
            start_date=D(2017, 9, 21),
            end_date=D(2017, 9, 21),
            host_province=factories.province("79"),
        )
        with self.assertRaises(ValidationError) as caught:
            twin.full_clean()
        self.assertIn(gettext("This region already has a conference with this number."), str(caught.exception))

    def test_the_year_is_the_start_dates_year(self):
        with self.assertRaises(IntegrityError):
            self._insert(year=2018)

    def test_the_year_is_filled_in_from_the_start_date(self):
        item = Conference(
            region=self.south_7.region,
            edition=8,
            start_date=D(2017, 9, 21),
            end_date=D(2017, 9, 22),
            host_province=factories.province("79"),
        )
        services.conference_save(conference=item)
        self.assertEqual((item.year, item.organiser), (2017, "Cục Công Thương địa phương"))

    def test_a_conference_cannot_end_before_it_starts(self):
        with self.assertRaises(IntegrityError):
            self._insert(end_date=D(2017, 9, 20))

    def test_the_attendee_count_cannot_be_negative(self):
        with self.assertRaises(IntegrityError):
            self._insert(attendee_count=-1)

    def test_the_host_does_not_hand_the_flag_to_itself(self):
        with self.assertRaises(IntegrityError):
            self._insert(next_host_province=factories.province("79"))

    def test_the_host_must_be_in_force_on_the_conference_date(self):
        merged = factories.province("79", new_era=True)  # TP HCM from 01/07/2025
        item = Conference(
            region=self.south_7.region,
            edition=8,
            start_date=D(2017, 9, 21),
            end_date=D(2017, 9, 21),
            host_province=merged,
        )
        with self.assertRaises(ValidationError) as caught:
            item.full_clean()
        self.assertIn("host_province", caught.exception.message_dict)

    def test_the_host_and_the_next_host_are_provinces_of_the_region(self):
        item = Conference(
            region=self.south_7.region,
            edition=8,
            start_date=D(2017, 9, 21),
            end_date=D(2017, 9, 21),
            host_province=factories.province("25"),  # Phú Thọ, in the north
            next_host_province=factories.province("40"),
        )
        with self.assertRaises(ValidationError) as caught:
            item.full_clean()
        self.assertEqual(set(caught.exception.message_dict), {"host_province", "next_host_province"})

    def test_attending_provinces_must_be_in_force_on_the_date(self):
        item = Conference(
            region=self.south_7.region, edition=8, start_date=D(2017, 9, 21), end_date=D(2017, 9, 21),
            host_province=factories.province("79"),
        )  # fmt: skip
        with self.assertRaises(ValidationError) as caught:
            services.conference_save(conference=item, attending_provinces=[factories.province("79", new_era=True)])
        self.assertIn("attending_provinces", caught.exception.message_dict)
        self.assertFalse(Conference.objects.filter(edition=8).exists())

    def test_history_is_kept(self):
        self.south_7.attendee_count = 170
        services.conference_save(conference=self.south_7)
        self.assertEqual([row.attendee_count for row in self.south_7.history.order_by("history_date")], [150, 170])


class RecommendationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.conference = helpers.conference()

    def recommendation(self, **fields) -> Recommendation:
        values = {
            "conference": self.conference,
            "raised_by": "Sở Công Thương tỉnh An Giang",
            "addressed_to": Addressee.FINANCE,
            "text": "Chế độ thù lao cho cộng tác viên khuyến công",
            **fields,
        }
        return Recommendation(**values)

    def test_a_resolved_recommendation_needs_a_response_and_a_date_in_the_database(self):
        for fields in ({"response": "Đã xử lý"}, {"resolved_on": D(2016, 12, 1)}, {}):
            with self.subTest(fields=fields), self.assertRaises(IntegrityError), transaction.atomic():
                self.recommendation(status=RecommendationStatus.RESOLVED, **fields).save()

    def test_a_resolved_recommendation_needs_a_response_and_a_date_in_forms(self):
        with self.assertRaises(ValidationError) as caught:
            self.recommendation(status=RecommendationStatus.RESOLVED).full_clean()
        self.assertEqual(set(caught.exception.message_dict), {"response", "resolved_on"})

    def test_a_resolved_recommendation_with_both_is_saved(self):
        item = self.recommendation(
            status=RecommendationStatus.RESOLVED, response="Đã xử lý", resolved_on=D(2016, 12, 1)
        )
        item.full_clean()
        item.save()
        self.assertEqual(item.history.count(), 1)

    def test_an_open_recommendation_has_no_resolution_date(self):
        with self.assertRaises(ValidationError) as caught:
            self.recommendation(resolved_on=D(2016, 12, 1)).full_clean()
        self.assertIn("resolved_on", caught.exception.message_dict)

    def test_it_cannot_be_resolved_before_the_conference(self):
        item = self.recommendation(status=RecommendationStatus.RESOLVED, response="Đã xử lý", resolved_on=D(2016, 1, 1))
        with self.assertRaises(ValidationError) as caught:
            item.full_clean()
        self.assertIn("resolved_on", caught.exception.message_dict)

    def test_other_addressees_are_named(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.recommendation(addressed_to=Addressee.OTHER).save()
        item = self.recommendation(
            addressed_to=Addressee.OTHER, addressed_to_other="Bộ Lao động – Thương binh và Xã hội"
        )
        item.full_clean()
        self.assertEqual(item.addressee_label, "Bộ Lao động – Thương binh và Xã hội")
