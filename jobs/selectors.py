"""Reads of jobs: whose jobs a user sees, and a running job's progress (from its progress file)."""

from django.shortcuts import get_object_or_404

from . import files
from .models import Job, JobStatus

SEE_EVERY_JOB = "jobs.see_every_job"


def sees_every_job(user) -> bool:
    """Administrators (the permission, superusers) see every user's jobs; everyone else,
    ministry officials included, only their own."""
    return user.has_perm(SEE_EVERY_JOB)


def visible_jobs(user):
    """The jobs `user` may see, newest first, with their owners."""
    jobs = Job.objects.select_related("owner")
    return jobs if sees_every_job(user) else jobs.filter(owner=user)


def job_for(user, pk: int) -> Job:
    """The job `pk` if `user` may see it (else 404: another user's job is not said to exist),
    with its latest progress while it runs."""
    return with_progress(get_object_or_404(visible_jobs(user), pk=pk))


def with_progress(job: Job) -> Job:
    """`job` with rows done, total and step from its progress file while it runs (not saved)."""
    if job.status == JobStatus.RUNNING:
        progress = files.read_progress(job.pk)
        if progress is not None:
            data = progress[0]
            job.rows_done, job.rows_total, job.step = data["rows_done"], data["rows_total"], data["step"]
    return job
