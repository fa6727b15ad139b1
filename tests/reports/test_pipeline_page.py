"""The pipeline page and its Excel lists (issue 18, item 2): the selector's lists on the page,
each list's workbook, access by role, and pinned query counts."""

import datetime
import io

import time_machine
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from programmes.models import ProjectStatus as S
from tests import factories
from tests.programmes.test_pipeline import make, step

D = datetime.date
NOW = datetime.datetime(2025, 3, 1, 2, 0, tzinfo=datetime.UTC)  # 09:00 in Hà Nội


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def column_values(sheet, header: str) -> list:
    rows = list(sheet.iter_rows(values_only=True))
    index = next(i for i, row in enumerate(rows) if header in row)
    position = rows[index].index(header)
    return [row[position] for row in rows[index + 1 :] if row and row[0] is not None]


@time_machine.travel(NOW, tick=False)
class PipelinePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(NOW, tick=False):
            cls.hanoi = factories.province("01")
            cls.hai_phong = factories.province("31")
            cls.late = make(cls.hanoi, S.APPROVED, {S.APPRAISED: D(2024, 1, 10), S.APPROVED: D(2024, 2, 1)})
            step(cls.late, S.CONTRACTED, D(2024, 8, 1))
            step(cls.late, S.IN_PROGRESS, D(2024, 8, 15))
            step(cls.late, S.ACCEPTED, D(2024, 12, 1))
            cls.stopped = make(cls.hai_phong, S.APPROVED, {S.APPRAISED: D(2024, 2, 15), S.APPROVED: D(2024, 3, 1)})
            step(cls.stopped, S.CANCELLED, D(2024, 4, 1), note="Doanh nghiệp xin rút")
        cls.viewer = factories.member("viewer", username="pipeline-viewer")
        cls.ministry = factories.member("ministry", username="pipeline-ministry")
        cls.staff = factories.member("province_staff", province=cls.hai_phong, username="pipeline-hp")

    def get(self, **params):
        return self.client.get(reverse("reports:pipeline"), {"year": 2024, **params})

    def test_the_page_shows_the_selectors_lists(self):
        self.client.force_login(self.viewer)
        response = self.get()
        self.assertEqual(response.status_code, 200)
        result = response.context["result"]
        self.assertEqual([line.code for line in result.not_contracted], [self.late.code])
        self.assertEqual([line.code for line in result.not_settled], [self.late.code])
        self.assertEqual([line.code for line in result.stops], [self.stopped.code])
        self.assertContains(response, "Phê duyệt nhưng chưa ký hợp đồng đến 30/06/2024")
        self.assertContains(response, "Doanh nghiệp xin rút")
        self.assertContains(response, self.late.code)
        # A viewer has no admin: codes without links; the ministry's staff accounts get the link.
        self.assertNotContains(response, reverse("admin:programmes_project_change", args=[self.late.pk]))
        self.client.force_login(self.ministry)
        self.assertContains(self.get(), reverse("admin:programmes_project_change", args=[self.late.pk]))

    def test_query_count(self):
        self.client.force_login(self.viewer)
        # Expect 7 queries: session, user, role, provinces (with regions), the year's projects
        # of the scope, their lifecycle steps, the header's unread notifications.
        with self.assertNumQueries(7):
            self.assertEqual(self.get().status_code, 200)
        region = self.hanoi.region.code
        with self.assertNumQueries(7):  # the same, for a region
            self.assertEqual(self.get(region=region).status_code, 200)

    def test_each_list_exports_to_excel(self):
        self.client.force_login(self.viewer)
        page = self.get().context
        for item in page["lists"]:
            with self.subTest(list=item.key):
                # Expect 6 queries, as the page without its header (no unread count in a file).
                with self.assertNumQueries(6):
                    response = self.client.get(item.excel_url)
                self.assertEqual(response.status_code, 200)
                sheet = workbook(response).active
                self.assertEqual(column_values(sheet, "Mã"), [line.code for line in item.lines])
        steps = workbook(self.client.get(page["steps_excel_url"])).active
        self.assertIn("Đã thẩm định", column_values(steps, "Bước"))

    def test_province_staff_see_their_own_province(self):
        self.client.force_login(self.staff)
        response = self.get()
        self.assertRedirects(
            response,
            f"{reverse('reports:pipeline')}?year=2024&province={self.hai_phong.pk}",
            fetch_redirect_response=False,
        )
        own = self.get(province=self.hai_phong.pk)
        self.assertEqual(own.status_code, 200)
        self.assertEqual([line.code for line in own.context["result"].stops], [self.stopped.code])
        self.assertEqual(self.get(province=self.hanoi.pk).status_code, 404)
        excel = self.client.get(reverse("reports:pipeline-excel"), {"year": 2024, "list": "stops"})
        self.assertEqual(excel.status_code, 403)

    def test_bad_filters_and_lists_are_refused_with_a_message(self):
        self.client.force_login(self.viewer)
        response = self.get(year="abc")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "error-summary", status_code=400)
        response = self.client.get(reverse("reports:pipeline-excel"), {"year": 2024, "list": "nope"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Hãy chọn một trong các danh sách", status_code=400)

    def test_the_dashboard_links_to_the_pipeline(self):
        self.client.force_login(self.viewer)
        response = self.client.get(reverse("reports:national"), {"year": 2024})
        self.assertContains(response, f'href="{reverse("reports:pipeline")}?year=2024"')
