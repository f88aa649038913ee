package dev.warden;

/**
 * The optional arguments of the ATI-compatible {@link Warden#validateToken(String, String, ValidateOptions)}:
 * {@code audience="ati-proxy", issuer=None, leeway=60} seconds, and a fixed clock for tests.
 * {@code null} for any component means its default.
 */
public record ValidateOptions(String audience, String issuer, Long leewaySeconds, Long now) {
    /** All defaults. */
    public static ValidateOptions defaults() {
        return new ValidateOptions(null, null, null, null);
    }
}
