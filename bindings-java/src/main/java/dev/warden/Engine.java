package dev.warden;

import dev.warden.ffi.FfiEngine;
import java.util.Map;

/**
 * The Warden engine in-process (SEMANTICS-engine): agents, tokens, sessions, guard decisions,
 * approvals, delegations, policies and the audit chain. Thread-safe; share one engine between
 * {@link Client}s with {@link Client#local(Engine)}.
 *
 * <pre>{@code
 * try (Engine engine = new Engine(Map.of("seed", 7), 1_700_000_000_000L)) {   // manual clock
 *     Map<?, ?> agent = (Map<?, ?>) engine.call("create_agent", Map.of("name", "bot"));
 *     engine.advance(60_000);
 * }
 * }</pre>
 *
 * <p>Arguments are native maps with the wire (snake_case) names and travel as JSON text; results
 * come back as native values (see {@link Json}). Every failure is a {@link WardenException}.
 */
public final class Engine implements AutoCloseable {
    final FfiEngine ffi;

    /** The default configuration on the system clock. */
    public Engine() {
        this(null, null);
    }

    /**
     * An engine configured by {@code config} (the {@code EngineConfig} options of
     * SEMANTICS-engine §17, e.g. {@code issuer}, {@code approval_ttl_seconds}, {@code seed},
     * {@code env: {WARDEN_STRICT_MODE: …}}; {@code null} = the defaults) on the system clock.
     */
    public Engine(Map<String, ?> config) {
        this(config, null);
    }

    /**
     * As {@link #Engine(Map)}; with {@code manualClockMs} non-null the engine runs on a manual
     * clock starting at that unix millisecond, moved only by {@link #advance(long)}.
     */
    public Engine(Map<String, ?> config, Long manualClockMs) {
        String cfg = config == null ? null : Json.write(config);
        this.ffi = Native.call(() -> new FfiEngine(cfg, manualClockMs));
    }

    /** An engine on a manual clock starting at {@code startMs} (unix milliseconds). */
    public static Engine withManualClock(Map<String, ?> config, long startMs) {
        return new Engine(config, startMs);
    }

    /** Moves the manual clock forward by {@code ms}; {@code VALIDATION_ERROR} on the system clock. */
    public void advance(long ms) {
        Native.run(() -> ffi.advance(ms));
    }

    /** True iff this engine runs on a manual clock. */
    public boolean hasManualClock() {
        return Native.call(ffi::hasManualClock);
    }

    /** The engine clock, unix milliseconds. */
    public long nowMs() {
        return Native.call(ffi::nowMs);
    }

    /** The {@code strict_mode} of the engine's configuration (SEMANTICS-engine §13). */
    public boolean strictMode() {
        return Native.call(ffi::strictMode);
    }

    /** Runs one engine operation by its wire name ({@code "create_agent"}, …) with no arguments. */
    public Object call(String op) {
        return call(op, null);
    }

    /**
     * Runs one engine operation by its wire name with arguments by their wire names; returns the
     * result as native values ({@link Json}).
     */
    public Object call(String op, Map<String, ?> args) {
        Native.req(op, "op");
        String a = Json.write(args);
        return Json.parse(Native.call(() -> ffi.call(op, a)));
    }

    /** The public JWKS of the engine's signing key, as a native map. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> jwks() {
        return (Map<String, Object>) Json.parse(jwksJson());
    }

    /** The public JWKS as JSON text (for {@link KeySet#fromJwks(String)}). */
    public String jwksJson() {
        return Native.call(ffi::jwks);
    }

    /** Frees this handle now (clients built on the engine keep it alive). */
    @Override
    public void close() {
        ffi.close();
    }
}
