#!/usr/bin/env bash
# Messaging benchmark (issue #9): durable delivery between two clients through one gateway
# (SQLite inboxes, WebSocket, acks) beside NATS core pub/sub (nats-server from Debian packages),
# same 1 KiB payloads and the same in-flight window, loopback, in one run. Method and caveats:
# bench/messaging/README.md. Prints msgs/s and p50/p99 of both, the ratio and the targets
# (Warden >= 25 % of NATS, p99 < 10 ms); writes target/bench-messaging.txt. Exit 0 even when a
# target is missed, 1 when the run is invalid (no message measured, send errors).
#
#   bash bench/messaging/run.sh                  # 10 s per system, window 64
#   SECONDS_EACH=5 WINDOW=16 bash bench/messaging/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECS=${SECONDS_EACH:-10}
WINDOW=${WINDOW:-64}
KEY="wk_bench_messaging_bootstrap_key_012345678"
OUT="$ROOT/target/bench-messaging.txt"
log() { echo "bench-messaging: $*" >&2; }

if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then
  log "installing nats-server (Debian package)"
  apt-get install -y -q nats-server >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q nats-server >/dev/null 2>&1; }
fi
NATS_BIN=$(command -v nats-server || echo /usr/sbin/nats-server)
log "building the release gateway and the bench client"
cargo build -q -p warden-gateway --release
(cd bench/messaging && CARGO_TARGET_DIR="$ROOT/target" cargo build -q --release)

TMP=$(mktemp -d /tmp/warden-bench-msg.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && { kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }; done
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

NATS_PORT=$(free_port)
"$NATS_BIN" -a 127.0.0.1 -p "$NATS_PORT" >"$TMP/nats.log" 2>&1 &
PIDS+=($!)
GW_PORT=$(free_port)
# The per-connection send bucket (100/s by default, SEMANTICS-messaging §5.3) is raised: the
# benchmark measures delivery, not the rate limiter.
WARDEN_BOOTSTRAP_KEY=$KEY target/release/warden-gateway serve --db "$TMP/g.db" \
  --listen "127.0.0.1:$GW_PORT" --quiet --key-rate 0 \
  --messaging-send-rate 1000000 --messaging-send-burst 1000000 >"$TMP/gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$GW_PORT/health" >/dev/null 2>&1 && break; sleep 0.05
done
AK=$(curl -fsS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{"role":"agent","workspace":"bench"}' "http://127.0.0.1:$GW_PORT/v1/keys" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')

log "nats-server $("$NATS_BIN" --version | awk '{print $2}'), then the gateway: ${SECS}s each, window $WINDOW, 1 KiB"
target/release/warden-msg-bench --nats "nats://127.0.0.1:$NATS_PORT" \
  --gateway "ws://127.0.0.1:$GW_PORT/v1/messaging/ws" --api-key "$AK" \
  --seconds "$SECS" --window "$WINDOW" --payload 1024 >"$TMP/out.txt" 2>"$TMP/err.txt" || true
cat "$TMP/err.txt" >&2

python3 - "$TMP/out.txt" "$SECS" "$WINDOW" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY' | tee "$OUT"
import re, sys
text = open(sys.argv[1]).read()
secs, window, cores, load = sys.argv[2:6]
r = {}
for m in re.finditer(r"RESULT (\w+) msgs_per_s=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+) received=(\d+)", text):
    r[m.group(1)] = (int(m.group(2)), float(m.group(3)), float(m.group(4)), int(m.group(5)))
print("messaging benchmark: 1 KiB payloads, window %s, %s s each, loopback, %s cores (load %s)"
      % (window, secs, cores, load))
print("%-26s %12s %10s %10s" % ("system", "msgs/s", "p50 ms", "p99 ms"))
for k, name in (("nats", "NATS core pub/sub"), ("warden", "Warden durable delivery")):
    if k in r:
        print("%-26s %12d %10.3f %10.3f" % (name, r[k][0], r[k][1], r[k][2]))
bad = "ERRORS" in text or any(k not in r or r[k][3] == 0 for k in ("nats", "warden"))
if "nats" in r and "warden" in r and r["nats"][0]:
    ratio = r["warden"][0] / r["nats"][0]
    print("ratio Warden/NATS: %.1f%% (target >= 25%%); Warden p99 %.3f ms (target < 10 ms)"
          % (ratio * 100, r["warden"][2]))
    print("result: %s" % ("targets met" if ratio >= 0.25 and r["warden"][2] < 10 else "TARGET MISSED"))
if bad:
    print("INVALID RUN: a system measured nothing or sends failed")
    sys.exit(1)
PY
