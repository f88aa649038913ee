package dev.warden;

import dev.warden.ffi.FfiRateSpec;
import dev.warden.ffi.WardenJava;

/** A parsed rate spec such as {@code 10/hour} (SEMANTICS-tokens §5). */
public record RateSpec(long count, long windowSeconds) {
    /** Parses {@code <count>/<unit>}; {@code INVALID_RATE_SPEC} otherwise. */
    public static RateSpec parse(String spec) {
        Native.req(spec, "spec");
        FfiRateSpec r = Native.call(() -> WardenJava.parseRateSpec(spec));
        return new RateSpec(Integer.toUnsignedLong(r.count()), Integer.toUnsignedLong(r.windowSeconds()));
    }
}
