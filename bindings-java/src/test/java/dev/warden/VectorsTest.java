package dev.warden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case of every file in {@code tests/vectors/} by name, replayed exactly as the Rust
 * runner {@code core/tests/vectors.rs} does, comparing values and error codes (and reasons where a
 * case gives one). A file without a runner here is a failing case, never a skip.
 *
 * <p>The only cases not run are the {@code ati_interop.json} reject cases marked {@code dynamic_only}
 * (a non-integer {@code ttl_seconds}, a non-string {@code sub}, a non-string rate value): the typed
 * Java API cannot even express those calls. They are listed, counted and asserted in
 * {@link #dynamicOnlyCasesAreNotApplicable()}.
 */
class VectorsTest {
    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** Case counts per file: [generated, not applicable]. */
    static final Map<String, int[]> COUNTS = new TreeMap<>();
    static final List<String> NOT_APPLICABLE = new ArrayList<>();

    static Path vectorsDir() {
        String p = System.getProperty("warden.vectors.dir");
        return p != null ? Paths.get(p) : Paths.get("..", "tests", "vectors");
    }

    static synchronized Stream<Arguments> cases() throws IOException {
        COUNTS.clear();
        NOT_APPLICABLE.clear();
        List<Arguments> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(vectorsDir())) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path path : files) {
            String file = path.getFileName().toString();
            JsonNode v = JSON.readTree(path.toFile());
            int before = out.size();
            if (v.isObject() && v.has("suite")) {
                // Engine-shaped (SEMANTICS-engine §18), whatever the file name.
                engineCases(file, path, out);
            } else {
                switch (file) {
                    case "ati_interop.json" -> atiCases(file, v, out);
                    case "scopes.json" -> scopeCases(file, v, out);
                    case "warden_tokens.json" -> wardenCases(file, v, out);
                    default -> out.add(Arguments.of(file + "::runner", (Executable) () -> fail("no Java runner for " + file)));
                }
            }
            COUNTS.computeIfAbsent(file, k -> new int[2])[0] = out.size() - before;
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void vector(String name, Executable body) throws Throwable {
        try {
            body.execute();
        } catch (Throwable t) {
            // Name the case in the console report too (surefire shows the index otherwise).
            throw new AssertionError(name + ": " + t, t);
        }
    }

    @Test
    void dynamicOnlyCasesAreNotApplicable() throws IOException {
        cases().count();
        // ati_interop.json documents exactly three dynamic_only reject cases.
        assertEquals(List.of("ati_interop.json::reject::float_ttl_fractional__issue",
                "ati_interop.json::reject::sub_as_number__issue",
                "ati_interop.json::reject::rate_value_not_string__issue"), NOT_APPLICABLE);
        // Every other case of every file became a test.
        JsonNode ati = JSON.readTree(vectorsDir().resolve("ati_interop.json").toFile());
        assertEquals(ati.get("accept").size() + ati.get("reject").size() - 3, COUNTS.get("ati_interop.json")[0]);
        JsonNode sc = JSON.readTree(vectorsDir().resolve("scopes.json").toFile());
        int scopes = 0;
        for (String sec : SCOPE_SECTIONS) {
            scopes += sc.get(sec).size();
        }
        assertEquals(scopes, COUNTS.get("scopes.json")[0]);
        StringBuilder summary = new StringBuilder("vector cases per file:");
        COUNTS.forEach((f, c) -> summary.append(' ').append(f).append('=').append(c[0]).append(c[1] > 0 ? " (+" + c[1] + " N/A)" : ""));
        System.out.println(summary);
    }

    @Test
    void everyEngineCaseBecameATest() throws IOException {
        cases().count();
        int files = 0;
        try (Stream<Path> s = Files.list(vectorsDir())) {
            for (Path p : s.filter(x -> x.toString().endsWith(".json")).sorted().toList()) {
                JsonNode v = JSON.readTree(p.toFile());
                if (v.has("suite")) {
                    files++;
                    String f = p.getFileName().toString();
                    assertEquals(v.get("cases").size(), COUNTS.get(f)[0], f);
                    assertEquals(0, COUNTS.get(f)[1], f);
                }
            }
        }
        // effects, guard_decisions, delegation_public, approvals_public (more may appear).
        assertTrue(files >= 4, "engine-shaped vector files found: " + files);
    }

    // ---------------------------------------------------------------- engine-shaped files

    /**
     * Every case of an engine-shaped file, replayed through the public API by the shared
     * {@link dev.warden.parity.Replay} (the parity runner's replay; a port of core/tests/replay).
     * The file is read with the SDK's own {@link Json} so values arrive as the SDK's native types.
     */
    @SuppressWarnings("unchecked")
    static void engineCases(String file, Path path, List<Arguments> out) throws IOException {
        Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readString(path));
        long clock = doc.get("clock") instanceof Long l ? l : 0L;
        if (!(doc.get("cases") instanceof List<?> cases)) {
            out.add(Arguments.of(file + "::cases", (Executable) () -> fail("engine-shaped file without cases")));
            return;
        }
        for (Object c : cases) {
            Map<String, Object> kase = (Map<String, Object>) c;
            out.add(Arguments.of(file + "::" + kase.get("name"), (Executable) () -> {
                if (kase.containsKey("steps")) {
                    dev.warden.parity.Replay.Outcome o = dev.warden.parity.Replay.runScenario(kase, clock);
                    if (!o.failures().isEmpty()) {
                        fail(String.join("\n", o.failures()));
                    }
                } else {
                    dev.warden.parity.Replay.runPure(kase);
                }
            }));
        }
    }

    // ---------------------------------------------------------------- helpers

    static String s(JsonNode v, String k) {
        JsonNode x = v.get(k);
        if (x == null || !x.isTextual()) {
            throw new AssertionError("vector field " + k + " missing");
        }
        return x.textValue();
    }

    static List<String> strs(JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v != null && v.isArray()) {
            for (JsonNode x : v) {
                out.add(x.textValue());
            }
        }
        return out;
    }

    static Long optLong(JsonNode v) {
        return v == null || v.isNull() ? null : v.longValue();
    }

    static String text(JsonNode v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("core returned invalid JSON " + json, e);
        }
    }

    /** Unordered, type-strict JSON equality (integers exact, floats by value, member order ignored). */
    static boolean jsonEq(JsonNode a, JsonNode b) {
        if (a.isIntegralNumber() || b.isIntegralNumber()) {
            return a.isIntegralNumber() && b.isIntegralNumber() && a.bigIntegerValue().equals(b.bigIntegerValue());
        }
        if (a.isFloatingPointNumber() || b.isFloatingPointNumber()) {
            return a.isFloatingPointNumber() && b.isFloatingPointNumber() && a.doubleValue() == b.doubleValue();
        }
        if (a.isObject() && b.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode o = b.get(e.getKey());
                if (o == null || !jsonEq(e.getValue(), o)) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!jsonEq(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.getNodeType() == b.getNodeType() && a.equals(b);
    }

    /** The claims as seen through the public accessors plus the extra-claims map. */
    static JsonNode exposed(Claims c) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        c.sub().ifPresent(x -> m.put("sub", x));
        c.audJson().ifPresent(x -> m.set("aud", parse(x)));
        c.iat().ifPresent(x -> m.put("iat", x));
        c.exp().ifPresent(x -> m.put("exp", x));
        c.nbf().ifPresent(x -> m.put("nbf", x));
        c.jti().ifPresent(x -> m.put("jti", x));
        c.iss().ifPresent(x -> m.put("iss", x));
        c.scope().ifPresent(x -> m.put("scope", x));
        c.atiJson().ifPresent(x -> m.set("ati", parse(x)));
        c.extraJson().forEach((k, x) -> m.set(k, parse(x)));
        return m;
    }

    static void checkClaims(Claims c, JsonNode expect) {
        JsonNode got = exposed(c);
        if (!jsonEq(got, expect)) {
            fail("claims differ:\n got  " + got + "\n want " + expect);
        }
    }

    @FunctionalInterface
    interface Op<T> {
        T run();
    }

    static <T> void expectError(Op<T> op, JsonNode expect) {
        String want = s(expect, "error");
        T v;
        try {
            v = op.run();
        } catch (WardenException e) {
            assertEquals(want, e.code(), () -> "expected " + want + ", got " + e);
            JsonNode reason = expect.get("reason");
            if (reason != null && reason.isTextual()) {
                assertEquals(reason.textValue(), e.reason(), () -> "expected reason " + reason.textValue() + ", got " + e);
            }
            return;
        }
        fail("expected " + want + ", got success " + v);
    }

    static JsonNode errorOf(String code) {
        return JsonNodeFactory.instance.objectNode().put("error", code);
    }

    // ---------------------------------------------------------------- ati_interop.json

    static Claims atiValidate(JsonNode c, JsonNode profile) {
        String secret = s(c, "secret_hex");
        String token = s(c, "token");
        Long now = optLong(c.get("now"));
        String issuer = profile.hasNonNull("issuer") ? profile.get("issuer").textValue() : null;
        // Through the Verifier with every profile option...
        String viaVerifier;
        try (Key key = Key.hs256Hex(secret);
             Verifier v = new Verifier(key, VerifierOptions.builder(Alg.HS256)
                     .audience(s(profile, "audience"))
                     .issuer(issuer)
                     .leewaySeconds(profile.get("leeway_seconds").longValue())
                     .maxLifetimeSeconds(profile.get("max_lifetime_seconds").longValue())
                     .now(now)
                     .build())) {
            v.verify(token).close();
            viaVerifier = "ok";
        } catch (WardenException e) {
            viaVerifier = e.code();
        }
        // ...and through the ATI shortcut: both must agree.
        String viaShortcut;
        Claims claims = null;
        try {
            claims = Warden.validateToken(token, secret, new ValidateOptions(s(profile, "audience"), issuer,
                    profile.get("leeway_seconds").longValue(), now));
            viaShortcut = "ok";
        } catch (WardenException e) {
            viaShortcut = e.code();
            assertEquals(viaVerifier, viaShortcut, "Verifier and validateToken disagree");
            throw e;
        }
        assertEquals(viaVerifier, viaShortcut, "Verifier and validateToken disagree");
        return claims;
    }

    /** issue_defaults, then issue_args (order-preserving), then now = issue_now — as typed builder calls. */
    static String atiIssue(JsonNode c, JsonNode defaults) {
        Map<String, JsonNode> args = new LinkedHashMap<>();
        defaults.fields().forEachRemaining(e -> args.put(e.getKey(), e.getValue()));
        c.get("issue_args").fields().forEachRemaining(e -> {
            args.remove(e.getKey());
            args.put(e.getKey(), e.getValue());
        });
        JsonNode sub = args.get("sub");
        JsonNode scope = args.get("scope");
        if (sub == null || !sub.isTextual() || scope == null || !scope.isTextual()) {
            throw new AssertionError("sub/scope not strings in a case not marked dynamic_only");
        }
        IssueArgs.Builder b = IssueArgs.builder(sub.textValue(), scope.textValue());
        for (Map.Entry<String, JsonNode> e : args.entrySet()) {
            JsonNode val = e.getValue();
            switch (e.getKey()) {
                case "sub", "scope" -> {}
                case "ttl_seconds" -> {
                    if (!val.isIntegralNumber() || !val.canConvertToLong()) {
                        throw new AssertionError("ttl_seconds not an integer in a case not marked dynamic_only");
                    }
                    b.ttlSeconds(val.longValue());
                }
                case "aud" -> b.aud(val.textValue());
                case "iss" -> b.iss(val.isNull() ? null : val.textValue());
                case "jti" -> b.jti(val.isNull() ? null : val.textValue());
                case "rate" -> {
                    Map<String, String> rate = new LinkedHashMap<>();
                    val.fields().forEachRemaining(r -> {
                        if (!r.getValue().isTextual()) {
                            throw new AssertionError("rate value not a string in a case not marked dynamic_only");
                        }
                        rate.put(r.getKey(), r.getValue().textValue());
                    });
                    b.rate(rate);
                }
                default -> throw new AssertionError("unknown issue_token argument " + e.getKey());
            }
        }
        b.now(c.get("issue_now").longValue());
        return Warden.issueToken(s(c, "secret_hex"), b.build());
    }

    static void atiCases(String file, JsonNode v, List<Arguments> out) {
        JsonNode profile = v.get("profile");
        JsonNode defaults = v.get("issue_defaults");
        for (JsonNode c : v.get("accept")) {
            out.add(Arguments.of(file + "::accept::" + s(c, "name"), (Executable) () -> {
                try (Claims claims = atiValidate(c, profile)) {
                    checkClaims(claims, c.get("expect").get("claims"));
                }
                if (c.path("reissue_identical").asBoolean(false)) {
                    assertEquals(s(c, "token"), atiIssue(c, defaults), "re-issued token differs");
                }
            }));
        }
        for (JsonNode c : v.get("reject")) {
            String name = file + "::reject::" + s(c, "name");
            if (c.path("dynamic_only").asBoolean(false)) {
                NOT_APPLICABLE.add(name);
                COUNTS.computeIfAbsent(file, k -> new int[2])[1]++;
                continue;
            }
            JsonNode expect = c.get("expect");
            out.add(Arguments.of(name, (Executable) () -> {
                switch (s(c, "stage")) {
                    case "validate" -> expectError(() -> atiValidate(c, profile), expect);
                    case "issue" -> expectError(() -> atiIssue(c, defaults), expect);
                    default -> fail("unknown stage " + s(c, "stage"));
                }
            }));
        }
    }

    // ---------------------------------------------------------------- scopes.json

    static final List<String> SCOPE_SECTIONS = List.of("parse", "match", "covers", "build_scope_string", "rate_specs");

    static void scopeCases(String file, JsonNode v, List<Arguments> out) {
        for (String sec : SCOPE_SECTIONS) {
            JsonNode cases = v.get(sec);
            if (cases == null || !cases.isArray()) {
                out.add(Arguments.of(file + "::" + sec, (Executable) () -> fail("section " + sec + " missing")));
                continue;
            }
            for (JsonNode c : cases) {
                out.add(Arguments.of(file + "::" + sec + "::" + s(c, "name"), (Executable) () -> scopeCase(sec, c)));
            }
        }
    }

    static void scopeCase(String sec, JsonNode c) {
        JsonNode expect = c.get("expect");
        switch (sec) {
            case "parse" -> {
                String input = s(c, "input");
                if (expect.path("valid").asBoolean(false)) {
                    assertEquals(strs(expect.get("tokens")), Warden.parseScopes(input));
                    assertTrue(Warden.isValidScope(input));
                } else {
                    assertFalse(Warden.isValidScope(input), "isValidScope said true");
                    expectError(() -> Warden.parseScopes(input), errorOf("INVALID_SCOPE"));
                }
            }
            case "match" -> {
                List<String> granted = strs(c.get("granted"));
                String required = s(c, "required");
                boolean want = expect.booleanValue();
                assertEquals(want, Warden.checkScope(required, granted), "checkScope");
                try (ScopeSet set = ScopeSet.lenient(granted)) {
                    assertEquals(want, set.allows(required), "ScopeSet.allows");
                }
            }
            case "covers" -> {
                List<String> parent = strs(c.get("parent"));
                List<String> child = strs(c.get("child"));
                boolean want = expect.booleanValue();
                assertEquals(want, child.stream().allMatch(ch -> Warden.covers(parent, ch)), "covers");
                try (ScopeSet set = ScopeSet.lenient(parent)) {
                    assertEquals(want, child.stream().allMatch(set::covers), "ScopeSet.covers");
                }
            }
            case "build_scope_string" -> {
                JsonNode a = c.get("args");
                List<String> tools = a.has("tools") ? strs(a.get("tools")) : null;
                List<String> skills = a.has("skills") ? strs(a.get("skills")) : null;
                List<String> extra = a.has("extra") ? strs(a.get("extra")) : null;
                if (expect.has("scope")) {
                    assertEquals(s(expect, "scope"), Warden.buildScopeString(tools, skills, extra));
                } else {
                    expectError(() -> Warden.buildScopeString(tools, skills, extra), expect);
                }
            }
            case "rate_specs" -> {
                String input = s(c, "input");
                if (expect.path("valid").asBoolean(false)) {
                    RateSpec r = RateSpec.parse(input);
                    assertEquals(expect.get("count").longValue(), r.count());
                    assertEquals(expect.get("window_seconds").longValue(), r.windowSeconds());
                } else {
                    expectError(() -> RateSpec.parse(input), errorOf("INVALID_RATE_SPEC"));
                }
            }
            default -> fail("no runner for section " + sec);
        }
    }

    // ---------------------------------------------------------------- warden_tokens.json

    static void wardenCases(String file, JsonNode v, List<Arguments> out) {
        v.fields().forEachRemaining(e -> {
            String sec = e.getKey();
            if (!e.getValue().isArray() || sec.equals("notes")) {
                return;
            }
            for (JsonNode c : e.getValue()) {
                out.add(Arguments.of(file + "::" + sec + "::" + s(c, "name"), (Executable) () -> wardenCase(sec, c, v)));
            }
        });
    }

    static Key keyFromSpec(JsonNode name, JsonNode keys, boolean publicOnly) {
        JsonNode jwk = keys.get(name.textValue());
        if (jwk == null) {
            throw new AssertionError("unknown key " + name);
        }
        Key k = Key.fromJwk(text(jwk));
        return publicOnly ? k.publicKey() : k;
    }

    static KeySet keysetFor(JsonNode c, JsonNode keys) {
        if (c.has("jwks")) {
            return KeySet.fromJwks(s(c, "jwks"));
        }
        List<Key> list = new ArrayList<>();
        for (JsonNode k : c.get("keys")) {
            list.add(keyFromSpec(k, keys, true));
        }
        return KeySet.of(list);
    }

    static void wardenCase(String sec, JsonNode c, JsonNode root) throws IOException {
        JsonNode keys = root.get("keys");
        JsonNode expect = c.get("expect");
        switch (sec) {
            case "verify" -> {
                Op<Claims> op = () -> {
                    KeySet ks = keysetFor(c, keys);
                    VerifierOptions opts = VerifierOptions.fromJson(text(c.get("options")));
                    return new Verifier(ks, opts).verify(s(c, "token"));
                };
                if (expect.has("claims")) {
                    checkClaims(op.run(), expect.get("claims"));
                } else {
                    expectError(op, expect);
                }
            }
            case "inspect" -> {
                if (expect.has("claims")) {
                    checkClaims(Warden.inspectToken(s(c, "token")), expect.get("claims"));
                } else {
                    expectError(() -> Warden.inspectToken(s(c, "token")), expect);
                }
            }
            case "issue" -> {
                Op<String> op = () -> {
                    Key key = keyFromSpec(c.get("key"), keys, false);
                    Claims claims = Claims.fromJson(text(c.get("claims")));
                    return Warden.issueToken(key, claims, optLong(c.get("now")));
                };
                if (expect.has("token")) {
                    assertEquals(s(expect, "token"), op.run());
                } else {
                    expectError(op, expect);
                }
            }
            case "keys_ops" -> {
                String input = s(c, "input");
                String kid = c.hasNonNull("kid") ? c.get("kid").textValue() : null;
                Op<Key> op = switch (s(c, "op")) {
                    case "hs256_hex" -> () -> Key.hs256Hex(input, kid);
                    case "from_jwk" -> () -> Key.fromJwk(input);
                    case "from_pem" -> () -> Key.fromPem(input, kid);
                    case "from_jwks" -> () -> KeySet.fromJwks(input).keys().get(0);
                    default -> throw new AssertionError("unknown key op " + s(c, "op"));
                };
                if (expect.has("alg")) {
                    Key k = op.run();
                    assertEquals(s(expect, "alg"), k.alg().jose());
                    assertEquals(expect.hasNonNull("kid") ? expect.get("kid").textValue() : null, k.kid().orElse(null));
                    if (expect.has("public_jwk")) {
                        JsonNode got = parse(k.publicJwk());
                        assertTrue(jsonEq(got, expect.get("public_jwk")), () -> "public jwk " + got);
                    }
                } else {
                    expectError(op, expect);
                }
            }
            case "provision" -> {
                Op<Map<String, String>> op = () -> {
                    JsonNode a = c.get("args");
                    ProvisionOptions.Builder b = ProvisionOptions.builder()
                            .tools(strs(a.get("tools")))
                            .skills(strs(a.get("skills")))
                            .extraScopes(strs(a.get("extra_scopes")))
                            .now(optLong(c.get("now")))
                            .jti(c.hasNonNull("jti") ? c.get("jti").textValue() : null);
                    if (a.hasNonNull("ttl_seconds")) {
                        b.ttlSeconds(a.get("ttl_seconds").longValue());
                    }
                    if (a.hasNonNull("rate")) {
                        a.get("rate").fields().forEachRemaining(r -> b.rate(r.getKey(), r.getValue().textValue()));
                    }
                    try (Orchestrator o = Orchestrator.fromSecret(s(c, "proxy_url"), s(c, "secret_hex"))) {
                        return o.provisionSandbox(s(a, "agent_id"), b.build());
                    }
                };
                if (expect.has("env")) {
                    JsonNode got = JSON.valueToTree(op.run());
                    assertTrue(jsonEq(got, expect.get("env")), () -> "got " + got);
                } else {
                    expectError(op, expect);
                }
            }
            case "session_token_from_env" -> {
                Path dir = Files.createTempDirectory("warden-vec-");
                try {
                    Map<String, String> env = new LinkedHashMap<>();
                    if (c.hasNonNull("env")) {
                        c.get("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().textValue()));
                    }
                    if (c.hasNonNull("file_content")) {
                        Path p = dir.resolve("token");
                        Files.writeString(p, s(c, "file_content"));
                        env.put(s(c, "var") + "_FILE", p.toString());
                    }
                    Op<String> op = () -> Warden.sessionTokenFrom(s(c, "var"), env, dir.resolve("absent"));
                    if (expect.has("token")) {
                        assertEquals(s(expect, "token"), op.run());
                    } else {
                        expectError(op, expect);
                    }
                } finally {
                    try (Stream<Path> w = Files.walk(dir)) {
                        w.sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
                    }
                }
            }
            default -> fail("no runner for section " + sec);
        }
    }
}
