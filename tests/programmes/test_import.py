"""The Excel import (programmes.importer, its pages and the import_workbook command).

Messages are compared with the importer's own message functions, so the tests hold whether the
Vietnamese catalogue is compiled or not.
"""

import datetime
import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from programmes import importer, services
from programmes.models import (
    BudgetPlan,
    Disbursement,
    DisbursementKind,
    IndicatorTarget,
    Project,
    ProjectOutput,
    ProjectStatus,
    ProjectTransition,
)
from tests import factories

YEAR = 2024


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (BudgetPlan, IndicatorTarget, Project, ProjectTransition, Disbursement, ProjectOutput)
    )


def edited(data: bytes, sheet: str, cell: str, value) -> bytes:
    """`data` with one cell of one sheet changed."""
    wb = load_workbook(io.BytesIO(data))
    wb[sheet][cell] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def appended(data: bytes, sheet: str, row: list) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb[sheet].append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def state(province, year: int) -> dict:
    """The imported fields of every record of the province-year, for before/after comparisons."""
    projects = Project.objects.filter(province=province, year=year)
    return {
        "plans": sorted(
            BudgetPlan.objects.filter(province=province, year=year).values_list("funding_source", "planned_vnd")
        ),
        "targets": sorted(
            IndicatorTarget.objects.filter(province=province, year=year).values_list("indicator__code", "target")
        ),
        "projects": sorted(
            projects.values_list(
                "code",
                "title",
                "funding_source",
                "category__code",
                "project_type",
                "status",
                "status_changed_on",
                "support_vnd",
                "counterpart_vnd",
                "implementing_unit",
                "beneficiary_name",
            )
        ),
        "disbursements": sorted(
            Disbursement.objects.filter(project__in=projects).values_list(
                "project__code", "date", "kind", "amount_vnd", "document_number"
            )
        ),
        "outputs": sorted(
            ProjectOutput.objects.filter(project__in=projects).values_list(
                "project__code", "indicator__code", "date", "value"
            )
        ),
    }


def cell_values(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cell values, row by row (the _meta sheet's generation time excepted)."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
        if sheet.title != "_meta"
    }


class ImportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hcm = factories.province("79")
        cls.hcm_new = factories.province("79", new_era=True)
        cls.hanoi = factories.province("01", new_era=True)
        cls.officer = factories.member("province_staff", cls.hcm_new, username="officer")
        cls.other_officer = factories.member("province_staff", cls.hanoi, username="hanoi")
        cls.viewer = factories.member("viewer", username="viewer")
        cls.admin = factories.member("admin", username="admin")
        factories.budget_plan(cls.hcm, YEAR, 2_000_000_000)
        factories.budget_plan(cls.hcm, YEAR, 750_000_000, fund="KCDP")
        factories.target(cls.hcm, YEAR, "trained_workers", 120)
        running = factories.project(
            cls.hcm,
            YEAR,
            code="KCQG-2024-79-001",
            support_vnd=600_000_000,
            counterpart_vnd=Decimal(900_000_000),
            implementing_unit="Trung tâm Khuyến công TP.HCM",
            beneficiary_name="HTX Dệt may Bình Chánh",
        )
        factories.project(cls.hcm, YEAR, code="KCQG-2024-79-002", status=ProjectStatus.PROPOSED)
        factories.project(
            cls.hcm,
            YEAR,
            code="KCDP-2024-79-001",
            fund="KCDP",
            status=ProjectStatus.SETTLED,
            status_date=datetime.date(2024, 2, 1),
        )
        services.disbursement_create(
            project=running,
            date=datetime.date(2024, 4, 2),
            kind=DisbursementKind.ADVANCE,
            amount_vnd=Decimal(200_000_000),
            document_number="UNC-01",
        )
        services.disbursement_create(
            project=running,
            date=datetime.date(2024, 9, 20),
            kind=DisbursementKind.PAYMENT,
            amount_vnd=Decimal(300_000_000),
        )
        services.output_create(
            project=running, indicator=factories.indicator("trained_workers"), date=datetime.date(2024, 10, 1), value=35
        )

    def template(self) -> bytes:
        return importer.build_template(self.hcm, YEAR)

    def dry_run(self, data: bytes, user=None) -> importer.ImportReport:
        return importer.import_file(data, user or self.officer, commit=False, filename="ke-hoach.xlsx")

    def assert_refused(self, data: bytes, message: str, *, filename: str = "ke-hoach.xlsx", user=None) -> None:
        before = counts()
        for commit in (False, True):
            with self.assertRaises(importer.ImportRefused) as caught:
                importer.import_file(data, user or self.officer, commit=commit, filename=filename)
            self.assertEqual(caught.exception.message, message)
        self.assertEqual(counts(), before)

    def assert_cell_error(self, data: bytes, sheet: str, row: int, column: str, message: str) -> None:
        before = state(self.hcm, YEAR), counts()
        report = importer.import_file(data, self.officer, commit=True, filename="ke-hoach.xlsx")
        self.assertFalse(report.committed)
        self.assertIn(importer.CellError(sheet, row, column, message), report.errors)
        self.assertEqual((state(self.hcm, YEAR), counts()), before)


class TemplateTests(ImportTestCase):
    def test_it_carries_the_version_the_province_and_drop_downs(self):
        wb = load_workbook(io.BytesIO(self.template()))
        self.assertEqual(
            [importer.GUIDE_SHEET, *importer.DATA_SHEETS, importer.META_SHEET, importer.LISTS_SHEET], wb.sheetnames
        )
        self.assertEqual(wb.active.title, "Hướng dẫn")  # the file opens on its instructions
        meta = wb[importer.META_SHEET]
        self.assertEqual(meta.sheet_state, "hidden")
        self.assertTrue(meta.protection.sheet)
        self.assertEqual(
            {row[0]: row[1] for row in meta.iter_rows(values_only=True)},
            {
                "version": importer.TEMPLATE_VERSION,
                "province_id": self.hcm.pk,
                "province_code": "79",
                "province_name": self.hcm.name,
                "year": YEAR,
            },
        )
        self.assertEqual(wb["Đề án"]["A1"].value, "Mã đề án")
        validations = wb["Đề án"].data_validations.dataValidation
        self.assertEqual(len(validations), 4)  # fund, category, type, status
        # A warning, not a refusal: a bare code typed instead of the label is read too.
        self.assertEqual({validation.errorStyle for validation in validations}, {"warning"})

    def test_cells_and_drop_downs_speak_in_labels_with_the_codes_behind_them(self):
        wb = load_workbook(io.BytesIO(self.template()))
        self.assertEqual(wb["Giải ngân"]["C2"].value, "Tạm ứng (advance)")
        self.assertEqual(
            [row[0] for row in wb["Kế hoạch"].iter_rows(min_row=2, values_only=True)],
            ["Kinh phí khuyến công địa phương (KCĐP)", "Kinh phí khuyến công quốc gia (KCQG)"],  # by code
        )
        projects = {row[0]: row for row in wb["Đề án"].iter_rows(min_row=2, values_only=True)}
        local = projects["KCDP-2024-79-001"]
        self.assertEqual(local[2], "Kinh phí khuyến công địa phương (KCĐP)")
        self.assertTrue(local[3].endswith("(vocational_training)"), local[3])
        self.assertEqual(local[5], "Đã quyết toán (settled)")
        indicator = factories.indicator()
        self.assertEqual(wb["Chỉ tiêu"]["A2"].value, f"{indicator.name} ({indicator.unit}) (trained_workers)")
        lists = {row[0].value: [cell.value for cell in row[1:] if cell.value] for row in wb["_danh_muc"].columns}
        self.assertIn("Đang thực hiện (in_progress)", lists["status"])
        self.assertIn("Thanh toán (payment)", lists["kind"])
        self.assertIn("Tạm ứng (advance)", lists["kind"])
        # No bare code (vocational_training, in_progress, KCDP…) is the whole of any entry.
        for key, entries in lists.items():
            for entry in entries:
                with self.subTest(list=key, entry=entry):
                    self.assertRegex(entry, r"\S \([^()]+\)$")
                    self.assertNotIn("(KCDP)", entry)

    def test_the_instruction_sheet_explains_every_column_with_an_example_that_fits_it(self):
        guide = load_workbook(io.BytesIO(self.template()))["Hướng dẫn"]
        rows = [row for row in guide.iter_rows(values_only=True) if any(row)]
        self.assertEqual(rows[0][0], f"Mẫu nhập số liệu khuyến công: {self.hcm.name}, năm {YEAR}")
        table = rows[rows.index(("Trang tính", "Cột", "Cách ghi", "Ví dụ")) + 1 :]
        described = {(sheet, column) for sheet, column, _how, _example in table}
        expected = {(name, header) for name, columns in importer.COLUMNS.items() for _key, header, _w in columns}
        self.assertEqual(described, expected)
        examples = {(sheet, column): example for sheet, column, _how, example in table}
        # Counts have a count for example, amounts an amount, dates a date, codes a code.
        self.assertEqual(examples[("Chỉ tiêu", "Chỉ tiêu kế hoạch")], "120")
        self.assertEqual(examples[("Kết quả", "Giá trị")], "35")
        self.assertEqual(examples[("Kế hoạch", "Kế hoạch (đồng)")], "1.250.000.000")
        self.assertRegex(examples[("Giải ngân", "Ngày")], r"^\d\d/\d\d/2024$")
        self.assertEqual(examples[("Đề án", "Mã đề án")], "KCQG-2024-79-001")
        how = {(sheet, column): text for sheet, column, text, _example in table}
        self.assertIn("để trống", how[("Đề án", "Mã đề án")])
        # Every example is read back by the reader of its column.
        reader = {"Chỉ tiêu kế hoạch": importer._whole, "Giá trị": importer._whole, "Ngày": importer._date}
        for (sheet, column), example in examples.items():
            if column in reader:
                self.assertIsNotNone(reader[column](example), (sheet, column))

    def test_a_count_column_gives_a_count_for_example(self):
        data = edited(self.template(), "Chỉ tiêu", "B2", "nhiều")
        self.assert_cell_error(data, "Chỉ tiêu", 2, "B (Chỉ tiêu kế hoạch)", importer.msg_not_number("120"))
        data = edited(self.template(), "Giải ngân", "D2", "nhiều")
        self.assert_cell_error(data, "Giải ngân", 2, "D (Số tiền (đồng))", importer.msg_not_number("1.250.000.000"))


class FilledTemplateTests(ImportTestCase):
    """A Vietnamese template filled as a department's staff fills it: labels chosen from the
    drop-downs, a bare code typed, a new project without a code."""

    def filled(self) -> bytes:
        data = self.template()
        data = appended(
            data,
            "Đề án",
            [
                None,  # the portal numbers it
                "Hỗ trợ máy móc cho cơ sở mây tre",
                "Kinh phí khuyến công quốc gia (KCQG)",
                factories.category().name + " (vocational_training)",
                "Đề án điểm (single_site)",
                "Đề xuất (proposed)",
                None,
                "450.000.000",
                None,
                "Trung tâm Khuyến công TP.HCM",
                "Cơ sở mây tre Phú Hòa",
            ],
        )
        data = appended(data, "Giải ngân", ["KCQG-2024-79-001", "05/11/2024", "payment", 50_000_000, "UNC-07"])
        data = appended(
            data, "Kết quả", ["KCQG-2024-79-001", factories.indicator().name, datetime.date(2024, 11, 20), 15]
        )
        return data

    def test_a_filled_vietnamese_template_imports_and_comes_back_the_same(self):
        data = self.filled()
        dry = self.dry_run(data)
        self.assertEqual(dry.errors, [])
        self.assertEqual(dry.counts(), {"created": 3, "updated": 0, "unchanged": 9})
        # The preview speaks the screens' words: the project's new code, labels, units.
        self.assertEqual(
            dry.sheets["Đề án"].created, ["KCQG-2024-79-003 (cổng tự đánh mã) – Hỗ trợ máy móc cho cơ sở mây tre"]
        )
        self.assertEqual(dry.sheets["Giải ngân"].created, ["KCQG-2024-79-001 05/11/2024 Thanh toán: 50.000.000 đồng"])
        indicator = factories.indicator()
        self.assertEqual(
            dry.sheets["Kết quả"].created,
            [f"KCQG-2024-79-001 20/11/2024 {indicator.name}: 15 {indicator.unit}"],
        )
        self.assertFalse(Project.objects.filter(title="Hỗ trợ máy móc cho cơ sở mây tre").exists())

        report = importer.import_file(data, self.officer, commit=True)

        self.assertTrue(report.committed, report.errors)
        project = Project.objects.get(title="Hỗ trợ máy móc cho cơ sở mây tre")
        self.assertEqual(
            (project.code, project.funding_source, project.project_type, project.status, project.support_vnd),
            ("KCQG-2024-79-003", "KCQG", "single_site", ProjectStatus.PROPOSED, 450_000_000),
        )
        self.assertTrue(
            Disbursement.objects.filter(document_number="UNC-07", kind="payment", amount_vnd=50_000_000).exists()
        )
        self.assertTrue(ProjectOutput.objects.filter(value=15, date=datetime.date(2024, 11, 20)).exists())
        # The same filled file again changes nothing: the project without a code is found by its title.
        before = state(self.hcm, YEAR), counts()
        again = importer.import_file(data, self.officer, commit=True)
        self.assertEqual(again.errors, [])
        self.assertEqual(again.counts(), {"created": 0, "updated": 0, "unchanged": 12})
        self.assertEqual((state(self.hcm, YEAR), counts()), before)
        # And the template downloaded now reads back unchanged, labels and all.
        self.assertEqual(self.dry_run(self.template()).counts(), {"created": 0, "updated": 0, "unchanged": 12})

    def test_reading_the_template_back_changes_nothing(self):
        report = self.dry_run(self.template())
        self.assertEqual(report.errors, [])
        self.assertEqual(report.counts(), {"created": 0, "updated": 0, "unchanged": 9})

    def test_importing_the_same_file_twice_changes_nothing(self):
        data = self.template()
        before = state(self.hcm, YEAR), counts()
        report = importer.import_file(data, self.officer, commit=True)
        self.assertTrue(report.committed)
        self.assertEqual(report.counts()["unchanged"], 9)
        self.assertEqual((state(self.hcm, YEAR), counts()), before)

    def test_rows_sharing_a_key_are_paired_with_their_identical_records_in_any_order(self):
        # Two outputs of one project and indicator on one day, and two payments alike but for
        # their vouchers: a file listing them in another order still changes nothing.
        running = Project.objects.get(code="KCQG-2024-79-001")
        day, trained = datetime.date(2024, 10, 1), factories.indicator("trained_workers")
        services.output_create(project=running, indicator=trained, date=day, value=12)
        for voucher in ("UNC-A", "UNC-B"):
            services.disbursement_create(
                project=running,
                date=datetime.date(2024, 10, 5),
                kind=DisbursementKind.PAYMENT,
                amount_vnd=Decimal(10_000_000),
                document_number=voucher,
            )
        book = load_workbook(io.BytesIO(self.template()))
        for name in ("Kết quả", "Giải ngân"):
            sheet = book[name]
            rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]
            for number, row in enumerate(reversed(rows), start=2):
                for column, value in enumerate(row, start=1):
                    sheet.cell(number, column).value = value  # cell(…, value=None) would keep the old one
        reversed_file = io.BytesIO()
        book.save(reversed_file)
        before = state(self.hcm, YEAR), counts()

        report = importer.import_file(reversed_file.getvalue(), self.officer, commit=True)

        self.assertEqual(report.errors, [])
        self.assertEqual({name: sheet.updated for name, sheet in report.sheets.items() if sheet.updated}, {})
        self.assertEqual(report.counts(), {"created": 0, "updated": 0, "unchanged": 12})
        self.assertEqual((state(self.hcm, YEAR), counts()), before)

    def test_an_emptied_database_gets_the_same_records_back(self):
        data = self.template()
        before = state(self.hcm, YEAR)
        ProjectOutput.objects.all().delete()
        Disbursement.objects.all().delete()
        Project.objects.all().delete()
        BudgetPlan.objects.all().delete()
        IndicatorTarget.objects.all().delete()
        dry = self.dry_run(data)
        self.assertEqual(dry.errors, [])
        self.assertEqual(dry.counts(), {"created": 9, "updated": 0, "unchanged": 0})
        self.assertEqual(Project.objects.count(), 0)  # the dry run wrote nothing
        report = importer.import_file(data, self.officer, commit=True)
        self.assertEqual(report.errors, [])
        self.assertEqual(state(self.hcm, YEAR), before)
        self.assertEqual(self.dry_run(data).counts()["unchanged"], 9)
        # Exported again, the province-year gives the same cell values, sheet by sheet.
        self.assertEqual(cell_values(importer.build_template(self.hcm, YEAR)), cell_values(data))

    def test_a_changed_row_is_an_update(self):
        data = edited(self.template(), "Kế hoạch", "B2", 2_100_000_000)  # KCDP is row 2
        data = edited(data, "Đề án", "B2", "Tên mới")
        plan = BudgetPlan.objects.get(province=self.hcm, year=YEAR, funding_source="KCDP")
        # The approved plan is locked: make it a draft to allow the change.
        BudgetPlan.objects.filter(pk=plan.pk).update(status="draft", approved_on=None)
        report = importer.import_file(data, self.officer, commit=True)
        self.assertEqual(report.errors, [])
        self.assertEqual(report.sheets["Kế hoạch"].updated, ["KCĐP: 2.100.000.000"])
        self.assertEqual(len(report.sheets["Đề án"].updated), 1)
        self.assertEqual(BudgetPlan.objects.get(pk=plan.pk).planned_vnd, 2_100_000_000)

    def test_a_service_refusal_rolls_back_every_row(self):
        # The title change is fine, the approved plan is locked: neither is saved.
        data = edited(self.template(), "Kế hoạch", "B2", 2_100_000_000)
        data = edited(data, "Đề án", "B2", "Tên mới")
        before = state(self.hcm, YEAR), counts()
        report = importer.import_file(data, self.officer, commit=True)
        self.assertFalse(report.committed)
        self.assertEqual([(e.sheet, e.row) for e in report.errors], [("Kế hoạch", 2)])
        self.assertEqual((state(self.hcm, YEAR), counts()), before)

    def test_a_changed_amount_on_an_approved_plan_points_to_the_revision(self):
        data = edited(self.template(), "Kế hoạch", "B2", 2_100_000_000)
        report = importer.import_file(data, self.officer, commit=True)
        self.assertFalse(report.committed)
        message = report.errors[0].message
        self.assertIn("đã được phê duyệt", message)
        self.assertIn("Quyết định điều chỉnh", message)
        self.assertIn("trang Kế hoạch năm", message)

    def test_the_import_keeps_a_locked_project_in_its_fund(self):
        # The running project's April advance is in the approved 6-month report.
        ministry = factories.member("ministry")
        report = services.period_submit(province=self.hcm, year=YEAR, period="H1", user=ministry)
        services.period_approve(period=report, user=ministry)
        template = self.template()
        sheet = load_workbook(io.BytesIO(template))["Đề án"]
        row = next(cell.row for cell in sheet["A"] if cell.value == "KCQG-2024-79-001")
        data = edited(template, "Đề án", f"C{row}", "KCDP")
        before = state(self.hcm, YEAR), counts()
        result = importer.import_file(data, self.officer, commit=True)
        self.assertFalse(result.committed)
        self.assertEqual([(e.sheet, e.row) for e in result.errors], [("Đề án", row)])
        self.assertIn("Đã khóa", result.errors[0].message)
        self.assertEqual((state(self.hcm, YEAR), counts()), before)


class RefusalTests(ImportTestCase):
    def test_a_file_that_is_not_a_workbook(self):
        self.assert_refused(b"not a spreadsheet at all", importer.msg_not_xlsx())
        self.assert_refused(self.template(), importer.msg_not_xlsx(), filename="ke-hoach.csv")

    def test_a_corrupt_workbook(self):
        self.assert_refused(self.template()[:3000], importer.msg_not_xlsx())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("xl/workbook.xml", "<not-xml")
        self.assert_refused(buffer.getvalue(), importer.msg_not_xlsx())

    def test_a_workbook_with_macros(self):
        self.assert_refused(self.template(), importer.msg_macro(), filename="ke-hoach.xlsm")
        buffer = io.BytesIO(self.template())
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("xl/vbaProject.bin", b"\x00" * 64)
        self.assert_refused(buffer.getvalue(), importer.msg_macro())

    @override_settings(IMPORT_MAX_BYTES=1000)
    def test_a_file_over_the_size_limit(self):
        self.assert_refused(self.template(), importer.msg_too_big(1000))

    @override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=10_000)
    def test_a_zip_bomb(self):
        self.assert_refused(self.template(), importer.msg_zip_bomb())

    def test_a_template_of_another_version(self):
        self.assert_refused(edited(self.template(), "_meta", "B1", "khuyencong-import-v0"), importer.msg_version())

    def test_a_province_the_user_may_not_edit(self):
        self.assert_refused(self.template(), importer.msg_not_allowed(self.hcm.name), user=self.other_officer)
        self.assert_refused(self.template(), importer.msg_not_allowed(self.hcm.name), user=self.viewer)

    def test_a_formula_where_a_number_is_expected(self):
        data = edited(self.template(), "Kế hoạch", "B3", "=1000+1000")
        self.assert_cell_error(data, "Kế hoạch", 3, "B (Kế hoạch (đồng))", importer.msg_formula())

    def test_a_negative_amount(self):
        data = edited(self.template(), "Giải ngân", "D2", -5)
        self.assert_cell_error(data, "Giải ngân", 2, "D (Số tiền (đồng))", importer.msg_negative())

    def test_a_fractional_amount(self):
        data = edited(self.template(), "Đề án", "H2", 600_000_000.5)
        self.assert_cell_error(data, "Đề án", 2, "H (Kinh phí khuyến công hỗ trợ (đồng))", importer.msg_fraction())

    def test_unknown_codes(self):
        cases = [
            ("Đề án", "D2", "no_such_category", "D (Nội dung hoạt động)", "content category"),
            ("Chỉ tiêu", "A2", "no_such_indicator", "A (Chỉ tiêu)", "indicator"),
            ("Kế hoạch", "A2", "KCXX", "A (Nguồn kinh phí)", "funding source"),
            ("Đề án", "F2", "finished", "F (Trạng thái)", "status"),
            ("Kết quả", "B2", "no_such_indicator", "B (Chỉ tiêu)", "indicator"),
        ]
        from django.utils.translation import gettext

        for sheet, cell, value, column, what in cases:
            with self.subTest(sheet=sheet, cell=cell):
                data = edited(self.template(), sheet, cell, value)
                self.assert_cell_error(data, sheet, int(cell[1:]), column, importer.msg_unknown(gettext(what), value))

    def test_an_unknown_project_code_in_the_money_sheet(self):
        data = appended(self.template(), "Giải ngân", ["KHONG-CO", datetime.date(2024, 5, 1), "payment", 1000, ""])
        report = importer.import_file(data, self.officer, commit=True)
        self.assertFalse(report.committed)
        self.assertEqual([(e.sheet, e.row, e.column) for e in report.errors], [("Giải ngân", 4, "A (Mã đề án)")])

    def test_every_bad_cell_is_reported_at_once(self):
        data = edited(self.template(), "Kế hoạch", "B2", -1)
        data = edited(data, "Giải ngân", "B3", "không phải ngày")
        report = self.dry_run(data)
        self.assertEqual(
            [(e.sheet, e.row, e.column, e.message) for e in report.errors],
            [
                ("Kế hoạch", 2, "B (Kế hoạch (đồng))", importer.msg_negative()),
                ("Giải ngân", 3, "B (Ngày)", importer.msg_bad_date()),
            ],
        )


class CommandTests(ImportTestCase):
    def write(self, data: bytes) -> str:
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
            handle.write(data)
        self.addCleanup(Path(handle.name).unlink)
        return handle.name

    def test_dry_run_and_real_import(self):
        path = self.write(appended(self.template(), "Chỉ tiêu", ["trained_workers_x", 5]))
        with self.assertRaises(CommandError):
            call_command("import_workbook", path, "--user", "officer", "--dry-run", stdout=io.StringIO())
        data = edited(self.template(), "Đề án", "B3", "Tên đề án sửa")
        path = self.write(data)
        out = io.StringIO()
        call_command("import_workbook", path, "--user", "officer", "--dry-run", stdout=out)
        self.assertIn("Đề án", out.getvalue())
        self.assertFalse(Project.objects.filter(title="Tên đề án sửa").exists())
        call_command("import_workbook", path, "--user", "officer", stdout=io.StringIO())
        self.assertTrue(Project.objects.filter(title="Tên đề án sửa").exists())

    def test_it_refuses_a_user_of_another_province(self):
        path = self.write(self.template())
        with self.assertRaisesMessage(CommandError, importer.msg_not_allowed(self.hcm.name)):
            call_command("import_workbook", path, "--user", "hanoi", stdout=io.StringIO())


class PageTests(ImportTestCase):
    def upload(self, data: bytes, name: str = "ke-hoach.xlsx"):
        upload = io.BytesIO(data)
        upload.name = name
        return self.client.post(reverse("programmes:import"), {"file": upload})

    def test_the_template_downloads_for_the_officer(self):
        self.client.force_login(self.officer)
        response = self.client.get(reverse("programmes:import-template"), {"province": self.hcm.pk, "year": YEAR})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], importer_views_type())
        self.assertEqual(self.dry_run(response.content).counts()["unchanged"], 9)

    def test_staff_of_another_province_and_viewers_are_refused(self):
        url = reverse("programmes:import-template")
        self.client.force_login(self.other_officer)
        self.assertEqual(self.client.get(url, {"province": self.hcm.pk, "year": YEAR}).status_code, 403)
        self.assertEqual(self.client.get(reverse("programmes:import")).status_code, 200)
        before = counts()
        response = self.upload(self.template())
        self.assertContains(response, importer.msg_not_allowed(self.hcm.name))
        self.assertEqual(counts(), before)
        self.client.force_login(self.viewer)
        self.assertEqual(self.client.get(reverse("programmes:import")).status_code, 403)
        self.assertEqual(self.upload(self.template()).status_code, 403)

    def test_upload_dry_run_then_confirm(self):
        self.client.force_login(self.admin)
        data = edited(self.template(), "Đề án", "B3", "Tên đề án sửa")
        response = self.upload(data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Project.objects.filter(title="Tên đề án sửa").exists())
        token = response.context["token"]
        self.assertTrue(token)
        response = self.client.post(reverse("programmes:import-confirm"), {"token": token})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["report"].committed)
        self.assertTrue(Project.objects.filter(title="Tên đề án sửa").exists())
        # The token is used up.
        response = self.client.post(reverse("programmes:import-confirm"), {"token": token})
        self.assertIsNone(response.context.get("report"))

    def test_the_dry_run_page_lists_each_error_with_its_place(self):
        self.client.force_login(self.officer)
        response = self.upload(edited(self.template(), "Giải ngân", "D3", "=D2*2"))
        self.assertContains(response, "D (Số tiền (đồng))")
        self.assertContains(response, importer.msg_formula())
        self.assertIsNone(response.context["token"])

    def test_a_refused_file_is_shown_on_the_upload_page(self):
        self.client.force_login(self.officer)
        response = self.upload(b"MZ\x90\x00", "virus.xlsx")
        self.assertContains(response, importer.msg_not_xlsx())


def importer_views_type() -> str:
    from programmes.import_views import XLSX_TYPE

    return XLSX_TYPE
