#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on a loopback port.
#
#   scripts/with-postgres.sh .venv/bin/pytest
#
# Starts a fresh cluster in a temporary directory (as the postgres user when run as root),
# exports DATABASE_URL for the command, then stops the cluster and deletes it, whatever the
# command's outcome. Exits with the command's exit code.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "PostgreSQL server binaries not found; install them with: apt-get install -y postgresql" >&2
    exit 2
fi

dir=$(mktemp -d /tmp/khuyencong-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi

cleanup() {
    as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

as_postgres "$PGBIN/initdb" -D "$dir/data" -U portal --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync off: a test cluster that is thrown away needs no durability, and it halves the run time.
as_postgres "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
as_postgres "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U portal khuyencong

export DATABASE_URL="postgres://portal@127.0.0.1:$port/khuyencong"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
