"""The typical-products selection: the rules (recognition, certificate validity), the rounds'
and entries' refusals with their messages, the figures and the list sent up (pinned query
counts), the pages, the Excel file, the admin and the API, and who may write what."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from programmes import services
from programmes.models import (
    Establishment,
    LegalForm,
    ProductCertificate,
    ProductEntry,
    ProductGroup,
    Region,
    SelectionLevel,
    SelectionRound,
)
from programmes.rules import records
from programmes.selectors.products import product_figures, round_sent_up, typical_products_comparison
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


# --- the pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "valid_to"),
    [(D(2024, 1, 2), D(2026, 12, 31)), (D(2024, 12, 31), D(2026, 12, 31)), (D(2025, 7, 1), D(2027, 12, 31))],
)
def test_a_certificate_is_valid_to_the_end_of_the_third_year(issued, valid_to):
    assert records.certificate_valid_to(issued) == valid_to
    assert records.certificate_valid_on(issued, valid_to)
    assert not records.certificate_valid_on(issued, valid_to + datetime.timedelta(days=1))
    assert not records.certificate_valid_on(issued, issued - datetime.timedelta(days=1))


def test_recognition_needs_an_average_of_seventy():
    assert records.is_recognised(Decimal("70")) is True
    assert records.is_recognised(Decimal("69.99")) is False
    assert records.is_recognised(None) is None


# --- the world -------------------------------------------------------------------------------------


@pytest.fixture
def world():
    hanoi_old = factories.province("01")  # 2008–2025
    hanoi = factories.province("01", new_era=True)
    bac_ninh = factories.province("27")
    saigon = factories.province("79")
    north = Region.objects.get(code="north")

    def est(province, name):
        return services.establishment_create(
            province=province, name=name, legal_form=LegalForm.COOPERATIVE, registered_on=D(2024, 1, 3)
        )

    coop = est(hanoi_old, "HTX Gốm Bát Tràng")
    other = est(bac_ninh, "Cơ sở đồ gỗ Đồng Kỵ")
    southern = est(saigon, "Cơ sở sơn mài Tương Bình Hiệp")

    def round_(level, day, **place):
        return services.round_save(round=SelectionRound(level=level, year=day.year, held_on=day, **place))

    district = round_(SelectionLevel.DISTRICT, D(2024, 3, 1), province=hanoi_old, commune="Gia Lâm")
    provincial = round_(SelectionLevel.PROVINCE, D(2024, 6, 1), province=hanoi_old, decision_number="12/QĐ-UBND")
    regional = round_(SelectionLevel.REGION, D(2024, 10, 1), region=north)
    return {
        "hanoi_old": hanoi_old,
        "hanoi": hanoi,
        "north": north,
        "coop": coop,
        "other": other,
        "southern": southern,
        "district": district,
        "provincial": provincial,
        "regional": regional,
    }


def enter(round_, establishment, *, score=None, certificate=None, product="Bình gốm men lam"):
    return services.entry_save(
        entry=ProductEntry(
            round=round_,
            establishment=establishment,
            product_name=product,
            group=ProductGroup.HANDICRAFTS,
            average_score=score,
            qualifying_certificate=certificate,
        )
    )


def certify(entry, number, day):
    return services.certificate_save(certificate=ProductCertificate(entry=entry, number=number, issued_on=day))


def qualified(world):
    """The cooperative's product through district and province, certified at both."""
    district_cert = certify(enter(world["district"], world["coop"], score=Decimal(80)), "H-01", D(2024, 3, 10))
    province_entry = enter(world["provincial"], world["coop"], score=Decimal(85), certificate=district_cert)
    return province_entry, certify(province_entry, "T-01", D(2024, 6, 10))


# --- rounds, entries, certificates ---------------------------------------------------------------


def test_a_round_names_the_place_its_level_needs(world):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.round_save(
            round=SelectionRound(
                level=SelectionLevel.REGION, year=2024, held_on=D(2024, 5, 1), province=world["hanoi_old"]
            )
        )
    assert error.value.messages == [
        "Đợt bình chọn cấp xã, cấp huyện, cấp tỉnh ghi tỉnh tổ chức; cấp khu vực ghi khu vực; "
        "cấp quốc gia không ghi cả hai."
    ]


def test_there_are_no_district_rounds_after_the_reform(world):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.round_save(
            round=SelectionRound(
                level=SelectionLevel.DISTRICT, year=2025, held_on=D(2025, 8, 1), province=world["hanoi"]
            )
        )
    assert error.value.message_dict["level"] == ["Từ ngày 01/07/2025 không còn bình chọn cấp huyện: hãy chọn cấp xã."]


def test_a_provincial_entry_needs_a_valid_certificate_of_the_level_below(world):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        enter(world["provincial"], world["coop"])
    assert error.value.message_dict["qualifying_certificate"] == [
        "Sản phẩm tham gia bình chọn cấp tỉnh phải có giấy chứng nhận của cấp dưới còn hiệu lực vào ngày 01/06/2024: "
        "hãy chọn giấy chứng nhận."
    ]
    province_entry, province_cert = qualified(world)
    # A regional entry with the district certificate: the wrong level.
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        enter(world["regional"], world["coop"], certificate=province_entry.qualifying_certificate)
    assert error.value.message_dict["qualifying_certificate"] == [
        "Giấy chứng nhận thuộc cấp huyện (trước 07/2025); đợt này cần giấy chứng nhận cấp tỉnh."
    ]
    assert enter(world["regional"], world["coop"], certificate=province_cert).round == world["regional"]


def test_a_certificate_of_another_establishment_or_expired_is_refused(world):
    _entry, province_cert = qualified(world)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        enter(world["regional"], world["other"], certificate=province_cert)
    assert error.value.message_dict["qualifying_certificate"] == [
        "Giấy chứng nhận đã cấp cho cơ sở khác (HTX Gốm Bát Tràng)."
    ]
    late = services.round_save(
        round=SelectionRound(level=SelectionLevel.REGION, year=2027, held_on=D(2027, 3, 1), region=world["north"])
    )
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        enter(late, world["coop"], certificate=province_cert)
    assert error.value.message_dict["qualifying_certificate"] == [
        "Giấy chứng nhận T-01 có hiệu lực đến 31/12/2026, trước đợt bình chọn ngày 01/03/2027."
    ]


def test_an_entry_is_of_the_rounds_territory(world):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        enter(world["district"], world["other"])
    assert error.value.message_dict["establishment"][0].startswith("Cơ sở đồ gỗ Đồng Kỵ (Bắc Ninh) nằm ngoài địa bàn")
    with pytest.raises(ValidationError):
        enter(world["regional"], world["southern"], certificate=None)
    assert not ProductEntry.objects.filter(establishment__in=[world["other"], world["southern"]]).exists()


def test_only_a_recognised_product_gets_a_certificate(world):
    entry = enter(world["district"], world["coop"])
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        certify(entry, "H-9", D(2024, 3, 10))
    assert error.value.message_dict["entry"] == ["Hãy nhập điểm bình quân của sản phẩm trước khi cấp giấy chứng nhận."]
    entry.average_score = Decimal("69.5")
    services.entry_save(entry=entry)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        certify(entry, "H-9", D(2024, 3, 10))
    assert error.value.message_dict["entry"] == [
        "Chỉ sản phẩm được công nhận (điểm bình quân từ 70 trở lên) mới được cấp giấy chứng nhận; "
        "sản phẩm này đạt 69,50."
    ]
    assert not ProductCertificate.objects.exists()
    entry.average_score = Decimal(75)
    services.entry_save(entry=entry)
    assert certify(entry, "H-9", D(2024, 3, 10)).valid_to == D(2026, 12, 31)


# --- figures ---------------------------------------------------------------------------------------


def test_the_figures_by_round_level_group_and_province(world, django_assert_num_queries):
    _entry, province_cert = qualified(world)
    enter(world["regional"], world["coop"], score=Decimal(71), certificate=province_cert)
    rounds = SelectionRound.objects.filter(year=2024)
    # The rounds with their counts, the counts by group, by province, by level.
    with django_assert_num_queries(4):
        figures = product_figures(rounds, on=D(2026, 12, 31))
    by_round = {row.level: row.counts for row in figures.rounds}
    assert by_round[SelectionLevel.DISTRICT].certified_valid == 1
    assert by_round[SelectionLevel.REGION].entered == 1 and by_round[SelectionLevel.REGION].recognised == 1
    assert by_round[SelectionLevel.REGION].certified_valid == 0  # no regional certificate yet
    assert figures.total.entered == 3 and figures.total.recognised == 3
    assert [row.counts.entered for row in figures.by_group] == [3]
    assert figures.reported_entered is None
    later = product_figures(rounds, on=D(2027, 1, 1))
    assert later.total.certified_valid == 0  # all expired on 31/12/2026


def test_the_list_sent_up_and_the_indicator_comparison(world, django_assert_num_queries):
    qualified(world)
    # One query: the recognised entries with their establishments and certificates.
    with django_assert_num_queries(1):
        rows = round_sent_up(world["provincial"])
    assert [(row.product_name, row.certificate_number, row.valid_to) for row in rows] == [
        ("Bình gốm men lam", "T-01", D(2026, 12, 31))
    ]
    comparison = typical_products_comparison(world["hanoi_old"], 2024)
    assert comparison.recognised == 1 and comparison.output is None  # no output recorded: None, not 0


def test_the_pages_and_the_excel_file(client, world, django_assert_num_queries):
    qualified(world)
    client.force_login(factories.member("ministry", username="ministry"))
    # Session, user, role, the rounds with counts, by group, by province, by level, the regions
    # of the filter, the unread notifications' count of the page's header.
    with django_assert_num_queries(9):
        page = client.get(reverse("programmes:product-figures"), {"year": 2024})
    assert page.status_code == 200
    assert page.context["figures"].total.entered == 2
    round_page = client.get(reverse("programmes:product-round", args=[world["provincial"].pk]))
    assert round_page.status_code == 200 and round_page.context["comparison"].recognised == 1
    response = client.get(reverse("programmes:product-round-excel", args=[world["provincial"].pk]))
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "T-01" in values and "HTX Gốm Bát Tràng" in values
    client.force_login(factories.member("province_staff", factories.province("79", new_era=True), username="s79"))
    assert client.get(reverse("programmes:product-round", args=[world["provincial"].pk])).status_code == 404
    assert client.get(reverse("programmes:product-round", args=[world["regional"].pk])).status_code == 200


# --- who writes what -----------------------------------------------------------------------------------


def test_regional_rounds_are_the_ministrys_and_provincial_ones_the_provinces(world):
    api = APIClient()
    staff = factories.member("province_staff", world["hanoi"], username="staff_hn")
    ministry = factories.member("ministry", username="ministry")
    body = {"level": "region", "year": 2026, "region": "north", "held_on": "2026-10-01"}
    api.force_authenticate(staff)
    assert api.post("/api/v1/product-rounds/", body, format="json").status_code == 403
    provincial = {"level": "province", "year": 2026, "province": world["hanoi"].pk, "held_on": "2026-06-01"}
    assert api.post("/api/v1/product-rounds/", provincial, format="json").status_code == 201
    api.force_authenticate(ministry)
    assert api.post("/api/v1/product-rounds/", body, format="json").status_code == 201
    assert (
        api.post("/api/v1/product-rounds/", {**provincial, "held_on": "2026-07-01"}, format="json").status_code == 403
    )
    figures = api.get("/api/v1/product-figures/", {"year": 2026, "level": "region"})
    assert figures.status_code == 200 and len(figures.json()["rounds"]) == 1


def test_api_entries_and_certificates(world):
    api = APIClient()
    api.force_authenticate(factories.member("province_staff", world["hanoi"], username="staff_hn"))
    _entry, province_cert = qualified(world)
    refused = api.post(
        "/api/v1/product-entries/",
        {
            "round": world["provincial"].pk,
            "establishment": world["coop"].pk,
            "product_name": "Ấm chén",
            "group": "handicrafts",
        },
        format="json",
    )
    assert refused.status_code == 400 and list(refused.json()) == ["qualifying_certificate"]
    regional = api.post(
        "/api/v1/product-entries/",
        {
            "round": world["regional"].pk,
            "establishment": world["coop"].pk,
            "product_name": "Bình gốm men lam",
            "group": "handicrafts",
            "qualifying_certificate": province_cert.pk,
        },
        format="json",
    )
    assert regional.status_code == 403  # the region's round is the ministry's
    listed = api.get("/api/v1/product-entries/", {"round": world["provincial"].pk}).json()
    assert listed["count"] == 1 and listed["results"][0]["recognised"] is True
    certificates = api.get("/api/v1/product-certificates/").json()
    assert {row["valid_to"] for row in certificates["results"]} == {"2026-12-31"}


@pytest.mark.parametrize("rows", [2, 6])
def test_api_entry_list_query_count(world, rows, django_assert_num_queries):
    for index in range(rows):
        enter(world["district"], world["coop"], product=f"Sản phẩm {index}")
    api = APIClient()
    staff = factories.member("province_staff", world["hanoi"], username="staff_hn")
    api.force_authenticate(type(staff).objects.get(pk=staff.pk))
    # Role (groups), territory, the count, the page with rounds and establishments.
    with django_assert_num_queries(4):
        response = api.get("/api/v1/product-entries/")
    assert response.json()["count"] == rows


def test_an_establishment_entered_in_a_round_cannot_be_deleted_by_any_door(world):
    """The entries keep their establishment (PROTECT): the service refuses with a message, so
    the API and the admin answer in Vietnamese instead of failing on the database's refusal
    (found by the API fuzzing: DELETE /api/v1/establishments/{id}/ answered 500)."""
    enter(world["district"], world["coop"], score=Decimal(80))
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.establishment_delete(establishment=world["coop"])
    assert error.value.messages == [
        str(services.establishments.ESTABLISHMENT_HAS_ENTRIES) % {"establishment": "HTX Gốm Bát Tràng", "count": 1}
    ]
    assert "HTX Gốm Bát Tràng" in error.value.messages[0]
    assert Establishment.objects.filter(pk=world["coop"].pk).exists()


@pytest.mark.parametrize("field", ["region", "indicator"])
def test_a_code_with_a_nul_byte_is_refused_not_a_server_error(world, field, django_assert_num_queries):
    """PostgreSQL refuses a NUL byte in a query: the codes of the records' API are refused before
    the database is asked (found by the API fuzzing on /api/v1/five-year-programmes/)."""
    from programmes.api.products import RoundSerializer
    from programmes.api.programmes_5y import TargetSerializer

    serializer = (RoundSerializer if field == "region" else TargetSerializer)(data={field: "no\x00rth"}, partial=True)
    with django_assert_num_queries(0):  # refused before any query
        assert not serializer.is_valid()
    assert field in serializer.errors
