"""Five-year programmes (issue 19, item 3): the constraints and refusals with their messages,
the progress to date from the yearly records on the dashboards' arithmetic (None where nothing
is recorded; pinned query counts), the pages, the admin, the API and who may write what."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from programmes import services
from programmes.models import FiveYearProgramme, ProgrammeLevel, ProgrammeTarget, TargetKind
from programmes.selectors.programmes_5y import programme_progress
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def national(start=2021, **fields):
    return services.programme_save(
        programme=FiveYearProgramme(
            level=ProgrammeLevel.NATIONAL,
            start_year=start,
            title="Chương trình khuyến công quốc gia",
            decision_number=fields.pop("decision_number", "1881/QĐ-TTg"),
            decided_on=fields.pop("decided_on", D(2020, 11, 20)),
            **fields,
        )
    )


def target(programme, name, value, indicator=None, kind=TargetKind.COUNT, **fields):
    return services.target_save(
        target=ProgrammeTarget(
            programme=programme,
            name=name,
            value=Decimal(value),
            kind=kind,
            indicator=factories.indicator(indicator) if indicator else None,
            **fields,
        )
    )


@pytest.fixture
def world():
    hcm_old = factories.province("79")  # until 30/06/2025
    binh_duong = factories.province("74")  # merged into new Thành phố Hồ Chí Minh
    hcm = factories.province("79", new_era=True)
    hanoi = factories.province("01", new_era=True)
    programme = national()
    trained = target(programme, "Lao động được đào tạo nghề", 10_000, "trained_workers")
    models = target(programme, "Mô hình trình diễn", 340, "demonstration_models")
    trademarks = target(programme, "Nhãn hiệu", 350)
    revenue = target(programme, "Doanh thu của cơ sở được hỗ trợ", 20, kind=TargetKind.PERCENT)
    # 2022: one Bình Dương project training 120 workers; 2023: one in Hồ Chí Minh, no output yet.
    project = factories.project(binh_duong, 2022, support_vnd=400_000_000)
    services.disbursement_create(project=project, date=D(2022, 6, 1), amount_vnd=Decimal(150_000_000))
    services.output_create(project=project, indicator=factories.indicator(), date=D(2022, 9, 1), value=120)
    factories.project(hcm_old, 2023, support_vnd=300_000_000, category_code="demonstration_technology")
    return {
        "programme": programme,
        "targets": {"trained": trained, "models": models, "trademarks": trademarks, "revenue": revenue},
        "hcm": hcm,
        "hanoi": hanoi,
        "binh_duong": binh_duong,
    }


def test_a_programme_lasts_five_years_and_names_its_province_by_level(world):
    assert (world["programme"].start_year, world["programme"].end_year) == (2021, 2025)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        national(decision_number="khác")
    assert "Chương trình quốc gia của giai đoạn này đã được ghi nhận." in str(refusal.value)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.programme_save(
            programme=FiveYearProgramme(
                level=ProgrammeLevel.PROVINCIAL,
                start_year=2026,
                title="Chương trình khuyến công",
                decision_number="1/QĐ-UBND",
                decided_on=D(2025, 12, 1),
            )
        )
    assert "Chương trình của tỉnh phải ghi rõ tỉnh; chương trình quốc gia không ghi tỉnh." in str(refusal.value)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.programme_save(
            programme=FiveYearProgramme(
                level=ProgrammeLevel.PROVINCIAL,
                province=world["binh_duong"],
                start_year=2026,
                title="Chương trình khuyến công",
                decision_number="1/QĐ-UBND",
                decided_on=D(2025, 12, 1),
            )
        )
    assert refusal.value.message_dict["province"] == [
        "Bình Dương không còn hiệu lực trong năm 2026: hãy chọn tỉnh/thành phố của giai đoạn đó."
    ]
    # Its level cannot change once it has targets.
    programme = world["programme"]
    programme.level, programme.province = ProgrammeLevel.PROVINCIAL, world["hcm"]
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        services.programme_save(programme=programme)
    assert refusal.value.message_dict["province"] == [
        "Chương trình đã có 4 chỉ tiêu: không thể thay đổi cấp và tỉnh của chương trình nữa."
    ]
    assert FiveYearProgramme.objects.get(pk=programme.pk).province is None


def test_a_targets_refusals(world):
    programme = world["programme"]
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        target(programme, "Lao động", 100, "trained_workers", unit="người")
    assert refusal.value.message_dict["unit"] == [
        "Chỉ tiêu được theo dõi bằng “Lao động được đào tạo nghề”, tính theo đơn vị lao động: "
        "để trống đơn vị hoặc ghi lao động."
    ]
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        target(programme, "Máy móc", 0)
    assert "Chỉ tiêu về số lượng phải lớn hơn 0." in str(refusal.value)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        target(programme, "Doanh thu", 20, "trained_workers", kind=TargetKind.PERCENT)
    assert "Chỉ tiêu tỷ lệ về kết quả không được đo bằng chỉ tiêu đầu ra." in str(refusal.value)
    with translation.override("vi"), pytest.raises(ValidationError) as refusal:
        target(programme, "Lao động (lần 2)", 500, "trained_workers")
    assert "Chương trình đã có chỉ tiêu cho chỉ số này." in str(refusal.value)
    assert programme.targets.count() == 4
    # A percentage may be negative (material use −15 %) and takes the unit "%".
    assert target(programme, "Tiêu hao nguyên vật liệu", -15, kind=TargetKind.PERCENT).unit == "%"


def test_progress_to_date_follows_the_yearly_records(world, django_assert_num_queries):
    # The targets with their indicators, the projects by year, the outputs by indicator and
    # year, the disbursements by year.
    with django_assert_num_queries(4):
        figures = programme_progress(world["programme"])
    rows = {row.target.name: row for row in figures.targets}
    trained = rows["Lao động được đào tạo nghề"]
    # 2021, 2024, 2025: no project anywhere, so no data (None), not 0; 2023 has a project without output: 0.
    assert trained.by_year == ((2021, None), (2022, Decimal(120)), (2023, Decimal(0)), (2024, None), (2025, None))
    assert trained.actual == 120
    assert trained.completion_pct == Decimal("1.2")
    models = rows["Mô hình trình diễn"]
    assert (models.actual, models.completion_pct) == (0, 0)
    # Not measured by the records: no progress, not 0.
    for name in ("Nhãn hiệu", "Doanh thu của cơ sở được hỗ trợ"):
        assert (rows[name].measured, rows[name].actual, rows[name].completion_pct) == (False, None, None)
    assert [(year.year, year.projects, year.support_vnd, year.disbursed_vnd) for year in figures.years] == [
        (2021, 0, None, None),
        (2022, 1, 400_000_000, 150_000_000),
        (2023, 1, 300_000_000, None),
        (2024, 0, None, None),
        (2025, 0, None, None),
    ]
    assert (figures.support_total_vnd, figures.disbursed_total_vnd) == (700_000_000, 150_000_000)


def test_a_provinces_programme_counts_its_territory(world, django_assert_num_queries):
    local = services.programme_save(
        programme=FiveYearProgramme(
            level=ProgrammeLevel.PROVINCIAL,
            province=world["hcm"],
            start_year=2026,
            title="Chương trình khuyến công Thành phố Hồ Chí Minh",
            decision_number="12/QĐ-UBND",
            decided_on=D(2025, 12, 15),
        )
    )
    target(local, "Lao động được đào tạo nghề", 1_500, "trained_workers")
    project = factories.project(world["hcm"], 2026, support_vnd=200_000_000)
    services.output_create(project=project, indicator=factories.indicator(), date=D(2026, 5, 1), value=30)
    factories.project(world["hanoi"], 2026, support_vnd=999_000_000)  # not Hồ Chí Minh's
    # The territory, the targets, the projects, the outputs, the disbursements.
    with django_assert_num_queries(5):
        figures = programme_progress(local)
    assert figures.targets[0].actual == 30
    assert figures.years[0].support_vnd == 200_000_000 and figures.years[0].disbursed_vnd is None
    # Only the 2026–2030 years: Bình Dương's 2022 project belongs to the national 2021–2025 programme.
    assert [year.year for year in figures.years] == [2026, 2027, 2028, 2029, 2030]


def test_the_pages(client, world, django_assert_num_queries):
    staff = factories.member("province_staff", world["hanoi"], username="staff_hn")
    client.force_login(factories.member("ministry", username="bo"))
    # Session, user, role, the programmes with their provinces, the header's unread notifications.
    with django_assert_num_queries(5):
        page = client.get(reverse("programmes:programmes"), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200 and world["programme"] in page.context["programmes"]
    url = reverse("programmes:programme", args=[world["programme"].pk])
    # Session, user, role, the programme, its targets, projects, outputs, disbursements, the
    # header's unread notifications.
    with django_assert_num_queries(9):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    text = page.content.decode()
    assert "1881/QĐ-TTg" in text and "Chỉ tiêu và kết quả đến nay" in text
    assert "chưa có số liệu" in text  # the years and targets without records
    assert "Không đo được bằng số liệu của cổng" in text
    # Staff of another province read the national programme over their own territory only.
    client.force_login(staff)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200 and page.context["partial"]
    assert page.context["figures"].support_total_vnd is None
    client.force_login(factories.member("province_staff", world["hcm"], username="staff_hcm"))
    assert client.get(url).context["figures"].support_total_vnd == 700_000_000
    viewer = factories.member("viewer", username="xem")
    client.force_login(viewer)
    assert client.get(url).status_code == 200


def test_the_admin_list_and_the_refusal_on_the_form(admin_client, world, django_assert_num_queries):
    url = reverse("admin:programmes_fiveyearprogramme_changelist")
    admin_client.get(url)
    # Session, user, the count (no unfiltered count), the page with provinces, the years of the filter.
    with django_assert_num_queries(5):
        page = admin_client.get(url)
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 1
    change = reverse("admin:programmes_fiveyearprogramme_change", args=[world["programme"].pk])
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(
        reverse("admin:programmes_fiveyearprogramme_add"),
        {
            "level": "provincial",
            "start_year": 2026,
            "title": "Chương trình",
            "decision_number": "1",
            "decided_on": "01/12/2025",
            "targets-TOTAL_FORMS": 0,
            "targets-INITIAL_FORMS": 0,
        },
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 200
    assert "Chương trình của tỉnh phải ghi rõ tỉnh" in response.content.decode()
    assert FiveYearProgramme.objects.count() == 1


def test_the_api_reads_writes_and_refuses(world, django_assert_num_queries):
    api = APIClient()
    staff = factories.member("province_staff", world["hcm"], username="staff_hcm")
    api.force_authenticate(staff)
    # The role, the territory, the count, the page, its targets with their indicators.
    with django_assert_num_queries(5):
        response = api.get("/api/v1/five-year-programmes/")
    assert response.status_code == 200 and response.json()["count"] == 1
    progress = api.get(f"/api/v1/five-year-programmes/{world['programme'].pk}/progress/").json()
    trained = next(row for row in progress["targets"] if row["name"] == "Lao động được đào tạo nghề")
    assert (trained["actual"], trained["measured"]) == (120, True)
    assert next(row for row in progress["targets"] if row["name"] == "Nhãn hiệu")["actual"] is None
    # Staff may not write the national programme; they write their own province's.
    refused = api.patch(f"/api/v1/five-year-programmes/{world['programme'].pk}/", {"title": "X"}, format="json")
    assert refused.status_code == 403
    body = {
        "level": "provincial",
        "province": world["hcm"].pk,
        "start_year": 2026,
        "title": "Chương trình khuyến công Thành phố Hồ Chí Minh",
        "decision_number": "12/QĐ-UBND",
        "decided_on": "2025-12-15",
        "targets": [
            {"name": "Lao động được đào tạo nghề", "value": 1500, "indicator": "trained_workers"},
            {"name": "Doanh thu tăng", "value": 20, "kind": "percent"},
        ],
    }
    created = api.post("/api/v1/five-year-programmes/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["end_year"] == 2030 and len(created.json()["targets"]) == 2
    # A refused target saves nothing of the programme either.
    bad = {**body, "start_year": 2031, "targets": [{"name": "Máy móc", "value": 0}]}
    refused = api.post("/api/v1/five-year-programmes/", bad, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 400
    assert not FiveYearProgramme.objects.filter(start_year=2031).exists()
    other = {**body, "province": world["hanoi"].pk}
    assert api.post("/api/v1/five-year-programmes/", other, format="json").status_code == 403
    viewer = APIClient()
    viewer.force_authenticate(factories.member("viewer", username="xem"))
    assert viewer.get("/api/v1/five-year-programmes/").json()["count"] == 2
    assert viewer.delete(f"/api/v1/five-year-programmes/{world['programme'].pk}/").status_code == 403
    ministry = APIClient()
    ministry.force_authenticate(factories.member("ministry", username="bo"))
    updated = ministry.patch(
        f"/api/v1/five-year-programmes/{world['programme'].pk}/", {"decided_by": "Thủ tướng Chính phủ"}, format="json"
    )
    assert updated.status_code == 200
