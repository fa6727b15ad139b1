"""The shorter journeys: another province's records by URL, an Excel import that is first
refused row by row and then accepted, the conference briefing printed, and the language switch."""

import datetime
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from conferences import demo as conference_demo
from conferences.models import Conference
from programmes import demo
from programmes.models import BudgetPlan, Disbursement, Project
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

YEAR = 2026


def test_a_province_user_cannot_open_another_provinces_project_by_url(page, page_watch, url, shot, hcmc_staff):
    hanoi = factories.province("01", new_era=True)
    theirs = factories.project(hanoi, YEAR, title="Đề án của Hà Nội")
    mine = factories.project(hcmc_staff.portal_profile.province, YEAR, title="Đề án của Thành phố")
    log_in(page, url, "nhanvien.hcm")

    # Their own project opens; the other province's, by the same kind of address, does not.
    page.goto(url(f"/quan-tri/programmes/project/{mine.pk}/change/"))
    expect(page.locator("#id_title")).to_have_value("Đề án của Thành phố")

    for address in (
        f"/quan-tri/programmes/project/{theirs.pk}/change/",
        f"/bao-cao/tinh/{hanoi.pk}/?year={YEAR}",
        f"/bao-cao/nhat-ky/project/{theirs.pk}/",
    ):
        page_watch.expect_status(re.escape(address.split("?")[0]), 403)
        page_watch.expect_status(re.escape(address.split("?")[0]), 404)
        response = page.goto(url(address))
        assert response.status in (403, 404), address
        expect(page.locator("main")).not_to_contain_text("Đề án của Hà Nội")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile("Ngoài phạm vi tài khoản của bạn|Không tìm thấy")
        )
    shot("refused")

    # The admin's page says why, in Vietnamese, rather than "perhaps it was deleted".
    page.goto(url(f"/quan-tri/programmes/project/{theirs.pk}/change/"))
    expect(page.locator("main")).to_contain_text("ngoài phạm vi tài khoản của bạn")
    # And the list of projects shows only their own.
    page.goto(url("/quan-tri/programmes/project/"))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Đề án của Thành phố")


def _template(page, tmp_path):
    """The import template of the staff's province and year, downloaded through the page."""
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải biểu mẫu (.xlsx)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_an_excel_import_with_errors_then_corrected(page, url, shot, hcmc_staff, tmp_path):
    log_in(page, url, "nhanvien.hcm")
    page.goto(url("/nhap-excel/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập số liệu từ Excel")
    page.get_by_label("Năm").select_option(str(YEAR))
    template = _template(page, tmp_path)
    expect(page.locator("[data-download-status]")).to_contain_text("Đã tạo xong tệp")

    book = load_workbook(template)
    book["Kế hoạch"].append(["KCQG", 1_800_000_000])
    book["Kế hoạch"].append(["KCDP", -5])  # a negative amount
    projects = book["Đề án"]
    projects.append(
        [
            "KCQG-2026-79-101",
            "Máy sấy nông sản cho hợp tác xã",
            "KCQG",
            "khong_co_ma_nay",  # an unknown category code
            "single_site",
            "in_progress",
            datetime.date(2026, 3, 2),
            600_000_000,
            100_000_000,
            "Trung tâm Khuyến công",
            "Hợp tác xã Phú Hòa",
        ]
    )
    book["Giải ngân"].append(["KCQG-2026-79-101", datetime.date(2026, 4, 10), "advance", 250_000_000.5, "UNC-1"])
    wrong = tmp_path / "sai.xlsx"
    book.save(wrong)

    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(wrong)
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kiểm tra trước khi nhập")
    errors = page.get_by_role("table", name="Lỗi")
    expect(errors.locator("tbody tr")).to_have_count(3)
    expect(errors).to_contain_text("Kế hoạch")
    expect(errors).to_contain_text("khong_co_ma_nay")
    expect(page.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)
    shot("dry-run-errors")
    assert not BudgetPlan.objects.exists()

    # The corrected file: everything to create, then imported on confirmation.
    book["Kế hoạch"]["B3"] = 900_000_000
    projects["D2"] = "demonstration_technology"
    book["Giải ngân"]["D2"] = 250_000_000
    right = tmp_path / "dung.xlsx"
    book.save(right)
    page.get_by_role("link", name="Tải lên tệp đã sửa").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(right)
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator(".lead")).to_contain_text("4 dòng thêm mới, 0 dòng cập nhật")
    shot("dry-run-clean")

    # While the import runs, the page says so and a second press sends nothing. Seen here by
    # holding the form back in the page itself (a listener after the portal's own).
    page.evaluate(
        """() => {
            window.__submits = [];
            window.__hold = (event) => { window.__submits.push(event.defaultPrevented); event.preventDefault(); };
            window.addEventListener("submit", window.__hold);
        }"""
    )
    confirm_button = page.get_by_role("button", name="Xác nhận nhập")
    confirm_button.click()
    busy = page.locator("[data-busy-status]")
    expect(busy).to_be_visible()
    expect(busy).to_have_text("Đang nhập dữ liệu… Xin đừng đóng trang này.")
    expect(confirm_button).to_have_attribute("aria-disabled", "true")
    shot("importing", full_page=False)
    confirm_button.click(force=True)  # an impatient second press
    # The first press went on (only the test held it); the portal stopped the second.
    assert page.evaluate("window.__submits") == [False, True]
    page.evaluate(
        """() => {
            window.removeEventListener("submit", window.__hold);
            const form = document.querySelector("form[data-busy]");
            form.removeAttribute("aria-busy");
            form.querySelector("button[type=submit]").removeAttribute("aria-disabled");
        }"""
    )
    confirm_button.click()
    expect(page.locator(".messages")).to_contain_text("Đã nhập: thêm mới 4 bản ghi")
    shot("imported")
    assert sorted(BudgetPlan.objects.values_list("funding_source", "planned_vnd")) == [
        ("KCDP", 900_000_000),
        ("KCQG", 1_800_000_000),
    ]
    project = Project.objects.get(code="KCQG-2026-79-101")
    assert project.category.code == "demonstration_technology"
    assert list(Disbursement.objects.values_list("amount_vnd", flat=True)) == [250_000_000]


PASSWORD = "demo-password-e2e"


def test_the_conference_briefing_opens_and_prints(page, url, shot, tmp_path):
    demo.load(password=PASSWORD)
    conference_demo.load()
    conference = Conference.objects.get(region__code="south", year=2016)
    log_in(page, url, "bo.congthuong", PASSWORD)
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Hội nghị").click()
    page.get_by_role("link", name=conference.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(conference.title)
    page.get_by_role("link", name="Báo cáo hội nghị").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("VII")
    expect(page.locator(".kpi").first).to_contain_text("65,47 tỷ đồng")
    expect(page.get_by_role("row", name=re.compile("^Lao động được đào tạo nghề"))).to_contain_text("19,20 %")
    shot("briefing")

    # The print button opens the browser's print dialog; the print layout drops the site's
    # header and buttons and fits an A4 page.
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.get_by_role("button", name="In").click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="In")).to_be_hidden()
    shot("briefing-print")
    pdf = tmp_path / "briefing.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_the_language_switch_to_english_and_back(page, url, shot, hcmc_staff):
    log_in(page, url, "nhanvien.hcm")
    page.goto(url("/ky-bao-cao/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kỳ báo cáo năm 2026")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reporting periods 2026")
    expect(page.get_by_role("navigation", name="Main menu")).to_contain_text("Year plan")
    shot("english")
    # The choice sticks from page to page until switched back.
    page.get_by_role("link", name="Year plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the year plan")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập kế hoạch năm")
    shot("vietnamese-again")


PAGES_FOR_STAFF = [
    ("home", "/", "Xin chào, Nguyễn Lan"),
    ("year-plan", "/ke-hoach/{province}/2026/", "Kế hoạch năm 2026"),
    ("periods", "/ky-bao-cao/", "Kỳ báo cáo năm 2026"),
    ("period", "/ky-bao-cao/{province}/2026/H1/", "Báo cáo 6 tháng 2026"),
    ("dashboard", "/bao-cao/tinh/{province}/?year=2026", "Thành phố Hồ Chí Minh"),
    ("import", "/nhap-excel/", "Nhập số liệu từ Excel"),
    ("conferences", "/hoi-nghi/", "Hội nghị"),
]


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_pages_fit_a_laptop_and_a_phone_and_show_the_keyboard_focus(page, url, shot, hcmc_staff, width, height):
    province = hcmc_staff.portal_profile.province
    factories.budget_plan(province, 2026, 1_500_000_000)
    factories.project(province, 2026, title="Đề án trình diễn máy sấy")
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, url, "nhanvien.hcm")
    for name, address, heading in PAGES_FOR_STAFF:
        page.goto(url(address.format(province=province.pk)))
        expect(page.locator("h1").first).to_contain_text(heading)
        shot(name)  # checks that nothing is wider than the window and every input has a label

    # Keyboard: the first Tab shows the "skip to content" link, the next ones walk the menu,
    # and the element with the focus is always outlined.
    page.goto(url("/ky-bao-cao/"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Chuyển đến nội dung")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # on screen once focused
    for _ in range(3):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"
        )
        assert outline[0] != "none" and outline[1] != "0px" or outline[2] != "none", outline
    shot("keyboard-focus", full_page=False)
    page.keyboard.press("Enter")  # follows the focused menu link
    expect(page.locator("h1").first).to_be_visible()
