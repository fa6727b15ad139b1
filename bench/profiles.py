"""Profiles that explain a missed target, taken during the run that missed it.

- `summary_request`: where the time of one summary endpoint request goes: pyinstrument over a
  few requests through the test client, each SQL query's median time, and EXPLAIN ANALYZE of
  the slowest one; with the load numbers, Little's law shows what the p95 target asks for.
- `dashboard_queries`: the queries of a dashboard page, each with what it is for.
- `export_profile`: cProfile's top functions of the portal's export of one year.
"""

import cProfile
import pstats
import re
import statistics
import tempfile
import time

from bench.common import ROOT, Section, median

SUMMARY_PATH = "/api/v1/reports/summary/?year={year}"


def _client(user):
    from django.test import Client

    from accounts.models import ApiToken

    _instance, token = ApiToken.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def _label(sql: str) -> str:
    """A short name for a query: its main table and what it groups by."""
    table = re.search(r'FROM "(\w+)"', sql)
    name = table.group(1).removeprefix("programmes_") if table else sql[:30]
    if "GROUP BY" in sql:
        name += " (grouped sums)"
    return name


class QueryTimer:
    """Execute wrapper: each query's SQL (with its parameters) and its milliseconds."""

    def __init__(self):
        self.queries: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        # Composed before running it: mogrify on the running cursor would drop its result.
        text = context["connection"].ops.compose_sql(sql, params) if params and not many else sql
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((text, (time.perf_counter() - started) * 1000))


def query_breakdown(call, runs: int = 5) -> tuple[list[tuple[str, float, str]], float]:
    """[(label, median ms, sql)] of the queries `call` runs, and the median ms of the whole call."""
    from django.db import connection

    call()
    per_query: list[list[float]] = []
    sqls: list[str] = []
    totals = []
    for _ in range(runs):
        timer = QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            call()
        totals.append((time.perf_counter() - started) * 1000)
        if not sqls:
            sqls = [sql for sql, _ms in timer.queries]
            per_query = [[] for _ in sqls]
        for index, (_sql, elapsed) in enumerate(timer.queries[: len(sqls)]):
            per_query[index].append(elapsed)
    return [(_label(sql), statistics.median(t), sql) for sql, t in zip(sqls, per_query, strict=True)], median(totals)


def explain(sql: str, *, random_page_cost: str | None = None) -> list[str]:
    """EXPLAIN ANALYZE of `sql` (run twice: the second, warm run is shown), with the planner's
    random_page_cost set for the session when given."""
    from django.db import connection

    with connection.cursor() as cursor:
        if random_page_cost:
            cursor.execute(f"SET random_page_cost = {float(random_page_cost)}")
        try:
            for _ in range(2):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
        finally:
            cursor.execute("RESET random_page_cost")
    return plan


def summary_request(user, *, year: int, load: dict | None) -> Section:
    """Why the summary endpoint's p95 under load is what it is."""
    from pyinstrument import Profiler

    client = _client(user)
    path = SUMMARY_PATH.format(year=year)

    def call():
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    breakdown, total_ms = query_breakdown(call)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(5):
        call()
    profiler.stop()
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    # Without pyinstrument's banner: from the first line of the call tree on.
    tree = text.splitlines()
    first = next((i for i, line in enumerate(tree) if line.startswith("Profile at")), 0) + 1
    lines = [line for line in tree[first:] if line.strip()][:45]
    slowest = max(breakdown, key=lambda item: item[1])
    sql_ms = sum(ms for _label_, ms, _sql in breakdown)
    intro = [
        f"One request of `{path}` in-process (test client, token): median {total_ms:.0f} ms, of which",
        f"{sql_ms:.0f} ms in its {len(breakdown)} SQL queries:",
    ]
    rows = [f"| {index} | {label} | {ms:.2f} |" for index, (label, ms, _sql) in enumerate(breakdown, start=1)]
    notes = []
    if load:
        rate, connections = load["rate"], load["connections"]
        notes += [
            f"Under load the server answered {rate:.1f} requests/s with {load['workers']} sync workers, so each",
            f"worker spent about {1000 * load['workers'] / rate:.0f} ms per request (the in-process figure above plus",
            "waiting for a core: gunicorn's workers, PostgreSQL's backends and wrk share 2 cores). With",
            f"{connections} connections always busy, Little's law gives a mean latency of {connections} / {rate:.1f} = "
            f"{1000 * connections / rate:.0f} ms;",
            f"a p95 under 200 ms at that concurrency needs about {connections / 0.2:.0f} requests/s, i.e. under",
            f"{1000 * load['workers'] / (connections / 0.2):.0f} ms of work per request on each worker.",
            "",
        ]
    return Section(
        "Profile: the summary endpoint",
        intro=intro,
        tables=[["| # | query | median ms |", "|--:|:--|--:|", *rows]],
        notes=[
            *notes,
            f"EXPLAIN (ANALYZE, BUFFERS) of the slowest query ({slowest[0]}, {slowest[1]:.0f} ms), with the",
            "server's default `random_page_cost = 4`:",
            "",
            "```",
            *explain(slowest[2]),
            "```",
            "",
            "The same query with `SET random_page_cost = 1.1` (random reads cheap: data in memory or on SSD):",
            "",
            "```",
            *explain(slowest[2], random_page_cost="1.1"),
            "```",
            "",
            "pyinstrument, 5 requests:",
            "",
            "```",
            *lines,
            "```",
        ],
    )


def _set_random_page_cost(value: str | None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET random_page_cost = {float(value)}" if value else "RESET random_page_cost")


def selector_vs_hand(place, year: int, *, trend_years: int = 0) -> Section:
    """The selector's queries and Python time against the hand SQL, for one scope (with the
    dashboard's trend when `trend_years`), with the server's planner costs and with random
    reads made cheap; EXPLAIN of the query whose time changes most between the two."""
    from django.utils import timezone

    from bench.figures import hand_figures
    from programmes.selectors import summary

    today = timezone.localdate()
    scope = place.scope

    def selector_call():
        return summary(year=year, scope=scope, today=today, trend_years=trend_years)

    def hand_call():
        return hand_figures(
            year=year,
            region_id=scope.region.pk if scope.region else None,
            province_id=scope.province.pk if scope.province else None,
            trend_years=trend_years,
            today=today,
        )

    measured = {}
    for cost in (None, "1.1"):
        _set_random_page_cost(cost)
        try:
            measured[cost] = (query_breakdown(selector_call), query_breakdown(hand_call))
        finally:
            _set_random_page_cost(None)
    ((selector, selector_ms), (hand, hand_ms)) = measured[None]
    ((selector_fast, selector_fast_ms), (hand_fast, hand_fast_ms)) = measured["1.1"]

    def sql_ms(breakdown) -> float:
        return sum(ms for _label_, ms, _sql in breakdown)

    rows = [
        f"| selector {index} | {label} | {ms:.1f} | {fast[1]:.1f} |"
        for index, ((label, ms, _sql), fast) in enumerate(zip(selector, selector_fast, strict=False), start=1)
    ]
    rows += [
        f"| selector | Python: ORM, model instances, roll-ups | {selector_ms - sql_ms(selector):.1f} | "
        f"{selector_fast_ms - sql_ms(selector_fast):.1f} |",
        f"| **selector** | **total** | **{selector_ms:.1f}** | **{selector_fast_ms:.1f}** |",
        f"| hand SQL | the one statement | {sql_ms(hand):.1f} | {sql_ms(hand_fast):.1f} |",
        f"| **hand SQL** | **total** | **{hand_ms:.1f}** | **{hand_fast_ms:.1f}** |",
        f"| | ratio | {selector_ms / hand_ms:.2f} | {selector_fast_ms / hand_fast_ms:.2f} |",
    ]
    # The selector's query that gains most from cheap random reads: its two plans.
    gains = [(ms - fast[1], label, sql) for (label, ms, sql), fast in zip(selector, selector_fast, strict=False)]
    _gain, label, sql = max(gains)
    return Section(
        f"Profile: the summary selector against the hand SQL ({place.label}, {year}"
        + (f", {trend_years}-year trend as on the dashboard)" if trend_years else ")"),
        intro=[
            "Median ms of 5 calls each, with the server's `random_page_cost = 4` and with `SET",
            "random_page_cost = 1.1` (random reads cheap: the data is in memory, as on an SSD server):",
        ],
        tables=[["| part | query | default | 1.1 |", "|:--|:--|--:|--:|", *rows]],
        notes=[
            "The selector runs the same grouped sums as the hand SQL, in eight statements instead of one,",
            "plus a fixed Python part (ORM compilation, model instances for the provinces and the reports,",
            "the roll-ups). With the server's default cost model the big sums read whole tables",
            "(hash joins, parallel workers) in both; for a region or a province the hand statement's",
            "territory filter, a semi-join, can get index lookups that the selector's `IN (…)` filter",
            "does not, which is why the region's ratio is the highest. With cheap random reads both get",
            "faster, the hand statement more, so the ratio rises: the selector's fixed part weighs more",
            f"in a smaller total. The selector's query that gains most ({label}), with the server's",
            "settings:",
            "",
            "```",
            *explain(sql),
            "```",
            "",
            "and with `random_page_cost = 1.1`:",
            "",
            "```",
            *explain(sql, random_page_cost="1.1"),
            "```",
            "",
            "No app change was made for this. The indexes the sums need exist (`project_year_province`,",
            "the foreign-key indexes); the cost setting belongs to the server (`ALTER DATABASE … SET",
            "random_page_cost = 1.1`, recommended for production: every figure gets faster). Cutting",
            "the fixed part means fewer statements (query counts that `tests/programmes/test_selectors.py`",
            "pins at 8) or fewer model instances (`_reporting` builds one per report to apply",
            "`report_lateness`, shared with the other report views): not small changes, left for a",
            "decision. The ratio also moves with the load other users put on this shared machine (the",
            "one statement waits for a core once, the selector's eight queries each wait again).",
        ],
    )


def dashboard_queries(user, url: str) -> Section:
    from django.test import Client

    client = Client()
    client.force_login(user)
    breakdown, _total = query_breakdown(lambda: client.get(url))
    rows = [f"| {index} | {label} | {ms:.2f} |" for index, (label, ms, _sql) in enumerate(breakdown, start=1)]
    return Section(
        "Profile: the queries of a dashboard page",
        intro=[f"`{url}` for a signed-in ministry official ({len(rows)} queries, median ms of 5 requests):"],
        tables=[["| # | query | ms |", "|--:|:--|--:|", *rows]],
    )


def _own_times(call) -> tuple[dict[str, tuple[int, float]], float]:
    """{function: (calls, own seconds)} of `call` under cProfile, and the total seconds."""
    profile = cProfile.Profile()
    profile.enable()
    call()
    profile.disable()
    stats = pstats.Stats(profile).stats
    table_ = {}
    for (filename, line, name), (_primitive, calls, own, _cumulative, _callers) in stats.items():
        short = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        table_[f"{short}:{line}({name})"] = (calls, own)
    return table_, sum(own for _calls, own in table_.values())


def export_profile(user, first: int, last: int) -> Section:
    """Where the portal's export spends more than the plain dump of the same rows (cProfile)."""
    from bench.export_bench import export_plain, export_portal

    profiles = {}
    for name, export in (("portal", export_portal), ("plain", export_plain)):
        with tempfile.TemporaryFile(suffix=".xlsx") as output:
            profiles[name] = _own_times(lambda export=export, output=output: export(user, first, last, output))
    (portal, portal_total), (plain, plain_total) = profiles["portal"], profiles["plain"]
    extra = sorted(
        (
            (own - plain.get(name, (0, 0.0))[1], name, calls, plain.get(name, (0, 0.0))[0])
            for name, (calls, own) in portal.items()
        ),
        reverse=True,
    )[:12]
    rows = [
        f"| `{name}` | {calls:,} | {plain_calls:,} | {delta * 1000:.0f} |" for delta, name, calls, plain_calls in extra
    ]
    return Section(
        f"Profile: the portal's export against the plain dump ({first}–{last}, cProfile)",
        intro=[
            f"Own time under cProfile: portal {portal_total:.1f} s, plain {plain_total:.1f} s "
            f"(× {portal_total / plain_total:.2f}). The functions where the portal spends the most more:",
        ],
        tables=[["| function | calls (portal) | calls (plain) | extra ms |", "|:--|--:|--:|--:|", *rows]],
    )
