"""Security hardening, round 2 (issue 17): the client address behind proxies, limits shared by
every worker, private caching, the closed API schema, JSON errors under /api/, and the security
headers of every kind of response.

New modules are imported inside the tests, so that each test fails on its own before the fix.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import include, path
from rest_framework.test import APIClient

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/dang-nhap/"


# --- a URL configuration with views that fail, for the error pages -------------------------------


def _raise_permission_denied(request):
    raise PermissionDenied


def _raise_suspicious(request):
    raise SuspiciousOperation("forged input")


def _raise_error(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("tu-choi/", _raise_permission_denied),
    path("nghi-van/", _raise_suspicious),
    path("loi/", _raise_error),
    path("api/v1/loi/", _raise_error),
    path("", include("khuyencong.urls")),
]
ERRORS_URLCONF = "tests.test_security_round2"


# --- the client address: X-Forwarded-For only from a trusted proxy -------------------------------


def _request(remote_addr: str, forwarded_for: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    return RequestFactory().post(LOGIN_URL, REMOTE_ADDR=remote_addr, **extra)


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        # gunicorn reached directly, past nginx: the forged header is ignored.
        ("203.0.113.5", "198.51.100.7", "203.0.113.5"),
        ("10.0.0.8", "198.51.100.7", "10.0.0.8"),
        # Through nginx on the same host: the address nginx saw.
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "203.0.113.9, 198.51.100.7", "198.51.100.7"),
        ("::1", "198.51.100.7", "198.51.100.7"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ],
)
def test_forwarded_for_is_read_only_when_the_peer_is_a_trusted_proxy(remote_addr, forwarded_for, expected):
    with override_settings(PROXY_COUNT=1, TRUSTED_PROXIES=["127.0.0.0/8", "::1/128"]):
        assert get_client_ip_address(_request(remote_addr, forwarded_for)) == expected


def test_a_trusted_proxy_network_given_as_cidr():
    with override_settings(PROXY_COUNT=1, TRUSTED_PROXIES=["10.20.0.0/16"]):
        assert get_client_ip_address(_request("10.20.3.4", "198.51.100.7")) == "198.51.100.7"
        assert get_client_ip_address(_request("10.21.3.4", "198.51.100.7")) == "10.21.3.4"


def test_two_proxies_the_address_the_outer_one_saw():
    with override_settings(PROXY_COUNT=2, TRUSTED_PROXIES=["127.0.0.1/32"]):
        request = _request("127.0.0.1", "198.51.100.1, 203.0.113.7, 192.0.2.5")
        assert get_client_ip_address(request) == "203.0.113.7"


def test_the_throttle_and_the_lockout_use_the_same_address():
    from accounts.throttling import TokenAddressThrottle
    from common.client_address import client_ip_address

    with override_settings(PROXY_COUNT=1, TRUSTED_PROXIES=["127.0.0.1/32"]):
        for request in (_request("127.0.0.1", "198.51.100.7"), _request("203.0.113.5", "198.51.100.7")):
            assert TokenAddressThrottle().get_ident(request) == client_ip_address(request)
            assert get_client_ip_address(request) == client_ip_address(request)


def _load_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "API_"))}
    return subprocess.run(
        [sys.executable, "-c", f"import khuyencong.settings as s; {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
    )


def test_trusted_proxies_default_to_loopback_behind_a_proxy_and_to_none_without():
    code = "print(s.PROXY_COUNT, s.TRUSTED_PROXIES)"
    assert _load_settings(code, DJANGO_PROXY_COUNT="1").stdout.strip() == "1 ['127.0.0.0/8', '::1/128']"
    assert _load_settings(code).stdout.strip() == "0 []"
    given = _load_settings(code, DJANGO_PROXY_COUNT="1", DJANGO_TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16")
    assert given.stdout.strip() == "1 ['10.0.0.5/32', '10.1.0.0/16']"


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start_up():
    result = _load_settings("", DJANGO_PROXY_COUNT="1", DJANGO_TRUSTED_PROXIES="nginx.local")
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr


def _check_ids() -> set[str]:
    return {message.id for message in checks.run_checks() if message.id and message.id.startswith("khuyencong.")}


@pytest.mark.parametrize(
    ("proxy_count", "trusted", "expected"),
    [
        (1, ["127.0.0.0/8"], set()),
        (0, [], set()),
        (1, [], {"khuyencong.E001"}),  # a proxy count with no proxy to trust: the header is never read
        (0, ["127.0.0.0/8"], {"khuyencong.E002"}),  # proxies to trust but no count: probably a mistake
        (1, ["0.0.0.0/0"], {"khuyencong.E003"}),  # everyone is trusted: X-Forwarded-For is forgeable again
        (1, ["::/0"], {"khuyencong.E003"}),
    ],
)
@pytest.mark.django_db  # the model checks ask the database whether it has JSON (approved_figures)
def test_the_system_check_refuses_an_inconsistent_proxy_setting(proxy_count, trusted, expected):
    with override_settings(PROXY_COUNT=proxy_count, TRUSTED_PROXIES=trusted):
        assert _check_ids() & {"khuyencong.E001", "khuyencong.E002", "khuyencong.E003"} == expected


# --- limits shared by every worker: the database cache ------------------------------------------


def test_the_default_cache_is_the_database_so_workers_share_the_limits():
    default = settings.CACHES["default"]
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["LOCATION"] == "portal_cache"


def test_cache_url_selects_redis():
    code = "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'])"
    result = _load_settings(code, CACHE_URL="redis://127.0.0.1:6379/1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/1"]
    assert "redis" not in result.stderr  # redis-py is not imported by the settings


def test_a_cache_url_that_is_not_redis_stops_the_start_up():
    result = _load_settings("", CACHE_URL="memcached://127.0.0.1:11211")
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr


@pytest.mark.django_db
def test_the_check_asks_for_redis_py_when_cache_url_needs_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # as if it were not installed
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://h:6379/0"}}
    with override_settings(CACHES=redis):
        assert "khuyencong.E004" in _check_ids()
    assert "khuyencong.E004" not in _check_ids()


@pytest.mark.django_db
def test_the_cache_table_is_made_by_migrate():
    cache.set("probe", 42, 30)
    assert cache.get("probe") == 42


# --- the token endpoint's throttle: per address and per user name -------------------------------


@pytest.fixture
def api():
    cache.clear()
    yield APIClient()
    cache.clear()


def _ask_token(api, username="chi", **extra):
    return api.post(TOKEN_URL, {"username": username, "password": "sai-mat-khau"}, format="json", **extra)


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_dodge_the_token_limit_when_gunicorn_is_reached_directly(api):
    rest = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # what production had: one proxy in front
    with override_settings(PROXY_COUNT=1, TRUSTED_PROXIES=["127.0.0.1/32"], REST_FRAMEWORK=rest):
        codes = [
            _ask_token(api, f"user{n}", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
            for n in range(11)
        ]
    assert codes == [400] * 10 + [429]


@pytest.mark.django_db
def test_the_token_limit_holds_one_user_name_across_addresses(api):
    codes = [_ask_token(api, "chi", REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(11)]
    assert codes == [400] * 10 + [429]
    assert _ask_token(api, "lan", REMOTE_ADDR="198.51.100.200").status_code == 400


@pytest.mark.django_db
def test_the_token_limit_holds_one_address_across_user_names(api):
    codes = [_ask_token(api, f"user{n}", REMOTE_ADDR="198.51.100.1").status_code for n in range(11)]
    assert codes == [400] * 10 + [429]
    assert _ask_token(api, "lan", REMOTE_ADDR="198.51.100.2").status_code == 400


@pytest.mark.django_db
def test_the_user_name_limit_ignores_case_and_spaces(api):
    codes = [
        _ask_token(api, name, REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n, name in enumerate(["chi", "CHI", " chi ", "Chi"] * 3)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10:] == [429, 429]


@pytest.mark.django_db
def test_a_throttled_answer_is_json_in_vietnamese(api):
    for n in range(10):
        _ask_token(api, "chi", REMOTE_ADDR=f"198.51.100.{n}")
    response = _ask_token(api, "chi", REMOTE_ADDR="198.51.100.99")
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert response.json()["detail"].startswith("Quá nhiều yêu cầu; hãy thử lại sau.")


# --- login lockout per address: password spraying across user names ----------------------------


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True):
        yield


def _login(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_spraying_many_user_names_from_one_address_is_stopped(client, axes_on):
    factories.user("chi")
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    assert limit == 20
    for n in range(limit - 1):
        assert _login(client, f"guess{n}", "Mua-xuan-2026").status_code == 200
    assert _login(client, "guess-last", "Mua-xuan-2026").status_code == 429

    # Even a right password is refused from that address, but not from another one.
    assert _login(client, "chi", "pw-chi").status_code == 429
    assert _login(client, "chi", "pw-chi", address="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(client, axes_on):
    factories.user("chi")
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        _login(client, f"guess{n}", "Mua-xuan-2026")
    assert _login(client, "chi", "pw-chi").status_code == 302
    client.post("/dang-xuat/")
    assert _login(client, "guess-last", "Mua-xuan-2026").status_code == 429


@pytest.mark.django_db
def test_one_user_name_is_still_locked_after_five_failures(client, axes_on):
    factories.user("chi")
    for _ in range(4):
        assert _login(client, "chi", "sai-mat-khau").status_code == 200
    assert _login(client, "chi", "sai-mat-khau").status_code == 429


def test_lockout_parameters():
    assert settings.AXES_LOCKOUT_PARAMETERS == ["ip_address", ["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_HANDLER == "accounts.lockout.PortalAxesHandler"


# --- private responses are not cached; no Server banner ------------------------------------------

PRIVATE = "private, no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/ky-bao-cao/", "/bao-cao/", "/quan-tri/"])
def test_every_page_for_a_signed_in_user_is_private(client, url):
    client.force_login(factories.member("admin", username="boss"))
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_api_answers_with_a_session_or_a_token_are_private(client, api):
    user = factories.member("viewer", username="xem")
    client.force_login(user)
    assert client.get("/api/v1/regions/").headers["Cache-Control"] == PRIVATE

    user.set_password("Khuyen-cong-2026!")
    user.save()
    token = api.post(TOKEN_URL, {"username": "xem", "password": "Khuyen-cong-2026!"}, format="json")
    assert token.status_code == 200
    assert token.headers["Cache-Control"] == PRIVATE  # it carries the token itself
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    response = reader.get("/api/v1/regions/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_an_excel_download_is_private(client):
    client.force_login(factories.member("ministry", username="bo"))
    response = client.get("/ky-bao-cao/excel/", {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == PRIVATE


def test_a_download_for_an_anonymous_visitor_is_private_too(rf):
    from django.contrib.auth.models import AnonymousUser

    from khuyencong.middleware import private_cache_middleware

    def view(request):
        response = HttpResponse(b"PK", headers={"Cache-Control": "public, max-age=3600"})
        response["Content-Disposition"] = 'attachment; filename="mau.xlsx"'
        return response

    request = rf.get("/mau.xlsx")
    request.user = AnonymousUser()
    assert private_cache_middleware(view)(request).headers["Cache-Control"] == PRIVATE

    request = rf.get("/dang-nhap/")
    request.user = AnonymousUser()
    page = private_cache_middleware(lambda request: HttpResponse(b"<p>"))(request)
    assert "Cache-Control" not in page.headers  # a public page may be cached


@pytest.mark.django_db
def test_static_files_keep_their_caching(client):
    client.force_login(factories.member("viewer"))
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


# --- security headers on every kind of response -------------------------------------------------


def _assert_security_headers(response):
    policy = dict(
        (name, values)
        for name, *values in (part.split() for part in response.headers["Content-Security-Policy"].split(";"))
    )
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Server" not in response.headers


@pytest.fixture
def error_pages(client):
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF=ERRORS_URLCONF):
        yield client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/khong-co-trang-nay/", 404, "Không tìm thấy trang"),
        ("/tu-choi/", 403, "Ngoài phạm vi tài khoản của bạn"),
        ("/nghi-van/", 400, "Yêu cầu không hợp lệ"),
        ("/loi/", 500, "Đã có lỗi ở máy chủ"),
    ],
)
def test_error_pages_carry_the_security_headers_and_speak_vietnamese(error_pages, url, status, heading):
    error_pages.force_login(factories.member("viewer"))
    response = error_pages.get(url)
    assert response.status_code == status
    assert heading in response.content.decode()
    _assert_security_headers(response)
    assert response.headers["Cache-Control"] == PRIVATE


@pytest.mark.django_db
def test_a_forged_host_gets_the_400_page_with_the_security_headers(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    _assert_security_headers(response)


@pytest.mark.django_db
def test_api_answers_and_downloads_carry_the_security_headers(client):
    client.force_login(factories.member("ministry"))
    _assert_security_headers(client.get("/api/v1/regions/"))
    _assert_security_headers(client.get("/ky-bao-cao/excel/", {"year": 2026}))


@pytest.mark.django_db
def test_in_production_api_answers_and_downloads_carry_hsts(client):
    client.force_login(factories.member("ministry"))
    production = {
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }
    with override_settings(**production):
        for response in (
            client.get("/api/v1/regions/", secure=True),
            client.get("/ky-bao-cao/excel/", {"year": 2026}, secure=True),
            client.get("/api/v1/khong-co/", secure=True),
        ):
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- the API schema and its documentation need a signed-in user ----------------------------------


@pytest.mark.django_db
def test_the_schema_is_closed_to_anonymous_visitors(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 403  # as every endpoint answers a request without credentials
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "Chưa đăng nhập: thiếu thông tin xác thực."


@pytest.mark.django_db
def test_the_docs_send_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=/api/v1/docs/")


@pytest.mark.django_db
def test_the_schema_and_docs_are_served_to_a_signed_in_user(client):
    client.force_login(factories.member("viewer"))
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi:" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200


def test_serve_permissions_follow_api_docs_public():
    assert settings.API_DOCS_PUBLIC is False
    assert settings.SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] == ["rest_framework.permissions.IsAuthenticated"]


def test_api_docs_public_opens_them_on_purpose():
    code = (
        "import django; django.setup(); "
        "from django.test import Client; c = Client(); "
        "print(c.get('/api/v1/schema/').status_code, c.get('/api/v1/docs/').status_code)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "API_"))}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "API_DOCS_PUBLIC": "1",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200"]


# --- errors under /api/ answer JSON ---------------------------------------------------------------


@pytest.mark.django_db
def test_an_oversized_api_body_answers_413_in_json(api):
    api.force_authenticate(factories.member("admin"))
    body = json.dumps({"note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api.post("/api/v1/budget-plans/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Dữ liệu gửi lên quá lớn (tối đa 2,5\xa0MB)."}


@pytest.mark.django_db
def test_an_oversized_token_request_answers_413_in_json(api):
    body = json.dumps({"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "p"})
    response = api.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Dữ liệu gửi lên quá lớn")


@pytest.mark.django_db
def test_an_unknown_api_address_answers_404_in_json(client):
    response = client.get("/api/v1/khong-co/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Không tìm thấy."}


@pytest.mark.django_db
def test_a_server_error_under_api_answers_500_in_json(error_pages):
    response = error_pages.get("/api/v1/loi/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Đã có lỗi ở máy chủ."}
    _assert_security_headers(response)


@pytest.mark.django_db
def test_pages_outside_the_api_keep_their_html_error_pages(client):
    response = client.get("/khong-co/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- documentation of the new settings -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "DJANGO_TRUSTED_PROXIES",
        "CACHE_URL",
        "API_TOKEN_SECONDS",
        "API_TOKEN_USER_RATE",
        "API_DOCS_PUBLIC",
        "AXES_ADDRESS_FAILURE_LIMIT",
    ],
)
def test_the_new_settings_are_documented(name):
    assert f"{name}=" in ENV_EXAMPLE.read_text(encoding="utf-8")
    assert f"`{name}`" in (ROOT / "README.md").read_text(encoding="utf-8")
