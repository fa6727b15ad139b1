"""The lists' "Download Excel": reporting periods, completeness of reports, conferences and the
recommendations tracker (reports/list_excel.py, reports/list_views.py).

Each export is compared cell by cell with the rows its page shows (the page's own context,
read through the test client with the same query string), then checked for scoping (two
provinces), refusals, formula-like text and a query count that does not grow with the data.
"Today" is 10/07/2026, as in tests/programmes/test_workflow_views.py.
"""

import datetime
import io
import tempfile
import tracemalloc

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from common import list_excel
from common.i18n import localized
from conferences.models import Addressee, Conference, Recommendation, RecommendationStatus
from programmes import exports
from programmes.models import Period, Province, ReportingPeriod, province_label
from programmes.rules.progress import round_pct
from tests.conferences import helpers
from tests.personas import PersonaTestCase

D = datetime.date
YEAR = 2026
TODAY = datetime.datetime(2026, 7, 10, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 6  # the title, scope, filters and "generated" lines, a blank row, then the headers
TRICKY = '=HYPERLINK("http://evil.example","bấm vào đây")'


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def data_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


def header(sheet) -> list:
    return [cell.value for cell in sheet[HEADER_ROW]]


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def naive(year: int, month: int, day: int, *time: int) -> datetime.datetime:
    """A moment as Excel stores it: no time zone (the portal's own)."""
    return datetime.datetime.combine(D(year, month, day), datetime.time(*time))


def blank(value):
    """A value as the file stores it: empty text is an empty cell."""
    return None if value == "" else value


class ListExportTestCase(PersonaTestCase):
    """The cast of tests/personas.py; the user with no role is not staff (these are pages)."""

    NO_ROLE_IS_STAFF = False

    def export(self, user, name: str, params=None):
        self.client.force_login(user)
        return self.client.get(reverse(f"exports:{name}"), params or {})

    def assert_refusals(self, name: str, refused=()):
        """Anonymous visitors go to the login page; users without a role (and `refused`) get 403."""
        self.client.logout()
        url = reverse(f"exports:{name}")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(f"{reverse('login')}?next="))
        for user in (self.no_role, *refused):
            with self.subTest(user=user.username):
                self.assertEqual(self.export(user, name).status_code, 403)

    def assert_text_cell(self, cell, value: str):
        self.assertEqual(cell.value, value)
        self.assertEqual(cell.data_type, "s")
        self.assertTrue(cell.quotePrefix)


def figure_cells(figures) -> list:
    """An approved report's figures as the file should hold them: the total plan as revised and
    disbursed as approved and now (whole đồng), and the figures that changed, one a line."""
    if figures is None:
        return [None] * 5
    amounts = [figures.plan.approved, figures.actual.approved, figures.plan.live, figures.actual.live]
    return [None if value is None else int(value) for value in amounts] + [blank(exports._changes(figures))]


@time_machine.travel(TODAY, tick=False)
class PeriodExportTests(ListExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.report(cls.a, "H1", ReportingPeriod.Status.SUBMITTED, submitted_by=cls.staff_a)
        cls.report(cls.b, "H1", ReportingPeriod.Status.APPROVED, submitted_by=cls.staff_b, approved_by=cls.ministry)
        cls.sent_back = cls.report(cls.a, "FY", ReportingPeriod.Status.OPEN, status_reason=TRICKY)

    @classmethod
    def report(cls, province, period, status, **fields):
        stamps = {}
        if fields.get("submitted_by"):
            stamps["submitted_at"] = timezone.now() - datetime.timedelta(days=2)
        if fields.get("approved_by"):
            stamps["approved_at"] = timezone.now() - datetime.timedelta(days=1)
        return ReportingPeriod.objects.create(
            province=province, year=YEAR, period=period, status=status, **stamps, **fields
        )

    def page_rows(self, user, params) -> tuple[list[list], bool]:
        """The rows the list page shows for `params`, as the file should hold them."""
        self.client.force_login(user)
        page = self.client.get(reverse("programmes:periods"), params)
        self.assertEqual(page.status_code, 200)
        nationwide = page.context["nationwide"]
        rows = []
        for group in page.context["groups"]:
            for row in group.rows:
                region = [localized(row.province.region.name, row.province.region.name_en)] if nationwide else []
                reason = row.record.status_reason if row.status == "open" and row.record else ""
                lateness = {"late": gettext("Late"), "overdue": gettext("Overdue")}.get(row.lateness, "")
                rows.append(
                    [
                        group.label,
                        province_label(row.province, YEAR),
                        *region,
                        row.status_label,
                        blank(reason),
                        local(row.submitted_at),
                        blank(row.submitted_by),
                        local(row.approved_at),
                        blank(row.approved_by),
                        datetime.datetime.combine(row.due, datetime.time()),
                        blank(lateness),
                        *figure_cells(row.figures),
                    ]
                )
        return rows, nationwide

    def test_the_file_holds_the_rows_of_the_page(self):
        params = {"year": YEAR}
        expected, _nationwide = self.page_rows(self.ministry, params)

        response = self.export(self.ministry, "periods", params)

        self.assertEqual(response["Content-Disposition"], 'attachment; filename="ky-bao-cao-2026-20260710.xlsx"')
        sheet = workbook(response).active
        self.assertEqual(data_rows(sheet), expected)
        self.assertEqual(len(expected), 3 * 34)  # every province in force, each period
        self.assertEqual(sheet["A1"].value, gettext("Reporting periods %(year)s") % {"year": YEAR})
        self.assertEqual(sheet["A2"].value, gettext("Scope: %(scope)s") % {"scope": gettext("Whole country")})
        self.assertTrue(sheet["A4"].value.startswith(gettext("Generated on %(date)s by %(user)s").split("%")[0]))
        self.assertIn("Trần Thị Thu Hà", sheet["A4"].value)
        self.assertEqual(header(sheet)[1], gettext("Province"))
        self.assertEqual(sheet.freeze_panes, "B7")
        self.assertEqual(sheet.auto_filter.ref, f"A6:P{HEADER_ROW + len(expected)}")
        # Hồ Chí Minh City's 6-month report: submitted two days ago by its officer, not yet due.
        hcm = next(row for row in data_rows(sheet) if row[1] == self.a.name and row[0] == str(Period.H1.label))
        self.assertEqual(hcm[3], str(ReportingPeriod.Status.SUBMITTED.label))
        self.assertEqual(hcm[5], naive(2026, 7, 8, 9, 0))
        self.assertEqual(hcm[6], "Võ Thị Ngọc Lan")
        self.assertEqual(hcm[9], naive(2026, 7, 15))
        self.assertIsNone(hcm[10])
        row = HEADER_ROW + 1 + data_rows(sheet).index(hcm)
        self.assertEqual(sheet.cell(row, 6).number_format, list_excel.MINUTES_FORMAT)
        self.assertEqual(sheet.cell(row, 10).number_format, "dd/mm/yyyy")

    def test_the_filters_are_the_pages_and_are_named_in_the_title_block(self):
        params = {"year": YEAR, "region": self.a.region.code, "status": "submitted", "period": "H1"}
        expected, _nationwide = self.page_rows(self.viewer, params)

        sheet = workbook(self.export(self.viewer, "periods", params)).active

        self.assertEqual(data_rows(sheet), expected)
        self.assertEqual([row[1] for row in expected], [self.a.name])
        filters = sheet["A3"].value
        self.assertIn(localized(self.a.region.name, self.a.region.name_en), filters)
        self.assertIn(str(ReportingPeriod.Status.SUBMITTED.label), filters)

    def test_province_staff_get_their_own_province_only(self):
        for user, own, other in ((self.staff_a, self.a, self.b), (self.staff_b, self.b, self.a)):
            with self.subTest(user=user.username):
                expected, nationwide = self.page_rows(user, {"year": YEAR, "region": other.region.code})
                sheet = workbook(self.export(user, "periods", {"year": YEAR, "region": other.region.code})).active
                rows = data_rows(sheet)
                self.assertFalse(nationwide)
                self.assertEqual(rows, expected)
                self.assertEqual({row[1] for row in rows}, {own.name})
                self.assertEqual(len(rows), 3)
                self.assertNotIn(gettext("Region"), header(sheet))
                self.assertIn(own.name, sheet["A2"].value)

    def test_formula_like_text_is_written_as_text(self):
        sheet = workbook(self.export(self.ministry, "periods", {"year": YEAR, "period": "FY"})).active
        row = next(row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[1].value == self.a.name)
        self.assert_text_cell(row[4], TRICKY)

    def test_refusals(self):
        self.assert_refusals("periods")

    def test_filters_that_are_not_understood_give_the_page_with_its_message(self):
        response = self.export(self.ministry, "periods", {"year": "hai nghìn", "period": "Q3"})

        self.assertEqual(response.status_code, 400)
        self.assertContains(response, gettext("Some filters were not understood and were left out"), status_code=400)

    def test_queries_do_not_grow_with_the_reports(self):
        self.client.force_login(self.ministry)
        provinces = list(Province.objects.active_on(D(YEAR, 6, 30)).order_by("code"))
        for count in (2, 25):
            ReportingPeriod.objects.all().delete()
            for province in provinces[:count]:
                self.report(province, "H1", ReportingPeriod.Status.APPROVED, submitted_by=self.staff_a,
                            approved_by=self.ministry)  # fmt: skip
            # Expect 6 queries, as the page without its header: 1 session, 2 user, 3 the user's
            # role (groups), 4 every province with its region (ProvinceMap), 5 the reporting
            # calendar, 6 the year's reports with who submitted and approved them.
            with self.assertNumQueries(6):
                response = self.client.get(reverse("exports:periods"), {"year": YEAR})
            rows = data_rows(workbook(response).active)
            self.assertEqual(sum(row[8] == "Trần Thị Thu Hà" for row in rows), count)


@time_machine.travel(TODAY, tick=False)
class CompletenessExportTests(ListExportTestCase):
    def make_reports(self, count: int) -> None:
        provinces = list(Province.objects.active_on(D(YEAR, 6, 30)).order_by("code"))[:count]
        for number, province in enumerate(provinces):
            ReportingPeriod.objects.create(
                province=province,
                year=YEAR,
                period="H1",
                status=(ReportingPeriod.Status.SUBMITTED, ReportingPeriod.Status.APPROVED)[number % 2],
                # Sent on 10/07, 07/07 or 04/07 against a deadline of 05/07: two in three are late.
                submitted_at=timezone.now() - datetime.timedelta(days=number % 3 * 3),
                deadline=D(YEAR, 7, 5),
            )

    def test_the_file_holds_the_figures_of_the_page(self):
        self.make_reports(12)
        self.client.force_login(self.viewer)
        page = self.client.get(reverse("programmes:completeness"), {"year": YEAR})
        expected = [
            [
                group.label,
                localized(line.region.name, line.region.name_en),
                line.figures.expected,
                line.figures.submitted,
                float(round_pct(line.figures.submitted_pct) / 100),
                line.figures.approved,
                line.figures.late,
                blank(", ".join(province.name for province, _url in line.missing)),
            ]
            for group in page.context["groups"]
            for line in group.lines
        ]

        response = self.export(self.viewer, "completeness", {"year": YEAR})

        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="tinh-hinh-nop-bao-cao-2026-20260710.xlsx"'
        )
        sheet = workbook(response).active
        rows = data_rows(sheet)
        self.assertEqual(
            [[*row[:4], round(row[4], 6), *row[5:]] for row in rows],
            [[*row[:4], round(row[4], 6), *row[5:]] for row in expected],
        )
        h1 = [row for row in rows if row[0] == rows[0][0]]
        self.assertEqual(sum(row[2] for row in h1), 34)
        self.assertEqual(sum(row[3] for row in h1), 12)
        self.assertEqual(sum(row[5] for row in h1), 6)
        self.assertEqual(sum(row[6] for row in h1), 8)
        self.assertIn(self.a.name, " ".join(row[7] or "" for row in h1))  # Hồ Chí Minh City has not submitted
        self.assertEqual(sheet.cell(HEADER_ROW + 1, 5).number_format, "0.00%")
        self.assertEqual(sheet.cell(HEADER_ROW + 1, 3).number_format, "#,##0")

    def test_region_names_that_look_like_formulas_are_text(self):
        region = self.a.region
        region.name = TRICKY
        region.save()
        sheet = workbook(self.export(self.ministry, "completeness", {"year": YEAR})).active
        cells = [row[1] for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[1].value == TRICKY]
        self.assertEqual(len(cells), 3)  # one line per period
        for cell in cells:
            self.assert_text_cell(cell, TRICKY)

    def test_refusals(self):
        self.assert_refusals("completeness", refused=(self.staff_a, self.staff_b))

    def test_a_year_that_is_not_understood_gives_the_page_with_its_message(self):
        response = self.export(self.ministry, "completeness", {"year": "1800"})
        self.assertContains(response, gettext("Some filters were not understood and were left out"), status_code=400)

    def test_queries_do_not_grow_with_the_reports(self):
        self.client.force_login(self.ministry)
        for count in (2, 30):
            ReportingPeriod.objects.all().delete()
            self.make_reports(count)
            # Expect 8 queries, as the page without its header: 1 session, 2 user, 3 the user's
            # role (groups), 4 every province with its region (ProvinceMap, shared), 5 the
            # reporting calendar (shared); 6–8 per region (3) its reports of the year
            # (selectors.reporting_completeness).
            with self.assertNumQueries(8):
                response = self.client.get(reverse("exports:completeness"), {"year": YEAR})
            rows = data_rows(workbook(response).active)
            self.assertEqual(sum(row[3] for row in rows if row[0] == rows[0][0]), count)


class ConferenceExportTests(ListExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.south_7 = helpers.conference(edition=7, start=D(2016, 7, 28), host="74", next_host="79", city=TRICKY)
        cls.south_8 = helpers.conference(edition=8, start=D(2017, 9, 21), host="80", next_host="82")
        cls.north = helpers.conference("north", edition=12, start=D(2017, 10, 5), host="25", next_host="40")

    def expected(self, user) -> list[list]:
        self.client.force_login(user)
        page = self.client.get(reverse("conferences:conference-list"))
        rows = []
        for chain in page.context["chains"]:
            for link in chain.links:
                conference = link.conference
                following = conference.next_host_province
                note = ""
                if link.handover_kept is False:
                    note = gettext("The %(year)s conference was held in %(province)s.") % {
                        "year": link.handover_year,
                        "province": link.following.host_province.name,
                    }
                rows.append(
                    [
                        localized(chain.region.name, chain.region.name_en),
                        conference.edition_roman,
                        conference.year,
                        datetime.datetime.combine(conference.start_date, datetime.time()),
                        conference.host_province.name,
                        blank(conference.city),
                        following.name if following else None,
                        link.handover_year if following else None,
                        blank(note),
                    ]
                )
        return rows

    def test_the_file_holds_the_conferences_of_the_page(self):
        expected = self.expected(self.ministry)

        sheet = workbook(self.export(self.ministry, "conferences")).active

        rows = data_rows(sheet)
        self.assertEqual(rows, expected)
        self.assertEqual(len(rows), 3)
        # The 2016 southern conference handed the flag to Hồ Chí Minh City, but 2017's was in Đồng Nai.
        south_2016 = next(row for row in rows if row[2] == 2016)
        self.assertEqual(south_2016[1:5], ["VII", 2016, naive(2016, 7, 28), self.south_7.host_province.name])
        self.assertEqual(south_2016[6:8], [self.south_7.next_host_province.name, 2017])
        self.assertIn(self.south_8.host_province.name, south_2016[8])
        self.assertEqual(sheet["A1"].value, gettext("Regional conferences"))

    def test_province_staff_read_every_conference_as_on_the_page(self):
        # Conferences are public within the portal (conferences.views.may_view_conferences).
        for user in (self.staff_a, self.staff_b):
            with self.subTest(user=user.username):
                rows = data_rows(workbook(self.export(user, "conferences")).active)
                self.assertEqual(rows, self.expected(user))
                self.assertEqual(len(rows), 3)

    def test_formula_like_text_is_written_as_text(self):
        sheet = workbook(self.export(self.viewer, "conferences")).active
        row = next(row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[2].value == 2016)
        self.assert_text_cell(row[5], TRICKY)

    def test_refusals(self):
        self.assert_refusals("conferences")

    def test_queries_do_not_grow_with_the_conferences(self):
        self.client.force_login(self.viewer)
        edition = 13
        for count in (3, 8):
            while Conference.objects.count() < count:
                helpers.conference("north", edition=edition, start=D(2005 + edition, 10, 5), host="25", next_host=None)
                edition += 1
            # Expect 5 queries, as the page: 1 session, 2 user, 3 the user's role (groups),
            # 4 the regions, 5 the conferences with their region and hosts.
            with self.assertNumQueries(5):
                response = self.client.get(reverse("exports:conferences"))
            self.assertEqual(len(data_rows(workbook(response).active)), count)


class RecommendationExportTests(ListExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.conference = helpers.conference(edition=7, start=D(2016, 7, 28), host="74", next_host="79")
        helpers.with_parts(cls.conference, papers=0, recommendations=3, collectives=0, people=0)
        cls.tricky = Recommendation.objects.create(
            conference=cls.conference,
            order=9,
            raised_by="@Sở Công Thương",
            addressed_to=Addressee.MINISTRY,
            text=TRICKY,
            status=RecommendationStatus.OPEN,
        )

    def expected(self, user, params) -> list[list]:
        self.client.force_login(user)
        page = self.client.get(reverse("conferences:recommendation-list"), params)
        self.assertEqual(page.status_code, 200)
        return [
            [
                f"{localized(item.conference.region.name, item.conference.region.name_en)} "
                f"{item.conference.edition_roman}",
                datetime.datetime.combine(item.conference.start_date, datetime.time()),
                item.text,
                item.raised_by,
                item.addressee_label,
                str(item.get_status_display()),
                datetime.datetime.combine(item.resolved_on, datetime.time()) if item.resolved_on else None,
                blank(item.response),
            ]
            for item in page.context["rows"]
        ]

    def test_the_file_holds_the_rows_of_the_page_for_each_filter(self):
        for params, count in (
            ({}, 3),
            ({"status": "all"}, 4),
            ({"status": "resolved"}, 1),
            ({"addressed_to": "ministry"}, 2),
        ):
            with self.subTest(params=params):
                expected = self.expected(self.ministry, params)
                sheet = workbook(self.export(self.ministry, "recommendations", params)).active
                self.assertEqual(data_rows(sheet), expected)
                self.assertEqual(len(expected), count)
        resolved = data_rows(workbook(self.export(self.ministry, "recommendations", {"status": "resolved"})).active)
        self.assertEqual(resolved[0][5], str(RecommendationStatus.RESOLVED.label))
        self.assertEqual(resolved[0][6], naive(2016, 8, 27))
        self.assertEqual(resolved[0][7], "Đã trả lời")

    def test_the_title_block_names_the_filters(self):
        sheet = workbook(self.export(self.viewer, "recommendations", {"addressed_to": "ministry"})).active
        self.assertEqual(sheet["A1"].value, gettext("Recommendations tracker"))
        self.assertIn(str(Addressee.MINISTRY.label), sheet["A3"].value)
        self.assertIn(gettext("Not resolved yet"), sheet["A3"].value)  # the default status

    def test_province_staff_read_the_tracker_as_on_the_page(self):
        rows = data_rows(workbook(self.export(self.staff_a, "recommendations", {"status": "all"})).active)
        self.assertEqual(rows, self.expected(self.staff_a, {"status": "all"}))

    def test_formula_like_text_is_written_as_text(self):
        sheet = workbook(self.export(self.viewer, "recommendations")).active
        row = next(row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[2].value == TRICKY)
        self.assert_text_cell(row[2], TRICKY)
        self.assert_text_cell(row[3], "@Sở Công Thương")

    def test_refusals(self):
        self.assert_refusals("recommendations")

    def test_filters_that_are_not_understood_give_the_tracker_with_its_message(self):
        response = self.export(self.ministry, "recommendations", {"status": "lost"})
        self.assertContains(response, gettext("Check the filters"), status_code=400)

    def test_queries_do_not_grow_with_the_recommendations(self):
        self.client.force_login(self.viewer)
        for more in (0, 30):
            helpers.with_parts(self.conference, papers=0, recommendations=more, collectives=0, people=0)
            # Expect 4 queries, as the page: 1 session, 2 user, 3 the user's role (groups),
            # 4 the recommendations with their conference, region and province.
            with self.assertNumQueries(4):
                response = self.client.get(reverse("exports:recommendations"), {"status": "all"})
            self.assertEqual(len(data_rows(workbook(response).active)), Recommendation.objects.count())


class WorkbookTests(TestCase):
    """The writer itself (no request): widths, heights of wrapped rows, number formats."""

    def test_long_text_rows_are_as_high_as_their_text(self):
        columns = [
            list_excel.Column("Tên", 12),
            list_excel.Column("Nội dung", 20, list_excel.LONG_TEXT),
            list_excel.Column("Kinh phí", 20, list_excel.MONEY),
        ]
        output = io.BytesIO()
        count = list_excel.list_workbook(
            output,
            title="Danh sách",
            heading=["Phạm vi: Cả nước"],
            columns=columns,
            rows=[["a", "ngắn", 1_250_000_000], ["b", "một nội dung dài " * 6, None]],
        )
        self.assertEqual(count, 2)
        sheet = load_workbook(io.BytesIO(output.getvalue())).active
        self.assertEqual(sheet.column_dimensions["B"].width, 20)
        first, second = 5, 6  # title, one heading line, a blank row, the headers
        self.assertEqual(sheet.cell(first, 3).value, 1_250_000_000)
        self.assertEqual(sheet.cell(first, 3).number_format, "#,##0")
        self.assertIsNone(sheet.cell(second, 3).value)
        self.assertIsNone(sheet.row_dimensions[first].height)
        # 24 words of 3 or 4 letters, five to a line of 22 characters (20 units × 1.1): 5 lines of 15 points.
        self.assertEqual(sheet.row_dimensions[second].height, 5 * 15)
        self.assertEqual(sheet.cell(second, 1).alignment.vertical, "top")
        self.assertEqual(sheet.page_setup.orientation, "landscape")

    def test_memory_stays_flat_whatever_the_number_of_rows(self):
        columns = [
            list_excel.Column("Mã", 18),
            list_excel.Column("Tên đề án", 40, list_excel.LONG_TEXT),
            list_excel.Column("Ngày", 12, list_excel.DATE),
            list_excel.Column("Kinh phí", 20, list_excel.MONEY),
        ]

        def peak(count: int) -> int:
            rows = (
                [f"KCQG-2026-79-{n:05}", "Hỗ trợ ứng dụng máy móc thiết bị trong chế biến " * 2, D(2026, 3, 1), n]
                for n in range(count)
            )
            with tempfile.TemporaryFile() as output:
                tracemalloc.start()
                try:
                    written = list_excel.list_workbook(output, title="Đề án", heading=[], columns=columns, rows=rows)
                    most = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
            self.assertEqual(written, count)
            return most

        small, large = peak(500), peak(5_000)
        # About 0.4 MB either way; held in memory, 5,000 rows of tall, styled cells and their
        # row heights would take several megabytes.
        self.assertLess(large - small, 512 * 1024, (small, large))
