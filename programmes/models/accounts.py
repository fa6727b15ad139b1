"""A user's place in the portal: the province they work for, and what the audit trail keeps of
their account (role, activity, password changes)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .geography import Province


class Role(models.TextChoices):
    """The portal's roles (docs/design.md §7); each is a permission group of the same name
    (programmes.access.sync_role_groups)."""

    PROVINCE_STAFF = "province_staff", _("Province staff")
    MINISTRY = "ministry", _("Ministry official")
    VIEWER = "viewer", _("Viewer")
    ADMIN = "admin", _("Administrator")


class UserProfile(models.Model):
    """The province a user works for. Province staff have one; nation-wide roles have none.

    `role`, `is_active` and `password_changed_at` are what the account services
    (programmes.services.accounts) recorded at the account's last change, so that the audit
    trail shows each change of role, activity and password as old → new with who made it.
    Access never reads them: the role is the user's group (programmes.access.role_of) and
    activity is `User.is_active`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_profile", verbose_name=_("user")
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("province"),
        help_text=_("Province staff see and enter this province's records (and its predecessors')."),
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    is_active = models.BooleanField(_("account active"), default=True)
    password_changed_at = models.DateTimeField(_("password last set"), null=True, blank=True)

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("user account")
        verbose_name_plural = _("user accounts")

    def __str__(self) -> str:
        return str(self.user)
