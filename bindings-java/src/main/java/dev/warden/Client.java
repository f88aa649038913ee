package dev.warden;

import dev.warden.ffi.FfiClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A Warden client: one API over a backend, the engine in-process ({@link #local()},
 * {@link #local(Engine)}) or the engine behind a gateway ({@link #connect(String, String)}).
 * Thread-safe.
 *
 * <p>The typed methods are one-line wrappers over {@link #call(String, Map)}: arguments are a map
 * with the wire (snake_case) names of SEMANTICS-engine, results native values ({@link Json}).
 *
 * <pre>{@code
 * try (Client client = Client.local()) {
 *     Map<String, Object> agent = client.createAgent(Map.of("name", "bot", "capabilities", List.of("tool:*")));
 *     Map<String, Object> session = client.initSession(Map.of("agent_id", agent.get("agent_id"),
 *             "server_id", "srv", "mode", "autonomous"));
 *     Decision d = client.check(Map.of("agent_id", agent.get("agent_id"),
 *             "session_id", session.get("session_id"), "tool", "web_search"));
 * }
 * }</pre>
 */
public final class Client implements AutoCloseable {
    final FfiClient ffi;

    private Client(FfiClient ffi) {
        this.ffi = ffi;
    }

    /** A client over its own in-process engine (default configuration, system clock). */
    public static Client local() {
        return new Client(Native.call(FfiClient::local));
    }

    /** A client over a shared in-process engine. */
    public static Client local(Engine engine) {
        Native.req(engine, "engine");
        return new Client(Native.call(() -> FfiClient.withEngine(engine.ffi)));
    }

    /**
     * A client over the engine behind a gateway ({@code http(s)://host[:port]}), authenticated
     * with {@code apiKey}, with the default connect options. Nothing is sent until the first call;
     * a malformed URL or key is {@code VALIDATION_ERROR}.
     */
    public static Client connect(String url, String apiKey) {
        return connect(url, apiKey, null);
    }

    /**
     * {@link #connect(String, String)} with connect options by their wire names ({@code null} =
     * defaults): {@code timeout_ms} (10 000), {@code connect_timeout_ms} (2 000), {@code retries}
     * (idempotent calls only, 2), {@code ca_pem} (extra trusted root), {@code client_cert_pem} +
     * {@code client_key_pem} (mTLS). Unknown or out-of-range options are {@code VALIDATION_ERROR}
     * (checked by the core).
     */
    public static Client connect(String url, String apiKey, Map<String, ?> options) {
        Native.req(url, "url");
        Native.req(apiKey, "apiKey");
        String o = options == null ? null : Json.write(options);
        return new Client(Native.call(() -> FfiClient.connect(url, apiKey, o)));
    }

    /** True for a gateway-backed client ({@link #connect}). */
    public boolean isRemote() {
        return Native.call(ffi::isRemote);
    }

    /** Same as {@link #local(Engine)}. */
    public static Client withEngine(Engine engine) {
        return local(engine);
    }

    /** Runs one engine operation by its wire name with no arguments. */
    public Object call(String op) {
        return call(op, null);
    }

    /** Runs one engine operation by its wire name; arguments by their wire names ({@code null} = none). */
    public Object call(String op, Map<String, ?> args) {
        Native.req(op, "op");
        String a = Json.write(args);
        return Json.parse(Native.call(() -> ffi.call(op, a)));
    }

    /**
     * <b>Test hook.</b> Makes every call of this client fail with an injected transport fault
     * ({@code network_error}, {@code timeout}, {@code http_500}, {@code http_503},
     * {@code http_403}) until cleared with {@code null}. Used by the conformance vectors to
     * exercise the Guard's fail-open rule; never needed in production.
     */
    public void setFault(String fault) {
        Native.run(() -> ffi.setFault(fault));
    }

    /** The backend's clock, unix milliseconds. */
    public long nowMs() {
        return Native.call(ffi::nowMs);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> obj(String op, Map<String, ?> args) {
        Object v = call(op, args);
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new WardenException.Internal(null, op + " answered " + (v == null ? "null" : v.getClass().getSimpleName()) + ", not an object");
    }

    // ---- agents (§2)

    /** {@code create_agent(name, workspace?, framework?, capabilities?, metadata?, public_key?, rate?, enforcement?)}. */
    public Map<String, Object> createAgent(Map<String, ?> args) {
        return obj("create_agent", args);
    }

    /** {@code get_agent(agent_id)}. */
    public Map<String, Object> getAgent(Map<String, ?> args) {
        return obj("get_agent", args);
    }

    /** {@code get_agent(agent_id)}. */
    public Map<String, Object> getAgent(String agentId) {
        return getAgent(one("agent_id", agentId));
    }

    /** {@code revoke_agent(agent_id, reason?)}. */
    public Map<String, Object> revokeAgent(Map<String, ?> args) {
        return obj("revoke_agent", args);
    }

    // ---- tokens (§3)

    /** {@code issue_token(agent_id, scopes?, ttl_seconds?, session_id?, rate?)}. */
    public Map<String, Object> issueToken(Map<String, ?> args) {
        return obj("issue_token", args);
    }

    /** {@code introspect_token(token, required_scopes?)}. */
    public Map<String, Object> introspectToken(Map<String, ?> args) {
        return obj("introspect_token", args);
    }

    /** {@code revoke_token(token)}. */
    public Map<String, Object> revokeToken(Map<String, ?> args) {
        return obj("revoke_token", args);
    }

    // ---- sessions (§4)

    /** {@code init_session(agent_id, server_id, mode, scope_ceiling?, ttl_seconds?)}. */
    public Map<String, Object> initSession(Map<String, ?> args) {
        return obj("init_session", args);
    }

    // ---- decisions (§9)

    /** {@code check(agent_id, session_id, tool, input_summary?, effect?)} → the typed decision. */
    public Decision check(Map<String, ?> args) {
        return Decision.fromMap(obj("check", args));
    }

    /**
     * {@code check} with typed arguments (no JSON on the way; the Guard's path). {@code null} for
     * {@code sessionId}/{@code inputSummary} means empty, for {@code effect} none.
     */
    public Decision check(String agentId, String sessionId, String tool, String inputSummary, String effect) {
        String a = agentId == null ? "" : agentId;
        String s = sessionId == null ? "" : sessionId;
        String t = tool == null ? "" : tool;
        String in = inputSummary == null ? "" : Native.wellFormed(inputSummary);
        return Decision.of(Native.call(() -> ffi.check(a, s, t, in, effect)));
    }

    // ---- approvals (§10)

    /** {@code approve(approval_id, decided_by?, note?)}. */
    public Map<String, Object> approve(Map<String, ?> args) {
        return obj("approve", args);
    }

    /** {@code deny(approval_id, decided_by?, note?)}. */
    public Map<String, Object> deny(Map<String, ?> args) {
        return obj("deny", args);
    }

    /** {@code get_approval(approval_id)}. */
    public Map<String, Object> getApproval(Map<String, ?> args) {
        return obj("get_approval", args);
    }

    /** {@code list_approvals(status?, workspace?, agent_id?, cursor?, limit?)} → {@code {items, next_cursor}}. */
    public Map<String, Object> listApprovals(Map<String, ?> args) {
        return obj("list_approvals", args);
    }

    /**
     * {@code wait_for_decision(approval_id, timeout_seconds?)}: waits on the core runtime's
     * blocking pool, never on the calling thread. The future completes (on the thread the core
     * answers on, or on {@code ForkJoinPool.commonPool()} for dependent stages) with the decided
     * approval, or exceptionally with a {@link WardenException} ({@code TIMEOUT} reason
     * {@code wait_timeout}, {@code NOT_FOUND}, …). Cancelling the future does not stop the wait in
     * the core; it ends at its timeout.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Map<String, Object>> waitForDecision(Map<String, ?> args) {
        String a;
        try {
            a = Json.write(args);
        } catch (WardenException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<String> f;
        try {
            f = ffi.waitForDecision(a);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(Native.convert(e));
        }
        return Native.future(f, text -> {
            Object v = Json.parse(text);
            if (v instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new WardenException.Internal(null, "wait_for_decision answered a non-object");
        });
    }

    /** {@code wait_for_decision(approval_id, timeout_seconds)}. */
    public CompletableFuture<Map<String, Object>> waitForDecision(String approvalId, long timeoutSeconds) {
        Map<String, Object> m = one("approval_id", approvalId);
        m.put("timeout_seconds", timeoutSeconds);
        return waitForDecision(m);
    }

    // ---- delegations (§11)

    /** {@code create_delegation(from_agent_id, to_agent_id, scopes?, ttl_seconds?, restrictions?, parent_delegation_id?)}. */
    public Map<String, Object> createDelegation(Map<String, ?> args) {
        return obj("create_delegation", args);
    }

    /** {@code revoke_delegation(delegation_id, reason?)}. */
    public Map<String, Object> revokeDelegation(Map<String, ?> args) {
        return obj("revoke_delegation", args);
    }

    /** {@code delegation_token(delegation_id, ttl_seconds?)}. */
    public Map<String, Object> delegationToken(Map<String, ?> args) {
        return obj("delegation_token", args);
    }

    // ---- policy and audit (§14, §15)

    /** {@code set_policy(workspace?, rules)}. */
    public Map<String, Object> setPolicy(Map<String, ?> args) {
        return obj("set_policy", args);
    }

    /** {@code query_audit(workspace?, agent_id?, session_id?, kind?, since?, cursor?, limit?)} → a page. */
    public Map<String, Object> queryAudit(Map<String, ?> args) {
        return obj("query_audit", args);
    }

    /** {@code verify_chain(workspace?)} → {@code {ok, checked, first_broken_seq}}. */
    public Map<String, Object> verifyChain(Map<String, ?> args) {
        return obj("verify_chain", args);
    }

    /** {@code export_audit(workspace?, since_seq?)} → the JSONL export (verify it with {@link Warden#verifyAuditExport}). */
    public String exportAudit(Map<String, ?> args) {
        Object v = call("export_audit", args);
        if (v instanceof String s) {
            return s;
        }
        throw new WardenException.Internal(null, "export_audit answered a non-string");
    }

    private static Map<String, Object> one(String k, Object v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k, v);
        return m;
    }

    /** Frees this handle now (guards built on the client keep it alive). */
    @Override
    public void close() {
        ffi.close();
    }
}
