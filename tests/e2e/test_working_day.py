"""The working morning, as each person clicks through it (issue 14):

- a ministry official opens the portal, finds the 6-month report waiting on the start page,
  approves it (the page asks first, saying what it locks) and the list empties;
- a province's staff member finds the plan the ministry sent back, with its reason, on the
  start page, corrects the figure and submits it: the page asks to save the typed figure first.

Starts from the reference data and a few records made through the services; the live server's
today is the machine's.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes import services
from programmes.models import BudgetPlan, FundingSource, ReportingPeriod
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REASON = "Vượt mức hướng dẫn của Bộ: tối đa 1.400.000.000 đồng."
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def shot(shot, page):
    """The conftest's `shot` at 1366×768, then the same page at a phone's 390×844 (checked the
    same way: it fits the width, every control is named), then back to the desktop window."""

    def take(name: str, **kwargs):
        desktop = page.viewport_size
        path = shot(name, **kwargs)
        page.set_viewport_size(PHONE)
        try:
            shot(f"{name}-390", **kwargs)
        finally:
            page.set_viewport_size(desktop)
        return path

    return take


def test_ministry_morning_approve_the_waiting_report_and_the_list_empties(page, url, shot, hcmc_staff):
    city = hcmc_staff.portal_profile.province
    year = timezone.localdate().year
    factories.member("ministry", username="chuyenvien.bo", first_name="Hà", last_name="Trần Thị Thu", email="ha@bo.vn")
    factories.project(city, year, support_vnd=600_000_000)
    report = services.period_submit(province=city, year=year, period="H1", user=hcmc_staff)

    log_in(page, url, "chuyenvien.bo")

    # The start page: the report waits, with how long; the header counts the notification.
    waiting = page.get_by_role("region", name=re.compile("Chờ phê duyệt"))
    expect(waiting.get_by_role("row")).to_have_count(2)  # the header and the report
    expect(waiting).to_contain_text(f"Báo cáo 6 tháng {year}")
    expect(waiting).to_contain_text("Thành phố Hồ Chí Minh")
    expect(page.locator(".header-bell .badge")).to_contain_text("1")
    expect(page.get_by_role("region", name="Báo cáo số liệu").get_by_role("link", name="Cả nước")).to_be_visible()
    shot("ministry-start")

    # Straight to the report, where approving is asked first with its consequence.
    waiting.get_by_role("link", name=f"Báo cáo 6 tháng {year}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Báo cáo 6 tháng {year}")
    page.get_by_role("button", name="Phê duyệt", exact=True).click()
    confirm = page.locator("#confirm-decision")
    expect(confirm).to_be_focused()
    expect(confirm).to_contain_text("Bạn sắp phê duyệt báo cáo 6 tháng")
    expect(confirm).to_contain_text(f"30/06/{year}")
    expect(confirm).to_contain_text("sẽ bị khóa")
    report.refresh_from_db()
    assert report.status == "submitted"  # nothing decided yet
    shot("ministry-confirm-approval")
    # By the keyboard: the confirm button is reached with Tab and pressed with Enter.
    confirm.get_by_role("button", name="Phê duyệt báo cáo").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Đã phê duyệt")
    report.refresh_from_db()
    assert report.status == "approved"

    # Back on the start page the list is empty.
    page.get_by_role("link", name="Cổng thông tin khuyến công").first.click()
    waiting = page.get_by_role("region", name=re.compile("Chờ phê duyệt"))
    expect(waiting).to_contain_text("Không có kế hoạch hay báo cáo nào chờ bạn quyết định.")
    expect(waiting.locator(".count-badge")).to_have_text("0")
    shot("ministry-start-empty")

    # The notification of the submission opens the report and is then read.
    page.locator(".header-bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    expect(page.locator(".notification-unread")).to_have_count(1)
    shot("ministry-notifications")
    page.locator(".notification-unread a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Báo cáo 6 tháng {year}")
    expect(page.locator(".header-bell .badge")).to_have_count(0)


def test_staff_morning_fix_the_sent_back_plan_and_submit_it_again(page, url, shot, hcmc_staff):
    city = hcmc_staff.portal_profile.province
    year = timezone.localdate().year + 1  # next year's plan, entered in December
    ministry = factories.member("ministry", username="chuyenvien.bo")
    plan = BudgetPlan.objects.create(
        province=city, year=year, funding_source=FundingSource.KCQG, planned_vnd=Decimal(1_500_000_000)
    )
    services.plan_submit(plan=plan, user=hcmc_staff)
    services.plan_return(plan=plan, user=ministry, reason=REASON)

    log_in(page, url, "nhanvien.hcm")

    # The start page says what was sent back and why, and the header counts it.
    sent_back = page.get_by_role("region", name="Bộ đã trả lại")
    expect(sent_back).to_contain_text(f"Kế hoạch KCQG {year}")
    expect(sent_back).to_contain_text(REASON)
    expect(page.locator(".header-bell .badge")).to_contain_text("1")
    shot("staff-start")

    sent_back.get_by_role("link", name=re.compile(f"Kế hoạch KCQG {year}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Kế hoạch năm {year}: Thành phố Hồ Chí Minh")
    expect(page.get_by_role("row", name=re.compile("KCQG"))).to_contain_text(REASON)

    # The figure is corrected but not saved; "Submit for approval" asks to save it first.
    national = page.get_by_label("Kinh phí khuyến công quốc gia (KCQG)")
    national.fill("1.400.000.000")
    # Leaving the grid now asks first (the browser's own dialog); staying keeps the figure.
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("navigation", name=re.compile("breadcrumb|Đường dẫn", re.I)).get_by_role(
        "link", name="Kế hoạch năm"
    ).click(no_wait_after=True)
    expect(national).to_have_value("1.400.000.000")
    assert dialogs == ["beforeunload"]
    page.get_by_role("row", name=re.compile("KCQG")).get_by_role("button", name="Trình duyệt").click()
    confirm = page.locator("#confirm-plan-submit")
    expect(confirm).to_be_focused()
    expect(confirm).to_contain_text("1.500.000.000 đ → 1.400.000.000 đ")
    expect(national).to_have_value("1.400.000.000")  # nothing typed is lost
    plan.refresh_from_db()
    assert (plan.status, plan.planned_vnd) == ("draft", Decimal(1_500_000_000))
    shot("staff-save-first")

    confirm.get_by_role("button", name="Lưu rồi trình duyệt").click()
    expect(page.locator(".messages")).to_contain_text("Đã trình Bộ phê duyệt kế hoạch")
    expect(page.get_by_role("row", name=re.compile("KCQG"))).to_contain_text("Đã trình")
    plan.refresh_from_db()
    assert (plan.status, plan.planned_vnd) == ("submitted", Decimal(1_400_000_000))
    shot("staff-resubmitted")

    # The start page no longer lists it as sent back.
    page.get_by_role("link", name="Cổng thông tin khuyến công").first.click()
    expect(page.get_by_role("region", name="Bộ đã trả lại")).to_have_count(0)
    shot("staff-start-after")


def test_a_refusal_is_its_own_page_with_what_to_open_instead(page, page_watch, url, shot, hcmc_staff):
    hanoi = factories.province("01", new_era=True)
    address = f"/ky-bao-cao/{hanoi.pk}/{timezone.localdate().year}/H1/"
    page_watch.expect_status(re.escape(address), 403)
    log_in(page, url, "nhanvien.hcm")

    response = page.goto(url(address))

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Ngoài phạm vi tài khoản của bạn")
    expect(page.locator("main")).to_contain_text("Báo cáo của Hà Nội nằm ngoài phạm vi tài khoản của bạn.")
    expect(page.get_by_role("link", name=re.compile("Kế hoạch năm .* của Thành phố Hồ Chí Minh"))).to_be_visible()
    shot("refused")
    assert ReportingPeriod.objects.count() == 0
