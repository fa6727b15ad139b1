"""Shared helpers of the benchmark scripts: Django set-up, timing, statistics and tables.

Timings are wall-clock seconds in the measuring process (`time.perf_counter`). Things that are
compared with each other are run interleaved, in a rotating order, so that the load other users
put on the machine falls on all of them alike; the reports give medians and 95th percentiles.
"""

import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
SETTINGS = "bench.settings"


def setup_django() -> None:
    """Configure Django with the bench settings on DATABASE_URL (which must be PostgreSQL)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmarks need PostgreSQL: run them through scripts/with-postgres.sh (make bench).")
    import django

    django.setup()


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process that runs bench code (same database, bench settings)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


# ---- statistics -------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile (the smallest value at or above 95 % of the samples)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def interleaved(runs: dict[str, Callable[[], object]], repeats: int, *, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds of each callable over `repeats` rounds, one call of each per round.

    The order rotates from round to round so that no callable always follows the same other
    one (caches warmed by the previous call would otherwise favour it). `warmup` untimed
    rounds first: the first call of a query pays for the plan cache and the buffer cache.
    """
    names = list(runs)
    for _round in range(warmup):
        for name in names:
            runs[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for index in range(repeats):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - started)
    return times


def ms(seconds: float) -> str:
    return "–" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


# ---- report pieces ----------------------------------------------------------------------------


@dataclass
class Section:
    """One section of RESULTS.md: a title, prose, tables and details (profiles) under it."""

    title: str
    intro: list[str] = field(default_factory=list)
    tables: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    targets: list[list[str]] = field(default_factory=list)  # [target, measured, met] for the overview
    missed: list[str] = field(default_factory=list)  # what missed its target, for the profiles
    data: dict = field(default_factory=dict)  # raw numbers another part of the run needs

    def markdown(self) -> str:
        parts = [f"## {self.title}", ""]
        if self.intro:
            parts += [*self.intro, ""]
        for table in self.tables:
            parts += [*table, ""]
        if self.notes:
            parts += [*self.notes, ""]
        return "\n".join(parts)


def table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None) -> list[str]:
    """A markdown table; `align` is one character per column: l, r or c."""
    align = align or "l" + "r" * (len(header) - 1)
    marks = {"l": ":--", "r": "--:", "c": ":-:"}
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
    }


def load_average() -> str:
    """The machine's 1- and 5-minute load averages (other users' jobs included)."""
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f}"


def run_json(command: list[str], *, env: dict[str, str] | None = None, timeout: float | None = None) -> dict:
    """Run a child that prints one line `RESULT {json}` last; return that JSON (stderr passes through)."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"{' '.join(command[:4])}… exited with {done.returncode}")
    line = next(line for line in reversed(done.stdout.splitlines()) if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def log(message: str) -> None:
    """Progress on stderr, so that the tables on stdout stay clean."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
