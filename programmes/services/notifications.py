"""Notifications of the workflow: who must act or who asked is told, in the portal and by e-mail.

Each workflow service calls one function here inside its transaction (`notify_plan_event`,
`notify_report_event`): the notifications are rows of the same transaction, so a refused or
rolled-back step tells nobody; the e-mails are sent once it commits (`transaction.on_commit`),
and a mail server that fails is logged, never failing the step.

Who is told (docs/design.md §7):

- submitted: the ministry officials, who decide;
- approved, sent back, reopened, revised: the staff of the record's province (those whose
  territory holds it: its own staff and its successor's, programmes.access) and whoever
  submitted it, if they may still read the province;
- never the person who took the step, and never a user outside the record's province scope.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from common.i18n import user_display_name

from .. import access
from ..models import (
    BudgetPlan,
    Notification,
    NotificationKind,
    NotificationSettings,
    Province,
    ReportingPeriod,
)
from ..selectors.notifications import notification_text

logger = logging.getLogger(__name__)

K = NotificationKind

PLAN_EVENTS = {
    "submitted": K.PLAN_SUBMITTED,
    "approved": K.PLAN_APPROVED,
    "returned": K.PLAN_RETURNED,
    "revised": K.PLAN_REVISED,
    "reopened": K.PLAN_REOPENED,
}
REPORT_EVENTS = {
    "submitted": K.REPORT_SUBMITTED,
    "approved": K.REPORT_APPROVED,
    "returned": K.REPORT_RETURNED,
    "reopened": K.REPORT_REOPENED,
}


def ministry_officials():
    """The active ministry officials (the role's group; administrators are not told)."""
    return get_user_model().objects.filter(is_active=True, groups__name=access.Role.MINISTRY.value)


def province_staff(province: Province):
    """The active province staff who may read `province`'s records: its own staff and those of
    the province it was merged into (whose territory holds it, programmes.access)."""
    where = Q(portal_profile__province_id=province.pk)
    if province.merged_into_id:
        where |= Q(portal_profile__province_id=province.merged_into_id)
    return get_user_model().objects.filter(where, is_active=True, groups__name=access.Role.PROVINCE_STAFF.value)


def _submitter(record) -> object | None:
    """Who last submitted `record` (a plan or a report), from its history; None if unknown."""
    user_id = (
        record.history.filter(status="submitted", history_user__isnull=False)
        .order_by("-history_date", "-history_id")
        .values_list("history_user_id", flat=True)
        .first()
    )
    return get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None


def _recipients(event: str, province: Province, record, actor) -> list:
    if event == "submitted":
        people = list(ministry_officials().distinct())
    else:
        people = list(province_staff(province).distinct())
        submitter = _submitter(record)
        if submitter is not None and submitter not in people and access.can_see_province(submitter, province):
            people.append(submitter)
    actor_id = getattr(actor, "pk", None)
    return [person for person in people if person.pk != actor_id]


def _create(kind: str, people: list, province: Province, params: dict, url: str) -> list[Notification]:
    rows = Notification.objects.bulk_create(
        [Notification(recipient=person, kind=kind, province=province, params=params, url=url) for person in people]
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: send_notification_emails(ids))
    return rows


def notify_plan_event(*, plan: BudgetPlan, event: str, actor, reason: str = "") -> list[Notification]:
    """Tell who must act or who asked that `plan` was submitted, approved, sent back, revised or
    reopened (`event`); the notifications created (e-mailed once the transaction commits)."""
    province = plan.province
    params = {
        "province": province.name,
        "year": plan.year,
        "fund": plan.funding_source,
        "actor": user_display_name(actor) if actor is not None else "",
        "reason": reason or "",
        "decision": plan.decision_number if event == "approved" else "",
    }
    url = reverse("programmes:year-plan-edit", kwargs={"province_id": province.pk, "year": plan.year})
    return _create(PLAN_EVENTS[event], _recipients(event, province, plan, actor), province, params, url)


def notify_plan_revised(*, plan: BudgetPlan, actor, reason: str = "") -> list[Notification]:
    """Tell the province's staff and the plan's submitter that the ministry revised `plan`
    (services.budget_plan_revise calls it inside its transaction)."""
    return notify_plan_event(plan=plan, event="revised", actor=actor, reason=reason)


def notify_plan_reopened(*, plan: BudgetPlan, actor, reason: str = "") -> list[Notification]:
    """Tell the province's staff and the plan's submitter that the ministry reopened the approved
    `plan` for correction (services.plan_reopen calls it inside its
    transaction)."""
    return notify_plan_event(plan=plan, event="reopened", actor=actor, reason=reason)


def notify_report_event(*, report: ReportingPeriod, event: str, actor, reason: str = "") -> list[Notification]:
    """Tell who must act or who asked that `report` was submitted, approved, sent back or
    reopened (`event`); the notifications created (e-mailed once the transaction commits)."""
    province = report.province
    params = {
        "province": province.name,
        "year": report.year,
        "period": report.period,
        "actor": user_display_name(actor) if actor is not None else "",
        "reason": reason or "",
    }
    url = reverse(
        "programmes:period", kwargs={"province_id": province.pk, "year": report.year, "period": report.period}
    )
    return _create(REPORT_EVENTS[event], _recipients(event, province, report, actor), province, params, url)


def set_email_enabled(*, user, enabled: bool) -> None:
    """Save `user`'s choice about e-mail."""
    NotificationSettings.objects.update_or_create(user=user, defaults={"email_enabled": enabled})


def mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark `user`'s unread notifications (those of `ids`, or all) read; how many were."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def send_notification_emails(ids: list[int]) -> int:
    """E-mail the notifications `ids` to their recipients who have an address and want e-mail,
    in the portal's language, through Django's mail settings; how many were sent. A failure is
    logged and leaves the notifications in the portal: it never raises."""
    try:
        rows = list(
            Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
            .select_related("recipient", "recipient__notification_settings")
            .order_by("pk")
        )
        wanted = [row for row in rows if row.recipient.email and _wants_email(row.recipient)]
        if not wanted:
            return 0
        base = settings.PORTAL_URL.rstrip("/")
        sent = []
        connection = mailers.default
        with translation.override(settings.LANGUAGE_CODE):
            for row in wanted:
                title, body = notification_text(row)
                link = f"{base}{row.url}" if row.url else base
                text = "\n\n".join(part for part in (body, link, _footer(base)) if part)
                try:
                    connection.send_messages([EmailMessage(title, text, None, [row.recipient.email])])
                except Exception:
                    logger.exception("Notification %s could not be e-mailed to %s", row.pk, row.recipient.email)
                    continue
                sent.append(row.pk)
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
        return len(sent)
    except Exception:
        logger.exception("Notifications %s could not be e-mailed", ids)
        return 0


def _wants_email(user) -> bool:
    try:
        return user.notification_settings.email_enabled
    except NotificationSettings.DoesNotExist:
        return True


def _footer(base: str) -> str:
    return translation.gettext(
        "You receive this e-mail because you have an account on the industrial extension portal. "
        "To stop these e-mails, untick “Also send me e-mails” on %(url)s."
    ) % {"url": f"{base}{reverse('programmes:notifications')}"}
