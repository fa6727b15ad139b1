"""Fault tests on loopback: PostgreSQL restarted under load, imports interrupted, backup restored.

1. `restart_under_load`: gunicorn (2 workers) serves readers (summary and project list) and
   writers (POST disbursements, POST projects with their lifecycle steps) from 8 threads while
   PostgreSQL is stopped (`pg_ctl stop -m fast`), left down, and started again. Passes when
   every failed request overlapped the down time (plus a short grace after the start), requests
   succeed again by themselves afterwards (no gunicorn restart: Django's persistent connections
   are health-checked, CONN_HEALTH_CHECKS=True in settings), and no half-written record exists:
   every disbursement written by the test has exactly one creation row in its history, every
   project its four lifecycle steps and its creation row, no history row lacks its record, and
   every write the client saw acknowledged (201) is there.
2. `import_interrupted`: the confirmed import of a workbook (a) raises half-way (a service
   fails with an unexpected error) and (b) is killed with SIGKILL half-way, in a child process,
   once it has written rows inside its transaction. Passes when every programmes table (the
   history tables included) has the same row count and checksum as before.
3. `backup_restore`: `pg_dump -Fc` of the database, `pg_restore` into a new database. Passes
   when every table has the same row count and checksum in both, and every summary figure
   (the summary endpoint's JSON for every year, the nation, each region and each province in
   force that year) is identical.
"""

import argparse
import datetime
import glob
import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, ROOT, Section, child_env, log, table

GRACE_SECONDS = 1.0  # after `pg_ctl start` returns: the first request of each worker reconnects
WRITE_AMOUNT = 1_000_000


def pass_fail(ok: bool) -> str:
    return "PASS" if ok else "**FAIL**"


# ---- PostgreSQL control -------------------------------------------------------------------


class PgControl:
    """Stops and starts the cluster behind DATABASE_URL with its own options (postmaster.opts)."""

    def __init__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            self.data = cursor.fetchone()[0]
        binaries = os.environ.get("PGBIN") or sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.bin = Path(binaries)
        # The options the cluster was started with (port, socket directory, fsync…): `pg_ctl
        # start` does not reuse them by itself, `restart` would but leaves no down time.
        words = shlex.split(Path(self.data, "postmaster.opts").read_text())[1:]
        at = words.index("-D") if "-D" in words else None
        options = words if at is None else words[:at] + words[at + 2 :]  # pg_ctl gives -D itself
        self.options = shlex.join(options)
        self.log = str(Path(self.data).parent / "restart.log")

    def _pg_ctl(self, *args: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", self.data, *args]
        if os.geteuid() == 0:  # the cluster belongs to the postgres user (scripts/with-postgres.sh)
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast", "-w")

    def start(self) -> None:
        self._pg_ctl("start", "-w", "-l", self.log, "-o", self.options)


# ---- 1. restart under load -------------------------------------------------------------------


@dataclass
class Call:
    kind: str
    started: float
    ended: float
    ok: bool
    status: str
    created: int | None = None


@dataclass
class LoadRecord:
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


def _request(base: str, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict | None]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw and method == "POST" else None)
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, None


def write_targets(count: int, write_date: datetime.date) -> list[tuple[int, int]]:
    """(project id, province id) of 2026 projects in progress that can take the test's payments."""
    from programmes.models import Project

    candidates = (
        Project.objects.filter(
            year=2026,
            status="in_progress",
            transitions__to_status="contracted",
            transitions__date__lte=write_date,
            support_vnd__gte=500_000_000,
        )
        .with_disbursed_vnd()
        .order_by("id")
    )
    chosen = []
    for project in candidates.iterator():
        if project.support_vnd - project.disbursed_vnd >= 300 * WRITE_AMOUNT:
            chosen.append((project.pk, project.province_id))
        if len(chosen) == count:
            break
    return chosen


INTEGRITY_SQL = {
    "test disbursements without exactly one creation row in their history": """
        SELECT count(*) FROM programmes_disbursement d WHERE d.document_number LIKE 'FAULT-%%'
        AND (SELECT count(*) FROM programmes_historicaldisbursement h
             WHERE h.id = d.id AND h.history_type = '+') <> 1
    """,
    "disbursement history rows without their disbursement": """
        SELECT count(*) FROM programmes_historicaldisbursement h WHERE h.document_number LIKE 'FAULT-%%'
        AND NOT EXISTS (SELECT 1 FROM programmes_disbursement d WHERE d.id = h.id)
    """,
    "test projects without their 4 lifecycle steps, their creation row or their status": """
        SELECT count(*) FROM programmes_project p WHERE p.code LIKE 'FAULT-%%'
        AND ((SELECT count(*) FROM programmes_projecttransition t WHERE t.project_id = p.id) <> 4
             OR (SELECT count(*) FROM programmes_historicalproject h
                 WHERE h.id = p.id AND h.history_type = '+') <> 1
             OR p.status <> 'in_progress')
    """,
    "project history rows without their project": """
        SELECT count(*) FROM programmes_historicalproject h WHERE h.code LIKE 'FAULT-%%'
        AND NOT EXISTS (SELECT 1 FROM programmes_project p WHERE p.id = h.id)
    """,
}


def restart_under_load(*, reader_token: str, writer_token: str, before: float, down: float, after: float) -> list:
    """Returns the table row for the report."""
    from django.db import connection
    from django.utils import timezone

    from bench.load_bench import Server
    from programmes.models import Disbursement, Project

    pg = PgControl()
    write_date = min(timezone.localdate(), datetime.date(2026, 12, 31))
    targets = write_targets(40, write_date)
    if len(targets) < 4:
        raise RuntimeError("not enough 2026 projects in progress to write to")
    province = targets[0][1]
    record = LoadRecord()
    stop = threading.Event()
    counter = iter(range(10**9))
    counter_lock = threading.Lock()

    def next_number() -> int:
        with counter_lock:
            return next(counter)

    def reader(base: str, index: int) -> None:
        paths = [f"/api/v1/reports/summary/?year=2026&province={province}", "/api/v1/projects/?year=2026&page_size=20"]
        while not stop.is_set():
            path = paths[index % 2]
            index += 1
            started = time.monotonic()
            try:
                status, _body = _request(base, reader_token, "GET", path)
                record.add(Call("read", started, time.monotonic(), 200 <= status < 300, str(status)))
            except OSError as error:
                record.add(Call("read", started, time.monotonic(), False, type(error).__name__))

    def writer(base: str, index: int) -> None:
        while not stop.is_set():
            number = next_number()
            started = time.monotonic()
            if number % 2:
                project, _province = targets[number % len(targets)]
                kind, path = "disbursement", f"/api/v1/projects/{project}/disbursements/"
                body = {
                    "date": write_date.isoformat(),
                    "amount_vnd": str(WRITE_AMOUNT),
                    "kind": "payment",
                    "document_number": f"FAULT-{number:06d}",
                }
            else:
                kind, path = "project", "/api/v1/projects/"
                body = {
                    "code": f"FAULT-P-{number:06d}",
                    "title": "Đề án thử khởi động lại cơ sở dữ liệu",
                    "province": targets[number % len(targets)][1],
                    "year": 2026,
                    "funding_source": "KCQG",
                    "category": "vocational_training",
                    "support_vnd": "100000000",
                    "status": "in_progress",
                    "status_date": write_date.isoformat(),
                }
            try:
                status, answer = _request(base, writer_token, "POST", path, body)
                created = answer.get("id") if answer and status == 201 else None
                record.add(Call(kind, started, time.monotonic(), status == 201, str(status), created))
            except OSError as error:
                record.add(Call(kind, started, time.monotonic(), False, type(error).__name__))

    with Server(reader_token) as server:
        connection.close()  # this process's own connection would die with the restart
        threads = [threading.Thread(target=reader, args=(server.base, i)) for i in range(4)]
        threads += [threading.Thread(target=writer, args=(server.base, i)) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(before)
        stop_issued = time.monotonic()
        pg.stop()
        stopped = time.monotonic()
        time.sleep(down)
        start_issued = time.monotonic()
        pg.start()
        started = time.monotonic()
        time.sleep(after)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        log(
            f"PostgreSQL stopped in {stopped - stop_issued:.1f} s, down {start_issued - stopped:.1f} s, "
            f"started in {started - start_issued:.1f} s"
        )

    calls = sorted(record.calls, key=lambda c: c.started)
    window_end = started + GRACE_SECONDS
    outside = [c for c in calls if not c.ok and (c.ended < stop_issued or c.started > window_end)]
    after_calls = [c for c in calls if c.started > started]
    first_ok = next((c for c in after_calls if c.ok), None)
    recovered = first_ok is not None and all(c.ok for c in after_calls if c.started > window_end)
    failed = [c for c in calls if not c.ok]
    failed_after_start = [c for c in failed if c.started > started]
    acknowledged_disbursements = [c.created for c in calls if c.kind == "disbursement" and c.created]
    acknowledged_projects = [c.created for c in calls if c.kind == "project" and c.created]
    with connection.cursor() as cursor:
        problems = {}
        for what, sql in INTEGRITY_SQL.items():
            cursor.execute(sql, [])  # with parameters, so that %% is read as %
            problems[what] = cursor.fetchone()[0]
    stored_disbursements = set(
        Disbursement.objects.filter(document_number__startswith="FAULT-").values_list("pk", flat=True)
    )
    stored_projects = set(Project.objects.filter(code__startswith="FAULT-").values_list("pk", flat=True))
    missing = len(set(acknowledged_disbursements) - stored_disbursements) + len(
        set(acknowledged_projects) - stored_projects
    )
    unacknowledged = len(stored_disbursements - set(acknowledged_disbursements)) + len(
        stored_projects - set(acknowledged_projects)
    )
    integrity_ok = not any(problems.values()) and missing == 0
    ok = not outside and recovered and integrity_ok
    statuses = sorted({c.status for c in failed})
    details = (
        f"{len(calls):,} requests ({len(calls) - len(failed):,} OK); "
        f"{len(failed)} failed ({', '.join(statuses) or 'none'}), "
        f"all within the down time: {'yes' if not outside else f'no, {len(outside)} outside'}; "
        f"first success {((first_ok.ended - started) * 1000) if first_ok else float('nan'):.0f} ms after the start, "
        f"failures among requests sent after the start: {len(failed_after_start)}; "
        f"none failed after it + {GRACE_SECONDS:.0f} s: {'yes' if recovered else 'no'}; "
        f"{len(stored_disbursements)} disbursements and {len(stored_projects)} projects written, "
        f"{missing} acknowledged but missing, {unacknowledged} committed without the answer reaching the client "
        f"(complete all the same); half-written records: {sum(problems.values())}"
    )
    if any(problems.values()):
        details += " — " + "; ".join(f"{k}: {v}" for k, v in problems.items() if v)
    log(f"restart under load: {pass_fail(ok)}: {details}")
    return [
        "PostgreSQL stopped and started under load",
        f"8 threads (4 readers, 4 writers) for {before + down + after:.0f} s; "
        f"`pg_ctl stop -m fast` after {before:.0f} s, down {down:.0f} s, `pg_ctl start`",
        details,
        pass_fail(ok),
        f"{len(failed)} errors, all while down: {'yes' if not outside else 'no'}; "
        f"recovered: {'yes' if recovered else 'no'}; "
        f"half-written: {sum(problems.values()) + missing}",
    ]


# ---- 2. interrupted imports ---------------------------------------------------------------------


def programme_fingerprints() -> dict:
    from django.db import connection

    from bench import dbcheck

    with connection.cursor() as cursor:
        tables = [name for name in dbcheck.public_tables(cursor) if name.startswith("programmes_")]
    return dbcheck.fingerprints(tables)


def import_raises(province, rows: int) -> list:
    """The confirmed import fails with an unexpected error half-way through its disbursements."""
    from bench import dbcheck
    from bench.import_bench import staff_user, workbook
    from programmes import importer, services

    user = staff_user(province)
    data, made, added = workbook(province, rows=rows, tag="RAISE")
    before = programme_fingerprints()
    original = services.disbursement_create
    calls = {"n": 0}
    half = added[importer.DISBURSEMENT_SHEET] // 2  # the pre-filled rows are unchanged: no service call

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == half:
            raise RuntimeError("simulated crash in the middle of the import")
        return original(**kwargs)

    services.disbursement_create = failing
    raised = False
    try:
        importer.import_file(data, user, commit=True, filename="import.xlsx")
    except RuntimeError:
        raised = True
    finally:
        services.disbursement_create = original
    changed = dbcheck.differences(before, programme_fingerprints())
    ok = raised and calls["n"] == half and not changed
    details = (
        f"{sum(made.values()):,}-row workbook; the error came at new disbursement {half:,} of "
        f"{added[importer.DISBURSEMENT_SHEET]:,} (after every project row): "
        f"{'raised through the import' if raised else 'NOT raised'}; "
        f"tables changed: {', '.join(changed) if changed else 'none'}"
    )
    log(f"import raising half-way: {pass_fail(ok)}: {details}")
    return [
        "Import raises half-way",
        "a service raises RuntimeError in the confirmed import",
        details,
        pass_fail(ok),
        f"tables changed: {len(changed)}",
    ]


def import_killed(province, rows: int) -> list:
    """The confirmed import is killed (SIGKILL) once it has written half of its disbursements."""
    from django.db import connection

    from bench import dbcheck
    from bench.import_bench import staff_user

    staff_user(province)  # the account exists before the fingerprints
    before = programme_fingerprints()
    command = [sys.executable, "-m", "bench.faults", "--import-child", str(province.pk), "--rows", str(rows)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=child_env(), cwd=ROOT)
    backend = total = progress = None
    for line in child.stdout:
        if line.startswith("BACKEND "):
            backend, total = (int(value) for value in line.split()[1:3])
        elif line.startswith("PROGRESS "):
            progress = int(line.split()[1])
            if progress >= total // 2:
                child.send_signal(signal.SIGKILL)
                break
        elif line.startswith("DONE"):
            break
    child.wait(timeout=60)
    if total is None:
        raise RuntimeError(f"the import process exited with {child.returncode} before the import started")
    # PostgreSQL rolls the transaction back when it sees the client's socket close.
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.2)
    changed = dbcheck.differences(before, programme_fingerprints())
    killed = child.returncode == -signal.SIGKILL
    ok = killed and progress is not None and 0 < progress < total and not changed
    details = (
        f"{rows:,}-row workbook, killed after {progress} of its {total} new disbursements had been written in its "
        "transaction; "
        f"tables changed: {', '.join(changed) if changed else 'none'}"
    )
    log(f"import killed half-way: {pass_fail(ok)}: {details}")
    return [
        "Import killed half-way",
        "SIGKILL to the process running the confirmed import",
        details,
        pass_fail(ok),
        f"killed after {progress} of {total} new disbursements; tables changed: {len(changed)}",
    ]


def import_child(province_id: int, rows: int) -> None:
    """The killed process: builds the workbook, reports its progress, runs the confirmed import."""
    from django.db import connection

    from bench.import_bench import staff_user, workbook
    from programmes import importer, services
    from programmes.models import Province

    province = Province.objects.get(pk=province_id)
    user = staff_user(province)
    data, _made, added = workbook(province, rows=rows, tag="KILL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        print(f"BACKEND {cursor.fetchone()[0]} {added[importer.DISBURSEMENT_SHEET]}", flush=True)
    original = services.disbursement_create
    count = {"n": 0}

    def reporting(**kwargs):
        result = original(**kwargs)
        count["n"] += 1
        print(f"PROGRESS {count['n']}", flush=True)
        return result

    services.disbursement_create = reporting
    importer.import_file(data, user, commit=True, filename="import.xlsx")
    print("DONE", flush=True)


# ---- 3. backup and restore ----------------------------------------------------------------------


def figures_digest(today: datetime.date) -> dict:
    """Every summary figure of every year and scope, as the summary endpoint gives them, hashed."""
    from programmes.selectors import ProvinceMap, Scope, summary
    from reports.dashboard.api import summary_payload

    provinces = ProvinceMap.load()
    digest = hashlib.sha256()
    count = 0
    for year in range(2012, 2027):
        scopes = [Scope()] + [Scope(region=region) for region in provinces.regions()]
        scopes += [Scope(province=p) for p in provinces.in_year(provinces.by_id, year)]
        for scope in scopes:
            result = summary(year=year, scope=scope, provinces=provinces, today=today)
            payload = summary_payload(
                result,
                region=scope.region.code if scope.region else None,
                province=scope.province.pk if scope.province else None,
            )
            digest.update(json.dumps(payload, sort_keys=True).encode())
            count += 1
    return {"summaries": count, "sha256": digest.hexdigest()}


def backup_restore() -> list:
    import psycopg
    from django.db import connection
    from django.utils import timezone

    from bench import dbcheck

    url = os.environ["DATABASE_URL"]
    restored_name = "khuyencong_restored"
    restored_url = url.rsplit("/", 1)[0] + "/" + restored_name
    binaries = Path(os.environ.get("PGBIN") or sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
    OUT.mkdir(parents=True, exist_ok=True)
    dump = OUT / "backup.dump"
    connection.close()
    started = time.perf_counter()
    subprocess.run([str(binaries / "pg_dump"), "-Fc", "--no-owner", "-f", str(dump), url], check=True)
    dumped = time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {restored_name}")
        admin.execute(f"CREATE DATABASE {restored_name}")
    started = time.perf_counter()
    subprocess.run(
        [str(binaries / "pg_restore"), "--no-owner", "--exit-on-error", "-j", "2", "-d", restored_url, str(dump)],
        check=True,
    )
    restored = time.perf_counter() - started
    with (
        psycopg.connect(url) as source,
        psycopg.connect(restored_url) as copy,
        source.cursor() as a,
        copy.cursor() as b,
    ):
        original_tables, copied_tables = dbcheck.fingerprints(cursor=a), dbcheck.fingerprints(cursor=b)
    differing = dbcheck.differences(original_tables, copied_tables)
    rows = sum(count for count, _checksum in original_tables.values())
    # Both databases' figures at once, in two processes (one per core).
    today = timezone.localdate().isoformat()
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.faults", "--figures", "--today", today],
            stdout=subprocess.PIPE,
            text=True,
            # Computed, not read from the figures' cache: its table is in the dump too.
            env=child_env(DATABASE_URL=target, FIGURES_CACHE="0"),
            cwd=ROOT,
        )
        for target in (url, restored_url)
    ]
    digests = []
    for child in children:
        out, _err = child.communicate(timeout=1800)
        if child.returncode:
            raise RuntimeError("the figures child failed")
        digests.append(json.loads(out.strip().splitlines()[-1].removeprefix("RESULT ")))
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {restored_name}")
    size = dump.stat().st_size / 2**20
    dump.unlink()
    ok = not differing and digests[0] == digests[1] and digests[0]["summaries"] > 0
    details = (
        f"{len(original_tables)} tables, {rows:,} rows, dump {size:.0f} MB: pg_dump {dumped:.1f} s, "
        f"pg_restore {restored:.1f} s; tables differing: {', '.join(differing) if differing else 'none'}; "
        f"{digests[0]['summaries']:,} summaries (every year 2012–2026 × nation, regions, provinces in force) "
        f"{'identical' if digests[0] == digests[1] else 'DIFFERENT'}"
    )
    log(f"backup and restore: {pass_fail(ok)}: {details}")
    return [
        "Backup restored into a new database",
        "`pg_dump -Fc`, `pg_restore -j 2` into a new database; row count and checksum per table; every summary",
        details,
        pass_fail(ok),
        f"tables differing: {len(differing)}; {digests[0]['summaries']:,} summaries "
        f"{'identical' if digests[0] == digests[1] else 'different'}",
    ]


# ---- the section --------------------------------------------------------------------------------


def run(*, reader_token: str, writer_token: str, quick: bool, import_province, import_rows: int) -> Section:
    timing = (3, 2, 4) if quick else (6, 5, 10)
    rows = []
    for name, test in (
        (
            "restart",
            lambda: restart_under_load(
                reader_token=reader_token, writer_token=writer_token, before=timing[0], down=timing[1], after=timing[2]
            ),
        ),
        ("import raises", lambda: import_raises(import_province, import_rows)),
        ("import killed", lambda: import_killed(import_province, import_rows)),
        ("backup", backup_restore),
    ):
        try:
            rows.append(test())
        except Exception as error:  # a fault test that crashes is a failed test, and the others still run
            log(f"fault test {name} crashed: {error!r}")
            rows.append([name, "", f"crashed: {error!r}", pass_fail(False), "crashed"])
    failed = [row[0] for row in rows if row[3] != "PASS"]
    return Section(
        "Fault tests",
        intro=[
            "Bounded, on loopback, against the same database after the measurements above. See `bench/faults.py`",
            "for what each test checks.",
        ],
        tables=[table(["test", "fault", "what was observed", "result"], [row[:4] for row in rows], "lllc")],
        targets=[[f"fault: {row[0]}", row[4], row[3]] for row in rows],
        missed=[f"fault test failed: {name}" for name in failed],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--import-child", type=int, metavar="PROVINCE_ID")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--figures", action="store_true")
    parser.add_argument("--today")
    args = parser.parse_args()
    from bench.common import setup_django

    setup_django()
    if args.import_child:
        import_child(args.import_child, args.rows)
    elif args.figures:
        from django.utils import timezone

        today = datetime.date.fromisoformat(args.today) if args.today else timezone.localdate()
        print("RESULT " + json.dumps(figures_digest(today)))


if __name__ == "__main__":
    main()
