package dev.warden;

import dev.warden.ffi.FfiAlg;

/** The algorithm a {@link Key} is bound to. {@code none} does not exist. */
public enum Alg {
    /** HMAC-SHA256. */
    HS256("HS256"),
    /** Ed25519. */
    EdDSA("EdDSA"),
    /** ECDSA P-256 with SHA-256. */
    ES256("ES256");

    private final String jose;

    Alg(String jose) {
        this.jose = jose;
    }

    /** The JOSE name ({@code HS256}, {@code EdDSA}, {@code ES256}). */
    public String jose() {
        return jose;
    }

    static Alg from(FfiAlg a) {
        return switch (a) {
            case HS256 -> HS256;
            case ED_DSA -> EdDSA;
            case ES256 -> ES256;
        };
    }
}
