"""Regional conferences (hội nghị khuyến công vùng): the conference, its papers (tham luận),
recommendations (kiến nghị) and awards (bằng khen).

Rules about one row's own fields are database constraints, so every writer (admin, API, demo,
scripts) obeys them; rules that need another row (a province's era and region) are in
`clean()`, and the one across rows (the attending provinces) is in `services.py`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common.i18n import is_english
from programmes.fields import CountField
from programmes.models import Province, Region, TimeStamped, year_range_check

from ..numerals import to_roman

# The ministry agency that runs the conferences, by the date its name took effect (docs/reference/domain.md §7).
# The 2017 instrument is not confirmed (probably Decree 98/2017/NĐ-CP of 18/08/2017, which TT
# 15/2017/TT-BCT of 31/08/2017 already cites); the 2025 name follows Decree 40/2025/NĐ-CP,
# in force on 01/03/2025. The name is stored on each conference as it was then: this table only
# proposes it.
AGENCY_NAMES: tuple[tuple[datetime.date, str], ...] = (
    (datetime.date(2008, 1, 1), "Cục Công nghiệp địa phương"),
    (datetime.date(2017, 8, 18), "Cục Công Thương địa phương"),
    (datetime.date(2025, 3, 1), "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"),
)


def agency_name_on(day: datetime.date) -> str:
    """The agency's name in force on `day` (the first name for any earlier day)."""
    name = AGENCY_NAMES[0][1]
    for since, candidate in AGENCY_NAMES:
        if day >= since:
            name = candidate
    return name


class DateYear(models.Func):
    """The year of a date column, as an integer, for the CHECK constraint `year = year of start`.

    Written with each database's built-in functions: Django's ExtractYear becomes, on SQLite, a
    Python function that exists only on Django's own connections, and a CHECK constraint must
    hold for every writer. Django stores SQLite dates as `YYYY-MM-DD` text.
    """

    arity = 1
    output_field = models.IntegerField()
    template = "CAST(EXTRACT(YEAR FROM %(expressions)s) AS integer)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(SUBSTR(%(expressions)s, 1, 4) AS integer)")


def region_in_text(region: Region) -> str:
    """A region's name inside a sentence: `phía Nam`, `miền Trung – Tây Nguyên`."""
    return region.name[:1].lower() + region.name[1:]


class Conference(TimeStamped):
    """One regional conference: where and when, who organised and attended, who hosts next."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("region"))
    edition = models.PositiveSmallIntegerField(
        _("edition"), help_text=_("The conference's number in its region (shown in Roman numerals).")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), blank=True, help_text=_("The year of the start date; filled in when left empty.")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    host_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="hosted_conferences",
        verbose_name=_("host province"),
        help_text=_("The province of the conference's date, in the conference's region."),
    )
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    organiser = models.CharField(
        _("organising agency"),
        max_length=255,
        blank=True,
        help_text=_("The agency's name at the time; left empty, the name in force on the start date is filled in."),
    )
    chairs = models.TextField(_("chaired by"), blank=True)
    attending_provinces = models.ManyToManyField(
        Province, blank=True, related_name="attended_conferences", verbose_name=_("attending provinces")
    )
    attendee_count = CountField(_("number of attendees"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    next_host_province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flag_conferences",
        verbose_name=_("next host (receives the flag)"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[attending_provinces])

    class Meta:
        ordering = ["region__order", "-year"]
        verbose_name = _("conference")
        verbose_name_plural = _("conferences")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "edition"],
                name="conference_edition_unique_per_region",
                violation_error_message=_("This region already has a conference with this number."),
            ),
            # One conference per region and year: so one host per region and year too.
            models.UniqueConstraint(
                fields=["region", "year"],
                name="conference_one_per_region_year",
                violation_error_message=_("This region already has a conference in this year."),
            ),
            year_range_check("conference"),
            models.CheckConstraint(
                condition=Q(edition__gte=1),
                name="conference_edition_positive",
                violation_error_message=_("The conference number starts at 1."),
            ),
            models.CheckConstraint(
                condition=Q(attendee_count__isnull=True) | Q(attendee_count__gte=0),
                name="conference_attendee_count_non_negative",
                violation_error_message=_("The number of attendees cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="conference_dates_ordered",
                violation_error_message=_("The conference cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(year=DateYear("start_date")),
                name="conference_year_of_start",
                violation_error_message=_("The year must be the year of the start date."),
            ),
            models.CheckConstraint(
                condition=Q(next_host_province__isnull=True) | ~Q(next_host_province=F("host_province")),
                name="conference_flag_to_another_province",
                violation_error_message=_("The flag goes to another province than the host."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def edition_roman(self) -> str:
        return to_roman(self.edition) if self.edition else ""

    @property
    def title(self) -> str:
        """`Hội nghị khuyến công vùng phía Nam lần thứ VII` (in the page's language)."""
        if not (self.region_id and self.edition):
            return str(_("Regional conference"))
        english = is_english()
        region = (self.region.name_en or self.region.name) if english else region_in_text(self.region)
        return _("Industrial extension conference of the %(region)s region, edition %(edition)s") % {
            "region": region,
            "edition": self.edition_roman,
        }

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.start_date and self.year is None:
            self.year = self.start_date.year
        if self.start_date and not self.organiser:
            self.organiser = agency_name_on(self.start_date)
        host = self.host_province if self.host_province_id else None
        if host is not None and self.start_date and not host.in_force_on(self.start_date):
            errors.setdefault("host_province", []).append(
                _("%(province)s was not in force on %(date)s. Choose the province of that date.")
                % {"province": host, "date": self.start_date.strftime("%d/%m/%Y")}
            )
        if host is not None and self.region_id and host.region_id != self.region_id:
            errors.setdefault("host_province", []).append(_("The host province must be in the conference's region."))
        following = self.next_host_province if self.next_host_province_id else None
        if following is not None and self.region_id and following.region_id != self.region_id:
            errors.setdefault("next_host_province", []).append(_("The next host must be in the conference's region."))
        if following is not None and self.year and not following.active_in_year(self.year + 1):
            errors.setdefault("next_host_province", []).append(
                _("%(province)s is not in force in %(year)s, when the next conference is held.")
                % {"province": following, "year": self.year + 1}
            )
        if errors:
            raise ValidationError(errors)


class Paper(models.Model):
    """Tham luận: a talk given at the conference."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="papers", verbose_name=_("conference")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    presenter = models.CharField(_("presenter"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["conference", "order", "id"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")

    def __str__(self) -> str:
        return self.title


class Addressee(models.TextChoices):
    MINISTRY = "ministry", _("Ministry of Industry and Trade / the agency")
    FINANCE = "finance", _("Ministry of Finance")
    PROVINCE = "province", _("Provincial People's Committee")
    OTHER = "other", _("Other")


class RecommendationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("recommendation", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("recommendation", "In progress")
    RESOLVED = "resolved", pgettext_lazy("recommendation", "Resolved")


class Recommendation(TimeStamped):
    """Kiến nghị: a request raised at the conference, to whom, and what became of it."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="recommendations", verbose_name=_("conference")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    raised_by = models.CharField(_("raised by"), max_length=255)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province raising it"),
    )
    addressed_to = models.CharField(_("addressed to"), max_length=16, choices=Addressee.choices)
    addressed_to_other = models.CharField(
        _("addressed to (other)"), max_length=255, blank=True, help_text=_("Who, when “Other” is chosen.")
    )
    text = models.TextField(_("recommendation"))
    status = models.CharField(
        _("status"), max_length=16, choices=RecommendationStatus.choices, default=RecommendationStatus.OPEN
    )
    response = models.TextField(_("response"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["conference", "order", "id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RecommendationStatus.values), name="recommendation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(addressed_to__in=Addressee.values), name="recommendation_addressee_valid"
            ),
            models.CheckConstraint(
                condition=~Q(addressed_to=Addressee.OTHER) | ~Q(addressed_to_other=""),
                name="recommendation_other_addressee_named",
                violation_error_message=_("Say to whom the recommendation is addressed."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RecommendationStatus.RESOLVED) | (Q(resolved_on__isnull=False) & ~Q(response="")),
                name="recommendation_resolved_has_response_and_date",
                violation_error_message=_("A resolved recommendation needs the response and the date."),
            ),
        ]
        indexes = [
            # The tracker lists the recommendations by status and addressee across conferences.
            models.Index(fields=["status", "addressed_to"], name="recommendation_status_to"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def addressee_label(self) -> str:
        """The addressee's name: the choice, or the free text for “Other”."""
        if self.addressed_to == Addressee.OTHER and self.addressed_to_other:
            return self.addressed_to_other
        return str(self.get_addressed_to_display())

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.status == RecommendationStatus.RESOLVED:
            if not self.response.strip():
                errors["response"] = [_("A resolved recommendation needs the response.")]
            if self.resolved_on is None:
                errors["resolved_on"] = [_("A resolved recommendation needs the date it was resolved.")]
        elif self.resolved_on is not None:
            errors["resolved_on"] = [_("Only a resolved recommendation has a resolution date.")]
        if self.addressed_to == Addressee.OTHER and not self.addressed_to_other.strip():
            errors["addressed_to_other"] = [_("Say to whom the recommendation is addressed.")]
        conference = self.conference if self.conference_id else None
        if conference is not None and self.resolved_on and self.resolved_on < conference.start_date:
            errors.setdefault("resolved_on", []).append(_("A recommendation cannot be resolved before it was raised."))
        if errors:
            raise ValidationError(errors)


class AwardType(models.TextChoices):
    MINISTER = "minister", _("Certificate of merit of the Minister of Industry and Trade")
    AGENCY = "agency", _("Certificate of merit of the agency's Director General")
    PROVINCE = "province", _("Certificate of merit of the provincial People's Committee")
    OTHER = "other", _("Other award")


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")


class Award(models.Model):
    """Bằng khen: an award handed out at the conference, to a unit or a person."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="awards", verbose_name=_("conference")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    award_type = models.CharField(_("award"), max_length=16, choices=AwardType.choices, default=AwardType.MINISTER)
    recipient_kind = models.CharField(_("recipient kind"), max_length=16, choices=RecipientKind.choices)
    recipient_name = models.CharField(_("recipient"), max_length=255)
    recipient_detail = models.CharField(
        _("position and unit"), max_length=255, blank=True, help_text=_("For a person: position and unit.")
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["conference", "recipient_kind", "order", "id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(condition=Q(award_type__in=AwardType.values), name="award_type_valid"),
            models.CheckConstraint(
                condition=Q(recipient_kind__in=RecipientKind.values), name="award_recipient_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.recipient_name
