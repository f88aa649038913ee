package dev.warden;

import static org.junit.jupiter.api.Assertions.*;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Interop with the real com.nimbusds:nimbus-jose-jwt, both directions, HS256 and EdDSA. */
class NimbusInteropTest {
    static final String SECRET_HEX = "4f2c9a1e0b7d3c5a8e6f1d2b9c0a7e4d3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e";
    static final long NOW = System.currentTimeMillis() / 1000;

    static JWTClaimsSet nimbusClaims() {
        return new JWTClaimsSet.Builder()
                .subject("agent-nimbus")
                .audience("ati-proxy")
                .issuer("ati-orchestrator")
                .issueTime(new Date(NOW * 1000))
                .expirationTime(new Date((NOW + 600) * 1000))
                .jwtID("nimbus-jti-1")
                .claim("scope", "tool:search skill:research-*")
                .claim("job_id", "job-42")
                .build();
    }

    static Claims wardenClaims() {
        return Claims.builder().sub("agent-warden").aud("ati-proxy").iat(NOW).exp(NOW + 600).jti("warden-jti-1")
                .scope("tool:search").iss("ati-orchestrator").put("sandbox_id", "sb-1").build();
    }

    static void checkNimbusSide(JWTClaimsSet c) throws Exception {
        assertEquals("agent-warden", c.getSubject());
        assertEquals(List.of("ati-proxy"), c.getAudience());
        assertEquals("warden-jti-1", c.getJWTID());
        assertEquals("tool:search", c.getStringClaim("scope"));
        assertEquals("sb-1", c.getStringClaim("sandbox_id"));
        assertEquals(NOW + 600, c.getExpirationTime().getTime() / 1000);
    }

    @Test
    void hs256NimbusToWarden() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), nimbusClaims());
        jwt.sign(new MACSigner(HexFormat.of().parseHex(SECRET_HEX)));
        String token = jwt.serialize();
        Claims c = Warden.validateToken(token, SECRET_HEX, new ValidateOptions(null, "ati-orchestrator", null, null));
        assertEquals("agent-nimbus", c.sub().orElseThrow());
        assertEquals(List.of("tool:search", "skill:research-*"), c.scopes());
        assertEquals("\"job-42\"", c.extraJson().get("job_id"));
        assertTrue(c.allows("skill:research-web"));
        // A tampered nimbus token is refused with the stable reason.
        String bad = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        WardenException e = assertThrows(WardenException.InvalidToken.class, () -> Warden.validateToken(bad, SECRET_HEX));
        assertEquals("bad_signature", e.reason());
    }

    @Test
    void hs256WardenToNimbus() throws Exception {
        String token;
        try (Key key = Key.hs256Hex(SECRET_HEX)) {
            token = Warden.issueToken(key, wardenClaims());
        }
        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(JWSAlgorithm.HS256, jwt.getHeader().getAlgorithm());
        assertTrue(jwt.verify(new MACVerifier(HexFormat.of().parseHex(SECRET_HEX))));
        checkNimbusSide(jwt.getJWTClaimsSet());
        // The ATI shortcut too.
        String ati = Warden.issueToken(SECRET_HEX, IssueArgs.builder("agent-ati", "tool:x").rate("tool:x", "10/hour").build());
        SignedJWT j2 = SignedJWT.parse(ati);
        assertTrue(j2.verify(new MACVerifier(HexFormat.of().parseHex(SECRET_HEX))));
        assertEquals(Map.of("v", 1L, "rate", Map.of("tool:x", "10/hour")), j2.getJWTClaimsSet().getJSONObjectClaim("ati"));
    }

    @Test
    void edDsaNimbusToWarden() throws Exception {
        OctetKeyPair okp = new OctetKeyPairGenerator(Curve.Ed25519).keyID("nimbus-ed").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("nimbus-ed").type(JOSEObjectType.JWT).build(), nimbusClaims());
        jwt.sign(new Ed25519Signer(okp));
        String token = jwt.serialize();
        try (Key pub = Key.fromJwk(okp.toPublicJWK().toJSONString());
             Verifier v = new Verifier(KeySet.of(pub), VerifierOptions.builder(Alg.EdDSA).issuer("ati-orchestrator").kidRequired(true).build())) {
            assertEquals(Alg.EdDSA, pub.alg());
            Claims c = v.verify(token);
            assertEquals("agent-nimbus", c.sub().orElseThrow());
            assertEquals("nimbus-jti-1", c.jti().orElseThrow());
        }
        // The private JWK from nimbus works for signing in Warden too.
        try (Key priv = Key.fromJwk(okp.toJSONString())) {
            assertTrue(priv.hasPrivate());
            assertTrue(SignedJWT.parse(Warden.issueToken(priv, wardenClaims())).verify(new Ed25519Verifier(okp.toPublicJWK())));
        }
    }

    @Test
    void edDsaWardenToNimbus() throws Exception {
        try (Key key = Key.generateEd25519("warden-ed")) {
            String token = Warden.issueToken(key, wardenClaims());
            SignedJWT jwt = SignedJWT.parse(token);
            assertEquals(JWSAlgorithm.EdDSA, jwt.getHeader().getAlgorithm());
            assertEquals("warden-ed", jwt.getHeader().getKeyID());
            OctetKeyPair pub = OctetKeyPair.parse(key.publicJwk());
            assertTrue(jwt.verify(new Ed25519Verifier(pub)));
            checkNimbusSide(jwt.getJWTClaimsSet());
            // The private JWK exported by Warden signs in nimbus, and Warden verifies that.
            OctetKeyPair priv = OctetKeyPair.parse(key.toJwk(true));
            SignedJWT n = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.EdDSA).keyID("warden-ed").build(), nimbusClaims());
            n.sign(new Ed25519Signer(priv));
            try (Verifier v = new Verifier(KeySet.of(key.publicKey()), VerifierOptions.builder(Alg.EdDSA).build())) {
                assertEquals("agent-nimbus", v.verify(n.serialize()).sub().orElseThrow());
            }
        }
    }
}
