"""Memory and time of the Excel export for 100,000 projects (reports/excel.py).

Runs on a throwaway SQLite file (never the portal's database): migrates it, creates the
projects with bulk_create (no history, no services: only the rows the export reads), then
runs the export as the view does (summary selector, project query, workbook written to a
temporary file) under tracemalloc, and prints and records the numbers:

    .venv/bin/python bench/export_memory.py [--rows 100000]

tracemalloc's peak is the Python memory the export allocated at its highest; the RSS growth
is the process's peak resident size (getrusage) after the export minus before it, so it also
counts the SQLite driver's and openpyxl's C buffers. Target: both under 100 MB.
"""

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
TARGET_MB = 100
SECTION = "## Excel export"


def setup(db_path: str, *, migrate: bool = True) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)


def fill(rows: int, year: int) -> None:
    """`rows` projects of `year` spread over the provinces, half of them with a disbursement."""
    from programmes.models import (
        ActivityCategory,
        Disbursement,
        DisbursementKind,
        FundingSource,
        Project,
        ProjectStatus,
        Province,
    )

    provinces = list(Province.objects.filter(valid_to__isnull=False).values_list("pk", flat=True))
    category = ActivityCategory.objects.order_by("order").first()
    funds = [FundingSource.KCQG, FundingSource.KCDP]
    batch = 5000
    for start in range(0, rows, batch):
        Project.objects.bulk_create(
            Project(
                code=f"BENCH-{index:06d}",
                title=f"Đề án hỗ trợ ứng dụng máy móc thiết bị tiên tiến số {index}",
                province_id=provinces[index % len(provinces)],
                year=year,
                funding_source=funds[index % 2],
                category=category,
                support_vnd=Decimal(500_000_000 + index),
                counterpart_vnd=Decimal(1_000_000_000),
                status=ProjectStatus.IN_PROGRESS,
            )
            for index in range(start, min(start + batch, rows))
        )
    ids = Project.objects.filter(year=year).values_list("pk", flat=True)
    Disbursement.objects.bulk_create(
        (
            Disbursement(
                project_id=pk,
                date=datetime.date(year, 4, 1),
                amount_vnd=Decimal(300_000_000),
                kind=DisbursementKind.PAYMENT,
            )
            for pk in ids[::2]
        ),
        batch_size=5000,
    )


def export(year: int) -> int:
    """The view's work without HTTP: summary, project rows, workbook to a temporary file."""
    from django.contrib.auth import get_user_model

    from programmes.selectors import ProvinceMap, summary
    from reports import excel

    user = get_user_model().objects.get(username="bench")
    provinces = ProvinceMap.load()
    result = summary(year=year, provinces=provinces)
    heading = excel.heading_lines(scope_name="Cả nước", result=result, period_label="", generated_by="bench")
    with tempfile.TemporaryFile(suffix=".xlsx") as output:
        count = excel.report_workbook(result, excel.project_rows(user, result, None), heading=heading, output=output)
        size = output.tell()
    print(f"workbook: {count:,} project rows, {size / 2**20:.1f} MB on disk", file=sys.stderr)
    return count


def record(lines: list[str]) -> None:
    """Replace the Excel export section of RESULTS.md (other sections are others')."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    section = "\n".join(lines) + "\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(section + "\n", text, count=1).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def measure(db_path: str, year: int) -> dict:
    """In a fresh process: the export once untraced (seconds, RSS growth), then under tracemalloc."""
    setup(db_path, migrate=False)
    import openpyxl  # noqa: F401  (imported before the baseline: its import is not the export's memory)

    from reports import excel  # noqa: F401

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    started = time.perf_counter()
    count = export(year)
    seconds = time.perf_counter() - started
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
    tracemalloc.start()
    started = time.perf_counter()
    export(year)
    traced_seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": count,
        "seconds": seconds,
        "traced_seconds": traced_seconds,
        "peak_mb": peak / 2**20,
        "rss_mb": rss_growth,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-record", action="store_true", help="print only, leave RESULTS.md alone")
    parser.add_argument("--measure", metavar="DB", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    year = 2016
    if args.measure:
        print("RESULT " + json.dumps(measure(args.measure, year)))
        return
    with tempfile.TemporaryDirectory() as directory:
        db_path = str(Path(directory) / "bench.sqlite3")
        setup(db_path)
        from django.contrib.auth.models import Group

        from tests import factories

        started = time.perf_counter()
        fill(args.rows, year)
        account = factories.user("bench")
        account.groups.add(Group.objects.get(name="viewer"))
        print(f"created {args.rows:,} projects in {time.perf_counter() - started:.1f} s")
        # A fresh process, so that the peak RSS of creating the rows does not hide the export's.
        child = subprocess.run(
            [sys.executable, __file__, "--measure", db_path], capture_output=True, text=True, check=True
        )
        print(child.stdout.rstrip())
        numbers = json.loads(child.stdout.rsplit("RESULT ", 1)[1])

    met = numbers["peak_mb"] < TARGET_MB and numbers["rss_mb"] < TARGET_MB
    table = [
        "| rows | seconds | seconds under tracemalloc | peak traced memory MB | RSS growth MB | target < 100 MB met |",
        "|---:|---:|---:|---:|---:|:--:|",
        f"| {numbers['rows']:,} | {numbers['seconds']:.1f} | {numbers['traced_seconds']:.1f} "
        f"| {numbers['peak_mb']:.1f} | {numbers['rss_mb']:.1f} | {'yes' if met else 'no'} |",
    ]
    print("\n".join(table))
    if not args.no_record:
        from django.utils import timezone

        record(
            [
                SECTION,
                "",
                "`bench/export_memory.py` (Django test settings on a throwaway SQLite file): the national",
                'workbook of one year with every project on the "Đề án" sheet, written in openpyxl\'s',
                "write-only mode from `.values_list(...).iterator(chunk_size=2000)` to a temporary file.",
                "Measured in a fresh process: once untraced (seconds; RSS growth = peak RSS after the",
                "export minus peak RSS before it, via getrusage), then once under tracemalloc (peak of",
                "the Python allocations during the export).",
                f"Measured {timezone.localdate():%d/%m/%Y}, Python {sys.version.split()[0]}, SQLite.",
                "",
                *table,
            ]
        )
        print(f"recorded in {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
