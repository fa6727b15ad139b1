"""The figures of `selectors.summary`, computed by one hand-written SQL query, for comparison.

`hand_figures` sends one statement (common table expressions, the answer built as one JSON
document by PostgreSQL) and returns the same sums and counts `summary` builds from its eight
queries and its Python roll-ups: plan, previous plan, national plan, actual, national actual
and committed support by fund; projects by status; approved plans against expected ones; the
province count; indicator targets and outputs; reporting completeness per period (late
included); the province and region rows; and, with `trend_years`, the trend. The percentages of
docs/design.md §4 are ratios of these sums (`programmes.rules.progress`), so equal sums mean equal figures.

`summary_figures` reduces a `Summary` to the same shape, so that the benchmark can assert that
the two agree before it compares their times: a faster query that computes something else
would prove nothing.
"""

import datetime
import json

from django.db import connection

HAND_SQL = """
WITH year_region AS (
    -- Each province with the region of the province in force at the end of the year whose
    -- territory it is part of (itself, or the one it merged into): a region of the year is
    -- the territories of its provinces at the year's end (ProvinceMap.territory).
    SELECT p.id, m.region_id FROM programmes_province p JOIN programmes_province m
        ON (m.id = p.id OR m.id = p.merged_into_id)
       AND m.valid_from <= make_date(%(year)s, 12, 31)
       AND (m.valid_to IS NULL OR m.valid_to >= make_date(%(year)s, 12, 31))
),
territory AS (
    SELECT id, code, valid_from, valid_to, region_id, merged_into_id FROM programmes_province
    WHERE CASE WHEN %(province)s::bigint IS NOT NULL THEN id = %(province)s OR merged_into_id = %(province)s
               WHEN %(region)s::bigint IS NOT NULL THEN id IN (SELECT id FROM year_region WHERE region_id = %(region)s)
               ELSE true END
),
plans AS (
    SELECT year, province_id, funding_source AS fund, sum(planned_vnd) AS total
    FROM programmes_budgetplan
    WHERE status = 'approved' AND year BETWEEN least(%(first)s, %(year)s - 1) AND %(year)s
    GROUP BY 1, 2, 3
),
actuals AS (
    SELECT p.year, p.province_id, p.funding_source AS fund,
           sum(CASE WHEN d.kind = 'recovery' THEN -d.amount_vnd ELSE d.amount_vnd END) AS total
    FROM programmes_disbursement d JOIN programmes_project p ON p.id = d.project_id
    WHERE (p.year = %(year)s AND d.date <= %(as_of)s)
       OR (p.year >= %(first)s AND p.year < %(year)s AND d.date <= make_date(p.year, 12, 31))
    GROUP BY 1, 2, 3
),
projects AS (
    SELECT status, funding_source AS fund, count(*) AS n, sum(support_vnd) AS support
    FROM programmes_project WHERE year = %(year)s AND province_id IN (SELECT id FROM territory)
    GROUP BY 1, 2
),
funds AS (
    SELECT f.fund,
        (SELECT coalesce(sum(total), 0) FROM plans WHERE fund = f.fund AND year = %(year)s
            AND province_id IN (SELECT id FROM territory)) AS plan,
        (SELECT coalesce(sum(total), 0) FROM plans WHERE fund = f.fund AND year = %(year)s - 1
            AND province_id IN (SELECT id FROM territory)) AS plan_prev,
        (SELECT coalesce(sum(total), 0) FROM plans WHERE fund = f.fund AND year = %(year)s) AS nation_plan,
        (SELECT coalesce(sum(total), 0) FROM actuals WHERE fund = f.fund AND year = %(year)s
            AND province_id IN (SELECT id FROM territory)) AS actual,
        (SELECT coalesce(sum(total), 0) FROM actuals WHERE fund = f.fund AND year = %(year)s) AS nation_actual,
        (SELECT coalesce(sum(support), 0) FROM projects WHERE fund = f.fund
            AND status IN ('contracted', 'in_progress', 'accepted', 'settled', 'suspended')) AS committed,
        (SELECT count(*) FROM territory t WHERE t.valid_from <= make_date(%(year)s, 1, 1)
            AND (t.valid_to IS NULL OR t.valid_to >= make_date(%(year)s, 1, 1))
            AND EXISTS (SELECT 1 FROM plans WHERE year = %(year)s AND fund = f.fund AND province_id = t.id))
            AS approved,
        (SELECT count(*) FROM territory t WHERE t.valid_from <= make_date(%(year)s, 1, 1)
            AND (t.valid_to IS NULL OR t.valid_to >= make_date(%(year)s, 1, 1))) AS expected
    FROM (VALUES ('KCQG'), ('KCDP')) AS f(fund)
),
targets AS (
    SELECT indicator_id, sum(target) AS total FROM programmes_indicatortarget
    WHERE year = %(year)s AND province_id IN (SELECT id FROM territory) GROUP BY 1
),
outputs AS (
    SELECT o.indicator_id, sum(o.value) AS total
    FROM programmes_projectoutput o JOIN programmes_project p ON p.id = o.project_id
    WHERE p.year = %(year)s AND p.province_id IN (SELECT id FROM territory) AND o.date <= %(as_of)s
    GROUP BY 1
),
periods AS (
    SELECT * FROM (VALUES (1, 'H1', make_date(%(year)s, 6, 30)), (2, '9M', make_date(%(year)s, 9, 30)),
                          (3, 'FY', make_date(%(year)s, 12, 31))) AS v(n, period, end_day)
),
reporting AS (
    SELECT v.n, v.period, count(t.id) AS expected,
        count(*) FILTER (WHERE r.status IN ('submitted', 'approved')) AS submitted,
        count(*) FILTER (WHERE r.status = 'approved') AS approved,
        count(t.id) FILTER (WHERE CASE
            WHEN r.status IN ('submitted', 'approved') THEN
                (r.submitted_at AT TIME ZONE %(tz)s)::date > coalesce(r.deadline, v.end_day + 15)
            ELSE %(today)s > coalesce(r.deadline, v.end_day + 15) END) AS late
    FROM periods v
    LEFT JOIN territory t ON t.valid_from <= v.end_day AND (t.valid_to IS NULL OR t.valid_to >= v.end_day)
    LEFT JOIN programmes_reportingperiod r ON r.province_id = t.id AND r.year = %(year)s AND r.period = v.period
    GROUP BY v.n, v.period
),
rows AS (
    -- The provinces in force at the cut-off, each with its territory's records of the year.
    SELECT t.id, t.code, t.valid_from,
        coalesce((SELECT sum(pl.total) FROM plans pl WHERE pl.year = %(year)s AND pl.fund = 'KCQG'
                  AND pl.province_id IN (SELECT x.id FROM territory x WHERE x.id = t.id OR x.merged_into_id = t.id)),
                 0) AS plan_kcqg,
        coalesce((SELECT sum(pl.total) FROM plans pl WHERE pl.year = %(year)s AND pl.fund = 'KCDP'
                  AND pl.province_id IN (SELECT x.id FROM territory x WHERE x.id = t.id OR x.merged_into_id = t.id)),
                 0) AS plan_kcdp,
        coalesce((SELECT sum(a.total) FROM actuals a WHERE a.year = %(year)s AND a.fund = 'KCQG'
                  AND a.province_id IN (SELECT x.id FROM territory x WHERE x.id = t.id OR x.merged_into_id = t.id)),
                 0) AS actual_kcqg,
        coalesce((SELECT sum(a.total) FROM actuals a WHERE a.year = %(year)s AND a.fund = 'KCDP'
                  AND a.province_id IN (SELECT x.id FROM territory x WHERE x.id = t.id OR x.merged_into_id = t.id)),
                 0) AS actual_kcdp
    FROM territory t
    WHERE t.valid_from <= least(%(as_of)s, make_date(%(year)s, 12, 31))
      AND (t.valid_to IS NULL OR t.valid_to >= least(%(as_of)s, make_date(%(year)s, 12, 31)))
),
region_rows AS (
    -- The nation's regions, each on its territory of the year (only for the nation's scope).
    SELECT g.code, g."order",
        coalesce((SELECT sum(total) FROM plans pl WHERE pl.year = %(year)s AND pl.fund = 'KCQG'
                  AND pl.province_id IN (SELECT id FROM year_region WHERE region_id = g.id)), 0) AS plan_kcqg,
        coalesce((SELECT sum(total) FROM plans pl WHERE pl.year = %(year)s AND pl.fund = 'KCDP'
                  AND pl.province_id IN (SELECT id FROM year_region WHERE region_id = g.id)), 0) AS plan_kcdp,
        coalesce((SELECT sum(total) FROM actuals a WHERE a.year = %(year)s AND a.fund = 'KCQG'
                  AND a.province_id IN (SELECT id FROM year_region WHERE region_id = g.id)), 0) AS actual_kcqg,
        coalesce((SELECT sum(total) FROM actuals a WHERE a.year = %(year)s AND a.fund = 'KCDP'
                  AND a.province_id IN (SELECT id FROM year_region WHERE region_id = g.id)), 0) AS actual_kcdp,
        (SELECT count(*) FROM programmes_province p
            WHERE p.id IN (SELECT id FROM year_region WHERE region_id = g.id)
              AND p.valid_from <= least(%(as_of)s, make_date(%(year)s, 12, 31))
              AND (p.valid_to IS NULL OR p.valid_to >= least(%(as_of)s, make_date(%(year)s, 12, 31)))) AS in_force
    FROM programmes_region g
    WHERE %(province)s::bigint IS NULL AND %(region)s::bigint IS NULL
      AND EXISTS (SELECT 1 FROM year_region WHERE region_id = g.id)
),
trend AS (
    SELECT y.year,
        (SELECT coalesce(sum(total), 0) FROM plans WHERE year = y.year
            AND province_id IN (SELECT id FROM territory)) AS plan,
        (SELECT coalesce(sum(total), 0) FROM actuals WHERE year = y.year
            AND province_id IN (SELECT id FROM territory)) AS actual
    FROM generate_series(%(first)s, %(year)s) AS y(year)
    WHERE %(trend)s
)
SELECT json_build_object(
    'funds', (SELECT json_object_agg(fund, json_build_array(plan, plan_prev, nation_plan, actual, nation_actual,
                                                            committed)) FROM funds),
    'plans_approved', (SELECT json_object_agg(fund, json_build_array(approved, expected)) FROM funds),
    'pipeline', (SELECT json_object_agg(status, n) FROM (SELECT status, sum(n) AS n FROM projects GROUP BY 1) s),
    'province_count', CASE WHEN %(province)s::bigint IS NOT NULL THEN 1 ELSE (
        SELECT count(*) FROM territory t WHERE t.valid_from <= least(%(as_of)s, make_date(%(year)s, 12, 31))
            AND (t.valid_to IS NULL OR t.valid_to >= least(%(as_of)s, make_date(%(year)s, 12, 31)))) END,
    'indicators', (SELECT json_agg(json_build_array(i.code, coalesce(tg.total, 0), coalesce(o.total, 0))
                                   ORDER BY i."order", i.code)
                   FROM programmes_indicator i LEFT JOIN targets tg ON tg.indicator_id = i.id
                   LEFT JOIN outputs o ON o.indicator_id = i.id
                   WHERE i.is_active OR tg.indicator_id IS NOT NULL OR o.indicator_id IS NOT NULL),
    'reporting', (SELECT json_agg(json_build_array(period, expected, submitted, approved, late) ORDER BY n)
                  FROM reporting),
    'provinces', (SELECT json_agg(json_build_array(id, plan_kcqg, plan_kcdp, actual_kcqg, actual_kcdp)
                                  ORDER BY code, valid_from) FROM rows),
    'regions', (SELECT json_agg(json_build_array(code, plan_kcqg, plan_kcdp, actual_kcqg, actual_kcdp, in_force)
                                ORDER BY "order", code) FROM region_rows),
    'trend', (SELECT json_agg(json_build_array(year, plan, actual) ORDER BY year) FROM trend
              WHERE year >= coalesce((SELECT min(year) FROM trend WHERE plan <> 0 OR actual <> 0), %(year)s))
)
"""

FUND_FIELDS = ("plan", "plan_prev", "nation_plan", "actual", "nation_actual", "committed")


def hand_figures(
    *,
    year: int,
    as_of: datetime.date | None = None,
    region_id: int | None = None,
    province_id: int | None = None,
    trend_years: int = 0,
    today: datetime.date,
) -> dict:
    """The figures of `summary` for the scope (nation, a region or a province), in one query."""
    from django.conf import settings

    from programmes.models import ProjectStatus

    as_of = as_of or datetime.date(year, 12, 31)
    params = {
        "year": year,
        "as_of": as_of,
        "region": region_id,
        "province": province_id,
        "first": year - trend_years + 1 if trend_years > 0 else year,
        "trend": trend_years > 0,
        "today": today,
        "tz": settings.TIME_ZONE,
    }
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        (raw,) = cursor.fetchone()
    data = raw if isinstance(raw, dict) else json.loads(raw)
    pipeline = data["pipeline"] or {}
    return {
        "funds": {fund: dict(zip(FUND_FIELDS, values, strict=True)) for fund, values in sorted(data["funds"].items())},
        "plans_approved": {fund: tuple(values) for fund, values in sorted(data["plans_approved"].items())},
        "pipeline": {status: int(pipeline.get(status, 0)) for status in ProjectStatus.values},
        "province_count": data["province_count"],
        "indicators": [tuple(row) for row in data["indicators"] or []],
        "reporting": [tuple(row) for row in data["reporting"]],
        "provinces": [tuple(row) for row in data["provinces"] or []],
        "regions": [tuple(row) for row in data["regions"] or []],
        "trend": [tuple(row) for row in data["trend"] or []],
    }


def summary_figures(result) -> dict:
    """A `selectors.Summary` in the shape of `hand_figures`."""
    funds = {}
    for fund in ("KCDP", "KCQG"):
        figures = result.funds[fund]
        funds[fund] = {
            "plan": int(figures.plan_vnd),
            "plan_prev": int(figures.plan_prev_vnd),
            "nation_plan": int(figures.nation_plan_vnd),
            "actual": int(figures.actual_vnd),
            "nation_actual": int(figures.nation_actual_vnd),
            "committed": int(figures.committed_vnd),
        }
    return {
        "funds": funds,
        "plans_approved": {
            fund: (count.approved, count.expected) for fund, count in sorted(result.plans_approved.items())
        },
        "pipeline": dict(result.pipeline),
        "province_count": result.province_count,
        "indicators": [(i.code, i.target, i.actual) for i in result.indicators],
        "reporting": [(p.period, p.expected, p.submitted, p.approved, p.late) for p in result.reporting],
        "provinces": [
            (
                row.province.pk,
                int(row.plan_vnd["KCQG"]),
                int(row.plan_vnd["KCDP"]),
                int(row.actual_vnd["KCQG"]),
                int(row.actual_vnd["KCDP"]),
            )
            for row in result.provinces
        ],
        "regions": [
            (
                row.region.code,
                int(row.plan_vnd["KCQG"]),
                int(row.plan_vnd["KCDP"]),
                int(row.actual_vnd["KCQG"]),
                int(row.actual_vnd["KCDP"]),
                row.province_count,
            )
            for row in result.regions
        ],
        "trend": [(point.year, int(point.plan_vnd), int(point.actual_vnd)) for point in result.trend],
    }


def disagreements(hand: dict, portal: dict) -> list[str]:
    """The parts where the two computations differ (empty when every figure agrees)."""
    return [
        f"{key}: hand SQL {hand.get(key)!r} ≠ summary {portal.get(key)!r}"
        for key in portal
        if hand.get(key) != portal[key]
    ]
