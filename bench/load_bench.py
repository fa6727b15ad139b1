"""The API under bounded load: gunicorn with 2 workers, wrk with 32 connections, on loopback.

`Server` starts `gunicorn khuyencong.wsgi` (sync workers, the portal's bench settings: DEBUG
off, persistent connections with health checks) on a free loopback port and waits until it
answers. `run` drives three list endpoints with wrk (`-t2 -c32`, a token of a ministry
official in the Authorization header, `bench/wrk_report.lua` for the 95th percentile and the
non-2xx count): the projects of a year (first page of 50, with the disbursed amounts), the
budget plans of a year, and the summary of a year (the dashboard's JSON).

Every endpoint gets a short untimed warm-up, then `rounds` timed runs of `seconds` each,
interleaved (A B C A B C…), so that other load on the machine falls on all three alike.
Requests/s is the total over all rounds; latency percentiles are the medians of the rounds'
percentiles; errors are socket errors plus non-2xx answers, summed. wrk, gunicorn and
PostgreSQL share the machine's cores: the numbers are those of one small server, not of the
load balancer set-up of docs/design.md §1.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from bench.common import BENCH, ROOT, Section, child_env, load_average, log, median, met, table

CONNECTIONS = 32
WORKERS = 2
YEAR = 2025
SUMMARY_P95_MS = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token_for(user) -> str:
    from accounts.models import ApiToken

    _instance, token = ApiToken.objects.create(user=user)
    return token


class Server:
    """gunicorn on a loopback port, for the length of a `with` block."""

    def __init__(self, token: str, *, workers: int = WORKERS, pg_options: str = ""):
        self.token, self.workers, self.pg_options = token, workers, pg_options
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "khuyencong.wsgi:application",
            f"--workers={self.workers}",
            f"--bind=127.0.0.1:{self.port}",
            "--timeout=120",
            "--log-level=warning",
            f"--chdir={ROOT}",
        ]
        self.log_path = BENCH / "out" / "gunicorn.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in __exit__
        env = child_env(BENCH_PG_OPTIONS=self.pg_options)
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/api/v1/regions/")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the arbiter stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def wrk(server: Server, path: str, seconds: int) -> dict:
    """One wrk run against `path`; the JSON line of wrk_report.lua as a dict."""
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout=10s",
        "--latency",
        f"--script={BENCH / 'wrk_report.lua'}",
        f"--header=Authorization: Token {server.token}",
        server.base + path,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK "))
    return json.loads(line.removeprefix("WRK "))


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (make bench installs it with apt-get)")


PATHS = {
    "projects": f"/api/v1/projects/?year={YEAR}",
    "budget-plans": f"/api/v1/budget-plans/?year={YEAR}",
    "summary": f"/api/v1/reports/summary/?year={YEAR}",
}
# The same summary from a second gunicorn whose connections tell PostgreSQL's planner that
# random reads cost little (1.1 instead of 4: data in memory or on SSD, as on a production
# server; see the profile of the summary endpoint for the plans). Measured alongside the
# others, not held to the target (the target is for the portal on a default server).
TUNED = "summary, random_page_cost 1.1"
TUNED_OPTIONS = "-c random_page_cost=1.1"


def run(*, token: str, seconds: int, rounds: int, warmup: int = 2) -> Section:
    ensure_wrk()
    paths = {**PATHS, TUNED: PATHS["summary"]}
    results: dict[str, list[dict]] = {name: [] for name in paths}
    load_before = load_average()
    with Server(token) as default, Server(token, pg_options=TUNED_OPTIONS) as tuned:
        servers = {name: tuned if name == TUNED else default for name in paths}
        for name, path in paths.items():
            status, body = servers[name].get(path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
            wrk(servers[name], path, warmup)
        for index in range(rounds):
            for name, path in paths.items():
                result = wrk(servers[name], path, seconds)
                results[name].append(result)
                log(
                    f"load {name} round {index + 1}: {result['requests'] / (result['duration_us'] / 1e6):.1f} req/s, "
                    f"p95 {result['p95_us'] / 1000:.0f} ms, errors {errors(result)}"
                )
    lines, missed, targets = [], [], []
    all_ok = True
    for name, runs in results.items():
        requests = sum(r["requests"] for r in runs)
        duration = sum(r["duration_us"] for r in runs) / 1e6
        failed = sum(errors(r) for r in runs)
        p95 = median([r["p95_us"] / 1000 for r in runs])
        target = []
        if failed:
            all_ok = False
            missed.append(f"load: {failed} errors on {name}")
        if name == "summary":
            target.append(f"p95 < {SUMMARY_P95_MS} ms: {met(p95 < SUMMARY_P95_MS)}")
            targets.append(
                [
                    f"summary API p95 < {SUMMARY_P95_MS} ms at {CONNECTIONS} connections, 2 workers",
                    f"p95 {p95:.0f} ms at {requests / duration:.1f} req/s",
                    met(p95 < SUMMARY_P95_MS),
                ]
            )
            if p95 >= SUMMARY_P95_MS:
                missed.append(
                    f"load: summary p95 {p95:.0f} ms at {CONNECTIONS} connections (target < {SUMMARY_P95_MS} ms)"
                )
        lines.append(
            [
                name,
                f"`{paths[name]}`",
                f"{requests:,}",
                f"{requests / duration:.1f}",
                f"{median([r['p50_us'] / 1000 for r in runs]):.0f}",
                f"{p95:.0f}",
                f"{median([r['p99_us'] / 1000 for r in runs]):.0f}",
                f"{max(r['max_us'] for r in runs) / 1000:.0f}",
                f"{failed} ({sum(r['non2xx'] for r in runs)} non-2xx)",
                "; ".join(target) or "–",
            ]
        )
    return Section(
        "API under load",
        intro=[
            f"gunicorn, {WORKERS} sync workers, bench settings (DEBUG off, persistent connections with health checks);",
            f"the last line is a second gunicorn whose connections set `{TUNED_OPTIONS}` (only one server is",
            "driven at a time);",
            f"wrk -t2 -c{CONNECTIONS} --timeout 10s on loopback with a ministry official's API token. Per endpoint a",
            f"{warmup} s warm-up, then {rounds} interleaved round(s) of {seconds} s "
            f"({rounds * seconds} s per endpoint).",
            "Latencies in ms: medians of the rounds' percentiles. Errors: socket errors (connect, read, write,",
            f"timeout) plus non-2xx answers. No errors anywhere: {met(all_ok)}. Machine load average (1 / 5 min)",
            f"before the run: {load_before}, after it: {load_average()} (2 cores).",
        ],
        tables=[
            table(
                ["endpoint", "path", "requests", "req/s", "p50", "p95", "p99", "max", "errors", "target"],
                lines,
                "llrrrrrrrl",
            )
        ],
        targets=[
            [
                "no errors under load",
                ", ".join(f"{name}: {sum(errors(r) for r in runs)}" for name, runs in results.items()),
                met(all_ok),
            ],
            *targets,
        ],
        missed=missed,
        data={
            name: {
                "rate": sum(r["requests"] for r in runs) / (sum(r["duration_us"] for r in runs) / 1e6),
                "connections": CONNECTIONS,
                "workers": WORKERS,
            }
            for name, runs in results.items()
        },
    )


def errors(result: dict) -> int:
    return sum(result[key] for key in ("connect", "read", "write", "timeout")) + result["non2xx"]


if __name__ == "__main__":  # pragma: no cover - run through bench/run.py
    os.chdir(ROOT)
    sys.exit("Run through bench/run.py (make bench).")
