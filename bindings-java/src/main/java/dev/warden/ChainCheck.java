package dev.warden;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of {@link Warden#verifyAuditExport(String)} (SEMANTICS-engine §15).
 *
 * @param ok             true iff every event verified
 * @param checked        events checked
 * @param firstBrokenSeq the first failing {@code seq}, or null when {@code ok}
 */
public record ChainCheck(boolean ok, long checked, Long firstBrokenSeq) {
    /** {@code {ok, checked, first_broken_seq}}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok);
        m.put("checked", checked);
        m.put("first_broken_seq", firstBrokenSeq);
        return m;
    }
}
