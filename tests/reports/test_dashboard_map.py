"""The province map on the national and regional dashboards and in the briefing (issue 18, 1),
and the provinces an "x/y have an approved plan" leaves out, one click away (issue 18, 3).

Colours are compared with the classes of the summary the page was drawn from
(`response.context["summary"]`), never with figures computed here.
"""

import re
import xml.etree.ElementTree as ET
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.test import TestCase
from django.urls import reverse

from conferences import demo as conference_demo
from conferences.models import Conference
from programmes import demo
from programmes.models import BudgetPlan, FundingSource, Province
from reports.maps import choropleth as ch
from reports.maps.rows import MEASURES
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"
OLD_ERA = "63 tỉnh, thành phố trước 01/07/2025"
NEW_ERA = "34 tỉnh, thành phố từ 01/07/2025"


def map_svg(html: str) -> ET.Element:
    """The map's <svg>, parsed as XML: it must be well-formed on its own."""
    match = re.search(r"<svg class=\"map\".*?</svg>", html, re.S)
    assert match, "no map on the page"
    return ET.fromstring(match.group(0))


def linked_provinces(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}g[@class='map-provinces']/{SVG}a")


class DashboardMapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo.load()
        cls.user = factories.member("viewer", username="map-viewer")

    def setUp(self):
        self.client.force_login(self.user)

    def national(self, **params):
        response = self.client.get(reverse("reports:national"), params)
        self.assertEqual(response.status_code, 200)
        return response

    def assert_coloured_from_summary(self, response, measure: str = "completion") -> None:
        """Each province's fill is the class of its summary row's value, and its accessible name
        (its <title>) names it with that value; provinces without a value are hatched."""
        root = map_svg(response.content.decode())
        links = {urlsplit(a.get("href")).path: a for a in linked_provinces(root)}
        rows = response.context["summary"].provinces
        self.assertEqual(len(links), len(rows))
        value_of = {"completion": "completion_pct", "growth": "plan_growth_pct", "rate": "disbursement_rate_pct"}
        scale = MEASURES[measure].scale
        for row in rows:
            link = links[reverse("reports:province", kwargs={"province_id": row.province.pk})]
            value = getattr(row, value_of[measure])
            fill = link.find(f"{SVG}path").get("fill")
            if value is None:
                self.assertEqual(fill, "url(#province-map-hatch)", row.province.name)
            else:
                self.assertEqual(fill, scale.classify(value).colour, row.province.name)
            self.assertTrue(link.find(f"{SVG}title").text.startswith(f"{row.province.name}: "))

    def test_2016_maps_the_63_provinces_by_completion(self):
        response = self.national(year=2016, period="FY")
        root = map_svg(response.content.decode())
        self.assertEqual(len(linked_provinces(root)), 63)
        self.assertEqual(root.find(f"{SVG}title").text, f"Hoàn thành kế hoạch – {OLD_ERA}")
        self.assertContains(response, '<text class="map-era" x="', count=1)
        self.assertIn(OLD_ERA, [t.text for t in root.iter(f"{SVG}text")])
        self.assert_coloured_from_summary(response)
        # Each province links to its page for the same year and cut-off.
        href = linked_provinces(root)[0].get("href")
        self.assertEqual(parse_qs(urlsplit(href).query), {"year": ["2016"], "period": ["FY"]})
        self.assertContains(response, "Số đã giải ngân so với kế hoạch sau điều chỉnh")  # what it divides

    def test_2025_maps_the_34_provinces_after_the_merger_and_the_63_before(self):
        for params, count, era in (
            ({"year": 2025, "period": "FY"}, 34, NEW_ERA),
            ({"year": 2025, "period": "H1"}, 63, OLD_ERA),
            ({"year": 2026, "period": "FY"}, 34, NEW_ERA),
        ):
            with self.subTest(**params):
                response = self.national(**params)
                root = map_svg(response.content.decode())
                self.assertEqual(len(linked_provinces(root)), count)
                self.assertIn(era, root.find(f"{SVG}title").text)
                self.assert_coloured_from_summary(response)

    def test_the_switch_maps_plan_growth_and_disbursement_against_contracted_support(self):
        for measure, title, divides in (
            ("growth", "Tăng trưởng kế hoạch", "Kế hoạch giao đầu năm so với kế hoạch giao đầu năm của năm trước"),
            ("rate", "Giải ngân so với vốn hỗ trợ đã ký hợp đồng", "kinh phí hỗ trợ của các đề án trong năm"),
        ):
            with self.subTest(measure=measure):
                response = self.national(year=2025, period="FY", map=measure)
                html = response.content.decode()
                self.assertIn(f'<p class="map-legend-title">{title}</p>', html)
                self.assertIn(divides, html)
                self.assert_coloured_from_summary(response, measure)
                current = [unescape(url) for url in re.findall(r'<a href="([^"]+)" aria-current="true">', html)]
                self.assertEqual(len(current), 1)
                self.assertEqual(parse_qs(urlsplit(current[0]).query)["map"], [measure])
                self.assertEqual(parse_qs(urlsplit(current[0]).query)["year"], ["2025"])
        self.assertEqual(
            self.national(year=2025, map="nonsense").context["province_map"].measure, "completion"
        )  # an unknown measure falls back to completion

    def test_a_region_maps_its_provinces_and_grounds_the_others(self):
        south = Province.objects.get(code="79", valid_to__isnull=True).region
        response = self.client.get(reverse("reports:region", kwargs={"code": south.code}), {"year": 2016})
        root = map_svg(response.content.decode())
        rows = response.context["summary"].provinces
        self.assertEqual(len(linked_provinces(root)), len(rows))
        self.assertEqual(len(root.findall(f".//{SVG}g[@class='map-outside']/{SVG}path")), 63 - len(rows))
        # Zoomed to the region: its provinces fill the frame, drawn through the frame's transform.
        frame = response.context["province_map"].map.frame
        self.assertTrue(frame.zoomed)
        transforms = {link.find(f"{SVG}path").get("transform") for link in linked_provinces(root)}
        self.assertEqual(transforms, {frame.transform})
        self.assert_coloured_from_summary(response)
        self.assertContains(response, "Bản đồ các tỉnh, thành phố trong vùng")

    def test_a_province_page_has_no_map(self):
        hanoi = Province.objects.get(code="01", valid_to__isnull=True)
        response = self.client.get(reverse("reports:province", kwargs={"province_id": hanoi.pk}), {"year": 2026})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["province_map"])
        self.assertNotContains(response, '<svg class="map"')

    def test_every_province_is_reachable_by_keyboard_and_named(self):
        root = map_svg(self.national(year=2016).content.decode())
        for link in linked_provinces(root):
            self.assertTrue(link.get("href"))  # an SVG link is in the tab order
            self.assertTrue(link.find(f"{SVG}title").text)
        self.assertEqual(root.get("role"), "group")
        self.assertEqual(root.get("aria-labelledby"), "province-map-title")

    def test_the_map_page_query_count(self):
        # Expect 13 queries, as the dashboards without the map: session, user, role, provinces,
        # plans, disbursements, projects, targets, outputs, indicators, reporting periods, the
        # header's unread notifications, the menu's import link (access.may_import).
        # The map reads the summary only (geometry is a file read once per process).
        self.national(year=2025)  # load the geometry
        for measure in MEASURES:
            with self.subTest(measure=measure), self.assertNumQueries(13):
                self.national(year=2025, period="FY", map=measure)


class MissingPlansTests(TestCase):
    """The provinces without an approved plan are listed, each linking to its page."""

    @classmethod
    def setUpTestData(cls):
        cls.hanoi = factories.province("01")
        cls.hai_phong = factories.province("31")
        for province in Province.objects.filter(valid_to__isnull=False).exclude(code="31"):
            factories.budget_plan(province, 2024, 100_000_000)
        factories.budget_plan(cls.hanoi, 2024, 100_000_000, fund=FundingSource.KCDP)
        cls.user = factories.member("viewer", username="missing-viewer")

    def test_the_national_page_names_the_provinces_without_a_plan(self):
        self.client.force_login(self.user)
        response = self.client.get(reverse("reports:national"), {"year": 2024})
        counts = response.context["summary"].plans_approved
        # Independent computation: the provinces in force on 01/01/2024 with no approved plan.
        with_kcqg = set(
            BudgetPlan.objects.filter(year=2024, funding_source=FundingSource.KCQG).values_list("province", flat=True)
        )
        in_force = Province.objects.filter(valid_from__lte="2024-01-01", valid_to__isnull=False)
        self.assertEqual(
            [p.pk for p in counts[FundingSource.KCQG].missing],
            list(in_force.exclude(pk__in=with_kcqg).order_by("code").values_list("pk", flat=True)),
        )
        self.assertEqual([p.code for p in counts[FundingSource.KCQG].missing], ["31"])
        self.assertEqual(len(counts[FundingSource.KCDP].missing), 62)
        html = response.content.decode()
        self.assertIn('href="#missing-plans"', html)
        page = reverse("reports:province", kwargs={"province_id": self.hai_phong.pk})
        self.assertIn(f'<a href="{page}?year=2024&amp;period=FY">Hải Phòng</a>', html)
        self.assertIn("1 tỉnh, thành phố chưa có kế hoạch KCQG được phê duyệt", html)
        self.assertIn("62 tỉnh, thành phố chưa có kế hoạch KCĐP được phê duyệt", html)
        # A short list is open; a long one is one click (its summary) away.
        self.assertRegex(html, r'<details class="missing-list" open>\s*<summary>1 tỉnh')
        self.assertRegex(html, r'<details class="missing-list">\s*<summary>62 tỉnh')


class BriefingMapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo.load()
        conference_demo.load()
        cls.viewer = factories.member("viewer", username="briefing-map")

    def test_the_briefing_maps_its_regions_provinces_in_the_era_of_its_cut_off(self):
        self.client.force_login(self.viewer)
        for conference in Conference.objects.select_related("region").order_by("year", "pk"):
            with self.subTest(conference=str(conference)):
                response = self.client.get(reverse("briefings:briefing", args=[conference.pk]), {"map": "growth"})
                self.assertEqual(response.status_code, 200)
                current = response.context["briefing"].current
                root = map_svg(response.content.decode())
                links = linked_provinces(root)
                self.assertEqual(len(links), len(current.provinces))
                era = NEW_ERA if current.cutoff_day >= ch.MERGER_DATE else OLD_ERA
                self.assertIn(era, root.find(f"{SVG}title").text)
                self.assertIn("Tăng trưởng kế hoạch", root.find(f"{SVG}title").text)
                frame = response.context["province_map"].map.frame
                self.assertTrue(frame.zoomed)  # the region's provinces fill the frame
                self.assertEqual(root.get("viewBox"), f"0 0 {frame.width} {frame.height}")
                query = parse_qs(urlsplit(links[0].get("href")).query)
                self.assertEqual(query, {"year": [str(current.year)], "as_of": [current.as_of.isoformat()]})
