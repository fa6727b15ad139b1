"""The pages of jobs: "My jobs" (the list) and a job's page with its progress bar, its result
and its file. Without script: a job that is waiting or running reloads its page every few
seconds (a meta refresh, which the CSP allows), and offers a reload link.
"""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import files, selectors, services
from .models import JobKind, JobStatus

REFRESH_SECONDS = 2
PAGE_SIZE = 50


@login_required
@require_GET
def job_list(request):
    """The jobs the user may see (administrators: everyone's), newest first, 50 a page."""
    every = selectors.sees_every_job(request.user)
    # Without their parameters and results (an import's report may be long): the list shows neither.
    listed = selectors.visible_jobs(request.user).defer("params", "result")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    jobs = [selectors.with_progress(job) for job in page.object_list]
    return render(
        request,
        "jobs/job_list.html",
        {
            "page": page,
            "jobs": jobs,
            "every": every,
            "file_hours": services.file_hours(),
            "refresh": REFRESH_SECONDS * 2 if any(job.active for job in jobs) else None,
        },
    )


def report_view(result: dict):
    """An import's report as the import templates read it (province, year, sheets, errors)."""
    if not result.get("sheets"):
        return None
    return SimpleNamespace(
        province=SimpleNamespace(**result["province"]),
        year=result["year"],
        committed=result.get("committed", False),
        errors=[SimpleNamespace(**error) for error in result.get("errors", [])],
        sheets={
            sheet["name"]: SimpleNamespace(
                name=sheet["name"],
                created=sheet["created"],
                updated=sheet["updated"],
                unchanged=range(sheet["unchanged"]),
            )
            for sheet in result["sheets"]
        },
    )


@login_required
@require_GET
def job_detail(request, pk: int):
    job = selectors.job_for(request.user, pk)
    report = report_view(job.result)
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "report": report,
            "counts": job.result.get("counts", {}),
            "token": job.result.get("token") if job.status == JobStatus.DONE else None,
            "filename": job.result.get("filename", job.title),
            "refresh": REFRESH_SECONDS if job.active else None,
            "kinds": JobKind,
            "statuses": JobStatus,
        },
    )


@login_required
@require_GET
def job_file(request, pk: int):
    """The job's file while it is kept; 404 once deleted (the page says when)."""
    job = selectors.job_for(request.user, pk)
    if job.status != JobStatus.DONE or not job.file_name:
        raise Http404(_("This file is no longer kept."))
    try:
        handle = open(files.result_path(job.file_name), "rb")  # noqa: SIM115 (FileResponse closes it)
    except FileNotFoundError:
        raise Http404(_("This file is no longer kept.")) from None
    return FileResponse(handle, as_attachment=True, filename=job.download_name or job.file_name)
