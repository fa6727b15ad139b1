"""Notifications: what the workflow and the reminders tell a user (services.notifications), and
whether a user also wants them by e-mail.

A notification keeps its kind and the names it needs (`params`), not a sentence: the portal
writes it in the reader's language when it is shown (selectors.notifications).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .geography import Province


class NotificationKind(models.TextChoices):
    PLAN_SUBMITTED = "plan_submitted", _("Plan submitted")
    PLAN_APPROVED = "plan_approved", _("Plan approved")
    PLAN_RETURNED = "plan_returned", _("Plan sent back")
    PLAN_REVISED = "plan_revised", _("Plan revised")
    PLAN_REOPENED = "plan_reopened", _("Plan reopened")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted")
    REPORT_APPROVED = "report_approved", _("Report approved")
    REPORT_RETURNED = "report_returned", _("Report sent back")
    REPORT_REOPENED = "report_reopened", _("Report reopened")
    REPORT_DUE = "report_due", _("Report due soon")
    REPORT_OVERDUE = "report_overdue", _("Report overdue")
    SETTLEMENT_DUE = "settlement_due", _("Settlement due soon")


class Notification(models.Model):
    """One message to one user: unread until they open their notifications or the record."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    # The names the message needs (province, year, period or fund, who, the reason…), as text.
    params = models.JSONField(_("details"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Reminders only: what was reminded (`report_due:<province>:<year>:<period>`) and on which
    # day, so that an item is reminded to a person at most once a day however often, and however
    # many at once, `send_reminders` runs (the constraint below). Empty and None otherwise.
    key = models.CharField(_("reminder key"), max_length=120, blank=True)
    reminder_day = models.DateField(_("reminded on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key", "reminder_day"],
                condition=~Q(key=""),
                name="notification_reminder_once_a_day",
            ),
            # A reminder always has its day (a NULL day would escape the constraint above), and a
            # workflow notification never has one.
            models.CheckConstraint(
                condition=Q(key="", reminder_day__isnull=True) | (~Q(key="") & Q(reminder_day__isnull=False)),
                name="notification_reminder_has_its_day",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        # Both databases of the portal (SQLite, PostgreSQL) have JSON; saying so keeps the system
        # checks from asking the database (they run without one, tests/test_security_round2.py).
        required_db_features = {"supports_json_field"}

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class NotificationSettings(models.Model):
    """A user's choice about e-mail; a user without a row gets e-mails (the default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    email_enabled = models.BooleanField(_("send notifications by e-mail"), default=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)
