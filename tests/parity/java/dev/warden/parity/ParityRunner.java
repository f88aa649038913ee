package dev.warden.parity;

import dev.warden.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Java parity runner (tests/parity/README.md):
 * {@code ParityRunner <scenario files...> --out <dir> [--gateway URL --api-key KEY]}. Replays every case of every file through
 * the Java SDK's public API ({@link Replay}), checks the expectations, and writes
 * {@code <dir>/<file stem>.json} = {@code {"<case name>": [record, ...], ...}}. Exits 1 naming every
 * failing {@code file::case step i} (the transcripts are written anyway), 2 on bad usage.
 *
 * <p>Run by {@code make -C bindings-java parity}, with {@code target/classes} (the SDK) and
 * {@code target/test-classes} (this runner, compiled by Maven as a test source root) on the class
 * path. A case without {@code steps} gets an empty transcript, as in the Rust runner.
 *
 * <p>With {@code --gateway URL --api-key KEY} every case runs against that live gateway (started
 * with {@code --test-mode}) through {@code Client.connect} instead of an in-process engine
 * (tests/parity/README.md, "Against a live gateway"); the transcripts must be the same.
 */
public final class ParityRunner {
    private ParityRunner() {}

    @SuppressWarnings("unchecked")
    public static void main(String[] argv) throws IOException {
        List<Path> files = new ArrayList<>();
        Path out = null;
        String gatewayUrl = null;
        String apiKey = null;
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--out") || argv[i].equals("--gateway") || argv[i].equals("--api-key")) {
                if (i + 1 >= argv.length) {
                    usage();
                }
                String v = argv[++i];
                switch (argv[i - 1]) {
                    case "--out" -> out = Paths.get(v);
                    case "--gateway" -> gatewayUrl = v;
                    default -> apiKey = v;
                }
            } else if (argv[i].startsWith("--")) {
                usage();
            } else {
                files.add(Paths.get(argv[i]));
            }
        }
        if (out == null || (gatewayUrl == null) != (apiKey == null)) {
            usage();
        }
        Replay.Gateway gateway = gatewayUrl == null ? null : new Replay.Gateway(gatewayUrl, apiKey);
        Files.createDirectories(out);
        if (files.isEmpty()) {
            System.out.println("java parity: no scenario files given, nothing to run");
            return;
        }
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (Path file : files) {
            String fname = file.getFileName().toString();
            String stem = fname.endsWith(".json") ? fname.substring(0, fname.length() - 5) : fname;
            Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            long clock = doc.get("clock") instanceof Long l ? l : 0L;
            Map<String, Object> transcripts = new TreeMap<>();
            for (Object c : (List<Object>) doc.get("cases")) {
                Map<String, Object> kase = (Map<String, Object>) c;
                String name = (String) kase.get("name");
                cases++;
                try {
                    Replay.Outcome o = Replay.runScenario(kase, clock, gateway);
                    transcripts.put(name, o.transcript());
                    for (String f : o.failures()) {
                        failures.add(stem + "::" + name + " " + f);
                    }
                } catch (RuntimeException | AssertionError e) {
                    transcripts.put(name, List.of());
                    failures.add(stem + "::" + name + " crashed: " + e);
                }
            }
            Files.writeString(out.resolve(stem + ".json"), Json.write(transcripts) + "\n", StandardCharsets.UTF_8);
        }
        System.out.println("java parity: " + cases + " cases in " + files.size() + " files, " + failures.size() + " failures" + (gateway == null ? "" : " (gateway " + gateway.url() + ")") + "; transcripts in " + out);
        if (!failures.isEmpty()) {
            failures.forEach(f -> System.err.println("FAIL " + f));
            System.exit(1);
        }
    }

    private static void usage() {
        System.err.println("usage: ParityRunner <scenario files...> --out <dir> [--gateway URL --api-key KEY]");
        System.exit(2);
    }
}
