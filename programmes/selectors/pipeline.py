"""The pipeline of a year's projects for a scope (issue 18, item 2): time spent at each
lifecycle step, median and slowest, overall and by province; projects with no step for 60 days;
approved but not contracted by 30/06; accepted but not settled by 22/01 of the next year;
cancellations and suspensions with their reasons. The arithmetic is `rules.pipeline`.

Queries, whatever the number of projects: provinces (unless `provinces` is given), the year's
projects of the scope, their lifecycle steps: 3.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from ..models import Project, ProjectStatus, ProjectTransition, Province
from ..rules import lifecycle
from ..rules import pipeline as rules
from .figures import ProvinceMap, Scope

# The steps a project waits at, in lifecycle order (ends have no duration).
# "Proposed" is left out: a project enters it when created and no dated step records that day.
WAITING_STEPS = tuple(
    status for status in ProjectStatus.values if status not in rules.ENDS and status != ProjectStatus.PROPOSED
)


@dataclass(frozen=True)
class ProjectLine:
    """A project of a list: what it is, where, since when, and (for a stop) why."""

    pk: int
    code: str
    title: str
    province: Province
    status: str  # its status today
    since: datetime.date  # the day of the step the list is about
    days: int  # days from `since` to the list's reference day (today or the deadline)
    document_number: str = ""
    note: str = ""
    stop: str = ""  # for a stop: "cancelled" or "suspended"

    @property
    def status_label(self) -> str:
        return str(ProjectStatus(self.status).label)

    @property
    def stop_label(self) -> str:
        return str(ProjectStatus(self.stop).label) if self.stop else ""


@dataclass(frozen=True)
class StepFigures:
    """Time spent at one step by the projects that reached it: median and slowest, in days;
    `ongoing` of `count` are still there today. None when no project reached it."""

    status: str
    count: int
    ongoing: int
    median_days: Decimal | None
    max_days: int | None
    slowest: ProjectLine | None


@dataclass(frozen=True)
class ProvinceSteps:
    province: Province
    project_count: int
    steps: list[StepFigures]


@dataclass(frozen=True)
class Pipeline:
    year: int
    scope: Scope
    today: datetime.date
    project_count: int
    steps: list[StepFigures]  # the scope's projects, by step in lifecycle order
    by_province: list[ProvinceSteps]  # each province with projects, by code
    stale: list[ProjectLine]  # no step for STALE_DAYS days, longest first
    contract_deadline: datetime.date  # 30/06 of the year
    not_contracted: list[ProjectLine]  # approved by the deadline, not contracted by it
    settlement_deadline: datetime.date  # 22/01 of the next year
    not_settled: list[ProjectLine]  # accepted by the deadline, not settled by it
    stops: list[ProjectLine]  # every cancellation and suspension, latest first

    @property
    def contract_deadline_passed(self) -> bool:
        return self.today > self.contract_deadline

    @property
    def settlement_deadline_passed(self) -> bool:
        return self.today > self.settlement_deadline


def pipeline(
    *,
    year: int,
    scope: Scope | None = None,
    provinces: ProvinceMap | None = None,
    today: datetime.date | None = None,
) -> Pipeline:
    """The pipeline of `year`'s projects of `scope` (default the nation) as of `today`.

    A scope's projects are those of its territory (`ProvinceMap.territory`, the year's); steps
    dated after `today` are ignored. A deadline's list is empty until the deadline has passed
    (`contract_deadline_passed`, `settlement_deadline_passed`). Medians are exact (x.5 for an
    even count) and None for a step no project reached.
    """
    scope = scope or Scope()
    today = today or timezone.localdate()
    provinces = provinces or ProvinceMap.load()
    ids = provinces.territory(scope, year)
    projects = {
        pk: (code, title, provinces.by_id[pid], status)
        for pk, code, title, pid, status in Project.objects.filter(year=year, province_id__in=ids)
        .values_list("pk", "code", "title", "province_id", "status")
        .order_by("code")
    }
    steps: dict[int, list[tuple[datetime.date, str, str, str]]] = defaultdict(list)
    for project_id, day, status, number, note in (
        ProjectTransition.objects.filter(project__year=year, project__province_id__in=ids, date__lte=today)
        .values_list("project_id", "date", "to_status", "document_number", "note")
        .order_by("project_id", "date", "id")
    ):
        steps[project_id].append((day, status, number, note))

    def line(pk: int, since: datetime.date, until: datetime.date, **extra) -> ProjectLine:
        code, title, province, status = projects[pk]
        return ProjectLine(pk, code, title, province, status, since, (until - since).days, **extra)

    waits: dict[str, list[tuple[int, bool, int, datetime.date]]] = defaultdict(
        list
    )  # status -> (days, ongoing, pk, since)
    waits_by_province: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    stale, not_contracted, not_settled, stops = [], [], [], []
    contract_deadline = datetime.date(year, 6, 30)
    settlement_deadline = datetime.date(year + 1, 1, 22)
    for pk, (_code, _title, province, _status) in projects.items():
        recorded = steps.get(pk, [])
        plain = [(day, status) for day, status, _n, _t in recorded]
        entered = [day for day, status in plain if status not in rules.ENDS]
        for index, (status, days, ongoing) in enumerate(rules.step_days(plain, today)):
            item = (days, ongoing, pk, entered[index])
            waits[status].append(item)
            waits_by_province[province.pk][status].append(item)
        since = rules.stale_since(plain, today)
        if since is not None:
            stale.append(line(pk, since, today))
        if today > contract_deadline:
            since = rules.missed(plain, lifecycle.APPROVED, lifecycle.CONTRACTED, contract_deadline)
            if since is not None:
                not_contracted.append(line(pk, since, contract_deadline))
        if today > settlement_deadline:
            since = rules.missed(plain, lifecycle.ACCEPTED, lifecycle.SETTLED, settlement_deadline)
            if since is not None:
                not_settled.append(line(pk, since, settlement_deadline))
        for day, status, number, note in recorded:
            if status in (lifecycle.CANCELLED, lifecycle.SUSPENDED):
                stops.append(line(pk, day, today, document_number=number, note=note, stop=status))

    def figures(by_status: dict[str, list]) -> list[StepFigures]:
        result = []
        for status in WAITING_STEPS:
            items = by_status.get(status, [])
            slowest = max(items, key=lambda item: (item[0], -item[2]), default=None)
            result.append(
                StepFigures(
                    status=status,
                    count=len(items),
                    ongoing=sum(1 for item in items if item[1]),
                    median_days=rules.median(item[0] for item in items),
                    max_days=slowest[0] if slowest else None,
                    slowest=line(slowest[2], slowest[3], slowest[3] + datetime.timedelta(days=slowest[0]))
                    if slowest
                    else None,
                )
            )
        return result

    counts: dict[int, int] = defaultdict(int)
    for _code, _title, province, _status in projects.values():
        counts[province.pk] += 1
    by_province = [
        ProvinceSteps(provinces.by_id[pid], counts[pid], figures(waits_by_province[pid]))
        for pid in sorted(counts, key=lambda pid: (provinces.by_id[pid].code, provinces.by_id[pid].valid_from))
    ]
    return Pipeline(
        year=year,
        scope=scope,
        today=today,
        project_count=len(projects),
        steps=figures(waits),
        by_province=by_province,
        stale=sorted(stale, key=lambda item: (-item.days, item.code)),
        contract_deadline=contract_deadline,
        not_contracted=sorted(not_contracted, key=lambda item: (-item.days, item.code)),
        settlement_deadline=settlement_deadline,
        not_settled=sorted(not_settled, key=lambda item: (-item.days, item.code)),
        stops=sorted(stops, key=lambda item: (item.since, item.code), reverse=True),
    )
