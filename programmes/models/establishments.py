"""Rural industrial establishments (cơ sở công nghiệp nông thôn), the register the provinces
asked for, and the link from a project to the establishments it supports (its beneficiaries).

An establishment belongs to the province in force on the day it is registered; after the
2025 merger the new province's staff see their predecessors' establishments through the
territory rule of `programmes.access`, as for projects.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import ScopedQuerySet, TimeStamped
from .geography import Province, short_date
from .projects import Project


class LegalForm(models.TextChoices):
    """The kinds of beneficiary of Decree 45/2012 as amended by Decree 235/2025."""

    ENTERPRISE = "enterprise", _("Enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group")
    COOPERATIVE_UNION = "cooperative_union", _("Cooperative union")
    HOUSEHOLD = "household", _("Business household")
    CRAFT_VILLAGE = "craft_village", _("Craft village")
    ARTISAN = "artisan", _("Folk or meritorious artisan")
    CLEANER_PRODUCTION = "cleaner_production", _("Cleaner or sustainable production establishment")
    CLUSTER_INVESTOR = "cluster_investor", _("Industrial-cluster infrastructure investor")


# An enterprise code is the tax code: 10 digits, or 10 digits, a dash and 3 for a branch.
TAX_CODE_FORMAT = RegexValidator(
    r"^\d{10}(-\d{3})?$",
    _("Enter the enterprise or tax code as 10 digits, or 10 digits, a dash and 3 digits for a branch."),
)


def province_in_force_on(province: Province | None, day: datetime.date | None, field: str = "province") -> None:
    """ValidationError on `field` when `province` was not in force on `day`; nothing when
    either is missing (the field's own check reports that)."""
    if province is None or day is None or province.in_force_on(day):
        return
    raise ValidationError(
        {
            field: _(
                "%(province)s was not in force on %(day)s (in force %(start)s–%(end)s). "
                "Choose the province of that day."
            )
            % {
                "province": province.name,
                "day": short_date(day),
                "start": short_date(province.valid_from),
                "end": short_date(province.valid_to) if province.valid_to else "…",
            }
        }
    )


NAME_REQUIRED = _("Enter the establishment's name.")


class Establishment(TimeStamped):
    """A rural industrial establishment a province supports (or may support)."""

    name = models.CharField(_("name"), max_length=255)
    tax_code = models.CharField(
        _("enterprise or tax code"),
        max_length=14,
        blank=True,
        validators=[TAX_CODE_FORMAT],
        help_text=_("Optional; unique when given (households and craft villages often have none)."),
    )
    legal_form = models.CharField(_("legal form"), max_length=32, choices=LegalForm.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="establishments", verbose_name=_("province")
    )
    commune = models.CharField(
        _("commune or ward"), max_length=255, blank=True, help_text=_("As written in its papers.")
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    sector = models.CharField(
        _("sector"), max_length=255, blank=True, help_text=_("What it makes, e.g. “mây tre đan”, “chế biến chè”.")
    )
    women_owned = models.BooleanField(_("owned by women"), default=False)
    ethnic_minority_owned = models.BooleanField(_("owned by ethnic-minority people"), default=False)
    registered_on = models.DateField(
        _("registered on"),
        default=timezone.localdate,
        help_text=_("The day it entered the register; the province must be the one in force that day."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    province_lookup = "province"

    class Meta:
        ordering = ["province__code", "name", "id"]
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~Q(tax_code=""),
                name="establishment_tax_code_unique",
                violation_error_message=_("Another establishment already has this enterprise or tax code."),
            ),
            models.CheckConstraint(
                condition=Q(legal_form__in=LegalForm.values),
                name="establishment_legal_form_valid",
                violation_error_message=_("Choose one of the legal forms in the list."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="establishment_name_not_empty",
                violation_error_message=NAME_REQUIRED,
            ),
        ]
        indexes = [models.Index(fields=["province", "name"], name="establishment_province_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The establishment's page (its supports), which the admin's "view on site" opens."""
        return reverse("programmes:establishment", args=[self.pk])

    def clean(self) -> None:
        self.name = " ".join((self.name or "").split())
        self.tax_code = (self.tax_code or "").strip()
        if not self.name:
            raise ValidationError({"name": NAME_REQUIRED})
        province_in_force_on(self.province if self.province_id else None, self.registered_on)


class ProjectBeneficiary(models.Model):
    """One establishment a project supports (several for a group project).

    The project's free-text `beneficiary_name` stays as it was written, for history; this is the
    record the establishment's page and the double-funding warning read.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="beneficiaries", verbose_name=_("project")
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="supports", verbose_name=_("establishment")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    double_funding_confirmed = models.BooleanField(
        _("possible double funding confirmed"),
        default=False,
        help_text=_("Recorded when the link was saved despite a support of the same content a year apart."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    province_lookup = "project__province"

    class Meta:
        ordering = ["project", "establishment__name", "id"]
        verbose_name = _("project beneficiary")
        verbose_name_plural = _("project beneficiaries")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "establishment"],
                name="project_beneficiary_unique",
                violation_error_message=_("This establishment is already a beneficiary of the project."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} → {self.establishment.name}"
