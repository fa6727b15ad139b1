"""The demo's working morning (called at the end of `demo.load`): work waiting on each start
page, made through the services so that it has its history and its notifications.

- Reports the generated history left "submitted" in earlier years are approved (the ministry
  decided them long ago), so that what waits is this year's.
- Thành phố Hồ Chí Minh's plans and targets of next year (2027), entered by its staff (tphcm):
  the KCĐP plan submitted and waiting for the ministry, the KCQG plan sent back with a reason.
- Its 6-month report of the demo year stands submitted by tphcm, waiting for approval.

Idempotent: the demo users' notifications and the city's 2027 plans are made again each time.
"""

import datetime
from decimal import Decimal

from django.db.models import F

from . import services
from .models import (
    BudgetPlan,
    FundingSource,
    IndicatorTarget,
    Notification,
    Province,
    ReportingPeriod,
)

SENT_BACK_REASON = (
    "Kế hoạch KCQG 2027 vượt mức hướng dẫn của Bộ (tối đa 9.500.000.000 đồng); đề nghị rà soát lại các đề án "
    "đào tạo nghề và trình lại."
)


def add_working_morning(*, users: dict, as_of: datetime.date) -> None:
    """Make the demo's start pages show work (see the module's docstring)."""
    ministry, staff = users["bo.congthuong"], users["tphcm"]
    Notification.objects.filter(recipient__in=users.values()).delete()
    # Decided long ago: an old report still waiting would hide this morning's work.
    ReportingPeriod.objects.filter(status=ReportingPeriod.Status.SUBMITTED, year__lt=as_of.year).update(
        status=ReportingPeriod.Status.APPROVED,
        approved_at=F("submitted_at") + datetime.timedelta(days=12),
        approved_by=ministry,
    )
    city = Province.objects.get(code="79", valid_to__isnull=True)
    year = as_of.year + 1
    # A re-run: the earlier ones go.
    BudgetPlan.objects.filter(province=city, year=year).delete()
    IndicatorTarget.objects.filter(province=city, year=year).delete()
    amounts = {FundingSource.KCQG: Decimal(10_400_000_000), FundingSource.KCDP: Decimal(13_200_000_000)}
    # Next year's targets: this year's, a tenth higher (every plan year of the demo has targets).
    targets = {
        target.indicator: target.target + target.target // 10
        for target in IndicatorTarget.objects.filter(province=city, year=as_of.year).select_related("indicator")
    }
    services.year_plan_save(province=city, year=year, amounts_vnd=amounts, targets=targets, user=staff)
    plans = {plan.funding_source: plan for plan in BudgetPlan.objects.filter(province=city, year=year)}
    for plan in plans.values():
        services.plan_submit(plan=plan, user=staff)
    services.plan_return(plan=plans[FundingSource.KCQG], user=ministry, reason=SENT_BACK_REASON)
    report = ReportingPeriod.objects.filter(province=city, year=as_of.year, period="H1").first()
    if report is not None and report.status != ReportingPeriod.Status.SUBMITTED:
        # Reopened for the demo (the locks follow), then sent again by the city's staff.
        if report.status == ReportingPeriod.Status.APPROVED:
            services.period_reopen(period=report, user=ministry, reason="Bổ sung số liệu đầu ra quý II")
        services.period_submit(province=city, year=as_of.year, period="H1", user=staff, today=as_of)
