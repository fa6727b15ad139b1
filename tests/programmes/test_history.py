"""History of the programme's records (django-simple-history): every write keeps who, when and
the values, and the admin's "History" button opens the record's history with old → new.

How the user gets onto a history row: inside a request, `HistoryRequestMiddleware` exposes the
request and simple-history reads `request.user`; outside one (scripts, imports, tests) the
documented way is `record._history_user = user` on the instance that is saved. A service
that re-reads its record (the workflow's `select_for_update`) must set it itself.
"""

import datetime
from decimal import Decimal

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from programmes import services, workflow
from programmes.models import ApprovalStatus, BudgetPlan, FundingSource
from reports import audit
from tests import factories

TZ = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh, no daylight saving
CREATED_AT = datetime.datetime(2024, 3, 10, 9, 0, tzinfo=TZ)
EDITED_AT = datetime.datetime(2024, 3, 11, 14, 30, tzinfo=TZ)


def planned_label() -> str:
    return str(capfirst(BudgetPlan._meta.get_field("planned_vnd").verbose_name))


def draft_plan(province, amount: int, *, user) -> BudgetPlan:
    plan = BudgetPlan(
        province=province,
        year=2024,
        funding_source=FundingSource.KCQG,
        planned_vnd=Decimal(amount),
        status=ApprovalStatus.DRAFT,
    )
    plan._history_user = user
    return services.budget_plan_save(plan=plan, user=user)


class PlanHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hcm = factories.province("79")
        cls.hanoi = factories.province("01")
        cls.officer = factories.member("province_staff", cls.hcm, first_name="Hà", last_name="Trần Thị Thu")
        cls.other_officer = factories.member("province_staff", cls.hanoi)
        cls.ministry = factories.member("ministry")
        with time_machine.travel(CREATED_AT, tick=False):
            cls.plan = draft_plan(cls.hcm, 1_000_000_000, user=cls.officer)

    def test_a_service_edit_keeps_the_user_the_time_and_old_and_new_values(self):
        with time_machine.travel(EDITED_AT, tick=False):
            self.plan.planned_vnd = Decimal(1_250_000_000)
            self.plan._history_user = self.officer
            self.plan._change_reason = "Bổ sung kinh phí"
            services.budget_plan_save(plan=self.plan, user=self.officer)

        versions = list(self.plan.history.order_by("history_date"))
        assert [v.history_type for v in versions] == ["+", "~"]
        assert versions[-1].history_user == self.officer
        assert versions[-1].history_date == EDITED_AT
        assert versions[-1].history_change_reason == "Bổ sung kinh phí"
        assert versions[0].planned_vnd == Decimal(1_000_000_000)
        assert versions[-1].planned_vnd == Decimal(1_250_000_000)

        change, creation = audit.audit_entries(
            user=self.ministry, filters=audit.AuditFilters(model="budgetplan", record_id=self.plan.pk), limit=10
        )
        assert change.action == audit.CHANGED
        assert change.who == "Trần Thị Thu Hà"
        assert change.when == EDITED_AT
        assert change.reason == "Bổ sung kinh phí"
        assert change.changes == (audit.FieldChange(planned_label(), "1.000.000.000 đ", "1.250.000.000 đ"),)
        assert creation.action == audit.CREATED
        assert creation.when == CREATED_AT
        assert audit.FieldChange(planned_label(), "", "1.000.000.000 đ") in creation.changes

    def test_a_request_records_the_signed_in_user(self):
        """The admin saves through the request: the middleware supplies the user."""
        self.client.force_login(self.officer)
        url = reverse("admin:programmes_budgetplan_change", args=[self.plan.pk])
        # The page's read-only list of revisions is an inline: its management form is posted too.
        page = self.client.get(url)
        management = {
            f"{formset.formset.prefix}-{name}": value
            for formset in page.context["inline_admin_formsets"]
            for name, value in formset.formset.management_form.initial.items()
        }
        response = self.client.post(
            url,
            {
                "province": self.hcm.pk,
                "year": 2024,
                "funding_source": FundingSource.KCQG,
                "planned_vnd": "1.300.000.000",
                "notes": "",
                **management,
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        latest = self.plan.history.first()
        assert latest.history_type == "~"
        assert latest.history_user == self.officer
        assert latest.planned_vnd == Decimal(1_300_000_000)

    def test_a_workflow_step_keeps_its_reason_and_status_change(self):
        with time_machine.travel(EDITED_AT, tick=False):
            workflow.plan_submit(plan=self.plan, user=self.officer)
        entry = audit.audit_entries(
            user=self.ministry, filters=audit.AuditFilters(model="budgetplan", record_id=self.plan.pk), limit=1
        )[0]
        status = capfirst(BudgetPlan._meta.get_field("status").verbose_name)
        assert entry.reason == ""  # a submission needs no reason: the status change says it
        assert audit.FieldChange(status, str(ApprovalStatus.DRAFT.label), str(ApprovalStatus.SUBMITTED.label)) in (
            entry.changes
        )

    def test_a_workflow_step_outside_a_request_records_its_user(self):
        workflow.plan_submit(plan=self.plan, user=self.officer)
        assert self.plan.history.first().history_user == self.officer


class AdminHistoryButtonTests(TestCase):
    """The change page's "History" opens the record's history (old → new), scoped."""

    @classmethod
    def setUpTestData(cls):
        cls.hcm = factories.province("79")
        cls.hanoi = factories.province("01")
        cls.officer = factories.member("province_staff", cls.hcm)
        cls.other_officer = factories.member("province_staff", cls.hanoi)
        with time_machine.travel(CREATED_AT, tick=False):
            cls.plan = draft_plan(cls.hcm, 1_000_000_000, user=cls.officer)
        with time_machine.travel(EDITED_AT, tick=False):
            cls.plan.planned_vnd = Decimal(1_250_000_000)
            cls.plan._history_user = cls.officer
            services.budget_plan_save(plan=cls.plan, user=cls.officer)

    def history_url(self) -> str:
        return reverse("admin:programmes_budgetplan_history", args=[self.plan.pk])

    def test_the_history_button_opens_the_record_history_with_old_and_new_values(self):
        self.client.force_login(self.officer)
        change_page = self.client.get(reverse("admin:programmes_budgetplan_change", args=[self.plan.pk]))
        assert self.history_url() in change_page.content.decode()

        response = self.client.get(self.history_url(), follow=True)
        assert response.redirect_chain[-1][0] == reverse("reports:audit-record", args=["budgetplan", self.plan.pk])
        page = response.content.decode()
        assert "1.000.000.000 đ" in page
        assert "1.250.000.000 đ" in page
        assert planned_label() in page
        assert timezone.localtime(EDITED_AT).strftime("%d/%m/%Y") in page

    def test_another_province_gets_404(self):
        self.client.force_login(self.other_officer)
        response = self.client.get(self.history_url(), follow=True)
        assert response.status_code == 404

    def test_models_without_history_keep_the_admin_log(self):
        self.client.force_login(factories.user(is_staff=True, is_superuser=True))
        response = self.client.get(reverse("admin:programmes_region_history", args=[self.hcm.region_id]))
        assert response.status_code == 200
