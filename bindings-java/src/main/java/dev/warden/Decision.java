package dev.warden;

import dev.warden.ffi.FfiDecision;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A guard decision (SEMANTICS-engine §9), every field of the core {@code Decision}. Nullable
 * components: {@code sessionId} (no session), {@code effect}, {@code requiredScope},
 * {@code matchedPattern}, {@code ruleId}, {@code approvalId}, {@code retryAfterMs}.
 * {@link #toMap()} / {@link #toJson()} give the wire form (snake_case names, {@code null} for an
 * absent optional), the same object {@code client.call("check", …)} returns.
 *
 * @param checkId       {@code chk_…} id of this decision
 * @param allowed       whether the engine allowed the call
 * @param code          {@code ALLOW} or the error code of the denial
 * @param reason        stable snake_case reason
 * @param enforced      whether a denial is enforced (false in monitoring mode)
 * @param source        who decided ({@code engine}, {@code guard}, {@code fail_open}, …)
 * @param agentId       the agent
 * @param sessionId     the session, or null
 * @param tool          the tool checked
 * @param effect        {@code read | mutating | destructive | admin}, or null
 * @param requiredScope the scope the call needed, or null
 * @param matchedPattern the granted pattern that matched, or null
 * @param ruleId        the policy rule that decided, or null
 * @param approvalId    the approval created for an elevation, or null
 * @param retryAfterMs  when a rate-limited call may be retried, or null
 * @param decidedAt     unix milliseconds
 */
public record Decision(
        String checkId,
        boolean allowed,
        String code,
        String reason,
        boolean enforced,
        String source,
        String agentId,
        String sessionId,
        String tool,
        String effect,
        String requiredScope,
        String matchedPattern,
        String ruleId,
        String approvalId,
        Long retryAfterMs,
        long decidedAt) {

    static Decision of(FfiDecision d) {
        return new Decision(d.checkId(), d.allowed(), d.code(), d.reason(), d.enforced(), d.source(), d.agentId(),
                d.sessionId(), d.tool(), d.effect(), d.requiredScope(), d.matchedPattern(), d.ruleId(), d.approvalId(),
                d.retryAfterMs(), d.decidedAt());
    }

    /** True iff the caller may proceed: {@code allowed || !enforced} (the core's {@code Decision::proceed}). */
    public boolean proceed() {
        return allowed || !enforced;
    }

    /** The wire form: every field by its snake_case name, in the core's order, {@code null} for absent optionals. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(24);
        m.put("check_id", checkId);
        m.put("allowed", allowed);
        m.put("code", code);
        m.put("reason", reason);
        m.put("enforced", enforced);
        m.put("source", source);
        m.put("agent_id", agentId);
        m.put("session_id", sessionId);
        m.put("tool", tool);
        m.put("effect", effect);
        m.put("required_scope", requiredScope);
        m.put("matched_pattern", matchedPattern);
        m.put("rule_id", ruleId);
        m.put("approval_id", approvalId);
        m.put("retry_after_ms", retryAfterMs);
        m.put("decided_at", decidedAt);
        return m;
    }

    /** {@link #toMap()} as compact JSON text. */
    public String toJson() {
        return Json.write(toMap());
    }

    /**
     * A decision from its wire map (the result of {@code client.call("check", …)} or
     * {@link WardenException#decision()}); {@code VALIDATION_ERROR} if a field has the wrong type.
     */
    public static Decision fromMap(Map<String, ?> m) {
        Native.req(m, "decision");
        return new Decision(str(m, "check_id", false), bool(m, "allowed"), str(m, "code", false), str(m, "reason", false),
                bool(m, "enforced"), str(m, "source", false), str(m, "agent_id", false), str(m, "session_id", true),
                str(m, "tool", false), str(m, "effect", true), str(m, "required_scope", true), str(m, "matched_pattern", true),
                str(m, "rule_id", true), str(m, "approval_id", true), lng(m, "retry_after_ms", true), lng(m, "decided_at", false));
    }

    private static WardenException field(String k) {
        return new WardenException.ValidationError(null, "decision field " + k + " missing or of the wrong type");
    }

    private static String str(Map<String, ?> m, String k, boolean nullable) {
        Object v = m.get(k);
        if (v instanceof String s) {
            return s;
        }
        if (v == null && nullable) {
            return null;
        }
        throw field(k);
    }

    private static boolean bool(Map<String, ?> m, String k) {
        if (m.get(k) instanceof Boolean b) {
            return b;
        }
        throw field(k);
    }

    private static Long lng(Map<String, ?> m, String k, boolean nullable) {
        Object v = m.get(k);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v == null && nullable) {
            return null;
        }
        throw field(k);
    }
}
