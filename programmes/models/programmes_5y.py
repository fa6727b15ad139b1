"""Five-year programmes (issue 19, item 3): the national khuyến công programmes (2021–2025 under
QĐ 1881/QĐ-TTg, 2026–2030 under QĐ 2646/QĐ-BCT) and each province's 2026–2030 programme, with
their decision and their targets: counts (workers trained, models, machines, trademarks,
cluster plans…) and outcome percentages (revenue of supported establishments, material use).

A count target linked to an output indicator is followed from the yearly records
(selectors.programmes_5y.programme_progress); a target without an indicator, and every outcome
percentage, is a target the portal does not measure: its progress is None, not 0.

A national programme belongs to no province (the ministry enters it; everybody reads it); a
province's programme belongs to its province (its staff enter it).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import MAX_YEAR, MIN_YEAR, ScopedQuerySet, TimeStamped
from .geography import Province
from .reference import Indicator

PROGRAMME_YEARS = 5


class ProgrammeLevel(models.TextChoices):
    NATIONAL = "national", _("National programme")
    PROVINCIAL = "provincial", _("Provincial programme")


class ProgrammeQuerySet(ScopedQuerySet):
    def in_provinces(self, ids):
        """A province's programmes for its territory, and the national programmes for everyone."""
        if ids is None:
            return self
        return self.filter(Q(province_id__in=ids) | Q(province__isnull=True))


class TargetQuerySet(ScopedQuerySet):
    def in_provinces(self, ids):
        """The targets of the programmes `ProgrammeQuerySet.in_provinces` keeps."""
        if ids is None:
            return self
        return self.filter(Q(programme__province_id__in=ids) | Q(programme__province__isnull=True))


class FiveYearProgramme(TimeStamped):
    """A five-year khuyến công programme and the decision that approved it."""

    level = models.CharField(_("programme level"), max_length=16, choices=ProgrammeLevel.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("province"),
        help_text=_("For a province's programme; empty for a national one."),
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    title = models.CharField(_("programme title"), max_length=255)
    decision_number = models.CharField(_("decision number"), max_length=128)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.CharField(
        _("approved by"), max_length=255, blank=True, help_text=_("E.g. “Thủ tướng Chính phủ”, “UBND tỉnh”.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    province_lookup = "province"

    class Meta:
        ordering = ["-start_year", "level", "province__code"]
        verbose_name = _("five-year programme")
        verbose_name_plural = _("five-year programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__gte=MIN_YEAR, start_year__lte=MAX_YEAR),
                name="fiveyearprogramme_start_year_in_range",
                violation_error_message=_("The year must be between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(end_year=F("start_year") + PROGRAMME_YEARS - 1),
                name="fiveyearprogramme_five_years",
                violation_error_message=_("A five-year programme ends four years after its first year."),
            ),
            models.CheckConstraint(
                condition=Q(level="national", province__isnull=True) | Q(level="provincial", province__isnull=False),
                name="fiveyearprogramme_province_by_level",
                violation_error_message=_("A province's programme names its province; a national one names none."),
            ),
            models.UniqueConstraint(
                fields=["level", "start_year"],
                condition=Q(province__isnull=True),
                name="fiveyearprogramme_one_national_per_period",
                violation_error_message=_("The national programme of this period is already recorded."),
            ),
            models.UniqueConstraint(
                fields=["province", "start_year"],
                name="fiveyearprogramme_one_per_province_and_period",
                violation_error_message=_("This province's programme of this period is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.start_year}–{self.end_year}"

    def clean(self) -> None:
        if self.start_year and not self.end_year:
            self.end_year = self.start_year + PROGRAMME_YEARS - 1
        if self.province_id and self.start_year and not self.province.active_in_year(self.start_year):
            raise ValidationError(
                {
                    "province": _("%(province)s was not in force in %(year)s: choose the province of that period.")
                    % {"province": self.province.name, "year": self.start_year}
                }
            )


class TargetKind(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Outcome percentage")


class ProgrammeTarget(models.Model):
    """One target of a programme: a count over the five years, or an outcome percentage."""

    programme = models.ForeignKey(
        FiveYearProgramme, on_delete=models.CASCADE, related_name="targets", verbose_name=_("programme")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=TargetKind.choices, default=TargetKind.COUNT)
    name = models.CharField(_("target"), max_length=255)
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    value = models.DecimalField(
        _("target value"),
        max_digits=12,
        decimal_places=2,
        help_text=_("A count over the five years, or a percentage (−15 for a fall of 15 %)."),
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_targets",
        verbose_name=_("followed by the indicator"),
        help_text=_("The output indicator whose yearly records measure a count; empty when the portal does not."),
    )

    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    province_lookup = "programme__province"
    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("programme target")
        verbose_name_plural = _("programme targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="percent") | Q(value__gt=0),
                name="programmetarget_count_positive",
                violation_error_message=_("A count target is more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(kind="count") | Q(indicator__isnull=True),
                name="programmetarget_percent_not_an_output",
                violation_error_message=_("An outcome percentage is not measured by an output indicator."),
            ),
            models.UniqueConstraint(
                fields=["programme", "indicator"],
                condition=Q(indicator__isnull=False),
                name="programmetarget_one_per_indicator",
                violation_error_message=_("The programme already has a target for this indicator."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
