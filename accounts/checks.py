"""System checks of the project's settings that no single setting can check on its own.

Registered by the accounts app (accounts/apps.py). `manage.py check` (and so `migrate`,
`runserver`, `make check-deploy`) fails on an error.
"""

import importlib
import ipaddress

from django.conf import settings
from django.core import checks

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@checks.register(checks.Tags.security)
def check_proxies(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """DJANGO_PROXY_COUNT and DJANGO_TRUSTED_PROXIES must agree, and must not trust everyone."""
    errors = []
    if settings.PROXY_COUNT and not settings.TRUSTED_PROXIES:
        errors.append(
            checks.Error(
                "DJANGO_PROXY_COUNT is set but DJANGO_TRUSTED_PROXIES is empty: X-Forwarded-For would never be read.",
                hint="Set DJANGO_TRUSTED_PROXIES to the address of the reverse proxy (see .env.example).",
                id="khuyencong.E001",
            )
        )
    if settings.TRUSTED_PROXIES and not settings.PROXY_COUNT:
        errors.append(
            checks.Error(
                "DJANGO_TRUSTED_PROXIES is set but DJANGO_PROXY_COUNT is 0: the proxies' X-Forwarded-For is ignored.",
                hint="Set DJANGO_PROXY_COUNT to the number of reverse proxies, or remove DJANGO_TRUSTED_PROXIES.",
                id="khuyencong.E002",
            )
        )
    for network in settings.TRUSTED_PROXIES:
        if ipaddress.ip_network(network, strict=False).prefixlen == 0:
            errors.append(
                checks.Error(
                    f"DJANGO_TRUSTED_PROXIES contains {network}, which trusts every address: anyone could "
                    "forge X-Forwarded-For and dodge the login lockout and the API's rate limits.",
                    hint="List only the reverse proxies' own addresses or networks.",
                    id="khuyencong.E003",
                )
            )
    return errors


@checks.register(checks.Tags.caches)
def check_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A Redis cache (CACHE_URL) needs redis-py, which is an optional dependency."""
    if settings.CACHES["default"]["BACKEND"] != REDIS_CACHE:
        return []
    try:
        importlib.import_module("redis")
    except ImportError:
        return [
            checks.Error(
                "CACHE_URL selects Redis, but the redis package is not installed.",
                hint='Install it with `pip install -e ".[redis]"`, or unset CACHE_URL to use the database cache.',
                id="khuyencong.E004",
            )
        ]
    return []
