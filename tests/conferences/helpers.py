"""Conference records for the tests, saved through the service (so they pass every rule)."""

import datetime
from itertools import count

from conferences import services
from conferences.models import (
    Addressee,
    Award,
    Conference,
    Paper,
    RecipientKind,
    Recommendation,
    RecommendationStatus,
)
from programmes.models import Province, Region
from tests import factories

_sequence = count(1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def conference(
    region_code: str = "south",
    edition: int = 7,
    start: datetime.date = datetime.date(2016, 7, 28),
    host: str = "74",
    next_host: str | None = "79",
    attending: list[Province] | None = None,
    **fields,
) -> Conference:
    """A conference of `region_code` (old-era provinces by code), saved through the service."""
    item = Conference(
        region=region(region_code),
        edition=edition,
        year=start.year,
        start_date=start,
        end_date=fields.pop("end", start),
        host_province=factories.province(host),
        next_host_province=factories.province(next_host) if next_host else None,
        city=fields.pop("city", "Thủ Dầu Một"),
        attendee_count=fields.pop("attendee_count", 150),
        **fields,
    )
    return services.conference_save(conference=item, attending_provinces=attending)


def with_parts(item: Conference, *, papers: int = 2, recommendations: int = 2, collectives: int = 2, people: int = 1):
    """Give `item` papers, recommendations (an open one, then in progress, resolved…) and awards."""
    host = item.host_province
    for number in range(papers):
        Paper.objects.create(
            conference=item, order=number, presenter=f"Người trình bày {number}", title="Tham luận", province=host
        )
    statuses = [RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS, RecommendationStatus.RESOLVED]
    for number in range(recommendations):
        status = statuses[number % 3]
        resolved = status == RecommendationStatus.RESOLVED
        Recommendation.objects.create(
            conference=item,
            order=number,
            raised_by=f"Sở Công Thương {host.name}",
            province=host,
            addressed_to=[Addressee.MINISTRY, Addressee.FINANCE, Addressee.PROVINCE][number % 3],
            text=f"Kiến nghị số {next(_sequence)}",
            status=status,
            response="Đã trả lời" if resolved else "",
            resolved_on=item.start_date + datetime.timedelta(days=30) if resolved else None,
        )
    for number in range(collectives):
        Award.objects.create(
            conference=item,
            order=number,
            recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name=f"Tập thể {number}",
            province=host,
        )
    for number in range(people):
        Award.objects.create(
            conference=item,
            order=number,
            recipient_kind=RecipientKind.INDIVIDUAL,
            recipient_name=f"Cá nhân {number}",
            province=host,
        )
    return item
