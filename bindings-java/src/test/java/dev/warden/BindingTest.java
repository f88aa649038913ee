package dev.warden;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tests of the glue: conversions, handles, builders. Behaviour is tested by the vectors. */
class BindingTest {
    static final String SECRET = "0123456789abcdef".repeat(4);

    @Test
    void versionAndCodes() {
        assertFalse(Warden.version().isEmpty());
    }

    @Test
    void keysRoundTrip() {
        try (Key ed = Key.generateEd25519("ed-1"); Key es = Key.generateEs256(null); Key hs = Key.hs256Hex(SECRET, "h")) {
            assertEquals(Alg.EdDSA, ed.alg());
            assertEquals(Alg.ES256, es.alg());
            assertEquals(Alg.HS256, hs.alg());
            assertEquals("ed-1", ed.kid().orElseThrow());
            assertTrue(es.kid().isEmpty());
            assertTrue(ed.hasPrivate());
            try (Key pub = ed.publicKey()) {
                assertFalse(pub.hasPrivate());
                try (Key again = Key.fromJwk(pub.publicJwk())) {
                    assertEquals(Alg.EdDSA, again.alg());
                }
            }
            try (Key fromPem = Key.fromPem(es.toPem(true), "p")) {
                assertEquals(Alg.ES256, fromPem.alg());
                assertTrue(fromPem.hasPrivate());
            }
            try (KeySet set = KeySet.of(ed.publicKey(), hs)) {
                assertEquals(2, set.size());
                assertTrue(set.get("ed-1").isPresent());
                assertTrue(set.get("nope").isEmpty());
                try (KeySet again = KeySet.fromJwks(set.toPublicJwks())) {
                    assertEquals(1, again.size()); // HMAC keys are never exported publicly
                }
            }
        }
        assertThrows(WardenException.InvalidKey.class, () -> Key.hs256Bytes(new byte[31], null));
        assertEquals(Alg.HS256, Key.hs256Bytes(new byte[32], null).alg());
    }

    @Test
    void issueAndVerifyEdDsaWithExtras() {
        try (Key key = Key.generateEd25519("k1");
             Verifier v = new Verifier(KeySet.of(key.publicKey()), VerifierOptions.builder(Alg.EdDSA).now(1_700_000_100L).build())) {
            Claims claims = Claims.builder().sub("agent-7").aud("ati-proxy").iat(1_700_000_000L).exp(1_700_003_600L)
                    .jti("j-1").scope("tool:a skill:b-*").atiRate(Map.of("tool:a", "10/hour"))
                    .put("job_id", "job\u0000\u00e9").putJson("big", "123456789012345678901234567890").put("flag", true)
                    .build();
            String token = Warden.issueToken(key, claims);
            Claims c = v.verify(token);
            assertEquals("agent-7", c.sub().orElseThrow());
            assertEquals("ati-proxy", c.audience().orElseThrow());
            assertEquals("\"ati-proxy\"", c.audJson().orElseThrow());
            assertEquals(1_700_003_600L, c.exp().orElseThrow());
            assertTrue(c.nbf().isEmpty());
            assertEquals(List.of("tool:a", "skill:b-*"), c.scopes());
            assertTrue(c.allows("skill:b-x"));
            assertFalse(c.allows("skill:b-x:y"));
            assertEquals(List.of(new RateLimit("tool:a", 10, 3600)), c.rateLimits());
            Map<String, String> extra = c.extraJson();
            assertEquals(List.of("job_id", "big", "flag"), List.copyOf(extra.keySet()));
            assertEquals("123456789012345678901234567890", extra.get("big"));
            assertEquals("true", extra.get("flag"));
            // NUL and non-ASCII pass with their exact length.
            assertEquals("\"job\\u0000\\u00e9\"", extra.get("job_id"));
            assertTrue(c.toJson().startsWith("{\"sub\":\"agent-7\""));
            v.revoke("j-1");
            assertTrue(v.isRevoked("j-1"));
            assertThrows(WardenException.TokenRevoked.class, () -> v.verify(token));
        }
    }

    @Test
    void atiShortcuts() {
        String tok = Warden.issueToken(SECRET, IssueArgs.builder("agent-1", "tool:x").rate("tool:x", "5/min").iss(null).build());
        Claims c = Warden.validateToken(tok, SECRET);
        assertTrue(c.iss().isEmpty());
        assertEquals(36, c.jti().orElseThrow().length());
        assertEquals("{\"v\":1,\"rate\":{\"tool:x\":\"5/min\"}}", c.atiJson().orElseThrow());
        assertEquals("agent-1", Warden.inspectToken(tok).sub().orElseThrow());
        assertThrows(WardenException.InvalidToken.class,
                () -> Warden.validateToken(tok, SECRET, new ValidateOptions("other", null, null, null)));
    }

    @Test
    void scopesAndRates() {
        assertEquals(List.of("tool:a", "help"), Warden.parseScopes("tool:a help"));
        assertEquals("tool:a skill:b x:y", Warden.buildScopeString(List.of("a"), List.of("b"), List.of("x:y")));
        assertTrue(Warden.matchesWildcard("tool:a", "tool:*"));
        assertTrue(Warden.covers(List.of("tool:*"), "tool:a"));
        try (ScopeSet set = ScopeSet.of("tool:*", "skill:r-*")) {
            assertTrue(set.allows("tool:x:y"));
            assertFalse(set.allows("skill:r-x:y"));
            assertTrue(set.covers("tool:a*"));
            assertEquals(2, set.size());
            assertEquals(List.of("tool:*", "skill:r-*"), set.patterns());
        }
        assertThrows(WardenException.InvalidScope.class, () -> ScopeSet.of("Bad Pattern"));
        try (ScopeSet fromClaim = ScopeSet.fromClaim("tool:a tool:b")) {
            assertTrue(fromClaim.allows("tool:b"));
        }
        assertEquals(new RateSpec(10, 3600), RateSpec.parse("10/hour"));
        assertThrows(WardenException.InvalidRateSpec.class, () -> RateSpec.parse("10/hours"));
    }

    @Test
    void provisioning() {
        try (Orchestrator o = Orchestrator.fromSecret("https://proxy.example//", SECRET)) {
            assertEquals("https://proxy.example", o.proxyUrl());
            Map<String, String> env = o.provisionSandbox("agent-9", ProvisionOptions.builder().tools("search").skills("r").build());
            assertEquals(List.of("ATI_PROXY_URL", "ATI_SESSION_TOKEN"), List.copyOf(env.keySet()));
            Claims c = Warden.validateToken(env.get("ATI_SESSION_TOKEN"), SECRET);
            assertEquals("tool:search skill:r", c.scope().orElseThrow());
        }
        assertThrows(WardenException.NotFound.class,
                () -> Warden.sessionTokenFrom("WARDEN_NO_SUCH_VAR", Map.of(), java.nio.file.Path.of("/nonexistent/x")));
        assertEquals("tok", Warden.sessionTokenFrom("T", Map.of("T", "  tok \n"), null));
    }

    @Test
    void closedHandlesGiveTypedErrors() {
        Key k = Key.hs256Hex(SECRET);
        k.close();
        k.close(); // idempotent
        WardenException e = assertThrows(WardenException.class, k::alg);
        assertEquals("VALIDATION_ERROR", e.code());
        ScopeSet s = ScopeSet.of("tool:*");
        s.close();
        assertThrows(WardenException.ValidationError.class, () -> s.allows("tool:a"));
    }

    @Test
    void optionsAreValidatedInCore() {
        try (Key k = Key.hs256Hex(SECRET)) {
            assertThrows(WardenException.ValidationError.class, () -> new Verifier(k, VerifierOptions.builder().build()));
            assertThrows(WardenException.ValidationError.class, () -> new Verifier(k, VerifierOptions.builder(Alg.HS256).leewaySeconds(301).build()));
            assertThrows(WardenException.ValidationError.class, () -> new Verifier(k, VerifierOptions.fromJson("{\"algorithms\":[\"HS256\"],\"nope\":1}")));
            assertThrows(WardenException.ValidationError.class, () -> new Verifier(k, VerifierOptions.fromJson("not json")));
            assertThrows(WardenException.ValidationError.class, () -> Warden.issueToken(SECRET, IssueArgs.builder("a", "tool:x").ttlSeconds(0).build()));
        }
    }
}
