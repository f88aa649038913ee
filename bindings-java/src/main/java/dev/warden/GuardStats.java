package dev.warden;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The guard's telemetry counters (SEMANTICS-engine §12.2).
 *
 * @param buffered      events waiting to be sent
 * @param sent          events delivered
 * @param dropped       events dropped because the buffer was full
 * @param invalid       reports refused for bad arguments
 * @param failedFlushes flushes that failed (their events were put back)
 */
public record GuardStats(long buffered, long sent, long dropped, long invalid, long failedFlushes) {
    /** {@code {buffered, sent, dropped, invalid, failed_flushes}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("buffered", buffered);
        m.put("sent", sent);
        m.put("dropped", dropped);
        m.put("invalid", invalid);
        m.put("failed_flushes", failedFlushes);
        return m;
    }
}
