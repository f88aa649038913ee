package dev.warden;

import dev.warden.ffi.FfiClaims;
import dev.warden.ffi.FfiMember;
import dev.warden.ffi.FfiRateLimit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A JWT payload (SEMANTICS-tokens §3.1). A handle on the core's claims: every accessor reads the
 * native object lazily, nothing is copied up front. JSON-valued members ({@code aud}, {@code ati},
 * extra claims) are returned as compact JSON text, exactly as the core holds them (big integers and
 * floats keep their value).
 */
public final class Claims implements AutoCloseable {
    final FfiClaims ffi;

    Claims(FfiClaims ffi) {
        this.ffi = ffi;
    }

    /** Claims from a JSON object text (member order is kept; extras are issued in that order). */
    public static Claims fromJson(String json) {
        Native.req(json, "json");
        return new Claims(Native.call(() -> FfiClaims.fromJson(json)));
    }

    /** A builder for the claims of {@link Warden#issueToken(Key, Claims)}. */
    public static Builder builder() {
        return new Builder();
    }

    public Optional<String> sub() {
        return Optional.ofNullable(Native.call(ffi::sub));
    }

    /** {@code aud} exactly as in the token (a string or an array), as JSON text. */
    public Optional<String> audJson() {
        return Optional.ofNullable(Native.call(ffi::audJson));
    }

    /** {@code aud} when it is a string or a one-element array of a string. */
    public Optional<String> audience() {
        return Optional.ofNullable(Native.call(ffi::audience));
    }

    public OptionalLong iat() {
        return opt(Native.call(ffi::iat));
    }

    public OptionalLong exp() {
        return opt(Native.call(ffi::exp));
    }

    public OptionalLong nbf() {
        return opt(Native.call(ffi::nbf));
    }

    public Optional<String> jti() {
        return Optional.ofNullable(Native.call(ffi::jti));
    }

    public Optional<String> iss() {
        return Optional.ofNullable(Native.call(ffi::iss));
    }

    /** The scope claim (space-separated patterns). */
    public Optional<String> scope() {
        return Optional.ofNullable(Native.call(ffi::scope));
    }

    /** The {@code ati} namespace as JSON text. */
    public Optional<String> atiJson() {
        return Optional.ofNullable(Native.call(ffi::atiJson));
    }

    /** The scope claim split into patterns. */
    public List<String> scopes() {
        return Native.call(ffi::scopes);
    }

    /** The parsed {@code ati.rate} map, in token order. */
    public List<RateLimit> rateLimits() {
        List<RateLimit> out = new ArrayList<>();
        for (FfiRateLimit r : Native.call(ffi::rateLimits)) {
            out.add(new RateLimit(r.pattern(), Integer.toUnsignedLong(r.count()), Integer.toUnsignedLong(r.windowSeconds())));
        }
        return out;
    }

    /** Whether the token's scopes allow {@code required}. */
    public boolean allows(String required) {
        Native.req(required, "required");
        return Native.call(() -> ffi.allows(required));
    }

    /** Every claim without an accessor ({@code job_id}, {@code act}, …), name → JSON text, in token order. */
    public Map<String, String> extraJson() {
        Map<String, String> out = new LinkedHashMap<>();
        for (FfiMember m : Native.call(ffi::extra)) {
            out.put(m.name(), m.json());
        }
        return Collections.unmodifiableMap(out);
    }

    /** Any member as JSON text. */
    public Optional<String> getJson(String name) {
        Native.req(name, "name");
        return Optional.ofNullable(Native.call(() -> ffi.getJson(name)));
    }

    /** The whole payload as compact JSON text. */
    public String toJson() {
        return Native.call(ffi::toJson);
    }

    @Override
    public String toString() {
        return "Claims" + toJson();
    }

    @Override
    public void close() {
        ffi.close();
    }

    private static OptionalLong opt(Long v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** Builds claims as JSON text in the order given; the core validates them when issuing. */
    public static final class Builder {
        private final JsonText j = new JsonText();
        private final java.util.Set<String> names = new java.util.HashSet<>();

        private Builder() {}

        private void name(String n) {
            Native.req(n, "claim name");
            if (!names.add(n)) {
                throw new WardenException.ValidationError(null, "claim " + n + " given twice");
            }
        }

        public Builder sub(String v) {
            return put("sub", v);
        }

        public Builder aud(String v) {
            return put("aud", v);
        }

        public Builder iat(long v) {
            return put("iat", v);
        }

        public Builder exp(long v) {
            return put("exp", v);
        }

        public Builder nbf(long v) {
            return put("nbf", v);
        }

        public Builder jti(String v) {
            return put("jti", v);
        }

        public Builder iss(String v) {
            return put("iss", v);
        }

        public Builder scope(String v) {
            return put("scope", v);
        }

        /** {@code ati: {v: 1, rate: {...}}} with the rate map in iteration order. */
        public Builder atiRate(Map<String, String> rate) {
            Native.req(rate, "rate");
            String r = new JsonText().num("v", 1).strMap("rate", rate).end();
            return putJson("ati", r);
        }

        public Builder put(String name, String value) {
            name(name);
            j.str(name, Native.req(value, name));
            return this;
        }

        public Builder put(String name, long value) {
            name(name);
            j.num(name, value);
            return this;
        }

        public Builder put(String name, boolean value) {
            name(name);
            j.bool(name, value);
            return this;
        }

        /** A member whose value is the JSON text of exactly one value (object, array, big number); the core parses it. */
        public Builder putJson(String name, String json) {
            name(name);
            j.raw(name, Native.req(json, name));
            return this;
        }

        public Claims build() {
            return Claims.fromJson(j.end());
        }
    }
}
