"""A worker killed in the middle of an import (SIGKILL: no handler runs) leaves nothing
half-written, and its job is marked failed by the next sweep, with the checked file put back to
be confirmed again (issue 20, item 4).

Real processes on a real database: a SQLite file migrated for this module (the test database of
the other tests lives in memory, in this process only), the portal's own settings with the
database back-end of django.tasks, `manage.py jobs_worker` as `make run` and the systemd unit
start it. About a minute: the migration and two imports of a 600-row workbook.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 600

SETUP = """
import json, os, secrets
from bench.import_bench import staff_user, import_provinces, workbook
from programmes import import_views
province = import_provinces(1)[0]
user = staff_user(province)
data, made, added = workbook(province, rows={rows}, tag="K")
token = secrets.token_hex(16)
import_views._stored_path(token).write_bytes(data)
print(json.dumps({{"token": token, "user": user.pk, "added": added}}))
"""

CONFIRM = """
import json
from django.contrib.auth import get_user_model
from programmes import import_views
user = get_user_model().objects.get(pk={user})
claimed = import_views.claim("{token}")
job = import_views.queue_import(user, "{token}", "bench.xlsx") if claimed == import_views.CLAIMED else None
print(json.dumps({{"claimed": claimed, "job": job.pk if job else None}}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("killed-worker")
    (folder / "tmp").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "khuyencong.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "JOBS_DIR": str(folder / "jobs"),
        "TMPDIR": str(folder / "tmp"),  # the import's upload folder is under it
        "JOBS_STALE_SECONDS": "2",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    return folder, env


def shell(env, code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def query(folder: Path, sql: str, *args):
    with sqlite3.connect(folder / "db.sqlite3") as db:
        return db.execute(sql, args).fetchall()


def test_a_killed_worker_leaves_nothing_half_written_and_its_job_failed(site):
    folder, env = site
    made = shell(env, SETUP.format(rows=ROWS))
    token, new_payments = made["token"], made["added"]["Giải ngân"]
    before = query(folder, "select count(*) from programmes_disbursement")[0][0]
    upload_dir = folder / "tmp" / "khuyencong-import"

    queued = shell(env, CONFIRM.format(user=made["user"], token=token))
    assert queued["claimed"] == "claimed"
    job = queued["job"]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        progress = folder / "jobs" / f"{job}.progress"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if progress.exists() and (json.loads(progress.read_text() or "{}").get("rows_done") or 0) >= 100:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the worker reported no progress")
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)

    # Killed mid-way: the import's transaction never committed; the job still says running.
    assert query(folder, "select count(*) from programmes_disbursement")[0][0] == before
    assert query(folder, "select status from jobs_job where id = ?", job) == [("running",)]
    assert (upload_dir / f"{token}.importing").exists()

    time.sleep(2.5)  # JOBS_STALE_SECONDS=2: the heartbeat is now stale
    subprocess.run([sys.executable, "manage.py", "sweep_jobs"], cwd=ROOT, env=env, check=True, capture_output=True)
    status, error = query(folder, "select status, error from jobs_job where id = ?", job)[0]
    assert status == "failed"
    assert error.startswith("Trình chạy nền đã dừng"), error  # Vietnamese, the owner's language
    assert (upload_dir / f"{token}.xlsx").exists()  # put back: it may be confirmed again
    assert not (upload_dir / f"{token}.importing").exists()

    # Confirmed again, by a worker left alone: imported once, completely.
    again = shell(env, CONFIRM.format(user=made["user"], token=token))
    assert again["claimed"] == "claimed"
    subprocess.run(
        [sys.executable, "manage.py", "jobs_worker", "--once"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    assert query(folder, "select status from jobs_job where id = ?", again["job"]) == [("done",)]
    assert query(folder, "select count(*) from programmes_disbursement")[0][0] == before + new_payments
    # And a third confirmation is refused: imported.
    assert shell(env, CONFIRM.format(user=made["user"], token=token))["claimed"] == "imported"
