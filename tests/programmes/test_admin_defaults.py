"""The admin's defaults for a new record and its answer to another province's record."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.date(2026, 11, 22), tick=False)
def test_a_new_project_starts_in_the_staff_province_and_this_year(client):
    hcmc = factories.province("79", new_era=True)
    client.force_login(factories.member("province_staff", hcmc))

    form = client.get(reverse("admin:programmes_project_add")).context["adminform"].form

    assert form.initial["province"] == hcmc.pk
    assert form.initial["year"] == 2026


def test_nation_wide_roles_choose_the_province_themselves(client):
    client.force_login(factories.member("admin", is_superuser=True))

    form = client.get(reverse("admin:programmes_budgetplan_add")).context["adminform"].form

    assert "province" not in form.initial


def test_the_link_that_opened_the_form_wins(client):
    hcmc = factories.province("79", new_era=True)
    client.force_login(factories.member("province_staff", hcmc))

    form = client.get(reverse("admin:programmes_project_add"), {"year": 2025}).context["adminform"].form

    assert form.initial["year"] == "2025"


def test_another_provinces_record_is_refused_with_the_reason(client):
    hcmc, hanoi = factories.province("79", new_era=True), factories.province("01", new_era=True)
    theirs = factories.project(hanoi, 2026, title="Đề án của Hà Nội")
    client.force_login(factories.member("province_staff", hcmc))

    for view in ("change", "history", "delete"):
        response = client.get(reverse(f"admin:programmes_project_{view}", args=[theirs.pk]))
        if view == "history":
            # The history page is the audit page, which answers 404 for a record out of scope.
            assert response.status_code in (302, 403, 404)
            continue
        assert response.status_code == 403, view
        assert "ngoài phạm vi tài khoản của bạn" in response.content.decode()
        assert "Đề án của Hà Nội" not in response.content.decode()


def test_a_record_that_does_not_exist_keeps_django_s_answer(client):
    client.force_login(factories.member("province_staff", factories.province("79", new_era=True)))

    response = client.get(reverse("admin:programmes_project_change", args=[987654]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
