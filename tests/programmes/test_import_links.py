"""The Excel import in plain sight (issue 15, item 4): linked from the menu, the home page, the
admin's index and the year-plan page, for those who import and for nobody else."""

import re

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

IMPORT_URL = "/nhap-excel/"


def _links(html: str) -> list[str]:
    return re.findall(rf'href="({IMPORT_URL}[^"]*)"', html)


@pytest.fixture
def hcm():
    return factories.province("79", new_era=True)


def test_province_staff_find_the_import_on_the_home_page_menu_and_admin_index(client, hcm):
    client.force_login(factories.member("province_staff", hcm, username="canbo"))
    home = client.get(reverse("home")).content.decode()
    assert len(_links(home)) == 2  # the menu's entry and the home page's task
    assert "Nhập từ Excel" in home
    index = client.get(reverse("admin:index")).content.decode()
    assert len(_links(index)) == 2  # the menu's entry and the index's button


def test_the_year_plan_page_opens_the_import_on_its_province_and_year(client, hcm):
    client.force_login(factories.member("province_staff", hcm, username="canbo"))
    page = client.get(reverse("programmes:year-plan-edit", args=[hcm.pk, 2026])).content.decode()
    link = f"{IMPORT_URL}?province={hcm.pk}&amp;year=2026"
    assert link in _links(page)
    form = client.get(IMPORT_URL, {"province": hcm.pk, "year": 2026}).content.decode()
    assert re.search(rf'<option value="{hcm.pk}" selected>', form)
    assert re.search(r'<option value="2026" selected>', form)


def test_a_link_to_a_province_the_user_may_not_import_preselects_nothing_of_it(client, hcm):
    hanoi = factories.province("01", new_era=True)
    client.force_login(factories.member("province_staff", hcm, username="canbo"))
    form = client.get(IMPORT_URL, {"province": hanoi.pk, "year": "abc"}).content.decode()
    assert f'value="{hanoi.pk}"' not in form
    assert re.search(rf'<option value="{hcm.pk}" selected>', form)


@pytest.mark.parametrize("role", ["viewer", "ministry"])
def test_those_who_do_not_import_see_no_link(client, role):
    client.force_login(factories.member(role, username=f"u-{role}"))
    assert _links(client.get(reverse("home")).content.decode()) == []
    if role == "ministry":
        assert _links(client.get(reverse("admin:index")).content.decode()) == []
