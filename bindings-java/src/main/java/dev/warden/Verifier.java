package dev.warden;

import dev.warden.ffi.FfiVerifier;

/**
 * Verifies tokens (SEMANTICS-tokens §3.2, §3.3). Build it once and reuse it: it is thread-safe and
 * the hot path is one native call per {@link #verify(String)}.
 */
public final class Verifier implements AutoCloseable {
    private final FfiVerifier ffi;

    /** A verifier over a key set. */
    public Verifier(KeySet keys, VerifierOptions options) {
        Native.req(keys, "keys");
        Native.req(options, "options");
        this.ffi = Native.call(() -> new FfiVerifier(keys.ffi, options.toJson()));
    }

    /** A verifier over one key. */
    public Verifier(Key key, VerifierOptions options) {
        Native.req(key, "key");
        Native.req(options, "options");
        this.ffi = Native.call(() -> FfiVerifier.withKey(key.ffi, options.toJson()));
    }

    /** Verifies {@code token}; the claims, or a {@link WardenException} with the code and reason. */
    public Claims verify(String token) {
        Native.req(token, "token");
        return new Claims(Native.call(() -> ffi.verify(token)));
    }

    /** Revokes a token id: later tokens with it fail with {@code TOKEN_REVOKED}. */
    public void revoke(String jti) {
        Native.req(jti, "jti");
        Native.run(() -> ffi.revoke(jti));
    }

    public boolean isRevoked(String jti) {
        Native.req(jti, "jti");
        return Native.call(() -> ffi.isRevoked(jti));
    }

    @Override
    public void close() {
        ffi.close();
    }
}
