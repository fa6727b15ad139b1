"""The proposal date (`Project.proposed_on`, issue 18): no lifecycle step may be dated before it
(rules.lifecycle.first_before_proposal), refused with its message at every door: the service,
the admin's project page and step screen, the API, the Excel import.

Messages are compared with the service's own constants, rendered in the request's language
(Vietnamese by default), so each test names the rule it proves."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from programmes import importer, services
from programmes.models import Project, ProjectStatus, ProjectTransition
from programmes.rules import lifecycle
from programmes.services.projects import PROPOSAL_AFTER_STEP, PROPOSAL_IN_FUTURE, STEP_BEFORE_PROPOSAL
from tests import factories
from tests.programmes.test_admin import form_data
from tests.programmes.test_import import ImportTestCase, appended, edited

D = datetime.date
S = ProjectStatus
YEAR = 2024
PROPOSED_ON = D(2024, 3, 1)


def step_before(day: datetime.date = PROPOSED_ON) -> str:
    return str(STEP_BEFORE_PROPOSAL % {"date": day.strftime("%d/%m/%Y")})


def proposal_after(step: str, day: datetime.date) -> str:
    return str(PROPOSAL_AFTER_STEP % {"step": ProjectStatus(step).label, "date": day.strftime("%d/%m/%Y")})


def admin_url(view: str, *args) -> str:
    return reverse(f"admin:programmes_project_{view}", args=args)


class RuleTests(SimpleTestCase):
    def test_the_earliest_day_before_the_proposal(self):
        days = [D(2024, 3, 5), D(2024, 2, 20), D(2024, 2, 10)]
        self.assertEqual(lifecycle.first_before_proposal(PROPOSED_ON, days), D(2024, 2, 10))

    def test_the_proposal_day_itself_and_later_days_are_allowed(self):
        self.assertIsNone(lifecycle.first_before_proposal(PROPOSED_ON, [PROPOSED_ON, D(2024, 3, 2)]))
        self.assertIsNone(lifecycle.first_before_proposal(PROPOSED_ON, []))

    def test_no_proposal_date_nothing_to_compare_with(self):
        self.assertIsNone(lifecycle.first_before_proposal(None, [D(1990, 1, 1)]))


class ServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.province = factories.province("79")

    def proposed(self, **fields):
        return factories.project(self.province, YEAR, status=S.PROPOSED, proposed_on=PROPOSED_ON, **fields)

    def test_a_step_before_the_proposal_is_refused_and_nothing_recorded(self):
        project = self.proposed()
        with self.assertRaises(ValidationError) as refused:
            services.project_transition(project=project, to_status=S.APPRAISED, date=D(2024, 2, 29))
        self.assertEqual(refused.exception.message_dict, {"date": [step_before()]})
        project.refresh_from_db()
        self.assertEqual((project.status, project.transitions.count()), (S.PROPOSED, 0))

    def test_a_step_on_the_proposal_day_is_allowed(self):
        project = self.proposed()
        services.project_transition(project=project, to_status=S.APPRAISED, date=PROPOSED_ON)
        self.assertEqual(project.status, S.APPRAISED)

    def test_a_cancellation_before_the_proposal_is_refused_too(self):
        project = self.proposed()
        with self.assertRaises(ValidationError) as refused:
            services.project_transition(project=project, to_status=S.CANCELLED, date=D(2024, 1, 15), note="Rút")
        self.assertEqual(list(refused.exception.message_dict), ["date"])

    def test_creation_with_steps_before_the_proposal_saves_nothing(self):
        with self.assertRaises(ValidationError) as refused:
            factories.project(
                self.province,
                YEAR,
                status=S.APPROVED,
                proposed_on=PROPOSED_ON,
                step_dates={S.APPRAISED: D(2024, 2, 10), S.APPROVED: D(2024, 3, 20)},
            )
        self.assertEqual(refused.exception.message_dict, {"proposed_on": [proposal_after(S.APPRAISED, D(2024, 2, 10))]})
        self.assertFalse(Project.objects.exists())

    def test_creation_without_step_dates_dates_the_steps_on_the_proposal_not_before(self):
        project = services.project_create(
            province=self.province,
            year=YEAR,
            funding_source="KCQG",
            category=factories.category(),
            title="Đề án đề xuất tháng 3",
            support_vnd=100_000_000,
            status=S.APPRAISED,
            proposed_on=PROPOSED_ON,
        )
        # Without `status_date` the implied steps default to 1 January, here after the proposal.
        self.assertEqual(list(project.transitions.values_list("date", flat=True)), [PROPOSED_ON])

    def test_moving_the_proposal_after_the_first_step_is_refused(self):
        project = factories.project(self.province, YEAR, status=S.APPROVED, status_date=D(2024, 2, 1))
        with self.assertRaises(ValidationError) as refused:
            services.project_update(project=project, proposed_on=D(2024, 2, 2))
        self.assertEqual(refused.exception.message_dict, {"proposed_on": [proposal_after(S.APPRAISED, D(2024, 2, 1))]})
        self.assertIsNone(Project.objects.get(pk=project.pk).proposed_on)
        services.project_update(project=project, proposed_on=D(2024, 2, 1))  # the same day is fine
        self.assertEqual(Project.objects.get(pk=project.pk).proposed_on, D(2024, 2, 1))

    def test_a_proposal_in_the_future_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        with self.assertRaises(ValidationError) as refused:
            factories.project(self.province, YEAR, status=S.PROPOSED, proposed_on=tomorrow)
        self.assertEqual(refused.exception.message_dict, {"proposed_on": [str(PROPOSAL_IN_FUTURE)]})

    def test_a_project_without_a_proposal_date_is_not_held_back(self):
        project = factories.project(self.province, YEAR, status=S.PROPOSED)
        services.project_transition(project=project, to_status=S.APPRAISED, date=D(2000, 1, 1))
        self.assertIsNone(project.proposed_on)
        self.assertEqual(project.status, S.APPRAISED)


@pytest.mark.django_db
class TestAdmin:
    @pytest.fixture
    def staff(self, client):
        province = factories.province("79")
        client.force_login(factories.member("province_staff", province))
        client.province = province
        return client

    def test_the_project_page_refuses_a_proposal_after_the_first_step(self, staff):
        project = factories.project(staff.province, YEAR, status=S.APPRAISED, status_date=D(2024, 2, 1))
        data = form_data(staff.get(admin_url("change", project.pk)))
        data["proposed_on"] = "2024-02-15"

        response = staff.post(admin_url("change", project.pk), data)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["proposed_on"] == [proposal_after(S.APPRAISED, D(2024, 2, 1))]
        assert Project.objects.get(pk=project.pk).proposed_on is None

    def test_the_project_page_saves_a_proposal_before_the_first_step(self, staff):
        project = factories.project(staff.province, YEAR, status=S.APPRAISED, status_date=D(2024, 2, 1))
        data = form_data(staff.get(admin_url("change", project.pk)))
        data["proposed_on"] = "2024-01-10"

        assert staff.post(admin_url("change", project.pk), data).status_code == 302
        assert Project.objects.get(pk=project.pk).proposed_on == D(2024, 1, 10)

    def test_the_add_page_refuses_a_proposal_in_the_future(self, staff):
        page = staff.get(admin_url("add"))
        data = form_data(page)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        data.update(
            title="Đề án mới",
            province=str(staff.province.pk),
            year=str(YEAR),
            funding_source="KCQG",
            category=str(factories.category().pk),
            support_vnd="100.000.000",
            counterpart_vnd="0",
            proposed_on=tomorrow.isoformat(),
        )

        response = staff.post(admin_url("add"), data)

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["proposed_on"] == [str(PROPOSAL_IN_FUTURE)]
        assert not Project.objects.exists()

    def test_the_step_screen_refuses_a_step_before_the_proposal(self, staff):
        project = factories.project(staff.province, YEAR, status=S.PROPOSED, proposed_on=PROPOSED_ON)

        response = staff.post(
            admin_url("transition", project.pk),
            {"to_status": S.APPRAISED, "date": "2024-02-20", "document_number": "", "note": ""},
        )

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["date"] == [step_before()]
        assert not project.transitions.exists()


class ApiTests(TestCase):
    URL = "/api/v1/projects/"

    @classmethod
    def setUpTestData(cls):
        cls.province = factories.province("79", new_era=True)
        cls.staff = factories.member("province_staff", cls.province, username="staff")

    def setUp(self):
        self.api = APIClient()
        self.api.force_authenticate(self.staff)

    def body(self, **fields):
        return {
            "province": self.province.pk,
            "year": 2026,
            "funding_source": "KCQG",
            "category": "vocational_training",
            "title": "Đào tạo nghề mây tre đan",
            "support_vnd": "300000000",
            **fields,
        }

    def test_the_proposal_date_is_written_and_read(self):
        created = self.api.post(self.URL, self.body(proposed_on="2026-01-15"), format="json")
        self.assertEqual(created.status_code, 201, created.content)
        self.assertEqual(self.api.get(f"{self.URL}{created.json()['id']}/").json()["proposed_on"], "2026-01-15")

    def test_creation_with_its_steps_before_the_proposal_is_refused(self):
        response = self.api.post(
            self.URL, self.body(status="approved", status_date="2026-02-01", proposed_on="2026-02-10"), format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"proposed_on": [proposal_after(S.APPRAISED, D(2026, 2, 1))]})
        self.assertIn("Ngày đề xuất", response.json()["proposed_on"][0])  # in Vietnamese
        self.assertFalse(Project.objects.exists())

    def test_an_update_moving_the_proposal_after_a_step_is_refused(self):
        project = factories.project(self.province, 2026, status=S.APPRAISED, status_date=D(2026, 2, 1))
        response = self.api.patch(f"{self.URL}{project.pk}/", {"proposed_on": "2026-03-01"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"proposed_on": [proposal_after(S.APPRAISED, D(2026, 2, 1))]})
        self.assertIsNone(Project.objects.get(pk=project.pk).proposed_on)

    def test_a_step_before_the_proposal_is_refused(self):
        project = factories.project(self.province, 2026, status=S.PROPOSED, proposed_on=D(2026, 2, 10))
        response = self.api.post(
            f"{self.URL}{project.pk}/transitions/", {"to": "appraised", "date": "2026-02-09"}, format="json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"date": [step_before(D(2026, 2, 10))]})
        self.assertFalse(ProjectTransition.objects.filter(project=project).exists())


class ImportTests(ImportTestCase):
    """The `Ngày đề xuất` column (L) of the project sheet; the fixture's KCQG-2024-79-001 is in
    progress since 01/03/2024 (every step that day), KCQG-2024-79-002 only proposed."""

    NEW_ROW = [
        None,
        "Hỗ trợ máy móc cho cơ sở mây tre",
        "KCQG",
        "vocational_training",
        "single_site",
        "approved",
        "01/04/2024",
        "450.000.000",
        None,
        "",
        "",
    ]

    def test_the_template_has_the_column_and_a_filled_date_is_imported(self):
        data = appended(self.template(), "Đề án", [*self.NEW_ROW, "15/03/2024"])
        report = importer.import_file(data, self.officer, commit=True)
        self.assertTrue(report.committed, report.errors)
        project = Project.objects.get(title=self.NEW_ROW[1])
        self.assertEqual(project.proposed_on, D(2024, 3, 15))
        self.assertEqual(set(project.transitions.values_list("date", flat=True)), {D(2024, 4, 1)})
        # The next template carries the date back, in the last column.
        sheet = load_workbook(io.BytesIO(importer.build_template(self.hcm, YEAR)))["Đề án"]
        self.assertEqual(sheet["L1"].value, "Ngày đề xuất")
        dates = {row[0].value: row[11].value for row in sheet.iter_rows(min_row=2)}
        self.assertEqual(dates[project.code].date(), D(2024, 3, 15))

    def test_a_new_project_proposed_after_its_steps_is_refused(self):
        data = appended(self.template(), "Đề án", [*self.NEW_ROW, "02/04/2024"])
        self.assert_cell_error(data, "Đề án", 5, "", proposal_after(S.APPRAISED, D(2024, 4, 1)))

    def test_an_existing_project_moved_to_a_proposal_after_its_steps_is_refused(self):
        # Row 2 is KCDP-2024-79-001 (codes in order), settled on 01/02/2024.
        data = edited(self.template(), "Đề án", "L2", "05/02/2024")
        self.assert_cell_error(data, "Đề án", 2, "", proposal_after(S.APPRAISED, D(2024, 2, 1)))

    def test_a_step_before_the_proposal_is_refused_on_a_status_change(self):
        project = Project.objects.get(code="KCQG-2024-79-002")
        services.project_update(project=project, proposed_on=D(2024, 5, 1))
        data = self.template()
        data = edited(data, "Đề án", "F4", "appraised")
        data = edited(data, "Đề án", "G4", "20/04/2024")
        self.assert_cell_error(data, "Đề án", 4, "", step_before(D(2024, 5, 1)))

    def test_a_bad_date_in_the_column_is_named(self):
        data = edited(self.template(), "Đề án", "L3", "đầu năm")
        self.assert_cell_error(data, "Đề án", 3, "L (Ngày đề xuất)", importer.msg_bad_date())
