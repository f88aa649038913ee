#!/usr/bin/env bash
# Runs the Go benchmarks side by side and prints the median ns/op of Warden and of its peer and
# the ratios. One test binary; COUNT rounds, each round runs every benchmark (Warden, then the
# peer), so slow drifts of a shared machine hit both sides alike. Figures are whatever this run
# measures: nothing is hard-coded. Needs target/release/libwarden.a
# (cargo build -p warden-capi --release).
set -euo pipefail
cd "$(dirname "$0")"
BENCHTIME="${BENCHTIME:-1s}"
COUNT="${COUNT:-5}"
BENCH="${BENCH:-.}"
bin="$(mktemp -d)/bench.test"
trap 'rm -rf "$(dirname "$bin")"' EXIT
CGO_ENABLED=1 go test -c -o "$bin" .
out=""
for ((i = 1; i <= COUNT; i++)); do
  out+="$("$bin" -test.run '^$' -test.bench "$BENCH" -test.benchmem -test.benchtime "$BENCHTIME" | grep '^Benchmark')"$'\n'
done
echo "$out"
echo "median of $COUNT interleaved rounds (benchtime $BENCHTIME), one run; machine load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$out" | awk '
function median(key,   n, i, j, t, a) {
  n = cnt[key]; for (i = 1; i <= n; i++) a[i] = v[key, i];
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ {
  split($1, p, "/"); name = p[1]; sub(/^Benchmark/, "", name); impl = p[2]; sub(/-[0-9]+$/, "", impl);
  key = name "," impl; v[key, ++cnt[key]] = $3;
  if (!(name in seen)) { seen[name] = 1; order[++n] = name }
}
END {
  printf "%-16s %14s %14s %12s  %s\n", "benchmark", "warden ns/op", "peer ns/op", "peer/warden", "peer";
  for (i = 1; i <= n; i++) {
    b = order[i]; peer = ((b ",golang-jwt") in cnt) ? "golang-jwt" : "plain-go";
    w = median(b ",warden"); q = median(b "," peer);
    printf "%-16s %14.1f %14.1f %11.2fx  %s\n", b, w, q, q / w, peer;
  }
}'
echo
# In-process guard.Check latency (p50/p99, 1 and 8 goroutines), one line per scenario.
CGO_ENABLED=1 go run ./guardlatency
