package dev.warden.bench;

import dev.warden.ScopeSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link ScopeSet#allows(String)} (compiled once, one native call per check) against the plain-Java
 * loop an application would write: for each of 20 patterns, {@code *}, {@code prefix:*},
 * partial {@code prefixX*} or exact. Both answer the same 8 queries (hits early, late, misses).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class ScopeBench {
    static final List<String> PATTERNS = List.of(
            "tool:web_search", "tool:web_fetch", "tool:github_*", "tool:jira:*", "tool:slack_post",
            "tool:ledger_read", "tool:ledger_export", "tool:calendar:*", "tool:email_send", "tool:email_read",
            "skill:research-*", "skill:summarize", "skill:translate-*", "skill:code:*", "skill:plan",
            "kv:agents:*", "kv:jobs:read", "msg:topic:alerts", "msg:topic:metrics-*", "help");
    static final String[] QUERIES = {
            "tool:web_search", "tool:github_search", "tool:jira:issue:create", "skill:research-web",
            "msg:topic:metrics-cpu", "help", "tool:shell_exec", "skill:research-web:deep"};

    ScopeSet set;

    @Setup(Level.Trial)
    public void setup() {
        set = ScopeSet.of(PATTERNS);
        for (String q : QUERIES) {
            if (set.allows(q) != plainAllows(PATTERNS, q)) {
                throw new IllegalStateException("the plain loop and ScopeSet disagree on " + q);
            }
        }
    }

    @TearDown(Level.Trial)
    public void teardown() {
        set.close();
    }

    /** The plain-Java wildcard loop (no grammar validation; what an application would hand-write). */
    static boolean plainAllows(List<String> patterns, String required) {
        for (int i = 0, n = patterns.size(); i < n; i++) {
            String p = patterns.get(i);
            if (p.equals("*")) {
                return true;
            }
            if (p.endsWith(":*")) {
                String prefix = p.substring(0, p.length() - 1);
                if (required.startsWith(prefix) && required.length() > prefix.length()) {
                    return true;
                }
            } else if (p.endsWith("*")) {
                String prefix = p.substring(0, p.length() - 1);
                if (required.startsWith(prefix) && required.length() > prefix.length()
                        && required.indexOf(':', prefix.length()) < 0) {
                    return true;
                }
            } else if (p.equals(required)) {
                return true;
            }
        }
        return false;
    }

    @Benchmark
    @OperationsPerInvocation(8)
    public void scopes_allows_warden(Blackhole bh) {
        for (String q : QUERIES) {
            bh.consume(set.allows(q));
        }
    }

    @Benchmark
    @OperationsPerInvocation(8)
    public void scopes_allows_plain_java(Blackhole bh) {
        for (String q : QUERIES) {
            bh.consume(plainAllows(PATTERNS, q));
        }
    }
}
