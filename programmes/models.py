"""Programme records: geography, centres, plans, targets, projects, disbursements, outputs.

Rules about one row's own fields are database constraints, so every writer (admin, API, import,
scripts) obeys them. Rules that need another row or table (a province's era, a project's
status) are in `clean()`, so admin forms show them as messages, and the services call
`full_clean()` before saving.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fields import CountField, MoneyField
from .rules import activity, lifecycle

MIN_YEAR = 2000
MAX_YEAR = 2100


def year_range_check(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
        name=f"{name}_year_in_range",
        violation_error_message=_("The year must be between 2000 and 2100."),
    )


def whole_non_negative_vnd_check(name: str, field: str) -> models.CheckConstraint:
    """Non-negative whole đồng. The rounding test matters on SQLite, whose numeric columns
    keep fractions that PostgreSQL's numeric(18, 0) would round away silently."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) & Q(**{field: Round(F(field))}),
        name=f"{name}_{field}_whole_non_negative",
        violation_error_message=_("Amounts are whole, non-negative numbers of đồng."),
    )


class ScopedQuerySet(models.QuerySet):
    """Records that belong to a province, reachable through `model.province_lookup`.

    `in_provinces(ids)` keeps the records of those provinces; `programmes.access` decides which
    ids a user may see or change (one scoping rule per model: its province lookup).
    """

    def in_provinces(self, ids: "frozenset[int] | None") -> "ScopedQuerySet":
        """Records of the provinces `ids`; every record when `ids` is None (nation-wide users)."""
        if ids is None:
            return self
        return self.filter(**{f"{self.model.province_lookup}__in": ids})


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class FundingSource(models.TextChoices):
    """The two budgets a province plans and spends."""

    KCQG = "KCQG", _("National fund (KCQG)")
    KCDP = "KCDP", _("Local fund (KCĐP)")


# The short names officials write (KCQG, KCĐP, with Đ), the same in every language.
FUND_SHORT_LABELS = {FundingSource.KCQG: "KCQG", FundingSource.KCDP: "KCĐP"}


def fund_short_label(code: str) -> str:
    """`KCQG` or `KCĐP` for a fund's code; the code itself when it is not a fund's."""
    return FUND_SHORT_LABELS.get(code, code)


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


class ExtensionCentre(TimeStamped):
    """A province's Industrial Extension Centre; names vary, so they are free text."""

    province = models.OneToOneField(
        Province, on_delete=models.PROTECT, related_name="centre", verbose_name=_("province")
    )
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    director = models.CharField(_("director"), max_length=255, blank=True)

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["province__code", "province__valid_from"]
        verbose_name = _("extension centre")
        verbose_name_plural = _("extension centres")

    def __str__(self) -> str:
        return self.name


class CollaboratorNetwork(models.Model):
    """A centre's collaborator network in one year (district- and commune-level collaborators)."""

    centre = models.ForeignKey(
        ExtensionCentre, on_delete=models.CASCADE, related_name="networks", verbose_name=_("centre")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    district_collaborators = CountField(_("district-level collaborators"), default=0)
    commune_collaborators = CountField(_("commune-level collaborators"), default=0)

    province_lookup = "centre__province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["centre", "-year"]
        verbose_name = _("collaborator network")
        verbose_name_plural = _("collaborator networks")
        constraints = [
            models.UniqueConstraint(fields=["centre", "year"], name="network_centre_year_unique"),
            year_range_check("network"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} – {self.year}"


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


class ApprovalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class BudgetPlan(TimeStamped):
    """Kế hoạch kinh phí: one province's planned amount for one year and one fund."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="budget_plans", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    funding_source = models.CharField(_("funding source"), max_length=4, choices=FundingSource.choices)
    planned_vnd = MoneyField(_("planned amount (đồng)"))
    original_vnd = MoneyField(
        _("first approved amount (đồng)"),
        null=True,
        blank=True,
        help_text=_("Kept when the plan is revised; filled in at the first approval."),
    )
    status = models.CharField(_("status"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.DRAFT)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status_reason = models.TextField(
        _("reason for the last return"), blank=True, help_text=_("Why the plan was last sent back to draft.")
    )

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "province__code", "funding_source"]
        verbose_name = _("budget plan")
        verbose_name_plural = _("budget plans")
        permissions = [("approve_budgetplan", _("Can approve or return budget plans"))]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "funding_source"],
                name="budget_plan_unique_per_fund",
                violation_error_message=_("This province already has a plan for this year and fund."),
            ),
            year_range_check("budget_plan"),
            whole_non_negative_vnd_check("budget_plan", "planned_vnd"),
            whole_non_negative_vnd_check("budget_plan", "original_vnd"),
            models.CheckConstraint(
                condition=Q(funding_source__in=FundingSource.values),
                name="budget_plan_funding_source_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApprovalStatus.APPROVED) | Q(approved_on__isnull=False),
                name="budget_plan_approved_has_date",
                violation_error_message=_("An approved plan needs its approval date."),
            ),
        ]
        indexes = [
            # Summary selectors filter plans by year and status before summing.
            models.Index(fields=["year", "status"], name="budget_plan_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.province.name} {self.year} {self.get_funding_source_display()}"

    def clean(self) -> None:
        validate_province_year(self.province if self.province_id else None, self.year)
        if self.approved_on and self.year and abs(self.approved_on.year - self.year) > 1:
            raise ValidationError(
                {"approved_on": _("The approval date must fall in the plan year or the year before.")}
            )


class IndicatorTarget(TimeStamped):
    """A province's target for one indicator in one year."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="indicator_targets", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="targets", verbose_name=_("indicator")
    )
    target = CountField(_("target"))

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "province__code", "indicator__order"]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "indicator"],
                name="indicator_target_unique",
                violation_error_message=_("This province already has a target for this indicator in this year."),
            ),
            year_range_check("indicator_target"),
            models.CheckConstraint(condition=Q(target__gte=0), name="indicator_target_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.province.name} {self.year} {self.indicator.name}"

    def clean(self) -> None:
        validate_province_year(self.province if self.province_id else None, self.year)


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
        sums over other relations are not multiplied (STYLE C7).
        """
        disbursements = Disbursement.objects.filter(project=models.OuterRef("pk"))
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


# Sums of whole đồng: two more digits than one amount, so that national totals fit.
MONEY_SUM = models.DecimalField(max_digits=20, decimal_places=0)


def signed_amount_vnd() -> models.Case:
    """A disbursement's amount as it counts in totals, for use in queries: recoveries negative.

    The query-side twin of `Disbursement.signed_amount_vnd`.
    """
    return models.Case(
        models.When(kind=DisbursementKind.RECOVERY, then=-F("amount_vnd")),
        default=F("amount_vnd"),
        output_field=MONEY_SUM,
    )


class DisbursementKind(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    PAYMENT = "payment", _("Payment")
    RECOVERY = "recovery", _("Recovery (money returned)")


class Disbursement(TimeStamped):
    """Giải ngân: money paid to (or, for a recovery, returned from) a project.

    `amount_vnd` is always non-negative; a recovery counts negative in every total.
    """

    # PROTECT: deleting a project must not silently erase the money paid to it.
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("project")
    )
    date = models.DateField(_("date"))
    amount_vnd = MoneyField(_("amount (đồng)"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=DisbursementKind.choices, default=DisbursementKind.PAYMENT
    )
    document_number = models.CharField(_("voucher number"), max_length=128, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    province_lookup = "project__province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["project", "date", "id"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            whole_non_negative_vnd_check("disbursement", "amount_vnd"),
            models.CheckConstraint(
                condition=Q(amount_vnd__gt=0),
                name="disbursement_amount_positive",
                violation_error_message=_("A disbursement must be more than 0 đồng."),
            ),
            models.CheckConstraint(condition=Q(kind__in=DisbursementKind.values), name="disbursement_kind_valid"),
        ]
        indexes = [
            # Summaries sum disbursements of a year's projects up to a cut-off date.
            models.Index(fields=["project", "date"], name="disbursement_project_date"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.date:%d/%m/%Y} {self.get_kind_display()}"

    @property
    def signed_amount_vnd(self) -> Decimal:
        """The amount as it counts in totals: negative for a recovery."""
        return -self.amount_vnd if self.kind == DisbursementKind.RECOVERY else self.amount_vnd

    def clean(self) -> None:
        if not self.project_id or self.date is None:
            return
        disbursement_date_check(self)


ACTIVITY_REFUSALS = {
    activity.NOT_CONTRACTED: _(
        "Project %(code)s is “%(status)s”: %(what)s can only be recorded once the contract is signed."
    ),
    activity.NO_CONTRACT_STEP: _("Project %(code)s has no contract step recorded: record it before %(what)s."),
}


def activity_date_check(project: Project, day: datetime.date, what: str) -> None:
    """Money and outputs need a signed contract and a date between it and today (rules.activity):
    ValidationError with the reason otherwise. `what` names the records, in the user's language."""
    signed_on = project.contract_date() if project.status in lifecycle.MONEY_STATUSES else None
    refusal = activity.activity_date_refusal(
        status=project.status, contract_date=signed_on, day=day, today=timezone.localdate()
    )
    if refusal in ACTIVITY_REFUSALS:
        raise ValidationError(
            ACTIVITY_REFUSALS[refusal]
            % {"code": project.code, "status": ProjectStatus(project.status).label, "what": what}
        )
    if refusal == activity.BEFORE_CONTRACT:
        raise ValidationError(
            {
                "date": _("The date is before the contract was signed (%(date)s).")
                % {"date": signed_on.strftime("%d/%m/%Y")}
            }
        )
    if refusal == activity.IN_FUTURE:
        raise ValidationError({"date": _("The date cannot be in the future.")})


def disbursement_date_check(disbursement: Disbursement) -> None:
    """Raise ValidationError when the project's status or contract date forbids this disbursement.

    The row-level rule (used by `Disbursement.clean`); the total is checked by
    `services.disbursement_check`, because a form set changes several rows at once.
    """
    project = disbursement.project
    activity_date_check(project, disbursement.date, _("disbursements"))
    if activity.payment_after_stop(
        status=project.status,
        status_changed_on=project.status_changed_on,
        day=disbursement.date,
        is_recovery=disbursement.kind == DisbursementKind.RECOVERY,
    ):
        raise ValidationError(
            {
                "kind": _("The project is “%(status)s” since %(date)s: only recoveries can be recorded after that.")
                % {
                    "status": ProjectStatus(project.status).label,
                    "date": project.status_changed_on.strftime("%d/%m/%Y"),
                }
            }
        )


def output_date_check(output: "ProjectOutput") -> None:
    """The row-level rule (used by `ProjectOutput.clean`): a signed contract and a sensible date."""
    activity_date_check(output.project, output.date, _("outputs"))


class ProjectOutput(TimeStamped):
    """An output achieved by a project: so many workers trained, models built… on a date."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="outputs", verbose_name=_("project"))
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="outputs", verbose_name=_("indicator")
    )
    date = models.DateField(_("date"))
    value = CountField(_("value"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    province_lookup = "project__province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["project", "date", "id"]
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="project_output_value_positive",
                violation_error_message=_("An output must be more than 0."),
            ),
        ]
        indexes = [models.Index(fields=["project", "date"], name="output_project_date")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.indicator.name}: {self.value}"

    def clean(self) -> None:
        if not self.project_id or self.date is None:
            return
        output_date_check(self)


class Period(models.TextChoices):
    H1 = "H1", _("6 months")
    M9 = "9M", _("9 months")
    FY = "FY", _("Full year")


PERIOD_END = {Period.H1: (6, 30), Period.M9: (9, 30), Period.FY: (12, 31)}


def period_end(year: int, period: str) -> datetime.date:
    """The last day a reporting period covers: 30/06, 30/09 or 31/12 of `year`."""
    month, day = PERIOD_END[Period(period)]
    return datetime.date(year, month, day)


class ReportingPeriod(TimeStamped):
    """A province's 6-month, 9-month or full-year report: open → submitted → approved."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="reporting_periods", verbose_name=_("province")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.CharField(_("period"), max_length=2, choices=Period.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    status_reason = models.TextField(
        _("reason for the last return or reopening"),
        blank=True,
        help_text=_("Why the report was last sent back or reopened."),
    )

    province_lookup = "province"
    objects = ScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["-year", "province__code", "period"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        permissions = [
            ("submit_reportingperiod", _("Can submit the province's reports")),
            ("approve_reportingperiod", _("Can approve, return or reopen reports")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "period"],
                name="reporting_period_unique",
                violation_error_message=_("This province already has this report for this year."),
            ),
            year_range_check("reporting_period"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="reporting_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.province.name} {self.year} – {self.get_period_display()}"

    @property
    def end_date(self) -> datetime.date:
        return period_end(self.year, self.period)

    def clean(self) -> None:
        province = self.province if self.province_id else None
        validate_province_year(province, self.year)
        if province is None or not self.year or self.period not in Period.values:
            return
        # In 2025 the old provinces report the first half, the new ones 9 months and the year.
        end = self.end_date
        if not province.in_force_on(end):
            raise ValidationError(
                {
                    "period": _("%(province)s did not exist on %(date)s, the end of this period.")
                    % {"province": province.name, "date": end.strftime("%d/%m/%Y")}
                }
            )


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
