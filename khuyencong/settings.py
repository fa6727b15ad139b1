"""Settings for the khuyến công portal.

One module for every deployment: whatever differs between a laptop, CI and production is an
environment variable (listed with a comment in `.env.example`). Bad values stop the start-up
with `ImproperlyConfigured` rather than being guessed at.
"""

import datetime
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """The variable as a boolean; `default` when unset; ImproperlyConfigured for anything else."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    """The variable as an integer; `default` when unset; ImproperlyConfigured when not a number."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated variable as a list of non-empty, stripped items; `default` when unset."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off (see .env.example).")
    # Only for a developer's machine: DEBUG is on, nothing is served to anyone else.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "khuyencong.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "programmes",
    "conferences",
    "reports",
    "accounts",
]

MIDDLEWARE = [
    # The security headers first, so that every response has them: also the 400 page that
    # CommonMiddleware answers for a forged Host header, and static files.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "khuyencong.middleware.VietnameseFirstLocaleMiddleware",
    # Cache-Control: private, no-store for signed-in users (session or token) and files.
    "khuyencong.middleware.private_cache_middleware",
    # Errors under /api/ as JSON, in the active language; before CommonMiddleware, whose own
    # errors (a forged Host) it then sees too.
    "khuyencong.middleware.ApiErrorsAsJsonMiddleware",
    # A NUL byte in the query string is 400, not PostgreSQL's error (a 500); inside the above,
    # so that under /api/ it is JSON.
    "khuyencong.middleware.nul_byte_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "khuyencong.middleware.download_token_middleware",
    # Records the signed-in user on every history row.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "khuyencong.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                # The header's count of unread notifications, read only when a page shows it.
                "programmes.views.notifications.header_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "khuyencong.wsgi.application"

# SQLite by default so that a fresh clone runs with no set-up; PostgreSQL in production and in
# the second CI pass, selected by DATABASE_URL (postgres://user:pass@host:port/name).
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}

# A PostgreSQL streaming replica for the figures' reads (common/replica.py): only the summary's
# queries, outside a transaction, go there; everything else reads and writes the primary. In
# tests the alias mirrors the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the API's rate-limit counters, so every worker and every host must see the
# same one: the database by default (its table is created by `migrate`, accounts/migrations),
# Redis when CACHE_URL is set (redis://host:6379/0; needs the optional redis package:
# `pip install -e ".[redis]"`, imported only then). A per-process cache would give each gunicorn
# worker its own count.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis://, rediss:// or unix:// address; got {CACHE_URL!r}")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
            # Django's default of 300 entries would let a client who sends many user names push
            # the other counters out of the cache; expired entries are removed on each write.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Ten characters at least: the accounts enter and approve a national budget.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["khuyencong.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# In development static files are served from the app folders as they change.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out user is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Login lockout (the login page and the API's token endpoint): 5 wrong passwords for one user
# name from one address within 15 minutes lock that pair out for 15 minutes, and 20 wrong
# passwords from one address, whatever the user names, lock that address out (password
# spraying); a successful login clears its own pair's count only (accounts/lockout.py). Every
# attempt made while locked out starts the 15 minutes again, so the lockout page's "try again
# in 15 minutes" holds. An office behind one public address shares the address limit.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)
if not 0 < AXES_FAILURE_LIMIT <= AXES_ADDRESS_FAILURE_LIMIT:
    raise ImproperlyConfigured("AXES_FAILURE_LIMIT must be 1 or more, and AXES_ADDRESS_FAILURE_LIMIT at least as much")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# That page, or JSON for the API's token endpoint.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429

# The client's address, for the lockout and the API's rate limits: common.client_address.
# Behind reverse proxies that append the address they saw to X-Forwarded-For (nginx:
# `proxy_add_x_forwarded_for`), DJANGO_PROXY_COUNT says how many there are; the header is read
# only on connections from DJANGO_TRUSTED_PROXIES (addresses or networks, loopback by default
# when there is a proxy: nginx on the same host). With 0 proxies (the default) the header is
# ignored: read without a proxy in front it is whatever the client wants it to be, and a new
# address for each attempt would dodge the lockout. django-ipware, which axes would otherwise
# use for this, is not installed. A system check (accounts/checks.py) refuses settings that
# do not fit together.
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"DJANGO_PROXY_COUNT must be 0 or more; got {PROXY_COUNT}")


def _networks(name: str, default: list[str]) -> list[str]:
    """The variable as a list of networks in CIDR notation (a lone address is a /32 or /128)."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated IP addresses or networks (10.0.0.5, 10.0.0.0/24); got {item!r}"
            ) from None
    return networks


TRUSTED_PROXIES = _networks("DJANGO_TRUSTED_PROXIES", ["127.0.0.0/8", "::1/128"] if PROXY_COUNT else [])
AXES_CLIENT_IP_CALLABLE = "common.client_address.client_ip_address"

# HTTPS: production runs behind TLS (directly or behind a proxy that sets X-Forwarded-Proto).
# The defaults suit a developer's machine and the test suite; .env.example turns everything on.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# No script reads either cookie: the forms carry the CSRF token in a hidden field.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_SECONDS", 8 * 60 * 60)  # a working day
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS is sent only over HTTPS and browsers remember it: off unless configured (a year in
# .env.example); preload only once the domain is ready to be on browsers' built-in lists.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: only the portal's own files; inline <script>/<style> need the
# request's nonce ({% csp_nonce_attr %}), and nothing may frame the portal.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# API tokens: django-rest-knox with the portal's own token model (accounts.ApiToken, which adds
# the time a token was last used). Knox's migrations would still create the table of its own
# model, which is swapped out and never used: they are switched off. Only a digest of each token
# is stored; a token lasts API_TOKEN_SECONDS (a working day by default) and is revoked when its
# owner's password changes or the account is deactivated (accounts/signals.py).
KNOX_TOKEN_MODEL = "accounts.ApiToken"
MIGRATION_MODULES = {"knox": None}
API_TOKEN_SECONDS = env_int("API_TOKEN_SECONDS", 8 * 60 * 60)
if API_TOKEN_SECONDS <= 0:
    raise ImproperlyConfigured(f"API_TOKEN_SECONDS must be 1 or more; got {API_TOKEN_SECONDS}")
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(seconds=API_TOKEN_SECONDS),
    # The header clients already send: `Authorization: Token <token>`.
    "AUTH_HEADER_PREFIX": "Token",
    # A token's lifetime is fixed when it is issued: using it does not extend it.
    "AUTO_REFRESH": False,
}

REST_FRAMEWORK = {
    # The session first, as before: a request without credentials stays a 403 (with the token
    # first, DRF would answer 401 with `WWW-Authenticate: Token`, a change for existing clients).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "khuyencong.rest.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "khuyencong.rest.exception_handler",
    # Token requests per client address and per user name (accounts/throttling.py), counted in
    # the shared cache: slows password guessing through the API from one address or at one account.
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("API_TOKEN_RATE", "10/minute"),
        "token_username": os.environ.get("API_TOKEN_USER_RATE", "10/minute"),
    },
    "COERCE_DECIMAL_TO_STRING": True,
}

API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Khuyến công portal API",
    "DESCRIPTION": (
        "Plans, targets, projects, disbursements and outputs of Vietnam's industrial-extension "
        "programme, and the plan-completion summary. Amounts are whole đồng as decimal strings."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI describe every endpoint and field: for signed-in users only,
    # unless API_DOCS_PUBLIC opens them on purpose (khuyencong/api.py sends an anonymous visitor
    # of the docs page to the login page).
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny" if API_DOCS_PUBLIC else "rest_framework.permissions.IsAuthenticated"
    ],
    # Swagger UI from the installed drf-spectacular-sidecar package: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "programmes.models.ProjectStatus",
        "PlanStatusEnum": "programmes.models.ApprovalStatus",
        "ReportStatusEnum": "programmes.models.ReportingPeriod.Status",
        "PeriodEnum": "programmes.models.Period",
    },
}

# E-mail: the notifications and reminders (programmes.services.notifications). Under `make run`
# (DJANGO_DEBUG=1) they are printed on the console; in production the SMTP server of
# .env.example. PORTAL_URL is the address the e-mails link to.
_EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
_EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
if _EMAIL_USE_TLS and _EMAIL_USE_SSL:
    raise ImproperlyConfigured("DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL cannot both be on.")
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_EMAIL_BACKEND",
            f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
        ),
        "OPTIONS": {},
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": env_int("DJANGO_EMAIL_PORT", 25),
        "username": os.environ.get("DJANGO_EMAIL_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_PASSWORD", ""),
        "use_tls": _EMAIL_USE_TLS,
        "use_ssl": _EMAIL_USE_SSL,
        "timeout": env_int("DJANGO_EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Cổng khuyến công <khuyencong@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
