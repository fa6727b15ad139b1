"""The selection of typical rural industrial products (bình chọn sản phẩm CNNT tiêu biểu,
TT 26/2014/TT-BCT as amended by TT 14/2018 and TT 38/2025): rounds by level, the products
entered, and the certificates of those recognised (rules.records: the score and the validity).

A round of the commune, district or province level belongs to its province (province staff
enter it); a regional or national round belongs to no province: the ministry's agency runs it
and every role reads it. An entry and its certificate belong to the establishment's province,
so a province's staff read their establishments' entries in the rounds above them too.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..rules import records
from .base import ScopedQuerySet, TimeStamped, year_range_check
from .establishments import Establishment, province_in_force_on
from .geography import Province, Region, short_date

# From 1 July 2025 the district level is gone (two-level local government): its rounds are history.
DISTRICTS_ABOLISHED = datetime.date(2025, 7, 1)


class SelectionLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune level")
    DISTRICT = "district", _("District level (before 07/2025)")
    PROVINCE = "province", _("Province level")
    REGION = "region", _("Regional level")
    NATION = "nation", _("National level")


# The rank of each level; an entry needs a certificate of the rank just below (commune and
# district are the same rank: the bottom, which needs none).
LEVEL_RANK = {
    SelectionLevel.COMMUNE: 1,
    SelectionLevel.DISTRICT: 1,
    SelectionLevel.PROVINCE: 2,
    SelectionLevel.REGION: 3,
    SelectionLevel.NATION: 4,
}
PROVINCE_LEVELS = (SelectionLevel.COMMUNE, SelectionLevel.DISTRICT, SelectionLevel.PROVINCE)


class ProductGroup(models.TextChoices):
    HANDICRAFTS = "handicrafts", _("Handicrafts and fine arts")
    PROCESSING = "processing", _("Agro-forestry-fishery processing and food")
    MACHINERY = "machinery", _("Machinery, tools and mechanical parts")
    OTHER = "other", _("Other products")


class RoundQuerySet(ScopedQuerySet):
    def in_provinces(self, ids):
        """A province's rounds and every regional and national round (those are everybody's
        to read; who may change them is `programmes.access.may_edit_record`)."""
        if ids is None:
            return self
        return self.filter(Q(province__in=ids) | Q(province__isnull=True))


class SelectionRound(TimeStamped):
    """One round of the selection at one level, in one year, under one decision."""

    level = models.CharField(_("level"), max_length=16, choices=SelectionLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product_rounds",
        verbose_name=_("province"),
        help_text=_("For commune, district and province rounds."),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="product_rounds",
        verbose_name=_("region"),
        help_text=_("For regional rounds."),
    )
    commune = models.CharField(_("commune or district"), max_length=255, blank=True)
    held_on = models.DateField(_("held on"), help_text=_("The day of the selection; certificates are checked on it."))
    decision_number = models.CharField(_("decision number"), max_length=128, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reported_entered = models.PositiveIntegerField(
        _("entered, as published"), null=True, blank=True, help_text=_("When the round's report gave a figure.")
    )
    reported_recognised = models.PositiveIntegerField(_("recognised, as published"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = RoundQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    province_lookup = "province"

    class Meta:
        ordering = ["-year", "level", "region__order", "province__code", "id"]
        verbose_name = _("selection round")
        verbose_name_plural = _("selection rounds")
        constraints = [
            year_range_check("selectionround"),
            models.CheckConstraint(condition=Q(level__in=SelectionLevel.values), name="selectionround_level_valid"),
            models.CheckConstraint(
                condition=(
                    Q(level__in=PROVINCE_LEVELS, province__isnull=False, region__isnull=True)
                    | Q(level=SelectionLevel.REGION, province__isnull=True, region__isnull=False)
                    | Q(level=SelectionLevel.NATION, province__isnull=True, region__isnull=True)
                ),
                name="selectionround_place_matches_level",
                violation_error_message=_(
                    "A commune, district or province round names its province; a regional round its "
                    "region; a national round neither."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reported_recognised__isnull=True)
                | Q(reported_entered__isnull=True)
                | Q(reported_recognised__lte=F("reported_entered")),
                name="selectionround_reported_recognised_within_entered",
                violation_error_message=_("More products recognised than entered."),
            ),
        ]

    def __str__(self) -> str:
        place = self.province or self.region or _("Whole country")
        return f"{self.get_level_display()} {self.year} – {place}"

    @property
    def rank(self) -> int:
        return LEVEL_RANK[self.level]

    def clean(self) -> None:
        if self.held_on and self.year and self.held_on.year != self.year:
            raise ValidationError({"held_on": _("The selection must be held in the round's year.")})
        if self.level == SelectionLevel.DISTRICT and self.held_on and self.held_on >= DISTRICTS_ABOLISHED:
            raise ValidationError(
                {"level": _("There are no district rounds from 01/07/2025: choose the commune level.")}
            )
        province_in_force_on(self.province if self.province_id else None, self.held_on)


class ProductEntry(TimeStamped):
    """A product of an establishment entered in a round, with its average score once scored."""

    round = models.ForeignKey(
        SelectionRound, on_delete=models.CASCADE, related_name="entries", verbose_name=_("selection round")
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="product_entries", verbose_name=_("establishment")
    )
    product_name = models.CharField(_("product"), max_length=255)
    group = models.CharField(_("product group"), max_length=16, choices=ProductGroup.choices)
    average_score = models.DecimalField(
        _("average score"), max_digits=5, decimal_places=2, null=True, blank=True, help_text=_("Out of 100.")
    )
    qualifying_certificate = models.ForeignKey(
        "ProductCertificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="qualified_entries",
        verbose_name=_("certificate of the level below"),
        help_text=_("Required above the commune (district) level: valid on the day of the round."),
    )

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    province_lookup = "establishment__province"

    class Meta:
        ordering = ["round", "group", "product_name", "id"]
        verbose_name = _("product entry")
        verbose_name_plural = _("product entries")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "establishment", "product_name"],
                name="productentry_once_per_round",
                violation_error_message=_("This product of this establishment is already entered in the round."),
            ),
            models.CheckConstraint(condition=Q(group__in=ProductGroup.values), name="productentry_group_valid"),
            models.CheckConstraint(
                condition=Q(average_score__isnull=True) | Q(average_score__gte=0, average_score__lte=100),
                name="productentry_score_in_range",
                violation_error_message=_("The average score is between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_name} – {self.establishment.name}"

    @property
    def recognised(self) -> bool | None:
        """Recognised (average ≥ 70); None when not scored yet."""
        return records.is_recognised(self.average_score)


class ProductCertificate(models.Model):
    """The certificate of a recognised product, valid to 31/12 of the third year counted from
    the year of issue (`valid_to`, set from `issued_on` by rules.records)."""

    entry = models.OneToOneField(
        ProductEntry, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("product entry")
    )
    number = models.CharField(_("certificate number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    valid_to = models.DateField(_("valid to"), editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    province_lookup = "entry__establishment__province"

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("product certificate")
        verbose_name_plural = _("product certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("issued_on")),
                name="productcertificate_valid_after_issue",
                violation_error_message=_("A certificate cannot expire before it is issued."),
            ),
            models.CheckConstraint(
                condition=~Q(number=""),
                name="productcertificate_number_not_empty",
                violation_error_message=_("Enter the certificate's number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({short_date(self.issued_on)})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # One rule for the validity, whoever saves (rules.records.certificate_valid_to).
        if self.issued_on:
            self.valid_to = records.certificate_valid_to(self.issued_on)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.issued_on:
            self.valid_to = records.certificate_valid_to(self.issued_on)

    def valid_on(self, day: datetime.date) -> bool:
        return records.certificate_valid_on(self.issued_on, day)
