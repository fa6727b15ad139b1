"""The province a user works for."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .geography import Province


class UserProfile(models.Model):
    """The province a user works for. Province staff have one; nation-wide roles have none."""

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

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)
