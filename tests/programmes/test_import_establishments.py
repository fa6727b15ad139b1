"""The import workbook's establishments sheet (Cơ sở CNNT): created, updated, linked to the
year's projects, the double-funding warning as an error unless confirmed, old templates
without the sheet still accepted."""

import io

import pytest
from openpyxl import load_workbook

from programmes import importer, services
from programmes.models import Establishment, LegalForm
from tests import factories

pytestmark = pytest.mark.django_db
SHEET = importer.ESTABLISHMENT_SHEET


def with_rows(data: bytes, rows: list[list], *, drop: str | None = None) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for row in rows:
        wb[SHEET].append(row)
    if drop:
        del wb[drop]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def setting():
    hcm = factories.province("79", new_era=True)
    staff = factories.member("province_staff", hcm, username="staff_hcm")
    project = factories.project(hcm, 2026, code="KCQG-2026-79-101", category_code="consulting")
    return hcm, staff, project


def test_new_establishments_are_registered_and_linked(setting):
    hcm, staff, project = setting
    data = with_rows(
        importer.build_template(hcm, 2026),
        [["HTX Gốm Lái Thiêu", "3701234567", "cooperative", "Lái Thiêu", "gốm", "x", "", project.code, ""]],
    )
    dry = importer.import_file(data, staff, commit=False, filename="ke-hoach.xlsx")
    assert dry.ok, dry.as_text()
    assert dry.sheets[SHEET].created == ["HTX Gốm Lái Thiêu"]
    assert not Establishment.objects.exists()  # a dry run writes nothing
    report = importer.import_file(data, staff, commit=True, filename="ke-hoach.xlsx")
    assert report.committed
    coop = Establishment.objects.get()
    assert (coop.tax_code, coop.legal_form, coop.women_owned, coop.province) == (
        "3701234567",
        LegalForm.COOPERATIVE,
        True,
        hcm,
    )
    assert list(coop.supports.values_list("project__code", flat=True)) == [project.code]
    # The template now lists it, with its project: importing it again changes nothing.
    again = importer.import_file(importer.build_template(hcm, 2026), staff, commit=False, filename="ke-hoach.xlsx")
    assert again.ok and again.sheets[SHEET].unchanged == ["HTX Gốm Lái Thiêu"]


def test_double_funding_is_an_error_unless_confirmed_and_unknown_projects_are_refused(setting):
    hcm, staff, project = setting
    coop = services.establishment_create(province=hcm, name="HTX Gốm Lái Thiêu", legal_form=LegalForm.COOPERATIVE)
    services.project_beneficiary_add(
        project=factories.project(hcm, 2026, category_code="consulting"), establishment=coop
    )
    row = ["HTX Gốm Lái Thiêu", "", "cooperative", "", "", "", "", project.code, ""]
    refused = importer.import_file(with_rows(importer.build_template(hcm, 2026), [row]), staff, commit=True)
    assert not refused.committed
    assert "hỗ trợ trùng" in refused.as_text() or "double funding" in refused.as_text()
    assert not project.beneficiaries.exists()
    template = importer.build_template(hcm, 2026)
    unknown = importer.import_file(with_rows(template, [[*row[:7], "KCQG-2026-79-999", "x"]]), staff, commit=False)
    assert [error.column[:1] for error in unknown.errors] == ["H"]
    confirmed = importer.import_file(with_rows(template, [[*row[:8], "x"]]), staff, commit=True)
    assert confirmed.committed, confirmed.as_text()
    assert project.beneficiaries.get().double_funding_confirmed


def test_a_template_without_the_sheet_is_still_read(setting):
    hcm, staff, _project = setting
    data = with_rows(importer.build_template(hcm, 2026), [], drop=SHEET)
    report = importer.import_file(data, staff, commit=False, filename="ke-hoach.xlsx")
    assert report.ok, report.as_text()
