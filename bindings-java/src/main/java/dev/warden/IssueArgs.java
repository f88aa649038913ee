package dev.warden;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The arguments of the ATI-compatible {@link Warden#issueToken(String, IssueArgs)}, with ati-client's
 * names and defaults: {@code ttl_seconds=3600, aud="ati-proxy", iss="ati-orchestrator", jti=None,
 * rate=None}. They travel to the core as JSON ({@code AtiIssueArgs::from_json}), which validates
 * them ({@code VALIDATION_ERROR}, {@code INVALID_SCOPE}, {@code INVALID_RATE_SPEC}).
 */
public final class IssueArgs {
    private final String json;

    private IssueArgs(String json) {
        this.json = json;
    }

    /** A builder with the two required arguments. */
    public static Builder builder(String sub, String scope) {
        return new Builder(sub, scope);
    }

    /** The arguments as the JSON text handed to the core. */
    public String toJson() {
        return json;
    }

    public static final class Builder {
        private final String sub;
        private final String scope;
        private Long ttlSeconds;
        private String aud;
        private String iss;
        private boolean issSet;
        private String jti;
        private final Map<String, String> rate = new LinkedHashMap<>();
        private Long now;

        private Builder(String sub, String scope) {
            this.sub = Native.req(sub, "sub");
            this.scope = Native.req(scope, "scope");
        }

        /** 1..86400 (default 3600). */
        public Builder ttlSeconds(long v) {
            ttlSeconds = v;
            return this;
        }

        public Builder aud(String v) {
            aud = Native.req(v, "aud");
            return this;
        }

        /** The issuer; {@code null} omits the claim (default {@code ati-orchestrator}). */
        public Builder iss(String v) {
            iss = v;
            issSet = true;
            return this;
        }

        /** The token id (default, and when empty: a random UUIDv4). */
        public Builder jti(String v) {
            jti = v;
            return this;
        }

        /** Adds one rate limit {@code pattern -> spec}; insertion order is kept in the token. */
        public Builder rate(String pattern, String spec) {
            rate.put(Native.req(pattern, "rate pattern"), Native.req(spec, "rate spec"));
            return this;
        }

        /** Replaces the rate map (iteration order is kept in the token). */
        public Builder rate(Map<String, String> v) {
            rate.clear();
            Native.req(v, "rate").forEach(this::rate);
            return this;
        }

        /** A fixed clock (unix seconds) for tests and vectors. */
        public Builder now(Long v) {
            now = v;
            return this;
        }

        public IssueArgs build() {
            JsonText j = new JsonText().str("sub", sub).str("scope", scope);
            if (ttlSeconds != null) j.num("ttl_seconds", ttlSeconds);
            if (aud != null) j.str("aud", aud);
            if (issSet) j.str("iss", iss);
            if (jti != null) j.str("jti", jti);
            if (!rate.isEmpty()) j.strMap("rate", rate);
            if (now != null) j.num("now", now);
            return new IssueArgs(j.end());
        }
    }
}
