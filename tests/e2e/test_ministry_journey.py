"""A ministry official reads the demo data's figures from the nation down to a province, switches
the cut-off and takes the Excel report (the approval of a report is in test_staff_journey).

The southern region's 2016 figures are those of the 7th southern conference's report, which
the demo reproduces; the workbook is opened and compared with the summary selector.
"""

import datetime

import pytest
from django.utils import translation
from openpyxl import load_workbook
from playwright.sync_api import expect

from common.numbers import format_billion_vnd
from programmes import demo, selectors
from programmes.models import Province
from reports.dashboard import excel
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "demo-password-e2e"


@pytest.fixture
def demo_data():
    demo.load(password=PASSWORD)


def menu(page, name: str):
    return page.get_by_role("navigation", name="Menu chính").get_by_role("link", name=name, exact=True)


def test_ministry_reads_the_nation_down_to_a_province_and_takes_the_excel(page, url, shot, demo_data, tmp_path):
    log_in(page, url, "bo.congthuong", PASSWORD)

    # The national dashboard of 2016, then the southern region and one of its provinces.
    menu(page, "Báo cáo").click()
    page.get_by_label("Năm", exact=True).select_option("2016")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cả nước")
    national = selectors.summary(year=2016)
    expect(page.locator(".kpi").first).to_contain_text(format_billion_vnd(national.total.plan_vnd, "vi"))
    shot("national-2016")

    page.get_by_role("link", name="Phía Nam").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phía Nam")
    # The conference's plan of the southern region for 2016 (65,5 billion).
    expect(page.locator(".kpi").first).to_contain_text("65,47 tỷ đồng")
    shot("south-2016-full-year")

    # Switch the cut-off to the 6-month report: disbursed and trained workers as at 30/06/2016.
    page.get_by_role("group", name="Kỳ số liệu").get_by_text("6 tháng", exact=True).click()
    page.get_by_role("button", name="Xem").click()
    expect(page.locator(".dashboard-period")).to_contain_text("30/06/2016")
    trained = page.get_by_role("row", name="Lao động được đào tạo nghề")
    expect(trained).to_contain_text("19,20 %")
    south_h1 = selectors.summary(
        year=2016,
        as_of=datetime.date(2016, 6, 30),
        scope=selectors.scope_for(region_code="south", provinces=selectors.ProvinceMap.load()),
    )
    actual_text = format_billion_vnd(south_h1.total.actual_vnd, "vi")
    expect(page.locator(".kpi").nth(1)).to_contain_text(actual_text)
    shot("south-2016-h1")

    page.get_by_role("link", name="Bình Dương").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bình Dương")
    expect(page.locator(".dashboard-period")).to_contain_text("30/06/2016")
    shot("binh-duong-2016-h1")

    # The Excel report of the same filters, opened and read.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    binh_duong = selectors.summary(
        year=2016,
        as_of=datetime.date(2016, 6, 30),
        scope=selectors.scope_for(
            province_id=Province.objects.get(code="74", valid_to__isnull=False).pk,
            provinces=selectors.ProvinceMap.load(),
        ),
    )
    with translation.override("vi"):
        assert book.sheetnames == [str(name) for name in excel.SHEET_NAMES.values()]
        summary_sheet = book.worksheets[0]
        rows = {row[0]: row for row in summary_sheet.iter_rows(values_only=True) if row and row[0]}
        for line in excel.SUMMARY_LINES[:2]:  # plan and disbursed: total, KCQG, KCĐP
            figures = binh_duong.funds
            assert rows[str(line.label)][1:4] == tuple(
                int(getattr(figures[key], line.attribute)) for key in ("total", "KCQG", "KCDP")
            )
    title = " ".join(
        str(value) for row in summary_sheet.iter_rows(max_row=4, values_only=True) for value in row if value
    )
    assert "Bình Dương" in title and "30/06/2016" in title
    expect(page.locator("[data-download-status]")).to_contain_text("Đã tạo xong tệp")
    shot("excel-downloaded", full_page=False)
