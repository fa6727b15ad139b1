"""A user's notifications as the portal and the e-mails write them, in the reader's language: a
notification keeps its kind and names (models.Notification), the sentence is made here."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Notification, NotificationKind, NotificationSettings, Period, fund_short_label

K = NotificationKind


def _period(code: str) -> str:
    try:
        return str(Period(code).label).lower()
    except ValueError:
        return code


def _day(text: str) -> str:
    """`2026-10-15` (as stored) as `15/10/2026`."""
    try:
        return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return text or ""


def notification_text(notification: Notification) -> tuple[str, str]:
    """The notification's title and sentence, in the active language."""
    p = dict(notification.params or {})
    names = {
        "province": p.get("province", ""),
        "year": p.get("year", ""),
        "actor": p.get("actor") or _("A portal user"),
        "reason": p.get("reason", ""),
        "fund": fund_short_label(p["fund"]) if p.get("fund") else "",
        "period": _period(p.get("period", "")),
        "decision": p.get("decision", ""),
        "due": _day(p.get("due", "")),
        "code": p.get("code", ""),
        "title": p.get("title", ""),
    }
    kind = notification.kind
    if kind == K.PLAN_SUBMITTED:
        title = _("The %(fund)s plan %(year)s of %(province)s awaits your approval")
        body = _("%(actor)s submitted the %(fund)s plan %(year)s of %(province)s for approval.")
    elif kind == K.PLAN_APPROVED:
        title = _("The %(fund)s plan %(year)s of %(province)s was approved")
        body = (
            _("%(actor)s approved the %(fund)s plan %(year)s of %(province)s (decision %(decision)s).")
            if names["decision"]
            else _("%(actor)s approved the %(fund)s plan %(year)s of %(province)s.")
        )
    elif kind == K.PLAN_RETURNED:
        title = _("The %(fund)s plan %(year)s of %(province)s was sent back")
        body = _("%(actor)s sent the %(fund)s plan %(year)s of %(province)s back to draft. Reason: %(reason)s")
    elif kind == K.PLAN_REVISED:
        title = _("The %(fund)s plan %(year)s of %(province)s was revised")
        body = _("%(actor)s revised the %(fund)s plan %(year)s of %(province)s. Reason: %(reason)s")
    elif kind == K.PLAN_REOPENED:
        title = _("The %(fund)s plan %(year)s of %(province)s was reopened")
        body = _(
            "%(actor)s reopened the approved %(fund)s plan %(year)s of %(province)s: it can be corrected, then it "
            "must be submitted again. Reason: %(reason)s"
        )
    elif kind == K.REPORT_SUBMITTED:
        title = _("The %(period)s %(year)s report of %(province)s awaits your approval")
        body = _("%(actor)s submitted the %(period)s %(year)s report of %(province)s to the ministry.")
    elif kind == K.REPORT_APPROVED:
        title = _("The %(period)s %(year)s report of %(province)s was approved")
        body = _("%(actor)s approved the %(period)s %(year)s report of %(province)s: its records are now locked.")
    elif kind == K.REPORT_RETURNED:
        title = _("The %(period)s %(year)s report of %(province)s was sent back")
        body = _("%(actor)s sent the %(period)s %(year)s report of %(province)s back. Reason: %(reason)s")
    elif kind == K.REPORT_REOPENED:
        title = _("The %(period)s %(year)s report of %(province)s was reopened")
        body = _(
            "%(actor)s reopened the %(period)s %(year)s report of %(province)s: its records can be corrected, "
            "then it must be submitted again. Reason: %(reason)s"
        )
    elif kind == K.REPORT_DUE:
        title = _("The %(period)s %(year)s report of %(province)s is due on %(due)s")
        body = _(
            "The %(period)s %(year)s report of %(province)s is due on %(due)s. Check its figures and submit it "
            "to the ministry."
        )
    elif kind == K.REPORT_OVERDUE:
        title = _("The %(period)s %(year)s report of %(province)s is overdue")
        body = _("The %(period)s %(year)s report of %(province)s was due on %(due)s and has not been submitted.")
    elif kind == K.SETTLEMENT_DUE:
        title = _("Project %(code)s must be settled by %(due)s")
        body = _(
            "Project %(code)s – %(title)s (%(province)s) was accepted but is not settled yet: its liquidation "
            "and settlement are due by %(due)s."
        )
    else:
        title = body = str(notification.get_kind_display())
    return title % names, body % names


@dataclass(frozen=True)
class NotificationLine:
    """One notification of the list, written in the reader's language."""

    notification: Notification
    title: str
    body: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


def unread_count(user) -> int:
    """How many notifications `user` has not read (one query; 0 for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_lines(user, *, limit: int = 50) -> list[NotificationLine]:
    """`user`'s latest `limit` notifications, newest first (one query)."""
    rows = Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")[:limit]
    return [NotificationLine(row, *notification_text(row)) for row in rows]


def email_enabled(user) -> bool:
    """Whether `user` wants notifications by e-mail too (the default, without a choice saved)."""
    choice = NotificationSettings.objects.filter(user=user).values_list("email_enabled", flat=True).first()
    return True if choice is None else choice
