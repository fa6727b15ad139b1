"""Regions and provinces, one row per province and era (docs/design.md §3): which province was
in force on a day or in a year, and the province-year rule every record obeys.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A khuyến công region (north, central & highlands, south); editable data."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class ProvinceQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "ProvinceQuerySet":
        """Provinces in force on `day`: the query twin of `Province.in_force_on`."""
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    active_on = in_force_on  # the API's filter name (`?active_on=`)

    def active_in_year(self, year: int) -> "ProvinceQuerySet":
        """Provinces in force on at least one day of `year` (2025 gives both eras)."""
        return self.filter(valid_from__lte=datetime.date(year, 12, 31)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=datetime.date(year, 1, 1))
        )


class Province(models.Model):
    """A provincial unit in one era. A code alone is ambiguous after 2025: (code, valid_from) is not."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("Centrally-governed city")

    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROVINCE)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="provinces", verbose_name=_("region"))
    socio_economic_region = models.CharField(_("socio-economic region"), max_length=64, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: still in force."))
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("merged into"),
        help_text=_("The province this one became part of on 1 July 2025."),
    )

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["code", "valid_from"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="province_code_era_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="province_validity_ordered",
                violation_error_message=_("“Valid to” cannot be before “valid from”."),
            ),
        ]

    def __str__(self) -> str:
        if self.valid_to is not None:
            return f"{self.name} ({self.valid_from.year}–{self.valid_to.year})"
        return self.name

    def in_force_on(self, day: datetime.date) -> bool:
        """True when the province was in force on `day` (from `valid_from` to `valid_to`, both
        included; no `valid_to`: still in force)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def active_in_year(self, year: int) -> bool:
        """True when the province was in force on at least one day of `year`."""
        return self.valid_from.year <= year and (self.valid_to is None or self.valid_to.year >= year)


def validate_province_year(province: Province | None, year: int | None) -> None:
    """Raise ValidationError on `province` when the province was not in force in `year`."""
    if province is None or year is None:
        return
    if not province.active_in_year(year):
        raise ValidationError(
            {
                "province": _(
                    "%(province)s did not exist in %(year)s (in force %(start)s–%(end)s). "
                    "Choose the province of that year."
                )
                % {
                    "province": province.name,
                    "year": year,
                    "start": province.valid_from.strftime("%d/%m/%Y"),
                    "end": province.valid_to.strftime("%d/%m/%Y") if province.valid_to else "…",
                }
            }
        )


def short_date(day: datetime.date) -> str:
    """`05/07/2025`: a day as the pages write it."""
    return day.strftime("%d/%m/%Y")


def era_note(province: Province, year: int) -> str:
    """`until 30/06/2025` or `from 01/07/2025` when the province covered only part of `year`;
    empty when it was in force all year."""
    if province.valid_to is not None and province.valid_to < datetime.date(year, 12, 31):
        return gettext("until %(date)s") % {"date": short_date(province.valid_to)}
    if province.valid_from > datetime.date(year, 1, 1):
        return gettext("from %(date)s") % {"date": short_date(province.valid_from)}
    return ""


def province_label(province: Province, year: int) -> str:
    """The province's name, with its `era_note` for `year` in brackets when it has one."""
    note = era_note(province, year)
    return f"{province.name} ({note})" if note else province.name
