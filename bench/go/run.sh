#!/usr/bin/env bash
# Runs the Go benchmarks once, side by side, and prints ns/op and the ratios of that run.
# Needs target/release/libwarden.a (cargo build -p warden-capi --release).
set -euo pipefail
cd "$(dirname "$0")"
BENCHTIME="${BENCHTIME:-2s}"
out="$(CGO_ENABLED=1 go test -run '^$' -bench . -benchmem -benchtime "$BENCHTIME" -count 1 .)"
echo "$out"
echo
echo "$out" | awk '
/^Benchmark/ {
  split($1, p, "/"); name = p[1]; sub(/^Benchmark/, "", name); impl = p[2]; sub(/-[0-9]+$/, "", impl);
  ns[name "," impl] = $3; if (!(name in seen)) { seen[name] = 1; order[++n] = name }
}
END {
  printf "%-16s %14s %14s %14s  %s\n", "benchmark", "warden ns/op", "peer ns/op", "peer/warden", "peer";
  for (i = 1; i <= n; i++) {
    b = order[i]; w = ns[b ",warden"]; peer = (b ",golang-jwt" in ns) ? "golang-jwt" : "plain-go"; q = ns[b "," peer];
    printf "%-16s %14.1f %14.1f %13.2fx  %s\n", b, w, q, q / w, peer;
  }
}'
