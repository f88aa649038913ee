package dev.warden;

import dev.warden.ffi.FfiScopeSet;
import java.util.List;

/**
 * A compiled set of scope patterns (SEMANTICS-tokens §4): build once, query on hot paths.
 * {@link #allows(String)} gives the same answer as {@link Warden#checkScope(String, List)}.
 */
public final class ScopeSet implements AutoCloseable {
    private final FfiScopeSet ffi;

    private ScopeSet(FfiScopeSet ffi) {
        this.ffi = ffi;
    }

    /** Strict: {@code INVALID_SCOPE} for an ungrammatical pattern, {@code VALIDATION_ERROR} for more than 64. */
    public static ScopeSet of(List<String> patterns) {
        Native.reqList(patterns, "patterns");
        return new ScopeSet(Native.call(() -> new FfiScopeSet(patterns)));
    }

    public static ScopeSet of(String... patterns) {
        return of(List.of(Native.req(patterns, "patterns")));
    }

    /** Lenient: invalid entries are kept in {@link #patterns()} but grant nothing (the {@code check_scope} semantics). */
    public static ScopeSet lenient(List<String> patterns) {
        Native.reqList(patterns, "patterns");
        return new ScopeSet(Native.call(() -> FfiScopeSet.lenient(patterns)));
    }

    /** From a scope claim (space-separated); {@code INVALID_SCOPE} if invalid. */
    public static ScopeSet fromClaim(String claim) {
        Native.req(claim, "claim");
        return new ScopeSet(Native.call(() -> FfiScopeSet.fromClaim(claim)));
    }

    /** Whether some pattern grants the concrete scope {@code required}. */
    public boolean allows(String required) {
        Native.req(required, "required");
        return Native.call(() -> ffi.allows(required));
    }

    /** Whether one pattern of this set covers every scope {@code pattern} can match. */
    public boolean covers(String pattern) {
        Native.req(pattern, "pattern");
        return Native.call(() -> ffi.covers(pattern));
    }

    public List<String> patterns() {
        return Native.call(ffi::patterns);
    }

    public int size() {
        return (int) (long) Native.call(ffi::len);
    }

    @Override
    public void close() {
        ffi.close();
    }
}
