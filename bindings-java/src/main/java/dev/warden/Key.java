package dev.warden;

import dev.warden.ffi.FfiKey;
import java.util.Optional;

/**
 * A signing or verification key bound to exactly one {@link Alg} (SEMANTICS-tokens §2).
 * {@link AutoCloseable}: {@link #close()} frees the native key now (otherwise a cleaner does it).
 */
public final class Key implements AutoCloseable {
    final FfiKey ffi;

    Key(FfiKey ffi) {
        this.ffi = ffi;
    }

    /** HS256 from exactly 64 hex digits (the ATI secret format); {@code INVALID_KEY} otherwise. */
    public static Key hs256Hex(String secretHex) {
        return hs256Hex(secretHex, null);
    }

    /** HS256 from exactly 64 hex digits, with a key id ({@code null} = none). */
    public static Key hs256Hex(String secretHex, String kid) {
        Native.req(secretHex, "secretHex");
        return new Key(Native.call(() -> FfiKey.hs256Hex(secretHex, kid)));
    }

    /** HS256 from raw secret bytes (at least 32). */
    public static Key hs256Bytes(byte[] secret, String kid) {
        Native.req(secret, "secret");
        return new Key(Native.call(() -> FfiKey.hs256Bytes(secret, kid)));
    }

    /** A fresh Ed25519 key pair. */
    public static Key generateEd25519(String kid) {
        return new Key(Native.call(() -> FfiKey.generateEd25519(kid)));
    }

    /** A fresh P-256 key pair. */
    public static Key generateEs256(String kid) {
        return new Key(Native.call(() -> FfiKey.generateEs256(kid)));
    }

    /** A key from JWK JSON text (kty {@code oct}, {@code OKP}/Ed25519, {@code EC}/P-256). */
    public static Key fromJwk(String json) {
        Native.req(json, "json");
        return new Key(Native.call(() -> FfiKey.fromJwk(json)));
    }

    /** A key from PEM text. */
    public static Key fromPem(String pem, String kid) {
        Native.req(pem, "pem");
        return new Key(Native.call(() -> FfiKey.fromPem(pem, kid)));
    }

    public Alg alg() {
        return Native.call(() -> Alg.from(ffi.alg()));
    }

    public Optional<String> kid() {
        return Optional.ofNullable(Native.call(ffi::kid));
    }

    public boolean hasPrivate() {
        return Native.call(ffi::hasPrivate);
    }

    /** The public JWK as JSON text. */
    public String publicJwk() {
        return Native.call(ffi::publicJwk);
    }

    /** The JWK as JSON text, with the private part when asked for and present. */
    public String toJwk(boolean includePrivate) {
        return Native.call(() -> ffi.toJwk(includePrivate));
    }

    /** PEM text (asymmetric keys). */
    public String toPem(boolean includePrivate) {
        return Native.call(() -> ffi.toPem(includePrivate));
    }

    /** The public half (HMAC keys are returned as they are). */
    public Key publicKey() {
        return new Key(Native.call(ffi::publicKey));
    }

    @Override
    public void close() {
        ffi.close();
    }

    @Override
    public String toString() {
        return "Key[" + alg().jose() + kid().map(k -> ", kid=" + k).orElse("") + "]";
    }
}
