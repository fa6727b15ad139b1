"""Projects (đề án) and the steps of their lifecycle; the statuses' codes and the legal steps
are rules.lifecycle.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..fields import MoneyField
from ..rules import lifecycle
from .base import ScopedQuerySet, TimeStamped, whole_non_negative_vnd_check, year_range_check
from .geography import Province, validate_province_year
from .reference import ActivityCategory, FundingSource, category_not_in_force
from .sums import MONEY_SUM, signed_amount_vnd


class ProjectStatus(models.TextChoices):
    """The labels of the lifecycle's statuses; the codes and the steps are rules.lifecycle."""

    PROPOSED = lifecycle.PROPOSED, _("Proposed")
    APPRAISED = lifecycle.APPRAISED, _("Appraised")
    APPROVED = lifecycle.APPROVED, _("Approved")
    CONTRACTED = lifecycle.CONTRACTED, _("Contracted")
    IN_PROGRESS = lifecycle.IN_PROGRESS, _("In progress")
    ACCEPTED = lifecycle.ACCEPTED, _("Accepted")
    SETTLED = lifecycle.SETTLED, _("Settled")
    CANCELLED = lifecycle.CANCELLED, _("Cancelled")
    SUSPENDED = lifecycle.SUSPENDED, _("Suspended")


class ProjectType(models.TextChoices):
    SINGLE_SITE = "single_site", _("Single-site (điểm)")
    GROUP = "group", _("Group (theo nhóm)")
    SPECIFIC_BENEFICIARY = "specific_beneficiary", _("Specific beneficiary")
    LOCAL = "local", _("Local fund project (KCĐP)")
    TASK = "task", _("Assigned task (nhiệm vụ)")


class BeneficiaryKind(models.TextChoices):
    SME = "sme", _("Small or medium enterprise")
    COOPERATIVE = "cooperative", _("Cooperative")
    HOUSEHOLD = "household", _("Household business")
    CRAFT_VILLAGE = "craft_village", _("Craft village")
    OTHER = "other", _("Other")


class ProjectQuerySet(ScopedQuerySet):
    def in_year(self, year: int) -> "ProjectQuerySet":
        return self.filter(year=year)

    def with_disbursed_vnd(self, as_of: datetime.date | None = None) -> "ProjectQuerySet":
        """Annotate `disbursed_vnd`: net đồng disbursed (recoveries subtracted), up to `as_of`
        when given, 0 when nothing was paid.

        A correlated subquery rather than a join, so that each project stays one row and other
        sums over other relations are not multiplied (docs/architecture.md, C7).
        """
        disbursement = self.model._meta.get_field("disbursements").related_model
        disbursements = disbursement.objects.filter(project=models.OuterRef("pk"))
        if as_of is not None:
            disbursements = disbursements.filter(date__lte=as_of)
        totals = (
            disbursements.order_by().values("project").annotate(total=models.Sum(signed_amount_vnd())).values("total")
        )
        return self.annotate(
            disbursed_vnd=Coalesce(models.Subquery(totals, output_field=MONEY_SUM), Decimal(0), output_field=MONEY_SUM)
        )


class Project(TimeStamped):
    """Đề án: a funded activity with a lifecycle; status changes only through the services."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=500)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="projects", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    funding_source = models.CharField(_("funding source"), max_length=4, choices=FundingSource.choices)
    category = models.ForeignKey(
        ActivityCategory,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("activity category"),
    )
    project_type = models.CharField(
        _("project type"), max_length=32, choices=ProjectType.choices, default=ProjectType.SINGLE_SITE
    )
    implementing_unit = models.CharField(_("implementing unit"), max_length=255, blank=True)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=255, blank=True)
    beneficiary_kind = models.CharField(
        _("kind of beneficiary"), max_length=32, choices=BeneficiaryKind.choices, blank=True
    )
    support_vnd = MoneyField(_("khuyến công support (đồng)"))
    counterpart_vnd = MoneyField(_("counterpart funds (đồng)"), default=Decimal(0))
    capital_recovery = models.BooleanField(
        _("support with capital recovery"),
        default=False,
        help_text=_("The support is to be paid back (hỗ trợ có thu hồi vốn)."),
    )
    status = models.CharField(_("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    # The first dated step of the lifecycle: the steps recorded as transitions start at the
    # appraisal, so without it the wait between the proposal and the appraisal is unknown.
    proposed_on = models.DateField(
        _("proposed on"),
        null=True,
        blank=True,
        help_text=_("The date of the proposal; leave it empty when it is not known. No step may be dated before it."),
    )

    # What a person types about a project (the admin form, the API); the status changes only
    # through lifecycle steps.
    DESCRIPTIVE_FIELDS = (
        "code",
        "title",
        "province",
        "year",
        "funding_source",
        "category",
        "project_type",
        "implementing_unit",
        "beneficiary_name",
        "beneficiary_kind",
        "support_vnd",
        "counterpart_vnd",
        "capital_recovery",
        "proposed_on",
    )
    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    province_lookup = "province"

    class Meta:
        ordering = ["-year", "province__code", "code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            year_range_check("project"),
            whole_non_negative_vnd_check("project", "support_vnd"),
            whole_non_negative_vnd_check("project", "counterpart_vnd"),
            models.CheckConstraint(
                condition=Q(funding_source__in=FundingSource.values), name="project_funding_source_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
        ]
        indexes = [
            models.Index(fields=["year", "province"], name="project_year_province"),
            models.Index(fields=["year", "status"], name="project_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"

    def clean(self) -> None:
        validate_province_year(self.province if self.province_id else None, self.year)
        # A year's figures use the contents in force that year (issue 19, item 4).
        if self.category_id and self.year and not self.category.in_force_in(self.year):
            raise ValidationError({"category": category_not_in_force(self.category, self.year)})

    def contract_date(self) -> datetime.date | None:
        """The date of the project's first contract step; None when none is recorded."""
        return (
            self.transitions.filter(to_status=ProjectStatus.CONTRACTED)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        )


class ProjectTransition(models.Model):
    """One step of a project's lifecycle: when, under which document, by whom."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("project")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=ProjectStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=ProjectStatus.choices)
    date = models.DateField(_("date"))
    document_number = models.CharField(_("decision or contract number"), max_length=128, blank=True)
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    province_lookup = "project__province"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["project", "date", "id"]
        verbose_name = _("lifecycle step")
        verbose_name_plural = _("lifecycle steps")

    def __str__(self) -> str:
        return f"{self.project.code}: {self.get_from_status_display()} → {self.get_to_status_display()}"
