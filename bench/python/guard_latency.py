"""In-process ``Guard.check`` latency through the Python SDK (decision + audit append + counters),
p50/p99, single thread and 8 concurrent threads (the native call releases the GIL). The setup
replicates ``bench/rust/benches/guard_latency.rs``. Prints one line per scenario; nothing is
asserted (benchmarks are never timed tests). Run through ``make -C bindings-python bench``.
"""

from __future__ import annotations

import os
import threading
import time

import warden

QUICK = os.environ.get("WARDEN_BENCH_QUICK") == "1"
TOOLS = ["web_search", "db:query", "kanban:list_cards"]


def setup() -> warden.Guard:
    client = warden.Client.local()
    agent = client.create_agent(name="bench", capabilities=["tool:web_search", "tool:db:*", "tool:kanban:*"])["agent_id"]
    session = client.init_session(agent_id=agent, server_id="bench", mode="open")["session_id"]
    guard = warden.Guard(client, agent, session_id=session, flush_timer=False)
    for _ in range(2000):  # warm-up
        guard.check("db:query")
    return guard


def pct(v: list[int], p: float) -> int:
    return v[int((len(v) - 1) * p)]


def run(threads: int, per_thread: int) -> tuple[float, float, float]:
    guard = setup()
    lats: list[list[int]] = [[] for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def worker(t: int) -> None:
        out = lats[t]
        check, clock = guard.check, time.perf_counter_ns
        barrier.wait()
        for i in range(per_thread):
            tool = TOOLS[(i + t) % 3]
            t0 = clock()
            d = check(tool)
            out.append(clock() - t0)
            if not d.allowed:
                raise AssertionError(d)

    ts = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in ts:
        th.start()
    barrier.wait()
    start = time.perf_counter()
    for th in ts:
        th.join()
    wall = time.perf_counter() - start
    allv = sorted(x for lat in lats for x in lat)
    return pct(allv, 0.50) / 1000, pct(allv, 0.99) / 1000, len(allv) / wall


def main() -> None:
    print("python Guard.check in-process (Local engine; decision + audit append + counters; GIL released)")
    scale = 10 if QUICK else 1
    for threads, n in ((1, 100_000 // scale), (8, 25_000 // scale)):
        p50, p99, rate = run(threads, n)
        print(f"python guard_check/{threads}_threads  p50 {p50:.2f} us  p99 {p99:.2f} us  throughput {rate:.0f} checks/s")


if __name__ == "__main__":
    main()
