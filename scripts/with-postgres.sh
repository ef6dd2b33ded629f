#!/usr/bin/env bash
# Start a throw-away PostgreSQL 15 server on a private socket folder, run the given
# command with MAILGUARD_TEST_PG_URL pointing at it, then stop the server.
# PostgreSQL refuses to run as root, so the server runs as the `postgres` user.
set -euo pipefail
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
    echo "with-postgres: $PG_BIN/initdb not found; run 'make system-deps'" >&2
    exit 1
fi
run_as_pg() {
    # From / so the postgres user is not left in a folder it may not enter.
    if [ "$(id -u)" = "0" ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
base=$(mktemp -d /tmp/mailguard-pg.XXXXXX)
chmod 755 "$base"
if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$base"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_as_pg "$PG_BIN/initdb" -D "$base/data" -U postgres -A trust --no-sync >/dev/null
run_as_pg "$PG_BIN/pg_ctl" -D "$base/data" -l "$base/log" -w \
    -o "-k $base -p $port -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
stop() {
    run_as_pg "$PG_BIN/pg_ctl" -D "$base/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$base"
}
trap stop EXIT
export MAILGUARD_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
set +e
"$@"
status=$?
set -e
exit $status
