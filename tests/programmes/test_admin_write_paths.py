"""Every admin write path asks the service (issue 16, item 1): deleting a record on its page and
with the list's "delete selected" action, saving the project page's inline rows, and saving a
target. Each test names the rule that only the service holds, so it fails when the admin goes
back to Django's default (`obj.delete()`, `queryset.delete()`, `formset.save()`, `obj.save()`).
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from programmes import services, workflow
from programmes.models import (
    BudgetPlan,
    Disbursement,
    DisbursementKind,
    IndicatorTarget,
    Period,
    Project,
    ProjectOutput,
)
from tests import factories

pytestmark = pytest.mark.django_db

YEAR = 2025
D = datetime.date


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def province():
    return factories.province("79")


@pytest.fixture
def staff(client, province):
    client.force_login(factories.member("province_staff", province))
    return client


@pytest.fixture
def paid_and_recovered(province):
    """A project paid 300 million, 200 million of which was recovered: deleting the payment
    alone would leave 200 million recovered from nothing (net −200 million)."""
    project = factories.project(province, YEAR, support_vnd=500_000_000)
    payment = services.disbursement_create(project=project, date=D(YEAR, 4, 1), amount_vnd=Decimal(300_000_000))
    recovery = services.disbursement_create(
        project=project, date=D(YEAR, 5, 1), amount_vnd=Decimal(200_000_000), kind=DisbursementKind.RECOVERY
    )
    return project, payment, recovery


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def approve_first_half(province, user=None):
    """An approved 6-month report of YEAR: every record dated in January–June is locked."""
    ministry = factories.member("ministry")
    period = workflow.period_submit(
        province=province, year=YEAR, period=Period.H1, user=user or ministry, today=D(YEAR, 7, 5)
    )
    return workflow.period_approve(period=period, user=ministry)


# --- delete on the record's page --------------------------------------------------------------


def test_deleting_a_payment_its_recovery_needs_is_refused_on_its_page(staff, paid_and_recovered):
    project, payment, _recovery = paid_and_recovered

    response = staff.post(admin_url(Disbursement, "delete", payment.pk), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert Disbursement.objects.filter(pk=payment.pk).exists()
    assert services.project_disbursed_vnd(project) == Decimal(100_000_000)
    assert messages_of(response) == [str(services.DELETE_LEAVES_MORE_RECOVERED)]


def test_deleting_the_recovery_alone_is_allowed(staff, paid_and_recovered):
    project, _payment, recovery = paid_and_recovered

    response = staff.post(admin_url(Disbursement, "delete", recovery.pk), {"post": "yes"})

    assert response.status_code == 302
    assert services.project_disbursed_vnd(project) == Decimal(300_000_000)


# --- the list's "delete selected" action ---------------------------------------------------------


def delete_selected(client, model, pks):
    return client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
        follow=True,
    )


def test_the_delete_action_refuses_what_the_service_refuses_and_deletes_nothing(staff, paid_and_recovered, province):
    project, payment, _recovery = paid_and_recovered
    other = factories.project(province, YEAR, support_vnd=100_000_000)
    unrelated = services.disbursement_create(project=other, date=D(YEAR, 4, 1), amount_vnd=Decimal(50_000_000))

    response = delete_selected(staff, Disbursement, [payment.pk, unrelated.pk])

    assert response.status_code == 200
    assert Disbursement.objects.filter(pk__in=[payment.pk, unrelated.pk]).count() == 2  # all or nothing
    assert str(services.DELETE_LEAVES_MORE_RECOVERED) in messages_of(response)
    assert services.project_disbursed_vnd(project) == Decimal(100_000_000)


def test_the_delete_action_takes_a_payment_and_its_recovery_together(staff, paid_and_recovered):
    project, payment, recovery = paid_and_recovered

    delete_selected(staff, Disbursement, [payment.pk, recovery.pk])

    assert not project.disbursements.exists()


def test_the_delete_action_writes_the_author_into_the_history(staff, paid_and_recovered):
    project, payment, recovery = paid_and_recovered

    delete_selected(staff, Disbursement, [payment.pk, recovery.pk])

    deleted = Disbursement.history.filter(history_type="-", project_id=project.pk)
    assert {row.history_user.username for row in deleted} == {_username(staff)}


def _username(client) -> str:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"]).username


def test_a_locked_target_is_not_deleted_by_the_action(client, province):
    # An administrator may edit every province, so only the lock (the service's rule) stands
    # between the action and the target of a year whose report is approved.
    target = factories.target(province, YEAR, "trained_workers", 100)
    approve_first_half(province)
    client.force_login(factories.member("admin", is_superuser=False))

    delete_selected(client, IndicatorTarget, [target.pk])

    assert IndicatorTarget.objects.filter(pk=target.pk).exists()


# --- the project page's inline rows ----------------------------------------------------------------


def test_inline_rows_are_saved_by_the_service_with_their_author(staff, province):
    project = factories.project(province, YEAR, support_vnd=500_000_000)
    page = staff.get(admin_url(Project, "change", project.pk))
    from tests.programmes.test_admin import add_disbursement_rows, form_data

    data = form_data(page)
    add_disbursement_rows(data, project, [("payment", "100.000.000")])

    response = staff.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 302
    created = Disbursement.history.get(project_id=project.pk, history_type="+")
    assert created.history_user is not None and created.history_user.username == _username(staff)


def test_inline_deletion_of_a_payment_its_recovery_needs_is_refused(staff, paid_and_recovered):
    project, _payment, _recovery = paid_and_recovered
    from tests.programmes.test_admin import form_data

    data = form_data(staff.get(admin_url(Project, "change", project.pk)))
    rows = {data[f"disbursements-{i}-id"]: i for i in range(int(data["disbursements-INITIAL_FORMS"]))}
    data[f"disbursements-{rows[str(_payment.pk)]}-DELETE"] = "on"

    response = staff.post(admin_url(Project, "change", project.pk), data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert errors == [str(services.ROWS_RECOVER_MORE) % {"recovered": "200.000.000 đ"}]
    assert services.project_disbursed_vnd(project) == Decimal(100_000_000)


def test_inline_output_rows_are_saved_by_the_service(staff, province):
    project = factories.project(province, YEAR)
    from tests.programmes.test_admin import form_data, row_data

    data = form_data(staff.get(admin_url(Project, "change", project.pk)))
    data.update(
        row_data(
            "outputs",
            0,
            id="",
            project=str(project.pk),
            indicator=str(factories.indicator().pk),
            date=f"{YEAR}-08-01",
            value="12",
            note="",
        )
    )

    staff.post(admin_url(Project, "change", project.pk), data)

    created = ProjectOutput.history.get(project_id=project.pk, history_type="+")
    assert created.history_user is not None and created.history_user.username == _username(staff)


# --- a target moved into a locked year ---------------------------------------------------------------


def test_a_target_cannot_be_moved_into_a_year_whose_report_is_approved(staff, province):
    target = factories.target(province, YEAR + 1, "trained_workers", 100)
    approve_first_half(province)

    response = staff.post(
        admin_url(IndicatorTarget, "change", target.pk),
        {"province": str(province.pk), "year": str(YEAR), "indicator": str(target.indicator_id), "target": "100"},
    )

    assert response.status_code == 200
    target.refresh_from_db()
    assert target.year == YEAR + 1


def test_a_plan_deleted_in_the_admin_goes_through_the_service(staff, province):
    plan = factories.budget_plan(province, YEAR, 1_000_000_000)
    approve_first_half(province)

    # The page is refused outright (the lock makes it read-only); the action is refused too.
    delete_selected(staff, BudgetPlan, [plan.pk])

    assert BudgetPlan.objects.filter(pk=plan.pk).exists()
