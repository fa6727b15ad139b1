"""Excel export of every project of a year range: the portal's workbook against two baselines.

Three ways to write the same projects (2012–2026: 100,000 rows at full scale) to an .xlsx
file, all from the same queryset (the projects a ministry official may read, with the đồng
disbursed up to 31/12 of the last year, ordered by year, province and code):

- portal: `reports.dashboard.excel.report_workbook`, as the "Tải Excel" view writes it (summary,
  province, project and indicator sheets; write-only mode; rows from
  `.values_list(*PROJECT_FIELDS).iterator(chunk_size=CHUNK_SIZE)` as `excel.project_rows`
  reads them, over the year range instead of one year);
- plain: the same `values_list` rows appended to one write-only openpyxl sheet, nothing else:
  the floor for an export of these rows;
- import-export: a django-import-export ModelResource over the same queryset (with
  `select_related` for the province and category names), written with its XLSX format, as
  its admin export action does.

Each measurement runs in a fresh process (`python -m bench.export_bench --child NAME`), so
that one export's memory does not hide another's. Untraced runs give the seconds and the RSS
growth (peak resident size after the export minus before it, via getrusage: it counts C
buffers too); a separate traced run of the portal's and django-import-export's exports gives
tracemalloc's peak (Python allocations at their highest during the export). Rounds rotate the
order of the three methods.

This replaces bench/export_memory.py (SQLite, one year, portal only).
"""

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Section, child_env, log, median, met, run_json, table

FIRST_YEAR, LAST_YEAR = 2012, 2026
METHODS = ("portal", "plain", "import-export")
# tracemalloc slows an export five to tenfold: the plain dump, whose RSS growth already shows
# the floor, is not traced.
TRACED = ("portal", "import-export")
MAX_RATIO_TO_PLAIN = 1.3
MAX_MEMORY_MB = 100
USERNAME = "bench-ministry"


def projects(user, first: int, last: int):
    """The projects of the year range that `user` may read, with their disbursed đồng."""
    import datetime

    from programmes import access
    from programmes.models import Project

    queryset = Project.objects.with_disbursed_vnd(datetime.date(last, 12, 31)).filter(year__range=(first, last))
    return access.visible(user, queryset).order_by("-year", "province__code", "province__valid_from", "code")


def export_portal(user, first: int, last: int, output) -> int:
    from programmes.selectors import ProvinceMap, summary
    from reports.dashboard import excel

    result = summary(year=last, provinces=ProvinceMap.load())
    heading = excel.heading_lines(
        scope_name="Cả nước", result=result, period_label=f"{first}–{last}", generated_by=USERNAME
    )
    rows = projects(user, first, last).values_list(*excel.PROJECT_FIELDS).iterator(chunk_size=excel.CHUNK_SIZE)
    return excel.report_workbook(result, rows, heading=heading, output=output)


def export_plain(user, first: int, last: int, output) -> int:
    from openpyxl import Workbook

    from reports.dashboard import excel

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("projects")
    sheet.append(list(excel.PROJECT_FIELDS))
    count = 0
    for row in projects(user, first, last).values_list(*excel.PROJECT_FIELDS).iterator(chunk_size=excel.CHUNK_SIZE):
        sheet.append(row)
        count += 1
    workbook.save(output)
    return count


def export_import_export(user, first: int, last: int, output) -> int:
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    from programmes.models import Project

    class ProjectResource(resources.ModelResource):
        province = fields.Field(attribute="province__name", column_name="province")
        category = fields.Field(attribute="category__name", column_name="category")
        disbursed_vnd = fields.Field(attribute="disbursed_vnd", column_name="disbursed_vnd")

        class Meta:
            model = Project
            fields = (
                "code",
                "title",
                "province",
                "funding_source",
                "category",
                "status",
                "support_vnd",
                "counterpart_vnd",
                "disbursed_vnd",
            )
            export_order = fields

    dataset = ProjectResource().export(queryset=projects(user, first, last).select_related("province", "category"))
    output.write(XLSX().export_data(dataset))
    return len(dataset)


EXPORTS = {"portal": export_portal, "plain": export_plain, "import-export": export_import_export}


def child(method: str, first: int, last: int, trace: bool) -> dict:
    """One export in this (fresh) process; the numbers as a dict."""
    from bench.common import setup_django

    setup_django()
    # Imported before the baseline: loading a library is not the export's memory.
    import openpyxl  # noqa: F401
    from django.contrib.auth import get_user_model
    from django.db import connection

    import reports.dashboard.excel  # noqa: F401

    if method == "import-export":
        import import_export.resources  # noqa: F401
        import tablib.formats._xlsx  # noqa: F401

    user = get_user_model().objects.get(username=USERNAME)
    connection.ensure_connection()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryFile(suffix=".xlsx") as output:
        rows = EXPORTS[method](user, first, last, output)
        output.flush()
        size = output.tell()
    seconds = time.perf_counter() - started
    result = {
        "rows": rows,
        "seconds": seconds,
        "size_mb": size / 2**20,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before,
    }
    if trace:
        result["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def measure(method: str, *, trace: bool, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.export_bench",
        "--child",
        method,
        "--first",
        str(first),
        "--last",
        str(last),
    ]
    return run_json(command + (["--trace"] if trace else []), env=child_env())


def run(*, rounds: int) -> Section:
    untraced: dict[str, list[dict]] = {method: [] for method in METHODS}
    for index in range(rounds):
        order = METHODS[index % 3 :] + METHODS[: index % 3]
        for method in order:
            result = measure(method, trace=False)
            untraced[method].append(result)
            log(
                f"export {method}: {result['rows']:,} rows in {result['seconds']:.1f} s, RSS +{result['rss_mb']:.0f} MB"
            )
    traced = {}
    for method in TRACED:
        traced[method] = measure(method, trace=True)
        log(f"export {method} under tracemalloc: peak {traced[method]['peak_mb']:.0f} MB")

    seconds = {method: median([r["seconds"] for r in untraced[method]]) for method in METHODS}
    rss = {method: max(r["rss_mb"] for r in untraced[method]) for method in METHODS}
    rows = untraced["portal"][0]["rows"]
    if any(r["rows"] != rows for results in untraced.values() for r in results):
        raise AssertionError("the three exports wrote different numbers of rows")
    ratio_plain = seconds["portal"] / seconds["plain"]
    ratio_ie = seconds["portal"] / seconds["import-export"]
    memory_ok = traced["portal"]["peak_mb"] < MAX_MEMORY_MB and rss["portal"] < MAX_MEMORY_MB
    lines = []
    for method in METHODS:
        lines.append(
            [
                method,
                f"{rows:,}",
                f"{seconds[method]:.1f}",
                f"{min(r['seconds'] for r in untraced[method]):.1f}–{max(r['seconds'] for r in untraced[method]):.1f}",
                f"{seconds[method] / seconds['plain']:.2f}",
                f"{traced[method]['peak_mb']:.1f}" if method in traced else "(not traced)",
                f"{rss[method]:.1f}",
                f"{untraced[method][0]['size_mb']:.1f}",
            ]
        )
    targets = [
        [
            f"portal ≤ {MAX_RATIO_TO_PLAIN}× plain openpyxl",
            f"{ratio_plain:.2f}×",
            met(ratio_plain <= MAX_RATIO_TO_PLAIN),
        ],
        ["portal faster than django-import-export", f"{ratio_ie:.2f}× its time", met(ratio_ie < 1)],
        [
            f"portal memory growth < {MAX_MEMORY_MB} MB",
            f"tracemalloc peak {traced['portal']['peak_mb']:.1f} MB, RSS +{rss['portal']:.1f} MB",
            met(memory_ok),
        ],
    ]
    missed = []
    if ratio_plain > MAX_RATIO_TO_PLAIN:
        missed.append(f"export: {ratio_plain:.2f}× the plain openpyxl dump")
    if ratio_ie >= 1:
        missed.append("export: not faster than django-import-export")
    if not memory_ok:
        missed.append("export: memory growth ≥ 100 MB")
    return Section(
        "Excel export",
        intro=[
            f"Every project of {FIRST_YEAR}–{LAST_YEAR} ({rows:,} rows) to .xlsx, three ways, from the same queryset:",
            "the portal's workbook (`reports.dashboard.excel.report_workbook`: four sheets, styles, totals, chart),",
            "a plain write-only openpyxl dump of the same `values_list` rows, and django-import-export's",
            f"ModelResource + XLSX format. Each run in a fresh process; {rounds} untraced round(s) in rotating order",
            "(median seconds, min–max, largest RSS growth), then one tracemalloc run each for the portal and",
            "django-import-export (peak of the Python allocations).",
        ],
        tables=[
            table(
                [
                    "method",
                    "rows",
                    "seconds (median)",
                    "min–max",
                    "× plain",
                    "tracemalloc peak MB",
                    "RSS growth MB",
                    "file MB",
                ],
                lines,
            ),
        ],
        targets=targets,
        missed=missed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", choices=METHODS, help="run one export in this process and print its numbers")
    parser.add_argument("--first", type=int, default=FIRST_YEAR)
    parser.add_argument("--last", type=int, default=LAST_YEAR)
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.first, args.last, args.trace)))
        return
    print(run(rounds=args.rounds).markdown())


if __name__ == "__main__":
    main()
