package dev.warden;

import dev.warden.ffi.WardenJava;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The free functions of SEMANTICS-tokens: issuing, validating and inspecting tokens, scopes,
 * session-token lookup and the error-code list. Every function either returns a value or throws a
 * {@link WardenException}; all behaviour is in the Rust core.
 */
public final class Warden {
    private Warden() {}

    /** The version of the native core. */
    public static String version() {
        return Native.call(WardenJava::version);
    }

    /** The stable string of every error code, in the order of SEMANTICS-engine §16. */
    public static List<String> errorCodes() {
        return Native.call(WardenJava::errorCodes);
    }

    // ---- tokens (§3) ----

    /** Signs {@code claims} with {@code key} (generic {@code issue_token(key, claims)}). */
    public static String issueToken(Key key, Claims claims) {
        return issueToken(key, claims, null);
    }

    /** As {@link #issueToken(Key, Claims)}; {@code now} fixes the clock used when {@code iat} is absent. */
    public static String issueToken(Key key, Claims claims, Long now) {
        Native.req(key, "key");
        Native.req(claims, "claims");
        return Native.call(() -> WardenJava.issue(key.ffi, claims.ffi, now));
    }

    /** The ATI-compatible {@code issue_token(secret, sub, scope, ...)}: HS256 with the 64-hex secret. */
    public static String issueToken(String secretHex, IssueArgs args) {
        Native.req(secretHex, "secretHex");
        Native.req(args, "args");
        return Native.call(() -> WardenJava.issueToken(secretHex, args.toJson()));
    }

    /** The ATI-compatible {@code issue_token(secret, sub, scope)} with every default. */
    public static String issueToken(String secretHex, String sub, String scope) {
        return issueToken(secretHex, IssueArgs.builder(sub, scope).build());
    }

    /** The ATI-compatible {@code validate_token(token, secret)} with the defaults. */
    public static Claims validateToken(String token, String secretHex) {
        return validateToken(token, secretHex, ValidateOptions.defaults());
    }

    /** The ATI-compatible {@code validate_token(token, secret, audience, issuer, leeway)}. */
    public static Claims validateToken(String token, String secretHex, ValidateOptions options) {
        Native.req(token, "token");
        Native.req(secretHex, "secretHex");
        Native.req(options, "options");
        return new Claims(Native.call(() -> WardenJava.validateToken(token, secretHex, options.audience(), options.issuer(), options.leewaySeconds(), options.now())));
    }

    /** Decodes without verifying the signature or times; the format rules still apply. */
    public static Claims inspectToken(String token) {
        Native.req(token, "token");
        return new Claims(Native.call(() -> WardenJava.inspectToken(token)));
    }

    // ---- scopes (§4) ----

    /** Splits a scope claim; {@code INVALID_SCOPE} on a bad claim. */
    public static List<String> parseScopes(String claim) {
        Native.req(claim, "claim");
        return Native.call(() -> WardenJava.parseScopes(claim));
    }

    public static boolean isValidScope(String claim) {
        Native.req(claim, "claim");
        return Native.call(() -> WardenJava.isValidScope(claim));
    }

    /** tools, then skills, then extra; {@code tool:}/{@code skill:} added unless present; {@code VALIDATION_ERROR} if invalid. */
    public static String buildScopeString(List<String> tools, List<String> skills, List<String> extra) {
        List<String> t = tools == null ? List.of() : Native.reqList(tools, "tools");
        List<String> s = skills == null ? List.of() : Native.reqList(skills, "skills");
        List<String> e = extra == null ? List.of() : Native.reqList(extra, "extra");
        return Native.call(() -> WardenJava.buildScopeString(t, s, e));
    }

    /** True iff some entry of {@code granted} allows {@code required} (invalid entries grant nothing). */
    public static boolean checkScope(String required, List<String> granted) {
        Native.req(required, "required");
        Native.reqList(granted, "granted");
        return Native.call(() -> WardenJava.checkScope(required, granted));
    }

    /** ATI-compatible: whether {@code pattern} grants {@code name}. */
    public static boolean matchesWildcard(String name, String pattern) {
        Native.req(name, "name");
        Native.req(pattern, "pattern");
        return Native.call(() -> WardenJava.matchesWildcard(name, pattern));
    }

    /** True iff one parent pattern matches every concrete scope {@code child} can match. */
    public static boolean covers(List<String> parents, String child) {
        Native.reqList(parents, "parents");
        Native.req(child, "child");
        return Native.call(() -> WardenJava.covers(parents, child));
    }

    // ---- engine pure functions (SEMANTICS-engine §1.3, §5, §12.3, §15) ----

    /** {@code resolve_effect(tool)}: the core's classification of {@code tool} ({@code read|mutating|destructive|admin}). */
    public static String resolveEffect(String tool) {
        return resolveEffect(tool, null);
    }

    /**
     * {@code resolve_effect(tool, effect)}: the effect a call runs with ({@code effect} null = the
     * classification); {@code VALIDATION_ERROR} for a bad tool name or effect (reason
     * {@code invalid_effect}).
     */
    public static String resolveEffect(String tool, String effect) {
        Native.req(tool, "tool");
        return Native.call(() -> WardenJava.resolveEffect(tool, effect));
    }

    /** {@code tool_words(tool)}: the words the effect table classifies a tool name by. */
    public static List<String> toolWords(String tool) {
        Native.req(tool, "tool");
        return Native.call(() -> WardenJava.toolWords(tool));
    }

    /**
     * {@code summarize_input(text, log_inputs)}: {@code ""} for empty input, else {@code "[N chars]"}
     * (code points) or, with {@code logInputs}, the first 200 code points. Lone surrogates count as U+FFFD.
     */
    public static String summarizeInput(String text, boolean logInputs) {
        Native.req(text, "text");
        String t = Native.wellFormed(text);
        return Native.call(() -> WardenJava.summarizeInput(t, logInputs));
    }

    /** {@code verify_audit_export(jsonl)}: verifies an {@code export_audit} text offline. */
    public static ChainCheck verifyAuditExport(String jsonl) {
        Native.req(jsonl, "jsonl");
        var c = Native.call(() -> WardenJava.verifyAuditExport(jsonl));
        return new ChainCheck(c.ok(), c.checked(), c.firstBrokenSeq());
    }

    // ---- provisioning (§6), agent side ----

    /** {@code session_token_from_env()}: {@code $ATI_SESSION_TOKEN}, then {@code $ATI_SESSION_TOKEN_FILE}, then {@code /run/ati/session_token}. */
    public static String sessionTokenFromEnv() {
        return Native.call(() -> WardenJava.sessionTokenFromEnv(null));
    }

    /** {@code session_token_from_env(name)}; {@code NOT_FOUND} when there is none. */
    public static String sessionTokenFromEnv(String name) {
        Native.req(name, "name");
        return Native.call(() -> WardenJava.sessionTokenFromEnv(name));
    }

    /**
     * The same lookup against an explicit environment and fallback file ({@code null} = the default
     * {@code /run/ati/session_token}). The JVM cannot change its own environment, so tests use this.
     */
    public static String sessionTokenFrom(String name, Map<String, String> env, Path fallback) {
        Native.req(name, "name");
        Native.req(env, "env");
        Map<String, String> copy = new HashMap<>();
        env.forEach((k, v) -> copy.put(Native.req(k, "env name"), Native.req(v, "env value")));
        String fb = fallback == null ? null : fallback.toString();
        return Native.call(() -> WardenJava.sessionTokenFromMap(name, copy, fb));
    }

    // ---- runtime ----

    /** Stops the core runtime (idempotent; a later async call starts a fresh one). */
    public static void shutdown(Duration timeout) {
        Native.req(timeout, "timeout");
        Native.run(() -> WardenJava.runtimeShutdown(Math.max(0, timeout.toMillis())));
    }
}
