"""The establishments' register and the projects' beneficiaries: the model's rules, the
services' refusals (with their messages) and the double-funding warning, the establishment's
page, the admin and the API, with pinned query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from programmes import services
from programmes.models import Establishment, LegalForm, ProjectBeneficiary, ProjectStatus
from programmes.selectors.establishments import establishment_supports, project_territory_ids
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
API = "/api/v1"


@pytest.fixture
def hcm():
    return factories.province("79", new_era=True)


@pytest.fixture
def binh_duong():
    """A predecessor of new Thành phố Hồ Chí Minh (merged on 1 July 2025)."""
    return factories.province("74")


@pytest.fixture
def hanoi():
    return factories.province("01", new_era=True)


def establishment(province, name="HTX Mây tre đan Phú Hòa", **fields):
    fields.setdefault("legal_form", LegalForm.COOPERATIVE)
    fields.setdefault("registered_on", D(2026, 1, 5) if province.valid_to is None else D(2024, 1, 5))
    return services.establishment_create(province=province, name=name, **fields)


def messages_of(error: ValidationError, field: str) -> list[str]:
    return error.value.message_dict[field]


# --- the model ---------------------------------------------------------------------------------


def test_a_tax_code_is_optional_but_unique_when_given(hcm):
    with translation.override("vi"):
        establishment(hcm, "Hộ kinh doanh A", legal_form=LegalForm.HOUSEHOLD)
        establishment(hcm, "Hộ kinh doanh B", legal_form=LegalForm.HOUSEHOLD)  # two without a code
        establishment(hcm, "Công ty TNHH Gốm Lái Thiêu", tax_code="3701234567", legal_form=LegalForm.ENTERPRISE)
        with pytest.raises(ValidationError) as error:
            establishment(hcm, "Công ty khác", tax_code="3701234567", legal_form=LegalForm.ENTERPRISE)
    assert messages_of(error, "__all__") == ["Đã có cơ sở khác mang mã số doanh nghiệp hoặc mã số thuế này."]
    assert Establishment.objects.count() == 3


def test_a_malformed_tax_code_is_refused_with_its_format(hcm):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        establishment(hcm, tax_code="37-0123")
    assert messages_of(error, "tax_code") == [
        "Nhập mã số doanh nghiệp hoặc mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số "
        "đối với chi nhánh."
    ]
    assert establishment(hcm, tax_code="3701234567-001").tax_code == "3701234567-001"


def test_the_province_must_be_in_force_on_the_registration_day(hcm, binh_duong):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        establishment(binh_duong, registered_on=D(2026, 1, 5))
    assert messages_of(error, "province")[0].startswith("Bình Dương không còn hiệu lực vào ngày 05/01/2026")
    with pytest.raises(ValidationError):
        establishment(hcm, registered_on=D(2024, 1, 5))
    assert not Establishment.objects.exists()


def test_an_unknown_legal_form_and_an_empty_name_are_refused(hcm):
    with pytest.raises(ValidationError) as error:
        establishment(hcm, name="  ", legal_form="guild")
    assert set(error.value.message_dict) >= {"name", "legal_form"}


# --- beneficiaries and double funding -----------------------------------------------------------


def test_a_project_supports_establishments_of_its_territory_only(hcm, binh_duong, hanoi):
    project = factories.project(hcm, 2026, project_type="group")
    own = establishment(hcm)
    predecessor = establishment(binh_duong, "Cơ sở gốm Bình Dương")
    services.project_beneficiary_add(project=project, establishment=own)
    services.project_beneficiary_add(project=project, establishment=predecessor)
    elsewhere = establishment(hanoi, "Làng nghề gốm Bát Tràng", legal_form=LegalForm.CRAFT_VILLAGE)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.project_beneficiary_add(project=project, establishment=elsewhere)
    assert messages_of(error, "establishment") == [
        "Làng nghề gốm Bát Tràng đăng ký tại Hà Nội, ngoài địa bàn của tỉnh thực hiện đề án (Thành phố Hồ Chí Minh)."
    ]
    assert project.beneficiaries.count() == 2
    assert project_territory_ids(project) == project_territory_ids(factories.project(binh_duong, 2024))


def test_the_same_content_a_year_apart_warns_and_is_saved_only_when_confirmed(hcm):
    coop = establishment(hcm)
    first = factories.project(hcm, 2025, category_code="demonstration_technology", status_date=D(2025, 7, 2))
    services.project_beneficiary_add(project=first, establishment=coop)
    second = factories.project(hcm, 2026, category_code="demonstration_technology")
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.project_beneficiary_add(project=second, establishment=coop)
    assert error.value.error_dict["confirm"][0].code == services.DOUBLE_FUNDING_CODE
    category = factories.category("demonstration_technology").name
    assert messages_of(error, "confirm") == [
        f"HTX Mây tre đan Phú Hòa đã được hỗ trợ nội dung “{category}” năm 2025 (đề án {first.code}). "
        "Đề nghị kiểm tra để tránh hỗ trợ trùng; xác nhận nếu vẫn lưu."
    ]
    assert not second.beneficiaries.exists()

    result = services.project_beneficiary_add(project=second, establishment=coop, confirm=True)
    assert len(result.warnings) == 1 and result.link.double_funding_confirmed


@pytest.mark.parametrize(
    ("year", "category", "status", "warns"),
    [
        (2026, "demonstration_technology", ProjectStatus.IN_PROGRESS, True),  # the same year
        (2024, "demonstration_technology", ProjectStatus.IN_PROGRESS, False),  # two years apart
        (2025, "vocational_training", ProjectStatus.IN_PROGRESS, False),  # another content
        (2025, "demonstration_technology", ProjectStatus.CANCELLED, False),  # never carried out
    ],
)
def test_which_earlier_supports_count_as_double_funding(hcm, binh_duong, year, category, status, warns):
    province = hcm if year >= 2026 else binh_duong
    coop = establishment(binh_duong)
    earlier = factories.project(province, year, category_code=category, status=status)
    services.project_beneficiary_add(project=earlier, establishment=coop)
    later = factories.project(hcm, 2026, category_code="demonstration_technology")
    assert bool(services.double_funding_warnings(establishment=coop, project=later)) == warns


def test_an_establishment_with_supports_cannot_be_deleted_or_moved(hcm, hanoi):
    coop = establishment(hcm)
    services.project_beneficiary_add(project=factories.project(hcm, 2026), establishment=coop)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.establishment_delete(establishment=coop)
    assert error.value.messages == [
        "HTX Mây tre đan Phú Hòa là đơn vị thụ hưởng của 1 đề án; hãy gỡ khỏi các đề án đó trước khi xóa."
    ]
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.establishment_update(establishment=coop, province=hanoi)
    assert messages_of(error, "province") == [
        "HTX Mây tre đan Phú Hòa đã là đơn vị thụ hưởng của đề án; không thể đổi tỉnh nữa."
    ]
    coop.refresh_from_db()
    assert coop.province == hcm


def test_projects_are_linked_by_their_free_text_beneficiary(hcm, binh_duong, hanoi):
    coop = establishment(hcm, "HTX Gốm Tân Phước Khánh")
    old = factories.project(binh_duong, 2024, beneficiary_name="htx gốm  TÂN PHƯỚC KHÁNH")
    new = factories.project(hcm, 2026, beneficiary_name="HTX Gốm Tân Phước Khánh")
    other = factories.project(hanoi, 2026, beneficiary_name="HTX Gốm Tân Phước Khánh")
    made = services.beneficiaries_link_by_name(establishments=Establishment.objects.all())
    assert made == 2
    assert set(coop.supports.values_list("project_id", flat=True)) == {old.pk, new.pk}
    assert not other.beneficiaries.exists()
    old.refresh_from_db()
    assert old.beneficiary_name == "htx gốm  TÂN PHƯỚC KHÁNH"  # kept as written
    assert services.beneficiaries_link_by_name(establishments=Establishment.objects.all()) == 0


def test_the_supports_of_an_establishment_in_one_query(hcm, binh_duong, django_assert_num_queries):
    coop = establishment(binh_duong)
    kcqg = factories.project(binh_duong, 2024, support_vnd=300_000_000)
    kcdp = factories.project(hcm, 2026, support_vnd=200_000_000, fund="KCDP", category_code="consulting")
    cancelled = factories.project(hcm, 2026, support_vnd=900_000_000, status=ProjectStatus.CANCELLED)
    for project in (kcqg, kcdp, cancelled):
        services.project_beneficiary_add(project=project, establishment=coop)
    services.disbursement_create(project=kcqg, date=D(2024, 6, 1), amount_vnd=Decimal(100_000_000))
    # One query: the links with their projects, provinces, categories and disbursed sums.
    with django_assert_num_queries(1):
        supports = establishment_supports(coop)
    assert [row.year for row in supports.rows] == [2026, 2026, 2024]
    assert supports.support_by_fund_vnd == {"KCĐP": Decimal(200_000_000), "KCQG": Decimal(300_000_000)}
    assert supports.total_support_vnd == Decimal(500_000_000)
    assert supports.disbursed_vnd == Decimal(100_000_000)
    assert establishment_supports(establishment(hcm, "Cơ sở mới")).total_support_vnd == Decimal(0)


# --- the page ----------------------------------------------------------------------------------


def test_the_establishment_page_lists_its_supports(client, hcm, binh_duong, hanoi, django_assert_num_queries):
    coop = establishment(binh_duong, women_owned=True)
    for year, province in ((2024, binh_duong), (2026, hcm)):
        services.project_beneficiary_add(project=factories.project(province, year), establishment=coop)
    client.force_login(factories.member("province_staff", hcm, username="staff_hcm"))
    url = reverse("programmes:establishment", args=[coop.pk])
    # Session, user, role (groups), territory, the establishment with its province and region,
    # the supports, the change permission (the user's and the groups' permissions), the unread
    # notifications' count of the page's header.
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.status_code == 200
    assert [row.year for row in response.context["supports"].rows] == [2026, 2024]
    assert response.context["change_url"]
    client.force_login(factories.member("province_staff", hanoi, username="staff_hanoi"))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --- the admin ---------------------------------------------------------------------------------


def _inline_data(project, rows):
    data = {
        "beneficiaries-TOTAL_FORMS": str(len(rows)),
        "beneficiaries-INITIAL_FORMS": "0",
        "beneficiaries-MIN_NUM_FORMS": "0",
        "beneficiaries-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"beneficiaries-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_project_page_warns_of_double_funding_and_saves_when_confirmed(client, hcm):
    coop = establishment(hcm)
    services.project_beneficiary_add(project=factories.project(hcm, 2026), establishment=coop)
    project = factories.project(hcm, 2026)
    staff = factories.member("province_staff", hcm, username="staff_hcm")
    client.force_login(staff)
    url = reverse("admin:programmes_project_change", args=[project.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"support_vnd": "500.000.000", "counterpart_vnd": "0"})
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
        # No new row in the other inlines (the money rows' empty extra form left out).
        data[f"{formset.formset.prefix}-TOTAL_FORMS"] = management["INITIAL_FORMS"].value()
    data.update(_inline_data(project, [{"establishment": str(coop.pk), "note": ""}]))
    with translation.override("vi"):
        refused = client.post(url, data)
    assert refused.status_code == 200
    errors = [e for formset in refused.context["inline_admin_formsets"] for e in formset.formset.errors]
    assert "hỗ trợ trùng" in str(errors)
    assert not project.beneficiaries.exists()
    data["beneficiaries-0-confirm_double_funding"] = "on"
    saved = client.post(url, data)
    assert saved.status_code == 302, [f.formset.errors for f in saved.context["inline_admin_formsets"]] + [
        saved.context["adminform"].form.errors
    ]
    link = project.beneficiaries.get()
    assert link.double_funding_confirmed
    assert link.history.first().history_user == staff


@pytest.mark.parametrize("rows", [2, 8])
def test_establishment_changelist_query_count(client, hcm, rows, django_assert_num_queries):
    for index in range(rows):
        establishment(hcm, f"Cơ sở {index}")
    client.force_login(factories.member("province_staff", hcm, username="staff_hcm"))
    # Session, user, the user's and the groups' permissions, role (groups), territory, the
    # regions of the region filter, the filtered count (no full count: show_full_result_count
    # is off), the page of rows with their provinces and support counts.
    with django_assert_num_queries(9):
        response = client.get(reverse("admin:programmes_establishment_changelist"))
        response.render()
    assert response.context["cl"].result_count == rows


@pytest.mark.parametrize("rows", [2, 6])
def test_beneficiary_changelist_query_count(client, hcm, rows, django_assert_num_queries):
    for index in range(rows):
        services.project_beneficiary_add(
            project=factories.project(hcm, 2026), establishment=establishment(hcm, f"Cơ sở {index}")
        )
    client.force_login(factories.member("province_staff", hcm, username="staff_hcm"))
    # Session, user, the user's and the groups' permissions, role (groups), territory, the
    # regions of the region filter, the filtered count (no full count), the page of rows with
    # their projects, provinces and establishments, the years of the year filter.
    with django_assert_num_queries(10):
        response = client.get(reverse("admin:programmes_projectbeneficiary_changelist"))
        response.render()
    assert response.context["cl"].result_count == rows


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def api():
    return APIClient()


def test_api_registers_and_lists_establishments(api, hcm, hanoi, django_assert_num_queries):
    staff = factories.member("province_staff", hcm, username="staff_hcm")
    api.force_authenticate(staff)
    body = {
        "name": "Công ty TNHH Sơn mài Tương Bình Hiệp",
        "tax_code": "3701234567",
        "legal_form": "enterprise",
        "province": hcm.pk,
        "sector": "sơn mài",
        "ethnic_minority_owned": True,
        "registered_on": "2026-02-01",
    }
    created = api.post(f"{API}/establishments/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["support_count"] == 0
    with translation.override("vi"):
        duplicate = api.post(
            f"{API}/establishments/", {**body, "name": "Khác"}, format="json", HTTP_ACCEPT_LANGUAGE="vi"
        )
    assert duplicate.status_code == 400
    assert "mã số thuế" in str(duplicate.json())
    other = api.post(f"{API}/establishments/", {**body, "tax_code": "", "province": hanoi.pk}, format="json")
    assert other.status_code == 403
    for index in range(3):
        establishment(hcm, f"Hộ {index}", legal_form=LegalForm.HOUSEHOLD)
    # A fresh user object (nothing cached on it), authenticated without a session: role
    # (groups), territory, the count, the page with support counts.
    api.force_authenticate(type(staff).objects.get(pk=staff.pk))
    with django_assert_num_queries(4):
        listing = api.get(f"{API}/establishments/", {"legal_form": "household"})
    assert listing.json()["count"] == 3


def test_api_beneficiaries_warn_unless_confirmed(api, hcm):
    coop = establishment(hcm)
    services.project_beneficiary_add(project=factories.project(hcm, 2026), establishment=coop)
    project = factories.project(hcm, 2026)
    api.force_authenticate(factories.member("province_staff", hcm, username="staff_hcm"))
    url = f"{API}/projects/{project.pk}/beneficiaries/"
    refused = api.post(url, {"establishment": coop.pk}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["confirm"]
    assert not project.beneficiaries.exists()
    saved = api.post(url, {"establishment": coop.pk, "confirm": True}, format="json")
    assert saved.status_code == 201
    assert saved.json()["double_funding_confirmed"] is True
    assert len(saved.json()["warnings"]) == 1
    listed = api.get(url).json()
    assert [row["establishment"] for row in listed] == [coop.pk]
    supports = api.get(f"{API}/establishments/{coop.pk}/supports/").json()
    assert len(supports["rows"]) == 2 and supports["total_support_vnd"] == "1000000000"
    assert api.delete(f"{url}{listed[0]['id']}/").status_code == 204
    assert ProjectBeneficiary.objects.filter(project=project).count() == 0
