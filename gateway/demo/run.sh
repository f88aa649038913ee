#!/usr/bin/env bash
# `make demo`: a fresh gateway on SQLite, a workspace with an agent and a policy, a Python agent
# that gets an allow, a denial and an elevation, and an approver that approves it.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/gateway/demo"
WORK="$ROOT/target/demo"
PORT="${WARDEN_DEMO_PORT:-8787}"
URL="http://127.0.0.1:$PORT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "build: gateway (release) and the Python SDK wheel"
cargo build -q --release -p warden-gateway
make -s -C "$ROOT/bindings-python" wheel >/dev/null
PY="$ROOT/bindings-python/.venv/bin/python"
GW="$ROOT/target/release/warden-gateway"

rm -rf "$WORK" && mkdir -p "$WORK"
step "start: warden-gateway serve --db $WORK/warden.db --listen 127.0.0.1:$PORT"
"$GW" serve --db "$WORK/warden.db" --listen "127.0.0.1:$PORT" >"$WORK/stdout" 2>"$WORK/gateway.log" &
GW_PID=$!
trap 'kill $GW_PID 2>/dev/null; wait $GW_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q '"listening"' "$WORK/gateway.log" 2>/dev/null && break
  kill -0 $GW_PID 2>/dev/null || { cat "$WORK/gateway.log"; exit 1; }
  sleep 0.1
done
ADMIN_KEY="$(sed -n 's/^bootstrap admin API key (shown once): //p' "$WORK/stdout")"
echo "gateway up (pid $GW_PID); bootstrap admin key printed once on its stdout: ${ADMIN_KEY:0:8}…"

step "setup: workspace keys, an agent, a policy (Python SDK, admin key)"
"$PY" "$HERE/setup.py" "$URL" "$ADMIN_KEY" "$WORK/env"
# shellcheck disable=SC1091
source "$WORK/env"

step "run: the approver (watches pending approvals) and the agent"
"$PY" "$HERE/approver.py" "$URL" "$APPROVER_KEY" & APPROVER_PID=$!
"$PY" "$HERE/agent.py" "$URL" "$AGENT_TOKEN" "$AGENT_ID"
wait $APPROVER_PID

step "audit: warden-gateway audit verify --workspace demo"
"$GW" audit verify --workspace demo --url "$URL" --api-key "$ADMIN_KEY"
echo
echo "requests the gateway logged: $(grep -c '"request_id"' "$WORK/gateway.log") (JSON lines in $WORK/gateway.log)"
echo "make demo: done"
