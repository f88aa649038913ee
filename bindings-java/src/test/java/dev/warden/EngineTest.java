package dev.warden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The engine surface: conversions, errors with decisions, the Guard and its wrappers, async waits, totality. */
class EngineTest {
    static final long T0 = 1_700_000_000_000L;

    /** An engine on a manual clock, a client, an agent and a session. */
    record Fixture(Engine engine, Client client, String agentId, String sessionId) {}

    static Fixture fixture(Map<String, ?> config, Long clock, List<String> caps, String mode) {
        Engine engine = new Engine(config, clock);
        Client client = Client.local(engine);
        Map<String, Object> agent = client.createAgent(Map.of("name", "t-agent", "capabilities", caps));
        String agentId = (String) agent.get("agent_id");
        Map<String, Object> s = client.initSession(Map.of("agent_id", agentId, "server_id", "srv-1", "mode", mode));
        return new Fixture(engine, client, agentId, (String) s.get("session_id"));
    }

    static Fixture fixture(List<String> caps, String mode) {
        return fixture(Map.of("seed", 7), T0, caps, mode);
    }

    // ---------------------------------------------------------------- conversions

    @Test
    void resultsAreNativeValues() {
        Fixture f = fixture(List.of("tool:web_search", "tool:db:*"), "open");
        Map<String, Object> agent = f.client.getAgent(f.agentId);
        assertEquals(f.agentId, agent.get("agent_id"));
        assertInstanceOf(LinkedHashMap.class, agent);
        assertEquals(List.of("tool:web_search", "tool:db:*"), agent.get("capabilities"));
        assertInstanceOf(Long.class, agent.get("created_at"));
        assertEquals(T0, agent.get("created_at"));
        assertTrue(agent.containsKey("metadata"));
        // Generic call = typed method.
        assertEquals(agent, f.client.call("get_agent", Map.of("agent_id", f.agentId)));
        assertEquals(agent, f.engine.call("get_agent", Map.of("agent_id", f.agentId)));
        // Lists and pages.
        Map<String, Object> page = f.client.listApprovals(null);
        assertEquals(List.of(), page.get("items"));
        assertTrue(page.containsKey("next_cursor"));
        assertNull(page.get("next_cursor"));
        // export_audit is a string, verified offline.
        String export = f.client.exportAudit(Map.of());
        assertFalse(export.isEmpty());
        ChainCheck ok = Warden.verifyAuditExport(export);
        assertTrue(ok.ok());
        assertNull(ok.firstBrokenSeq());
        assertEquals(ok.checked(), ((Number) f.client.verifyChain(Map.of()).get("checked")).longValue());
        int h = export.indexOf("\"hash\":\"") + 8;
        assertTrue(h > 8, export);
        String tampered = export.substring(0, h) + (export.charAt(h) == '0' ? '1' : '0') + export.substring(h + 1);
        ChainCheck broken = Warden.verifyAuditExport(tampered);
        assertFalse(broken.ok());
        assertNotNull(broken.firstBrokenSeq());
        assertEquals(Map.of("ok", false, "checked", broken.checked(), "first_broken_seq", broken.firstBrokenSeq()), broken.toMap());
    }

    @Test
    void argumentsAreConvertedNotInterpreted() {
        Fixture f = fixture(List.of("tool:*"), "open");
        // Integers of every Java type, arrays and collections become JSON; the core validates.
        Map<String, Object> a = f.client.createAgent(Map.of("name", "n2", "capabilities", new String[] {"tool:a"},
                "metadata", Map.of("team", "x")));
        assertEquals(Map.of("team", "x"), a.get("metadata"));
        assertEquals(List.of("tool:a"), a.get("capabilities"));
        for (Number ttl : List.<Number>of(60, 60L, (short) 60, java.math.BigInteger.valueOf(60))) {
            Map<String, Object> t = f.client.issueToken(Map.of("agent_id", a.get("agent_id"), "scopes", List.of("tool:a"), "ttl_seconds", ttl));
            assertEquals(60_000L, (Long) t.get("expires_at") - (Long) t.get("issued_at"), "ttl as " + ttl.getClass());
        }
        // A float where the core wants an integer: the core's VALIDATION_ERROR (no coercion here).
        assertThrows(WardenException.ValidationError.class, () -> f.client.issueToken(Map.of("agent_id", a.get("agent_id"), "scopes", List.of("tool:a"), "ttl_seconds", 60.5)));
        // Unknown argument: the core's VALIDATION_ERROR.
        WardenException e = assertThrows(WardenException.ValidationError.class, () -> f.client.getAgent(Map.of("agent_id", f.agentId, "x", 1)));
        assertNull(e.decision());
        // Not convertible: VALIDATION_ERROR before the FFI.
        assertThrows(WardenException.ValidationError.class, () -> f.client.createAgent(Map.of("name", new Object())));
        assertThrows(WardenException.ValidationError.class, () -> f.client.createAgent(Map.of("name", Double.NaN)));
        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(1, "x");
        assertThrows(WardenException.ValidationError.class, () -> Json.write(badKey));
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertThrows(WardenException.ValidationError.class, () -> Json.write(cyclic));
        // Unknown op / bad id / missing object.
        assertThrows(WardenException.ValidationError.class, () -> f.client.call("no_such_op"));
        assertEquals("invalid_id", assertThrows(WardenException.ValidationError.class, () -> f.client.getAgent("agt_nope")).reason());
        assertThrows(WardenException.NotFound.class, () -> f.client.getAgent("agt_" + "0".repeat(26)));
    }

    @Test
    void jsonRoundTrip() {
        String text = "{\"a\":[1,-2,3.5,true,false,null,\"\\u00e9\\u0000\\ud83d\\ude00\"],\"b\":{\"c\":9223372036854775807},\"d\":18446744073709551616}";
        Object v = Json.parse(text);
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(Arrays.asList(1L, -2L, 3.5, true, false, null, "\u00e9\u0000\ud83d\ude00"), a);
        assertEquals(Long.MAX_VALUE, ((Map<?, ?>) m.get("b")).get("c"));
        assertEquals(new java.math.BigInteger("18446744073709551616"), m.get("d"));
        assertEquals(v, Json.parse(Json.write(v)));
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\\x\"", "\"a", "[1] x", "\u0001", "\"\u0001\"")) {
            assertThrows(WardenException.ValidationError.class, () -> Json.parse(bad), bad);
        }
        assertThrows(WardenException.ValidationError.class, () -> Json.parse("[".repeat(Json.MAX_DEPTH + 2)));
    }

    @Test
    void engineClockConfigAndJwks() throws Exception {
        try (Engine e = Engine.withManualClock(Map.of("seed", 7, "issuer", "iss-x"), T0)) {
            assertTrue(e.hasManualClock());
            assertEquals(T0, e.nowMs());
            e.advance(1500);
            assertEquals(T0 + 1500, e.nowMs());
            assertFalse(e.strictMode());
            Map<String, Object> jwks = e.jwks();
            assertInstanceOf(List.class, jwks.get("keys"));
            // A token the engine issues verifies with its JWKS through the token API.
            Client c = Client.local(e);
            String agent = (String) c.createAgent(Map.of("name", "x", "capabilities", List.of("tool:*"))).get("agent_id");
            Map<String, Object> tok = c.issueToken(Map.of("agent_id", agent, "scopes", List.of("tool:web_search")));
            try (KeySet ks = KeySet.fromJwks(e.jwksJson());
                 Verifier v = new Verifier(ks, VerifierOptions.builder(Alg.EdDSA).audience("warden").issuer("iss-x")
                         .now(e.nowMs() / 1000).build());
                 Claims claims = v.verify((String) tok.get("token"))) {
                assertEquals(agent, claims.sub().orElseThrow());
            }
            Map<String, Object> intro = c.introspectToken(Map.of("token", tok.get("token")));
            assertEquals(true, intro.get("active"));
        }
        try (Engine strict = new Engine(Map.of("env", Map.of("WARDEN_STRICT_MODE", "on")), T0)) {
            assertTrue(strict.strictMode());
        }
        try (Engine sys = new Engine()) {
            assertFalse(sys.hasManualClock());
            assertTrue(Math.abs(sys.nowMs() - System.currentTimeMillis()) < 60_000);
            assertThrows(WardenException.ValidationError.class, () -> sys.advance(1));
        }
        assertThrows(WardenException.ValidationError.class, () -> new Engine(Map.of("approval_ttl_seconds", 0)));
        assertThrows(WardenException.ValidationError.class, () -> new Engine(Map.of("bogus", 1)));
        try (Client own = Client.local()) {
            Map<String, Object> a = own.createAgent(Map.of("name", "own"));
            assertTrue(((String) a.get("agent_id")).startsWith("agt_"));
        }
    }

    // ---------------------------------------------------------------- decisions and errors

    @Test
    void decisionIsTypedAndEqualsTheWireForm() {
        Fixture f = fixture(List.of("tool:web_search"), "open");
        Decision typed = f.client.check(f.agentId, f.sessionId, "web_search", "", null);
        assertTrue(typed.allowed());
        assertTrue(typed.proceed());
        assertEquals("ALLOW", typed.code());
        assertEquals("granted", typed.reason());
        assertEquals("read", typed.effect());
        assertEquals("tool:web_search", typed.requiredScope());
        assertEquals(f.sessionId, typed.sessionId());
        assertNull(typed.retryAfterMs());
        assertEquals(T0, typed.decidedAt());
        Decision viaMap = f.client.check(Map.of("agent_id", f.agentId, "session_id", f.sessionId, "tool", "web_search"));
        assertEquals(typed.toMap().keySet(), viaMap.toMap().keySet());
        assertEquals(16, typed.toMap().size());
        assertEquals(List.of("check_id", "allowed", "code", "reason", "enforced", "source", "agent_id", "session_id", "tool",
                "effect", "required_scope", "matched_pattern", "rule_id", "approval_id", "retry_after_ms", "decided_at"),
                new ArrayList<>(typed.toMap().keySet()));
        Map<String, Object> raw = (Map<String, Object>) f.client.call("check", Map.of("agent_id", f.agentId, "session_id", f.sessionId, "tool", "web_search"));
        Decision fromRaw = Decision.fromMap(raw);
        assertEquals(raw, fromRaw.toMap());
        assertEquals(fromRaw, Decision.fromMap((Map<String, Object>) Json.parse(fromRaw.toJson())));
        // A denied check through the client is a decision, not an error.
        Decision denied = f.client.check(f.agentId, f.sessionId, "db:drop_table", "", null);
        assertFalse(denied.allowed());
        assertEquals("ACTION_DENIED", denied.code());
        assertThrows(WardenException.ValidationError.class, () -> Decision.fromMap(Map.of("check_id", 1)));
    }

    @Test
    void guardDenialRaisesTheTypedErrorWithItsDecision() {
        Fixture f = fixture(List.of("tool:web_search"), "open");
        try (Guard g = new Guard(f.client, f.agentId, GuardOptions.builder().sessionId(f.sessionId).flushTimer(false).build())) {
            assertEquals(f.sessionId, g.sessionId().orElseThrow());
            WardenException.ActionDenied e = assertThrows(WardenException.ActionDenied.class, () -> g.check("db:drop_table"));
            assertEquals("ACTION_DENIED", e.code());
            Map<String, Object> d = e.decision();
            assertNotNull(d);
            assertEquals(false, d.get("allowed"));
            assertEquals("ACTION_DENIED", d.get("code"));
            assertEquals(e.reason(), d.get("reason"));
            assertEquals("db:drop_table", d.get("tool"));
            assertTrue(((String) d.get("check_id")).startsWith("chk_"));
            assertEquals(d, e.typedDecision().orElseThrow().toMap());
        }
        // Supervised: elevation carries the approval id.
        Fixture s = fixture(List.of("tool:*"), "supervised");
        try (Guard g = new Guard(s.client, s.agentId, GuardOptions.builder().sessionId(s.sessionId).flushTimer(false).build())) {
            WardenException.ElevationRequired e = assertThrows(WardenException.ElevationRequired.class, () -> g.check("delete_file"));
            assertTrue(((String) e.decision().get("approval_id")).startsWith("apr_"));
        }
        // block_on_deny=false: the decision is returned.
        try (Guard g = new Guard(f.client, f.agentId, GuardOptions.builder().sessionId(f.sessionId).blockOnDeny(false).flushTimer(false).build())) {
            Decision d = g.check("db:drop_table");
            assertFalse(d.allowed());
            assertFalse(d.proceed());
        }
    }

    @Test
    void guardOpensItsOwnSessionValidatesAndCloses() {
        Fixture f = fixture(List.of("tool:*"), "open");
        Guard g = new Guard(f.client, f.agentId, GuardOptions.builder().flushTimer(false).strictMode(false).build());
        assertTrue(g.sessionId().isEmpty());
        Decision d = g.check("web_search", "some input", null);
        assertTrue(d.allowed());
        assertTrue(g.sessionId().orElseThrow().startsWith("ses_"));
        assertEquals(d.sessionId(), g.sessionId().orElseThrow());
        assertEquals("invalid_effect", assertThrows(WardenException.ValidationError.class, () -> g.check("web_search", "", "READ")).reason());
        assertThrows(WardenException.ValidationError.class, () -> g.check("bad tool name!"));
        g.report("web_search", true, 12);
        g.report("web_search", true, -1); // invalid: counted, never raised
        g.report(null, false, 1, "X");
        GuardStats st = g.stats();
        assertEquals(1, st.buffered());
        assertEquals(2, st.invalid());
        g.flush();
        assertEquals(0, g.stats().buffered());
        assertEquals(1, g.stats().sent());
        g.close();
        g.close(); // idempotent
        assertEquals("guard_closed", assertThrows(WardenException.ValidationError.class, () -> g.check("web_search")).reason());
        assertThrows(WardenException.ValidationError.class, () -> new Guard(f.client, "agt_bad"));
        assertEquals("invalid_effect", assertThrows(WardenException.ValidationError.class,
                () -> new Guard(f.client, f.agentId, GuardOptions.builder().defaultEffect("write").build())).reason());
        assertThrows(WardenException.ValidationError.class, () -> new Guard(null, f.agentId));
    }

    @Test
    void failOpenOnlyForReadsAndOnlyWhenUnreachable() {
        Fixture f = fixture(List.of("tool:web_search"), "open");
        GuardOptions o = GuardOptions.builder().sessionId(f.sessionId).failOpen(true).flushTimer(false).strictMode(false).build();
        try (Guard g = new Guard(f.client, f.agentId, o)) {
            // No fault: a denied read stays denied.
            assertThrows(WardenException.ActionDenied.class, () -> g.check("read_secrets"));
            f.client.setFault("network_error");
            try {
                Decision d = g.check("web_search");
                assertTrue(d.allowed());
                assertEquals("fail_open", d.source());
                assertEquals("fail_open", d.reason());
                // Above read: GUARDIAN_UNAVAILABLE with the synthesized decision.
                WardenException.GuardianUnavailable e = assertThrows(WardenException.GuardianUnavailable.class, () -> g.check("delete_file"));
                assertEquals("unreachable", e.reason());
                assertEquals("guard", e.decision().get("source"));
                assertEquals("destructive", e.decision().get("effect"));
                // A 403 is not unreachability: no fail-open even for a read.
                f.client.setFault("http_403");
                assertThrows(WardenException.AuthDenied.class, () -> g.check("web_search"));
                assertThrows(WardenException.ValidationError.class, () -> f.client.setFault("bogus"));
            } finally {
                f.client.setFault(null);
            }
            assertTrue(g.check("web_search").allowed());
        }
        // Without fail_open: unreachable read → GUARDIAN_UNAVAILABLE.
        try (Guard g = new Guard(f.client, f.agentId, GuardOptions.builder().sessionId(f.sessionId).flushTimer(false).build())) {
            f.client.setFault("timeout");
            try {
                assertThrows(WardenException.GuardianUnavailable.class, () -> g.check("web_search"));
                // Client calls see the fault as their own error.
                assertThrows(WardenException.Timeout.class, () -> f.client.getAgent(f.agentId));
            } finally {
                f.client.setFault(null);
            }
        }
    }

    // ---------------------------------------------------------------- wrappers

    record Report(String tool, boolean success, long durationMs, String errorType) {}

    static Guard hooked(Fixture f, GuardOptions o, List<Report> reports) {
        Guard g = new Guard(f.client, f.agentId, o);
        g.reportHook = (t, s, d, e) -> reports.add(new Report(t, s, d, e));
        return g;
    }

    static class ToolFailure extends Exception {
        ToolFailure(String m) {
            super(m);
        }
    }

    @Test
    void runChecksCallsAndReportsWithDuration() throws Exception {
        Fixture f = fixture(List.of("tool:web_search", "tool:db:*"), "open");
        List<Report> reports = new ArrayList<>();
        try (Guard g = hooked(f, GuardOptions.builder().sessionId(f.sessionId).flushTimer(false).build(), reports)) {
            String out = g.run("web_search", () -> {
                Thread.sleep(30);
                return "results";
            });
            assertEquals("results", out);
            assertEquals(1, reports.size());
            Report r = reports.get(0);
            assertEquals("web_search", r.tool());
            assertTrue(r.success());
            assertTrue(r.durationMs() >= 30 && r.durationMs() < 5_000, "duration " + r.durationMs());
            assertNull(r.errorType());
            // The function's own exception is rethrown unchanged and reported by type name.
            ToolFailure boom = new ToolFailure("secret message");
            ToolFailure thrown = assertThrows(ToolFailure.class, () -> g.run("db:query", "read", () -> {
                throw boom;
            }));
            assertSame(boom, thrown);
            assertEquals(new Report("db:query", false, reports.get(1).durationMs(), "ToolFailure"), reports.get(1));
            assertEquals(2, g.stats().buffered());
            // Denied: the function never runs and nothing is reported.
            boolean[] ran = {false};
            WardenException.ActionDenied e = assertThrows(WardenException.ActionDenied.class, () -> g.run("delete_everything", () -> {
                ran[0] = true;
                return null;
            }));
            assertFalse(ran[0]);
            assertEquals(2, reports.size());
            assertNotNull(e.decision());
        }
        // An enforced denial raises from run() even with blockOnDeny=false (SEMANTICS-engine §12.4).
        try (Guard g = hooked(f, GuardOptions.builder().sessionId(f.sessionId).blockOnDeny(false).flushTimer(false).build(), reports)) {
            WardenException.ActionDenied e = assertThrows(WardenException.ActionDenied.class, () -> g.run("delete_everything", () -> 1));
            assertEquals("delete_everything", e.decision().get("tool"));
        }
    }

    @Test
    void runAsyncReportsWhenTheStageCompletes() throws Exception {
        Fixture f = fixture(List.of("tool:web_search"), "open");
        List<Report> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Guard g = hooked(f, GuardOptions.builder().sessionId(f.sessionId).flushTimer(false).build(), reports)) {
            CompletableFuture<String> gate = new CompletableFuture<>();
            CompletableFuture<String> out = g.runAsync("web_search", () -> gate);
            assertFalse(out.isDone());
            assertTrue(reports.isEmpty());
            Thread.sleep(20);
            gate.complete("ok");
            assertEquals("ok", out.get(5, TimeUnit.SECONDS));
            assertEquals(1, reports.size());
            assertTrue(reports.get(0).success());
            assertTrue(reports.get(0).durationMs() >= 20);
            CompletableFuture<String> failing = g.runAsync("web_search", () -> CompletableFuture.failedFuture(new IllegalStateException("x")));
            ExecutionException ex = assertThrows(ExecutionException.class, () -> failing.get(5, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, ex.getCause());
            assertEquals("IllegalStateException", reports.get(1).errorType());
            CompletableFuture<String> denied = g.runAsync("rm_rf", () -> CompletableFuture.completedFuture("never"));
            ExecutionException dx = assertThrows(ExecutionException.class, () -> denied.get(5, TimeUnit.SECONDS));
            assertInstanceOf(WardenException.ActionDenied.class, dx.getCause());
            assertEquals(2, reports.size());
        }
    }

    // ---------------------------------------------------------------- wait_for_decision

    @Test
    void waitForDecisionDoesNotBlockTheCaller() throws Exception {
        // System clock: the core really waits (a manual clock answers TIMEOUT at once).
        Fixture f = fixture(null, null, List.of("tool:*"), "supervised");
        Decision d = f.client.check(f.agentId, f.sessionId, "delete_file", "", null);
        assertEquals("ELEVATION_REQUIRED", d.code());
        String approval = d.approvalId();
        long t0 = System.nanoTime();
        CompletableFuture<Map<String, Object>> wait = f.client.waitForDecision(approval, 30);
        long callMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(callMs < 1_000, "waitForDecision blocked the caller for " + callMs + " ms");
        Thread.sleep(200);
        assertFalse(wait.isDone(), "decided before approval");
        assertEquals("pending", f.client.getApproval(Map.of("approval_id", approval)).get("status"));
        f.client.approve(Map.of("approval_id", approval, "decided_by", "alice@example.com"));
        Map<String, Object> decided = wait.get(10, TimeUnit.SECONDS);
        assertEquals("approved", decided.get("status"));
        assertEquals(approval, decided.get("approval_id"));

        // Timeout: the future fails with TIMEOUT / wait_timeout, the caller still not blocked.
        Fixture f2 = fixture(null, null, List.of("tool:*"), "supervised");
        Decision d2 = f2.client.check(f2.agentId, f2.sessionId, "delete_file", "", null);
        assertNotNull(d2.approvalId());
        t0 = System.nanoTime();
        CompletableFuture<Map<String, Object>> timeout = f2.client.waitForDecision(d2.approvalId(), 1);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 1_000);
        ExecutionException e = assertThrows(ExecutionException.class, () -> timeout.get(10, TimeUnit.SECONDS));
        WardenException.Timeout te = assertInstanceOf(WardenException.Timeout.class, e.getCause());
        assertEquals("wait_timeout", te.reason());
        // Errors arrive through the future, never thrown by the call.
        CompletableFuture<Map<String, Object>> bad = f.client.waitForDecision("apr_bad", 1);
        CompletionException ce = assertThrows(CompletionException.class, bad::join);
        assertInstanceOf(WardenException.ValidationError.class, ce.getCause());
        CompletableFuture<Map<String, Object>> unconvertible = f.client.waitForDecision(Map.of("approval_id", new Object()));
        assertInstanceOf(WardenException.ValidationError.class, assertThrows(CompletionException.class, unconvertible::join).getCause());
    }

    // ---------------------------------------------------------------- pure functions

    @Test
    void pureFunctions() {
        assertEquals("read", Warden.resolveEffect("web_search"));
        assertEquals("admin", Warden.resolveEffect("web_search", "admin"));
        assertEquals("invalid_effect", assertThrows(WardenException.ValidationError.class, () -> Warden.resolveEffect("x", "Read")).reason());
        assertThrows(WardenException.ValidationError.class, () -> Warden.resolveEffect(""));
        assertFalse(Warden.toolWords("db:drop_table").isEmpty());
        assertEquals("", Warden.summarizeInput("", false));
        assertEquals("[3 chars]", Warden.summarizeInput("a\ud83d\ude00b", false));
        assertEquals("[2 chars]", Warden.summarizeInput("a\ud800", false)); // lone surrogate → U+FFFD
        assertEquals("a\ufffd", Warden.summarizeInput("a\ud800", true));
        assertEquals("x".repeat(200), Warden.summarizeInput("x".repeat(300), true));
        assertTrue(Warden.covers(List.of("tool:*"), "tool:db:query"));
        assertFalse(Warden.verifyAuditExport("not json\n").ok());
        assertTrue(Warden.verifyAuditExport("").ok());
    }

    // ---------------------------------------------------------------- totality

    @Test
    void engineSurfaceIsTotal() {
        Fixture f = fixture(List.of("tool:*"), "open");
        List<String> hostile = TotalityTest.hostileStrings();
        Random r = new Random(7);
        List<String> ops = List.of("create_agent", "get_agent", "check", "init_session", "approve", "wait_for_decision",
                "create_delegation", "set_policy", "query_audit", "export_audit", "record_telemetry", "jwks", "list_agents");
        for (String s : hostile) {
            String d = TotalityTest.describe(s);
            TotalityTest.total("Json.parse " + d, () -> Json.parse(s));
            TotalityTest.total("engine.call op " + d, () -> f.engine.call(s, Map.of()));
            TotalityTest.total("client.call op " + d, () -> f.client.call(s));
            for (String op : ops) {
                if (op.equals("wait_for_decision")) {
                    continue;
                }
                Map<String, Object> args = new LinkedHashMap<>();
                args.put(List.of("name", "agent_id", "tool", "session_id", "rules", "events", "workspace").get(r.nextInt(7)), s);
                args.put("agent_id", r.nextBoolean() ? f.agentId : s);
                TotalityTest.total("call " + op + " " + d, () -> f.client.call(op, args));
            }
            TotalityTest.total("check " + d, () -> f.client.check(f.agentId, s, s, s, s));
            TotalityTest.total("new Engine " + d, () -> new Engine(Map.of("issuer", s == null ? "x" : s), 0L));
            TotalityTest.total("new Guard " + d, () -> new Guard(f.client, s));
            TotalityTest.total("resolveEffect " + d, () -> Warden.resolveEffect(s, s));
            TotalityTest.total("toolWords " + d, () -> Warden.toolWords(s));
            TotalityTest.total("summarizeInput " + d, () -> Warden.summarizeInput(s, r.nextBoolean()));
            TotalityTest.total("verifyAuditExport " + d, () -> Warden.verifyAuditExport(s));
            TotalityTest.total("setFault " + d, () -> {
                f.client.setFault(s);
                f.client.setFault(null);
                return null;
            });
            TotalityTest.total("waitForDecision " + d, () -> f.client.waitForDecision(Map.of("approval_id", s == null ? "" : s, "timeout_seconds", 0)).handle((v, e) -> {
                if (e != null && !(e instanceof WardenException) && !(e.getCause() instanceof WardenException)) {
                    throw new AssertionError("not a WardenException: " + e);
                }
                return v;
            }).join());
        }
        try (Guard g = new Guard(f.client, f.agentId, GuardOptions.builder().sessionId(f.sessionId).flushTimer(false).strictMode(false).build())) {
            for (String s : hostile) {
                String d = TotalityTest.describe(s);
                TotalityTest.total("guard.check " + d, () -> g.check(s, s, s));
                TotalityTest.total("guard.check input " + d, () -> g.check("web_search", s));
                TotalityTest.total("guard.report " + d, () -> {
                    g.report(s, r.nextBoolean(), r.nextLong(), s);
                    return null;
                });
            }
            // Garbage JSON-ish argument trees.
            for (int i = 0; i < 300; i++) {
                Object tree = randomTree(r, 0, hostile);
                String op = ops.get(r.nextInt(ops.size()));
                if (op.equals("wait_for_decision")) {
                    continue;
                }
                Map<String, Object> args = new LinkedHashMap<>();
                args.put("agent_id", f.agentId);
                args.put(List.of("name", "capabilities", "metadata", "rules", "events", "scopes", "limit").get(r.nextInt(7)), tree);
                TotalityTest.total("tree " + op, () -> f.client.call(op, args));
            }
            TotalityTest.total("guard.flush", () -> {
                g.flush();
                return g.stats();
            });
        }
        // Closed handles: VALIDATION_ERROR, never IllegalStateException.
        Engine e = new Engine(Map.of(), T0);
        e.close();
        assertThrows(WardenException.ValidationError.class, () -> e.call("jwks"));
        Client c = Client.local();
        c.close();
        assertThrows(WardenException.ValidationError.class, () -> c.call("jwks"));
    }

    static Object randomTree(Random r, int depth, List<String> strings) {
        int k = depth > 4 ? r.nextInt(5) : r.nextInt(7);
        return switch (k) {
            case 0 -> null;
            case 1 -> r.nextLong();
            case 2 -> r.nextDouble() * 1e12;
            case 3 -> r.nextBoolean();
            case 4 -> strings.get(r.nextInt(strings.size() - 1)).substring(0, 0) + "s" + r.nextInt(100);
            case 5 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    l.add(randomTree(r, depth + 1, strings));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    m.put("k" + r.nextInt(10), randomTree(r, depth + 1, strings));
                }
                yield m;
            }
        };
    }

    @Test
    void vectorsRunnerRejectsWrongExpectations() throws IOException {
        // The shared replay must be able to fail: a wrong expectation is reported, not ignored.
        Map<String, Object> kase = (Map<String, Object>) Json.parse("{\"name\":\"x\",\"steps\":["
                + "{\"op\":\"create_agent\",\"args\":{\"name\":\"a\",\"capabilities\":[\"tool:web_search\"]},\"as\":\"A\"},"
                + "{\"op\":\"init_session\",\"args\":{\"agent_id\":\"$A\",\"server_id\":\"s\",\"mode\":\"open\"},\"as\":\"S\"},"
                + "{\"op\":\"check\",\"args\":{\"agent_id\":\"$A\",\"session_id\":\"$S\",\"tool\":\"web_search\"},\"expect\":{\"allowed\":false}},"
                + "{\"op\":\"new_guard\",\"args\":{\"agent_id\":\"$A\",\"session_id\":\"$S\"},\"as\":\"G\"},"
                + "{\"op\":\"guard_check\",\"args\":{\"guard\":\"$G\",\"tool\":\"db:drop\"},\"expect\":{\"error\":\"ACTION_DENIED\",\"decision\":{\"tool\":\"other\"}}},"
                + "{\"op\":\"get_agent\",\"args\":{\"agent_id\":\"$A\"},\"expect\":{\"error\":\"NOT_FOUND\"}},"
                + "{\"op\":\"get_agent\",\"args\":{\"agent_id\":\"$A\"},\"expect\":{\"agent_id\":\"$A\",\"name\":\"a\"}}]}");
        dev.warden.parity.Replay.Outcome o = dev.warden.parity.Replay.runScenario(kase, 1_700_000_000L);
        assertEquals(3, o.failures().size(), o.failures().toString());
        assertTrue(o.failures().get(0).startsWith("step 2 (check): result.allowed"), o.failures().get(0));
        assertTrue(o.failures().get(1).startsWith("step 4 (guard_check): decision.tool"), o.failures().get(1));
        assertTrue(o.failures().get(2).startsWith("step 5 (get_agent): want error"), o.failures().get(2));
        assertEquals(7, o.transcript().size());
    }
}
