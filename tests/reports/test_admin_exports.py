"""The admin changelists' "Tải Excel" (reports.list_views.changelist_xlsx): every row the
changelist shows, on all its pages, for the same filters, search and ordering, the same user's
scoping, with the list_display's labels and display values (money as numbers in đồng).

Each file is compared with the changelist pages themselves (`cl.result_list` of each page, read
through the test client with the same query string). Personas: staff of province A (the new
Thành phố Hồ Chí Minh, whose territory holds the old province 79) and of B (the new Hà Nội,
holding the old 01), a ministry official, a viewer (no admin access), a staff account with no
role, and anonymous visitors.
"""

import datetime
import io
from decimal import Decimal

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import load_workbook

from conferences.models import Conference
from programmes import services
from programmes.models import Disbursement, DisbursementKind, Project, ProjectStatus, Region, fund_short_label
from tests import factories
from tests.conferences import helpers
from tests.personas import PersonaTestCase

YEAR = 2025  # the old-era provinces' records: their provinces are in force until 30/06/2025
HEADER_ROW = 6
TRICKY = '=HYPERLINK("http://evil.example","bấm vào đây")'
PER_PAGE = 50  # PortalAdmin.list_per_page


def export_url(model, params: str = "") -> str:
    return reverse("exports:changelist", args=[model._meta.app_label, model._meta.model_name]) + params


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def workbook(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def data_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]


class AdminExportTestCase(PersonaTestCase):
    """The cast of tests/personas.py, and the pre-2025 provinces A and B came from."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.old_a = factories.province("79")
        cls.old_b = factories.province("01")

    def pages(self, user, model, params: dict) -> list:
        """The objects the changelist shows for `params`, page after page, in its order."""
        self.client.force_login(user)
        shown = []
        page = 1
        while True:
            response = self.client.get(changelist_url(model), {**params, "p": page})
            self.assertEqual(response.status_code, 200)
            changelist = response.context["cl"]
            shown.extend(changelist.result_list)
            if page >= changelist.paginator.num_pages:
                return shown
            page += 1

    def export(self, user, model, params: dict | None = None):
        self.client.force_login(user)
        return self.client.get(export_url(model), params or {})


def project_row(project: Project) -> list:
    """A project as its changelist row shows it: code, title, province, year, fund, activity
    category (in full), status, support and disbursed (in đồng). The fund is its short name
    (KCĐP, with its Đ), not the ASCII code."""
    return [
        project.code,
        project.title,
        str(project.province),
        project.year,
        fund_short_label(project.funding_source),
        str(project.category),
        str(project.get_status_display()),
        int(project.support_vnd),
        int(project.disbursed_vnd),
    ]


class ProjectChangelistExportTests(AdminExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        statuses = [ProjectStatus.PROPOSED, ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS]
        cls.projects = [
            factories.project(
                (cls.old_a, cls.old_b)[number % 2],
                YEAR,
                status=statuses[number % 3],
                support_vnd=100_000_000 + number * 1_000_000,
                fund=("KCQG", "KCDP")[number % 2],
            )
            for number in range(65)
        ]
        cls.tricky = factories.project(
            cls.old_a, YEAR, title=TRICKY, status=ProjectStatus.IN_PROGRESS, support_vnd=50_000_000
        )
        for project in cls.projects[2::3]:
            services.disbursement_create(project=project, date=datetime.date(YEAR, 4, 1), amount_vnd=Decimal(10**6))

    def test_the_file_holds_every_page_of_the_changelist_in_its_order(self):
        # Support largest first (`o` counts the page's columns from 0, and the page leaves the
        # category to the file; ministry officials delete nothing, so the changelist has no
        # checkbox column): two pages. The file has the category, so support is its column 7.
        params = {"o": "-6"}
        shown = self.pages(self.ministry, Project, params)
        self.assertGreater(len(shown), PER_PAGE)

        response = self.export(self.ministry, Project, params)

        self.assertRegex(response["Content-Disposition"], r'^attachment; filename="de-an-\d{8}\.xlsx"$')
        sheet = workbook(response).active
        rows = data_rows(sheet)
        self.assertEqual(rows, [project_row(project) for project in shown])
        self.assertEqual(len(rows), 66)
        supports = [row[7] for row in rows]
        self.assertEqual(supports, sorted(supports, reverse=True))
        self.assertEqual(rows[0][7], 164_000_000)
        self.assertEqual(sum(row[8] for row in rows), 1_000_000 * 21)  # 21 disbursed 1 million each
        self.assertEqual(rows[-1][1:3], [TRICKY, str(self.old_a)])
        headers = [cell.value for cell in sheet[HEADER_ROW]]
        self.assertEqual(headers[0], capfirst(Project._meta.get_field("code").verbose_name))
        self.assertEqual(headers[7], f"{gettext('Support')} (đồng)")
        self.assertEqual(sheet.cell(HEADER_ROW + 1, 8).number_format, "#,##0")
        self.assertEqual(sheet.freeze_panes, "B7")
        self.assertEqual(sheet.auto_filter.ref, f"A6:I{HEADER_ROW + 66}")

    def test_the_title_block_names_the_list_the_scope_the_filters_and_the_search(self):
        params = {"status__exact": "in_progress", "q": "Đề án thử nghiệm"}
        sheet = workbook(self.export(self.ministry, Project, params)).active
        self.assertIn(str(Project._meta.verbose_name_plural), sheet["A1"].value)
        self.assertEqual(sheet["A2"].value, gettext("Scope: %(scope)s") % {"scope": gettext("Whole country")})
        filters = sheet["A3"].value
        self.assertIn(f"{capfirst(Project._meta.get_field('status').verbose_name)}: ", filters)
        self.assertIn(str(ProjectStatus.IN_PROGRESS.label), filters)
        self.assertIn("“Đề án thử nghiệm”", filters)
        self.assertIn("Trần Thị Thu Hà", sheet["A4"].value)
        self.assertEqual(len(data_rows(sheet)), 21)  # the tricky one's title does not match

    def test_province_staff_get_their_own_territory_only(self):
        for user, own, other in ((self.staff_a, self.old_a, self.old_b), (self.staff_b, self.old_b, self.old_a)):
            with self.subTest(user=user.username):
                shown = self.pages(user, Project, {})
                rows = data_rows(workbook(self.export(user, Project)).active)
                self.assertEqual(rows, [project_row(project) for project in shown])
                self.assertEqual({row[2] for row in rows}, {str(own)})
                self.assertEqual(len(rows), Project.objects.filter(province=own).count())
                self.assertNotIn(str(other), {row[2] for row in rows})

    def test_formula_like_text_is_written_as_text(self):
        sheet = workbook(self.export(self.ministry, Project, {"q": "HYPERLINK"})).active
        cell = sheet.cell(HEADER_ROW + 1, 2)
        self.assertEqual(cell.value, TRICKY)
        self.assertEqual(cell.data_type, "s")
        self.assertTrue(cell.quotePrefix)

    def test_the_changelist_offers_the_download_with_its_query(self):
        self.client.force_login(self.ministry)
        response = self.client.get(changelist_url(Project), {"status__exact": "in_progress"})
        self.assertContains(response, f'href="{export_url(Project, "?status__exact=in_progress")}"')
        self.assertContains(response, gettext("Download Excel"))
        # Reference data has no download.
        response = self.client.get(changelist_url(Region))
        self.assertNotContains(response, "/excel/")

    def test_refusals(self):
        self.client.logout()
        response = self.client.get(export_url(Project))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("admin:login")))
        # Viewers have no admin access: the admin's login page, as for the changelist.
        response = self.export(self.viewer, Project)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("admin:login")))
        self.assertEqual(self.export(self.no_role, Project).status_code, 403)
        # Province staff have no conference pages in the admin, and no conference file.
        self.assertEqual(self.export(self.staff_a, Conference).status_code, 403)
        # Reference data and unknown lists have none.
        self.assertEqual(self.export(self.ministry, Region).status_code, 404)
        self.client.force_login(self.ministry)
        self.assertEqual(self.client.get("/quan-tri/programmes/nothing/excel/").status_code, 404)

    def test_a_filter_that_is_not_understood_sends_back_to_the_list_with_a_message(self):
        response = self.export(self.ministry, Project, {"nonsense__exact": "1"})
        self.assertRedirects(response, changelist_url(Project), fetch_redirect_response=False)
        messages = [str(message) for message in get_messages(response.wsgi_request)]
        self.assertEqual(
            messages, [gettext("The list's filters were not understood, so no Excel file was made. Filter again.")]
        )

    def test_queries_do_not_grow_with_the_rows(self):
        self.client.force_login(self.ministry)
        self.client.get(export_url(Project))  # warm the content types cache
        for params, count in (({"q": "HYPERLINK"}, 1), ({}, 66)):
            # Expect 10 queries: 1 session, 2 user, 3–4 the user's permissions (own and
            # groups'), 5 the user's role (groups, for the province scoping), 6 the category
            # filter's choices, 7 the region filter's choices, 8 the count, 9 the total count
            # (the changelist's own, for its page), 10 the rows with province and category
            # joined and the disbursed total, one query read in chunks. The year filter's
            # years are read only when a page shows them.
            with self.assertNumQueries(10):
                response = self.client.get(export_url(Project), params)
            self.assertEqual(len(data_rows(workbook(response).active)), count)


class DisbursementChangelistExportTests(AdminExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        project = factories.project(cls.old_a, YEAR, support_vnd=900_000_000, code="KCQG-2025-79-900")
        services.disbursement_create(
            project=project,
            date=datetime.date(YEAR, 4, 2),
            kind=DisbursementKind.ADVANCE,
            amount_vnd=Decimal(500_000_000),
        )
        services.disbursement_create(
            project=project,
            date=datetime.date(YEAR, 5, 6),
            kind=DisbursementKind.RECOVERY,
            amount_vnd=Decimal(120_000_000),
        )

    def test_a_recovery_counts_negative_as_on_the_page(self):
        shown = self.pages(self.ministry, Disbursement, {})
        sheet = workbook(self.export(self.ministry, Disbursement)).active
        expected = [
            [
                datetime.datetime.combine(item.date, datetime.time()),
                item.project.code,
                str(item.project.province),
                str(item.get_kind_display()),
                int(item.signed_amount_vnd),
                item.document_number or None,
            ]
            for item in shown
        ]
        self.assertEqual(data_rows(sheet), expected)
        self.assertEqual(sorted(row[4] for row in expected), [-120_000_000, 500_000_000])
        self.assertEqual(sheet.cell(HEADER_ROW + 1, 1).number_format, "dd/mm/yyyy")
        self.assertEqual(sheet.cell(HEADER_ROW + 1, 5).number_format, "#,##0")

    def test_the_date_drill_down_is_named_and_applied(self):
        sheet = workbook(self.export(self.ministry, Disbursement, {"date__year": YEAR, "date__month": 5})).active
        self.assertEqual([row[4] for row in data_rows(sheet)], [-120_000_000])
        self.assertIn(f"05/{YEAR}", sheet["A3"].value)

    def test_staff_of_another_province_get_no_rows(self):
        sheet = workbook(self.export(self.staff_b, Disbursement)).active
        self.assertEqual(data_rows(sheet), [])
        self.assertEqual(len(data_rows(workbook(self.export(self.staff_a, Disbursement)).active)), 2)


class ConferenceChangelistExportTests(AdminExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        helpers.conference(edition=7, start=datetime.date(2016, 7, 28), host="74", next_host="79")
        helpers.conference("north", edition=12, start=datetime.date(2017, 10, 5), host="25", next_host="40")

    def test_the_file_holds_the_conferences_of_the_changelist(self):
        shown = self.pages(self.ministry, Conference, {})
        sheet = workbook(self.export(self.ministry, Conference)).active
        expected = [
            [
                conference.title,
                str(conference.region),
                conference.year,
                datetime.datetime.combine(conference.start_date, datetime.time()),
                str(conference.host_province),
                str(conference.next_host_province),
                conference.organiser,
            ]
            for conference in shown
        ]
        self.assertEqual(data_rows(sheet), expected)
        self.assertEqual(len(expected), 2)
        self.assertEqual(sheet["A1"].value, gettext("List of %(things)s") % {"things": "hội nghị"})

    def test_queries_do_not_grow_with_the_conferences(self):
        self.client.force_login(self.ministry)
        self.client.get(export_url(Conference))  # warm the content types cache
        for count in (2, 5):
            while Conference.objects.count() < count:
                edition = Conference.objects.filter(region__code="north").count() + 13
                helpers.conference(
                    "north", edition=edition, start=datetime.date(2005 + edition, 10, 5), host="25", next_host=None
                )
            # Expect 9 queries: 1 session, 2 user, 3–4 the user's permissions (own and
            # groups'), 5 the role (groups) for access.can_approve, 6 the region filter's
            # choices, 7 the count, 8 the total count, 9 the rows with region and hosts joined
            # (the changelist page adds the year filter's years, which the file does not show).
            with self.assertNumQueries(9):
                response = self.client.get(export_url(Conference))
            self.assertEqual(len(data_rows(workbook(response).active)), count)
