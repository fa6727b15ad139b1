"""The plan's admin page lists its revisions by decision, read-only (issue 13, item 1): decision,
date, amount before and after, reason, who recorded it. A revision is made only through
`services.budget_plan_revise`; nothing in the admin adds, changes or removes one."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from programmes import services
from programmes.models import PlanRevision
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR = 2024


@pytest.fixture
def revised():
    """Hà Nội's 2024 KCQG plan, approved at 2 tỷ, raised to 2,5 tỷ by decision 45/QĐ-UBND."""
    hanoi = factories.province("01")
    plan = factories.budget_plan(hanoi, YEAR, 2_000_000_000, approved_on=D(YEAR, 2, 1))
    ministry = factories.member("ministry", username="ministry", first_name="Thu Hà", last_name="Trần Thị")
    services.budget_plan_revise(
        plan=plan,
        planned_vnd=Decimal(2_500_000_000),
        decision_number="45/QĐ-UBND",
        decided_on=D(YEAR, 8, 20),
        reason="Bổ sung kinh phí khuyến công đợt 2",
        user=ministry,
    )
    return plan, hanoi


def change_url(plan) -> str:
    return reverse("admin:programmes_budgetplan_change", args=[plan.pk])


def test_plan_revisions_have_no_admin_of_their_own():
    assert PlanRevision not in admin.site._registry


@pytest.mark.parametrize("role", ["admin", "ministry", "province_staff"])
def test_the_plan_page_lists_its_revisions_in_vietnamese(client, revised, role):
    plan, hanoi = revised
    client.force_login(factories.member(role, hanoi if role == "province_staff" else None))

    page = client.get(change_url(plan))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Điều chỉnh theo quyết định" in text
    for shown in (
        "45/QĐ-UBND",
        "20/08/2024",
        "2.000.000.000 đ",
        "2.500.000.000 đ",
        "Bổ sung kinh phí khuyến công đợt 2",
        "Trần Thị Thu Hà",
    ):
        assert shown in text, shown
    (formset,) = [inline.formset for inline in page.context["inline_admin_formsets"]]
    assert formset.model is PlanRevision
    assert len(formset.forms) == 1
    # Nothing to type into, nothing to tick for deletion, no row to add.
    assert 'name="revisions-0-decision_number"' not in text
    assert 'name="revisions-0-DELETE"' not in text
    assert formset.max_num == 0 or not page.context["inline_admin_formsets"][0].has_add_permission


def test_a_posted_revision_row_changes_nothing(client, revised):
    plan, _hanoi = revised
    client.force_login(factories.member("admin"))
    revision = PlanRevision.objects.get()
    data = {
        "revisions-TOTAL_FORMS": "2",
        "revisions-INITIAL_FORMS": "1",
        "revisions-0-id": str(revision.pk),
        "revisions-0-plan": str(plan.pk),
        "revisions-0-to_vnd": "9000000000",
        "revisions-0-DELETE": "on",
        "revisions-1-plan": str(plan.pk),
        "revisions-1-decision_number": "99/QĐ",
        "revisions-1-to_vnd": "1",
        "notes": "",
    }

    client.post(change_url(plan), data)

    assert list(PlanRevision.objects.values_list("pk", "to_vnd", "decision_number")) == [
        (revision.pk, Decimal(2_500_000_000), "45/QĐ-UBND")
    ]
    plan.refresh_from_db()
    assert plan.planned_vnd == Decimal(2_500_000_000)


def test_the_plan_list_shows_the_plan_as_revised_beside_the_first_approved(client, revised):
    client.force_login(factories.member("admin"))

    text = client.get(reverse("admin:programmes_budgetplan_changelist")).content.decode()

    assert "2.500.000.000 đ" in text and "2.000.000.000 đ" in text
