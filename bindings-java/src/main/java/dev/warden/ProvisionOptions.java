package dev.warden;

import dev.warden.ffi.FfiPair;
import dev.warden.ffi.FfiProvisionArgs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The optional arguments of {@link Orchestrator#provisionSandbox(String, ProvisionOptions)}. */
public final class ProvisionOptions {
    final FfiProvisionArgs ffi;

    private ProvisionOptions(FfiProvisionArgs ffi) {
        this.ffi = ffi;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** All defaults. */
    public static ProvisionOptions defaults() {
        return builder().build();
    }

    public static final class Builder {
        private List<String> tools = new ArrayList<>();
        private List<String> skills = new ArrayList<>();
        private List<String> extraScopes = new ArrayList<>();
        private Long ttlSeconds;
        private final Map<String, String> rate = new LinkedHashMap<>();
        private Long now;
        private String jti;

        private Builder() {}

        public Builder tools(List<String> v) {
            tools = new ArrayList<>(Native.reqList(v, "tools"));
            return this;
        }

        public Builder tools(String... v) {
            return tools(List.of(Native.req(v, "tools")));
        }

        public Builder skills(List<String> v) {
            skills = new ArrayList<>(Native.reqList(v, "skills"));
            return this;
        }

        public Builder skills(String... v) {
            return skills(List.of(Native.req(v, "skills")));
        }

        public Builder extraScopes(List<String> v) {
            extraScopes = new ArrayList<>(Native.reqList(v, "extraScopes"));
            return this;
        }

        public Builder extraScopes(String... v) {
            return extraScopes(List.of(Native.req(v, "extraScopes")));
        }

        /** 1..86400 (default 3600). */
        public Builder ttlSeconds(long v) {
            ttlSeconds = v;
            return this;
        }

        /** Adds one rate limit {@code pattern -> spec} (insertion order is kept in the token). */
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

        /** A fixed token id for tests and vectors (default a random UUIDv4). */
        public Builder jti(String v) {
            jti = v;
            return this;
        }

        public ProvisionOptions build() {
            List<FfiPair> r = new ArrayList<>();
            rate.forEach((k, v) -> r.add(new FfiPair(k, v)));
            return new ProvisionOptions(new FfiProvisionArgs(List.copyOf(tools), List.copyOf(skills), List.copyOf(extraScopes), ttlSeconds, r, now, jti));
        }
    }
}
