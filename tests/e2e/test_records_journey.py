"""The wider records in the browser (issue 19): province staff register an establishment,
attach it to a project, enter its product in the commune round and then in the provincial
round (with the commune certificate it needs) and record the provincial certificate; a ministry
official then reads the selection's figures by round and region, and the five-year programme's
page.

Starts from the reference data, a 2026 project and the 2026 rounds of the new Hồ Chí Minh City;
every figure the test expects on screen follows from what it typed itself.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from programmes import services
from programmes.models import (
    Establishment,
    FiveYearProgramme,
    ProductCertificate,
    ProductEntry,
    ProjectBeneficiary,
    SelectionLevel,
    SelectionRound,
)
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

YEAR = 2026
D = datetime.date


def choose(page, field_id: str, text: str, search: str | None = None) -> None:
    """Pick `text` in the admin's autocomplete (select2) field `field_id`, as a person does
    (typing `search`, by default `text`)."""
    container = page.locator(f"#select2-{field_id}-container")
    container.scroll_into_view_if_needed()
    container.locator("xpath=ancestor::span[contains(@class, 'select2-selection')]").click(force=True)
    page.locator(".select2-container--open .select2-search__field").fill(search or text)
    page.locator(".select2-results__option", has_text=text).first.click()
    expect(container).to_contain_text(text)


def enter_product(
    page, url, round_label: str, decision: str, *, certificate_number: str, qualifying: str | None = None
) -> None:
    page.goto(url("/quan-tri/programmes/productentry/add/"))
    choose(page, "id_round", round_label, search=decision)
    choose(page, "id_establishment", "HTX Sơn mài Tương Bình Hiệp")
    page.locator("#id_product_name").fill("Tranh sơn mài phong cảnh")
    page.locator("#id_group").select_option(value="handicrafts")
    page.locator("#id_average_score").fill("82.5")
    if qualifying:
        choose(page, "id_qualifying_certificate", qualifying)
    page.locator("input[name='certificate-0-number']").fill(certificate_number)
    page.locator("input[name='certificate-0-issued_on']").fill(f"20/11/{YEAR}")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Tranh sơn mài phong cảnh")


def test_staff_record_an_establishment_through_the_rounds_and_the_ministry_reads_the_figures(
    page, url, shot, hcmc_staff
):
    hcm = hcmc_staff.portal_profile.province
    project = factories.project(hcm, YEAR, title="Hỗ trợ máy phun sơn cho cơ sở sơn mài", support_vnd=300_000_000)
    for level, day, decision in (
        (SelectionLevel.COMMUNE, D(YEAR, 5, 12), "15/QĐ-UBPX"),
        (SelectionLevel.PROVINCE, D(YEAR, 11, 25), "88/QĐ-UBND"),
    ):
        services.round_save(
            round=SelectionRound(
                level=level,
                year=YEAR,
                province=hcm,
                held_on=day,
                commune="Phường Thủ Dầu Một",
                decision_number=decision,
            )
        )
    services.programme_save(
        programme=FiveYearProgramme(
            level="national",
            start_year=YEAR,
            title="Chương trình khuyến công quốc gia",
            decision_number="2646/QĐ-BCT",
            decided_on=D(2025, 9, 23),
            decided_by="Bộ trưởng Bộ Công Thương",
        )
    )
    factories.member("ministry", username="bo.congthuong", first_name="Minh", last_name="Trần")

    # 1. Register the establishment (the province is theirs already).
    log_in(page, url, "nhanvien.hcm")
    page.goto(url("/quan-tri/programmes/establishment/add/"))
    expect(page.locator("#select2-id_province-container")).to_have_text(re.compile("Hồ Chí Minh"))
    page.locator("#id_name").fill("HTX Sơn mài Tương Bình Hiệp")
    page.locator("#id_legal_form").select_option(value="cooperative")
    page.locator("#id_sector").fill("Sơn mài")
    page.get_by_label("Do phụ nữ làm chủ").check()
    shot("establishment-add")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("HTX Sơn mài Tương Bình Hiệp")
    establishment = Establishment.objects.get(name="HTX Sơn mài Tương Bình Hiệp")
    assert (establishment.province, establishment.women_owned) == (hcm, True)

    # 2. Attach it to the project, on the project's page.
    page.goto(url(f"/quan-tri/programmes/project/{project.pk}/change/"))
    page.locator(".add-row a", has_text="Cơ sở thụ hưởng").click()
    choose(page, "id_beneficiaries-0-establishment", "HTX Sơn mài Tương Bình Hiệp")
    shot("project-beneficiary")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Đã lưu")
    assert ProjectBeneficiary.objects.filter(project=project, establishment=establishment).exists()

    # 3. The commune round, then the provincial round with the commune certificate.
    enter_product(page, url, "Cấp xã", "15/QĐ-UBPX", certificate_number="XA-01/2026")
    enter_product(page, url, "Cấp tỉnh", "88/QĐ-UBND", certificate_number="TINH-07/2026", qualifying="XA-01/2026")
    shot("provincial-entry-saved")
    provincial = ProductEntry.objects.get(round__level=SelectionLevel.PROVINCE)
    assert provincial.qualifying_certificate.number == "XA-01/2026"
    certificate = ProductCertificate.objects.get(entry=provincial)
    # Issued in 2026: valid to 31/12 of the third year counted from 2026.
    assert (certificate.number, certificate.valid_to) == ("TINH-07/2026", D(2028, 12, 31))

    # 4. The establishment's page lists the support it received.
    page.goto(url(f"/co-so/{establishment.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("HTX Sơn mài Tương Bình Hiệp")
    expect(page.locator("main")).to_contain_text(project.code)
    shot("establishment-page")
    page.get_by_role("button", name="Đăng xuất").click()

    # 5. The ministry reads the figures by round, level and region.
    log_in(page, url, "bo.congthuong")
    page.goto(url(f"/san-pham-tieu-bieu/?year={YEAR}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sản phẩm công nghiệp nông thôn tiêu biểu")
    rounds = page.get_by_test_id("rounds")
    expect(rounds).to_contain_text("Cấp tỉnh")
    expect(rounds).to_contain_text("Cấp xã")
    expect(page.locator("main")).to_contain_text("Phía Nam")
    shot("ministry-figures")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("ministry-figures-phone")
    page.set_viewport_size({"width": 1366, "height": 768})

    # 6. And the five-year programme's page: no target recorded, no made-up progress.
    page.goto(url("/chuong-trinh/"))
    page.get_by_role("link", name="Chương trình khuyến công quốc gia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chương trình khuyến công quốc gia")
    expect(page.locator("main")).to_contain_text("Quyết định số 2646/QĐ-BCT")
    expect(page.locator("main")).to_contain_text("Chương trình chưa có chỉ tiêu nào được ghi nhận.")
    expect(page.get_by_test_id("years")).to_contain_text("300.000.000")
    shot("programme-page")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("programme-page-phone")
