"""Excel import of a 5,000-row workbook in the portal's template format: dry run and import.

The workbook is the one a province downloads (`importer.build_template` for a post-2025
province and 2026, pre-filled with its current records), with new rows added below them up to
`rows` data rows in all: three in ten new projects (in progress since 01/07/2026, after the
approved first-half report), half disbursements of those projects, one in five outputs. Each
round uses another province, so that every workbook has the same make-up; within a round the
dry run comes first and the confirmed import second, as a user does them. Both go through
`importer.import_file` (checks of the file, reading, every service rule, one transaction), as
the upload page calls it, for the province's own staff account.
"""

import datetime
import io
import time

from bench.common import Section, log, median, table

IMPORT_ROWS = 5000
YEAR = 2026
STATUS_DATE = datetime.date(2026, 7, 1)  # after the approved first-half report (which locks 01/01–30/06)


def staff_user(province):
    """The province's own staff account (created once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from programmes.models import UserProfile

    user, created = get_user_model().objects.get_or_create(username=f"bench-staff-{province.code}")
    if created:
        user.groups.add(Group.objects.get(name="province_staff"))
        UserProfile.objects.create(user=user, province=province)
    return user


def import_provinces(count: int) -> list:
    """`count` post-2025 provinces, the same ones for the same data."""
    from programmes.models import Province

    return list(Province.objects.filter(valid_to__isnull=True).order_by("code")[:count])


def workbook(province, *, rows: int, tag: str) -> tuple[bytes, dict[str, int], dict[str, int]]:
    """The province's 2026 template plus new rows up to `rows` data rows:
    (bytes, rows per sheet, new rows per sheet)."""
    from openpyxl import load_workbook

    from programmes import importer

    template = load_workbook(io.BytesIO(importer.build_template(province, YEAR)))
    existing = sum(template[name].max_row - 1 for name in importer.DATA_SHEETS)
    new = rows - existing
    if new < 10:
        raise ValueError(f"{province} already has {existing} rows in {YEAR}; pick a smaller province")
    projects, outputs = new * 3 // 10, new // 5
    payments = new - projects - outputs
    codes = [f"BENCH-{tag}-{n:04d}" for n in range(1, projects + 1)]
    for n, code in enumerate(codes):
        fund = "KCQG" if n % 2 else "KCDP"
        template[importer.PROJECT_SHEET].append(
            [
                code,
                f"Đào tạo nghề dệt thổ cẩm cho lao động nông thôn, lớp {n + 1}",
                fund,
                "vocational_training",
                "single_site" if fund == "KCQG" else "local",
                "in_progress",
                STATUS_DATE,
                500_000_000,
                100_000_000,
                f"Trung tâm Khuyến công {province.name}",
                "Hợp tác xã Tân Tiến",
            ]
        )
    for n in range(payments):
        template[importer.DISBURSEMENT_SHEET].append(
            [
                codes[n % projects],
                STATUS_DATE + datetime.timedelta(days=1 + n % 27),
                "advance" if n < projects else "payment",
                50_000_000,
                f"BENCH-{tag}-PC{n:05d}",
            ]
        )
    for n in range(outputs):
        template[importer.OUTPUT_SHEET].append(
            [codes[n % projects], "trained_workers", STATUS_DATE + datetime.timedelta(days=14 + n % 10), 10]
        )
    buffer = io.BytesIO()
    template.save(buffer)
    made = {name: template[name].max_row - 1 for name in importer.DATA_SHEETS}
    added = {importer.PROJECT_SHEET: projects, importer.DISBURSEMENT_SHEET: payments, importer.OUTPUT_SHEET: outputs}
    return buffer.getvalue(), made, added


def run(*, rounds: int, rows: int = IMPORT_ROWS) -> Section:
    from programmes import importer
    from programmes.models import Disbursement, Project, ProjectOutput

    times: dict[str, list[float]] = {"dry run": [], "import": [], "reading the file": []}
    made = {}
    for index, province in enumerate(import_provinces(rounds)):
        user = staff_user(province)
        data, made, _added = workbook(province, rows=rows, tag=f"I{index}")
        started = time.perf_counter()
        importer.read_workbook(data, "import.xlsx")
        times["reading the file"].append(time.perf_counter() - started)
        before = (Project.objects.count(), Disbursement.objects.count(), ProjectOutput.objects.count())
        for commit in (False, True):
            started = time.perf_counter()
            report = importer.import_file(data, user, commit=commit, filename="import.xlsx")
            seconds = time.perf_counter() - started
            if not report.ok:
                raise AssertionError(f"the bench workbook was refused: {report.as_text()[:2000]}")
            times["import" if commit else "dry run"].append(seconds)
            log(f"import of {sum(made.values()):,} rows for {province.name}, commit={commit}: {seconds:.1f} s")
        after = (Project.objects.count(), Disbursement.objects.count(), ProjectOutput.objects.count())
        counts = report.counts()
        if counts["created"] != sum(a - b for a, b in zip(after, before, strict=True)):
            raise AssertionError(f"the import reported {counts} but the tables grew by {after} - {before}")
    total = sum(made.values())
    lines = [
        [
            step,
            f"{total:,}",
            f"{median(values):.1f}",
            f"{min(values):.1f}–{max(values):.1f}",
            f"{total / median(values):,.0f}",
        ]
        for step, values in times.items()
    ]
    return Section(
        "Excel import",
        intro=[
            f"A {total:,}-row workbook in the portal's template format "
            f"({', '.join(f'{k}: {v:,}' for k, v in made.items())};",
            "the province's current records pre-filled by `build_template`, new projects, disbursements and",
            "outputs below them), imported by the province's staff account through `importer.import_file`.",
            f"{rounds} round(s), each for another post-2025 province of {YEAR}: dry run, then the confirmed import of",
            "the same file. Reading the file (checks + openpyxl read-only) is also timed on its own; it is",
            "part of both other lines.",
        ],
        tables=[table(["step", "rows", "seconds (median)", "min–max", "rows/s"], lines)],
        targets=[
            [
                f"import of a {total:,}-row workbook (timed, no target)",
                f"dry run {median(times['dry run']):.1f} s, import {median(times['import']):.1f} s",
                "–",
            ]
        ],
    )
