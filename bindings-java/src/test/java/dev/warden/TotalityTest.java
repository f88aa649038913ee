package dev.warden;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every public entry point is total: hostile input (null, empty, NUL, lone surrogates, non-ASCII,
 * huge strings, random bytes, invalid JSON) gives a value or a {@link WardenException} — never a
 * NullPointerException, a native crash or a raw generated-layer exception.
 */
class TotalityTest {
    static final String SECRET = "ab".repeat(32);

    static List<String> hostileStrings() {
        List<String> out = new ArrayList<>(List.of("", " ", "\u0000", "a\u0000b", "\ud800", "x\udfffy", "\u00e9\u200b\u00a0",
                "{", "[]", "null", "{\"a\":1,\"a\":2}", "\ufeff{}", "a.b.c", "...", "a.b.c.d.e", "*", "tool:*", "10/hour",
                "x".repeat(1 << 20), "[".repeat(10_000), "{\"keys\":[{\"kty\":\"oct\",\"k\":\"\"}]}",
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "eyJhbGciOiJub25lIn0.e30."));
        Random r = new Random(42);
        for (int i = 0; i < 40; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(64);
            for (int j = 0; j < n; j++) {
                b.append((char) r.nextInt(0x10000));
            }
            out.add(b.toString());
        }
        out.add(null);
        return out;
    }

    static String describe(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        s.chars().limit(40).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return b + (s.length() > 40 ? "…(" + s.length() + ")" : "");
    }

    static void total(String what, Supplier<?> f) {
        try {
            Object v = f.get();
            if (v instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    fail(what + ": close threw " + e);
                }
            }
        } catch (WardenException e) {
            assertNotNull(e.code());
        } catch (Throwable t) {
            fail(what + " threw " + t.getClass().getName() + ": " + t.getMessage(), t);
        }
    }

    @Test
    void everyEntryPointIsTotal() {
        Key hs = Key.hs256Hex(SECRET);
        Key ed = Key.generateEd25519("k");
        for (String s : hostileStrings()) {
            String d = describe(s);
            total("hs256Hex " + d, () -> Key.hs256Hex(s));
            total("hs256Hex kid " + d, () -> Key.hs256Hex(SECRET, s));
            total("fromJwk " + d, () -> Key.fromJwk(s));
            total("fromPem " + d, () -> Key.fromPem(s, s));
            total("generateEd25519 " + d, () -> Key.generateEd25519(s));
            total("fromJwks " + d, () -> KeySet.fromJwks(s));
            total("keySet.get " + d, () -> KeySet.of(hs).get(s));
            total("VerifierOptions.fromJson " + d, () -> new Verifier(hs, VerifierOptions.fromJson(s)));
            total("builder audience " + d, () -> new Verifier(hs, VerifierOptions.builder(Alg.HS256).audience(s).issuer(s).allowedTyp(s == null ? "x" : s).build()));
            total("verify " + d, () -> new Verifier(hs, VerifierOptions.builder(Alg.HS256).build()).verify(s));
            total("verify ed " + d, () -> new Verifier(KeySet.of(ed), VerifierOptions.builder(Alg.EdDSA, Alg.HS256).build()).verify(s));
            total("revoke " + d, () -> {
                try (Verifier v = new Verifier(hs, VerifierOptions.builder(Alg.HS256).build())) {
                    v.revoke(s);
                    return v.isRevoked(s);
                }
            });
            total("inspect " + d, () -> Warden.inspectToken(s));
            total("validate " + d, () -> Warden.validateToken(s, SECRET));
            total("validate secret " + d, () -> Warden.validateToken("a.b.c", s, new ValidateOptions(s, s, -5L, Long.MIN_VALUE)));
            total("Claims.fromJson " + d, () -> Claims.fromJson(s));
            total("issue claims " + d, () -> Warden.issueToken(hs, Claims.builder().sub(s == null ? "x" : s).putJson("j", s == null ? "1" : s).build(), Long.MAX_VALUE));
            total("issue ed " + d, () -> Warden.issueToken(ed, Claims.builder().sub("a").scope(s == null ? "" : s).build()));
            total("issueToken " + d, () -> Warden.issueToken(SECRET, IssueArgs.builder(s, s).aud(s == null ? "" : s).iss(s).jti(s).rate(s == null ? "" : s, "1/s").ttlSeconds(Long.MIN_VALUE).build()));
            total("issueToken secret " + d, () -> Warden.issueToken(s, "a", "tool:x"));
            total("parseScopes " + d, () -> Warden.parseScopes(s));
            total("isValidScope " + d, () -> Warden.isValidScope(s));
            total("checkScope " + d, () -> Warden.checkScope(s, s == null ? List.of() : List.of(s, "*")));
            total("matchesWildcard " + d, () -> Warden.matchesWildcard(s, s));
            total("covers " + d, () -> Warden.covers(s == null ? List.of() : List.of(s), s));
            total("buildScopeString " + d, () -> Warden.buildScopeString(s == null ? null : List.of(s), null, null));
            total("ScopeSet.of " + d, () -> ScopeSet.of(s == null ? List.of() : List.of(s)));
            total("ScopeSet.lenient " + d, () -> ScopeSet.lenient(s == null ? List.of() : List.of(s, s)).allows(s));
            total("ScopeSet.fromClaim " + d, () -> ScopeSet.fromClaim(s));
            total("RateSpec.parse " + d, () -> RateSpec.parse(s));
            total("Orchestrator " + d, () -> Orchestrator.fromSecret(s, SECRET));
            total("provision " + d, () -> {
                try (Orchestrator o = Orchestrator.fromSecret("https://p", SECRET)) {
                    return o.provisionSandbox(s, ProvisionOptions.builder().tools(s == null ? "t" : s).jti(s).ttlSeconds(-1).build());
                }
            });
            total("sessionTokenFromEnv " + d, () -> Warden.sessionTokenFromEnv(s));
            total("sessionTokenFrom " + d, () -> Warden.sessionTokenFrom(s, s == null ? Map.of() : Map.of(s, s), null));
            total("fetch " + d, () -> KeySet.fetch(s, 0).handle((v, e) -> {
                if (e != null && !(e instanceof WardenException)) {
                    fail("fetch failed with " + e);
                }
                return null;
            }).join());
        }
        total("null key", () -> new Verifier((Key) null, null));
        total("null claims", () -> Warden.issueToken(hs, null));
        total("null list element", () -> Warden.checkScope("tool:a", java.util.Arrays.asList("tool:*", null)));
        total("huge list", () -> ScopeSet.of(java.util.Collections.nCopies(1000, "tool:*")));
        total("shutdown", () -> {
            Warden.shutdown(java.time.Duration.ofMillis(-1));
            return null;
        });
    }
}
