"""Province staff's year, as they click through it: the plan in the grid (by keyboard), a
project through its lifecycle, a disbursement and an output, and the 6-month report submitted;
then a ministry official approves that report.

Starts from the reference data only, for the new Hồ Chí Minh City in 2026; every figure the
test expects on screen is one it typed in itself.
"""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from programmes.models import BudgetPlan, Disbursement, IndicatorTarget, Project, ProjectOutput, ReportingPeriod
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

YEAR = 2026


def test_province_staff_year_from_plan_to_approved_report(page, url, shot, hcmc_staff, tmp_path):
    log_in(page, url, "nhanvien.hcm")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".user-name")).to_have_text("Nguyễn Lan")
    shot("home")

    # The year plan: their own province is already chosen.
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Kế hoạch năm").click()
    expect(page.get_by_label("Tỉnh/thành phố năm 2026")).to_have_value(str(hcmc_staff.portal_profile.province_id))
    page.get_by_role("button", name="Mở kế hoạch năm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kế hoạch năm 2026: Thành phố Hồ Chí Minh")
    shot("year-plan-empty")

    # Typed as in a spreadsheet: Enter or the arrow keys move down the column.
    national = page.get_by_label("Kinh phí khuyến công quốc gia (KCQG)")
    national.click()
    page.keyboard.type("1.500.000.000")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Kinh phí khuyến công địa phương (KCĐP)")).to_be_focused()
    page.keyboard.type("2.250.000.000")
    page.keyboard.press("ArrowUp")
    expect(national).to_be_focused()
    trained = page.get_by_label("Lao động được đào tạo nghề")
    trained.fill("1.200")
    page.get_by_label("Mô hình trình diễn kỹ thuật").fill("4")
    shot("year-plan-typed")
    page.get_by_role("button", name="Lưu kế hoạch năm").click()

    expect(page.locator(".messages")).to_contain_text("Đã lưu")
    expect(national).to_have_value("1.500.000.000")
    expect(trained).to_have_value("1.200")
    plans = BudgetPlan.objects.filter(province=hcmc_staff.portal_profile.province, year=YEAR).order_by("funding_source")
    assert [(plan.funding_source, plan.planned_vnd) for plan in plans] == [
        ("KCDP", 2_250_000_000),
        ("KCQG", 1_500_000_000),
    ]

    # Emptying a stored target would delete it: the page asks first, and nothing is saved
    # until the deletion is confirmed.
    models = page.get_by_label("Mô hình trình diễn kỹ thuật")
    models.fill("")
    page.get_by_role("button", name="Lưu kế hoạch năm").click()
    confirm = page.locator("#confirm-removal")
    expect(confirm).to_be_focused()
    expect(confirm).to_contain_text("Mô hình trình diễn kỹ thuật: 4")
    assert IndicatorTarget.objects.filter(province=hcmc_staff.portal_profile.province, year=YEAR).count() == 2
    shot("year-plan-confirm-removal")
    confirm.get_by_role("button", name="Xóa và lưu").click()
    expect(page.locator(".messages")).to_contain_text("xóa 1")
    expect(models).to_have_value("")
    assert IndicatorTarget.objects.filter(province=hcmc_staff.portal_profile.province, year=YEAR).count() == 1

    # Submit the national-fund plan to the ministry.
    national_row = page.get_by_role("row", name=re.compile("KCQG"))
    national_row.get_by_role("button", name="Trình duyệt").click()
    expect(page.locator(".messages")).to_contain_text("Đã trình Bộ phê duyệt kế hoạch")
    expect(page.get_by_role("row", name=re.compile("KCQG"))).to_contain_text("Đã trình")
    shot("year-plan-submitted")

    # A project, proposed in the data-entry screens: province and year are already filled in.
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Nhập liệu").click()
    page.get_by_role("link", name="Đề án", exact=True).first.click()
    page.get_by_role("link", name="Thêm đề án").click()
    expect(page.locator("#id_year")).to_have_value(str(YEAR))
    expect(page.locator("#select2-id_province-container")).to_have_text(re.compile("Hồ Chí Minh"))
    page.get_by_label("Tên đề án").fill("Đào tạo nghề sơn mài cho lao động nông thôn")
    page.get_by_label("Nguồn kinh phí").select_option(label="Kinh phí khuyến công quốc gia (KCQG)")
    page.get_by_label("Nội dung hoạt động").select_option(index=1)
    page.get_by_role("textbox", name="Đơn vị thực hiện:").fill("Trung tâm Khuyến công Thành phố Hồ Chí Minh")
    page.get_by_role("textbox", name="Đơn vị thụ hưởng:").fill("Hợp tác xã sơn mài Tương Bình Hiệp")
    page.get_by_label("Kinh phí hỗ trợ khuyến công (đồng)").fill("450.000.000")
    shot("project-add")
    page.get_by_role("button", name="Lưu và sửa tiếp").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã thêm đề án")
    project = Project.objects.get(province=hcmc_staff.portal_profile.province, year=YEAR)
    assert project.code == "KCQG-2026-79-001"
    assert project.support_vnd == 450_000_000
    expect(page.get_by_role("heading", level=2).first).to_contain_text("KCQG-2026-79-001")

    # Its lifecycle, one recorded step at a time; each step's message and the new status.
    steps = [
        ("Đã thẩm định", "12/01/2026", ""),
        ("Đã phê duyệt", "05/02/2026", "15/QĐ-SCT"),
        ("Đã ký hợp đồng", "02/03/2026", "08/2026/HĐ-KC"),
        ("Đang thực hiện", "16/03/2026", ""),
    ]
    for status, day, document in steps:
        page.get_by_role("link", name="Ghi nhận bước thực hiện").click()
        page.get_by_label("Bước tiếp theo").select_option(label=status)
        page.get_by_label("Ngày").fill(day)
        page.get_by_label("Số quyết định/hợp đồng").fill(document)
        page.get_by_role("button", name="Ghi nhận bước").click()
        expect(page.locator(".messagelist")).to_contain_text(f"sang “{status}”")
    project.refresh_from_db()
    assert project.status == "in_progress"
    expect(page.locator(".field-status .readonly")).to_have_text("Đang thực hiện")
    shot("project-in-progress")

    # An advance under the contract and the first trained workers, on the project's page.
    disbursement = page.locator("#disbursements-group tr.form-row").first
    disbursement.locator("input[name$='-date']").fill("20/04/2026")
    disbursement.locator("select[name$='-kind']").select_option(label="Tạm ứng")
    disbursement.locator("input[name$='-amount_vnd']").fill("180.000.000")
    disbursement.locator("input[name$='-document_number']").fill("UNC-0420")
    output = page.locator("#outputs-group tr.form-row").first
    output.locator("select[name$='-indicator']").select_option(label="Lao động được đào tạo nghề (lao động)")
    output.locator("input[name$='-date']").fill("25/05/2026")
    output.locator("input[name$='-value']").fill("35")
    page.get_by_role("button", name="Lưu và sửa tiếp").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã lưu đề án")
    expect(page.locator(".field-disbursed .readonly")).to_have_text("180.000.000 đ")
    assert list(Disbursement.objects.values_list("amount_vnd", flat=True)) == [180_000_000]
    assert list(ProjectOutput.objects.values_list("value", flat=True)) == [35]
    shot("project-money-and-outputs")

    # The list of their projects, in Excel: the row as entered, the amounts as numbers.
    page.locator(".breadcrumbs").get_by_role("link", name="Đề án", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    rows = [row for row in book.active.iter_rows(values_only=True) if row and "KCQG-2026-79-001" in row]
    assert len(rows) == 1
    assert 450_000_000 in rows[0] and 180_000_000 in rows[0]
    expect(page.locator("[data-download-status]")).to_have_text("Đã tạo xong tệp.")

    # The 6-month report: the figures to confirm, then submitted.
    page.goto(url("/"))
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Kỳ báo cáo").click()
    page.get_by_role("region", name="6 tháng 2026").get_by_role("link", name="Thành phố Hồ Chí Minh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo 6 tháng 2026")
    page.get_by_role("button", name="Gửi báo cáo").click()
    confirm = page.locator("#confirm-submit")
    expect(confirm).to_contain_text("0,18 tỷ đồng")
    shot("report-confirm")
    confirm.get_by_role("button", name="Xác nhận và gửi").click()
    expect(page.locator(".messages")).to_contain_text("Đã gửi")
    expect(page.locator(".page-heading .status")).to_have_text("Đã trình")
    period = ReportingPeriod.objects.get(province=hcmc_staff.portal_profile.province, year=YEAR, period="H1")
    assert period.status == "submitted"
    assert period.submitted_by == hcmc_staff
    shot("report-submitted")

    # A ministry official finds the submitted report and approves it; its money is then locked.
    page.get_by_role("button", name="Đăng xuất").click()
    factories.member("ministry", username="chuyenvien.bo", first_name="Hà", last_name="Trần Thị Thu")
    log_in(page, url, "chuyenvien.bo")
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Kỳ báo cáo", exact=True).click()
    page.get_by_label("Trạng thái").select_option(label="Đã trình")
    page.get_by_role("button", name="Xem").click()
    page.get_by_role("region", name="6 tháng 2026").get_by_role("link", name="Thành phố Hồ Chí Minh").click()
    expect(page.locator(".page-heading .status")).to_have_text("Đã trình")
    shot("report-to-approve")
    page.get_by_role("button", name="Phê duyệt", exact=True).click()
    # Approving is confirmed first, with what it locks.
    confirm = page.locator("#confirm-decision")
    expect(confirm).to_contain_text("sẽ bị khóa")
    confirm.get_by_role("button", name="Phê duyệt báo cáo").click()
    expect(page.locator(".messages")).to_contain_text("Đã phê duyệt")
    expect(page.locator(".page-heading .status")).to_have_text("Đã phê duyệt")
    expect(page.locator(".notice-lock")).to_contain_text("bị khóa")
    period.refresh_from_db()
    assert period.status == "approved"
    assert period.approved_by.username == "chuyenvien.bo"
    shot("report-approved")
