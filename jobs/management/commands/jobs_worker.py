"""The portal's task worker: django-tasks-db's database worker, which also sweeps the jobs
(jobs.services.sweep) when it starts and every JOBS_SWEEP_SECONDS: a job whose worker was
killed is marked failed once its heartbeat is stale, and kept files are deleted on time.

`make run` starts it beside the development server; deploy/khuyencong-worker.service in
production. Ctrl-C (SIGINT) or SIGTERM lets the running task finish, then stops; a second one
stops at once (the task's transaction is rolled back and the job marked failed).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from jobs import services

DEFAULT_SWEEP_SECONDS = 60


class Command(BaseCommand):
    help = "Run the background jobs (imports, large exports) and sweep stale and expired ones."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks for new tasks.")
        parser.add_argument("--once", action="store_true", help="Sweep, run the waiting tasks, then stop.")

    def handle(self, *args, interval: float, once: bool, **options):
        every = getattr(settings, "JOBS_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS)
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=True,  # run() returns when no task waits: the loop below sweeps in between
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write("Background worker started.")
        try:
            self._loop(worker, every, interval, once)
        finally:
            worker.reset_signals()

    def _loop(self, worker, every: float, interval: float, once: bool) -> None:
        last_sweep = None  # the first sweep at once: the jobs a killed worker left
        while worker.running:
            if last_sweep is None or time.monotonic() - last_sweep >= every:
                result = services.sweep()
                if result.given_up or result.files_deleted or result.jobs_deleted:
                    self.stdout.write(
                        f"Sweep: {result.given_up} stale job(s) failed, {result.files_deleted} file(s) deleted."
                    )
                last_sweep = time.monotonic()
            worker.run()
            if once:
                break
            if worker.running:
                time.sleep(interval)
