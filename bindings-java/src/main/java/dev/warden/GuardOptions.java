package dev.warden;

/**
 * Options of a {@link Guard} (SEMANTICS-engine §12), with the defaults of the specification:
 * {@code sessionId} null (the guard opens its own session), {@code blockOnDeny} true,
 * {@code failOpen} false, {@code defaultEffect} null, {@code logInputs} false, {@code strictMode}
 * null (= the core default: {@code WARDEN_STRICT_MODE} read at construction), {@code flushTimer}
 * true (flush buffered telemetry every 5 s on the core runtime).
 */
public final class GuardOptions {
    final String sessionId;
    final boolean blockOnDeny;
    final boolean failOpen;
    final String defaultEffect;
    final boolean logInputs;
    final Boolean strictMode;
    final boolean flushTimer;

    private GuardOptions(Builder b) {
        sessionId = b.sessionId;
        blockOnDeny = b.blockOnDeny;
        failOpen = b.failOpen;
        defaultEffect = b.defaultEffect;
        logInputs = b.logInputs;
        strictMode = b.strictMode;
        flushTimer = b.flushTimer;
    }

    /** Every default. */
    public static GuardOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String sessionId() {
        return sessionId;
    }

    public boolean blockOnDeny() {
        return blockOnDeny;
    }

    public boolean failOpen() {
        return failOpen;
    }

    public String defaultEffect() {
        return defaultEffect;
    }

    public boolean logInputs() {
        return logInputs;
    }

    public Boolean strictMode() {
        return strictMode;
    }

    public boolean flushTimer() {
        return flushTimer;
    }

    /** Builder of {@link GuardOptions}. */
    public static final class Builder {
        private String sessionId;
        private boolean blockOnDeny = true;
        private boolean failOpen;
        private String defaultEffect;
        private boolean logInputs;
        private Boolean strictMode;
        private boolean flushTimer = true;

        private Builder() {}

        /** A caller-provided session ({@code ses_…}), never replaced by the guard; null = its own. */
        public Builder sessionId(String v) {
            sessionId = v;
            return this;
        }

        /** Raise on an enforced denial (default true); false returns the denied decision. */
        public Builder blockOnDeny(boolean v) {
            blockOnDeny = v;
            return this;
        }

        /** Allow {@code read} calls when the engine is unreachable (default false). */
        public Builder failOpen(boolean v) {
            failOpen = v;
            return this;
        }

        /** Effect used when a check names none ({@code read|mutating|destructive|admin}); validated by the core. */
        public Builder defaultEffect(String v) {
            defaultEffect = v;
            return this;
        }

        /** Send the first 200 code points of inputs instead of their length (default false). */
        public Builder logInputs(boolean v) {
            logInputs = v;
            return this;
        }

        /** Force (true) or not (false) strict enforcement; null = the core default from {@code WARDEN_STRICT_MODE}. */
        public Builder strictMode(Boolean v) {
            strictMode = v;
            return this;
        }

        /** Start the 5 s flush timer on the core runtime (default true). */
        public Builder flushTimer(boolean v) {
            flushTimer = v;
            return this;
        }

        public GuardOptions build() {
            return new GuardOptions(this);
        }
    }
}
