"""GET /bao-cao/excel/: the dashboard report as a workbook (reports/excel.py, reports.views.excel_export)."""

import datetime
import io
import re
from decimal import Decimal

from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from common.xlsx import DASH
from programmes import selectors, services
from programmes.models import Project, Province, Region
from reports.dashboard import excel
from reports.dashboard.api import KEYS, summary_payload
from tests import demo_db, factories

URL = reverse("reports:excel")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
D = datetime.date
SUMMARY, PROVINCES, PROJECTS, INDICATORS = range(4)
# Where each money/percentage line of the summary sheet is in the summary endpoint's JSON.
PAYLOAD_PATHS = {
    "original_plan_vnd": ("original_plan_vnd",),
    "revised_plan_growth_pct": ("revised_plan_growth_pct",),
    "plan_vnd": ("plan_vnd",),
    "actual_vnd": ("actual_vnd",),
    "completion_pct": ("completion_pct",),
    "plan_growth_pct": ("plan_growth_pct",),
    "plan_share_pct": ("share_of_national_pct", "plan"),
    "actual_share_pct": ("share_of_national_pct", "actual"),
    "disbursement_rate_pct": ("disbursement_rate_pct",),
}


def workbook(response):
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content))


def as_api(value, kind: str) -> str | None:
    """A cell value written as the summary endpoint writes it: whole đồng, or a percentage to 2 places."""
    if value == DASH:
        return None
    if kind == "money":
        return str(int(value))
    return str((Decimal(str(value)) * 100).quantize(Decimal("0.01")))


def shown(count: int | None):
    """A count as the workbook writes it: the number, or a dash where there is no data."""
    return DASH if count is None else count


def rows_by_label(sheet) -> dict[str, tuple]:
    return {str(row[0]): row for row in sheet.iter_rows(values_only=True) if row and row[0] is not None}


def header_row_of(sheet, first_header: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == first_header)


SUM_RE = re.compile(r"^=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$")


def recompute_sum(sheet, text: str) -> Decimal:
    """The value of `=SUM(X7:X26)`, added up from the cells it names."""
    match = SUM_RE.match(text)
    assert match, text
    column, first, last = match[1], int(match[2]), int(match[4])
    assert match[1] == match[3]
    index = column_index_from_string(column)
    return sum(
        (
            Decimal(str(row[0]))
            for row in sheet.iter_rows(min_row=first, max_row=last, min_col=index, max_col=index, values_only=True)
        ),
        Decimal(0),
    )


class SouthernExampleTests(TestCase):
    """The demo's southern region, H1 2016: the workbook against the summary endpoint."""

    @classmethod
    def setUpTestData(cls):
        demo_db.load()
        cls.user = factories.member("viewer", username="analyst")

    def setUp(self):
        self.client.force_login(self.user)
        self.provinces = selectors.ProvinceMap.load()

    def _summary(self, **filters):
        scope = selectors.scope_for(
            region_code=filters.get("region"), province_id=filters.get("province"), provinces=self.provinces
        )
        return selectors.summary(year=2016, as_of=D(2016, 6, 30), scope=scope, provinces=self.provinces)

    def test_the_summary_sheet_equals_the_summary_endpoint(self):
        for filters in ({"region": "south"}, {}, {"province": factories.province("74").pk}):
            with self.subTest(filters=filters):
                response = self.client.get(URL, {"year": 2016, "as_of": "2016-06-30", **filters})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], XLSX)
                self.assertIn("attachment;", response["Content-Disposition"])
                book = workbook(response)
                result = self._summary(**filters)
                payload = summary_payload(result, region=filters.get("region"), province=filters.get("province"))
                with translation.override("vi"):
                    lines = rows_by_label(book.worksheets[SUMMARY])
                    compared = 0
                    for line in excel.SUMMARY_LINES:
                        row = lines[str(line.label)]
                        path = PAYLOAD_PATHS.get(line.attribute)
                        for key, value in zip(KEYS, row[1:4], strict=True):
                            if path is None:  # not in the endpoint: the selector's own figure
                                figure = getattr(result.funds[key], line.attribute)
                                expected = None if figure is None else str(int(figure))
                            else:
                                expected = payload
                                for part in path:
                                    expected = expected[part]
                                expected = expected[key]
                            self.assertEqual(as_api(value, line.kind), expected, (line.attribute, key))
                            compared += 1
                    self.assertEqual(compared, len(excel.SUMMARY_LINES) * 3)
                    self.assertEqual(lines[translation.gettext("Provinces")][1], payload["province_count"])
                    self.assertEqual(
                        lines[translation.gettext("Projects")][1], sum(payload["projects_by_status"].values())
                    )
                    for fund in ("KCQG", "KCDP"):
                        row = lines[excel.FUND_LABELS[fund]]
                        self.assertEqual({"approved": row[1], "expected": row[2]}, payload["plans_approved"][fund])
                    names = {indicator.code: indicator.name for indicator in result.indicators}
                    for indicator in payload["indicators"]:
                        row = lines[names[indicator["code"]]]
                        self.assertEqual(row[1], indicator["unit"])
                        self.assertEqual((row[2], row[3]), (shown(indicator["target"]), shown(indicator["actual"])))
                        self.assertEqual(as_api(row[4], "pct"), indicator["completion_pct"])
                    # The indicator sheet repeats the same rows.
                    indicator_rows = rows_by_label(book.worksheets[INDICATORS])
                    for indicator in payload["indicators"]:
                        row = indicator_rows[names[indicator["code"]]]
                        self.assertEqual((row[2], row[3]), (shown(indicator["target"]), shown(indicator["actual"])))
                        self.assertEqual(as_api(row[4], "pct"), indicator["completion_pct"])

    def test_the_sum_formulas_add_up_to_the_portal_totals(self):
        response = self.client.get(URL, {"year": 2016, "region": "south", "period": "H1"})
        book = workbook(response)
        result = self._summary(region="south")
        sheet = book.worksheets[PROVINCES]
        with translation.override("vi"):
            total_row = next(cell.row for cell in sheet["A"] if cell.value == translation.gettext("Total"))
        cells = {cell.column_letter: cell.value for cell in sheet[total_row]}
        expected = {
            "D": result.total.original_plan_vnd,
            "E": result.funds["KCQG"].plan_vnd,
            "F": result.funds["KCDP"].plan_vnd,
            "G": result.total.plan_vnd,
            "H": result.funds["KCQG"].actual_vnd,
            "I": result.funds["KCDP"].actual_vnd,
            "J": result.total.actual_vnd,
        }
        for column, amount in expected.items():
            self.assertRegex(cells[column], SUM_RE)
            self.assertEqual(recompute_sum(sheet, cells[column]), amount, column)
        self.assertEqual(cells["K"], f'=IF(G{total_row}=0,"–",J{total_row}/G{total_row})')
        ratio = recompute_sum(sheet, cells["J"]) / recompute_sum(sheet, cells["G"])
        self.assertEqual(round(ratio * 100, 2), selectors.progress.round_pct(result.total.completion_pct))
        first = int(SUM_RE.match(cells["E"])[2])
        self.assertEqual(total_row - first, len(result.provinces))
        self.assertEqual(len(sheet._charts), 1)  # the plan-vs-actual chart

        projects = book.worksheets[PROJECTS]
        last = projects.max_row
        totals = {cell.column_letter: cell.value for cell in projects[last]}
        south = Province.objects.filter(region__code="south")
        raw = Project.objects.filter(year=2016, province__in=south).aggregate(
            support=Sum("support_vnd"), counterpart=Sum("counterpart_vnd")
        )
        self.assertEqual(recompute_sum(projects, totals["G"]), raw["support"])
        self.assertEqual(recompute_sum(projects, totals["H"]), raw["counterpart"])
        # Disbursed to each project up to the cut-off adds up to the scope's actual.
        self.assertEqual(recompute_sum(projects, totals["I"]), result.total.actual_vnd)
        self.assertEqual(last - int(SUM_RE.match(totals["G"])[2]), result.project_count)

    def test_layout_title_block_formats_freeze_and_filter(self):
        book = workbook(self.client.get(URL, {"year": 2016, "region": "south", "period": "H1"}))
        self.assertEqual(len(book.worksheets), 4)
        for sheet in book.worksheets:
            with self.subTest(sheet=sheet.title):
                self.assertIn("2016", sheet["A1"].value)
                self.assertIn("30/06/2016", sheet["A3"].value)
                self.assertIn("analyst", sheet["A4"].value)
                # The province sheet says under its title which provinces it lists: one row more.
                self.assertEqual(sheet.freeze_panes[1:], "8" if sheet is book.worksheets[PROVINCES] else "7")
        for index in (PROJECTS, INDICATORS):
            self.assertTrue(book.worksheets[index].auto_filter.ref.startswith("A6:"))
        provinces = book.worksheets[PROVINCES]
        self.assertTrue(provinces.auto_filter.ref.startswith("A7:"))
        self.assertIn("30/06/2016", provinces["A5"].value)
        self.assertEqual(provinces["E8"].number_format, "#,##0")
        self.assertEqual(provinces["K8"].number_format, "0.00%")

    def test_every_percentage_says_what_it_divides_by(self):
        # Issue 13: "every percentage on a page or in a workbook says in a few words what it
        # divides by". A percentage cell's words are its row's label (the summary's lines) or its
        # column's heading (the tables); one of them names its divisor ("so với …") or the whole
        # it is a share of ("Tỷ trọng trong …").
        def says_its_basis(words) -> bool:
            return isinstance(words, str) and (" so với " in words or words.startswith("Tỷ trọng trong "))

        book = workbook(self.client.get(URL, {"year": 2016, "as_of": "2016-06-30", "region": "south"}))
        checked = 0
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if not isinstance(cell.value, int | float) or "%" not in cell.number_format:
                        continue
                    label = sheet.cell(row=cell.row, column=1).value
                    heading = next(
                        sheet.cell(row=r, column=cell.column).value
                        for r in range(cell.row - 1, 0, -1)
                        if isinstance(sheet.cell(row=r, column=cell.column).value, str)
                    )
                    self.assertTrue(
                        says_its_basis(label) or says_its_basis(heading), (sheet.title, cell.coordinate, label)
                    )
                    checked += 1
        self.assertGreater(checked, 40)  # the summary's six lines by fund, each province, each indicator


class ContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.binh_duong = factories.province("74")
        factories.budget_plan(cls.binh_duong, 2016, 1_000)
        cls.tricky = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd"]
        for title in cls.tricky:
            factories.project(cls.binh_duong, 2016, support_vnd=100, title=title)
        project = Project.objects.filter(year=2016).first()
        services.disbursement_create(project=project, date=D(2016, 4, 1), amount_vnd=Decimal(70))
        services.disbursement_create(project=project, date=D(2016, 8, 1), amount_vnd=Decimal(20))
        cls.staff = factories.member("province_staff", cls.binh_duong, username="bd")

    def test_formula_like_text_is_written_as_text(self):
        self.client.force_login(self.staff)
        book = workbook(self.client.get(URL, {"year": 2016, "province": self.binh_duong.pk}))
        sheet = book.worksheets[PROJECTS]
        titles = {}
        for row in sheet.iter_rows(min_row=7, max_row=sheet.max_row - 1):
            titles[row[1].value] = row[1]
        # XML reads a carriage return back as a line feed; the cell is still text.
        self.assertEqual(set(titles), {title.replace("\r", "\n") for title in self.tricky})
        for cell in titles.values():
            self.assertEqual(cell.data_type, "s")
            self.assertTrue(cell.quotePrefix)

    def test_disbursed_is_cut_at_the_cut_off(self):
        self.client.force_login(self.staff)
        book = workbook(self.client.get(URL, {"year": 2016, "province": self.binh_duong.pk, "period": "H1"}))
        sheet = book.worksheets[PROJECTS]
        self.assertEqual(recompute_sum(sheet, sheet.cell(sheet.max_row, 9).value), 70)
        summary = rows_by_label(book.worksheets[SUMMARY])
        with translation.override("vi"):
            disbursed = next(line for line in excel.SUMMARY_LINES if line.attribute == "actual_vnd")
            self.assertEqual(summary[str(disbursed.label)][1], 70)


class AccessTests(TestCase):
    """Two provinces: staff of one get their own file and 403 for the other, a region and the nation."""

    @classmethod
    def setUpTestData(cls):
        cls.binh_duong, cls.dong_nai = factories.province("74"), factories.province("75")
        cls.staff = factories.member("province_staff", cls.binh_duong, username="bd")
        cls.other = factories.member("province_staff", cls.dong_nai, username="dn")
        factories.project(cls.dong_nai, 2016, title="Đề án Đồng Nai")
        factories.project(cls.binh_duong, 2016, title="Đề án Bình Dương")

    def test_province_staff_download_their_own_province_only(self):
        self.client.force_login(self.staff)
        own = self.client.get(URL, {"year": 2016, "province": self.binh_duong.pk})
        self.assertEqual(own.status_code, 200)
        titles = [row[1] for row in workbook(own).worksheets[PROJECTS].iter_rows(min_row=7, values_only=True)]
        self.assertEqual(titles[:-1], ["Đề án Bình Dương"])
        for params in ({"province": self.dong_nai.pk}, {}, {"region": "south"}):
            with self.subTest(params=params):
                self.assertEqual(self.client.get(URL, {"year": 2016, **params}).status_code, 403)

    def test_the_other_province_mirrors_it(self):
        self.client.force_login(self.other)
        self.assertEqual(self.client.get(URL, {"year": 2016, "province": self.dong_nai.pk}).status_code, 200)
        self.assertEqual(self.client.get(URL, {"year": 2016, "province": self.binh_duong.pk}).status_code, 403)

    def test_anonymous_visitors_go_to_the_login_page(self):
        response = self.client.get(URL, {"year": 2016})
        self.assertEqual(response.status_code, 302)
        self.assertIn("next=", response["Location"])

    def test_a_user_without_a_role_gets_403(self):
        self.client.force_login(factories.user("nobody"))
        self.assertEqual(self.client.get(URL, {"year": 2016}).status_code, 403)

    def test_bad_filters_get_a_400_page_with_the_message(self):
        self.client.force_login(factories.member("viewer", username="analyst"))
        with translation.override("vi"):
            response = self.client.get(URL, {"year": 2016, "region": "west"}, headers={"accept-language": "vi"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Không có vùng “west”.", status_code=400)
        response = self.client.get(URL, {"year": 2016, "as_of": "2015-12-31"})
        self.assertEqual(response.status_code, 400)

    def test_the_dashboards_link_to_the_workbook_with_their_filters(self):
        self.client.force_login(factories.member("viewer", username="analyst"))
        pages = [
            (reverse("reports:national"), ""),
            (reverse("reports:region", kwargs={"code": "south"}), "&amp;region=south"),
            (
                reverse("reports:province", kwargs={"province_id": self.binh_duong.pk}),
                f"&amp;province={self.binh_duong.pk}",
            ),
        ]
        for path, scope in pages:
            with self.subTest(path=path):
                response = self.client.get(path, {"year": 2016, "period": "H1"})
                self.assertContains(response, f'href="{URL}?year=2016&amp;period=H1{scope}"')


class QueryCountTests(TestCase):
    def _fill(self, start, stop):
        for province in Province.objects.filter(valid_to__isnull=False).order_by("code")[start:stop]:
            factories.budget_plan(province, 2016, 10**9)
            factories.target(province, 2016, "trained_workers", 10)
            for _ in range(3):
                project = factories.project(province, 2016, status_date=D(2016, 3, 1))
                services.disbursement_create(project=project, date=D(2016, 4, 1), amount_vnd=Decimal(1000))
                services.output_create(project=project, indicator=factories.indicator(), date=D(2016, 5, 1), value=1)

    def test_the_export_runs_the_same_queries_for_2_and_30_provinces(self):
        self.client.force_login(factories.member("viewer", username="analyst"))
        region = Region.objects.get(code="north")
        for start, stop in ((0, 2), (2, 32)):
            self._fill(start, stop)
            # Expect 10 queries: session, user, the user's role (groups); provinces with regions
            # (ProvinceMap); the summary selector's 5 with that map (approved plans with
            # disbursements in one UNION ALL, projects by status and fund, indicators with
            # their targets and outputs, the reporting calendar, reporting periods); the
            # scope's projects with province, category and disbursed up to the cut-off (one
            # query, read in chunks).
            with self.assertNumQueries(10):
                response = self.client.get(URL, {"year": 2016, "region": region.code})
                book = workbook(response)
            self.assertEqual(response.status_code, 200)
            projects = Project.objects.filter(year=2016, province__region=region).count()
            self.assertGreaterEqual(projects, 6 if stop == 2 else 60)
            self.assertEqual(book.worksheets[PROJECTS].max_row, 6 + projects + 1)


class NoDataTests(TestCase):
    """Issue 13, item 7 in the workbook: a figure with no record behind it is a dash with the
    note saying so, never 0 or 0 %."""

    def test_a_plan_without_projects_gives_dashes_and_the_note(self):
        province = factories.province("01", new_era=True)
        factories.budget_plan(province, 2026, 2_000_000_000, approved_on=D(2026, 2, 1))
        self.client.force_login(factories.member("viewer", username="reader"))
        with translation.override("vi"):
            response = self.client.get(URL, {"year": 2026, "province": province.pk}, HTTP_ACCEPT_LANGUAGE="vi")
            self.assertEqual(response.status_code, 200)
            sheet = workbook(response).worksheets[SUMMARY]
            texts = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
            self.assertIn(excel.no_data_note(), texts)
            rows = rows_by_label(sheet)
            labels = {line.attribute: str(line.label) for line in excel.SUMMARY_LINES}
        # Columns: the figure, Total, KCQG, KCĐP.
        self.assertEqual(rows[labels["plan_vnd"]][1:4], (2_000_000_000, 2_000_000_000, DASH))
        # No project: nothing was due, so neither an amount disbursed nor a completion, not 0.
        self.assertEqual(rows[labels["actual_vnd"]][1:4], (DASH, DASH, DASH))
        self.assertEqual(rows[labels["completion_pct"]][1:4], (DASH, DASH, DASH))
