"""Activity contents that change with the law (issue 19, item 4): the validity period, the three
contents of Decree 235/2025 and their mapping onto the 2012 list, the refusals with their
messages, the figures by content (contents in force; comparable trends; pinned query counts),
the admin and the API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from programmes import services
from programmes.models import ActivityCategory, CategoryMapping, Project
from programmes.rules import progress, records
from programmes.selectors.categories import categories_in_force, category_figures
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
DECREE_235 = D(2025, 10, 15)


# --- the pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "year", "in_force"),
    [
        (None, None, 2012, True),
        (DECREE_235, None, 2024, False),
        (DECREE_235, None, 2025, True),  # from 15/10: in force on some days of 2025
        (DECREE_235, None, 2030, True),
        (None, D(2025, 10, 14), 2025, True),
        (None, D(2025, 10, 14), 2026, False),
        (D(2020, 1, 1), D(2020, 12, 31), 2020, True),
        (D(2020, 1, 1), D(2020, 12, 31), 2019, False),
    ],
)
def test_a_period_is_in_force_in_a_year_when_it_covers_one_of_its_days(valid_from, valid_to, year, in_force):
    assert records.in_force_in_year(valid_from, valid_to, year) is in_force


def test_fold_adds_the_later_contents_to_the_earlier_ones_and_keeps_none_for_nothing():
    values = {"a": Decimal(5), "b": None, "c": Decimal(2), "d": None, "e": Decimal(1)}
    # c folds into a, d into b (both None: still None), e into x (not in the values).
    folded = progress.fold(values, {"c": "a", "d": "b", "e": "x"})
    assert folded == {"a": Decimal(7), "b": None, "x": Decimal(1)}
    assert progress.fold({}, {"c": "a"}) == {}


# --- the reference data --------------------------------------------------------------------------


def test_the_decree_235_contents_apply_from_15_october_2025_and_map_onto_the_2012_list():
    added = {
        category.code: category
        for category in ActivityCategory.objects.filter(valid_from=DECREE_235).select_related(
            "mapping__comparable_with"
        )
    }
    assert set(added) == {"digital_transformation", "sustainable_production", "artisan_support"}
    assert {code: category.mapping.comparable_with.code for code, category in added.items()} == {
        "digital_transformation": "programme_capacity",
        "sustainable_production": "demonstration_technology",
        "artisan_support": "vocational_training",
    }
    assert all("235/2025" in category.legal_basis for category in added.values())
    # The nine 2012 contents are still in force (Decree 235 amends the list, it does not repeal it).
    assert [category.code for category in categories_in_force(2024)] == [
        category.code for category in ActivityCategory.objects.filter(valid_from__isnull=True)
    ]
    assert len(categories_in_force(2024)) == 9
    assert len(categories_in_force(2026)) == 12


# --- the refusals --------------------------------------------------------------------------------


def test_a_project_uses_a_content_in_force_in_its_year():
    old = factories.province("01")
    province = factories.province("01", new_era=True)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        factories.project(old, 2024, category_code="digital_transformation")
    assert refusal.value.message_dict["category"] == [
        "Nội dung “Hỗ trợ chuyển đổi số” áp dụng từ 15/10/2025, không áp dụng cho năm 2024: "
        "hãy chọn nội dung có hiệu lực trong năm đó."
    ]
    assert not Project.objects.filter(province=old).exists()
    project = factories.project(province, 2026, category_code="digital_transformation")
    assert project.category.code == "digital_transformation"


def test_a_content_keeps_covering_the_years_of_its_projects():
    province = factories.province("01", new_era=True)
    factories.project(province, 2026, category_code="consulting")
    # Next year's project, approved this autumn.
    factories.project(province, 2027, category_code="consulting", status="approved", status_date=D(2026, 11, 2))
    consulting = ActivityCategory.objects.get(code="consulting")
    consulting.valid_to = D(2025, 12, 31)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.category_save(category=consulting)
    assert refusal.value.message_dict["valid_to"] == [
        "2 đề án của các năm 2026, 2027 dùng nội dung “Tư vấn, trợ giúp cơ sở công nghiệp nông thôn”: "
        "thời gian hiệu lực của nội dung (đến 31/12/2025) phải bao gồm các năm đó."
    ]
    assert ActivityCategory.objects.get(code="consulting").valid_to is None
    consulting.valid_to = D(2027, 6, 30)
    services.category_save(category=consulting)
    consulting.valid_from, consulting.valid_to = D(2026, 1, 1), D(2025, 1, 1)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.category_save(category=consulting)
    assert "Thời gian hiệu lực của nội dung không thể kết thúc trước khi bắt đầu." in str(refusal.value)


def _mapping(later: str, earlier: str, **fields) -> CategoryMapping:
    return CategoryMapping(
        category=ActivityCategory.objects.get(code=later),
        comparable_with=ActivityCategory.objects.get(code=earlier),
        **fields,
    )


@pytest.mark.parametrize(
    ("later", "earlier", "field", "message"),
    [
        (
            "consulting",
            "vocational_training",
            "category",
            "“Tư vấn, trợ giúp cơ sở công nghiệp nông thôn” chưa có ngày bắt đầu hiệu lực: chỉ nội dung "
            "được bổ sung về sau (có ngày “có hiệu lực từ”) mới được so sánh với một nội dung trước đó.",
        ),
        (
            "digital_transformation",
            "sustainable_production",
            "comparable_with",
            "“Sản xuất và tiêu dùng bền vững” chưa có hiệu lực trước 15/10/2025: hãy chọn một nội dung "
            "của danh mục trước đó.",
        ),
    ],
)
def test_a_mapping_goes_from_a_later_content_to_an_earlier_one(later, earlier, field, message):
    CategoryMapping.objects.filter(category__code=later).delete()
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.category_mapping_save(mapping=_mapping(later, earlier))
    assert refusal.value.message_dict[field] == [message]


def test_a_mapping_folds_one_step_only():
    # A fourth content, from 2030, compared with a Decree 235 content (itself mapped): refused.
    later = services.category_save(
        category=ActivityCategory(code="green_transition", order=13, name="Chuyển đổi xanh", valid_from=D(2030, 1, 1))
    )
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.category_mapping_save(mapping=_mapping("green_transition", "digital_transformation"))
    assert refusal.value.message_dict["comparable_with"] == [
        "“Hỗ trợ chuyển đổi số” đã được so sánh với “Nâng cao năng lực quản lý và tổ chức thực hiện hoạt động "
        "khuyến công (cộng tác viên, cơ sở dữ liệu, hội nghị)”: hãy chọn nội dung đó."
    ]
    # Nor may a content that others are compared with be mapped in turn.
    target = ActivityCategory.objects.get(code="digital_transformation")
    CategoryMapping.objects.filter(category=target).delete()
    services.category_mapping_save(mapping=_mapping("green_transition", "digital_transformation"))
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.category_mapping_save(mapping=_mapping("digital_transformation", "programme_capacity"))
    assert refusal.value.message_dict["category"] == [
        "Đã có nội dung khác được so sánh với “Hỗ trợ chuyển đổi số”; nội dung này không thể được so sánh "
        "tiếp với một nội dung khác."
    ]
    assert CategoryMapping.objects.filter(category=later).exists()
    itself = CategoryMapping.objects.get(category=later)
    itself.comparable_with = later
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.category_mapping_save(mapping=itself)
    assert "Không thể so sánh một nội dung với chính nó." in str(refusal.value)


# --- the figures ---------------------------------------------------------------------------------


@pytest.fixture
def trend():
    """Hà Nội with a 2024 project (the province of 2008–2025) and 2026 projects (the new one);
    Huế (new) with one 2026 project."""
    hanoi_old = factories.province("01")
    hanoi = factories.province("01", new_era=True)
    hue = factories.province("46", new_era=True)

    def paid(project, day, amount):
        services.disbursement_create(project=project, date=day, amount_vnd=Decimal(amount))

    old = factories.project(hanoi_old, 2024, support_vnd=300_000_000, category_code="programme_capacity")
    paid(old, D(2024, 5, 2), 100_000_000)
    digital = factories.project(hanoi, 2026, support_vnd=200_000_000, category_code="digital_transformation")
    paid(digital, D(2026, 5, 2), 50_000_000)
    factories.project(hanoi, 2026, support_vnd=100_000_000, category_code="programme_capacity")
    factories.project(hue, 2026, support_vnd=400_000_000, category_code="digital_transformation")
    return {"hanoi": hanoi, "hanoi_old": hanoi_old, "hue": hue}


def _row(rows, code):
    return next(row for row in rows if row.category.code == code)


def test_a_years_figures_use_the_contents_in_force(trend, django_assert_num_queries):
    # The contents with their mappings, the projects by content and year, the disbursements by
    # content and year.
    with django_assert_num_queries(3):
        rows = category_figures(years=[2024], province_ids=None)
    codes = [row.category.code for row in rows]
    assert len(codes) == 9 and "digital_transformation" not in codes
    capacity = _row(rows, "programme_capacity").years[0]
    assert (capacity.projects, capacity.support_vnd, capacity.disbursed_vnd) == (1, 300_000_000, 100_000_000)
    # Nothing recorded is None, not 0.
    training = _row(rows, "vocational_training").years[0]
    assert (training.projects, training.support_vnd, training.disbursed_vnd) == (0, None, None)
    with django_assert_num_queries(3):
        rows = category_figures(years=[2026], province_ids=frozenset({trend["hanoi"].pk, trend["hanoi_old"].pk}))
    assert len(rows) == 12
    digital = _row(rows, "digital_transformation").years[0]
    assert (digital.in_force, digital.projects, digital.support_vnd, digital.disbursed_vnd) == (
        True,
        1,
        200_000_000,
        50_000_000,
    )


def test_a_trend_across_the_change_folds_the_new_contents_into_the_2012_list(trend, django_assert_num_queries):
    with django_assert_num_queries(3):
        rows = category_figures(years=[2024, 2026], province_ids=None, comparable=True)
    assert len(rows) == 9
    capacity = _row(rows, "programme_capacity")
    assert [category.code for category in capacity.folded] == ["digital_transformation"]
    assert [(cell.year, cell.projects, cell.support_vnd, cell.disbursed_vnd) for cell in capacity.years] == [
        (2024, 1, 300_000_000, 100_000_000),
        (2026, 3, 700_000_000, 50_000_000),
    ]
    # Without folding, the two contents stand apart in 2026, and the new one is not in force in 2024.
    apart = category_figures(years=[2024, 2026], province_ids=None)
    digital = _row(apart, "digital_transformation")
    assert [(cell.in_force, cell.projects) for cell in digital.years] == [(False, 0), (True, 2)]
    assert _row(apart, "programme_capacity").years[1].support_vnd == 100_000_000
    assert category_figures(years=[], province_ids=None) == []


# --- the API -------------------------------------------------------------------------------------


def test_the_api_lists_the_contents_in_force(django_assert_num_queries):
    api = APIClient()
    api.force_authenticate(factories.member("viewer", username="xem"))
    # The user's role, the contents with their mappings.
    with django_assert_num_queries(2):
        response = api.get("/api/v1/activity-categories/", {"in_force": 2024})
    assert response.status_code == 200 and len(response.json()) == 9
    rows = {row["code"]: row for row in api.get("/api/v1/activity-categories/").json()}
    assert rows["artisan_support"]["valid_from"] == "2025-10-15"
    assert rows["artisan_support"]["comparable_with"] == "vocational_training"
    assert rows["vocational_training"]["comparable_with"] is None
    with translation.override("vi"):
        refused = api.get("/api/v1/activity-categories/", {"in_force": "năm ngoái"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 400 and "in_force" in refused.json()
    # Read-only: the contents are changed in the admin.
    assert api.post("/api/v1/activity-categories/", {"code": "x"}).status_code in (403, 405)


def test_the_api_figures_are_scoped_and_comparable(trend, django_assert_num_queries):
    api = APIClient()
    staff = factories.member("province_staff", trend["hanoi"], username="staff_hn")
    api.force_authenticate(staff)
    # The user's role, the staff's territory, the contents, the projects, the disbursements.
    with django_assert_num_queries(5):
        response = api.get("/api/v1/category-figures/", {"year": [2024, 2026], "comparable": "true"})
    assert response.status_code == 200
    capacity = next(row for row in response.json() if row["code"] == "programme_capacity")
    assert capacity["folded"] == ["digital_transformation"]
    # Huế's 400 million are not Hà Nội staff's to read.
    assert [(cell["year"], cell["projects"], cell["support_vnd"]) for cell in capacity["years"]] == [
        (2024, 1, 300_000_000),
        (2026, 2, 300_000_000),
    ]
    training = next(row for row in response.json() if row["code"] == "vocational_training")
    assert training["years"][0]["support_vnd"] is None and training["years"][0]["disbursed_vnd"] is None
    refused = api.get(
        "/api/v1/category-figures/", {"year": 2026, "province": trend["hue"].pk}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert refused.status_code == 400
    assert refused.json()["province"] == ["Tài khoản của bạn không được xem số liệu của tỉnh này."]
    missing = api.get("/api/v1/category-figures/", HTTP_ACCEPT_LANGUAGE="vi")
    assert missing.status_code == 400 and "year" in missing.json()
    ministry = APIClient()
    ministry.force_authenticate(factories.member("ministry", username="bo"))
    hue = ministry.get("/api/v1/category-figures/", {"year": 2026, "province": trend["hue"].pk}).json()
    assert next(row for row in hue if row["code"] == "digital_transformation")["years"][0]["support_vnd"] == (
        400_000_000
    )


def test_the_schema_lists_the_new_endpoints(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/activity-categories/" in schema and "/api/v1/category-figures/" in schema


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_lists_the_contents_and_mappings(admin_client, django_assert_num_queries):
    admin_client.get(reverse("admin:programmes_categorymapping_changelist"))  # the session warmed
    # Session, user, the count (no unfiltered count), the page of mappings with both contents.
    with django_assert_num_queries(4):
        page = admin_client.get(reverse("admin:programmes_categorymapping_changelist"))
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 3
    # Session, user, the count (no unfiltered count), the page of contents.
    with django_assert_num_queries(4):
        page = admin_client.get(reverse("admin:programmes_activitycategory_changelist"))
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 12
    with translation.override("vi"):
        assert "15/10/2025" in page.content.decode()


def test_the_admin_shows_the_refusal_on_the_form(admin_client):
    province = factories.province("01", new_era=True)
    factories.project(province, 2026, category_code="consulting")
    consulting = ActivityCategory.objects.get(code="consulting")
    url = reverse("admin:programmes_activitycategory_change", args=[consulting.pk])
    data = {
        "code": consulting.code,
        "order": consulting.order,
        "name": consulting.name,
        "name_en": consulting.name_en,
        "legal_basis": consulting.legal_basis,
        "valid_from": "",
        "valid_to": "31/12/2025",
        "is_active": "on",
    }
    with translation.override("vi"):
        response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert "phải bao gồm các năm đó" in str(response.context["adminform"].form.errors["valid_to"])
    assert ActivityCategory.objects.get(pk=consulting.pk).valid_to is None
    mapping = CategoryMapping.objects.get(category__code="digital_transformation")
    response = admin_client.post(
        reverse("admin:programmes_categorymapping_change", args=[mapping.pk]),
        {"category": mapping.category_id, "comparable_with": ActivityCategory.objects.get(code="artisan_support").pk},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 200
    assert "chưa có hiệu lực trước 15/10/2025" in str(response.context["adminform"].form.errors["comparable_with"])
