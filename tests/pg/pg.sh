#!/usr/bin/env bash
# A throwaway local PostgreSQL for the gateway's store tests: installs the Debian package when
# the server binaries are missing, then runs a private cluster (own data dir, port, socket dir)
# as the `postgres` user. `pg.sh start` prints the database URL; `pg.sh stop` stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="$ROOT/target/pg/data"
SOCK="$ROOT/target/pg/sock"
PORT="${WARDEN_PG_PORT:-55432}"
URL="postgres://postgres@127.0.0.1:$PORT/warden"

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
  start)
    if [ -z "$(bin_dir)" ] || [ ! -x "$(bin_dir)/initdb" ]; then
      echo "pg.sh: installing PostgreSQL from Debian packages" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    fi
    B="$(bin_dir)"
    mkdir -p "$ROOT/target/pg"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$ROOT/target/pg"; chmod 755 "$ROOT/target" "$ROOT" 2>/dev/null || true; fi
    if ! as_pg "$B/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
      rm -rf "$DATA" "$SOCK"
      as_pg mkdir -p "$SOCK"
      as_pg "$B/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
      as_pg "$B/pg_ctl" -D "$DATA" -l "$ROOT/target/pg/log" -w \
        -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
    fi
    as_pg "$B/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='warden'" | grep -q 1 \
      || as_pg "$B/createdb" -h 127.0.0.1 -p "$PORT" -U postgres warden
    echo "$URL"
    ;;
  fresh) # fresh NAME: (re)create an empty database NAME on the running cluster, print its URL
    B="$(bin_dir)"; NAME="${2:?fresh needs a database name}"
    as_pg "$B/dropdb" -h 127.0.0.1 -p "$PORT" -U postgres --if-exists "$NAME"
    as_pg "$B/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$NAME"
    echo "postgres://postgres@127.0.0.1:$PORT/$NAME"
    ;;
  stop)
    B="$(bin_dir)"
    [ -n "$B" ] && as_pg "$B/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    ;;
  url) echo "$URL" ;;
esac
