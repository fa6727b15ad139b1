"""The Excel import's check and confirmation as background jobs (jobs/, django.tasks).

The upload page stores the file as `<token>.checking` and queues `check_import`: the dry run,
whose report the job keeps; a file without errors becomes `<token>.xlsx`, which "Xác nhận nhập"
may import. The confirmation claims it (the atomic rename of import_views.claim, in the
request: a second confirmation is told at once) and queues `confirm_import`, which imports it in
one transaction that also records the job done: if the worker dies before the commit, nothing
is written, the job is not done, and the sweep (jobs.services.sweep) marks it failed and puts
the file back to be confirmed again; after the commit, the job is done and the file imported.
"""

import contextlib
import os
from pathlib import Path

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from jobs import services as jobs
from jobs.models import Job

from . import importer


def report_data(report: importer.ImportReport, *, filename: str, token: str | None = None) -> dict:
    """An import's report as a job keeps it (JSON): what the pages show, nothing more."""
    return {
        "province": {"pk": report.province.pk, "name": report.province.name, "code": report.province.code},
        "year": report.year,
        "filename": filename,
        "token": token,
        "committed": report.committed,
        "counts": report.counts(),
        "sheets": [
            {
                "name": sheet.name,
                "created": sheet.created,
                "updated": sheet.updated,
                "unchanged": len(sheet.unchanged),
            }
            for sheet in report.sheets.values()
        ],
        "errors": [
            {"sheet": error.sheet, "row": error.row, "column": error.column, "message": error.message}
            for error in report.errors
        ],
    }


def _reading(progress) -> None:
    progress(0, None, "reading")


def _check(job: Job, progress) -> jobs.Outcome:
    checking, stored = Path(job.params["checking"]), Path(job.params["stored"])
    filename = job.params.get("filename", "")
    try:
        data = checking.read_bytes()
    except FileNotFoundError:
        raise jobs.JobRefused(_("The uploaded file is no longer available. Upload it again.")) from None
    _reading(progress)
    try:
        parsed = importer.read_workbook(data, filename)
        report = importer.run_import(parsed, job.owner, commit=False, progress=progress)
    except importer.ImportRefused as refusal:
        checking.unlink(missing_ok=True)
        raise jobs.JobRefused(refusal.message) from None
    except BaseException:
        checking.unlink(missing_ok=True)
        raise
    if report.ok:
        os.replace(checking, stored)  # now it may be confirmed
    else:
        checking.unlink(missing_ok=True)
    rows = importer.row_count(parsed)
    return jobs.Outcome(
        result=report_data(report, filename=filename, token=job.params["token"] if report.ok else None),
        rows_done=rows,
        rows_total=rows,
    )


@task()
def check_import(job_id: int) -> None:
    jobs.run_job(job_id, _check)


class _GivenUp(Exception):
    """The sweep marked the job failed while it ran: the import must not commit."""


def _confirm(job: Job, progress):
    claimed, stored, imported = (Path(job.params[key]) for key in ("claimed", "stored", "imported"))
    filename = job.params.get("filename", "")
    try:
        data = claimed.read_bytes()
    except FileNotFoundError:
        raise jobs.JobRefused(_("The checked file is no longer available. Upload it again.")) from None
    _reading(progress)
    try:
        with transaction.atomic():
            parsed = importer.read_workbook(data, filename)
            report = importer.run_import(parsed, job.owner, commit=True, progress=progress)
            rows = importer.row_count(parsed)
            if report.committed:
                outcome = jobs.Outcome(result=report_data(report, filename=filename), rows_done=rows, rows_total=rows)
                # In the import's transaction: the records and "done" are committed together.
                if not jobs.finish(job, outcome):
                    raise _GivenUp
    except importer.ImportRefused as refusal:
        claimed.unlink(missing_ok=True)
        raise jobs.JobRefused(refusal.message) from None
    except _GivenUp:
        return None  # the sweep has put the file back and told the user
    except BaseException:
        # Nothing was written (one transaction): the file may be confirmed again.
        with contextlib.suppress(FileNotFoundError):
            os.replace(claimed, stored)
        raise
    claimed.unlink(missing_ok=True)
    if report.committed:
        imported.touch()
        return None
    raise jobs.JobRefused(
        _("The import was refused; nothing was saved"), report_data(report, filename=filename, token=None)
    )


@task()
def confirm_import(job_id: int) -> None:
    jobs.run_job(job_id, _confirm)
