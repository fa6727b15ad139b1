"""Refusals and dead ends: a record outside the account's scope is refused on its own
Vietnamese page (403, never Django's debug page), distinct from a page that does not exist
(404), with the pages the user may open instead; breadcrumbs a user may not follow are not
links; an account of a province merged away works on its own records and is told plainly
about its successor, with no page opening at an error it did not cause.
"""

import datetime

import time_machine
from django.contrib.messages import get_messages
from django.test import TestCase, override_settings
from django.urls import reverse

from tests import factories

TODAY = datetime.datetime(2026, 12, 3, 8, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


@time_machine.travel(TODAY, tick=False)
class RefusalTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = factories.province("79", new_era=True)
        cls.b = factories.province("01", new_era=True)
        cls.staff_a = factories.member("province_staff", cls.a, username="staff_a")
        cls.ministry = factories.member("ministry", username="ministry")

    def setUp(self):
        self.client.force_login(self.staff_a)

    def assert_refused(self, url: str, name: str):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        self.assertTemplateUsed(response, "403.html")
        self.assertContains(response, "Ngoài phạm vi tài khoản của bạn", status_code=403)
        self.assertContains(response, f"của {name} nằm ngoài phạm vi tài khoản của bạn", status_code=403)
        # What they may open instead: their own province's pages.
        own_plan = reverse("programmes:year-plan-edit", kwargs={"province_id": self.a.pk, "year": 2026})
        self.assertContains(response, f'href="{own_plan}"', status_code=403)
        self.assertContains(
            response, f'href="{reverse("reports:province", args=[self.a.pk])}?year=2026"', status_code=403
        )
        return response

    def test_another_provinces_plan_report_and_figures_are_refused_not_missing(self):
        self.assert_refused(reverse("programmes:year-plan-edit", args=[self.b.pk, 2026]), self.b.name)
        self.assert_refused(reverse("programmes:period", args=[self.b.pk, 2026, "H1"]), self.b.name)
        self.assert_refused(reverse("reports:province", args=[self.b.pk]), self.b.name)

    @override_settings(DEBUG=True)
    def test_under_debug_a_refusal_is_still_the_portals_page(self):
        response = self.client.get(reverse("programmes:period", args=[self.b.pk, 2026, "H1"]))
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Ngoài phạm vi tài khoản của bạn", status_code=403)
        self.assertNotContains(response, "Traceback", status_code=403)

    def test_what_does_not_exist_is_still_not_found(self):
        for url in (
            reverse("programmes:period", args=[999_999, 2026, "H1"]),
            reverse("reports:province", args=[999_999]),
            reverse("programmes:year-plan-edit", args=[999_999, 2026]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_user_without_a_role_is_told_to_ask_for_one(self):
        self.client.force_login(factories.user("no_role"))
        response = self.client.get(reverse("programmes:periods"))
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Tài khoản của bạn chưa có vai trò", status_code=403)

    def test_the_nation_sends_staff_to_their_province_saying_why(self):
        response = self.client.get(reverse("reports:national"), {"year": 2026})

        self.assertRedirects(
            response, f"{reverse('reports:province', args=[self.a.pk])}?year=2026", fetch_redirect_response=False
        )
        [message] = [str(message) for message in get_messages(response.wsgi_request)]
        self.assertIn("nằm ngoài phạm vi tài khoản của bạn", message)

    def test_breadcrumbs_staff_may_not_follow_are_not_links(self):
        response = self.client.get(reverse("reports:province", args=[self.a.pk]), {"year": 2026})

        crumbs = response.context["breadcrumbs"]
        self.assertEqual([crumb.url for crumb in crumbs], [None, None, None])
        self.assertNotContains(response, f'href="{reverse("reports:national")}?')
        self.client.force_login(self.ministry)
        crumbs = self.client.get(reverse("reports:province", args=[self.a.pk]), {"year": 2026}).context["breadcrumbs"]
        self.assertTrue(crumbs[0].url.startswith(reverse("reports:national")))


@time_machine.travel(TODAY, tick=False)
class MergedProvinceAccountTests(TestCase):
    """binhduong: staff of the old Bình Dương (until 30/06/2025), merged into the new city."""

    @classmethod
    def setUpTestData(cls):
        cls.old = factories.province("74")
        cls.city = factories.province("79", new_era=True)
        cls.staff = factories.member("province_staff", cls.old, username="binhduong")
        factories.budget_plan(cls.old, 2025, 1_000_000_000)

    def setUp(self):
        self.client.force_login(self.staff)

    def test_reports_opens_at_its_last_year_with_the_successor_named_not_linked(self):
        response = self.client.get(reverse("reports:national"), follow=True)

        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["form"].errors)
        self.assertEqual(response.context["year"], 2025)
        self.assertEqual(response.context["successor"].url, None)
        self.assertContains(response, "Số liệu của đơn vị này nằm ngoài phạm vi tài khoản của bạn.")
        self.assertNotContains(response, f'href="{reverse("reports:province", args=[self.city.pk])}')

    def test_the_plan_chooser_and_the_reports_list_open_at_its_last_year(self):
        chooser = self.client.get(reverse("programmes:year-plan-choose"))
        self.assertEqual(chooser.context["year"], 2025)
        self.assertContains(chooser, f'<option value="{self.old.pk}"')

        empty = self.client.get(reverse("programmes:year-plan-choose"), {"year": 2026})
        self.assertFalse(empty.context["form"].has_choices)
        self.assertContains(empty, "Bình Dương không còn trong năm 2026")
        self.assertContains(empty, "Thành phố Hồ Chí Minh")

        periods = self.client.get(reverse("programmes:periods"))
        self.assertEqual(periods.context["year"], 2025)
        self.assertEqual([row.province for row in periods.context["groups"][0].rows], [self.old])

    def test_the_successors_records_are_refused_with_its_own_offered(self):
        response = self.client.get(reverse("programmes:year-plan-edit", args=[self.city.pk, 2026]))

        self.assertEqual(response.status_code, 403)
        own = reverse("programmes:year-plan-edit", kwargs={"province_id": self.old.pk, "year": 2025})
        self.assertContains(response, f'href="{own}"', status_code=403)
