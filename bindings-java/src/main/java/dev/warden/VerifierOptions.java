package dev.warden;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Options of a {@link Verifier} (SEMANTICS-tokens §3.2). Built with {@link #builder(Alg...)}; every
 * option left unset takes the core's default. The options travel to the core as JSON text with the
 * option names of §3.2, where they are validated ({@code VALIDATION_ERROR}).
 */
public final class VerifierOptions {
    private final String json;

    private VerifierOptions(String json) {
        this.json = json;
    }

    /** Options from JSON text whose member names are the §3.2 option names (validated by the core). */
    public static VerifierOptions fromJson(String json) {
        return new VerifierOptions(Native.req(json, "json"));
    }

    /** A builder with the required algorithm allow-list. */
    public static Builder builder(Alg... algorithms) {
        return new Builder().algorithms(algorithms);
    }

    /** The options as the JSON text handed to the core. */
    public String toJson() {
        return json;
    }

    @Override
    public String toString() {
        return "VerifierOptions" + json;
    }

    /** Builder; {@code null} for an object-typed option means "the default". */
    public static final class Builder {
        private List<String> algorithms = new ArrayList<>();
        private String audience;
        private String issuer;
        private boolean issuerSet;
        private Long leewaySeconds;
        private List<String> requiredClaims;
        private List<String> allowedTyp;
        private Long maxTokenBytes;
        private Long maxLifetimeSeconds;
        private Long maxJsonDepth;
        private Boolean kidRequired;
        private Long now;
        private Boolean oneTime;

        private Builder() {}

        public Builder algorithms(Alg... algs) {
            algorithms = new ArrayList<>();
            for (Alg a : Native.req(algs, "algorithms")) {
                algorithms.add(Native.req(a, "algorithm").jose());
            }
            return this;
        }

        /** Expected {@code aud} (default {@code "ati-proxy"}). */
        public Builder audience(String v) {
            audience = v;
            return this;
        }

        /** Expected {@code iss} ({@code null} = not checked, the default). */
        public Builder issuer(String v) {
            issuer = v;
            issuerSet = true;
            return this;
        }

        /** 0..300 (default 60). */
        public Builder leewaySeconds(long v) {
            leewaySeconds = v;
            return this;
        }

        public Builder requiredClaims(String... v) {
            requiredClaims = Arrays.asList(Native.req(v, "requiredClaims"));
            return this;
        }

        public Builder requiredClaims(List<String> v) {
            requiredClaims = Native.reqList(v, "requiredClaims");
            return this;
        }

        public Builder allowedTyp(String... v) {
            allowedTyp = Arrays.asList(Native.req(v, "allowedTyp"));
            return this;
        }

        public Builder allowedTyp(List<String> v) {
            allowedTyp = Native.reqList(v, "allowedTyp");
            return this;
        }

        public Builder maxTokenBytes(long v) {
            maxTokenBytes = v;
            return this;
        }

        public Builder maxLifetimeSeconds(long v) {
            maxLifetimeSeconds = v;
            return this;
        }

        public Builder maxJsonDepth(long v) {
            maxJsonDepth = v;
            return this;
        }

        public Builder kidRequired(boolean v) {
            kidRequired = v;
            return this;
        }

        /** A fixed clock in unix seconds (tests, vectors); {@code null} = the system clock. */
        public Builder now(Long v) {
            now = v;
            return this;
        }

        /** Accept each {@code jti} once until its {@code exp}. */
        public Builder oneTime(boolean v) {
            oneTime = v;
            return this;
        }

        public VerifierOptions build() {
            JsonText j = new JsonText();
            for (String a : algorithms) {
                Native.req(a, "algorithm");
            }
            j.strs("algorithms", algorithms);
            if (audience != null) j.str("audience", audience);
            if (issuerSet) j.str("issuer", issuer);
            if (leewaySeconds != null) j.num("leeway_seconds", leewaySeconds);
            if (requiredClaims != null) j.strs("required_claims", Native.reqList(requiredClaims, "requiredClaims"));
            if (allowedTyp != null) j.strs("allowed_typ", Native.reqList(allowedTyp, "allowedTyp"));
            if (maxTokenBytes != null) j.num("max_token_bytes", maxTokenBytes);
            if (maxLifetimeSeconds != null) j.num("max_lifetime_seconds", maxLifetimeSeconds);
            if (maxJsonDepth != null) j.num("max_json_depth", maxJsonDepth);
            if (kidRequired != null) j.bool("kid_required", kidRequired);
            if (now != null) j.num("now", now);
            if (oneTime != null) j.bool("one_time", oneTime);
            return new VerifierOptions(j.end());
        }
    }
}
