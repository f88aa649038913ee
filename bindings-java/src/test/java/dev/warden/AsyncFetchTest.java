package dev.warden;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code KeySet.fetch} returns a CompletableFuture driven by the core runtime, against a real local HTTP server. */
class AsyncFetchTest {
    static HttpServer server;
    static Key signing;
    static final AtomicInteger hits = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        signing = Key.generateEd25519("fetch-1");
        String jwks;
        try (KeySet pub = KeySet.of(signing.publicKey())) {
            jwks = pub.toPublicJwks();
        }
        byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", ex -> {
            hits.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/missing", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.createContext("/garbage", ex -> {
            byte[] b = "{\"keys\":\"nope\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
        signing.close();
    }

    static String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void fetchesAndVerifies() throws Exception {
        CompletableFuture<KeySet> f = KeySet.fetch(url("/jwks.json"), 60);
        try (KeySet ks = f.get(20, TimeUnit.SECONDS)) {
            assertEquals(1, ks.size());
            assertEquals(url("/jwks.json"), ks.url().orElseThrow());
            assertFalse(ks.keys().get(0).hasPrivate());
            String tok = Warden.issueToken(signing, Claims.builder().sub("a").aud("ati-proxy").iat(100).exp(200).jti("j").scope("tool:x").build());
            try (Verifier v = new Verifier(ks, VerifierOptions.builder(Alg.EdDSA).now(150L).build())) {
                assertEquals("a", v.verify(tok).sub().orElseThrow());
            }
            ks.refresh().get(20, TimeUnit.SECONDS);
        }
        assertTrue(hits.get() >= 2);
    }

    @Test
    void fetchWithExecutorAndMany() throws Exception {
        var pool = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<?>[] all = new CompletableFuture<?>[8];
            for (int i = 0; i < all.length; i++) {
                all[i] = KeySet.fetch(url("/jwks.json"), 300, pool).thenApply(KeySet::size);
            }
            CompletableFuture.allOf(all).get(30, TimeUnit.SECONDS);
            for (CompletableFuture<?> f : all) {
                assertEquals(1, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    static WardenException failure(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return assertInstanceOf(WardenException.class, e.getCause());
    }

    @Test
    void failuresAreTyped() {
        assertEquals("NETWORK_ERROR", failure(KeySet.fetch(url("/missing"))).code());
        assertEquals("INVALID_KEY", failure(KeySet.fetch(url("/garbage"))).code());
        assertEquals("VALIDATION_ERROR", failure(KeySet.fetch(url("/jwks.json"), 0)).code());
        assertEquals("VALIDATION_ERROR", failure(KeySet.fetch("http://example.com/jwks.json")).code());
        assertEquals("VALIDATION_ERROR", failure(KeySet.fetch("not a url")).code());
        assertEquals("VALIDATION_ERROR", failure(KeySet.fetch(null)).code());
        try (KeySet local = KeySet.of(Key.generateEd25519("x"))) {
            assertEquals("VALIDATION_ERROR", failure(local.refresh()).code());
        }
    }
}
