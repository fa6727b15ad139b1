"""gunicorn.conf.py, with a real gunicorn on a loopback port: no `Server` banner, and the token
endpoint's limit counted once for all workers (the database cache), not once per worker."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(**extra: str) -> dict[str, str]:
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "API_", "GUNICORN_"))
    }
    return {**inherited, "DJANGO_SETTINGS_MODULE": "khuyencong.settings", **extra}


def _print_config(**env: str) -> dict[str, str]:
    result = subprocess.run(
        [str(GUNICORN), "--print-config", "-c", "gunicorn.conf.py", "khuyencong.wsgi"],
        cwd=ROOT,
        env=_environment(DJANGO_SECRET_KEY="x" * 50, **env),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in result.stdout.splitlines())
        if value
    }


def test_the_configuration_defaults():
    config = _print_config()
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["workers"] == str(2 * os.cpu_count() + 1)
    assert config["timeout"] == "30"
    assert config["graceful_timeout"] == "30"
    assert int(config["max_requests"]) > 0 and int(config["max_requests_jitter"]) > 0


def test_bind_and_workers_from_the_environment():
    config = _print_config(GUNICORN_BIND="0.0.0.0:9000", GUNICORN_WORKERS="3")
    assert (config["bind"], config["workers"]) == ("['0.0.0.0:9000']", "3")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with two workers on a migrated SQLite file, debug off, and a user `chi`."""
    work = tmp_path_factory.mktemp("gunicorn")
    port = _free_port()
    env = _environment(
        DJANGO_SECRET_KEY="gunicorn-test-only-secret-key-0123456789-abcdefghijklmnop",
        DATABASE_URL=f"sqlite:///{work / 'portal.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(WORKERS),
    )
    python = [sys.executable, "manage.py"]
    subprocess.run([*python, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    create = (
        "from django.contrib.auth.models import User; User.objects.create_user('chi', password='Khuyen-cong-2026!')"
    )
    subprocess.run([*python, "shell", "-c", create], cwd=ROOT, env=env, check=True)
    access_log = work / "access.log"
    process = subprocess.Popen(
        # The worker's process id in the access log shows which worker answered.
        [str(GUNICORN), "-c", "gunicorn.conf.py", "--access-logfile", str(access_log)]
        + ["--access-logformat", "%(p)s %(s)s", "khuyencong.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "error.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/dang-nhap/", timeout=2)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail((work / "error.log").read_text())
                time.sleep(0.2)
        yield base, access_log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _request(base: str, path: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_no_server_banner(server):
    base, _ = server
    for path in ("/dang-nhap/", "/static/css/portal.css", "/khong-co/", "/api/v1/regions/"):
        _status, headers = _request(base, path)
        assert "Server" not in headers, path


def _answered_by(access_log: Path) -> set[str]:
    """The process ids of the workers that answered a token request (400 or 429)."""
    lines = [line.split() for line in access_log.read_text().splitlines()]
    return {pid for pid, status in lines if status in ("400", "429")}


def test_the_token_limit_is_shared_by_the_workers(server):
    base, access_log = server

    def attempt(n: int) -> int:
        return _request(base, "/api/v1/auth/token/", {"username": f"user{n}", "password": "sai-mat-khau"})[0]

    # One after the other: the limit is counted with a read then a write, so it is exact for
    # requests in sequence (a burst in parallel may pass a request or two more).
    statuses = [attempt(n) for n in range(30)]
    assert statuses == [400] * 10 + [429] * 20
    # Sent one after the other, the kernel may hand every connection to the same idle worker;
    # a few at a time make both sync workers take some. Refused whichever answers.
    for batch in range(20):
        time.sleep(0.3)  # the access log is written after the response
        if len(_answered_by(access_log)) == WORKERS:
            break
        with ThreadPoolExecutor(max_workers=4) as pool:
            assert set(pool.map(attempt, range(100 + 4 * batch, 104 + 4 * batch))) == {429}
    assert len(_answered_by(access_log)) == WORKERS, "both workers answered token requests"
