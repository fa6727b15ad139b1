"""Settings come from the environment and bad values stop the start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    code = (
        "import khuyencong.settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ)"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)


def test_debug_is_off_and_a_secret_key_is_required_by_default():
    result = _load_settings()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_sqlite_vietnamese_and_hanoi_time_by_default():
    result = _load_settings(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.sqlite3",
        "vi",
        "Asia/Ho_Chi_Minh",
        "True",
    ]


def test_database_url_selects_postgresql():
    result = _load_settings(DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://u:p@127.0.0.1:5432/k")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "django.db.backends.postgresql"


def test_bad_boolean_fails_loudly():
    result = _load_settings(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_bad_number_fails_loudly():
    result = _load_settings(DJANGO_DEBUG="1", DATABASE_CONN_MAX_AGE="sixty")
    assert result.returncode != 0
    assert "DATABASE_CONN_MAX_AGE must be a whole number" in result.stderr
