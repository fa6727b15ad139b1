"""Read side of the conferences: the hosts' chain per region, one conference whole, the
recommendations tracker and the API's querysets.

Each function runs a fixed number of queries, whatever the number of conferences, papers,
recommendations and awards (pinned in tests/conferences/test_views.py and test_api.py).
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from programmes.models import Province, Region

from .models import Award, Conference, Paper, RecipientKind, Recommendation, RecommendationStatus, ReportedFigure

# The tracker's default: what still needs an answer.
UNRESOLVED = "unresolved"
ALL = "all"
UNRESOLVED_STATUSES = (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)


@dataclass(frozen=True)
class ChainLink:
    """A conference in its region's chain, with the region's conference of the following year."""

    conference: Conference
    following: Conference | None

    @property
    def handover_year(self) -> int:
        """The year of the conference the flag is handed over for."""
        return self.conference.year + 1

    @property
    def handover_kept(self) -> bool | None:
        """Whether the next year's conference was held where the flag went; None when either is unknown."""
        if self.following is None or self.conference.next_host_province_id is None:
            return None
        return self.following.host_province_id == self.conference.next_host_province_id


@dataclass(frozen=True)
class RegionChain:
    region: Region
    links: list[ChainLink]  # newest first


def conference_chains() -> list[RegionChain]:
    """Every region, in display order, with its conferences newest first (a region without any
    has no links). Two queries: regions, conferences with their hosts."""
    regions = list(Region.objects.order_by("order", "code"))
    by_region: dict[int, list[Conference]] = {region.pk: [] for region in regions}
    conferences = Conference.objects.select_related("region", "host_province", "next_host_province").order_by(
        "-year", "-edition"
    )
    for conference in conferences:
        by_region.setdefault(conference.region_id, []).append(conference)
    chains = []
    for region in regions:
        items = by_region[region.pk]
        by_year = {conference.year: conference for conference in items}
        chains.append(
            RegionChain(
                region=region,
                links=[ChainLink(conference, by_year.get(conference.year + 1)) for conference in items],
            )
        )
    return chains


@dataclass(frozen=True)
class AwardGroup:
    kind: str
    label: str
    awards: list[Award]

    @property
    def count(self) -> int:
        return len(self.awards)

    @property
    def common_award_type(self) -> str:
        """The award's name when the group's awards are all of one type, else ''."""
        types = {award.award_type for award in self.awards}
        return str(self.awards[0].get_award_type_display()) if len(types) == 1 else ""

    @property
    def common_reason(self) -> str:
        """The reason all the group's awards share, or '' when they differ."""
        reasons = {award.reason for award in self.awards}
        return reasons.pop() if len(reasons) == 1 else ""


@dataclass(frozen=True)
class ConferenceDetail:
    conference: Conference
    attending: list[Province]
    papers: list[Paper]
    recommendations: list[Recommendation]
    award_groups: list[AwardGroup]  # collective, then individual; empty groups left out
    reported: list[ReportedFigure]  # the figures the conference's report quoted

    @property
    def attending_count(self) -> int:
        return len(self.attending)

    @property
    def paper_count(self) -> int:
        return len(self.papers)

    @property
    def recommendation_count(self) -> int:
        return len(self.recommendations)

    def award_count(self, kind: str) -> int:
        return sum(group.count for group in self.award_groups if group.kind == kind)

    @property
    def collective_award_count(self) -> int:
        return self.award_count(RecipientKind.COLLECTIVE)

    @property
    def individual_award_count(self) -> int:
        return self.award_count(RecipientKind.INDIVIDUAL)


def conference_with_parts() -> QuerySet[Conference]:
    """Conferences with their region and hosts joined and their attending provinces, papers,
    recommendations and awards prefetched (one query each, with their provinces)."""
    return Conference.objects.select_related("region", "host_province", "next_host_province").prefetch_related(
        Prefetch("attending_provinces", queryset=Province.objects.order_by("code", "valid_from")),
        Prefetch("papers", queryset=Paper.objects.select_related("province").order_by("order", "id")),
        Prefetch("recommendations", queryset=Recommendation.objects.select_related("province").order_by("order", "id")),
        Prefetch("awards", queryset=Award.objects.select_related("province").order_by("recipient_kind", "order", "id")),
        Prefetch(
            "reported_figures", queryset=ReportedFigure.objects.select_related("indicator").order_by("order", "id")
        ),
    )


def conference_detail(pk: int) -> ConferenceDetail | None:
    """The conference `pk` with everything its page shows; None when there is none.

    Six queries: the conference with region and hosts, attending provinces, papers,
    recommendations, awards, reported figures with their indicators.
    """
    conference = conference_with_parts().filter(pk=pk).first()
    if conference is None:
        return None
    awards = list(conference.awards.all())
    groups = [
        AwardGroup(kind, str(label), [award for award in awards if award.recipient_kind == kind])
        for kind, label in RecipientKind.choices
    ]
    return ConferenceDetail(
        conference=conference,
        attending=list(conference.attending_provinces.all()),
        papers=list(conference.papers.all()),
        recommendations=list(conference.recommendations.all()),
        award_groups=[group for group in groups if group.awards],
        reported=list(conference.reported_figures.all()),
    )


def conference_for_briefing(pk: int) -> Conference | None:
    """The conference `pk` with its region and hosts (one query); None when there is none."""
    return Conference.objects.select_related("region", "host_province", "next_host_province").filter(pk=pk).first()


def recommendation_list(*, status: str = UNRESOLVED, addressee: str = "") -> list[Recommendation]:
    """Recommendations across conferences, newest conference first, with their conference,
    region and province (one query).

    `status`: a RecommendationStatus value, UNRESOLVED (open or in progress) or ALL;
    `addressee`: an Addressee value, or empty for every addressee.
    """
    queryset = Recommendation.objects.select_related("conference__region", "conference__host_province", "province")
    if status == UNRESOLVED:
        queryset = queryset.filter(status__in=UNRESOLVED_STATUSES)
    elif status != ALL:
        queryset = queryset.filter(status=status)
    if addressee:
        queryset = queryset.filter(addressed_to=addressee)
    return list(queryset.order_by("-conference__start_date", "conference__region__order", "order", "id"))


def conference_list(*, region_code: str | None = None, year: int | None = None) -> QuerySet[Conference]:
    """Conferences newest first with region and hosts, and `attending_count` annotated, for the
    API list; filtered by region code and year when given."""
    attending = (
        Conference.attending_provinces.through.objects.filter(conference=OuterRef("pk"))
        .order_by()
        .values("conference")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = (
        Conference.objects.select_related("region", "host_province", "next_host_province")
        .annotate(attending_count=Coalesce(Subquery(attending), 0))
        .order_by("-year", "region__order", "pk")
    )
    if region_code:
        queryset = queryset.filter(region__code=region_code)
    if year is not None:
        queryset = queryset.filter(year=year)
    return queryset
