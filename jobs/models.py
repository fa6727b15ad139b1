"""A job: long work (an import, a large export) that a task of the worker does for a user.

The task's own record (django_tasks_db's DBTaskResult) says whether the worker ran it; the job
says what the user reads: what it is, how far it got (rows done of total, the step), the file it
made, the failure in the user's language, and until when the file is kept.

While a job runs, its progress is not written to this table but to a small file beside its
result (jobs.progress): an import holds its transaction open for the whole work, and a write
from the same connection would be inside it (rolled back with a dry run), a write from another
connection would wait behind it on SQLite.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class JobKind(models.TextChoices):
    IMPORT_CHECK = "import_check", _("Excel import: check")
    IMPORT = "import", _("Excel import")
    EXPORT = "export", _("Excel export")


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "Waiting")
    RUNNING = "running", pgettext_lazy("job status", "Running")
    DONE = "done", pgettext_lazy("job status", "Done")
    FAILED = "failed", pgettext_lazy("job status", "Failed")


# What the job is doing, as the page names it; the task reports the code.
STEPS = {
    "reading": _("Reading the workbook"),
    "checking": _("Checking the rows"),
    "writing": _("Writing the records"),
    "exporting": _("Writing the rows to the file"),
}


class Job(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=pgettext_lazy("job", "owner"),
    )
    kind = models.CharField(pgettext_lazy("job", "kind"), max_length=20, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=255)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    step = models.CharField(_("step"), max_length=20, blank=True)
    # What the task needs (a token, a list's address) and what it found (an import's report).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    # The file made, under settings.JOBS_DIR (a name, never a path); "" when none or deleted.
    file_name = models.CharField(_("file"), max_length=100, blank=True)
    download_name = models.CharField(_("file name"), max_length=255, blank=True)
    error = models.TextField(_("error message"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When its file is deleted (sweep_jobs); None while it runs or when it made none.
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status"])]
        # Only the one permission the pages use (administrators see every job): no add/change
        # pages exist, and "view_*" of the role groups does not reach a job.
        default_permissions = ()
        permissions = [("see_every_job", _("Can see every user's jobs"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def step_label(self) -> str:
        return str(STEPS.get(self.step, ""))

    @property
    def percent(self) -> int | None:
        """Rows done as a whole percentage of the total; None before the total is known."""
        if not self.rows_total:
            return 100 if self.status == JobStatus.DONE else None
        return min(100, self.rows_done * 100 // self.rows_total)
