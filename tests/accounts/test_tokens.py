"""API tokens (issue 17, item 4): the unchanged contract of POST /api/v1/auth/token/, tokens
stored as digests, a lifetime of a working day, revocation on a password change and on
deactivation, the lockout on wrong passwords, and DRF's old plaintext tokens refused."""

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "Khuyen-cong-2026!"
START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def viewer():
    user = factories.member("viewer", username="xem")
    user.set_password(PASSWORD)
    user.save()
    return user


def _issue(username="xem", password=PASSWORD, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def _reader(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _works(token: str) -> bool:
    status = _reader(token).get("/api/v1/regions/").status_code
    assert status in (200, 403), status  # 403 as before for a refused token (the session comes first)
    return status == 200


# --- the contract ----------------------------------------------------------------------------------


def test_a_good_password_gets_a_token_and_its_expiry_eight_hours_later(viewer):
    with time_machine.travel(START, tick=False):
        response = _issue()
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"token", "expiry"}
        assert len(body["token"]) == 64
        assert datetime.datetime.fromisoformat(body["expiry"]) == START + datetime.timedelta(hours=8)
        assert body["expiry"].endswith("+07:00")  # the portal's time zone
        assert _works(body["token"])


def test_the_token_is_stored_as_a_digest_only(viewer):
    from accounts.models import ApiToken

    token = _issue().json()["token"]
    [stored] = ApiToken.objects.filter(user=viewer)
    assert stored.digest == hashlib.sha512(token.encode()).hexdigest()
    assert token.startswith(stored.token_key) and len(stored.token_key) < len(token) // 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        assert not any(token in str(value) for row in cursor.fetchall() for value in row)


def test_each_request_gets_its_own_token(viewer):
    first, second = _issue().json()["token"], _issue().json()["token"]
    assert first != second
    assert _works(first) and _works(second)


def test_a_token_expires_after_its_lifetime(viewer):
    from accounts.models import ApiToken

    with time_machine.travel(START, tick=False) as traveller:
        token = _issue().json()["token"]
        traveller.shift(datetime.timedelta(hours=8, seconds=-1))
        assert _works(token)
        traveller.shift(datetime.timedelta(seconds=2))
        response = _reader(token).get("/api/v1/regions/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Token không hợp lệ."}
    assert not ApiToken.objects.exists()  # an expired token is deleted when it is next presented


def test_the_lifetime_is_a_working_day_unless_configured():
    assert settings.REST_KNOX["TOKEN_TTL"] == datetime.timedelta(hours=8)
    assert settings.REST_KNOX["AUTH_HEADER_PREFIX"] == "Token"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "API_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import khuyencong.settings as s; print(s.REST_KNOX['TOKEN_TTL'])"],
        cwd=ROOT,
        env={**clean, "DJANGO_SECRET_KEY": "x" * 50, "API_TOKEN_SECONDS": "3600"},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "1:00:00", result.stderr


def test_the_last_use_is_recorded_at_most_once_a_minute(viewer, django_assert_num_queries):
    from accounts.models import ApiToken

    with time_machine.travel(START, tick=False) as traveller:
        token = _issue().json()["token"]
        assert ApiToken.objects.get().last_used is None
        traveller.shift(datetime.timedelta(minutes=5))
        assert _works(token)
        assert ApiToken.objects.get().last_used == timezone.now()
        traveller.shift(datetime.timedelta(seconds=30))
        # The token with its owner, the owner's other tokens (knox deletes the expired ones),
        # the owner's role (groups), the regions: no write.
        with django_assert_num_queries(4):
            assert _works(token)
        traveller.shift(datetime.timedelta(seconds=31))
        # The same and the update of last_used.
        with django_assert_num_queries(5):
            assert _works(token)
        assert ApiToken.objects.get().last_used == timezone.now()


def test_issuing_a_token_query_count(viewer, django_assert_num_queries):
    client = APIClient()
    # Each of the two rate-limit counters (address, user name) in the database cache: read it,
    # then write it (count for culling, savepoint, look up, insert, release) = 6 × 2; the user;
    # then in one transaction (savepoint, release): delete the user's expired tokens, insert
    # the token, update last_login. The savepoints are the test's: in production they are the
    # transactions' BEGIN and COMMIT.
    with django_assert_num_queries(18):
        response = client.post(TOKEN_URL, {"username": "xem", "password": PASSWORD}, format="json")
    assert response.status_code == 200


# --- wrong credentials and the lockout --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"username": "xem", "password": "sai-mat-khau"},
            {"non_field_errors": ["Tên đăng nhập hoặc mật khẩu không đúng."]},
        ),
        (
            {"username": "khong-co", "password": PASSWORD},
            {"non_field_errors": ["Tên đăng nhập hoặc mật khẩu không đúng."]},
        ),
        ({"username": "xem"}, {"password": ["Trường này là bắt buộc."]}),
        (
            {"username": "", "password": ""},
            {"username": ["Trường này không được để trống."], "password": ["Trường này không được để trống."]},
        ),
    ],
)
def test_wrong_credentials_answer_400_in_vietnamese(viewer, body, expected):
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == expected


def test_an_inactive_user_gets_no_token(viewer):
    viewer.is_active = False
    viewer.save()
    assert _issue().status_code == 400


@override_settings(AXES_ENABLED=True)
def test_wrong_passwords_through_the_api_are_counted_by_the_lockout(viewer, client):
    for _ in range(4):
        assert _issue(password="sai-mat-khau", REMOTE_ADDR="10.0.0.1").status_code == 400
    locked = _issue(password="sai-mat-khau", REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json() == {
        "detail": "Đăng nhập tạm thời bị chặn vì nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau 15 phút."
    }
    assert _issue(REMOTE_ADDR="10.0.0.1").status_code == 429  # even the right password
    # The login page shares the count.
    page = client.post("/dang-nhap/", {"username": "xem", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert page.status_code == 429


@override_settings(AXES_ENABLED=True)
def test_a_token_request_with_the_right_password_resets_the_count(viewer):
    for _ in range(4):
        _issue(password="sai-mat-khau", REMOTE_ADDR="10.0.0.1")
    assert _issue(REMOTE_ADDR="10.0.0.1").status_code == 200
    for _ in range(4):
        assert _issue(password="sai-mat-khau", REMOTE_ADDR="10.0.0.1").status_code == 400


# --- revocation ---------------------------------------------------------------------------------------


def test_a_password_change_revokes_every_token_of_the_user(viewer):
    from accounts.models import ApiToken

    other = factories.member("viewer", username="khac")
    other.set_password(PASSWORD)
    other.save()
    mine, theirs = _issue().json()["token"], _issue("khac").json()["token"]

    viewer.set_password("Mat-khau-moi-2026")
    viewer.save()

    assert not _works(mine)
    assert _works(theirs)
    assert not ApiToken.objects.filter(user=viewer).exists()


def test_a_password_change_through_the_portal_form_revokes_them(viewer, client):
    token = _issue().json()["token"]
    client.force_login(factories.member("admin", username="boss"))
    response = client.post(
        f"/quan-tri/auth/user/{viewer.pk}/password/",
        {"password1": "Mat-khau-moi-2026", "password2": "Mat-khau-moi-2026", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not _works(token)


def test_deactivation_revokes_them_and_reactivation_does_not_bring_them_back(viewer):
    token = _issue().json()["token"]
    viewer.is_active = False
    viewer.save()
    assert not _works(token)
    viewer.is_active = True
    viewer.save()
    assert not _works(token)


def test_other_saves_of_the_user_keep_the_tokens(viewer, django_assert_num_queries):
    token = _issue().json()["token"]
    viewer.first_name = "Chi"
    viewer.save()
    with django_assert_num_queries(1):  # the update only: last_login is neither password nor is_active
        viewer.last_login = timezone.now()
        viewer.save(update_fields=["last_login"])
    assert _works(token)


def test_a_token_of_a_deleted_user_is_gone(viewer):
    token = _issue().json()["token"]
    viewer.delete()
    assert not _works(token)


def test_drf_plaintext_tokens_no_longer_work(viewer):
    """rest_framework.authtoken kept each token in clear in authtoken_token; such a key, even if
    its table is still there, opens nothing."""
    assert "rest_framework.authtoken" not in settings.INSTALLED_APPS
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS authtoken_token "
            "(key varchar(40) PRIMARY KEY, created timestamp, user_id integer)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, timezone.now(), viewer.pk])
    assert not _works(key)


def test_the_migration_drops_drfs_plaintext_tokens():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0003_drop_plaintext_tokens")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")

        class Editor:
            execute = cursor.execute

        migration.drop_plaintext_tokens(apps, Editor())
    assert "authtoken_token" not in connection.introspection.table_names()
