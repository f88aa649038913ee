#!/usr/bin/env bash
# The parity scenarios in every SDK against ONE live gateway (test mode), on SQLite and then on
# PostgreSQL; every transcript must equal tests/parity/expected/ (the local backend's).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/tests/e2e/out"
KEY="wk_e2e_sdk_bootstrap_key_0123456789abcdef"
LANGS="${E2E_LANGS:-python node go java}"
cargo build -q -p warden-gateway
GW="$ROOT/target/debug/warden-gateway"

run_on() { # $1 = label, rest = store flags
  local label="$1"; shift
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local log="$ROOT/target/e2e-gateway-$label.log"
  WARDEN_BOOTSTRAP_KEY="$KEY" "$GW" serve --test-mode --quiet --key-rate 0 --audit-memory 3 --listen "127.0.0.1:$port" "$@" >/dev/null 2>"$log" &
  local pid=$!
  for _ in $(seq 1 200); do grep -q '"listening"' "$log" 2>/dev/null && break; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; sleep 0.05; done
  local rc=0
  rm -rf "$OUT/$label"
  for l in $LANGS; do
    echo "e2e[$label]: $l"
    make -s -C "$ROOT/bindings-$l" parity OUT="$OUT/$label/$l" PARITY_ARGS="--gateway http://127.0.0.1:$port --api-key $KEY" || rc=1
  done
  kill $pid; wait $pid 2>/dev/null || true
  [ $rc = 0 ] || { echo "e2e[$label]: a runner failed"; return 1; }
  python3 "$ROOT/tests/parity/compare.py" "$ROOT/tests/parity/expected" $(for l in $LANGS; do echo "$OUT/$label/$l"; done)
}

mkdir -p "$ROOT/target/e2e"
rm -f "$ROOT/target/e2e/sdk.db"*
run_on sqlite --db "$ROOT/target/e2e/sdk.db"
"$ROOT/tests/pg/pg.sh" start >/dev/null
url=$("$ROOT/tests/pg/pg.sh" fresh warden_e2e_sdk)
rc=0; run_on postgres --database-url "$url" || rc=$?
"$ROOT/tests/pg/pg.sh" stop
exit $rc
