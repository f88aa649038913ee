package dev.warden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Client#connect} against a real gateway: the {@code warden-gateway} binary (path from
 * the {@code warden.gateway.bin} system property, set by the pom/Makefile; built by
 * {@code make test}) started on a temporary SQLite file. Not skippable: a missing binary fails.
 */
class GatewayTest {
    static final String KEY = "wk_java_gateway_test_bootstrap_0123456789";

    /** A running gateway process on 127.0.0.1 and its temporary directory. */
    static final class Gateway implements AutoCloseable {
        final Process process;
        final String url;
        final Path dir;

        private Gateway(Process process, String url, Path dir) {
            this.process = process;
            this.url = url;
            this.dir = dir;
        }

        /** Starts a gateway on a fresh SQLite file; waits until it logs {@code "listening"}. */
        static Gateway start() throws Exception {
            String bin = System.getProperty("warden.gateway.bin");
            assertNotNull(bin, "system property warden.gateway.bin is not set (run through `make -C bindings-java test`)");
            Path exe = Paths.get(bin);
            assertTrue(Files.isExecutable(exe), "no gateway binary at " + exe + ": cargo build -p warden-gateway");
            Path dir = Files.createTempDirectory("warden-gw-");
            Exception last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                Path log = dir.resolve("gateway-" + attempt + ".log");
                ProcessBuilder pb = new ProcessBuilder(exe.toString(), "serve", "--quiet", "--key-rate", "0",
                        "--db", dir.resolve("warden.db").toString(), "--listen", "127.0.0.1:" + port)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(log.toFile());
                pb.environment().put("WARDEN_BOOTSTRAP_KEY", KEY);
                pb.environment().remove("WARDEN_DATABASE_URL");
                Process p = pb.start();
                Gateway g = new Gateway(p, "http://127.0.0.1:" + port, dir);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline) {
                    String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
                    if (text.contains("\"listening\"")) {
                        return g;
                    }
                    if (!p.isAlive()) {
                        last = new IllegalStateException("the gateway exited (" + p.exitValue() + "): " + text);
                        break;
                    }
                    Thread.sleep(20);
                }
                if (p.isAlive()) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    last = new IllegalStateException("the gateway did not start within 30 s: " + Files.readString(log, StandardCharsets.UTF_8));
                }
            }
            throw last;
        }

        /** Kills the process (no graceful drain) and waits for it. */
        void stop() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the gateway did not exit");
        }

        @Override
        public void close() throws Exception {
            stop();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                // a leftover temp file is harmless
            }
        }
    }

    static Gateway gw;
    static Client client;

    @BeforeAll
    static void startGateway() throws Exception {
        gw = Gateway.start();
        Runtime.getRuntime().addShutdownHook(new Thread(gw.process::destroyForcibly));
        client = Client.connect(gw.url, KEY, Map.of("timeout_ms", 20_000, "retries", 1));
    }

    @AfterAll
    static void stopGateway() throws Exception {
        if (client != null) {
            client.close();
        }
        if (gw != null) {
            gw.close();
        }
    }

    static final java.util.concurrent.atomic.AtomicInteger NAMES = new java.util.concurrent.atomic.AtomicInteger();

    /** A new agent (names are unique per workspace). */
    static String agent(Client c, List<String> caps) {
        Map<String, Object> a = c.createAgent(Map.of("name", "gw-agent-" + NAMES.incrementAndGet(), "capabilities", caps));
        return (String) a.get("agent_id");
    }

    static String session(Client c, String agentId) {
        return (String) c.initSession(Map.of("agent_id", agentId, "server_id", "srv-gw", "mode", "open")).get("session_id");
    }

    @Test
    void connectCreateAgentAndCheckThroughTheGateway() {
        assertTrue(client.isRemote());
        try (Client local = Client.local()) {
            assertFalse(local.isRemote());
        }
        String agentId = agent(client, List.of("tool:web_search", "tool:db:query"));
        assertTrue(agentId.startsWith("agt_"), agentId);
        Map<String, Object> got = client.getAgent(agentId);
        assertEquals(agentId, got.get("agent_id"));
        assertEquals(List.of("tool:web_search", "tool:db:query"), got.get("capabilities"));
        assertInstanceOf(Long.class, got.get("created_at"));
        String sessionId = session(client, agentId);

        Decision ok = client.check(agentId, sessionId, "web_search", "query", null);
        assertTrue(ok.allowed(), ok.toString());
        assertEquals("ALLOW", ok.code());
        assertEquals(agentId, ok.agentId());
        assertEquals(sessionId, ok.sessionId());
        assertTrue(ok.checkId().startsWith("chk_"));
        // The map form gives the same decision.
        Decision viaMap = client.check(Map.of("agent_id", agentId, "session_id", sessionId, "tool", "db:query"));
        assertTrue(viaMap.allowed());
        // A denial through the client is a decision, not an error.
        Decision denied = client.check(agentId, sessionId, "db:drop_table", "", null);
        assertFalse(denied.allowed());
        assertEquals("ACTION_DENIED", denied.code());
        // Generic calls and pages.
        Map<String, Object> page = client.queryAudit(Map.of("agent_id", agentId));
        assertFalse(((List<?>) page.get("items")).isEmpty());
        assertEquals(Boolean.TRUE, client.verifyChain(Map.of()).get("ok"));
    }

    @Test
    void httpErrorsArriveAsTypedErrors() {
        // 404 with the core's code and reason.
        WardenException.NotFound nf = assertThrows(WardenException.NotFound.class,
                () -> client.getAgent("agt_01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        assertEquals("NOT_FOUND", nf.code());
        assertEquals("agent_not_found", nf.reason());
        // 400: a malformed id is the engine's own validation error.
        WardenException.ValidationError bad = assertThrows(WardenException.ValidationError.class, () -> client.getAgent("agt_nope"));
        assertEquals("invalid_id", bad.reason());
        // 401: a wrong key.
        try (Client wrong = Client.connect(gw.url, "wk_this_key_does_not_exist_000000000")) {
            WardenException.AuthFailed e = assertThrows(WardenException.AuthFailed.class, () -> wrong.call("list_agents", Map.of()));
            assertEquals("AUTH_FAILED", e.code());
            assertEquals("unknown_key", e.reason());
        }
        // Bad connect arguments are the core's validation errors, before anything is sent.
        assertThrows(WardenException.ValidationError.class, () -> Client.connect("ftp://127.0.0.1", KEY));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect("not a url", KEY));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(gw.url, ""));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(gw.url, KEY, Map.of("timeout", 5)));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(gw.url, KEY, Map.of("retries", -1)));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(null, KEY));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(gw.url, null));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(gw.url, "wk_\0key_with_nul_0000000000000"));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(gw.url + "\uD800", KEY));
        assertThrows(WardenException.ValidationError.class, () -> Client.connect(gw.url, KEY, Map.of("client_cert_pem", "x")));
    }

    /** A Callable that records whether it ran. */
    static final class Probe implements java.util.concurrent.Callable<String> {
        boolean ran;

        @Override
        public String call() {
            ran = true;
            return "done";
        }
    }

    @Test
    void guardOverTheRemoteClient() throws Exception {
        String agentId = agent(client, List.of("tool:web_search", "tool:db:query"));
        try (Guard g = new Guard(client, agentId, GuardOptions.builder().flushTimer(false).strictMode(false).build())) {
            assertTrue(g.sessionId().isEmpty());
            Decision d = g.check("web_search", "some input", null);
            assertTrue(d.allowed());
            String sid = g.sessionId().orElseThrow();
            assertTrue(sid.startsWith("ses_"));
            assertEquals(sid, d.sessionId());
            // Enforced denial: the typed error with its decision.
            WardenException.ActionDenied e = assertThrows(WardenException.ActionDenied.class, () -> g.check("db:drop_table"));
            assertEquals("db:drop_table", e.decision().get("tool"));
            assertEquals(e.reason(), e.decision().get("reason"));
            assertEquals(e.decision(), e.typedDecision().orElseThrow().toMap());
            // The wrappers: run, and never run after a denial.
            assertEquals("page", g.run("web_search", () -> "page"));
            Probe p = new Probe();
            assertThrows(WardenException.ActionDenied.class, () -> g.run("db:drop_table", p));
            assertFalse(p.ran);
            assertEquals("async", g.runAsync("db:query", "read", () -> CompletableFuture.completedFuture("async")).get(20, TimeUnit.SECONDS));
            ExecutionException ax = assertThrows(ExecutionException.class,
                    () -> g.runAsync("rm_rf", () -> CompletableFuture.completedFuture("never")).get(20, TimeUnit.SECONDS));
            assertInstanceOf(WardenException.ActionDenied.class, ax.getCause());
            // Telemetry goes to the gateway.
            g.report("web_search", true, 12);
            g.flush();
            GuardStats s = g.stats();
            assertEquals(0, s.buffered());
            assertTrue(s.sent() >= 3, s.toString());
            assertEquals(0, s.failedFlushes());
        }
        // block_on_deny=false: check returns the denial, run() still refuses (the core's admit rule).
        try (Guard g = new Guard(client, agentId, GuardOptions.builder().blockOnDeny(false).flushTimer(false).strictMode(false).build())) {
            Decision d = g.check("db:drop_table");
            assertFalse(d.allowed());
            assertFalse(d.proceed());
            Probe p = new Probe();
            WardenException.ActionDenied e = assertThrows(WardenException.ActionDenied.class, () -> g.run("db:drop_table", p));
            assertFalse(p.ran);
            assertFalse((Boolean) e.decision().get("allowed"));
        }
    }

    @Test
    void aStoppedGatewayIsANetworkErrorAndFailOpenAllowsReads() throws Exception {
        List<Client> clients = new ArrayList<>();
        try (Gateway own = Gateway.start()) {
            Client c = Client.connect(own.url, KEY, Map.of("connect_timeout_ms", 2_000, "timeout_ms", 5_000, "retries", 0));
            clients.add(c);
            String agentId = agent(c, List.of("tool:*"));
            try (Guard open = new Guard(c, agentId, GuardOptions.builder().failOpen(true).flushTimer(false).strictMode(false).build());
                 Guard closed = new Guard(c, agentId, GuardOptions.builder().flushTimer(false).strictMode(false).build())) {
                assertTrue(open.check("web_search").allowed());   // opens its session while the gateway is up
                own.stop();

                WardenException.NetworkError ne = assertThrows(WardenException.NetworkError.class, () -> c.getAgent(agentId));
                assertEquals("NETWORK_ERROR", ne.code());
                assertThrows(WardenException.NetworkError.class, () -> c.createAgent(Map.of("name", "x")));

                // fail_open: a read is allowed locally, reason fail_open.
                Decision d = open.check("db:query", "", "read");
                assertTrue(d.allowed());
                assertEquals("ALLOW", d.code());
                assertEquals("fail_open", d.reason());
                assertEquals("fail_open", d.source());
                assertEquals("read", d.effect());
                assertEquals("ok", open.run("web_search", "read", () -> "ok"));
                // ... never a write.
                WardenException.GuardianUnavailable gu = assertThrows(WardenException.GuardianUnavailable.class,
                        () -> open.check("db:update", "", "mutating"));
                assertEquals("unreachable", gu.reason());
                assertNotNull(gu.decision());
                // Without fail_open a read is refused too.
                assertThrows(WardenException.GuardianUnavailable.class, () -> closed.check("db:query", "", "read"));
                // A flush to a stopped gateway fails and is counted.
                open.flush();
                assertTrue(open.stats().failedFlushes() >= 1, open.stats().toString());
            }
        } finally {
            clients.forEach(Client::close);
        }
    }

    @Test
    void nothingListeningIsANetworkError() {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            fail(e);
            return;
        }
        try (Client c = Client.connect("http://127.0.0.1:" + port, KEY, Map.of("retries", 0))) {
            assertTrue(c.isRemote());   // connect itself sends nothing
            assertThrows(WardenException.NetworkError.class, () -> c.call("list_agents", Map.of()));
        }
    }
}
