"""The programmes admin changelists at a pinned number of queries, the same for 3 projects as
for 60, sorted by any column (the project list by "disbursed" included); and none of them counts
the unfiltered table a second time (PortalAdmin.show_full_result_count = False)."""

import datetime
from decimal import Decimal

from django.contrib import admin
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmes.models import Disbursement, Project
from tests import factories

PROJECTS = reverse("admin:programmes_project_changelist")


class AdminListQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.hcm = factories.province("79")
        cls.admin_user = factories.member("admin", is_superuser=False)

    def grow(self, projects: int) -> None:
        for number in range(projects):
            project = factories.project(self.hcm, 2024, support_vnd=100_000_000 + number * 1_000_000)
            Disbursement.objects.create(
                project=project, date=datetime.date(2024, 4, 1), amount_vnd=Decimal(10_000_000 * (number % 7 + 1))
            )

    def test_the_project_list_sorted_by_disbursed_costs_the_same_for_3_or_60_projects(self):
        self.client.force_login(self.admin_user)
        self.client.get(PROJECTS)  # the content types cache, as a running server has it
        for total in (3, 60):
            with self.subTest(projects=total):
                self.grow(total - Project.objects.count())
                for order in ("", "?o=-8", "?o=8.1"):
                    # Expect 10 queries: session, user, the user's and the groups' permissions
                    # (2), role (groups), the category and region filters' choices (2), the
                    # paginator's count (no second, unfiltered count: it was 11), the page's
                    # projects with province, category and the disbursed sum (a subquery), the
                    # year filter's distinct years.
                    with self.subTest(order=order), self.assertNumQueries(self.project_list_queries):
                        response = self.client.get(PROJECTS + order)
                    assert response.status_code == 200
                shown = [obj.disbursed_vnd for obj in self.client.get(PROJECTS + "?o=-8").context["cl"].result_list]
                assert shown == sorted(shown, reverse=True)

    @property
    def project_list_queries(self) -> int:
        return PROJECT_LIST_QUERIES

    def test_no_programmes_list_counts_its_table_twice(self):
        self.grow(3)
        self.client.force_login(self.admin_user)
        for model, model_admin in admin.site._registry.items():
            if model._meta.app_label != "programmes":
                continue
            url = reverse(f"admin:programmes_{model._meta.model_name}_changelist")
            with self.subTest(url=url):
                assert not model_admin.show_full_result_count
                with CaptureQueriesContext(connection) as queries:
                    response = self.client.get(url)
                assert response.status_code == 200
                counts = [q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)")]
                assert len(counts) == 1, counts  # the paginator's, of the filtered rows


PROJECT_LIST_QUERIES = 10
