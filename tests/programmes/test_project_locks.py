"""Nothing rewrites a locked report through the records behind it (issue 13, item 4): a project
whose money or outputs are locked keeps its province, year, fund, category and support; a year
whose FY report is approved takes no new project and loses none. One rule, in the services."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from programmes import services
from programmes.models import FundingSource, Project, ProjectStatus, ProjectTransition
from programmes.services import projects as project_services
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _early_2026():
    with time_machine.travel(datetime.datetime(2026, 1, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def ministry():
    return factories.member("ministry", username="ministry")


@pytest.fixture
def hcm():
    return factories.province("79", new_era=True)


def _approve(province, year, period, user):
    record = services.period_submit(province=province, year=year, period=period, user=user)
    return services.period_approve(period=record, user=user)


@pytest.fixture
def locked_project(hcm, ministry):
    """A 2025 KCQG project of (new) TP Hồ Chí Minh with 2,6 tỷ đồng paid in July, inside its approved 9-month report."""
    project = factories.project(hcm, 2025, support_vnd=3_000_000_000, status_date=D(2025, 7, 2))
    services.disbursement_create(project=project, date=D(2025, 7, 10), amount_vnd=Decimal(2_600_000_000))
    _approve(hcm, 2025, "9M", ministry)
    return project


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("funding_source", FundingSource.KCDP),
        ("province", lambda: factories.province("01", new_era=True)),
        ("year", 2026),
        ("category", lambda: factories.category("consulting")),
        ("support_vnd", Decimal(3_100_000_000)),
    ],
)
def test_a_project_with_locked_money_keeps_the_fields_the_report_hangs_on(locked_project, field, value):
    value = value() if callable(value) else value
    with pytest.raises(ValidationError) as caught:
        services.project_update(project=Project.objects.get(pk=locked_project.pk), **{field: value})
    assert "Đã khóa" in caught.value.message_dict[field][0]
    stored = Project.objects.get(pk=locked_project.pk)
    assert (stored.funding_source, stored.province_id, stored.year, stored.support_vnd) == (
        FundingSource.KCQG,
        locked_project.province_id,
        2025,
        Decimal(3_000_000_000),
    )


def test_other_fields_of_a_locked_project_still_change(locked_project):
    services.project_update(project=locked_project, title="Tên mới của đề án")
    assert Project.objects.get(pk=locked_project.pk).title == "Tên mới của đề án"


def test_a_project_whose_money_is_after_the_approved_period_moves_freely(hcm, ministry):
    project = factories.project(hcm, 2025, status_date=D(2025, 7, 2))
    services.disbursement_create(project=project, date=D(2025, 11, 10), amount_vnd=Decimal(1_000))
    _approve(hcm, 2025, "9M", ministry)
    services.project_update(project=project, funding_source=FundingSource.KCDP)
    assert Project.objects.get(pk=project.pk).funding_source == FundingSource.KCDP


def test_a_closed_year_takes_no_new_project_and_loses_none(hcm, ministry):
    moving = factories.project(hcm, 2025, status_date=D(2025, 7, 2))
    empty = factories.project(hcm, 2025, status=ProjectStatus.PROPOSED)
    other = factories.project(factories.province("01", new_era=True), 2025, status_date=D(2025, 7, 2))
    _approve(hcm, 2025, "FY", ministry)
    with pytest.raises(ValidationError) as caught:
        factories.project(hcm, 2025, status_date=D(2025, 7, 2))
    assert "Không thêm" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:  # out of the closed year
        services.project_update(project=moving, year=2026)
    assert "year" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:  # into the closed province-year
        services.project_update(project=other, province=hcm)
    assert "province" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.project_delete(project=empty)
    assert caught.value.code == "locked"
    assert Project.objects.filter(pk=empty.pk).exists()
    assert Project.objects.filter(province=hcm, year=2025).count() == 2


def test_delete_removes_the_steps_and_records_the_deletion(hcm):
    user = factories.user("clerk")
    project = factories.project(hcm, 2026, status_date=D(2026, 1, 5))
    steps = ProjectTransition.objects.filter(project=project).count()
    assert steps > 0
    services.project_delete(project=project, user=user)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not ProjectTransition.objects.filter(project_id=project.pk).exists()
    deletion = Project.history.filter(id=project.pk, history_type="-").get()
    assert deletion.history_user == user
    assert project.code in deletion.history_change_reason


def test_a_project_with_money_is_not_deleted(hcm):
    project = factories.project(hcm, 2026, status_date=D(2026, 1, 5))
    services.disbursement_create(project=project, date=D(2026, 1, 10), amount_vnd=Decimal(1_000))
    with pytest.raises(ValidationError) as caught:
        services.project_delete(project=project)
    assert caught.value.messages == [str(project_services.PROJECT_HAS_RECORDS)]
    assert Project.objects.filter(pk=project.pk).exists()


# ---- The same rule in the API and the admin ---------------------------------------------------


def test_the_api_refuses_moving_locked_money_to_another_fund(locked_project, hcm):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(factories.member("province_staff", hcm))
    url = f"/api/v1/projects/{locked_project.pk}/"
    response = client.patch(url, {"funding_source": "KCDP"}, format="json")
    assert response.status_code == 400
    assert "Đã khóa" in response.json()["funding_source"][0]
    assert Project.objects.get(pk=locked_project.pk).funding_source == FundingSource.KCQG


def test_the_api_deletes_through_the_service(hcm, ministry):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(factories.member("province_staff", hcm))
    closed = factories.project(hcm, 2025, status_date=D(2025, 7, 2))
    open_ = factories.project(hcm, 2026, status_date=D(2026, 1, 5))
    _approve(hcm, 2025, "FY", ministry)
    response = client.delete(f"/api/v1/projects/{closed.pk}/")
    assert response.status_code == 400
    assert "khép lại" in response.json()["non_field_errors"][0]
    assert client.delete(f"/api/v1/projects/{open_.pk}/").status_code == 204
    assert Project.history.filter(id=open_.pk, history_type="-").exists()


def _admin_client(client):
    client.force_login(factories.user(is_staff=True, is_superuser=True))
    return client


def _change_url(project, view="change"):
    from django.urls import reverse

    return reverse(f"admin:programmes_project_{view}", args=[project.pk])


def test_the_admin_shows_locked_fields_read_only_with_the_reason(client, locked_project):
    client = _admin_client(client)
    response = client.get(_change_url(locked_project))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert not {"province", "year", "funding_source", "category", "support_vnd"} & set(form.fields)
    assert "title" in form.fields
    assert any("Đã khóa" in str(message) for message in response.context["messages"])


def test_the_admin_refuses_a_project_in_a_closed_year_and_its_deletion(client, hcm, ministry):
    from django.urls import reverse

    client = _admin_client(client)
    existing = factories.project(hcm, 2025, status=ProjectStatus.PROPOSED)
    _approve(hcm, 2025, "FY", ministry)
    response = client.post(
        reverse("admin:programmes_project_add"),
        {
            "title": "Đề án năm đã khép lại",
            "province": hcm.pk,
            "year": 2025,
            "funding_source": "KCQG",
            "category": factories.category().pk,
            "project_type": "single_site",
            "support_vnd": "1.000.000",
            "counterpart_vnd": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the refusal
    assert "khép lại" in str(response.context["adminform"].form.non_field_errors())
    assert Project.objects.filter(province=hcm, year=2025).count() == 1
    response = client.post(_change_url(existing, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert Project.objects.filter(pk=existing.pk).exists()
    response = client.post(
        reverse("admin:programmes_project_changelist"),
        {"action": "delete_selected", "_selected_action": [existing.pk], "post": "yes"},
    )
    assert Project.objects.filter(pk=existing.pk).exists()


def test_the_admin_deletes_an_open_project_through_the_service(client, hcm):
    client = _admin_client(client)
    project = factories.project(hcm, 2026, status_date=D(2026, 1, 5))
    response = client.post(_change_url(project, "delete"), {"post": "yes"})
    assert response.status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert project.code in Project.history.get(id=project.pk, history_type="-").history_change_reason
