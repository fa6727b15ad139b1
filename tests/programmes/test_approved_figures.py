"""An approved report keeps its figures (issue 13, item 4): at approval the report stores plan,
first-approved plan and actual per fund, indicator targets and outputs, for its province's
territory and cut-off; a revision afterwards shows as live − approved; a reopening clears them."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from programmes import services
from programmes.models import FundingSource
from programmes.selectors import report_figures
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(datetime.datetime(2026, 11, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def ministry():
    return factories.member("ministry", username="ministry")


@pytest.fixture
def hanoi():
    return factories.province("01", new_era=True)


@pytest.fixture
def h1(hanoi, ministry):
    """Hà Nội's 2026 H1 report, approved over a 2 tỷ KCQG plan, 700 triệu paid by 30/06 (and
    100 triệu after), a target of 300 trained workers, 120 trained by 30/06."""
    plan = factories.budget_plan(hanoi, 2026, 2_000_000_000, approved_on=D(2026, 2, 1))
    factories.target(hanoi, 2026, "trained_workers", 300)
    project = factories.project(hanoi, 2026, support_vnd=1_500_000_000, status_date=D(2026, 2, 10))
    services.disbursement_create(project=project, date=D(2026, 5, 1), amount_vnd=Decimal(700_000_000))
    services.disbursement_create(project=project, date=D(2026, 8, 1), amount_vnd=Decimal(100_000_000))
    services.output_create(project=project, indicator=factories.indicator(), date=D(2026, 6, 1), value=120)
    record = services.period_submit(province=hanoi, year=2026, period="H1", user=ministry)
    record = services.period_approve(period=record, user=ministry)
    return record, plan


def test_approval_stores_the_figures_of_the_territory_at_the_cutoff(h1):
    record, _plan = h1
    stored = record.approved_figures
    assert stored["as_of"] == "2026-06-30"
    assert stored["funds"][FundingSource.KCQG] == {
        "plan_vnd": "2000000000",
        "original_plan_vnd": "2000000000",
        "actual_vnd": "700000000",
    }
    assert stored["funds"][FundingSource.KCDP]["plan_vnd"] is None  # no plan: not 0
    assert stored["indicators"]["trained_workers"] == {"target": 300, "actual": 120}
    record.refresh_from_db()
    assert record.approved_figures == stored


def test_a_revision_after_approval_shows_beside_the_approved_figure(h1, ministry):
    record, plan = h1
    services.budget_plan_revise(
        plan=plan,
        planned_vnd=Decimal(2_500_000_000),
        decision_number="45/QĐ-UBND",
        decided_on=D(2026, 8, 20),
        reason="Bổ sung kinh phí",
        user=ministry,
    )
    record.refresh_from_db()
    rows = {(row.group, row.key): row for row in report_figures.compare(record)}
    plan_row = rows[(FundingSource.KCQG, "plan_vnd")]
    assert (plan_row.approved, plan_row.live, plan_row.difference) == (
        Decimal(2_000_000_000),
        Decimal(2_500_000_000),
        Decimal(500_000_000),
    )
    assert plan_row.changed
    original = rows[(FundingSource.KCQG, "original_plan_vnd")]
    assert (original.approved, original.live, original.changed) == (Decimal(2_000_000_000),) * 2 + (False,)
    actual = rows[(FundingSource.KCQG, "actual_vnd")]
    assert (actual.live, actual.difference) == (Decimal(700_000_000), Decimal(0))  # August money is after 30/06
    missing = rows[(FundingSource.KCDP, "plan_vnd")]
    assert (missing.approved, missing.live, missing.difference) == (None, None, None)
    assert rows[("indicator", "trained_workers:actual")].approved == 120


def test_reopening_clears_the_figures_and_the_history_keeps_them(h1, ministry):
    record, _plan = h1
    reopened = services.period_reopen(period=record, user=ministry, reason="Sai số liệu giải ngân")
    assert reopened.approved_figures is None
    earlier = record.history.filter(status="approved").first()
    assert earlier.approved_figures["funds"]["KCQG"]["actual_vnd"] == "700000000"


def test_the_report_page_shows_the_approved_figures_beside_the_live_ones(client, h1, ministry):
    from django.urls import reverse

    record, plan = h1
    url = reverse("programmes:period", kwargs={"province_id": record.province_id, "year": 2026, "period": "H1"})
    client.force_login(ministry)
    page = client.get(url)
    assert page.context["approved_rows"]
    assert not page.context["figures_changed"]
    services.budget_plan_revise(
        plan=plan,
        planned_vnd=Decimal(2_500_000_000),
        decision_number="45/QĐ-UBND",
        decided_on=D(2026, 8, 20),
        reason="Bổ sung kinh phí",
        user=ministry,
    )
    page = client.get(url)
    assert page.context["figures_changed"]
    text = page.content.decode()
    assert "Số liệu khi phê duyệt" in text
    assert "2.000.000.000 đ" in text and "2.500.000.000 đ" in text and "500.000.000 đ" in text
    changed = [label for label, row in page.context["approved_rows"] if row.changed]
    assert len(changed) == 2  # the KCQG plan as revised, and the total's
