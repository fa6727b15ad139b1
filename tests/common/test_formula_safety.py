"""Formula-safe workbooks (issue 17, item 2): text that Excel could read as a formula (first
character `=`, `+`, `-`, `@`, a tab or a carriage return) is written as quote-prefixed text in
EVERY workbook the portal produces, and the import template filled with such text re-imports
with the text intact.

One set of records carries such text in every free-text field a user can type (project titles,
units, beneficiaries, voucher and decision numbers, notes, reasons, extension centres,
conferences, papers, recommendations, awards, reported figures as printed). Then every workbook
is produced: the four lists' "Download Excel", the "Download Excel" of every admin changelist
that offers one, the dashboard's Excel report, the conference briefing, the change log and the
import template. Each cell of each is checked, and each must actually carry the tricky text
(a check over a file without it would prove nothing).
"""

import datetime
import io
import pathlib
import re
from decimal import Decimal

from django.contrib import admin
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from common import xlsx
from conferences.models import Award, Paper, RecipientKind, Recommendation, ReportedFigure
from programmes import importer, services
from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    ExtensionCentre,
    FiveYearProgramme,
    FundingSource,
    LegalForm,
    ProductCertificate,
    ProductEntry,
    ProductGroup,
    Project,
    ProjectStatus,
    SelectionLevel,
    SelectionRound,
)
from tests import factories
from tests.conferences import helpers

D = datetime.date
YEAR = 2016  # the southern conference 7 (Bình Dương, 28/07/2016) and its province's records
PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MARK = "KCX"  # in every tricky text, so that a cell holding one is found whatever its column shows


def tricky(prefix: str, field: str) -> str:
    # `=1+2`-like bodies: as typed, Excel would compute them.
    return f"{prefix}1+2 {MARK} {field}"


# The formulas the portal writes itself (the dashboard's totals row): cell references only.
OWN_FORMULA = re.compile(r'=(SUM\([A-Z]+\d+:[A-Z]+\d+\)|IF\([A-Z]+\d+=0,"–",[A-Z]+\d+/[A-Z]+\d+\))')


def load(response):
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content))


class FormulaSafetyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.province = factories.province("74")
        cls.ministry = factories.member("ministry", username="ministry")
        cls.staff = factories.member("province_staff", cls.province, username="staff")
        plan = BudgetPlan(
            province=cls.province,
            year=YEAR,
            funding_source=FundingSource.KCQG,
            planned_vnd=Decimal(10_000_000_000),
            status=ApprovalStatus.APPROVED,
            approved_on=D(YEAR, 3, 1),
            decision_number=tricky("=", "decision"),
        )
        services.budget_plan_save(plan=plan, user=cls.ministry)
        factories.target(cls.province, YEAR, "trained_workers", 100)
        for index, prefix in enumerate(PREFIXES):
            project = factories.project(
                cls.province,
                YEAR,
                support_vnd=100_000_000,
                title=tricky(prefix, "title"),
                implementing_unit=tricky(prefix, "unit"),
                beneficiary_name=tricky(prefix, "beneficiary"),
                user=cls.staff,
            )
            services.disbursement_create(
                project=project,
                date=D(YEAR, 4, 1 + index),
                amount_vnd=Decimal(10_000_000),
                document_number=tricky(prefix, "voucher"),
                user=cls.staff,
            )
            services.output_create(
                project=project,
                indicator=factories.indicator(),
                date=D(YEAR, 5, 1 + index),
                value=5,
                note=tricky(prefix, "note"),
                user=cls.staff,
            )
        done = Project.objects.filter(province=cls.province, year=YEAR).order_by("code").first()
        services.project_transition(
            project=done,
            to_status=ProjectStatus.ACCEPTED,
            date=D(YEAR, 6, 1),
            document_number=tricky("@", "transition"),
            user=cls.staff,
        )
        period = services.period_submit(province=cls.province, year=YEAR, period="H1", user=cls.staff)
        services.period_return(period=period, user=cls.ministry, reason=tricky("+", "reason"))
        ExtensionCentre.objects.create(
            province=cls.province, name=tricky("=", "centre"), director=tricky("-", "director")
        )
        conference = helpers.conference(
            venue=tricky("=", "venue"), city=tricky("+", "city"), organiser=tricky("-", "organiser")
        )
        cls.conference = conference
        Paper.objects.create(
            conference=conference, order=1, presenter=tricky("@", "presenter"), title=tricky("=", "paper"),
            province=cls.province,
        )  # fmt: skip
        Recommendation.objects.create(
            conference=conference,
            order=1,
            raised_by=tricky("\t", "raised"),
            province=cls.province,
            addressed_to="ministry",
            text=tricky("=", "recommendation"),
            response=tricky("-", "response"),
        )
        Award.objects.create(
            conference=conference,
            order=1,
            recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name=tricky("=", "recipient"),
            reason=tricky("\r", "award reason"),
            province=cls.province,
        )
        ReportedFigure.objects.create(
            conference=conference,
            figure=ReportedFigure.Figure.PLAN,
            fund="total",
            value=Decimal(1),
            quoted_as=tricky("=", "as printed"),
        )
        # The wider records (issue 19): an establishment, its link to a project, a round, an
        # entry and its certificate, each with typed text in its list's columns.
        establishment = services.establishment_create(
            province=cls.province,
            name=tricky("=", "establishment"),
            legal_form=LegalForm.COOPERATIVE,
            sector=tricky("-", "sector"),
            registered_on=D(YEAR, 1, 4),
        )
        services.project_beneficiary_add(
            project=done, establishment=establishment, note=tricky("+", "beneficiary note"), user=cls.staff
        )
        selection = services.round_save(
            round=SelectionRound(
                level=SelectionLevel.COMMUNE,
                year=YEAR,
                province=cls.province,
                commune=tricky("@", "commune"),
                held_on=D(YEAR, 8, 1),
                decision_number=tricky("=", "round decision"),
            )
        )
        entry = services.entry_save(
            entry=ProductEntry(
                round=selection,
                establishment=establishment,
                product_name=tricky("-", "product"),
                group=ProductGroup.values[0],
                average_score=Decimal(80),
            )
        )
        services.certificate_save(
            certificate=ProductCertificate(entry=entry, number=tricky("=", "certificate"), issued_on=D(YEAR, 8, 15))
        )
        services.programme_save(
            programme=FiveYearProgramme(
                level="provincial",
                province=cls.province,
                start_year=YEAR,
                title=tricky("=", "programme"),
                decision_number=tricky("-", "programme decision"),
                decided_on=D(YEAR - 1, 12, 1),
            )
        )

    def assert_safe(self, book, name: str, *, carries_text: bool = True) -> None:
        """No cell of `book` is a formula but the portal's own totals; every text cell that starts
        like one is quote-prefixed text; and (unless not `carries_text`) the tricky text is there."""
        found = 0
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    where = f"{name}, {sheet.title}!{cell.coordinate}: {value!r}"
                    if cell.data_type == "f":
                        self.assertRegex(value, OWN_FORMULA, where)
                        self.assertNotIn(MARK, value, where)
                        continue
                    if not isinstance(value, str):
                        continue
                    if MARK in value:
                        found += 1
                    # XML reads a carriage return back as a line feed: "\n" is the "\r" prefix.
                    if value.startswith((*xlsx.FORMULA_STARTS, "\n")):
                        self.assertEqual(cell.data_type, "s", where)
                        self.assertTrue(cell.quotePrefix, where)
        if carries_text:
            self.assertGreater(found, 0, f"{name} holds none of the tricky text")

    def test_the_lists_downloads(self):
        self.client.force_login(self.ministry)
        for name, params in (
            ("periods", {"year": YEAR}),
            ("completeness", {"year": YEAR}),
            ("conferences", {}),
            ("recommendations", {"status": "all"}),
        ):
            with self.subTest(export=name):
                # The completeness list holds no free text (counts and province names).
                self.assert_safe(
                    load(self.client.get(reverse(f"exports:{name}"), params)), name, carries_text=name != "completeness"
                )

    def test_every_admin_changelists_download(self):
        self.client.force_login(self.ministry)
        exported = [
            model for model, model_admin in admin.site._registry.items() if getattr(model_admin, "excel_export", False)
        ]
        self.assertGreaterEqual(len(exported), 12)
        # Their columns hold no free text a user types (codes, provinces, indicators, figures,
        # statuses); the cells are checked all the same.
        no_text = {"indicatortarget", "reportingperiod"}
        for model in exported:
            name = model._meta.model_name
            with self.subTest(model=name):
                url = reverse("exports:changelist", args=[model._meta.app_label, name])
                self.assert_safe(load(self.client.get(url)), name, carries_text=name not in no_text)

    def test_the_dashboard_report(self):
        self.client.force_login(self.ministry)
        book = load(self.client.get(reverse("reports:excel"), {"year": YEAR, "province": self.province.pk}))
        self.assert_safe(book, "dashboard")
        formulas = [
            cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
        ]
        self.assertTrue(formulas)  # its totals are the portal's own formulas, and only they

    def test_the_conference_briefing(self):
        self.client.force_login(self.ministry)
        self.assert_safe(
            load(self.client.get(reverse("briefings:briefing-xlsx", args=[self.conference.pk]))), "briefing"
        )

    def test_the_change_log(self):
        self.client.force_login(self.ministry)
        self.assert_safe(load(self.client.get(reverse("reports:audit-export"))), "change log")

    def test_the_import_template(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("programmes:import-template"), {"province": self.province.pk, "year": YEAR})
        self.assert_safe(load(response), "template")

    def test_the_template_re_imports_with_the_text_intact(self):
        data = importer.build_template(self.province, YEAR)
        book = load_workbook(io.BytesIO(data))
        projects = book[importer.PROJECT_SHEET]
        stored = dict(Project.objects.filter(province=self.province, year=YEAR).values_list("code", "title"))
        # XML reads a carriage return back as a line feed.
        self.assertEqual(
            {row[0].value: row[1].value for row in projects.iter_rows(min_row=2)},
            {code: title.replace("\r", "\n") for code, title in stored.items()},
        )
        # As is, the template imports as it came: nothing created, nothing refused; only the
        # texts that start with a tab or a line break are "updated", as the importer trims the
        # spaces around what it reads.
        report = importer.run_import(importer.read_workbook(data, "template.xlsx"), self.staff, commit=False)
        self.assertEqual(report.errors, [])
        self.assertEqual(report.counts()["created"], 0)
        self.assertEqual(len(report.sheets[importer.PROJECT_SHEET].unchanged), 4)
        self.assertEqual(len(report.sheets[importer.PROJECT_SHEET].updated), 2)

        # Filled in with new formula-like titles (typed as text) and imported.
        edited = {}
        for index, row in enumerate(projects.iter_rows(min_row=2)):
            edited[row[0].value] = tricky(PREFIXES[index], "edited")
            xlsx.put(projects, row[0].row, 2, edited[row[0].value])
        buffer = io.BytesIO()
        book.save(buffer)
        report = importer.run_import(importer.read_workbook(buffer.getvalue(), "filled.xlsx"), self.staff, commit=True)
        self.assertEqual(report.errors, [])
        self.assertTrue(report.committed)
        titles = dict(Project.objects.filter(province=self.province, year=YEAR).values_list("code", "title"))
        self.assertEqual(titles, {code: title.strip() for code, title in edited.items()})
        self.assertEqual({title[0] for title in titles.values()}, {"=", "+", "-", "@", "1"})
        # And the next template holds them as text again.
        self.assert_safe(load_workbook(io.BytesIO(importer.build_template(self.province, YEAR))), "template again")


class WriterTests(TestCase):
    def test_numbers_dates_and_decimals_stay_what_they_are(self):
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        values = [-5, Decimal("-12.50"), D(2016, 1, 2), "-3", "=1+2", "\tx", "plain"]
        for column, value in enumerate(values, start=1):
            xlsx.put(sheet, 1, column, value)
        buffer = io.BytesIO()
        book.save(buffer)
        row = next(load_workbook(buffer).active.iter_rows())
        self.assertEqual([cell.data_type for cell in row], ["n", "n", "d", "s", "s", "s", "s"])
        self.assertEqual([cell.quotePrefix for cell in row], [False, False, False, True, True, True, False])
        self.assertEqual(row[0].value, -5)
        self.assertEqual(row[4].value, "=1+2")

    def test_characters_an_xlsx_cannot_hold_are_dropped(self):
        from openpyxl import Workbook

        sheet = Workbook().active
        self.assertEqual(xlsx.put(sheet, 1, 1, "a\x00b\x07c").value, "abc")


SOURCE = pathlib.Path(__file__).resolve().parents[2]


def test_no_cell_is_written_outside_common_xlsx():
    """`.cell(…, value=…)` and `.value = …` bypass the formula-safe writer: only common/xlsx.py may."""
    pattern = re.compile(r"\.cell\([^)]*value=|\bcell\.value\s*=[^=]")
    offenders = []
    for package in ("accounts", "common", "conferences", "khuyencong", "programmes", "reports"):
        for path in (SOURCE / package).rglob("*.py"):
            if path.name == "xlsx.py" and path.parent.name == "common" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert offenders == [], offenders
