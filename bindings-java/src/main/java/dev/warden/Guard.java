package dev.warden;

import dev.warden.ffi.FfiGuard;
import dev.warden.ffi.FfiGuardOptions;
import dev.warden.ffi.FfiGuardStats;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The client-side guard (SEMANTICS-engine §12): {@link #check} before every tool call,
 * {@link #report} after, with batched telemetry and fail-open only for reads and only when the
 * engine is unreachable. Thread-safe. {@link #close()} flushes once and stops the guard (later
 * {@code check}/{@code report} → {@code VALIDATION_ERROR} reason {@code guard_closed}).
 *
 * <pre>{@code
 * try (Guard guard = new Guard(client, agentId)) {
 *     String page = guard.run("web_search", () -> search("warden"));       // check, call, report
 *     guard.check("db:drop_table");   // throws WardenException.ActionDenied etc. on an enforced denial
 * }
 * }</pre>
 */
public final class Guard implements AutoCloseable {
    private final FfiGuard ffi;

    /** Test seam (package-private): sees every report the wrappers make. */
    interface ReportHook {
        void reported(String tool, boolean success, long durationMs, String errorType);
    }

    volatile ReportHook reportHook;

    /** A guard for {@code agentId} with the default options. */
    public Guard(Client client, String agentId) {
        this(client, agentId, GuardOptions.defaults());
    }

    /** A guard for {@code agentId}; {@code VALIDATION_ERROR} for a malformed agent/session id or default effect. */
    public Guard(Client client, String agentId, GuardOptions options) {
        Native.req(client, "client");
        Native.req(agentId, "agentId");
        Native.req(options, "options");
        FfiGuardOptions o = new FfiGuardOptions(options.sessionId, options.blockOnDeny, options.failOpen,
                options.defaultEffect, options.logInputs, options.strictMode, options.flushTimer);
        this.ffi = Native.call(() -> new FfiGuard(client.ffi, agentId, o));
    }

    /** {@code check(tool)} with an empty input and the resolved effect. */
    public Decision check(String tool) {
        return check(tool, "", null);
    }

    /** {@code check(tool, inputSummary)}. */
    public Decision check(String tool, String inputSummary) {
        return check(tool, inputSummary, null);
    }

    /**
     * {@code check(tool, input_summary, effect)} (§12.1). Returns the decision when allowed or not
     * enforced (or when {@code blockOnDeny} is false); an enforced denial with {@code blockOnDeny}
     * throws the {@link WardenException} subclass of the decision's code, whose
     * {@link WardenException#decision()} carries the decision. {@code effect} null = the default
     * effect or the core's classification of the tool. Lone surrogates in {@code inputSummary}
     * become U+FFFD (§12.3).
     */
    public Decision check(String tool, String inputSummary, String effect) {
        Native.req(tool, "tool");
        String in = inputSummary == null ? "" : Native.wellFormed(inputSummary);
        return Decision.of(Native.call(() -> ffi.check(tool, in, effect)));
    }

    /** {@code report(tool, success, duration_ms)}; never throws (bad arguments count as {@code invalid}). */
    public void report(String tool, boolean success, long durationMs) {
        report(tool, success, durationMs, null);
    }

    /** {@code report(tool, success, duration_ms, error_type)}: {@code errorType} is the exception class name. */
    public void report(String tool, boolean success, long durationMs, String errorType) {
        ReportHook h = reportHook;
        if (h != null) {
            h.reported(tool, success, durationMs, errorType);
        }
        try {
            // A null tool or lone surrogates are bad arguments for the core, which counts them.
            String t = tool == null ? "" : tool;
            String et = errorType == null ? null : Native.wellFormed(errorType);
            Native.run(() -> ffi.report(t, success, durationMs, et));
        } catch (WardenException e) {
            // report never raises (§12.2); the only failure left is a closed handle.
        }
    }

    /** Sends buffered telemetry now. */
    public void flush() {
        Native.run(ffi::flush);
    }

    /** Buffer counters. */
    public GuardStats stats() {
        FfiGuardStats s = Native.call(ffi::stats);
        return new GuardStats(s.buffered(), s.sent(), s.dropped(), s.invalid(), s.failedFlushes());
    }

    /** The session the guard uses (empty until it opened one). */
    public Optional<String> sessionId() {
        return Optional.ofNullable(Native.call(ffi::sessionId));
    }

    /** Flushes once and stops; idempotent. */
    @Override
    public void close() {
        Native.run(ffi::shutdown);
    }

    // ------------------------------------------------------------------ wrappers (§12.4)

    /** {@link #run(String, String, Callable)} with the effect resolved from the tool name. */
    public <T> T run(String tool, Callable<T> fn) throws Exception {
        return run(tool, null, fn);
    }

    /**
     * Checks {@code tool}, runs {@code fn}, and reports the outcome with the measured duration and,
     * on failure, the exception's class name; {@code fn}'s own exception is rethrown unchanged.
     * A denial that is enforced always throws, whatever {@code blockOnDeny} (§12.4: the wrapper
     * never runs the function after an enforced denial).
     */
    public <T> T run(String tool, String effect, Callable<T> fn) throws Exception {
        Native.req(fn, "fn");
        admit(tool, effect);
        long t0 = System.nanoTime();
        T result;
        try {
            result = fn.call();
        } catch (Throwable e) {
            report(tool, false, elapsedMs(t0), typeName(e));
            throw e;
        }
        report(tool, true, elapsedMs(t0), null);
        return result;
    }

    /** {@link #runAsync(String, String, Supplier)} with the effect resolved from the tool name. */
    public <T> CompletableFuture<T> runAsync(String tool, Supplier<? extends CompletionStage<T>> fn) {
        return runAsync(tool, null, fn);
    }

    /**
     * The asynchronous form of {@link #run}: checks, starts {@code fn}, and reports when its stage
     * completes. A denial (or a failing check) gives a failed future and {@code fn} is not called.
     */
    public <T> CompletableFuture<T> runAsync(String tool, String effect, Supplier<? extends CompletionStage<T>> fn) {
        long t0;
        CompletionStage<T> stage;
        try {
            Native.req(fn, "fn");
            admit(tool, effect);
            t0 = System.nanoTime();
            stage = fn.get();
            Native.req(stage, "the stage returned by fn");
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        stage.whenComplete((v, e) -> {
            if (e != null) {
                Throwable cause = (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) ? e.getCause() : e;
                report(tool, false, elapsedMs(t0), typeName(cause));
                out.completeExceptionally(cause);
            } else {
                report(tool, true, elapsedMs(t0), null);
                out.complete(v);
            }
        });
        return out;
    }

    /** The core's admission rule (§12.4): {@code check}, and an enforced denial is its typed error. */
    private void admit(String tool, String effect) {
        Native.req(tool, "tool");
        Native.call(() -> ffi.admit(tool, effect));
    }

    private static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000L;
    }

    private static String typeName(Throwable e) {
        String n = e.getClass().getSimpleName();
        return n.isEmpty() ? e.getClass().getName() : n;
    }
}
