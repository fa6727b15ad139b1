"""The audit trail, the programmes admin lists and the dashboard at national scale, measured
side by side: two code trees (before, after) against one database, in one run, interleaved.

    DATABASE_URL=postgres://… .venv/bin/python bench/pages_bench.py --before /path/to/old/tree [--rounds 7]

Needs a database filled by bench/generate.py. The first run also fills the history tables,
which the generator leaves empty: one creation row per project, disbursement, output and plan,
dated at the record's `created_at` and attributed in turn to 60 editors (`pages-editor-NN`),
so that the audit trail has 700,000 rows to page through (`fill_history`).

Each tree runs in its own process (`worker`), with its own code and the bench settings, and
answers requests read from stdin one JSON line at a time: a page through Django's test client
(all middleware, session, template) as a given user, with its time, its number of queries and
a digest of what it listed (history ids of the audit page, primary keys of an admin list, the
figures of a dashboard). Before anything is timed, the digests of both trees are asserted
equal for every case; each round then asks both trees every case in turn, alternating which
goes first. Times are medians of the rounds (wall clock in the worker, ms).
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITORS = 60

# The history tables filled for the audit trail, and the live tables they copy.
HISTORY = {
    "programmes_historicalproject": "programmes_project",
    "programmes_historicaldisbursement": "programmes_disbursement",
    "programmes_historicalprojectoutput": "programmes_projectoutput",
    "programmes_historicalbudgetplan": "programmes_budgetplan",
}


# ---- in the worker (either tree) -------------------------------------------------------------


def _setup():
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def fill_history() -> dict:
    """Creation rows in the history tables for the generated records (once: skipped when the
    project history has rows), the editors they are attributed to, and the people the bench
    signs in as. Returns {table: rows}."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from programmes.models import Province, UserProfile

    User = get_user_model()
    for username, group in (
        ("pages-ministry", "ministry"),
        ("pages-admin", "admin"),
        ("pages-officer", "province_staff"),
    ):
        user, _ = User.objects.get_or_create(username=username, defaults={"is_staff": group != "ministry"})
        user.groups.add(Group.objects.get(name=group))
        if group == "province_staff" and not UserProfile.objects.filter(user=user).exists():
            province = Province.objects.get(code="79", valid_to__isnull=True)
            UserProfile.objects.create(user=user, province=province, role=group)
    editors = []
    for number in range(EDITORS):
        editor, _ = User.objects.get_or_create(
            username=f"pages-editor-{number:02}", defaults={"first_name": "Cán bộ", "last_name": f"số {number:02}"}
        )
        editors.append(editor.pk)
    rows = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM programmes_historicalproject)")
        filled = cursor.fetchone()[0]
        for history, live in HISTORY.items():
            if not filled:
                cursor.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND column_name NOT LIKE 'history\\_%%'",
                    [history],
                )
                columns = ", ".join(f'"{name}"' for (name,) in cursor.fetchall())
                cursor.execute(
                    f"INSERT INTO {history} ({columns}, history_date, history_type, history_user_id) "
                    f"SELECT {columns}, created_at, '+', (%s::int[])[1 + id %% {EDITORS}] FROM {live} ORDER BY id",
                    [editors],
                )
            cursor.execute(f"SELECT count(*) FROM {history}")
            rows[history] = cursor.fetchone()[0]
    if not filled:
        with connection.cursor() as cursor:
            for history in HISTORY:
                cursor.execute(f"VACUUM ANALYZE {history}")
    return rows


def _digest(response) -> str:
    context = response.context
    if context is None:
        return ""
    if "entries" in context:
        listed = [entry.history_id for entry in context["entries"]]
    elif "cl" in context:
        listed = [obj.pk for obj in context["cl"].result_list]
    elif "summary" in context:
        summary = context["summary"]
        listed = [repr(summary.funds), repr(summary.indicators), repr(summary.pipeline), repr(summary.trend)]
    else:
        listed = []
    return hashlib.sha256(json.dumps(listed, default=str).encode()).hexdigest()[:16]


def worker() -> None:
    """Answer one JSON request per stdin line with one JSON line (see the module docstring)."""
    _setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}

    def client_for(username: str) -> Client:
        if username not in clients:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            clients[username] = client
        return clients[username]

    for line in sys.stdin:
        request = json.loads(line)
        kind = request["kind"]
        if kind == "fill":
            answer = fill_history()
        elif kind == "cursor":
            # The cursor just after the row at `offset` (computed once, untimed): where the page
            # after it starts, for the keyset tree.
            from reports import audit
            from reports.audit.trail import _rows

            user = get_user_model().objects.get(username=request["user"])
            (row,) = _rows(user, audit.AuditFilters(), 1, request["offset"], None)
            answer = audit.Cursor.of(row).token()
        elif kind == "admin-lists":
            from django.contrib import admin
            from django.urls import reverse

            answer = sorted(
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
                for model in admin.site._registry
                if model._meta.app_label == "programmes"
            )
        elif kind == "users":
            from reports import audit

            user = get_user_model().objects.get(username=request["user"])
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                people = audit.audit_users(user=user)
            answer = {
                "ms": (time.perf_counter() - started) * 1000,
                "queries": len(queries),
                "digest": hashlib.sha256(json.dumps([p.pk for p in people]).encode()).hexdigest()[:16],
            }
        else:  # a page
            client = client_for(request["user"])
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(request["url"])
            answer = {
                "ms": (time.perf_counter() - started) * 1000,
                "status": response.status_code,
                "queries": len(queries),
                "digest": _digest(response),
            }
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


# ---- the driver ----------------------------------------------------------------------------------


class Tree:
    def __init__(self, name: str, path: Path):
        self.name = name
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(path))
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "pages_bench.py"), "--worker"],
            cwd=path,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, **request):
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker stopped")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--before", type=Path, help="the tree of the code before (e.g. git archive of main)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", choices=["audit", "admin", "dashboard"], action="append")
    args = parser.parse_args()
    if args.worker:
        return worker()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Run against the PostgreSQL database that bench/generate.py filled (DATABASE_URL).")
    before, after = Tree("before", args.before.resolve()), Tree("after", ROOT)
    only = set(args.only or ["audit", "admin", "dashboard"])
    try:
        print("history rows:", after.ask(kind="fill"), file=sys.stderr)
        cases = []  # (label, {tree name: request})
        if "audit" in only:
            for number in (1, 200, 2000):
                new = {"kind": "page", "user": "pages-ministry", "url": "/bao-cao/nhat-ky/"}
                if number > 1:
                    token = after.ask(kind="cursor", user="pages-ministry", offset=(number - 1) * 50 - 1)
                    new["url"] += f"?before={token}"
                old = {"kind": "page", "user": "pages-ministry", "url": f"/bao-cao/nhat-ky/?page={number}"}
                cases.append((f"audit page {number}, ministry", {"before": old, "after": new}))
            users = {"kind": "users", "user": "pages-ministry"}
            cases.append(("audit 'changed by' list, ministry", {"before": users, "after": users}))
            officer = {"kind": "users", "user": "pages-officer"}
            cases.append(("audit 'changed by' list, province staff", {"before": officer, "after": officer}))
            page = {"kind": "page", "user": "pages-officer", "url": "/bao-cao/nhat-ky/"}
            cases.append(("audit page 1, province staff", {"before": page, "after": page}))
        if "admin" in only:
            for url in after.ask(kind="admin-lists"):
                request = {"kind": "page", "user": "pages-admin", "url": url}
                cases.append((url, {"before": request, "after": request}))
                if url.endswith("/project/"):
                    for order in ("o=-8", "o=8", "o=7"):
                        sorted_request = {**request, "url": f"{url}?{order}"}
                        cases.append((f"{url}?{order}", {"before": sorted_request, "after": sorted_request}))
        if "dashboard" in only:
            for url in ("/bao-cao/?year=2025", "/bao-cao/?year=2025&period=9M"):
                request = {"kind": "page", "user": "pages-ministry", "url": url}
                cases.append((f"dashboard {url}", {"before": request, "after": request}))
        trees = {"before": before, "after": after}
        results = {(label, name): [] for label, _ in cases for name in trees}
        first = {}
        for label, requests in cases:  # the warm-up round: the same listing from both trees
            answers = {name: trees[name].ask(**requests[name]) for name in trees}
            first[label] = answers
            if answers["before"].get("status", 200) != 200 or answers["after"].get("status", 200) != 200:
                raise RuntimeError(f"{label}: {answers}")
            if answers["before"]["digest"] != answers["after"]["digest"]:
                raise RuntimeError(f"{label}: the two trees listed different things: {answers}")
        for number in range(args.rounds):
            order = ("before", "after") if number % 2 == 0 else ("after", "before")
            for label, requests in cases:
                for name in order:
                    results[label, name].append(trees[name].ask(**requests[name])["ms"])
        print("| case | queries before | queries after | before median ms | after median ms | after max ms |")
        print("|:--|--:|--:|--:|--:|--:|")
        for label, _ in cases:
            b, a = results[label, "before"], results[label, "after"]
            print(
                f"| {label} | {first[label]['before']['queries']} | {first[label]['after']['queries']} "
                f"| {statistics.median(b):,.1f} | {statistics.median(a):,.1f} | {max(a):,.1f} |"
            )
    finally:
        before.close()
        after.close()


if __name__ == "__main__":
    main()
