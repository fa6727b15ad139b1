"""Data entry as one Vietnamese application (issue 15), clicked through in the browser:

- the administrator creates a province staff account with its role and province in the admin,
  and that person logs in to their province;
- a province's staff member finds the Excel import from the home page, downloads the template,
  fills it as people do (labels from the lists, a new project without a code) and imports it;
- the changelists at 1366×768 fit the window (PAGE_CHECKS in conftest fails a screenshot of a
  page wider than the window).
"""

import datetime
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from programmes import services
from programmes.models import Project, ProjectStatus
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

YEAR = 2026
STRONG = "Khuyen-cong-2026!"


def test_the_administrator_creates_a_province_user_who_logs_in_to_their_province(page, url, shot):
    factories.member("admin", username="quantri", first_name="Quang Huy", last_name="Lê")
    hcm = factories.province("79", new_era=True)
    log_in(page, url, "quantri")
    expect(page.locator(".user-name")).to_have_text("Lê Quang Huy")

    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Nhập liệu").click()
    expect(page.locator("#content h1")).to_be_visible()
    shot("admin-index")
    page.locator("a[href='/quan-tri/auth/user/add/']").first.click()
    page.locator("#id_username").fill("lan.nguyen")
    page.locator("#id_password1").fill(STRONG)
    page.locator("#id_password2").fill(STRONG)
    page.locator("#id_last_name").fill("Nguyễn")
    page.locator("#id_first_name").fill("Thị Ngọc Lan")
    role = page.locator("#id_role")
    expect(role.locator("option[value='province_staff']")).to_have_text("Cán bộ tỉnh")
    role.select_option("province_staff")
    page.locator("#id_province").select_option(str(hcm.pk))
    shot("user-add-filled")
    page.locator("input[name='_save']").click()

    # Django's user admin opens the new account's page after adding it.
    expect(page.locator(".messagelist")).to_contain_text("lan.nguyen")
    shot("user-added")
    page.goto(url("/quan-tri/auth/user/"))
    row = page.locator("#result_list tr", has_text="lan.nguyen")
    expect(row).to_contain_text("Cán bộ tỉnh")
    expect(row).to_contain_text("Thành phố Hồ Chí Minh")
    shot("user-list")

    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, url, "lan.nguyen", STRONG)
    expect(page.locator(".user-name")).to_have_text("Nguyễn Thị Ngọc Lan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Thị Ngọc Lan")
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Kế hoạch năm").click()
    expect(page.get_by_label(re.compile("^Tỉnh/thành phố"))).to_have_value(str(hcm.pk))
    shot("new-user-year-plan")


def _province_year(hcm):
    """A province-year with long titles and money, as a changelist meets it."""
    factories.budget_plan(hcm, YEAR, 2_000_000_000)
    titles = (
        "Ứng dụng máy móc thiết bị tiên tiến vào sản xuất sản phẩm mây tre đan xuất khẩu",
        "Đào tạo nghề thêu ren cho lao động nông thôn huyện Củ Chi",
        "Hỗ trợ xây dựng mô hình trình diễn kỹ thuật sản xuất gạch không nung",
    )
    running = None
    for title in titles:
        running = factories.project(hcm, YEAR, status=ProjectStatus.IN_PROGRESS, title=title)
    day = datetime.date(YEAR, 3, 2)
    services.disbursement_create(project=running, date=day, amount_vnd=Decimal(150_000_000), document_number="UNC-01")
    services.output_create(project=running, indicator=factories.indicator(), date=day, value=25)


def test_staff_find_the_import_from_the_home_page_and_import_a_filled_template(
    page, url, shot, hcmc_staff, tmp_path, context
):
    hcm = hcmc_staff.portal_profile.province
    _province_year(hcm)
    log_in(page, url, "nhanvien.hcm")
    task = page.locator("main").get_by_role("link", name=re.compile("^Nhập từ Excel"))
    expect(task).to_be_visible()
    shot("home-with-import")
    task.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập số liệu từ Excel")
    expect(page.locator("main")).to_contain_text("Hướng dẫn")
    page.locator("#id_template_year").select_option(str(YEAR))
    shot("import-page")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải biểu mẫu (.xlsx)").click()
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)

    # Filled as people fill it: the instruction sheet first, labels picked from the lists,
    # a new project without a code.
    book = load_workbook(template)
    assert book.sheetnames[0] == "Hướng dẫn"
    lists = {column[0].value: [cell.value for cell in column[1:] if cell.value] for column in book["_danh_muc"].columns}
    book["Đề án"].append(
        [
            None,
            "Hỗ trợ máy đan lưới cho hợp tác xã Phú Hòa",
            next(entry for entry in lists["fund"] if entry.endswith("(KCQG)")),
            lists["category"][0],
            lists["type"][0],
            next(entry for entry in lists["status"] if entry.endswith("(proposed)")),
            None,
            "320.000.000",
            None,
            "Trung tâm Khuyến công Thành phố Hồ Chí Minh",
            "Hợp tác xã Phú Hòa",
        ]
    )
    filled = tmp_path / "da-dien.xlsx"
    book.save(filled)

    page.locator("#id_file").set_input_files(str(filled))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kiểm tra trước khi nhập: {hcm.name}, {YEAR}")
    expect(page.locator("main")).to_contain_text("(cổng tự đánh mã) – Hỗ trợ máy đan lưới cho hợp tác xã Phú Hòa")
    expect(page.locator(".error-summary")).to_have_count(0)
    shot("import-preview")
    assert not Project.objects.filter(title="Hỗ trợ máy đan lưới cho hợp tác xã Phú Hòa").exists()
    page.get_by_role("button", name="Xác nhận nhập").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Đã nhập: {hcm.name}, {YEAR}")
    shot("import-done")
    project = Project.objects.get(title="Hỗ trợ máy đan lưới cho hợp tác xã Phú Hòa")
    assert project.code == f"KCQG-{YEAR}-79-004"
    assert project.support_vnd == 320_000_000

    # The changelists at 1366×768: no horizontal scroll (PAGE_CHECKS), KCĐP and labels.
    for model in ("project", "disbursement", "projectoutput", "projecttransition", "budgetplan"):
        page.goto(url(f"/quan-tri/programmes/{model}/"))
        expect(page.locator("#result_list")).to_be_visible()
        shot(f"changelist-{model}", full_page=False)
    page.goto(url("/quan-tri/programmes/project/"))
    expect(page.locator("#result_list")).to_contain_text(project.code)

    # A phone: the import page reads without sideways scrolling.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url("/nhap-excel/"))
    shot("import-page-phone")
