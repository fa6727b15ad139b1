"""Where jobs keep their files: settings.JOBS_DIR, private to the portal's user.

A job's result is `<job id>-<random>.xlsx` (the random part so that no one guesses another
job's file from its number); its progress while it runs is `<job id>.progress`, a few bytes of
JSON rewritten by rename (never half-written), whose modification time is the job's heartbeat.
The web and worker processes must see the same folder (one machine, or a shared volume).
"""

import json
import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings

DEFAULT_DIR_NAME = "khuyencong-jobs"


def jobs_dir() -> Path:
    path = Path(getattr(settings, "JOBS_DIR", "") or Path(tempfile.gettempdir()) / DEFAULT_DIR_NAME)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_result_name(job_id: int, suffix: str = ".xlsx") -> str:
    return f"{job_id}-{secrets.token_hex(8)}{suffix}"


def result_path(name: str) -> Path:
    """The path of a result file by its stored name; a name with a folder in it is refused."""
    if not name or os.sep in name or name.startswith("."):
        raise ValueError(f"not a result file name: {name!r}")
    return jobs_dir() / name


def progress_path(job_id: int) -> Path:
    return jobs_dir() / f"{int(job_id)}.progress"


def write_progress(job_id: int, rows_done: int, rows_total: int | None, step: str) -> None:
    """Replace the job's progress file (atomically: a reader sees the old or the new one)."""
    path = progress_path(job_id)
    temporary = path.with_suffix(".progress-new")
    temporary.write_text(json.dumps({"rows_done": rows_done, "rows_total": rows_total, "step": step}))
    os.replace(temporary, path)


def read_progress(job_id: int) -> tuple[dict, float] | None:
    """The job's last progress and its time (seconds since the epoch); None when it has none."""
    path = progress_path(job_id)
    try:
        beat = path.stat().st_mtime
        return json.loads(path.read_text()), beat
    except (FileNotFoundError, ValueError):
        return None


def remove_progress(job_id: int) -> None:
    progress_path(job_id).unlink(missing_ok=True)
