"""Database constraints hold for every writer, not only for forms."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programmes.models import (
    ApprovalStatus,
    BudgetPlan,
    Disbursement,
    FundingSource,
    IndicatorTarget,
    Project,
    ProjectStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _plan(**overrides) -> BudgetPlan:
    fields = {
        "province": factories.province("79"),
        "year": 2016,
        "funding_source": FundingSource.KCQG,
        "planned_vnd": Decimal(1_000_000),
    }
    return BudgetPlan(**{**fields, **overrides})


def _refused_by_database(instance) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


def test_database_refuses_negative_money():
    _refused_by_database(_plan(planned_vnd=Decimal(-1)))


def test_database_refuses_fractions_of_a_dong():
    # PostgreSQL's numeric(18, 0) rounds 0.5 away before the check sees it; SQLite keeps it.
    from django.db import connection

    if connection.vendor == "postgresql":
        plan = _plan(planned_vnd=Decimal("1000.4"))
        plan.save()
        plan.refresh_from_db()
        assert plan.planned_vnd == Decimal(1000)
    else:
        _refused_by_database(_plan(planned_vnd=Decimal("1000.5")))


def test_database_refuses_a_year_out_of_range():
    _refused_by_database(_plan(year=1999))


def test_database_refuses_a_second_plan_for_the_same_province_year_and_fund():
    _plan().save()
    _refused_by_database(_plan(planned_vnd=Decimal(5)))
    _plan(funding_source=FundingSource.KCDP).save()  # the other fund is a separate plan


def test_database_refuses_an_approved_plan_without_a_date():
    _refused_by_database(_plan(status=ApprovalStatus.APPROVED, approved_on=None))


def test_database_refuses_a_second_target_for_the_same_indicator():
    province = factories.province("79")
    factories.target(province, 2016, "trained_workers", 100)
    _refused_by_database(IndicatorTarget(province=province, year=2016, indicator=factories.indicator(), target=5))


def test_database_refuses_an_unknown_funding_source_or_status():
    project = factories.project(factories.province("79"), 2016, status=ProjectStatus.PROPOSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(funding_source="USD")
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(status="done")


def test_database_refuses_a_zero_disbursement():
    project = factories.project(factories.province("79"), 2016)
    _refused_by_database(Disbursement(project=project, date=datetime.date(2016, 4, 1), amount_vnd=0))


def test_full_clean_refuses_a_province_outside_its_era_with_a_vietnamese_message():
    plan = _plan(province=factories.province("79"), year=2026)
    with pytest.raises(ValidationError) as caught:
        plan.full_clean()
    assert "không tồn tại trong năm 2026" in caught.value.message_dict["province"][0]
    _plan(province=factories.province("79", new_era=True), year=2026).full_clean()


def test_2025_admits_both_eras():
    _plan(province=factories.province("79"), year=2025).full_clean()
    _plan(province=factories.province("79", new_era=True), year=2025).full_clean()


def test_full_clean_reports_the_duplicate_plan_in_vietnamese():
    _plan().save()
    with pytest.raises(ValidationError) as caught:
        _plan().full_clean()
    assert caught.value.messages == ["Tỉnh này đã có kế hoạch của năm và nguồn vốn này."]
