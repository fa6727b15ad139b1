"""A national-scale data set for the benchmarks, written into PostgreSQL with COPY.

    DATABASE_URL=postgres://… .venv/bin/python bench/generate.py [--scale full|quick] [--seed 9] [--replace]

Both eras of provinces (the 63 in force until 30/06/2025 and the 34 from 01/07/2025, seeded by
migration 0002), years 2012–2026. For every province-year: an approved plan per fund (a few of
2026 still draft or submitted), a target per indicator and the reporting periods it owes
(2026: first half approved, nine months mostly submitted, full year not due). Projects are
apportioned to the plans by planned amount and carry their lifecycle steps
(ProjectTransition); disbursements and outputs are apportioned to the projects whose contract
is signed. Full scale: 100,000 projects, 400,000 disbursements, 200,000 outputs; quick scale a
tenth of that.

The rows obey the portal's rules, so the figures mean something:
- money is whole đồng (multiples of 1,000), amounts positive, targets and outputs positive;
- every date of a project (its steps, money, outputs) lies in its year, within the province's
  era (old provinces until 30/06/2025, new ones from 01/07/2025) and not after DATA_END;
- lifecycle steps follow programmes.rules.lifecycle, approval and contract steps carry a
  document number, and `status_changed_on` is the last step's date;
- money and outputs only after the contract date, at most one output per project, indicator
  and day (the import matches outputs on those three); a suspended or cancelled project receives
  only recoveries after it stopped; all payments precede the recoveries, so the running net
  total stays between 0 and the project's support;
- an approved plan has its approval date (in the plan year or the year before) and its first
  approved amount; project codes follow services.next_project_code.

Same seed, same rows: every value (ids, timestamps included) comes from `random.Random`
instances seeded from the seed and the table's name, nothing from the clock. The history
tables of django-simple-history are left empty for these rows (they were not entered by
anyone); `fingerprint` checksums the generated tables to show reproducibility.
"""

import argparse
import datetime
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import log, setup_django
from programmes.rules import lifecycle

FIRST_YEAR, LAST_YEAR = 2012, 2026
# The last day any record is dated: fixed (not today) so that a seed always gives the same rows.
DATA_END = datetime.date(2026, 10, 31)
TZ = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Ho_Chi_Minh has no daylight saving
FUNDS = ("KCQG", "KCDP")
UNIT = 1000  # amounts are multiples of 1,000 đồng


@dataclass(frozen=True)
class Scale:
    name: str
    projects: int
    disbursements: int
    outputs: int


SCALES = {
    "full": Scale("full", 100_000, 400_000, 200_000),
    "quick": Scale("quick", 10_000, 40_000, 20_000),
}

# Tables this generator fills (and `--replace` empties), in load order.
TABLES = (
    "programmes_budgetplan",
    "programmes_project",
    "programmes_projecttransition",
    "programmes_disbursement",
    "programmes_projectoutput",
    "programmes_indicatortarget",
    "programmes_reportingperiod",
)

# What a project's history looks like, by kind: its lifecycle steps after `proposed`.
PATHS = {
    **{status: tuple(lifecycle.shortest_path(lifecycle.PROPOSED, status)) for status in lifecycle.STATUSES[:7]},
    "cancelled_early": (*lifecycle.shortest_path(lifecycle.PROPOSED, lifecycle.APPRAISED), lifecycle.CANCELLED),
    "cancelled_late": (*lifecycle.shortest_path(lifecycle.PROPOSED, lifecycle.IN_PROGRESS), lifecycle.CANCELLED),
    "suspended": (*lifecycle.shortest_path(lifecycle.PROPOSED, lifecycle.IN_PROGRESS), lifecycle.SUSPENDED),
}
# The legal steps and the steps that need a document, as SQL lists for RULE_CHECKS.
STEPS_SQL = ", ".join(f"('{a}', '{b}')" for a, following in lifecycle.TRANSITIONS.items() for b in following)
DOCUMENT_STEPS_SQL = ", ".join(f"'{status}'" for status in sorted(lifecycle.DOCUMENT_REQUIRED))
# Kinds of a closed year, and of the current one (2026, still running on DATA_END).
CLOSED_YEAR_KINDS = {
    "settled": 82,
    "accepted": 5,
    "in_progress": 2,
    "cancelled_early": 4,
    "cancelled_late": 5,
    "suspended": 2,
}
OPEN_YEAR_KINDS = {
    "proposed": 5,
    "appraised": 5,
    "approved": 8,
    "contracted": 17,
    "in_progress": 45,
    "accepted": 10,
    "settled": 5,
    "cancelled_early": 2,
    "cancelled_late": 2,
    "suspended": 1,
}
# When each step happens, as a fraction of the project's window (its year within its era).
STEP_WINDOW = {
    "appraised": (0.00, 0.08),
    "approved": (0.08, 0.16),
    "contracted": (0.16, 0.30),
    "accepted": (0.80, 0.92),
    "settled": (0.92, 1.00),
    "suspended": (0.45, 0.75),
}
MONEY_KINDS = {"contracted", "in_progress", "accepted", "settled", "cancelled_late", "suspended"}
OUTPUT_KINDS = MONEY_KINDS - {"contracted"}
# Output values per record, by indicator code.
OUTPUT_VALUES = {
    "trained_workers": (5, 60),
    "management_trainees": (10, 80),
    "demonstration_models": (1, 1),
    "establishments_equipped": (1, 4),
    "fair_participations": (1, 25),
    "typical_products": (1, 3),
    "industrial_clusters": (1, 1),
}

TITLES = {
    "vocational_training": "Đào tạo nghề {product} cho lao động nông thôn",
    "management_startup_market": "Bồi dưỡng năng lực quản lý và khởi sự doanh nghiệp {product}",
    "demonstration_technology": "Hỗ trợ ứng dụng máy móc thiết bị tiên tiến vào sản xuất {product}",
    "typical_products_fairs": "Hỗ trợ cơ sở sản xuất {product} tham gia hội chợ triển lãm",
    "consulting": "Tư vấn lập dự án đầu tư sản xuất {product}",
    "information_communication": "Xây dựng chương trình truyền thông về sản phẩm {product}",
    "linkage_clusters": "Hỗ trợ liên kết sản xuất {product} trong cụm công nghiệp",
    "international_cooperation": "Học tập kinh nghiệm sản xuất {product} ở nước ngoài",
    "programme_capacity": "Nâng cao năng lực cán bộ khuyến công về {product}",
}
PRODUCTS = (
    "gốm sứ",
    "mây tre đan",
    "chè",
    "cà phê",
    "nước mắm",
    "đồ gỗ mỹ nghệ",
    "dệt thổ cẩm",
    "bánh tráng",
    "nông sản sấy",
    "cơ khí nhỏ",
    "gạch không nung",
    "thức ăn chăn nuôi",
    "sơn mài",
    "thêu ren",
    "chế biến thủy sản",
)
BENEFICIARIES = {
    "sme": "Công ty TNHH {name}",
    "cooperative": "Hợp tác xã {name}",
    "household": "Hộ kinh doanh {name}",
    "craft_village": "Làng nghề {name}",
}
NAMES = ("Phú Thịnh", "Hòa Bình", "An Phát", "Minh Long", "Tân Tiến", "Hưng Thịnh", "Đại Thành", "Thành Công")


@dataclass(frozen=True)
class ProvinceInfo:
    id: int
    code: str
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    merged_into_id: int | None

    def window(self, year: int) -> tuple[datetime.date, datetime.date] | None:
        """The days of `year` on which records of this province may be dated."""
        start = max(datetime.date(year, 1, 1), self.valid_from)
        end = min(datetime.date(year, 12, 31), self.valid_to or datetime.date.max, DATA_END)
        return (start, end) if start <= end else None

    def share_of_year(self, year: int) -> float:
        """The part of `year` the province was in force (its plan covers that part)."""
        start = max(datetime.date(year, 1, 1), self.valid_from)
        end = min(datetime.date(year, 12, 31), self.valid_to or datetime.date.max)
        return max(0, (end - start).days + 1) / (datetime.date(year, 12, 31).timetuple().tm_yday)


@dataclass(slots=True)
class ProjectInfo:
    """What the disbursement and output generators need of a project."""

    id: int
    province_id: int
    year: int
    category_code: str
    kind: str
    support: int
    contract: datetime.date | None
    stop: datetime.date | None  # suspended or cancelled on
    pay_end: datetime.date  # last day for payments
    end: datetime.date  # last day of the project's window


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def day_in(rng: random.Random, start: datetime.date, end: datetime.date, low: float, high: float) -> datetime.date:
    """A day at a random fraction between `low` and `high` of the window start…end."""
    span = (end - start).days
    return start + datetime.timedelta(days=round(span * rng.uniform(low, high)))


def apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), each part ≥ `minimum`."""
    if not weights:
        return []
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"cannot give {minimum} each to {len(weights)} parts out of {total}")
    whole = sum(weights)
    exact = [spare * weight / whole for weight in weights]
    parts = [int(value) for value in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [part + minimum for part in parts]


def split_units(rng: random.Random, units: int, parts: int) -> list[int]:
    """`units` (≥ parts) in `parts` positive random pieces."""
    if parts <= 1:
        return [units]
    cuts = sorted(rng.sample(range(1, units), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, units], strict=True)]


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


class Generator:
    def __init__(self, scale: Scale, seed: int):
        from programmes.models import ActivityCategory, Indicator, Province

        self.scale, self.seed = scale, seed
        self.provinces = [
            ProvinceInfo(p.pk, p.code, p.name, p.valid_from, p.valid_to, p.merged_into_id)
            for p in Province.objects.order_by("code", "valid_from")
        ]
        self.categories = dict(ActivityCategory.objects.order_by("code").values_list("code", "pk"))
        self.indicators = list(
            Indicator.objects.filter(is_active=True).order_by("code").values_list("code", "pk", "category__code")
        )
        self.projects: list[ProjectInfo] = []
        self.plan_keys: list[tuple[ProvinceInfo, int, str, int]] = []  # province, year, fund, planned

    def rng(self, table: str) -> random.Random:
        """One generator per table, so that changing one table's rules leaves the others' rows."""
        return random.Random(f"{self.seed}:{table}")

    def province_years(self) -> Iterator[tuple[ProvinceInfo, int]]:
        for province in self.provinces:
            for year in range(FIRST_YEAR, LAST_YEAR + 1):
                if province.window(year) is not None:
                    yield province, year

    # ---- plans --------------------------------------------------------------------------------

    def plans(self) -> Iterator[tuple]:
        rng = self.rng("plans")
        weight = {p.id: rng.lognormvariate(0, 0.45) for p in self.provinces if p.valid_to is not None}
        for p in self.provinces:  # a new province plans for the territory of its predecessors
            if p.valid_to is None:
                weight[p.id] = sum(weight[q.id] for q in self.provinces if q.merged_into_id == p.id) or 1.0
        pk = 0
        for province, year in self.province_years():
            growth = 1.06 ** (year - FIRST_YEAR) * province.share_of_year(year)
            for fund, base in zip(FUNDS, (1.8e9, 3.2e9), strict=True):
                pk += 1
                planned = round(base * weight[province.id] * growth * rng.uniform(0.8, 1.2) / 1e6) * 1_000_000
                status = "approved"
                if year == LAST_YEAR:
                    status = weighted(rng, {"approved": 88, "submitted": 8, "draft": 4})
                approved_on = original = None
                if status == "approved":
                    earliest = max(province.valid_from, datetime.date(year - 1, 12, 10))
                    approved_on = earliest + datetime.timedelta(days=rng.randint(0, 100))
                    original = planned
                    if rng.random() < 0.15:  # revised during the year: the first amount is kept
                        original = round(planned * rng.uniform(0.85, 1.1) / 1e6) * 1_000_000
                created = at(approved_on or datetime.date(year, 1, 5), 9)
                self.plan_keys.append((province, year, fund, planned))
                yield (
                    pk,
                    created,
                    created,
                    year,
                    fund,
                    planned,
                    original,
                    status,
                    f"{100 + pk % 900}/QĐ-UBND" if status == "approved" else "",
                    approved_on,
                    "",
                    province.id,
                    "",
                )

    # ---- projects and their steps ----------------------------------------------------------------

    def project_rows(self) -> tuple[list[tuple], list[tuple]]:
        """Rows of programmes_project and programmes_projecttransition."""
        rng = self.rng("projects")
        counts = apportion(self.scale.projects, [planned for *_rest, planned in self.plan_keys], minimum=1)
        # The nine contents of the 2012 list, in force in every generated year: the contents added by
        # Decree 235/2025 (migration 0020) are left out, so that the national-scale data stays the
        # one earlier runs measured (same draws) and no project is of a content not yet in force.
        categories = [code for code in self.categories if code in TITLES]
        numbers: dict[tuple, int] = defaultdict(int)
        projects, steps = [], []
        for (province, year, fund, planned), count in zip(self.plan_keys, counts, strict=True):
            start, end = province.window(year)
            open_year = end < datetime.date(year, 12, 31) and end == DATA_END
            total = planned * rng.uniform(0.97, 1.08)
            shares = [rng.uniform(0.3, 1.7) for _ in range(count)]
            whole = sum(shares)
            for share in shares:
                support = max(20_000_000, round(total * share / whole / UNIT) * UNIT)
                numbers[(fund, year, province.code)] += 1
                code = f"{fund}-{year}-{province.code}-{numbers[(fund, year, province.code)]:03d}"
                category = rng.choice(categories)
                kind = weighted(rng, OPEN_YEAR_KINDS if open_year else CLOSED_YEAR_KINDS)
                beneficiary = rng.choice(list(BENEFICIARIES))
                if fund == "KCDP":
                    project_type = "local"
                else:
                    project_type = rng.choices(("single_site", "group", "specific_beneficiary", "task"), (6, 2, 1, 1))[
                        0
                    ]
                dates = self._steps(rng, kind, start, end)
                pk = len(projects) + 1
                status = PATHS[kind][-1] if PATHS[kind] else "proposed"
                last = max(dates.values()) if dates else None
                created = at(start, 8)
                projects.append(
                    (
                        pk,
                        created,
                        at(last, 17) if last else created,
                        code,
                        TITLES[category].format(product=rng.choice(PRODUCTS)),
                        year,
                        fund,
                        project_type,
                        f"Trung tâm Khuyến công {province.name}",
                        BENEFICIARIES[beneficiary].format(name=rng.choice(NAMES)),
                        beneficiary,
                        support,
                        0 if project_type == "task" else round(support * rng.uniform(0.3, 2.5) / UNIT) * UNIT,
                        rng.random() < 0.05,
                        status,
                        last,
                        self.categories[category],
                        province.id,
                    )
                )
                previous = "proposed"
                for step, day in dates.items():
                    number = ""
                    if step == "approved":
                        number = f"{rng.randint(1, 999)}/QĐ-SCT"
                    elif step == "contracted":
                        number = f"{rng.randint(1, 999)}/HĐ-KC"
                    steps.append((len(steps) + 1, previous, step, day, number, "", at(day, 10), pk, None))
                    previous = step
                stop = dates.get("suspended") or (dates.get("cancelled") if kind == "cancelled_late" else None)
                self.projects.append(
                    ProjectInfo(
                        id=pk,
                        province_id=province.id,
                        year=year,
                        category_code=category,
                        kind=kind,
                        support=support,
                        contract=dates.get("contracted"),
                        stop=stop,
                        pay_end=stop or dates.get("settled") or end,
                        end=end,
                    )
                )
        return projects, steps

    def _steps(self, rng, kind: str, start: datetime.date, end: datetime.date) -> dict[str, datetime.date]:
        """The date of each lifecycle step of a project of `kind` in the window start…end."""
        dates: dict[str, datetime.date] = {}
        previous = start
        for step in PATHS[kind]:
            if step == "in_progress":
                day = previous + datetime.timedelta(days=rng.randint(0, 10))
            elif step == "cancelled":
                low, high = (0.08, 0.25) if kind == "cancelled_early" else (0.45, 0.75)
                day = day_in(rng, start, end, low, high)
            else:
                day = day_in(rng, start, end, *STEP_WINDOW[step])
            day = min(max(day, previous), end)  # steps never go back in time nor leave the window
            dates[step] = previous = day
        return dates

    # ---- money ------------------------------------------------------------------------------------

    def disbursements(self) -> Iterator[tuple]:
        rng = self.rng("disbursements")
        paid = [p for p in self.projects if p.kind in MONEY_KINDS]
        counts = apportion(self.scale.disbursements, [p.support * rng.uniform(0.5, 1.5) for p in paid], minimum=1)
        pk = 0
        for project, count in zip(paid, counts, strict=True):
            support_units = project.support // UNIT
            gross_share, recovered_share = self._money_shares(rng, project)
            recoveries = 0 if count == 1 or not recovered_share else (1 if count < 4 else rng.choice((1, 2)))
            payments = count - recoveries
            gross = max(payments, round(support_units * gross_share))
            recovered = min(gross, max(recoveries, round(gross * recovered_share))) if recoveries else 0
            # Payments from the contract to the end of payments (the stop date for a stopped
            # project); recoveries after the last payment.
            pay_days = sorted(
                project.contract + datetime.timedelta(days=rng.randint(0, (project.pay_end - project.contract).days))
                for _ in range(payments)
            )
            for index, (day, amount) in enumerate(zip(pay_days, split_units(rng, gross, payments), strict=True)):
                pk += 1
                kind = "advance" if index == 0 and rng.random() < 0.6 else "payment"
                yield self._money_row(pk, project, day, amount, kind)
            if recoveries:
                first = pay_days[-1]
                recovery_days = sorted(
                    first + datetime.timedelta(days=rng.randint(0, (project.end - first).days))
                    for _ in range(recoveries)
                )
                for day, amount in zip(recovery_days, split_units(rng, recovered, recoveries), strict=True):
                    pk += 1
                    yield self._money_row(pk, project, day, amount, "recovery")

    @staticmethod
    def _money_shares(rng: random.Random, project: ProjectInfo) -> tuple[float, float]:
        """(paid as a share of the support, recovered as a share of what was paid)."""
        if project.kind == "settled":
            return (1.0 if rng.random() < 0.7 else rng.uniform(0.9, 1.0)), 0.0
        if project.kind == "accepted":
            return rng.uniform(0.7, 1.0), 0.0
        if project.kind == "in_progress":
            gross = rng.uniform(0.2, 0.8)
            # Now and then an overpayment is returned: still within the support.
            return gross, (rng.uniform(0.05, 0.2) if rng.random() < 0.03 else 0.0)
        if project.kind == "contracted":
            return rng.uniform(0.1, 0.3), 0.0
        if project.kind == "suspended":
            return rng.uniform(0.2, 0.6), (rng.uniform(0.2, 1.0) if rng.random() < 0.5 else 0.0)
        return rng.uniform(0.1, 0.5), (rng.uniform(0.5, 1.0) if rng.random() < 0.8 else 0.0)  # cancelled late

    @staticmethod
    def _money_row(pk: int, project: ProjectInfo, day: datetime.date, units: int, kind: str) -> tuple:
        stamp = at(day, 14)
        return (pk, stamp, stamp, day, units * UNIT, kind, f"PC{pk:07d}/{project.year}", "", project.id)

    # ---- outputs and targets ---------------------------------------------------------------------------

    def outputs(self, achieved: dict[tuple[int, int, int], int]) -> Iterator[tuple]:
        """Rows of programmes_projectoutput; adds each value to `achieved[(province, year, indicator)]`."""
        rng = self.rng("outputs")
        by_category: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for code, pk, category in self.indicators:
            by_category[category].append((code, pk))
        eligible = [p for p in self.projects if p.kind in OUTPUT_KINDS and by_category.get(p.category_code)]
        counts = apportion(self.scale.outputs, [p.support * rng.uniform(0.5, 1.5) for p in eligible], minimum=1)
        pk = 0
        for project, count in zip(eligible, counts, strict=True):
            last = project.pay_end
            used: set[tuple[int, datetime.date]] = set()
            for _ in range(count):
                pk += 1
                # One record per indicator and day: the import matches outputs by project,
                # indicator and date, so two on the same day would be ambiguous.
                while True:
                    code, indicator = rng.choice(by_category[project.category_code])
                    day = project.contract + datetime.timedelta(days=rng.randint(0, (last - project.contract).days))
                    if (indicator, day) not in used:
                        break
                used.add((indicator, day))
                low, high = OUTPUT_VALUES.get(code, (1, 10))
                value = rng.randint(low, high)
                achieved[(project.province_id, project.year, indicator)] += value
                stamp = at(day, 15)
                yield (pk, stamp, stamp, day, value, "", indicator, project.id)

    def targets(self, achieved: dict[tuple[int, int, int], int]) -> Iterator[tuple]:
        rng = self.rng("targets")
        pk = 0
        for province, year in self.province_years():
            for _code, indicator, _category in self.indicators:
                pk += 1
                done = achieved.get((province.id, year, indicator), 0)
                target = round(done * rng.uniform(0.85, 1.2)) if done else rng.randint(0, 5)
                stamp = at(max(province.valid_from, datetime.date(year, 1, 5)), 9)
                yield (pk, stamp, stamp, year, target, indicator, province.id)

    # ---- reporting periods -----------------------------------------------------------------------------

    def reporting_periods(self) -> Iterator[tuple]:
        """Every report a province owed: past ones approved (some late), 2026 H1 approved, 9M
        mostly submitted, FY not yet due (no row)."""
        rng = self.rng("reporting")
        ends = {"H1": (6, 30), "9M": (9, 30), "FY": (12, 31)}
        pk = 0
        for province, year in self.province_years():
            for period, (month, day) in ends.items():
                end = datetime.date(year, month, day)
                if end < province.valid_from or (province.valid_to and end > province.valid_to) or end > DATA_END:
                    continue
                status = "approved"
                if year == LAST_YEAR and period == "9M":
                    status = weighted(rng, {"submitted": 70, "open": 30})
                due = end + datetime.timedelta(days=15)
                submitted = approved = None
                if status != "open":
                    late = rng.random() < 0.1
                    sent = due + datetime.timedelta(days=rng.randint(1, 30) if late else -rng.randint(0, 14))
                    submitted = at(min(sent, DATA_END), 16)
                if status == "approved":
                    approved = at(min(submitted.date() + datetime.timedelta(days=rng.randint(3, 20)), DATA_END), 11)
                pk += 1
                created = at(end, 8)
                yield (
                    pk,
                    created,
                    created,
                    year,
                    period,
                    status,
                    None,
                    submitted,
                    approved,
                    None,
                    province.id,
                    None,
                    "",
                )

    # ---- loading -----------------------------------------------------------------------------------

    def load(self) -> dict[str, int]:
        """Write every table with COPY; return the rows written per table."""
        from django.db import connection

        columns = {
            "programmes_budgetplan": "id, created_at, updated_at, year, funding_source, planned_vnd, original_vnd, "
            "status, decision_number, approved_on, notes, province_id, status_reason",
            "programmes_project": "id, created_at, updated_at, code, title, year, funding_source, project_type, "
            "implementing_unit, beneficiary_name, beneficiary_kind, support_vnd, counterpart_vnd, capital_recovery, "
            "status, status_changed_on, category_id, province_id",
            "programmes_projecttransition": "id, from_status, to_status, date, document_number, note, recorded_at, "
            "project_id, user_id",
            "programmes_disbursement": "id, created_at, updated_at, date, amount_vnd, kind, document_number, note, "
            "project_id",
            "programmes_projectoutput": "id, created_at, updated_at, date, value, note, indicator_id, project_id",
            "programmes_indicatortarget": "id, created_at, updated_at, year, target, indicator_id, province_id",
            "programmes_reportingperiod": "id, created_at, updated_at, year, period, status, deadline, submitted_at, "
            "approved_at, approved_by_id, province_id, submitted_by_id, status_reason",
        }
        written: dict[str, int] = {}
        connection.ensure_connection()
        raw = connection.connection  # psycopg 3: Cursor.copy streams rows without building SQL
        with raw.cursor() as cursor:

            def copy(table: str, rows) -> None:
                started, count = time.perf_counter(), 0
                with cursor.copy(f"COPY {table} ({columns[table]}) FROM STDIN") as stream:
                    for row in rows:
                        stream.write_row(row)
                        count += 1
                written[table] = count
                log(f"  {table}: {count:,} rows in {time.perf_counter() - started:.1f} s")

            copy("programmes_budgetplan", self.plans())
            projects, steps = self.project_rows()
            copy("programmes_project", projects)
            copy("programmes_projecttransition", steps)
            del projects, steps
            copy("programmes_disbursement", self.disbursements())
            achieved: dict[tuple[int, int, int], int] = defaultdict(int)
            copy("programmes_projectoutput", self.outputs(achieved))
            copy("programmes_indicatortarget", self.targets(achieved))
            copy("programmes_reportingperiod", self.reporting_periods())
            for table in TABLES:
                # Explicit ids were copied: move the sequences past them for later inserts.
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) "
                    f"FROM {table}"
                )
                cursor.execute(f"ANALYZE {table}")
        return written


# Each query counts the rows that break one rule of the module docstring (0 everywhere = clean).
WINDOW = """
    greatest(make_date(p.year, 1, 1), pr.valid_from)
    AND least(make_date(p.year, 12, 31), coalesce(pr.valid_to, 'infinity'::date), %(end)s::date)
"""
RULE_CHECKS = {
    "project year outside its province's era": """
        SELECT count(*) FROM programmes_project p JOIN programmes_province pr ON pr.id = p.province_id
        WHERE make_date(p.year, 12, 31) < pr.valid_from OR make_date(p.year, 1, 1) > coalesce(pr.valid_to, 'infinity')
    """,
    "lifecycle step not allowed, out of order or outside the project's window": f"""
        SELECT count(*) FROM (
            SELECT t.*, lag(t.to_status, 1, 'proposed') OVER w AS before, lag(t.date) OVER w AS previous_date,
                   p.year, pr.valid_from, pr.valid_to
            FROM programmes_projecttransition t JOIN programmes_project p ON p.id = t.project_id
            JOIN programmes_province pr ON pr.id = p.province_id
            WINDOW w AS (PARTITION BY t.project_id ORDER BY t.date, t.id)
        ) s JOIN programmes_project p ON p.id = s.project_id JOIN programmes_province pr ON pr.id = p.province_id
        WHERE s.from_status <> s.before OR s.date < s.previous_date OR s.date NOT BETWEEN {WINDOW}
           OR (s.from_status, s.to_status) NOT IN ({STEPS_SQL})
           OR (s.to_status IN ({DOCUMENT_STEPS_SQL}) AND s.document_number = '')
    """,
    "status or its date differs from the last step": """
        SELECT count(*) FROM programmes_project p LEFT JOIN LATERAL (
            SELECT to_status, date FROM programmes_projecttransition t WHERE t.project_id = p.id
            ORDER BY date DESC, id DESC LIMIT 1) last ON true
        WHERE p.status <> coalesce(last.to_status, 'proposed') OR p.status_changed_on IS DISTINCT FROM last.date
    """,
    "money or output before the contract, outside the window or without a contract": f"""
        SELECT count(*) FROM (
            SELECT project_id, date FROM programmes_disbursement
            UNION ALL SELECT project_id, date FROM programmes_projectoutput
        ) r JOIN programmes_project p ON p.id = r.project_id JOIN programmes_province pr ON pr.id = p.province_id
        LEFT JOIN LATERAL (SELECT min(date) AS signed FROM programmes_projecttransition t
                           WHERE t.project_id = p.id AND t.to_status = 'contracted') c ON true
        WHERE c.signed IS NULL OR r.date < c.signed OR r.date NOT BETWEEN {WINDOW}
    """,
    "two outputs of one project and indicator on the same day": """
        SELECT count(*) FROM (SELECT 1 FROM programmes_projectoutput GROUP BY project_id, indicator_id, date
                              HAVING count(*) > 1) s
    """,
    "payment after the project was stopped": """
        SELECT count(*) FROM programmes_disbursement d JOIN programmes_project p ON p.id = d.project_id
        WHERE p.status IN ('cancelled', 'suspended') AND d.kind <> 'recovery' AND d.date > p.status_changed_on
    """,
    "running net disbursed below 0 or above the support": """
        SELECT count(*) FROM (
            SELECT d.project_id, sum(CASE WHEN d.kind = 'recovery' THEN -d.amount_vnd ELSE d.amount_vnd END)
                   OVER (PARTITION BY d.project_id ORDER BY d.date, d.kind <> 'recovery' DESC, d.id) AS running
            FROM programmes_disbursement d
        ) s JOIN programmes_project p ON p.id = s.project_id
        WHERE s.running < 0 OR s.running > p.support_vnd
    """,
    "amount not a positive multiple of 1,000 đồng": """
        SELECT (SELECT count(*) FROM programmes_disbursement WHERE amount_vnd <= 0 OR mod(amount_vnd, 1000) <> 0)
             + (SELECT count(*) FROM programmes_project WHERE support_vnd <= 0 OR mod(support_vnd, 1000) <> 0
                                                           OR mod(counterpart_vnd, 1000) <> 0)
             + (SELECT count(*) FROM programmes_budgetplan WHERE planned_vnd <= 0 OR mod(planned_vnd, 1000) <> 0)
    """,
    "province-year without its plans or targets": """
        SELECT count(*) FROM programmes_province pr CROSS JOIN generate_series(2012, 2026) y
        WHERE make_date(y, 12, 31) >= pr.valid_from AND make_date(y, 1, 1) <= coalesce(pr.valid_to, 'infinity')
          AND ((SELECT count(*) FROM programmes_budgetplan b WHERE b.province_id = pr.id AND b.year = y) <> 2
            OR (SELECT count(*) FROM programmes_indicatortarget t WHERE t.province_id = pr.id AND t.year = y)
               <> (SELECT count(*) FROM programmes_indicator WHERE is_active))
    """,
}


def rule_violations() -> dict[str, int]:
    """{rule: rows breaking it} for the rules of the module docstring, checked in SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for rule, sql in RULE_CHECKS.items():
            cursor.execute(sql, {"end": DATA_END})
            found[rule] = cursor.fetchone()[0]
        return found


def empty_tables() -> None:
    """Delete generated rows (and whatever the benchmarks wrote on top of them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'programmes_historical%'"
        )
        history = [name for (name,) in cursor.fetchall()]
        rollup = ["programmes_disbursementrollup", "programmes_outputrollup"]
        cursor.execute(f"TRUNCATE {', '.join([*TABLES, *history, *rollup])} RESTART IDENTITY CASCADE")


def generate(scale: Scale, seed: int, *, replace: bool = False) -> dict:
    """Fill the database; return {"rows": {table: n}, "seconds": s, "fingerprint": {table: checksum}}."""
    from django.db import connection, transaction

    from bench import dbcheck
    from programmes.models import Project

    if Project.objects.exists():
        if not replace:
            sys.exit("The database already holds projects; use --replace to empty the generated tables first.")
        empty_tables()
    started = time.perf_counter()
    from programmes.services.rollup import rebuild_figures

    # COPY would fire the figures' rollup triggers once per row: switch them off for the load,
    # then fill the rollup in one pass (`rebuild_figures`) in the same transaction.
    kept = ("programmes_disbursement", "programmes_projectoutput", "programmes_project")
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in kept:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        rows = Generator(scale, seed).load()
        with connection.cursor() as cursor:
            # The copied rows' deferred foreign-key checks must run before ALTER TABLE can.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in kept:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        rebuild_figures()
    seconds = time.perf_counter() - started
    connection.close()
    return {"rows": rows, "seconds": seconds, "fingerprint": dbcheck.fingerprints(list(TABLES))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=list(SCALES), default="full")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--replace", action="store_true", help="empty the generated tables first")
    args = parser.parse_args()
    setup_django()
    result = generate(SCALES[args.scale], args.seed, replace=args.replace)
    total = sum(result["rows"].values())
    print(f"{total:,} rows in {result['seconds']:.1f} s (seed {args.seed}, {args.scale} scale)")
    for table, (rows, checksum) in result["fingerprint"].items():
        print(f"  {table:32} {rows:>9,}  {checksum}")


if __name__ == "__main__":
    main()
