"""Data entry of conferences in the admin: the ministry changes them, the other roles only look."""

import datetime

from django.test import TestCase
from django.urls import reverse

from conferences.models import Conference
from tests import factories

from . import helpers

D = datetime.date
CHANGELIST = reverse("admin:conferences_conference_changelist")
ADD = reverse("admin:conferences_conference_add")


def inline_management(prefix: str) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip


class ConferenceAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ministry = factories.member("ministry", username="ministry")
        cls.viewer_staff = factories.member("viewer", username="viewer", is_staff=True)
        cls.admin_role = factories.member("admin", username="administrator")
        cls.province_staff = factories.member("province_staff", factories.province("74"), username="binhduong")
        cls.south_7 = helpers.with_parts(helpers.conference())

    def form_data(self, **fields) -> dict[str, str]:
        data = {
            "region": str(helpers.region("south").pk),
            "edition": "8",
            "year": "",
            "start_date": "21/09/2017",
            "end_date": "22/09/2017",
            "host_province": str(factories.province("79").pk),
            "venue": "Trung tâm Hội nghị",
            "city": "Thành phố Hồ Chí Minh",
            "organiser": "",
            "chairs": "",
            "attending_provinces": [str(factories.province("79").pk), str(factories.province("74").pk)],
            "attendee_count": "1.250",
            "summary": "",
            "next_host_province": str(factories.province("82").pk),
            **inline_management("papers"),
            **inline_management("recommendations"),
            **inline_management("awards"),
            **inline_management("reported_figures"),
            **fields,
        }
        return data

    def test_the_ministry_adds_a_conference_and_the_rest_is_filled_in(self):
        self.client.force_login(self.ministry)
        self.assertEqual(self.client.get(ADD).status_code, 200)
        response = self.client.post(ADD, self.form_data())
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        item = Conference.objects.get(region__code="south", edition=8)
        self.assertEqual((item.year, item.organiser, item.attendee_count), (2017, "Cục Công Thương địa phương", 1250))
        self.assertEqual(item.attending_provinces.count(), 2)
        self.assertEqual(item.history.latest().attending_provinces.count(), 2)

    def test_the_admin_form_refuses_a_province_of_another_era(self):
        self.client.force_login(self.ministry)
        merged = factories.province("79", new_era=True)
        response = self.client.post(ADD, self.form_data(attending_provinces=[str(merged.pk)]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attending_provinces", response.context["adminform"].form.errors)
        self.assertFalse(Conference.objects.filter(edition=8).exists())

    def test_the_ministry_opens_a_conference_with_its_parts(self):
        self.client.force_login(self.ministry)
        response = self.client.get(reverse("admin:conferences_conference_change", args=[self.south_7.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Tập thể 1")

    def test_viewers_only_look(self):
        url = reverse("admin:conferences_conference_change", args=[self.south_7.pk])
        self.client.force_login(self.viewer_staff)
        self.assertEqual(self.client.get(CHANGELIST).status_code, 200)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(ADD).status_code, 403)
        response = self.client.post(url, self.form_data(edition="7", start_date="28/07/2016", end_date="28/07/2016"))
        self.assertEqual(response.status_code, 403)
        self.south_7.refresh_from_db()
        self.assertEqual(self.south_7.attendee_count, 150)

    def test_those_who_approve_may_change_conferences(self):
        # access.can_approve: ministry officials and administrators.
        for user in (self.ministry, self.admin_role):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(ADD).status_code, 200)

    def test_province_staff_have_no_conference_pages_in_the_admin(self):
        self.client.force_login(self.province_staff)
        self.assertEqual(self.client.get(CHANGELIST).status_code, 403)

    def test_the_recommendations_filter_by_status_and_addressee(self):
        self.client.force_login(self.ministry)
        url = reverse("admin:conferences_recommendation_changelist")
        response = self.client.get(url, {"status__exact": "open", "addressed_to__exact": "ministry"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["cl"].result_count, 1)

    def test_the_changelist_query_count_does_not_grow(self):
        self.client.force_login(self.ministry)
        self.client.get(CHANGELIST)  # warm the content types cache
        with self.assertNumQueries(self._count()):
            self.client.get(CHANGELIST)
        helpers.conference(edition=6, start=D(2015, 8, 27), host="86", next_host="74")
        helpers.conference("north", edition=12, start=D(2017, 10, 5), host="25", next_host="40")
        with self.assertNumQueries(self._count()):
            self.client.get(CHANGELIST)

    def _count(self) -> int:
        # Expect 9 queries: session, user, the user's permissions (own and groups'), role
        # (groups) for access.can_approve, regions for the region filter, the count (no total
        # count: show_full_result_count is off), the page with region and hosts, the year
        # filter's years.
        return 9
