"""The production examples in deploy/ agree with the code they front (docs/deployment.md).

An nginx that refuses a body the portal would accept answers with its own English 413 page
instead of the import's Vietnamese message; an nginx that gives up before gunicorn's timeout
answers 504 where the portal would have answered; a unit that does not use gunicorn.conf.py
loses its timeouts and its banner removal.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from programmes import importer

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _nginx_size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def _gunicorn_setting(name: str) -> int:
    text = (ROOT / "gunicorn.conf.py").read_text()
    return int(re.search(rf"^{name} = (\d+)$", text, re.MULTILINE).group(1))


def test_nginx_lets_through_every_file_the_import_accepts():
    conf = (DEPLOY / "nginx.conf").read_text()
    size = re.search(r"client_max_body_size (\w+);", conf).group(1)
    assert _nginx_size(size) > importer.DEFAULT_MAX_BYTES


def test_nginx_waits_longer_than_gunicorn():
    conf = (DEPLOY / "nginx.conf").read_text()
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", conf).group(1))
    assert read_timeout > _gunicorn_setting("timeout")


def test_nginx_serves_the_collected_static_files_and_passes_the_client_address():
    conf = (DEPLOY / "nginx.conf").read_text()
    assert "alias /srv/khuyencong/staticfiles/;" in conf  # settings.STATIC_ROOT
    # DJANGO_PROXY_COUNT=1 reads the address nginx appends (README, "Behind nginx").
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "server_tokens off;" in conf


def test_web_unit_uses_gunicorn_conf_and_outlives_its_graceful_timeout():
    unit = (DEPLOY / "khuyencong-web.service").read_text()
    assert "gunicorn -c gunicorn.conf.py khuyencong.wsgi" in unit
    stop = int(re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE).group(1))
    assert stop > _gunicorn_setting("graceful_timeout")


@pytest.mark.parametrize("name", ["reminders", "backup"])
def test_each_timer_starts_its_service(name):
    timer = (DEPLOY / f"khuyencong-{name}.timer").read_text()
    assert "Persistent=true" in timer
    assert (DEPLOY / f"khuyencong-{name}.service").exists()


def test_reminder_unit_runs_the_command():
    unit = (DEPLOY / "khuyencong-reminders.service").read_text()
    assert "manage.py send_reminders" in unit
    assert (ROOT / "programmes/management/commands/send_reminders.py").exists()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_backup_script_is_valid_bash_and_refuses_without_a_database():
    script = DEPLOY / "backup.sh"
    subprocess.run(["bash", "-n", str(script)], check=True)
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
