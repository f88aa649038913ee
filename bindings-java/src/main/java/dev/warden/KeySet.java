package dev.warden;

import dev.warden.ffi.FfiKey;
import dev.warden.ffi.FfiKeySet;
import dev.warden.ffi.WardenJava;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Several keys by {@code kid} (SEMANTICS-tokens §2); a fetched set refreshes itself. */
public final class KeySet implements AutoCloseable {
    /** The default cache lifetime of {@link #fetch(String)}: 300 s. */
    public static final long DEFAULT_TTL_SECONDS = 300;

    final FfiKeySet ffi;

    KeySet(FfiKeySet ffi) {
        this.ffi = ffi;
    }

    public static KeySet of(Key... keys) {
        return of(List.of(Native.req(keys, "keys")));
    }

    public static KeySet of(List<Key> keys) {
        Native.reqList(keys, "keys");
        List<FfiKey> ffiKeys = new ArrayList<>(keys.size());
        for (Key k : keys) {
            ffiKeys.add(k.ffi);
        }
        return new KeySet(Native.call(() -> new FfiKeySet(ffiKeys)));
    }

    /** A key set from JWKS JSON text. */
    public static KeySet fromJwks(String json) {
        Native.req(json, "json");
        return new KeySet(Native.call(() -> FfiKeySet.fromJwks(json)));
    }

    /** {@link #fetch(String, long)} with a 300 s cache lifetime. */
    public static CompletableFuture<KeySet> fetch(String url) {
        return fetch(url, DEFAULT_TTL_SECONDS);
    }

    /**
     * Fetches a JWKS (https, or http to loopback) on the core runtime, cached for {@code ttlSeconds}
     * (1..86400). The future fails with a {@link WardenException} ({@code NETWORK_ERROR},
     * {@code TIMEOUT}, {@code INVALID_KEY}, {@code VALIDATION_ERROR}); it is never completed with a
     * NullPointerException or a raw native error.
     */
    public static CompletableFuture<KeySet> fetch(String url, long ttlSeconds) {
        if (url == null) {
            return CompletableFuture.failedFuture(new WardenException.ValidationError(null, "url must not be null"));
        }
        try {
            return Native.future(WardenJava.keySetFetch(url, ttlSeconds), KeySet::new);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(Native.convert(e));
        }
    }

    /** {@link #fetch(String, long)}, re-polling and completing on {@code executor}. */
    public static CompletableFuture<KeySet> fetch(String url, long ttlSeconds, Executor executor) {
        if (url == null || executor == null) {
            return CompletableFuture.failedFuture(new WardenException.ValidationError(null, "url and executor must not be null"));
        }
        try {
            return Native.future(WardenJava.keySetFetch(url, ttlSeconds, executor), KeySet::new);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(Native.convert(e));
        }
    }

    /** Re-fetches a fetched set now (on failure the old keys stay). */
    public CompletableFuture<Void> refresh() {
        try {
            return Native.future(ffi.refresh(), v -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(Native.convert(e));
        }
    }

    public List<Key> keys() {
        List<Key> out = new ArrayList<>();
        for (FfiKey k : Native.call(ffi::keys)) {
            out.add(new Key(k));
        }
        return out;
    }

    public Optional<Key> get(String kid) {
        Native.req(kid, "kid");
        return Optional.ofNullable(Native.call(() -> ffi.get(kid))).map(Key::new);
    }

    public int size() {
        return (int) (long) Native.call(ffi::len);
    }

    /** The public keys as JWKS JSON text. */
    public String toPublicJwks() {
        return Native.call(ffi::toPublicJwks);
    }

    /** The URL a fetched set came from. */
    public Optional<String> url() {
        return Optional.ofNullable(Native.call(ffi::url));
    }

    @Override
    public void close() {
        ffi.close();
    }
}
