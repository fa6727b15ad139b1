"""Measure reading each hostile workbook: CPU and wall time, peak RSS, traced peak, outcome.

    .venv/bin/python -m tests.hostile.measure [NAME ...]

Creates a throwaway test database (the test settings), builds the corpus from the template of
province 79, then reads each file with programmes.importer.read_workbook in a forked child, twice:
once plain (CPU, wall time and the child's peak RSS less that of an idle child) and once under
tracemalloc (its traced peak; tracemalloc slows Python down several times, so its time is not
reported). A child still running after --timeout seconds is killed and reported as such.
Not part of the test suite: the numbers go in reports, the bounds are asserted by
tests/programmes/test_import_hostile.py.
"""

import argparse
import json
import os
import resource
import select
import signal
import sys
import time


def _setup() -> bytes:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from programmes import importer
    from tests import factories

    return importer.build_template(factories.province("79"), 2024)


def _read(data: bytes, filename: str, traced: bool) -> dict:
    import tracemalloc

    from programmes import importer

    if traced:
        tracemalloc.start()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        parsed = importer.read_workbook(data, filename)
        outcome = "read: " + ", ".join(f"{len(rows)}" for rows in parsed.rows.values()) + " rows"
    except importer.ImportRefused as refusal:
        outcome = "refused: " + refusal.message
    except Exception as error:  # what the view would answer with a 500
        outcome = f"ERROR (500): {type(error).__name__}: {str(error)[:80]}"
    result = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "outcome": outcome}
    if traced:
        result["peak"] = tracemalloc.get_traced_memory()[1]
    return result


def _in_child(work, timeout: float) -> tuple[dict | None, int]:
    """Run `work()` in a forked child; its JSON result (None when killed) and peak RSS in KB."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            payload = json.dumps(work()).encode()
        except BaseException as error:  # noqa: BLE001 - reported, never raised in the child
            payload = json.dumps({"outcome": f"child failed: {error!r}"}).encode()
        os.write(write_end, payload)
        os._exit(0)
    os.close(write_end)
    ready, _w, _x = select.select([read_end], [], [], timeout)
    if not ready:
        os.kill(pid, signal.SIGKILL)
    chunks = []
    while ready and (chunk := os.read(read_end, 65536)):
        chunks.append(chunk)
    os.close(read_end)
    _pid, _status, usage = os.wait4(pid, 0)
    return (json.loads(b"".join(chunks)) if chunks else None), usage.ru_maxrss


def main(argv: list[str]) -> int:
    from tests.hostile import make_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(make_corpus.CORPUS))
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    base = _setup()
    print(f"defusedxml in use: {_defused()}")
    print(f"{'file':28} {'size KB':>8} {'CPU s':>7} {'wall s':>7} {'+RSS MB':>8} {'traced MB':>9}  outcome")
    for name in args.names:
        data = make_corpus.build(name, base)
        filename = make_corpus.CORPUS[name][1]
        # The child starts as a copy of this process, which grows as the corpus is built.
        _idle, idle_rss = _in_child(lambda: {}, args.timeout)
        plain, rss = _in_child(lambda d=data, f=filename: _read(d, f, traced=False), args.timeout)
        if plain is None:
            print(
                f"{name:28} {len(data) / 1024:8.1f} {'-':>7} {'>' + str(int(args.timeout)):>7} "
                f"{(rss - idle_rss) / 1024:8.0f} {'-':>9}  killed after {args.timeout:.0f} s"
            )
            continue
        traced, _rss = _in_child(lambda d=data, f=filename: _read(d, f, traced=True), args.timeout * 4)
        peak = f"{traced['peak'] / 1024 / 1024:9.1f}" if traced and "peak" in traced else f"{'-':>9}"
        print(
            f"{name:28} {len(data) / 1024:8.1f} {plain['cpu']:7.2f} {plain['wall']:7.2f} "
            f"{(rss - idle_rss) / 1024:8.0f} {peak}  {plain['outcome'][:110]}"
        )
        sys.stdout.flush()
    return 0


def _defused() -> bool:
    import openpyxl

    return openpyxl.DEFUSEDXML


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main(sys.argv[1:]))
