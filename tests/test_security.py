"""Security hardening: login lockout, password rules, response headers, cookies, production
settings that pass `check --deploy`, and no secrets in the repository."""

import datetime
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / ".env.example"
LOGIN_URL = "/dang-nhap/"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


# --- the production environment of .env.example -------------------------------------------------


def _example_env(tmp_path: Path) -> dict[str, str]:
    """A process environment with only .env.example's variables, a fresh secret key (the example
    leaves it blank) and an SQLite file instead of its PostgreSQL address."""
    example = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            example[name.strip()] = value.strip()
    assert example["DJANGO_SECRET_KEY"] == "", "the example must not carry a secret key"
    example["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    example["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "AXES_", "DEMO_"))}
    return {**inherited, **example, "DJANGO_SETTINGS_MODULE": "khuyencong.settings"}


def test_the_production_settings_of_env_example_pass_check_deploy_without_a_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_example_env(tmp_path),
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues" in output


PRODUCTION_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "PROXY_COUNT",
]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """The security settings as .env.example makes them, read in a separate process."""
    code = (
        "import json, khuyencong.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_example_env(tmp_path_factory.mktemp("production")),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values.pop("DEBUG") is False
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_env_example_turns_on_https_hsts_for_a_year_and_secure_cookies(production):
    assert production == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "PROXY_COUNT": 1,
    }


# --- response headers ----------------------------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [LOGIN_URL, "/"])
def test_every_page_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert csp[directive][0] == "'self'"
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(csp[directive])
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_inline_styles_and_scripts_are_allowed_only_with_the_request_nonce(client):
    client.force_login(factories.user("boss", is_staff=True, is_superuser=True))
    url = reverse("admin:programmes_project_changelist")  # its template has a nonce'd <style>

    nonces = []
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        csp = _csp(response)
        [nonce] = [value for value in csp["script-src"] if value.startswith("'nonce-")]
        assert nonce in csp["style-src"]
        assert f'nonce="{nonce[7:-1]}"' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a fresh nonce for every response"


@pytest.mark.django_db
def test_in_production_plain_http_is_redirected_to_https(client, production):
    with override_settings(**production):
        response = client.get(LOGIN_URL)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{LOGIN_URL}"


@pytest.mark.django_db
@pytest.mark.parametrize("https", [{"secure": True}, {"headers": {"x-forwarded-proto": "https"}}], ids=["tls", "proxy"])
def test_in_production_https_responses_carry_hsts(client, production, https):
    with override_settings(**production):
        response = client.get(LOGIN_URL, **https)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_in_production_the_login_sets_secure_http_only_same_site_cookies(client, production):
    factories.user("chi")
    with override_settings(**production):
        response = client.post(LOGIN_URL, {"username": "chi", "password": "pw-chi"}, secure=True)
    assert response.status_code == 302
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        cookie = response.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


@pytest.mark.django_db
def test_the_admin_still_saves_with_an_http_only_csrf_cookie(client):
    """No script reads the CSRF cookie: the admin posts the token from its hidden form field."""
    factories.user("boss", is_staff=True, is_superuser=True)
    client.handler.enforce_csrf_checks = True
    # The admin's login is the portal's (khuyencong.admin_site): one login page for both.
    login_page = client.get(reverse("login"))
    assert login_page.cookies[settings.CSRF_COOKIE_NAME]["httponly"] is True
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.content.decode())[1]
    response = client.post(reverse("login"), {"username": "boss", "password": "pw-boss", "csrfmiddlewaretoken": token})
    assert response.status_code == 302

    # (The role groups cannot be added in the admin: a region is the simplest record that can.)
    add_url = reverse("admin:programmes_region_add")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(add_url).content.decode())[1]
    fields = {"code": "kiem-tra", "name": "Kiểm tra", "order": 9}
    response = client.post(add_url, {**fields, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.post(add_url, {**fields, "code": "khong-ma"}).status_code == 403


# --- login lockout -------------------------------------------------------------------------------


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True):
        yield


def _login(client, username, password, address="10.0.0.1", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _assert_form_with_error(response):
    assert response.status_code == 200
    assert "registration/login.html" in [t.name for t in response.templates]
    assert response.context["form"].non_field_errors()


def _assert_locked(response):
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Tài khoản tạm thời bị khóa" in page
    assert "thử lại sau 15 phút" in page
    assert "quản trị viên" in page
    assert 'action="/dang-xuat/"' not in page  # nobody is logged in


@pytest.mark.django_db
def test_four_wrong_passwords_keep_the_form_the_fifth_locks_even_the_right_password(client, axes_on):
    factories.user("chi")
    for _ in range(4):
        _assert_form_with_error(_login(client, "chi", "sai-mat-khau"))
    _assert_locked(_login(client, "chi", "sai-mat-khau"))

    _assert_locked(_login(client, "chi", "pw-chi"))
    assert not _logged_in(client)


@pytest.mark.django_db
def test_the_lock_lifts_15_minutes_after_the_last_attempt(client, axes_on):
    factories.user("chi")
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(5):
            _login(client, "chi", "sai-mat-khau")
        traveller.shift(datetime.timedelta(minutes=14))
        _assert_locked(_login(client, "chi", "pw-chi"))  # and the 15 minutes start again

        traveller.shift(datetime.timedelta(minutes=14))
        _assert_locked(_login(client, "chi", "pw-chi"))

        traveller.shift(datetime.timedelta(minutes=15, seconds=1))
        assert _login(client, "chi", "pw-chi").status_code == 302
        assert _logged_in(client)


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(client, axes_on):
    factories.user("chi")
    for _ in range(4):
        _login(client, "chi", "sai-mat-khau")
    assert _login(client, "chi", "pw-chi").status_code == 302
    client.post("/dang-xuat/")

    for _ in range(4):
        _assert_form_with_error(_login(client, "chi", "sai-mat-khau"))
    _assert_locked(_login(client, "chi", "sai-mat-khau"))


@pytest.mark.django_db
def test_the_lock_holds_one_user_name_from_one_address(client, axes_on):
    factories.user("chi")
    factories.user("lan")
    for _ in range(5):
        _login(client, "chi", "sai-mat-khau", address="10.0.0.1")

    assert _login(client, "chi", "pw-chi", address="10.0.0.2").status_code == 302
    client.post("/dang-xuat/")
    assert _login(client, "lan", "pw-lan", address="10.0.0.1").status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_a_forged_forwarded_for_does_not_dodge_the_lock(client, axes_on):
    factories.user("chi")
    for attempt in range(4):
        _login(client, "chi", "sai-mat-khau", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    _assert_locked(_login(client, "chi", "sai-mat-khau", HTTP_X_FORWARDED_FOR="203.0.113.99"))


@pytest.mark.parametrize(
    ("proxy_count", "forwarded_for", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1"),  # header ignored without a proxy
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the client's forged entry is skipped
        (2, "198.51.100.1, 203.0.113.7, 192.0.2.5", "203.0.113.7"),  # CDN then nginx
        (2, "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies: the leftmost trusted one
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_lockout_address_comes_from_the_proxies_only_when_configured(proxy_count, forwarded_for, expected):
    request = RequestFactory().post(LOGIN_URL, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)
    # The direct peer is the trusted proxy (tests/test_security_round2.py: when it is not).
    with override_settings(PROXY_COUNT=proxy_count, TRUSTED_PROXIES=["10.0.0.1/32"]):
        assert get_client_ip_address(request) == expected


def test_lockout_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    # Per address too (password spraying): tests/test_security_round2.py.
    assert settings.AXES_LOCKOUT_PARAMETERS == ["ip_address", ["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AXES_LOCKOUT_TEMPLATE == "registration/locked_out.html"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


# --- password rules -------------------------------------------------------------------------------


def test_the_four_django_password_validators_with_ten_characters_at_least():
    validators = {v["NAME"].rsplit(".", 1)[1]: v.get("OPTIONS", {}) for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert validators == {
        "UserAttributeSimilarityValidator": {},
        "MinimumLengthValidator": {"min_length": 10},
        "CommonPasswordValidator": {},
        "NumericPasswordValidator": {},
    }


@pytest.mark.parametrize(
    ("password", "username", "messages"),
    [
        (
            "12345678",
            "chi",
            [
                "Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 10 ký tự.",
                "Mật khẩu này quá phổ biến, dễ bị đoán ra.",
                "Mật khẩu này chỉ gồm chữ số.",
            ],
        ),
        ("Kc-2026!x", "chi", ["Mật khẩu quá ngắn. Mật khẩu phải có ít nhất 10 ký tự."]),
        # The portal's wording (khuyencong/django_messages.py), not Django's calque "giống với Tên đăng nhập".
        ("password123", "chi", ["Mật khẩu này quá phổ biến, dễ bị đoán ra."]),
        ("khuyencong", "khuyencong.hanoi", ["Mật khẩu quá giống tên đăng nhập."]),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(password, username, messages):
    user = get_user_model()(username=username)
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, user)
    assert refused.value.messages == messages


@pytest.mark.parametrize("password", ["Khuyen-cong-2026!", "Another-strong-2026", "khuyencong-demo"])
def test_the_passwords_the_commands_and_demo_use_are_accepted(password):
    password_validation.validate_password(password, get_user_model()(username="hcm.staff"))


# --- no secrets in the repository -----------------------------------------------------------------


def test_env_example_lists_every_variable_the_settings_read():
    source = (ROOT / "khuyencong" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env_bool|env_int|env_list|os\.environ\.get)\(\s*"(\w+)"', source))
    listed = set(re.findall(r"^#?\s*(\w+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))
    assert read - {"DJANGO_SETTINGS_MODULE"} <= listed
    assert "DJANGO_PROXY_COUNT" in read and "DJANGO_HSTS_SECONDS" in read


def test_env_example_carries_placeholders_not_secrets():
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert values["DJANGO_SECRET_KEY"] == ""
    assert ":change-me@" in values["DATABASE_URL"]
