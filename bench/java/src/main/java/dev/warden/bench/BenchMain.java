package dev.warden.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs every benchmark in one JMH run and prints throughput and the Warden/peer ratios. */
public final class BenchMain {
    public static void main(String[] args) throws Exception {
        // In-process guard.check latency first (hand-timed p50/p99, not JMH), one line per scenario.
        GuardLatency.print();
        if (Boolean.getBoolean("warden.bench.guardOnly")) {
            return;
        }
        CommandLineOptions cli = new CommandLineOptions(args);
        String libPath = System.getProperty("java.library.path");
        Options opts = new OptionsBuilder()
                .parent(cli)
                .include("dev\\.warden\\.bench\\.(TokenBench|ScopeBench)\\..*")
                .forks(1)
                .threads(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Djava.library.path=" + libPath)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, double[]> score = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            score.put(name, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        System.out.println();
        System.out.println("== Warden Java SDK vs peers (ops/s, higher is better; JDK " + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs) ==");
        score.forEach((k, v) -> System.out.printf("%-28s %14.0f ± %.0f ops/s%n", k, v[0], v[1]));
        System.out.println();
        ratio(score, "HS256 verify: Warden / nimbus-jose-jwt", "hs256_verify_warden", "hs256_verify_nimbus", "target >= 1.0");
        ratio(score, "EdDSA verify: Warden / nimbus-jose-jwt", "eddsa_verify_warden", "eddsa_verify_nimbus", "target >= 2.0");
        ratio(score, "ScopeSet.allows / plain-Java loop (20 patterns)", "scopes_allows_warden", "scopes_allows_plain_java", "informational");
    }

    static void ratio(Map<String, double[]> s, String label, String a, String b, String target) {
        if (s.containsKey(a) && s.containsKey(b)) {
            System.out.printf("%-50s %6.2fx  (%s)%n", label, s.get(a)[0] / s.get(b)[0], target);
        }
    }
}
