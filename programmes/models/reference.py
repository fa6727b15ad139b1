"""Reference data: the two funds (with their short names), the activity categories of Decree 45
and the output indicators.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundingSource(models.TextChoices):
    """The two budgets a province plans and spends."""

    KCQG = "KCQG", _("National fund (KCQG)")
    KCDP = "KCDP", _("Local fund (KCĐP)")


# The short names officials write (KCQG, KCĐP, with Đ), the same in every language.
FUND_SHORT_LABELS = {FundingSource.KCQG: "KCQG", FundingSource.KCDP: "KCĐP"}


def fund_short_label(code: str) -> str:
    """`KCQG` or `KCĐP` for a fund's code; the code itself when it is not a fund's."""
    return FUND_SHORT_LABELS.get(code, code)


class ActivityCategory(models.Model):
    """A content category of Decree 45 Art. 4 (amended by Decree 235/2025): editable data."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("activity category")
        verbose_name_plural = _("activity categories")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Indicator(models.Model):
    """A physical output indicator with its unit (lao động, mô hình, cơ sở…)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=64)
    unit_en = models.CharField(_("English unit"), max_length=64, blank=True)
    category = models.ForeignKey(
        ActivityCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("activity category"),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"
