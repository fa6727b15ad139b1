"""The user's own page of API tokens ("Mã truy cập API": list, revoke with confirmation, no
script needed) and the administrators' token pages in the admin."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # 08:00 in Hà Nội
TOKENS_URL = "/tai-khoan/ma-truy-cap/"


def _token(user, **fields):
    from accounts.models import ApiToken

    instance, token = ApiToken.objects.create(user=user, expiry=datetime.timedelta(hours=8))
    if fields:
        ApiToken.objects.filter(pk=instance.pk).update(**fields)
        instance.refresh_from_db()
    return instance, token


def _works(token: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/regions/").status_code == 200


@pytest.fixture
def staff():
    return factories.member("province_staff", factories.province("79", new_era=True), username="hcm.staff")


# --- the owner's page -----------------------------------------------------------------------------


def test_the_page_is_reached_from_the_user_menu(client, staff):
    client.force_login(staff)
    assert reverse("accounts:tokens") == TOKENS_URL
    page = client.get("/").content.decode()
    header = page.split('<div class="header-tools">', 1)[1].split("</header>", 1)[0]
    assert f'<a href="{TOKENS_URL}"' in header
    assert "Mã truy cập API" in header


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next={TOKENS_URL}"


def test_the_list_shows_the_users_own_tokens_that_have_not_expired(client, staff, django_assert_num_queries):
    other = factories.member("viewer", username="khac")
    with time_machine.travel(START, tick=False) as traveller:
        used, _ = _token(staff, last_used=START + datetime.timedelta(minutes=30))
        traveller.shift(datetime.timedelta(hours=1))
        fresh, _ = _token(staff)
        _token(staff, expiry=START - datetime.timedelta(minutes=1))  # expired
        theirs, _ = _token(other)
        traveller.shift(datetime.timedelta(minutes=5))
        client.force_login(staff)
        # session, user, the user's unexpired tokens, the header's unread notifications; the
        # menu's import link: the user's role groups, their province (access.may_import)
        with django_assert_num_queries(6):
            response = client.get(TOKENS_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Mã truy cập API</h1>" in page
    rows = re.findall(r"<tr>\s*<td><code>(\w+)…</code></td>(.*?)</tr>", page, re.S)
    assert [key for key, _ in rows] == [fresh.token_key[:8], used.token_key[:8]]  # newest first
    assert theirs.token_key[:8] not in page
    fresh_row, used_row = (re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for _, row in rows)
    assert fresh_row.startswith("09:00 02/03/2026 17:00 02/03/2026 Chưa dùng")
    assert used_row.startswith("08:00 02/03/2026 16:00 02/03/2026 08:30 02/03/2026")
    assert page.count(">Thu hồi</a>") == 2


def test_with_no_token_the_page_says_how_to_get_one(client, staff):
    client.force_login(staff)
    page = client.get(TOKENS_URL).content.decode()
    assert "Bạn chưa có mã truy cập nào còn hiệu lực." in page
    assert "/api/v1/auth/token/" in page


def test_revoking_asks_for_confirmation_then_the_token_stops_working(client, staff, django_assert_num_queries):
    from accounts.models import ApiToken

    instance, token = _token(staff)
    client.force_login(staff)
    url = reverse("accounts:token-revoke", args=[instance.digest])

    confirm = client.get(url)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Thu hồi mã truy cập" in page
    assert f'<form method="post" action="{url}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert _works(token)  # nothing happens on GET

    # session, user, the token (owner's), its deletion
    with django_assert_num_queries(4):
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == TOKENS_URL
    assert not ApiToken.objects.filter(pk=instance.pk).exists()
    assert not _works(token)
    assert "Đã thu hồi mã truy cập" in client.get(TOKENS_URL).content.decode()


def test_nobody_revokes_another_users_token(client, staff):
    from accounts.models import ApiToken

    theirs, token = _token(factories.member("viewer", username="khac"))
    client.force_login(staff)
    url = reverse("accounts:token-revoke", args=[theirs.digest])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert _works(token)


def test_revoking_needs_the_csrf_token(client, staff):
    instance, token = _token(staff)
    client.handler.enforce_csrf_checks = True
    client.force_login(staff)
    assert client.post(reverse("accounts:token-revoke", args=[instance.digest])).status_code == 403
    assert _works(token)


# --- the administrators' pages ----------------------------------------------------------------------

CHANGELIST = "/quan-tri/accounts/apitoken/"


def test_administrators_see_every_token_with_its_owner(client, staff, django_assert_num_queries):
    admin_user = factories.member("admin", username="boss")
    mine, _ = _token(staff)
    _token(factories.member("viewer", username="khac", first_name="Lan", last_name="Trần"))
    client.force_login(admin_user)
    client.get(CHANGELIST)  # warm the content types cache
    # session, user, role (groups), count, count of all (the filter), the user's permissions
    # and group permissions (the admin's list of apps), the page with owners and their provinces
    with django_assert_num_queries(8):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "hcm.staff" in page and "khac (Trần Lan)" in page
    assert mine.token_key[:8] in page
    assert "Thành phố Hồ Chí Minh" in page


def test_administrators_revoke_but_do_not_create_tokens(client, staff):
    from accounts.models import ApiToken

    instance, token = _token(staff)
    client.force_login(factories.member("admin", username="boss"))
    assert client.get(CHANGELIST + "add/").status_code == 403
    delete_url = reverse("admin:accounts_apitoken_delete", args=[instance.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()
    assert not _works(token)


@pytest.mark.parametrize("role", ["province_staff", "ministry"])
def test_other_roles_do_not_see_the_token_pages(client, role):
    user = factories.member(role, factories.province("79", new_era=True) if role == "province_staff" else None)
    client.force_login(user)
    assert client.get(CHANGELIST).status_code == 403
    assert CHANGELIST not in client.get("/quan-tri/").content.decode()
