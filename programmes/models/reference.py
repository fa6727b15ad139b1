"""Reference data: the two funds (with their short names), the activity categories of Decree 45
and the output indicators.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..rules import records


class FundingSource(models.TextChoices):
    """The two budgets a province plans and spends."""

    KCQG = "KCQG", _("National fund (KCQG)")
    KCDP = "KCDP", _("Local fund (KCĐP)")


# The short names officials write (KCQG, KCĐP, with Đ), the same in every language.
FUND_SHORT_LABELS = {FundingSource.KCQG: "KCQG", FundingSource.KCDP: "KCĐP"}


def fund_short_label(code: str) -> str:
    """`KCQG` or `KCĐP` for a fund's code; the code itself when it is not a fund's."""
    return FUND_SHORT_LABELS.get(code, code)


CATEGORY_NOT_IN_FORCE = _(
    "The content “%(category)s” applies %(period)s, not in %(year)s: choose a content in force that year."
)
CATEGORY_FROM = _("from %(start)s")
CATEGORY_UNTIL = _("until %(end)s")
CATEGORY_BETWEEN = _("from %(start)s to %(end)s")


def validity_text(valid_from, valid_to) -> str:
    """`from 15/10/2025`, `until 14/10/2025` or `from … to …`; empty when open on both sides."""
    start = valid_from.strftime("%d/%m/%Y") if valid_from else None
    end = valid_to.strftime("%d/%m/%Y") if valid_to else None
    if start and end:
        return str(CATEGORY_BETWEEN) % {"start": start, "end": end}
    if start:
        return str(CATEGORY_FROM) % {"start": start}
    if end:
        return str(CATEGORY_UNTIL) % {"end": end}
    return ""


def category_not_in_force(category: "ActivityCategory", year: int) -> str:
    """The refusal of a record of `year` under `category`, which was not in force that year."""
    return str(CATEGORY_NOT_IN_FORCE) % {
        "category": category.name,
        "period": validity_text(category.valid_from, category.valid_to),
        "year": year,
    }


class ActivityCategory(models.Model):
    """A content category of Decree 45 Art. 4 (amended by Decree 235/2025): editable data.

    A category applies from `valid_from` to `valid_to` (both included; None: since the records
    begin, or still in force): a project's year must fall in that period (Project.clean), and a
    year's figures by category list the categories in force that year (rules.records.in_force_in_year).
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    valid_from = models.DateField(
        _("in force from"), null=True, blank=True, help_text=_("Empty: in force since the records begin.")
    )
    valid_to = models.DateField(_("in force to"), null=True, blank=True, help_text=_("Empty: still in force."))

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("activity category")
        verbose_name_plural = _("activity categories")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="activitycategory_validity_ordered",
                violation_error_message=_("A category's validity cannot end before it begins."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def in_force_in(self, year: int) -> bool:
        """Whether the category applies on at least one day of `year`."""
        return records.in_force_in_year(self.valid_from, self.valid_to, year)


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
