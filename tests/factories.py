"""Plain helpers that build programme records for tests (no factory library needed)."""

import datetime
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from programmes import services
from programmes.models import (
    ActivityCategory,
    ApprovalStatus,
    BudgetPlan,
    FundingSource,
    Indicator,
    IndicatorTarget,
    Project,
    ProjectStatus,
    Province,
)

_sequence = count(1)


def province(code: str, *, new_era: bool = False) -> Province:
    """The seeded province with `code`, of the pre-2025 era unless `new_era`."""
    return Province.objects.get(code=code, valid_to__isnull=new_era)


def category(code: str = "vocational_training") -> ActivityCategory:
    return ActivityCategory.objects.get(code=code)


def indicator(code: str = "trained_workers") -> Indicator:
    return Indicator.objects.get(code=code)


def user(username: str | None = None, **fields):
    username = username or f"user{next(_sequence)}"
    return get_user_model().objects.create_user(username=username, password="pw-" + username, **fields)


def budget_plan(
    prov: Province,
    year: int,
    planned_vnd: int | Decimal,
    fund: str = FundingSource.KCQG,
    *,
    approved_on: datetime.date | None = None,
) -> BudgetPlan:
    """An approved plan (approved on 1 March of the year unless given)."""
    plan = BudgetPlan(
        province=prov,
        year=year,
        funding_source=fund,
        planned_vnd=Decimal(planned_vnd),
        status=ApprovalStatus.APPROVED,
        approved_on=approved_on or datetime.date(year, 3, 1),
    )
    return services.budget_plan_save(plan=plan)


def target(prov: Province, year: int, code: str, value: int) -> IndicatorTarget:
    return IndicatorTarget.objects.create(province=prov, year=year, indicator=indicator(code), target=value)


def project(
    prov: Province,
    year: int,
    *,
    support_vnd: int | Decimal = 500_000_000,
    fund: str = FundingSource.KCQG,
    status: str = ProjectStatus.IN_PROGRESS,
    status_date: datetime.date | None = None,
    category_code: str = "vocational_training",
    **fields,
) -> Project:
    """A project created through the service, moved to `status` on `status_date` (1 March)."""
    return services.project_create(
        province=prov,
        year=year,
        funding_source=fund,
        category=category(category_code),
        title=fields.pop("title", f"Đề án thử nghiệm {next(_sequence)}"),
        support_vnd=Decimal(support_vnd),
        status=status,
        status_date=status_date or datetime.date(year, 3, 1),
        **fields,
    )


def member(role: str, province: Province | None = None, username: str | None = None, **fields):
    """A user with a portal role (its group), attached to `province` when given.

    Roles: province_staff, ministry, viewer, admin (programmes.access.Role). Everyone but the
    viewer works in the admin (is_staff).
    """
    from django.contrib.auth.models import Group

    from programmes.models import UserProfile

    fields.setdefault("is_staff", role != "viewer")
    account = user(username, **fields)
    account.groups.add(Group.objects.get(name=role))
    if province is not None:
        profile = UserProfile(user=account, province=province, role=role)
        # Setting up a test's people is not a change anybody made: no row in the audit trail
        # (whose tests count the rows of the changes they make).
        profile.skip_history_when_saving = True
        profile.save()
    return account
