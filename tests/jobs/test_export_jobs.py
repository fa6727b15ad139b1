"""A long admin list's Excel file is made by a background job (issue 20, item 4): above
EXPORT_BACKGROUND_ROWS the changelist offers "Chuẩn bị tệp Excel" (a POST), the job writes the
same file the short lists get at once, for the same user and filters, and keeps it for
JOBS_FILE_HOURS; the sweep deletes it after. Tasks run at once (ImmediateBackend, tests/settings.py).
"""

import datetime
import io
import tempfile
from pathlib import Path

from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import load_workbook

from jobs import files
from jobs import services as job_services
from jobs.models import Job, JobKind, JobStatus
from programmes.models import Project
from tests import factories
from tests.personas import PersonaTestCase

YEAR = 2026
HEADER_ROW = 6


def export_url(params: str = "") -> str:
    return reverse("exports:changelist", args=["programmes", "project"]) + params


def changelist_url() -> str:
    return reverse("admin:programmes_project_changelist")


@override_settings(EXPORT_BACKGROUND_ROWS=2)
class BackgroundExportTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for n in range(1, 4):
            factories.project(cls.a, YEAR, code=f"KCQG-{YEAR}-79-{n:03d}")
        factories.project(cls.b, YEAR, code=f"KCQG-{YEAR}-01-001")

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)
        override = self.settings(JOBS_DIR=folder.name)
        override.enable()
        self.addCleanup(override.disable)

    def test_a_long_list_offers_the_background_file_and_a_short_one_the_link(self):
        self.client.force_login(self.staff_a)
        page = self.client.get(changelist_url())
        self.assertContains(page, f'<form method="post" action="{export_url()}')
        self.assertContains(page, gettext("Prepare the Excel file"))
        short = self.client.get(changelist_url(), {"code__startswith": "KCQG-2026-79-00", "q": "001"})
        self.assertNotContains(short, gettext("Prepare the Excel file"))
        self.assertContains(short, "download>")

    def test_a_long_list_is_not_written_in_the_request(self):
        self.client.force_login(self.staff_a)
        response = self.client.get(export_url())
        self.assertRedirects(response, changelist_url(), fetch_redirect_response=False)
        self.assertEqual(Job.objects.count(), 0)
        message = [str(m) for m in get_messages(response.wsgi_request)][0]
        self.assertIn("3", message)

    def test_the_job_writes_the_same_rows_for_the_same_user_and_offers_the_file(self):
        self.client.force_login(self.staff_a)
        response = self.client.post(export_url("?o=1"))
        job = Job.objects.get()
        self.assertRedirects(response, reverse("jobs:detail", args=[job.pk]), fetch_redirect_response=False)
        self.assertEqual((job.kind, job.status, job.owner), (JobKind.EXPORT, JobStatus.DONE, self.staff_a))
        self.assertEqual((job.rows_done, job.rows_total), (3, 3))  # province A's only
        self.assertAlmostEqual(
            job.expires_at, job.finished_at + datetime.timedelta(hours=24), delta=datetime.timedelta(seconds=1)
        )
        page = self.client.get(reverse("jobs:detail", args=[job.pk]))
        self.assertContains(page, reverse("jobs:file", args=[job.pk]))
        self.assertContains(page, gettext("The file is ready"))
        download = self.client.get(reverse("jobs:file", args=[job.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertTrue(download["Content-Disposition"].startswith("attachment"))
        sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
        codes = [row[0] for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
        self.assertEqual(sorted(codes), sorted(Project.objects.filter(province=self.a).values_list("code", flat=True)))
        # The same file as the request would give (a short list's link), row for row.
        with self.settings(EXPORT_BACKGROUND_ROWS=100):
            direct = self.client.get(export_url("?o=1"))
        direct_sheet = load_workbook(io.BytesIO(b"".join(direct.streaming_content))).active
        self.assertEqual(
            list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True)),
            list(direct_sheet.iter_rows(min_row=HEADER_ROW, values_only=True)),
        )

    def test_the_file_is_deleted_when_its_time_is_over(self):
        self.client.force_login(self.ministry)
        self.client.post(export_url())
        job = Job.objects.get()
        path = files.result_path(job.file_name)
        self.assertTrue(path.is_file())
        self.assertEqual(job_services.sweep().files_deleted, 0)
        self.assertEqual(job_services.sweep(job.expires_at + datetime.timedelta(seconds=1)).files_deleted, 1)
        self.assertFalse(path.exists())
        job.refresh_from_db()
        self.assertEqual(job.file_name, "")
        self.assertEqual(self.client.get(reverse("jobs:file", args=[job.pk])).status_code, 404)
        page = self.client.get(reverse("jobs:detail", args=[job.pk]))
        self.assertContains(
            page, gettext("The file was deleted when its keeping time ended. Prepare it again from its list.")
        )

    def test_old_jobs_are_forgotten(self):
        self.client.force_login(self.ministry)
        self.client.post(export_url())
        later = timezone.now() + datetime.timedelta(days=31)
        self.assertEqual(job_services.sweep(later).jobs_deleted, 1)
        self.assertEqual(Job.objects.count(), 0)
        self.assertEqual(list(self.folder.glob("*.xlsx")), [])

    def test_a_filter_the_list_does_not_understand_fails_the_job_in_vietnamese(self):
        self.client.force_login(self.staff_a)
        job = job_services.create_job(
            owner=self.staff_a,
            kind=JobKind.EXPORT,
            title="x",
            params={"app_label": "programmes", "model_name": "project", "query": "nonsense__gt=1", "file": "1-ab.xlsx"},
        )
        from reports.changelist_export import export_changelist

        job_services.enqueue(job, export_changelist)
        job.refresh_from_db()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertTrue(job.error.startswith("Không hiểu"), job.error)
