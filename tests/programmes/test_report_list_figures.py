"""The list of reports, its Excel copy and the API list show an approved report's stored figures
(issue 13, item 4), and when the records now give others (a plan revised by decision after the
6-month report) both and the difference; all from one batch (`report_figures.approved_figures`,
`live_figures_of`), never a summary per row, and the same figures as the report's page."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from programmes import services
from programmes.models import FundingSource, Province
from programmes.selectors import ProvinceMap, Scope, report_figures, summary
from programmes.selectors.summaries import cutoff_figures
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR = 2026
HEADER_ROW = 6


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(datetime.datetime(2026, 11, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def ministry():
    return factories.member("ministry", username="ministry", first_name="Thu Hà", last_name="Trần Thị")


def approved_h1(province, ministry, *, plan_vnd=2_000_000_000, paid_vnd=700_000_000):
    """`province`'s 2026 H1 report approved over a KCQG plan, `paid_vnd` paid by 30/06 (and
    100 triệu in August), 120 workers trained by 30/06 of a target of 300."""
    plan = factories.budget_plan(province, YEAR, plan_vnd, approved_on=D(YEAR, 2, 1))
    factories.target(province, YEAR, "trained_workers", 300)
    project = factories.project(province, YEAR, support_vnd=1_500_000_000, status_date=D(YEAR, 2, 10))
    services.disbursement_create(project=project, date=D(YEAR, 5, 1), amount_vnd=Decimal(paid_vnd))
    services.disbursement_create(project=project, date=D(YEAR, 8, 1), amount_vnd=Decimal(100_000_000))
    services.output_create(project=project, indicator=factories.indicator(), date=D(YEAR, 6, 1), value=120)
    record = services.period_submit(province=province, year=YEAR, period="H1", user=ministry)
    return services.period_approve(period=record, user=ministry), plan


def revise(plan, ministry, amount=2_500_000_000):
    services.budget_plan_revise(
        plan=plan,
        planned_vnd=Decimal(amount),
        decision_number="45/QĐ-UBND",
        decided_on=D(YEAR, 8, 20),
        reason="Bổ sung kinh phí",
        user=ministry,
    )


@pytest.fixture
def hanoi_h1(ministry):
    return approved_h1(factories.province("01", new_era=True), ministry)


def h1_row(response, province_id):
    group = next(group for group in response.context["groups"] if group.code == "H1")
    return next(row for row in group.rows if row.province.pk == province_id)


def test_the_list_shows_the_approved_figures_and_after_a_revision_both_and_the_difference(client, hanoi_h1, ministry):
    record, plan = hanoi_h1
    client.force_login(ministry)
    url = reverse("programmes:periods")

    row = h1_row(client.get(url, {"year": YEAR}), record.province_id)
    assert (row.figures.plan.approved, row.figures.actual.approved) == (Decimal(2_000_000_000), Decimal(700_000_000))
    assert not row.figures.changed

    revise(plan, ministry)
    response = client.get(url, {"year": YEAR})

    row = h1_row(response, record.province_id)
    assert row.figures.plan.approved == Decimal(2_000_000_000)  # the report keeps what it said
    assert (row.figures.plan.live, row.figures.plan.difference) == (Decimal(2_500_000_000), Decimal(500_000_000))
    assert row.figures.actual.live == Decimal(700_000_000)  # August money is after 30/06
    assert [label for label, _row in row.figures.changes] == [
        "Kinh phí khuyến công quốc gia (KCQG): kế hoạch sau điều chỉnh",
        "Tổng cộng: kế hoạch sau điều chỉnh",
    ]
    text = response.content.decode()
    assert "Số liệu khi phê duyệt" in text
    assert "Đã thay đổi sau khi phê duyệt" in text
    assert "2,00 tỷ đồng → 2,50 tỷ đồng" in text and "+0,50 tỷ đồng" in text


def test_the_list_and_the_report_page_give_the_same_figures(client, hanoi_h1, ministry):
    record, plan = hanoi_h1
    revise(plan, ministry)
    client.force_login(ministry)

    listed = h1_row(client.get(reverse("programmes:periods"), {"year": YEAR}), record.province_id).figures
    page = client.get(reverse("programmes:period", args=[record.province_id, YEAR, "H1"]))

    assert listed.rows == [row for _label, row in page.context["approved_rows"]]
    assert listed.changes == [(label, row) for label, row in page.context["approved_rows"] if row.changed]


def test_the_excel_copy_holds_the_approved_figures_beside_the_live_ones(client, hanoi_h1, ministry):
    record, plan = hanoi_h1
    revise(plan, ministry)
    client.force_login(ministry)

    response = client.get(reverse("exports:periods"), {"year": YEAR, "period": "H1", "status": "approved"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[HEADER_ROW]]
    (row,) = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    figures = dict(zip(header[-5:], row[-5:], strict=True))
    assert figures == {
        "Kế hoạch sau điều chỉnh, khi phê duyệt (đồng)": 2_000_000_000,
        "Giải ngân, khi phê duyệt (đồng)": 700_000_000,
        "Kế hoạch sau điều chỉnh, hiện nay (đồng)": 2_500_000_000,
        "Giải ngân, hiện nay (đồng)": 700_000_000,
        "Số liệu đã thay đổi sau khi phê duyệt (khi phê duyệt → hiện nay, chênh lệch)": (
            "Kinh phí khuyến công quốc gia (KCQG): kế hoạch sau điều chỉnh: "
            "2.000.000.000 đ → 2.500.000.000 đ (+500.000.000 đ)\n"
            "Tổng cộng: kế hoạch sau điều chỉnh: 2.000.000.000 đ → 2.500.000.000 đ (+500.000.000 đ)"
        ),
    }
    assert sheet.cell(HEADER_ROW + 1, len(header) - 4).number_format.startswith("#,##0")


def test_the_api_list_gives_the_stored_figures_the_live_ones_and_what_changed(client, hanoi_h1, ministry):
    record, plan = hanoi_h1
    revise(plan, ministry)
    client.force_login(ministry)

    listed = client.get("/api/v1/reporting-periods/", {"year": YEAR, "period": "H1"}).json()["results"]
    (item,) = [item for item in listed if item["id"] == record.pk]
    detail = client.get(f"/api/v1/reporting-periods/{record.pk}/").json()

    assert item["approved_figures"]["funds"]["KCQG"]["plan_vnd"] == "2000000000"
    assert item["live_figures"]["funds"]["KCQG"]["plan_vnd"] == "2500000000"
    assert item["changed_figures"] == [
        {"group": "KCQG", "key": "plan_vnd", "approved": "2000000000", "live": "2500000000", "difference": "500000000"},
        {
            "group": "total",
            "key": "plan_vnd",
            "approved": "2000000000",
            "live": "2500000000",
            "difference": "500000000",
        },
    ]
    assert (detail["live_figures"], detail["changed_figures"]) == (item["live_figures"], item["changed_figures"])


def test_a_report_not_approved_has_no_figures_on_the_list(client, ministry):
    hanoi = factories.province("01", new_era=True)
    services.period_submit(province=hanoi, year=YEAR, period="H1", user=ministry)
    client.force_login(ministry)

    row = h1_row(client.get(reverse("programmes:periods"), {"year": YEAR}), hanoi.pk)
    item = client.get("/api/v1/reporting-periods/", {"year": YEAR}).json()["results"][0]

    assert row.figures is None
    assert (item["approved_figures"], item["changed_figures"]) == (None, None)


def _approve_many(count, ministry):
    provinces = list(Province.objects.filter(valid_to__isnull=True).order_by("code"))[:count]
    for province in provinces:
        approved_h1(province, ministry)
    return provinces


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_and_its_excel_do_not_grow_with_the_reports(client, ministry, count, django_assert_num_queries):
    _approve_many(count, ministry)
    client.force_login(ministry)
    # The page: 1 session, 2 user, 3 the user's role (groups), 4 every province with its region
    # (ProvinceMap), 5 the reporting calendar, 6 the year's reports with who submitted and
    # approved them; the approved reports' live figures (report_figures.approved_figures, one
    # batch): 7 plans, 8 projects, 9 targets, 10 indicators, and for the one cut-off with approved
    # reports (30/06) 11 disbursements and 12 outputs; 13 the header's unread notifications.
    with django_assert_num_queries(13):
        response = client.get(reverse("programmes:periods"), {"year": YEAR})
    assert sum(row.figures is not None for group in response.context["groups"] for row in group.rows) == count
    # The Excel copy: the same, without the header's notifications.
    with django_assert_num_queries(12):
        response = client.get(reverse("exports:periods"), {"year": YEAR})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sum(line[-5].value == 2_000_000_000 for line in sheet.iter_rows(min_row=HEADER_ROW + 1)) == count


@pytest.mark.parametrize("count", [2, 12])
def test_the_api_list_does_not_grow_with_the_reports(client, ministry, count, django_assert_num_queries):
    _approve_many(count, ministry)
    client.force_login(ministry)
    # 1 session, 2 user, 3 role, 4 count, 5 the page with provinces and who submitted and
    # approved, 6 every province (ProvinceMap), 7 plans, 8 projects, 9 targets, 10 indicators,
    # 11 disbursements and 12 outputs of the one cut-off (30/06/2026).
    with django_assert_num_queries(12):
        listed = client.get("/api/v1/reporting-periods/", {"year": YEAR}).json()["results"]
    assert sum(item["live_figures"]["funds"]["KCQG"]["plan_vnd"] == "2000000000" for item in listed) == count


def test_the_batch_gives_the_figures_of_summary_across_the_2025_merger(ministry):
    """Old Bình Dương's January–June 2025 records count in new Hồ Chí Minh City's year; the batch
    (`cutoff_figures`) and `summary()` agree on both territories and every cut-off."""
    old = factories.province("74")
    new = factories.province("79", new_era=True)
    factories.budget_plan(old, 2025, 900_000_000, approved_on=D(2025, 1, 20))
    factories.budget_plan(new, 2025, 1_200_000_000, FundingSource.KCDP, approved_on=D(2025, 7, 10))
    factories.target(old, 2025, "trained_workers", 100)
    factories.target(new, 2025, "trained_workers", 80)
    early = factories.project(old, 2025, support_vnd=800_000_000, status_date=D(2025, 2, 10))
    services.disbursement_create(project=early, date=D(2025, 5, 2), amount_vnd=Decimal(300_000_000))
    services.output_create(project=early, indicator=factories.indicator(), date=D(2025, 6, 1), value=40)
    late = factories.project(new, 2025, support_vnd=900_000_000, status_date=D(2025, 7, 20), fund=FundingSource.KCDP)
    services.disbursement_create(project=late, date=D(2025, 9, 15), amount_vnd=Decimal(450_000_000))
    services.disbursement_create(project=late, date=D(2025, 11, 3), amount_vnd=Decimal(50_000_000))
    provinces = ProvinceMap.load()
    cases = [(old, D(2025, 6, 30)), (new, D(2025, 9, 30)), (new, D(2025, 12, 31))]
    wanted = [(2025, day, frozenset(provinces.own_territory(province))) for province, day in cases]

    batch = cutoff_figures(wanted)

    for (province, day), cutoff in zip(cases, wanted, strict=True):
        expected = summary(year=2025, as_of=day, scope=Scope(province=province), provinces=provinces)
        assert report_figures.figures_of(batch[cutoff]) == report_figures.figures_of(expected), (province, day)
    year_end = report_figures.figures_of(batch[wanted[2]])
    assert year_end["funds"]["total"]["actual_vnd"] == "800000000"  # Bình Dương's 300 + 450 + 50
    assert year_end["indicators"]["trained_workers"] == {"target": 180, "actual": 40}


def test_queries_of_the_batch(ministry, django_assert_num_queries):
    hanoi = factories.province("01", new_era=True)
    approved_h1(hanoi, ministry)
    provinces = ProvinceMap.load()
    territory = frozenset(provinces.own_territory(hanoi))
    with django_assert_num_queries(0):
        assert cutoff_figures([]) == {}
    # plans, projects, targets, indicators; disbursements and outputs of each of the 2 cut-offs
    with django_assert_num_queries(8):
        cutoff_figures([(YEAR, D(YEAR, 6, 30), territory), (YEAR, D(YEAR, 9, 30), territory)])
