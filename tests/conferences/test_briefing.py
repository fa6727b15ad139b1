"""The conference briefing: its cut-off, its figures (the summary endpoint's), the page and the workbook."""

import datetime
import io
from decimal import Decimal

import openpyxl
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from common.numbers import format_pct
from conferences import demo as conference_demo
from conferences.models import Conference
from programmes.models import BudgetPlan
from programmes.rules.progress import round_pct
from programmes.selectors import FUNDS, TOTAL, Summary
from reports.briefing import Briefing, briefing_cutoff, build_briefing
from tests import demo_db, factories

D = datetime.date
SUMMARY_API = reverse("api-report-summary")
KEYS = (TOTAL, *FUNDS)
NORTH_9M_2017 = (
    "trained_workers",
    "management_trainees",
    "demonstration_models",
    "establishments_equipped",
    "fair_participations",
)


def amount(value: Decimal | None) -> str | None:
    """A briefing amount as the summary endpoint writes it (null where no record is behind it)."""
    return None if value is None else str(value)


def rounded(value: Decimal | None) -> str | None:
    """A briefing percentage as the summary endpoint writes it."""
    value = round_pct(value)
    return None if value is None else str(value)


class CutoffTests(SimpleTestCase):
    def test_the_current_year_stops_at_the_last_reporting_cut_off_before_the_conference(self):
        self.assertEqual(briefing_cutoff(D(2016, 7, 28)), (D(2016, 6, 30), "H1"))
        self.assertEqual(briefing_cutoff(D(2017, 10, 5)), (D(2017, 9, 30), "9M"))
        self.assertEqual(briefing_cutoff(D(2017, 9, 30)), (D(2017, 9, 30), "9M"))
        self.assertEqual(briefing_cutoff(D(2018, 12, 31)), (D(2018, 12, 31), "FY"))

    def test_a_conference_before_30_june_is_cut_at_its_own_day(self):
        self.assertEqual(briefing_cutoff(D(2019, 5, 16)), (D(2019, 5, 16), None))


class BriefingTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        demo_db.load(conferences=True)
        cls.viewer = factories.member("viewer", username="analyst")
        cls.south_7 = Conference.objects.select_related("region", "host_province").get(region__code="south", edition=7)

    def setUp(self):
        self.client.force_login(self.viewer)


class BriefingFiguresTests(BriefingTestCase):
    def assertMatchesTheSummaryEndpoint(self, result: Summary, region: str) -> None:
        body = self.client.get(
            SUMMARY_API, {"year": result.year, "region": region, "as_of": result.as_of.isoformat()}
        ).json()
        funds = result.funds
        self.assertEqual(body["province_count"], result.province_count)
        self.assertEqual(body["plan_vnd"], {key: amount(funds[key].plan_vnd) for key in KEYS})
        self.assertEqual(body["original_plan_vnd"], {key: amount(funds[key].original_plan_vnd) for key in KEYS})
        self.assertEqual(body["actual_vnd"], {key: amount(funds[key].actual_vnd) for key in KEYS})
        for name, attribute in (("completion_pct", "completion_pct"), ("plan_growth_pct", "plan_growth_pct")):
            self.assertEqual(body[name], {key: rounded(getattr(funds[key], attribute)) for key in KEYS})
        self.assertEqual(
            body["share_of_national_pct"],
            {
                "plan": {key: rounded(funds[key].plan_share_pct) for key in KEYS},
                "actual": {key: rounded(funds[key].actual_share_pct) for key in KEYS},
            },
        )
        self.assertEqual(
            body["plans_approved"],
            {fund: {"approved": c.approved, "expected": c.expected} for fund, c in result.plans_approved.items()},
        )
        self.assertEqual(
            body["indicators"],
            [
                {
                    "code": i.code,
                    "unit": i.unit,
                    "target": i.target,
                    "actual": i.actual,
                    "completion_pct": rounded(i.completion_pct),
                }
                for i in result.indicators
            ],
        )
        # The other way round: the endpoint's rounded strings are what the page prints.
        for key in KEYS:
            api_value = body["completion_pct"][key]
            self.assertEqual(
                format_pct(None if api_value is None else Decimal(api_value)), format_pct(funds[key].completion_pct)
            )

    def test_every_briefing_gives_the_summary_endpoints_figures_for_its_region_and_cut_offs(self):
        conferences = Conference.objects.select_related("region", "host_province").order_by("start_date")
        self.assertEqual(len(conferences), len(conference_demo.SPECS))
        for conference in conferences:
            briefing = build_briefing(conference)
            with self.subTest(conference=str(conference)):
                self.assertEqual(briefing.previous.as_of, D(conference.year - 1, 12, 31))
                self.assertEqual(briefing.current.as_of, briefing_cutoff(conference.start_date)[0])
                self.assertMatchesTheSummaryEndpoint(briefing.current, conference.region.code)
                if conference.year != 2025:
                    # Both years of one era: the previous year's territory is its own.
                    self.assertMatchesTheSummaryEndpoint(briefing.previous, conference.region.code)

    def test_a_2025_briefing_compares_its_provinces_with_their_predecessors_in_2024(self):
        centre = Conference.objects.select_related("region").get(region__code="central_highlands", year=2025)
        briefing = build_briefing(centre)
        self.assertEqual(len(briefing.provinces), 11)
        self.assertTrue(all(line.previous is not None for line in briefing.provinces))
        thanh_hoa = next(line for line in briefing.provinces if line.province.code == "38")
        old = BudgetPlan.objects.filter(province__code="38", province__valid_to__isnull=False, year=2024)
        self.assertEqual(thanh_hoa.previous.plan_total_vnd, sum(plan.planned_vnd for plan in old))
        self.assertEqual(
            briefing.previous.total.plan_vnd,
            sum((line.previous.plan_total_vnd or 0) for line in briefing.provinces),
        )

    def test_the_12th_northern_briefing_shows_what_was_reported_in_2017(self):
        briefing = build_briefing(Conference.objects.get(region__code="north", edition=12))
        funds = {line.code: line for line in briefing.funds}
        # 2016 in full, on the plans as revised; 2017 growth on the first-approved plans.
        self.assertEqual([rounded(funds[key].previous.completion_pct) for key in KEYS], ["97.02", "99.98", "94.66"])
        self.assertEqual(
            [rounded(funds[key].previous.actual_share_pct) for key in ("KCQG", "KCDP")], ["55.37", "54.66"]
        )
        self.assertEqual([rounded(funds[key].current.plan_growth_pct) for key in KEYS], ["14.64", "10.84", "17.22"])
        self.assertEqual([rounded(funds[key].current.plan_share_pct) for key in ("KCQG", "KCDP")], ["44.71", "53.86"])
        outputs = {line.current.code: line.current.actual for line in briefing.indicators}
        self.assertEqual(
            [outputs[code] for code in NORTH_9M_2017],
            [3275, 2240, 25, 750, 151],
        )
        response = self.client.get(reverse("briefings:briefing", args=[briefing.conference.pk]))
        for text in ("97,02 %", "99,98 %", "94,66 %", "55,37 %", "54,66 %", "14,64 %", "10,84 %", "17,22 %"):
            self.assertContains(response, text)
        self.assertContains(response, "44,71 %")
        self.assertContains(response, "53,86 %")
        for count in ("3.275", "2.240", "750", "151"):
            self.assertContains(response, count)

    def test_the_7th_southern_briefing_shows_what_was_reported_in_2016(self):
        briefing = build_briefing(self.south_7)
        total = briefing.current.total
        self.assertEqual(briefing.as_of, D(2016, 6, 30))
        self.assertEqual(total.plan_vnd, Decimal("65470000000"))
        self.assertEqual([rounded(line.current.plan_growth_pct) for line in briefing.funds], ["-2.18", "5.18", "1.83"])
        self.assertEqual(briefing.approvals_by_fund["KCDP"].current.approved, 20)
        trained = next(line.current for line in briefing.indicators if line.current.code == "trained_workers")
        self.assertEqual((trained.actual, rounded(trained.completion_pct)), (331, "19.20"))
        self.assertEqual((briefing.district_count, briefing.commune_count, briefing.centre_count), (6, 2, 20))
        self.assertEqual(
            sorted(centre.province.name for centre in briefing.district_centres),
            sorted(["Long An", "An Giang", "Bà Rịa - Vũng Tàu", "Bình Dương", "Tây Ninh", "Vĩnh Long"]),
        )
        self.assertEqual(
            sorted(centre.province.name for centre in briefing.commune_centres), ["Bà Rịa - Vũng Tàu", "Bình Dương"]
        )
        an_giang = next(line for line in briefing.provinces if line.province.code == "89")
        self.assertEqual(an_giang.network.district_collaborators, 11)
        self.assertEqual(len(briefing.provinces), 20)

    def test_the_12th_northern_briefing_stops_at_nine_months(self):
        north_12 = Conference.objects.select_related("region").get(region__code="north", edition=12)
        briefing = build_briefing(north_12)
        self.assertEqual((briefing.as_of, briefing.period), (D(2017, 9, 30), "9M"))
        self.assertEqual(briefing.centre_count, 28)

    def test_the_briefing_is_two_summaries_and_one_network_query(self):
        # Expect 18 queries: provinces (shared), 8 for each summary (plans, disbursements,
        # committed support and pipeline, targets, outputs, indicators, the reporting
        # calendar, reporting periods), the collaborator networks, the reported figures with
        # their indicators.
        with self.assertNumQueries(19):
            build_briefing(self.south_7)


class BriefingPageTests(BriefingTestCase):
    def url(self, name: str = "briefing") -> str:
        return reverse(f"briefings:{name}", args=[self.south_7.pk])

    def test_the_page_prints_the_briefings_figures(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        briefing: Briefing = response.context["briefing"]
        total = briefing.current.total
        for text in (
            format_pct(total.plan_growth_pct),
            format_pct(total.completion_pct),
            format_pct(briefing.indicators[0].current.completion_pct),
            "6/20",
            "data-print",
            self.south_7.title,
            reverse("briefings:briefing-xlsx", args=[self.south_7.pk]),
        ):
            self.assertContains(response, text)
        self.assertContains(response, "An Giang (11)")

    def test_the_briefings_of_the_merged_provinces_conferences_open(self):
        # The 2025 conferences gather provinces formed on 01/07/2025: their previous year is
        # their predecessors' 2024, so no province lacks one. The 2026 ones are being prepared.
        for conference in Conference.objects.filter(year__gte=2025).select_related("region"):
            with self.subTest(conference=str(conference), year=conference.year):
                response = self.client.get(reverse("briefings:briefing", args=[conference.pk]))
                self.assertEqual(response.status_code, 200)
                briefing: Briefing = response.context["briefing"]
                self.assertContains(response, conference.title)
                self.assertFalse(any(line.previous is None for line in briefing.provinces))
                workbook = self.client.get(reverse("briefings:briefing-xlsx", args=[conference.pk]))
                self.assertEqual(workbook.status_code, 200)

    def test_the_page_query_count(self):
        # Expect 24 queries: session, user, role, the conference with its region and hosts,
        # then the briefing's 19 (provinces, 2 × 8 for the summaries, networks, reported
        # figures), the header's unread notifications.
        with self.assertNumQueries(24):
            self.client.get(self.url())

    def test_the_workbook_holds_the_same_figures(self):
        response = self.client.get(self.url("briefing-xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertIn("bao-cao-hoi-nghi-south-7-2016.xlsx", response["Content-Disposition"])
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames, [pgettext("sheet", "Summary"), pgettext("sheet", "Provinces")])
        summary, provinces = workbook.worksheets
        self.assertEqual(summary["A1"].value, self.south_7.title)
        self.assertIn("30/06/2016", summary["A4"].value)
        self.assertIn("31/12/2015", summary["A4"].value)

        briefing = build_briefing(self.south_7)
        rows = {}
        for row in summary.iter_rows():  # the first table: plan and disbursement by fund
            if row[0].value in ("KCQG", "KCĐP"):
                rows.setdefault(row[0].value, row)
        for line in briefing.funds[:2]:
            cells = rows[line.label]
            self.assertEqual(cells[1].value, int(line.previous.original_plan_vnd))
            self.assertEqual(cells[2].value, int(line.previous.plan_vnd))
            self.assertEqual(cells[6].value, int(line.current.original_plan_vnd))
            self.assertEqual(cells[8].value, int(line.current.plan_vnd))
            self.assertEqual(cells[10].value, int(line.current.actual_vnd))
            self.assertEqual(cells[8].number_format, "#,##0")
            # Percentages: the endpoint's rounded value, stored as a fraction.
            self.assertEqual(Decimal(str(cells[7].value)) * 100, round_pct(line.current.plan_growth_pct))
            self.assertEqual(Decimal(str(cells[11].value)) * 100, round_pct(line.current.completion_pct))
            self.assertEqual(cells[11].number_format, "0.00%")

        names = [row[0].value for row in provinces.iter_rows(min_row=8) if row[0].value]
        self.assertEqual(names[:-1], [line.province.name for line in briefing.provinces])
        self.assertEqual(names[-1], gettext("Whole region"))
        an_giang = next(row for row in provinces.iter_rows() if row[0].value == "An Giang")
        self.assertEqual(an_giang[10].value, 11)

    def test_nation_wide_roles_only(self):
        staff = factories.member("province_staff", factories.province("74"), username="binhduong-test")
        ministry = factories.member("ministry", username="ministry-test")
        nobody = factories.user("nobody")
        for name in ("briefing", "briefing-xlsx"):
            with self.subTest(name=name):
                self.client.force_login(staff)
                self.assertEqual(self.client.get(self.url(name)).status_code, 403)
                self.client.force_login(nobody)
                self.assertEqual(self.client.get(self.url(name)).status_code, 403)
                self.client.force_login(ministry)
                self.assertEqual(self.client.get(self.url(name)).status_code, 200)
                self.client.logout()
                self.assertEqual(self.client.get(self.url(name)).status_code, 302)

    def test_an_unknown_conference_is_404(self):
        self.assertEqual(self.client.get(reverse("briefings:briefing", args=[999999])).status_code, 404)
