"""The pages of jobs: who sees which job (each user their own, the ministry too; the admin role
every one), what they cost in queries, and the worker of the database back-end."""

import datetime
import io
import tempfile
from unittest import mock

from asgiref.local import Local
from django.core.management import call_command
from django.tasks import task_backends
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from jobs import files
from jobs import services as job_services
from jobs.models import Job, JobKind, JobStatus
from tests import factories
from tests.personas import PersonaTestCase


def job(owner, *, status=JobStatus.DONE, kind=JobKind.EXPORT, title="Danh sách đề án", **fields) -> Job:
    return Job.objects.create(owner=owner, kind=kind, status=status, title=title, **fields)


class ScopeTests(PersonaTestCase):
    NO_ROLE_IS_STAFF = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.mine = job(cls.staff_a, title="Việc của tỉnh A")
        cls.theirs = job(cls.staff_b, title="Việc của tỉnh B")
        cls.ministry_job = job(cls.ministry, title="Việc của Bộ")

    def listed(self, user) -> set[str]:
        self.client.force_login(user)
        response = self.client.get(reverse("jobs:list"))
        self.assertEqual(response.status_code, 200)
        return {shown.title for shown in response.context["jobs"]}

    def test_each_user_sees_only_their_own_jobs_the_ministry_too(self):
        self.assertEqual(self.listed(self.staff_a), {"Việc của tỉnh A"})
        self.assertEqual(self.listed(self.staff_b), {"Việc của tỉnh B"})
        self.assertEqual(self.listed(self.ministry), {"Việc của Bộ"})
        self.assertEqual(self.listed(self.viewer), set())
        self.assertEqual(self.listed(self.no_role), set())

    def test_the_admin_role_sees_every_job_with_its_owner(self):
        self.assertEqual(self.listed(self.admin), {"Việc của tỉnh A", "Việc của tỉnh B", "Việc của Bộ"})
        page = self.client.get(reverse("jobs:list"))
        self.assertContains(page, '<th scope="col">' + gettext("By") + "</th>")
        self.assertContains(page, "Võ Thị Ngọc Lan")  # staff_a's name
        self.assertEqual(self.client.get(reverse("jobs:detail", args=[self.theirs.pk])).status_code, 200)

    def test_another_users_job_and_file_are_not_found(self):
        self.client.force_login(self.staff_a)
        for name in ("jobs:detail", "jobs:file"):
            self.assertEqual(self.client.get(reverse(name, args=[self.theirs.pk])).status_code, 404)
            self.assertEqual(self.client.get(reverse(name, args=[self.ministry_job.pk])).status_code, 404)
        self.client.force_login(self.ministry)
        self.assertEqual(self.client.get(reverse("jobs:detail", args=[self.mine.pk])).status_code, 404)

    def test_anonymous_visitors_go_to_the_login_page(self):
        for url in (reverse("jobs:list"), reverse("jobs:detail", args=[self.mine.pk])):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(reverse("login"), response["Location"])

    def test_the_menu_leads_to_my_jobs(self):
        self.client.force_login(self.viewer)
        page = self.client.get(reverse("home"), follow=True)
        self.assertContains(page, f'<a href="{reverse("jobs:list")}"')
        self.assertContains(page, "Việc của tôi")


class QueryCountTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for n in range(30):
            job(cls.staff_a, title=f"Việc {n}", status=JobStatus.RUNNING if n == 0 else JobStatus.DONE, rows_total=10)
            job(cls.admin, title=f"Việc quản trị {n}")

    def test_the_list_costs_the_same_for_30_jobs(self):
        self.client.force_login(self.staff_a)
        self.client.get(reverse("home"))  # the session is warm
        # 1 session, 2 user; 3 and 4 may they see every job (the user's own permissions, their
        # groups'); 5 count of the jobs (the pager), 6 the page of jobs with their owners; the
        # header: 7 the user's role groups, 8 their province (the menu), 9 unread notifications.
        with self.assertNumQueries(9):
            response = self.client.get(reverse("jobs:list"))
        self.assertEqual(len(response.context["jobs"]), 30)

    def test_the_list_of_every_job_for_the_admin_role(self):
        self.client.force_login(self.admin)
        self.client.get(reverse("home"))
        # As for anyone, but the page of every job (still one query, with the owners), and no
        # province to look up for the menu: 1 session, 2 user, 3-4 permissions, 5 count, 6 the
        # page of jobs, 7 role groups, 8 unread notifications.
        with self.assertNumQueries(8):
            response = self.client.get(reverse("jobs:list"))
        self.assertEqual(len(response.context["jobs"]), 50)

    def test_a_job_page(self):
        running = Job.objects.get(title="Việc 0")
        files.write_progress(running.pk, 3, 10, "checking")
        self.addCleanup(files.remove_progress, running.pk)
        self.client.force_login(self.staff_a)
        self.client.get(reverse("home"))
        # 1 session, 2 user; 3 and 4 may they see every job (own and groups' permissions); 5 the
        # job with its owner (its progress is read from its file); the header: 6 the role groups,
        # 7 the user's province (the menu), 8 unread notifications.
        with self.assertNumQueries(8):
            response = self.client.get(reverse("jobs:detail", args=[running.pk]))
        self.assertContains(response, '<progress value="3" max="10"')


class DatabaseWorkerTests(TestCase):
    """The database back-end (django-tasks-db) and `manage.py jobs_worker`, as `make run` runs
    them: a queued job waits in the database until the worker runs it."""

    def setUp(self):
        override = override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(self.reset_backends)
        self.reset_backends()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = folder.name
        # The worker closes "old" connections between tasks, as a request does; inside a
        # TestCase's transaction that would close the test's own connection (PostgreSQL).
        patcher = mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections")
        patcher.start()
        self.addCleanup(patcher.stop)

    @staticmethod
    def reset_backends():
        # django.tasks keeps its back-ends once made; a changed TASKS setting needs new ones.
        task_backends.__dict__.pop("settings", None)
        task_backends._connections = Local(task_backends.thread_critical)

    def test_a_job_waits_for_the_worker_then_runs(self):
        from django_tasks_db.models import DBTaskResult

        from reports.changelist_export import export_changelist

        owner = factories.member("ministry", username="ministry")
        queued = job_services.create_job(
            owner=owner,
            kind=JobKind.EXPORT,
            title="Danh sách đề án",
            params={"app_label": "programmes", "model_name": "project", "query": "", "file": "1-test.xlsx"},
        )
        job_services.enqueue(queued, export_changelist)
        queued.refresh_from_db()
        self.assertEqual(queued.status, JobStatus.QUEUED)
        self.assertEqual(str(DBTaskResult.objects.get().id), queued.task_id)
        page = self.client_for(owner).get(reverse("jobs:detail", args=[queued.pk]))
        self.assertContains(page, str(gettext("Waiting for the worker")))
        self.assertContains(page, '<meta http-equiv="refresh"')

        with self.settings(JOBS_DIR=self.folder):
            call_command("jobs_worker", "--once", stdout=io.StringIO())
        queued.refresh_from_db()
        self.assertEqual(queued.status, JobStatus.DONE)
        self.assertEqual(DBTaskResult.objects.get().status, "SUCCESSFUL")

    def test_the_worker_sweeps_stale_jobs_when_it_starts(self):
        owner = factories.member("ministry", username="ministry")
        stale = job(owner, status=JobStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1))
        with self.settings(JOBS_DIR=self.folder):
            call_command("jobs_worker", "--once", stdout=io.StringIO())
        stale.refresh_from_db()
        self.assertEqual(stale.status, JobStatus.FAILED)
        self.assertEqual(stale.error, job_services.msg_worker_stopped())

    def client_for(self, user):
        self.client.force_login(user)
        return self.client
