"""Writes of jobs: create one, start it, report its progress, finish it, give up stale ones,
delete expired files. Every status change is a conditional update (`status=running` in its
WHERE), so a task finishing and the sweep giving the job up never both win: the import's own
`finish` runs inside its transaction, and if the sweep got there first the import rolls back.
"""

import contextlib
import datetime
import logging
import os
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import files
from .models import Job, JobKind, JobStatus

logger = logging.getLogger(__name__)

# The result file is kept this long after the job ends, then deleted (sweep_jobs, the worker).
DEFAULT_FILE_HOURS = 24
# A running job that has not reported progress for this long is taken for dead (its worker was
# killed or the machine stopped) and marked failed. An import reports after every row.
DEFAULT_STALE_SECONDS = 300
# Job records (without their files, long deleted) are kept this long for "My jobs".
DEFAULT_KEEP_DAYS = 30
# Progress is written at most this often (and at every step change and at the end).
PROGRESS_EVERY_SECONDS = 0.5


# A list longer than this is exported by a job (reports.changelist_export), not in the request.
DEFAULT_EXPORT_BACKGROUND_ROWS = 5000


def export_background_rows() -> int:
    return getattr(settings, "EXPORT_BACKGROUND_ROWS", DEFAULT_EXPORT_BACKGROUND_ROWS)


def file_hours() -> float:
    return getattr(settings, "JOBS_FILE_HOURS", DEFAULT_FILE_HOURS)


def stale_seconds() -> float:
    return getattr(settings, "JOBS_STALE_SECONDS", DEFAULT_STALE_SECONDS)


def keep_days() -> float:
    return getattr(settings, "JOBS_KEEP_DAYS", DEFAULT_KEEP_DAYS)


def msg_worker_stopped() -> str:
    return _(
        "The background worker stopped while doing this work (it was restarted or shut down). "
        "Nothing was saved. Start the work again."
    )


def msg_unexpected(job_id: int) -> str:
    return _(
        "The work stopped on an unexpected error and nothing was saved. Try again; if it happens "
        "again, tell the portal's administrators the job number %(id)s."
    ) % {"id": job_id}


class JobRefused(Exception):
    """The work was refused for a reason the user can act on: `message`, in their language;
    `result`, what to show beside it (an import's report)."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.message, self.result = message, result or {}


@dataclass
class Outcome:
    """What a job's work returns: its result to show and the file it made ("" when none)."""

    result: dict = field(default_factory=dict)
    rows_done: int = 0
    rows_total: int | None = None
    file_name: str = ""
    download_name: str = ""


def create_job(*, owner, kind: JobKind, title: str, params: dict) -> Job:
    """A queued job of `owner`; `params` also keeps the language the work speaks (the request's)."""
    params = {"language": translation.get_language() or settings.LANGUAGE_CODE, **params}
    return Job.objects.create(owner=owner, kind=kind, title=title[:255], params=params)


def enqueue(job: Job, task) -> Job:
    """Hand `job` to the worker: `task` (a django.tasks Task taking the job's id)."""
    result = task.enqueue(job.pk)
    # With an immediate back-end the work is already done: keep what it wrote.
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def start(job_id: int) -> Job | None:
    """Mark a queued job running and return it; None when it is not queued (run already, failed,
    deleted): a task delivered twice does its work once."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING, started_at=now):
        return None
    job = Job.objects.select_related("owner").get(pk=job_id)
    files.write_progress(job.pk, 0, None, "")
    return job


class Progress:
    """`progress(rows_done, rows_total, step)`: the job's progress file, at most every
    PROGRESS_EVERY_SECONDS, at once when the step changes or the last row is done. Writes no
    row of the database (see jobs.models)."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.last_write, self.last_step = 0.0, None
        self.rows_done, self.rows_total, self.step = 0, None, ""

    def __call__(self, rows_done: int, rows_total: int | None, step: str) -> None:
        self.rows_done, self.rows_total, self.step = rows_done, rows_total, step
        now = time.monotonic()
        if step != self.last_step or rows_done == rows_total or now - self.last_write >= PROGRESS_EVERY_SECONDS:
            files.write_progress(self.job_id, rows_done, rows_total, step)
            self.last_write, self.last_step = now, step


def finish(job: Job, outcome: Outcome, *, status: JobStatus = JobStatus.DONE, error: str = "") -> bool:
    """Record the end of a running job; False (and nothing changed) when it is no longer running
    (the sweep gave it up). Called inside an import's transaction, it commits with the import."""
    now = timezone.now()
    changed = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=status,
        error=error,
        result=outcome.result,
        rows_done=outcome.rows_done,
        rows_total=outcome.rows_total,
        step="",
        file_name=outcome.file_name,
        download_name=outcome.download_name,
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=file_hours()) if outcome.file_name else None,
    )
    return bool(changed)


def fail(job: Job, message: str, result: dict | None = None, progress: Progress | None = None) -> bool:
    outcome = Outcome(result=result or {})
    if progress is not None:
        outcome.rows_done, outcome.rows_total = progress.rows_done, progress.rows_total
    return finish(job, outcome, status=JobStatus.FAILED, error=message)


def run_job(job_id: int, work) -> None:
    """The body of every job's task: start the job, run `work(job, progress)` in the owner's
    language, record its Outcome (DONE), its JobRefused (FAILED with its message) or any other
    error (FAILED, a general message; the error itself in the log). `work` returning None has
    recorded the end itself (an import, inside its transaction)."""
    job = start(job_id)
    if job is None:
        logger.warning("Job %s is not waiting to run; its task does nothing.", job_id)
        return
    progress = Progress(job)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        try:
            outcome = work(job, progress)
        except JobRefused as refusal:
            fail(job, refusal.message, refusal.result, progress)
        except Exception:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            fail(job, msg_unexpected(job.pk), progress=progress)
        except BaseException:
            # The worker is being stopped in the middle (a second Ctrl-C, SystemExit): the work's
            # transaction is rolled back; say so now rather than after the stale delay.
            fail(job, msg_worker_stopped(), progress=progress)
            raise
        else:
            if outcome is not None and not finish(job, outcome):
                logger.warning("Job %s ended after it was given up; its result is dropped.", job.pk)
        finally:
            files.remove_progress(job.pk)


def _heartbeat(job: Job) -> float:
    progress = files.read_progress(job.pk)
    if progress is not None:
        return progress[1]
    return (job.started_at or job.created_at).timestamp()


def _abandon(job: Job) -> None:
    """What a given-up job leaves behind, as its creator listed in params["on_abandon"]: files
    to put back (`rename`: [from, to] pairs, e.g. a claimed import file to confirm again) and
    files to delete."""
    plan = job.params.get("on_abandon") or {}
    for source, target in plan.get("rename", []):
        with contextlib.suppress(FileNotFoundError):
            os.replace(source, target)
    for path in plan.get("delete", []):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


@dataclass
class SweepResult:
    given_up: int = 0
    files_deleted: int = 0
    jobs_deleted: int = 0


def sweep(now: datetime.datetime | None = None) -> SweepResult:
    """Mark failed the running jobs without progress for `stale_seconds()` (their worker died:
    the import's transaction never committed, so nothing is half-written), delete the files
    kept past their time, and the job records older than `keep_days()`. Run by the worker
    (at its start and every minute) and by `manage.py sweep_jobs`."""
    now = now or timezone.now()
    outcome = SweepResult()
    limit = now.timestamp() - stale_seconds()
    for job in Job.objects.filter(status=JobStatus.RUNNING).only("pk", "params", "started_at", "created_at"):
        if _heartbeat(job) >= limit:
            continue
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            message = msg_worker_stopped()
        given_up = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=message, finished_at=now, step=""
        )
        if given_up:  # only the sweep that won may put the files back
            _abandon(job)
            files.remove_progress(job.pk)
            outcome.given_up += 1
    expired = Job.objects.filter(expires_at__lte=now).exclude(file_name="")
    for job in expired.only("pk", "file_name"):
        files.result_path(job.file_name).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(file_name="")
        outcome.files_deleted += 1
    old = Job.objects.filter(created_at__lt=now - datetime.timedelta(days=keep_days())).exclude(
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING)
    )
    for job in old.only("pk", "file_name"):
        if job.file_name:
            files.result_path(job.file_name).unlink(missing_ok=True)
    outcome.jobs_deleted = old.delete()[0]
    return outcome
