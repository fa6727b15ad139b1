"""A large Excel import in the background (issue 20, item 4), as a province officer does it:
the check ("Kiểm tra tệp") and the confirmation ("Xác nhận nhập") each return at once with the
job's page, whose progress bar moves as the worker goes through the rows (the page reloads
itself, without script); the officer leaves for the home page, comes back through "Việc của
tôi" in the menu, and finds the import done, with its records in the database.

The worker is django-tasks-db's, run in a thread of this process against the live server's
database (the database back-end of django.tasks, as in production; tests/settings.py runs
tasks at once instead). It needs a database that two connections use at once, as the web
server and the worker do in production: PostgreSQL,

    scripts/with-postgres.sh .venv/bin/pytest -m e2e tests/e2e/test_background_import.py

SQLite's in-memory test database, shared between the threads of one process, locks whole
tables for the length of the import's transaction ("database table is locked"): the journey is
skipped there (the background path itself is tested on SQLite in tests/jobs/, and with real
processes on a SQLite file in tests/jobs/test_killed_worker.py).
"""

import threading

import pytest
from django.conf import settings as django_settings
from django.tasks import task_backends
from playwright.sync_api import expect

from bench.import_bench import workbook
from programmes.models import Disbursement, Project, ProjectOutput
from tests import factories
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
        reason="needs PostgreSQL (scripts/with-postgres.sh): SQLite's shared in-memory test database locks tables",
    ),
]

ROWS = 400
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def _reset_task_backends():
    from asgiref.local import Local

    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def worker(settings):
    """The database back-end, and its worker polling in a thread until the test ends."""
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_IN_BACKGROUND = True
    _reset_task_backends()
    stop = threading.Event()

    def run():
        each = Worker(
            queue_names=["*"],
            interval=0.2,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="e2e-worker",
            excluded_queue_names=[],
        )
        while not stop.is_set():
            each.run()
            stop.wait(0.2)
        connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join(timeout=120)
    _reset_task_backends()


def test_a_large_import_runs_in_the_background_and_waits_under_my_jobs(page, url, shot, worker, tmp_path):
    province = factories.province("79", new_era=True)
    factories.member("province_staff", province, username="nhanvien.hcm", first_name="Lan", last_name="Nguyễn")
    data, made, added = workbook(province, rows=ROWS, tag="E2E")
    path = tmp_path / "ke-hoach-2026.xlsx"
    path.write_bytes(data)
    before = (Project.objects.count(), Disbursement.objects.count(), ProjectOutput.objects.count())

    log_in(page, url, "nhanvien.hcm")
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Nhập từ Excel").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Kiểm tra tệp").click()

    # The check: the job's page at once, then its report with the confirmation.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kiểm tra trước khi nhập", timeout=120_000)
    expect(page.locator(".lead")).to_contain_text(f"{sum(added.values())} dòng thêm mới")
    shot("checked")

    page.get_by_role("button", name="Xác nhận nhập").click()
    # The import: its progress bar, rows done of the total and the step, while it runs.
    bar = page.locator(".job-progress progress[value]")
    expect(bar).to_be_visible(timeout=60_000)
    expect(page.locator(".job-progress-text")).to_contain_text(f"/{sum(made.values())} dòng")
    expect(page.locator(".job-progress-text")).to_contain_text("Đang ghi số liệu")
    done = int(bar.get_attribute("value"))
    assert 0 < done < sum(made.values())
    shot("importing")
    page.set_viewport_size(PHONE)
    shot("importing-phone")
    page.set_viewport_size(LAPTOP)

    # The officer leaves, and comes back through the menu.
    page.get_by_role("link", name="Cổng thông tin khuyến công").click()
    expect(page).to_have_url(url("/"))
    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Việc của tôi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc của tôi")
    rows = page.locator(".job-table tbody tr")
    expect(rows).to_have_count(2)
    # The list reloads itself until the import is done.
    expect(rows.first.locator(".status")).to_have_text("Đã xong", timeout=180_000)
    expect(rows.nth(1)).to_contain_text("Nhập từ Excel: kiểm tra")
    shot("my-jobs")
    page.set_viewport_size(PHONE)
    shot("my-jobs-phone")
    page.set_viewport_size(LAPTOP)

    rows.first.get_by_role("link", name="Xem kết quả").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đã nhập")
    expect(page.locator(".messages")).to_contain_text(f"thêm mới {sum(added.values())} bản ghi")
    shot("imported")
    page.set_viewport_size(PHONE)
    shot("imported-phone")

    after = (Project.objects.count(), Disbursement.objects.count(), ProjectOutput.objects.count())
    assert [b - a for a, b in zip(before, after, strict=True)] == [
        added["Đề án"],
        added["Giải ngân"],
        added["Kết quả"],
    ]
