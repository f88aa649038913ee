package dev.warden.bench;

import dev.warden.Client;
import dev.warden.Decision;
import dev.warden.Guard;
import dev.warden.GuardOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * In-process {@code guard.check} latency through the Java SDK (decision + audit append + counters
 * in the core, plus the FFI crossing and the typed Decision), p50/p99, single thread and 8
 * concurrent threads. Same setup as bench/rust/benches/guard_latency.rs: a Local engine, an agent
 * with {@code tool:web_search tool:db:* tool:kanban:*}, an open session passed to the Guard, no
 * flush timer, tools cycled over {@code web_search, db:query, kanban:list_cards}.
 */
public final class GuardLatency {
    private GuardLatency() {}

    static final String[] TOOLS = {"web_search", "db:query", "kanban:list_cards"};

    static long pct(long[] v, double p) {
        return v[(int) ((v.length - 1) * p)];
    }

    static Guard setup(Client client) {
        Map<String, Object> a = client.createAgent(Map.of("name", "bench",
                "capabilities", List.of("tool:web_search", "tool:db:*", "tool:kanban:*")));
        String agent = (String) a.get("agent_id");
        Map<String, Object> s = client.initSession(Map.of("agent_id", agent, "server_id", "bench", "mode", "open"));
        return new Guard(client, agent, GuardOptions.builder().sessionId((String) s.get("session_id")).flushTimer(false).build());
    }

    /** Returns {p50 ns, p99 ns, checks/s}. */
    static double[] run(int threads, int perThread) throws InterruptedException {
        try (Client client = Client.local(); Guard guard = setup(client)) {
            for (int i = 0; i < 20_000; i++) { // JIT warm-up
                guard.check(TOOLS[i % 3]);
            }
            long[][] lat = new long[threads][perThread];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int tt = t;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    long[] l = lat[tt];
                    for (int i = 0; i < perThread; i++) {
                        long t0 = System.nanoTime();
                        Decision d = guard.check(TOOLS[(i + tt) % 3]);
                        l[i] = System.nanoTime() - t0;
                        if (!d.allowed()) {
                            throw new AssertionError("denied: " + d);
                        }
                    }
                });
                th.start();
                ts.add(th);
            }
            long start = System.nanoTime();
            go.countDown();
            for (Thread th : ts) {
                th.join();
            }
            double wall = (System.nanoTime() - start) / 1e9;
            long[] all = Arrays.stream(lat).flatMapToLong(Arrays::stream).sorted().toArray();
            return new double[] {pct(all, 0.50), pct(all, 0.99), all.length / wall};
        }
    }

    public static void main(String[] args) throws InterruptedException {
        print();
    }

    static void print() throws InterruptedException {
        System.out.println("guard.check in-process through the Java SDK (Local engine; decision + audit append + counters + FFI)");
        int[][] plans = {{1, 100_000}, {8, 25_000}};
        for (int[] p : plans) {
            double[] r = run(p[0], p[1]);
            System.out.printf("java guard_check/%d_threads  p50 %.2f us  p99 %.2f us  throughput %.0f checks/s%n",
                    p[0], r[0] / 1000.0, r[1] / 1000.0, r[2]);
        }
    }
}
