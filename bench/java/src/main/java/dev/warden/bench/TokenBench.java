package dev.warden.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.warden.Alg;
import dev.warden.Claims;
import dev.warden.Key;
import dev.warden.KeySet;
import dev.warden.Verifier;
import dev.warden.VerifierOptions;
import dev.warden.Warden;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Full verification of the same token bytes by both libraries: parse, signature, header and the
 * claim checks (aud, exp/iat, required claims), then read {@code sub}. nimbus uses its standard
 * {@link DefaultJWTProcessor} with {@link DefaultJWTClaimsVerifier}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class TokenBench {
    static final String SECRET_HEX = "4f2c9a1e0b7d3c5a8e6f1d2b9c0a7e4d3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e";

    String hsToken;
    String edToken;
    Key hsKey;
    Key edKey;
    Verifier wardenHs;
    Verifier wardenEd;
    DefaultJWTProcessor<SecurityContext> nimbusHs;

    static Claims claims(long now) {
        return Claims.builder().sub("agent-bench").aud("ati-proxy").iat(now).exp(now + 3600).jti("bench-jti-1")
                .scope("tool:search tool:github_* skill:research-*").iss("ati-orchestrator").build();
    }

    static DefaultJWTProcessor<SecurityContext> nimbus(com.nimbusds.jose.proc.JWSKeySelector<SecurityContext> sel) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        p.setJWSKeySelector(sel);
        p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>("ati-proxy", null,
                Set.of("sub", "aud", "iat", "exp", "jti", "scope")));
        return p;
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        hsKey = Key.hs256Hex(SECRET_HEX);
        edKey = Key.generateEd25519("bench-ed");
        hsToken = Warden.issueToken(hsKey, claims(now));
        edToken = Warden.issueToken(edKey, claims(now));
        wardenHs = new Verifier(hsKey, VerifierOptions.builder(Alg.HS256).build());
        wardenEd = new Verifier(KeySet.of(edKey.publicKey()), VerifierOptions.builder(Alg.EdDSA).build());
        nimbusHs = nimbus(new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256,
                new SecretKeySpec(HexFormat.of().parseHex(SECRET_HEX), "HmacSHA256")));
        OctetKeyPair pub = OctetKeyPair.parse(edKey.publicJwk());
        // nimbus's JWSKeySelector API cannot hand out an OctetKeyPair (Ed25519 is verified through
        // Ed25519Verifier, not a java.security.Key): verify with the public OKP, check the alg, then
        // run the same DefaultJWTClaimsVerifier as the HS256 path.
        edVerifier = new Ed25519Verifier(pub);
        edClaims = new DefaultJWTClaimsVerifier<>("ati-proxy", null, Set.of("sub", "aud", "iat", "exp", "jti", "scope"));
        // Sanity: every path accepts its token before measuring.
        if (!"agent-bench".equals(wardenHs_verify()) || !"agent-bench".equals(nimbusHs_verify())
                || !"agent-bench".equals(wardenEd_verify()) || !"agent-bench".equals(nimbusEd_verify())) {
            throw new IllegalStateException("a verifier rejected the benchmark token");
        }
    }

    Ed25519Verifier edVerifier;
    DefaultJWTClaimsVerifier<SecurityContext> edClaims;

    @TearDown(Level.Trial)
    public void teardown() {
        wardenHs.close();
        wardenEd.close();
        hsKey.close();
        edKey.close();
    }

    String wardenHs_verify() {
        try (Claims c = wardenHs.verify(hsToken)) {
            return c.sub().orElseThrow();
        }
    }

    String nimbusHs_verify() throws Exception {
        JWTClaimsSet c = nimbusHs.process(hsToken, null);
        return c.getSubject();
    }

    String wardenEd_verify() {
        try (Claims c = wardenEd.verify(edToken)) {
            return c.sub().orElseThrow();
        }
    }

    String nimbusEd_verify() throws Exception {
        SignedJWT jwt = SignedJWT.parse(edToken);
        if (!JWSAlgorithm.EdDSA.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(edVerifier)) {
            throw new IllegalStateException("bad signature");
        }
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        edClaims.verify(c, null);
        return c.getSubject();
    }

    @Benchmark
    public String hs256_verify_warden() {
        return wardenHs_verify();
    }

    @Benchmark
    public String hs256_verify_nimbus() throws Exception {
        return nimbusHs_verify();
    }

    @Benchmark
    public String eddsa_verify_warden() {
        return wardenEd_verify();
    }

    @Benchmark
    public String eddsa_verify_nimbus() throws Exception {
        return nimbusEd_verify();
    }
}
