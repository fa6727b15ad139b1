"""The Excel import's check and confirmation as background jobs (issue 20, item 4).

How tasks run here: tests/settings.py sets django.tasks' ImmediateBackend, so a job's task runs
inside the request that queues it (the upload or the confirmation), through the same
`jobs.services.run_job` the worker runs; `IMPORT_IN_BACKGROUND` is on for these tests only.
What happens *during* a job (its progress, a second confirmation, the job page) is seen from
inside the import, through its progress callback. The database back-end and its worker are in
test_worker.py.
"""

import io
import tempfile
from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse
from django.utils.translation import gettext

from jobs import files
from jobs import services as job_services
from jobs.models import Job, JobKind, JobStatus
from programmes import import_views, importer
from programmes.models import Disbursement

from ..programmes.test_import import ImportTestCase, appended, counts

NEW_PAYMENT = ["KCQG-2024-79-001", "05/11/2024", "payment", 50_000_000, "UNC-07"]


@override_settings(IMPORT_IN_BACKGROUND=True)
class BackgroundImportTests(ImportTestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        patcher = mock.patch.object(tempfile, "tempdir", folder.name)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.client.force_login(self.officer)

    def workbook(self) -> bytes:
        return appended(self.template(), "Giải ngân", NEW_PAYMENT)

    def upload(self, data: bytes | None = None, name: str = "ke-hoach.xlsx", client: Client | None = None):
        upload = io.BytesIO(self.workbook() if data is None else data)
        upload.name = name
        return (client or self.client).post(reverse("programmes:import"), {"file": upload})

    def checked(self) -> Job:
        response = self.upload()
        job = Job.objects.get(kind=JobKind.IMPORT_CHECK)
        self.assertRedirects(response, reverse("jobs:detail", args=[job.pk]), fetch_redirect_response=False)
        return job

    def confirm(self, token: str, client: Client | None = None):
        return (client or self.client).post(reverse("programmes:import-confirm"), {"token": token})

    def test_the_check_is_a_job_whose_page_shows_the_report_and_the_confirmation(self):
        before = counts()
        job = self.checked()
        self.assertEqual(job.status, JobStatus.DONE)
        self.assertEqual(job.owner, self.officer)
        self.assertEqual((job.rows_done, job.rows_total), (10, 10))
        page = self.client.get(reverse("jobs:detail", args=[job.pk]))
        self.assertContains(page, "<li>KCQG-2024-79-001 05/11/2024")  # the row to create
        self.assertEqual(page.context["counts"], {"created": 1, "updated": 0, "unchanged": 9})
        self.assertContains(page, 'name="token"')
        self.assertEqual(page.context["token"], job.params["token"])
        self.assertTrue(import_views._stored_path(job.params["token"]).is_file())
        self.assertEqual(counts(), before)  # a check writes nothing

    def test_the_page_shows_the_progress_while_the_job_runs(self):
        seen = []
        real = importer.run_import

        def watched(parsed, user, *, commit, progress=None):
            def spy(done, total, step):
                progress(done, total, step)
                if done == 4:
                    job = Job.objects.get()
                    seen.append(self.client.get(reverse("jobs:detail", args=[job.pk])))
                    seen.append(self.client.get(reverse("jobs:list")))

            return real(parsed, user, commit=commit, progress=spy)

        with (
            mock.patch.object(importer, "run_import", side_effect=watched),
            mock.patch.object(job_services, "PROGRESS_EVERY_SECONDS", 0),  # every row, not every 0.5 s
        ):
            self.checked()
        page, listing = seen
        self.assertContains(page, '<progress value="4" max="10"')
        self.assertContains(
            page, gettext("%(done)s of %(total)s rows (%(percent)s%%)") % {"done": 4, "total": 10, "percent": 40}
        )
        self.assertContains(page, str(gettext("Checking the rows")))
        self.assertContains(page, '<meta http-equiv="refresh" content="2">')
        self.assertContains(listing, '<progress value="4" max="10"')
        self.assertContains(listing, '<meta http-equiv="refresh"')
        # Done: no refresh, no progress file left.
        job = Job.objects.get()
        self.assertNotContains(self.client.get(reverse("jobs:detail", args=[job.pk])), "http-equiv")
        self.assertIsNone(files.read_progress(job.pk))

    def test_the_confirmation_is_a_job_that_imports_once(self):
        token = self.checked().params["token"]
        before = Disbursement.objects.count()
        response = self.confirm(token)
        job = Job.objects.get(kind=JobKind.IMPORT)
        self.assertRedirects(response, reverse("jobs:detail", args=[job.pk]), fetch_redirect_response=False)
        self.assertEqual(job.status, JobStatus.DONE)
        self.assertTrue(job.result["committed"])
        self.assertEqual(Disbursement.objects.count(), before + 1)
        page = self.client.get(reverse("jobs:detail", args=[job.pk]))
        self.assertTrue(page.context["report"].committed)
        self.assertEqual(page.context["counts"]["created"], 1)
        self.assertContains(page, reverse("programmes:year-plan-edit", args=[self.hcm.pk, 2024]))
        self.assertTrue(import_views._imported_path(token).exists())
        self.assertFalse(import_views._claimed_path(token).exists())

    def test_a_second_confirmation_during_the_background_import_is_told_and_imports_nothing(self):
        token = self.checked().params["token"]
        checked = self.client.session[import_views.SESSION_KEY]
        before = Disbursement.objects.count()
        second_tab = Client()
        second_tab.cookies = self.client.cookies
        answers = []
        real = importer.run_import

        def with_a_second_click(parsed, user, *, commit, progress=None):
            if commit:
                answers.append(self.confirm(token, second_tab))
            return real(parsed, user, commit=commit, progress=progress)

        with mock.patch.object(importer, "run_import", side_effect=with_a_second_click):
            self.confirm(token)
        self.assertContains(answers[0], gettext(str(import_views.ALREADY_IMPORTING)))
        self.assertEqual(Job.objects.filter(kind=JobKind.IMPORT).count(), 1)
        # A third, later (a tab whose session still held the checked file): already imported.
        session = self.client.session
        session[import_views.SESSION_KEY] = checked
        session.save()
        self.assertContains(self.confirm(token), gettext(str(import_views.ALREADY_IMPORTED)))
        self.assertEqual(Disbursement.objects.count(), before + 1)
        self.assertEqual(Job.objects.filter(kind=JobKind.IMPORT).count(), 1)

    def test_a_job_done_in_the_database_counts_as_imported_without_the_mark(self):
        """The worker died after the import's commit and before the `.imported` mark: the job's
        "done", committed with the records, still refuses a second import."""
        token = self.checked().params["token"]
        checked = self.client.session[import_views.SESSION_KEY]
        self.confirm(token)
        import_views._imported_path(token).unlink()
        session = self.client.session
        session[import_views.SESSION_KEY] = checked
        session.save()
        before = Disbursement.objects.count()
        self.assertContains(self.confirm(token), gettext(str(import_views.ALREADY_IMPORTED)))
        self.assertEqual(Disbursement.objects.count(), before)

    def test_a_refused_file_fails_the_job_with_its_reason(self):
        self.upload(b"MZ\x90\x00", "virus.xlsx")
        job = Job.objects.get()
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertEqual(job.error, importer.msg_not_xlsx())
        page = self.client.get(reverse("jobs:detail", args=[job.pk]))
        self.assertContains(page, importer.msg_not_xlsx())
        self.assertContains(page, gettext("The job failed"))
        self.assertEqual(list(import_views._upload_dir().iterdir()), [])

    def test_the_failure_is_explained_in_vietnamese(self):
        self.upload(b"MZ\x90\x00", "virus.xlsx")
        job = Job.objects.get()
        self.assertEqual(job.params["language"], "vi")
        self.assertTrue(job.error.startswith("Tệp"), job.error)

    def test_an_error_in_the_import_fails_the_job_writes_nothing_and_leaves_the_file_to_confirm(self):
        token = self.checked().params["token"]
        before = counts()
        with mock.patch.object(importer, "run_import", side_effect=RuntimeError("disk full")):
            self.confirm(token)
        job = Job.objects.get(kind=JobKind.IMPORT)
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertEqual(job.error, job_services.msg_unexpected(job.pk))
        self.assertEqual(counts(), before)
        self.assertTrue(import_views._stored_path(token).is_file())
        self.confirm(token)
        self.assertEqual(Job.objects.filter(kind=JobKind.IMPORT, status=JobStatus.DONE).count(), 1)
        self.assertEqual(counts()[4], before[4] + 1)

    def test_an_import_the_sweep_gave_up_rolls_back(self):
        """The sweep marked the job failed while it ran (no heartbeat for too long): its
        "done" finds the job no longer running and the whole import is rolled back."""
        token = self.checked().params["token"]
        before = counts()
        real = importer.run_import

        def slow(parsed, user, *, commit, progress=None):
            report = real(parsed, user, commit=commit, progress=progress)
            job = Job.objects.get(kind=JobKind.IMPORT)
            files.remove_progress(job.pk)
            with self.settings(JOBS_STALE_SECONDS=-1):
                self.assertEqual(job_services.sweep().given_up, 1)
            return report

        with mock.patch.object(importer, "run_import", side_effect=slow):
            self.confirm(token)
        self.assertEqual(counts(), before)
        self.assertTrue(import_views._stored_path(token).is_file())  # put back by the sweep
        # Here the sweep ran on the import's own connection, so its "failed" was rolled back
        # with the import (another process's commits it at once): the next sweep says it.
        with self.settings(JOBS_STALE_SECONDS=-1):
            job_services.sweep()
        job = Job.objects.get(kind=JobKind.IMPORT)
        self.assertEqual(job.status, JobStatus.FAILED)
        self.assertEqual(job.error, job_services.msg_worker_stopped())
        self.confirm(token)
        self.assertEqual(counts()[4], before[4] + 1)
