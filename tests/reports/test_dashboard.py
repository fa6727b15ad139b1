"""Dashboards: national → region → province pages for a year and a cut-off.

The demo data (loaded once for the class) reproduces the published southern H1 2016 report;
every other figure on the pages is compared with what `selectors.summary` returns, rounded by
`progress.round_pct`, never with a number computed here.
"""

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode

import time_machine
from django.conf import settings
from django.db.models import Case, DecimalField, F, Sum, When
from django.test import TestCase
from django.urls import reverse

from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    FundingSource,
    Indicator,
    ProjectOutput,
    Province,
    Region,
    ReportingPeriod,
)
from programmes.rules import progress
from programmes.selectors import ProvinceMap, Scope, summary
from tests import demo_db, factories

D = datetime.date


def vi_pct(value: Decimal | None) -> str:
    """A selector's percentage as the Vietnamese page shows it: round_pct, decimal comma, ` %`."""
    rounded = progress.round_pct(value)
    return "–" if rounded is None else f"{rounded}".replace(".", ",") + " %"


def en_pct(value: Decimal | None) -> str:
    rounded = progress.round_pct(value)
    return "–" if rounded is None else f"{rounded}%"


class _Tables(HTMLParser):
    """Every <table> of a page as {class: [[cell text, …] per row]}, plus the links of each row
    and the section (thead, tbody, tfoot) of each row."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: dict[str, list[list[str]]] = {}
        self.sections: dict[str, list[str]] = {}
        self._table = None
        self._section = None
        self._row = None
        self._cell = None
        self._row_links = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("class", "")
            self.tables.setdefault(self._table, [])
            self.links.setdefault(self._table, [])
            self.sections.setdefault(self._table, [])
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._table is not None:
            self._row, self._row_links = [], []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and self._row_links is not None:
            self._row_links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self.links[self._table].append(self._row_links)
            self.sections[self._table].append(self._section)
            self._row = self._row_links = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response) -> _Tables:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser


def table(response, name: str) -> list[list[str]]:
    """The rows (header included) of the table whose class list holds `name`."""
    found = tables(response).tables
    return next(rows for classes, rows in found.items() if name in classes.split())


def body(response, name: str) -> tuple[list[list[str]], list[list[str]]]:
    """(rows, links of each row) of the <tbody> of the table whose class list holds `name`."""
    parsed = tables(response)
    classes = next(classes for classes in parsed.tables if name in classes.split())
    kept = [i for i, section in enumerate(parsed.sections[classes]) if section == "tbody"]
    return [parsed.tables[classes][i] for i in kept], [parsed.links[classes][i] for i in kept]


def body_rows(response, name: str) -> list[list[str]]:
    return body(response, name)[0]


class DashboardDemoTests(TestCase):
    """On the demo data: the published southern figures, drill-down, sorting, eras, languages."""

    @classmethod
    def setUpTestData(cls):
        demo_db.load()
        cls.user = factories.member("viewer", username="viewer")
        cls.provinces = ProvinceMap.load()
        cls.south = Region.objects.get(code="south")
        cls.hcmc = factories.province("79", new_era=True)
        cls.binh_duong = factories.province("74")

    def setUp(self):
        self.client.force_login(self.user)

    def get(self, name: str, query: dict | None = None, **kwargs):
        url = reverse(name, kwargs=kwargs)
        return self.client.get(f"{url}?{urlencode(query)}" if query else url)

    def summary(self, *, year: int, as_of: datetime.date | None = None, scope: Scope | None = None):
        return summary(year=year, as_of=as_of, scope=scope, provinces=self.provinces, trend_years=10)

    # The published southern H1 2016 report ----------------------------------------------

    def test_southern_h1_2016_shows_the_reported_figures(self):
        response = self.get("reports:region", {"year": 2016, "period": "H1"}, code="south")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "65,47 tỷ đồng")
        self.assertContains(response, "1,83 %")
        funds = {row[0]: row for row in table(response, "fund-table")[1:]}
        # Fund, plan 2015, plan 2016, growth, disbursed, completion, rate, share
        self.assertEqual(funds["KCQG"][3], "-2,18 %")
        self.assertEqual(funds["KCĐP"][3], "5,18 %")
        self.assertEqual(funds[next(key for key in funds if key not in ("KCQG", "KCĐP"))][3], "1,83 %")
        indicators = {row[0]: row for row in table(response, "indicator-table")[1:]}
        self.assertEqual(indicators["Lao động được đào tạo nghề"][-1], "19,20 %")
        self.assertEqual(indicators["Lao động được đào tạo nghề"][2:4], ["1.724", "331"])
        self.assertContains(response, "<strong>20/20</strong>", count=2, html=False)
        self.assertContains(response, '<span class="tag">6 tháng</span>', html=False)
        self.assertContains(response, "30/06/2016")

    def test_region_figures_are_the_summary_selectors(self):
        as_of = D(2016, 6, 30)
        result = self.summary(year=2016, as_of=as_of, scope=Scope(region=self.south))
        response = self.get("reports:region", {"year": 2016, "period": "H1"}, code="south")
        self.assertContains(response, vi_pct(result.total.completion_pct))
        self.assertContains(response, vi_pct(result.total.plan_share_pct))
        self.assertContains(response, vi_pct(result.total.disbursement_rate_pct))
        funds = {row[0]: row for row in table(response, "fund-table")[1:]}
        for key, label in (("KCQG", "KCQG"), ("KCDP", "KCĐP")):
            figures = result.funds[key]
            self.assertEqual(funds[label][6], vi_pct(figures.completion_pct))
            self.assertEqual(funds[label][7], vi_pct(figures.disbursement_rate_pct))
            self.assertEqual(funds[label][8], vi_pct(figures.plan_share_pct))
        provinces = body_rows(response, "province-table")
        self.assertEqual(len(provinces), len(result.provinces))
        self.assertEqual([row[4] for row in provinces], [vi_pct(row.completion_pct) for row in result.provinces])
        statuses = table(response, "reporting-table")[1:]
        self.assertEqual([row[2] for row in statuses], [str(period.expected) for period in result.reporting])

    # Drill-down ---------------------------------------------------------------------------

    def test_national_page_lists_the_three_regions_with_links(self):
        result = self.summary(year=2016)
        response = self.get("reports:national", {"year": 2016})
        self.assertEqual(response.status_code, 200)
        rows, links = body(response, "region-table")
        self.assertEqual([row[0] for row in rows], ["Phía Bắc", "Miền Trung – Tây Nguyên", "Phía Nam"])
        self.assertEqual([row[4] for row in rows], [vi_pct(row.completion_pct) for row in result.regions])
        query = urlencode({"year": 2016, "period": "FY"})
        self.assertEqual(
            [row_links[0] for row_links in links],
            [
                f"{reverse('reports:region', kwargs={'code': code})}?{query}"
                for code in ("north", "central_highlands", "south")
            ],
        )
        # the national page also lists every province in force that year, linked to its page
        self.assertEqual(len(body_rows(response, "province-table")), 63)

    def test_drill_down_from_nation_to_region_to_province_and_back(self):
        query = urlencode({"year": 2016, "period": "H1"})
        national = self.get("reports:national", {"year": 2016, "period": "H1"})
        region_url = f"{reverse('reports:region', kwargs={'code': 'south'})}?{query}"
        self.assertContains(national, f'href="{region_url.replace("&", "&amp;")}"')
        region = self.client.get(region_url)
        province_url = f"{reverse('reports:province', kwargs={'province_id': self.binh_duong.pk})}?{query}"
        self.assertContains(region, f'href="{province_url.replace("&", "&amp;")}"')
        province = self.client.get(province_url)
        self.assertEqual(province.status_code, 200)
        self.assertContains(province, "<h1>Bình Dương</h1>", html=False)
        crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', province.content.decode(), re.S).group(0)
        national_url = f"{reverse('reports:national')}?{query}"
        self.assertIn(f'href="{national_url.replace("&", "&amp;")}"', crumbs)
        self.assertIn(f'href="{region_url.replace("&", "&amp;")}"', crumbs)
        self.assertIn('aria-current="page">Bình Dương', crumbs)

    def test_old_binh_duong_2016_page_and_its_successor(self):
        result = self.summary(year=2016, scope=Scope(province=self.binh_duong))
        response = self.get("reports:province", {"year": 2016}, province_id=self.binh_duong.pk)
        self.assertContains(response, vi_pct(result.total.completion_pct))
        self.assertContains(response, vi_pct(result.total.plan_growth_pct))
        self.assertContains(response, reverse("reports:province", kwargs={"province_id": self.hcmc.pk}))
        self.assertNotContains(response, "province-table")  # a single province has no province table

    # Sorting ------------------------------------------------------------------------------

    def test_sorting_the_province_table(self):
        result = self.summary(year=2016, scope=Scope(region=self.south))
        by_completion = sorted(result.provinces, key=lambda row: row.completion_pct, reverse=True)
        response = self.get("reports:region", {"year": 2016, "sort": "-completion"}, code="south")
        rows = body_rows(response, "province-table")
        self.assertEqual([row[4] for row in rows], [vi_pct(row.completion_pct) for row in by_completion])
        self.assertEqual([row[0] for row in rows], [row.province.name for row in by_completion])
        self.assertContains(response, 'aria-sort="descending"')
        # the header link flips the direction
        self.assertContains(response, "sort=completion#provinces")

        ascending = self.get("reports:region", {"year": 2016, "sort": "completion"}, code="south")
        self.assertEqual(
            [row[4] for row in body_rows(ascending, "province-table")],
            [vi_pct(row.completion_pct) for row in reversed(by_completion)],
        )
        self.assertContains(ascending, 'aria-sort="ascending"')

        by_plan = self.get("reports:region", {"year": 2016, "sort": "-plan"}, code="south")
        plans = [row.plan_total_vnd for row in sorted(result.provinces, key=lambda r: r.plan_total_vnd, reverse=True)]
        shown = [row[2] for row in body_rows(by_plan, "province-table")]
        self.assertEqual(shown, [f"{plan / 10**9:.2f}".replace(".", ",") for plan in plans])

        by_name = self.get("reports:region", {"year": 2016, "sort": "name"}, code="south")
        names = [row[0] for row in body_rows(by_name, "province-table")]
        self.assertEqual(names[:3], ["An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu"])

    def test_an_unknown_sort_keeps_the_province_code_order(self):
        result = self.summary(year=2016, scope=Scope(region=self.south))
        response = self.get("reports:region", {"year": 2016, "sort": "bogus"}, code="south")
        self.assertEqual(response.status_code, 200)
        names = [row[0] for row in body_rows(response, "province-table")]
        self.assertEqual(names, [row.province.name for row in result.provinces])
        self.assertNotContains(response, "aria-sort=")

    # Eras ---------------------------------------------------------------------------------

    def test_new_ho_chi_minh_city_2026_grows_against_its_predecessors(self):
        predecessors = Province.objects.filter(merged_into=self.hcmc)
        self.assertEqual(
            set(predecessors.values_list("name", flat=True)),
            {"Thành phố Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"},
        )
        before = BudgetPlan.objects.filter(
            province__in=[self.hcmc, *predecessors], year=2025, status=ApprovalStatus.APPROVED
        ).aggregate(total=Sum("planned_vnd"))["total"]
        result = self.summary(year=2026, scope=Scope(province=self.hcmc))
        self.assertEqual(result.total.plan_prev_vnd, before)
        response = self.get("reports:province", {"year": 2026}, province_id=self.hcmc.pk)
        self.assertEqual(response.status_code, 200)
        funds = {row[0]: row for row in table(response, "fund-table")[1:]}
        self.assertEqual(funds["KCQG"][3], vi_pct(result.funds["KCQG"].plan_growth_pct))
        self.assertEqual(funds["KCĐP"][3], vi_pct(result.funds["KCDP"].plan_growth_pct))
        self.assertContains(response, vi_pct(result.total.plan_growth_pct))
        for predecessor in predecessors:
            self.assertContains(response, str(predecessor))
            self.assertContains(response, reverse("reports:province", kwargs={"province_id": predecessor.pk}))

    def test_2025_lists_the_34_provinces_of_the_cut_off_with_their_territories(self):
        response = self.get("reports:national", {"year": 2025})
        rows = body_rows(response, "province-table")
        result = summary(year=2025)
        self.assertEqual(len(rows), 34)
        self.assertEqual([row[0] for row in rows], [row.province.name for row in result.provinces])
        self.assertEqual([row[4] for row in rows], [vi_pct(row.completion_pct) for row in result.provinces])
        # Each new province's full year: its predecessors' January–June money and its own since.
        hcmc = next(row for row in result.provinces if row.province.code == "79")
        own = {p.pk for p in Province.objects.filter(merged_into=hcmc.province)} | {hcmc.province.pk}
        disbursed = Disbursement.objects.filter(project__year=2025, project__province__in=own).aggregate(
            total=Sum(
                Case(
                    When(kind="recovery", then=-F("amount_vnd")),
                    default=F("amount_vnd"),
                    output_field=DecimalField(max_digits=20, decimal_places=0),
                )
            )
        )["total"]
        self.assertEqual(hcmc.actual_total_vnd, disbursed)
        self.assertEqual(sum(row.actual_total_vnd or 0 for row in result.provinces), result.total.actual_vnd)
        self.assertContains(response, "Xem từng tỉnh trong năm với số liệu của chính tỉnh đó, theo thời kỳ")

    def test_2025_by_era_lists_both_eras_each_row_dated(self):
        response = self.get("reports:region", {"year": 2025, "era": "own"}, code="south")
        rows = body_rows(response, "province-table")
        old = [row for row in rows if "01/01/2025–30/06/2025" in row[0]]
        new = [row for row in rows if "01/07/2025–31/12/2025" in row[0]]
        # The old provinces whose territory is southern in 2025 (old Bình Thuận went to Lâm Đồng).
        southern_2025 = Province.objects.filter(region=self.south, valid_to__isnull=True)
        self.assertEqual(len(old), Province.objects.filter(merged_into__in=southern_2025).count())
        self.assertEqual(len(new), southern_2025.count())
        self.assertEqual(len(rows), len(old) + len(new))
        self.assertContains(response, "Xem các tỉnh, thành phố có hiệu lực tại ngày chốt số liệu")

    def test_a_province_out_of_its_era_shows_the_form_error_and_its_successor(self):
        response = self.get("reports:province", {"year": 2026}, province_id=self.binh_duong.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn("province", response.context["form"].errors)
        self.assertContains(response, "2026", status_code=400)
        self.assertContains(
            response, reverse("reports:province", kwargs={"province_id": self.hcmc.pk}), status_code=400
        )

    # Cut-off and language ------------------------------------------------------------------

    def test_the_cut_off_date_changes_the_actual(self):
        march = self.summary(year=2016, as_of=D(2016, 3, 31), scope=Scope(region=self.south))
        year = self.summary(year=2016, scope=Scope(region=self.south))
        self.assertNotEqual(march.total.actual_vnd, year.total.actual_vnd)
        for query, result in (({"year": 2016, "as_of": "2016-03-31"}, march), ({"year": 2016}, year)):
            response = self.get("reports:region", query, code="south")
            totals = table(response, "fund-table")[-1]
            self.assertEqual(totals[5], f"{result.total.actual_vnd / 10**9:.2f}".replace(".", ","))
            self.assertEqual(totals[6], vi_pct(result.total.completion_pct))
        response = self.get("reports:region", {"year": 2016, "as_of": "2016-03-31"}, code="south")
        self.assertContains(response, "31/03/2016")
        self.assertContains(response, 'value="2016-03-31"')

    def test_english_page_formats_numbers_the_english_way(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        result = self.summary(year=2016, as_of=D(2016, 6, 30), scope=Scope(region=self.south))
        response = self.get("reports:region", {"year": 2016, "period": "H1"}, code="south")
        self.assertContains(response, '<html lang="en">', html=False)
        self.assertContains(response, "65.47 billion VND")
        self.assertContains(response, en_pct(result.total.completion_pct))
        self.assertContains(response, "1.83%")
        self.assertNotContains(response, "1,83 %")
        self.assertContains(response, "Disbursed up to")
        self.assertContains(response, "Plan and disbursement by fund")
        self.assertContains(response, "South")  # the region's English name
        indicators = {row[0]: row for row in table(response, "indicator-table")[1:]}
        trained = indicators[Indicator.objects.get(code="trained_workers").name_en]
        self.assertEqual(trained[1:4], ["workers", "1,724", "331"])
        self.assertEqual(trained[-1], "19.20%")

    # Page contract --------------------------------------------------------------------------

    def test_charts_are_accessible_svg_without_inline_styles_or_scripts(self):
        response = self.get("reports:national", {"year": 2016})
        html = response.content.decode()
        self.assertGreaterEqual(html.count('role="img"'), 6)  # three charts, each wide and narrow
        for svg in re.findall(r"<svg class=\"chart .*?</svg>", html, re.S):
            self.assertIn("aria-label=", svg)
            self.assertIn("<title>", svg)
        self.assertNotRegex(html, r"\sstyle=")
        self.assertNotRegex(html, r"\son[a-z]+=")
        self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)")
        self.assertContains(response, "Tải Excel")  # the export link carries the page's filters
        self.assertContains(response, "data-print")


class DashboardAccessAndFilterTests(TestCase):
    def setUp(self):
        self.client.force_login(factories.member("viewer"))

    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        self.client.logout()
        for url in (
            reverse("reports:national"),
            reverse("reports:region", kwargs={"code": "south"}),
            reverse("reports:province", kwargs={"province_id": factories.province("74").pk}),
        ):
            response = self.client.get(f"{url}?year=2016")
            self.assertRedirects(
                response, f"{reverse('login')}?next={url}%3Fyear%3D2016", fetch_redirect_response=False
            )

    def test_year_defaults_to_this_year_and_cut_off_to_today(self):
        with time_machine.travel(datetime.datetime(2016, 8, 1, 9, tzinfo=datetime.UTC)):
            response = self.client.get(reverse("reports:national"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["summary"].year, 2016)
        # The year so far, not 31/12 of a year that has not ended.
        self.assertEqual(response.context["summary"].as_of, D(2016, 8, 1))
        self.assertEqual((response.context["chosen_period"], response.context["chosen_as_of"]), ("", "2016-08-01"))
        self.assertEqual(response.context["period_label"], "")
        self.assertContains(response, "Năm 2016, đến 01/08/2016")
        self.assertEqual(response.context["years"], list(range(2017, 2007, -1)))
        # The drill-down links keep the same cut-off.
        self.assertEqual(response.context["filter_query"], "year=2016&as_of=2016-08-01")

    def test_another_year_defaults_to_its_full_year_and_today_is_one_click(self):
        with time_machine.travel(datetime.datetime(2016, 8, 1, 9, tzinfo=datetime.UTC)):
            past = self.client.get(reverse("reports:national"), {"year": 2015})
            chosen = self.client.get(reverse("reports:national"), {"year": 2016, "period": "H1"})
        self.assertEqual((past.context["summary"].as_of, past.context["chosen_period"]), (D(2015, 12, 31), "FY"))
        self.assertNotContains(past, "Đến hôm nay")
        self.assertEqual(chosen.context["summary"].as_of, D(2016, 6, 30))
        self.assertContains(chosen, '<a href="?year=2016&amp;as_of=2016-08-01">Đến hôm nay (01/08/2016)</a>', html=True)

    def test_an_invalid_year_is_a_400_with_the_message(self):
        for year in ("abc", "1999"):
            response = self.client.get(reverse("reports:national"), {"year": year})
            self.assertEqual(response.status_code, 400)
            message = response.context["form"].errors["year"][0]
            self.assertContains(response, message, status_code=400)
            self.assertContains(response, 'class="error-summary"', status_code=400)
            self.assertNotIn("summary", response.context)

    def test_an_invalid_cut_off_is_a_400(self):
        for query in (
            {"year": 2016, "period": "Q3"},
            {"year": 2016, "as_of": "2015-12-31"},
            {"year": 2016, "as_of": "x"},
        ):
            response = self.client.get(reverse("reports:region", kwargs={"code": "south"}), query)
            self.assertEqual(response.status_code, 400, query)

    def test_unknown_regions_and_provinces_are_404(self):
        self.assertEqual(self.client.get(reverse("reports:region", kwargs={"code": "west"})).status_code, 404)
        missing = (Province.objects.order_by("-pk").first().pk or 0) + 1000
        self.assertEqual(self.client.get(reverse("reports:province", kwargs={"province_id": missing})).status_code, 404)

    def test_the_query_string_cannot_change_the_pages_scope(self):
        south = self.client.get(reverse("reports:region", kwargs={"code": "south"}), {"year": 2016, "region": "north"})
        self.assertEqual(south.status_code, 200)
        self.assertEqual(south.context["summary"].scope.region.code, "south")

    def test_the_navigation_links_to_the_dashboards(self):
        response = self.client.get(reverse("home"))
        self.assertContains(response, f'href="{reverse("reports:national")}"')


class DashboardQueryCountTests(TestCase):
    """The pages run the same number of queries for 2 provinces as for 30."""

    YEAR = 2016

    def build(self, count: int) -> list[Province]:
        """`count` provinces with plans, targets, 3 projects each, disbursements, outputs and reports."""
        provinces = list(Province.objects.filter(valid_to=D(2025, 6, 30)).order_by("code")[:count])
        indicator = factories.indicator("trained_workers")
        disbursements, outputs, periods = [], [], []
        for province in provinces:
            factories.budget_plan(province, self.YEAR, 3_000_000_000)
            factories.budget_plan(province, self.YEAR, 2_000_000_000, FundingSource.KCDP)
            factories.budget_plan(province, self.YEAR - 1, 2_500_000_000)
            factories.target(province, self.YEAR, "trained_workers", 100)
            for number in range(3):
                fund = FundingSource.KCQG if number < 2 else FundingSource.KCDP
                project = factories.project(province, self.YEAR, support_vnd=800_000_000, fund=fund)
                disbursements += [
                    Disbursement(project=project, date=D(self.YEAR, 4, 10), amount_vnd=300_000_000),
                    Disbursement(project=project, date=D(self.YEAR, 8, 10), amount_vnd=200_000_000),
                ]
                outputs.append(ProjectOutput(project=project, indicator=indicator, date=D(self.YEAR, 5, 1), value=20))
            periods.append(ReportingPeriod(province=province, year=self.YEAR, period="H1"))
        Disbursement.objects.bulk_create(disbursements)
        ProjectOutput.objects.bulk_create(outputs)
        ReportingPeriod.objects.bulk_create(periods)
        return provinces

    def assert_pages_query_count(self, provinces: list[Province]) -> None:
        self.client.force_login(factories.member("viewer"))
        region = provinces[-1].region.code
        pages = [
            reverse("reports:national"),
            reverse("reports:region", kwargs={"code": region}),
            reverse("reports:province", kwargs={"province_id": provinces[-1].pk}),
        ]
        for url in pages:
            # Expect 13 queries: session, user, the user's role, provinces (with regions), approved plans by year,
            # disbursements by year/province/fund, projects by status and fund (committed
            # support and pipeline), indicator targets, outputs, indicators, the reporting
            # calendar, reporting periods, the header's unread notifications.
            with self.subTest(url=url), self.assertNumQueries(13):
                response = self.client.get(url, {"year": self.YEAR, "period": "9M", "sort": "-completion"})
                self.assertEqual(response.status_code, 200)
                self.assertGreater(response.context["summary"].total.actual_vnd, 0)

    def test_two_provinces(self):
        self.assert_pages_query_count(self.build(2))

    def test_thirty_provinces(self):
        provinces = self.build(30)
        self.assertEqual(Disbursement.objects.count(), 180)
        self.assert_pages_query_count(provinces)
