"""The reporting workflow (docs/design.md §3, §7): a province's report of a period goes
open → submitted → approved. Province staff submit; ministry officials approve, or send back
with a reason; an approved report locks the records it covers (selectors.locks) until it is
reopened with a reason (DHIS2-style data approval). Every change is saved with its reason in
the record's history.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    PERIOD_END,
    Province,
    ReportingPeriod,
    expected_in,
    period_end,
)
from ..selectors import report_figures
from .notifications import notify_report_event
from .support import require_reason, with_reason

S = ReportingPeriod.Status


def period_submit(*, province: Province, year: int, period: str, user, today: datetime.date | None = None):
    """Submit a province's report for a period (creating its record); ValidationError if not allowed,
    among others when it is already submitted or approved.

    Two first submissions at the same moment get the answers of two submissions one after the
    other: the first is saved, the second is told the report is already submitted. On PostgreSQL
    the province's row is locked first, so the second waits for the first; should a first
    insert still meet a record inserted meanwhile (the unique constraint's IntegrityError), the
    submission is run once more, and then finds that record.
    """
    try:
        return _period_submit(province=province, year=year, period=period, user=user, today=today)
    except IntegrityError:
        # Rolled back to before the look-up: the record the other request inserted is there now.
        return _period_submit(province=province, year=year, period=period, user=user, today=today)


def _stored_period(province: Province, year: int, period: str) -> ReportingPeriod | None:
    return ReportingPeriod.objects.select_for_update().filter(province=province, year=year, period=period).first()


@transaction.atomic
def _period_submit(*, province: Province, year: int, period: str, user, today: datetime.date | None):
    today = today or timezone.localdate()
    if period not in PERIOD_END:
        raise ValidationError({"period": _("Unknown reporting period.")})
    if not expected_in(province, year, period):
        raise ValidationError({"period": _("%(province)s does not report this period.") % {"province": province.name}})
    if period_end(year, period) > today:
        raise ValidationError(
            {
                "period": _("The period ends on %(date)s; it can be reported after that.")
                % {"date": period_end(year, period).strftime("%d/%m/%Y")}
            }
        )
    # With no record yet the look-up below locks nothing: the province's row serialises first
    # submissions (no_key: inserts of rows that refer to the province are not held up).
    Province.objects.select_for_update(no_key=True).only("pk").get(pk=province.pk)
    record = _stored_period(province, year, period)
    if record is None:
        record = ReportingPeriod(province=province, year=year, period=period)
    if record.status != S.OPEN:
        raise ValidationError(
            _("This report is already “%(status)s”.") % {"status": record.get_status_display()}, code="status"
        )
    record.status = S.SUBMITTED
    record.submitted_at = timezone.now()
    record.submitted_by = user
    record.status_reason = ""
    with_reason(record, "", user).save()
    notify_report_event(report=record, event="submitted", actor=user)
    return record


@transaction.atomic
def period_approve(*, period: ReportingPeriod, user) -> ReportingPeriod:
    """Approve a submitted report: it then locks the records it covers, and keeps the figures it
    was approved with (`approved_figures`: selectors.report_figures, the province's territory at
    the period's end), which its page and the API show from then on."""
    period = ReportingPeriod.objects.select_for_update().select_related("province").get(pk=period.pk)
    if period.status != S.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."), code="status")
    period.approved_figures = report_figures.live_figures(period)
    period.status = S.APPROVED
    period.approved_at = timezone.now()
    period.approved_by = user
    with_reason(period, "", user).save()
    notify_report_event(report=period, event="approved", actor=user)
    return period


@transaction.atomic
def period_return(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    """Send a submitted report back to the province with a required reason."""
    reason = require_reason(reason)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != S.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be sent back."), code="status")
    period.status = S.OPEN
    period.status_reason = reason
    period.submitted_at = None
    period.submitted_by = None
    with_reason(period, reason, user).save()
    notify_report_event(report=period, event="returned", actor=user, reason=reason)
    return period


@transaction.atomic
def period_reopen(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    """Reopen an approved report (unlocking its records) with a required reason. The figures it
    was approved with are cleared (the report is no longer approved); its history keeps them,
    with each earlier approval."""
    reason = require_reason(reason)
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != S.APPROVED:
        raise ValidationError(_("Only an approved report can be reopened."), code="status")
    period.status = S.OPEN
    period.status_reason = reason
    period.approved_at = None
    period.approved_by = None
    period.approved_figures = None
    with_reason(period, reason, user).save()
    notify_report_event(report=period, event="reopened", actor=user, reason=reason)
    return period
