package dev.warden.parity;

import dev.warden.Client;
import dev.warden.Decision;
import dev.warden.Engine;
import dev.warden.ErrorCode;
import dev.warden.Guard;
import dev.warden.GuardOptions;
import dev.warden.Json;
import dev.warden.Warden;
import dev.warden.WardenException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The Java replay of engine-shaped cases (SEMANTICS-engine §18, tests/parity/README.md) through
 * the SDK's PUBLIC API only: a port of core/tests/replay/mod.rs. Shared by the parity runner
 * ({@link ParityRunner}) and the SDK's vector test (bindings-java VectorsTest).
 */
public final class Replay {
    private Replay() {}

    /** A scenario's transcript (one record per step) and every expectation failure. */
    public record Outcome(List<Object> transcript, List<String> failures) {}

    /** A step's result: a value or a typed SDK error. */
    private record Result(Object value, WardenException error) {
        static Result ok(Object v) {
            return new Result(v, null);
        }
    }

    // ------------------------------------------------------------------ aliases

    private static boolean has(Map<?, ?> m, String k) {
        return m.containsKey(k) && m.get(k) != null;
    }

    /** The primary id of a bound value (decision, token, approval, delegation, session, agent). */
    static Object primary(Object v) {
        if (!(v instanceof Map<?, ?> m)) {
            return v;
        }
        String key;
        if (has(m, "check_id") && has(m, "allowed")) {
            key = "check_id";
        } else if (has(m, "token") && has(m, "jti")) {
            key = "token";
        } else if (has(m, "approval_id") && has(m, "status") && has(m, "tool")) {
            key = "approval_id";
        } else if (has(m, "delegation_id") && has(m, "from_agent_id")) {
            key = "delegation_id";
        } else if (has(m, "session_id") && has(m, "server_id")) {
            key = "session_id";
        } else if (has(m, "agent_id") && has(m, "name")) {
            key = "agent_id";
        } else {
            return v;
        }
        return m.get(key);
    }

    static Object resolve(Object v, Map<String, Object> aliases) {
        if (v instanceof String s && s.startsWith("$")) {
            String[] path = s.substring(1).split("\\.", -1);
            if (!aliases.containsKey(path[0])) {
                return v;
            }
            Object base = aliases.get(path[0]);
            if (path.length == 1) {
                return primary(base);
            }
            Object cur = base;
            for (int i = 1; i < path.length; i++) {
                cur = cur instanceof Map<?, ?> m ? m.get(path[i]) : null;
            }
            return cur;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) {
                out.add(resolve(x, aliases));
            }
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, resolve(x, aliases)));
            return out;
        }
        return v;
    }

    // ------------------------------------------------------------------ matching

    /** A sentinel for "absent" (distinct from a present null). */
    private static final Object ABSENT = new Object();

    private static Object field(Object obj, String k) {
        if (obj instanceof Map<?, ?> m && m.containsKey(k)) {
            return m.get(k);
        }
        return ABSENT;
    }

    private static String show(Object v) {
        if (v == ABSENT) {
            return "absent";
        }
        try {
            return Json.write(v);
        } catch (RuntimeException e) {
            return String.valueOf(v);
        }
    }

    /** Partial match of {@code want} against {@code got} with the vector matchers; null when it matches. */
    public static String matches(Object want, Object got, String path) {
        boolean none = got == ABSENT || got == null;
        if (want == null) {
            return none ? null : path + ": want null, got " + show(got);
        }
        if ("<non-null>".equals(want)) {
            return none ? path + ": want non-null" : null;
        }
        if (want instanceof Map<?, ?> m) {
            if (m.size() == 1 && m.containsKey("$ne")) {
                if (none) {
                    return path + ": want non-null";
                }
                return Objects.equals(m.get("$ne"), got) ? path + ": want != " + show(got) : null;
            }
            if (got == ABSENT) {
                return path + ": missing object";
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = (String) e.getKey();
                String f = matches(e.getValue(), field(got, k), path + "." + k);
                if (f != null) {
                    return f;
                }
            }
            return null;
        }
        if (want instanceof List<?> a) {
            if (!(got instanceof List<?> g)) {
                return path + ": want array";
            }
            if (g.size() != a.size()) {
                return path + ": want " + a.size() + " elements, got " + g.size();
            }
            for (int i = 0; i < a.size(); i++) {
                String f = matches(a.get(i), g.get(i), path + "[" + i + "]");
                if (f != null) {
                    return f;
                }
            }
            return null;
        }
        if (got != ABSENT && Objects.equals(want, got)) {
            return null;
        }
        return path + ": want " + show(want) + ", got " + show(got);
    }

    /** Checks a result against an expectation; throws AssertionError with the first mismatch. */
    private static Object checkResult(Object expect, Result r) {
        if (expect instanceof Map<?, ?> e && e.containsKey("error")) {
            if (r.error == null) {
                throw new AssertionError("want error " + show(e.get("error")) + ", got success " + show(r.value));
            }
            fail(matches(e.get("error"), r.error.code(), "error"));
            if (e.containsKey("reason")) {
                fail(matches(e.get("reason"), r.error.reason() == null ? ABSENT : r.error.reason(), "reason"));
            }
            if (e.containsKey("decision")) {
                fail(matches(e.get("decision"), r.error.decision() == null ? ABSENT : r.error.decision(), "decision"));
            }
            return null;
        }
        if (r.error != null) {
            throw new AssertionError("unexpected error " + r.error);
        }
        if (expect != ABSENT) {
            fail(matches(expect, r.value, "result"));
        }
        return r.value;
    }

    private static void fail(String f) {
        if (f != null) {
            throw new AssertionError(f);
        }
    }

    private static Map<String, Object> record(int i, String op, Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", (long) i);
        m.put("op", op);
        if (r.error == null) {
            m.put("result", r.value);
        } else {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", r.error.code());
            e.put("reason", r.error.reason());
            e.put("decision", r.error.decision());
            m.put("error", e);
        }
        return m;
    }

    // ------------------------------------------------------------------ scenarios

    private static String argStr(Object args, String k) {
        return field(args, k) instanceof String s ? s : null;
    }

    private static String argStrOr(Object args, String k) {
        String s = argStr(args, k);
        return s == null ? "" : s;
    }

    private static boolean argBool(Object args, String k, boolean dflt) {
        return field(args, k) instanceof Boolean b ? b : dflt;
    }

    private static long argLong(Object args, String k) {
        return field(args, k) instanceof Long l ? l : 0L;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> argMap(Object args) {
        if (args == null) {
            return null;
        }
        if (args instanceof Map<?, ?> m) {
            return (Map<String, ?>) m;
        }
        throw WardenException.of(ErrorCode.VALIDATION_ERROR, null, "arguments must be an object");
    }

    private static WardenException unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof WardenException w) {
            return w;
        }
        throw new AssertionError("not a WardenException: " + e, e);
    }

    /** A live gateway in test mode (tests/parity/README.md, "Against a live gateway"). */
    public record Gateway(String url, String apiKey) {}

    /** Runs one scenario case (fresh engine, manual clock at {@code clockS * 1000}). */
    public static Outcome runScenario(Map<String, Object> kase, long clockS) {
        return runScenario(kase, clockS, null);
    }

    /**
     * Runs one scenario case. {@code gateway} null: a fresh in-process engine on a manual clock at
     * {@code clockS * 1000}. Otherwise the case runs through {@link Client#connect} against that
     * gateway: {@code test_reset} with {@code {engine, clock_ms}} first (the gateway builds the
     * engine: seed 7, manual clock), {@code advance} is {@code test_advance}, and guards get the
     * strict mode of the case's engine configuration, read from a throwaway local engine.
     */
    @SuppressWarnings("unchecked")
    public static Outcome runScenario(Map<String, Object> kase, long clockS, Gateway gateway) {
        List<Object> transcript = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<String, Object> cfg = new LinkedHashMap<>();
        if (kase.get("engine") instanceof Map<?, ?> e) {
            cfg.putAll((Map<String, Object>) e);
        }
        cfg.put("seed", 7L);
        Engine engine;
        try {
            engine = new Engine(cfg, clockS * 1000);
        } catch (WardenException e) {
            failures.add("engine: " + e);
            return new Outcome(transcript, failures);
        }
        boolean strict = engine.strictMode();
        Client client;
        if (gateway == null) {
            client = Client.local(engine);
        } else {
            engine.close();   // only its strict mode was needed
            engine = null;
            try {
                client = Client.connect(gateway.url(), gateway.apiKey());
            } catch (WardenException e) {
                failures.add("connect: " + e);
                return new Outcome(transcript, failures);
            }
            Map<String, Object> reset = new LinkedHashMap<>();
            reset.put("engine", kase.get("engine") instanceof Map<?, ?> e ? e : null);
            reset.put("clock_ms", clockS * 1000);
            try {
                client.call("test_reset", reset);
            } catch (WardenException e) {
                client.close();
                failures.add("test_reset: " + e);
                return new Outcome(transcript, failures);
            }
        }
        Map<String, Guard> guards = new HashMap<>();
        Map<String, Object> aliases = new HashMap<>();
        List<Object> steps = kase.get("steps") instanceof List<?> l ? (List<Object>) l : List.of();
        try {
            for (int i = 0; i < steps.size(); i++) {
                Map<String, Object> step = (Map<String, Object>) steps.get(i);
                String op = step.get("op") instanceof String s ? s : "";
                if (op.equals("advance")) {
                    long secs = argLong(step, "seconds");
                    if (engine != null) {
                        engine.advance(secs * 1000);
                    } else {
                        try {
                            client.call("test_advance", Map.of("seconds", secs));
                        } catch (WardenException e) {
                            failures.add("step " + i + ": test_advance: " + e);
                        }
                    }
                    transcript.add(record(i, op, Result.ok(null)));
                    continue;
                }
                Object args = resolve(step.get("args"), aliases);
                Object expect = step.containsKey("expect") ? resolve(step.get("expect"), aliases) : ABSENT;
                String fault = argStr(step, "fault");
                try {
                    client.setFault(fault);
                } catch (WardenException e) {
                    failures.add("step " + i + " (" + op + "): bad fault: " + e);
                    continue;
                }
                Result r;
                try {
                    r = Result.ok(runOp(op, args, step, client, guards, strict));
                } catch (WardenException e) {
                    r = new Result(null, e);
                } catch (CompletionException e) {
                    r = new Result(null, unwrap(e));
                }
                client.setFault(null);
                transcript.add(record(i, op, r));
                try {
                    Object v = checkResult(expect, r);
                    if (step.get("as") instanceof String name) {
                        aliases.put(name, v);
                    }
                } catch (AssertionError e) {
                    failures.add("step " + i + " (" + op + "): " + e.getMessage());
                }
            }
        } finally {
            guards.values().forEach(Guard::close);
            client.close();
            if (engine != null) {
                engine.close();
            }
        }
        return new Outcome(transcript, failures);
    }

    private static Guard guard(Object args, Map<String, Guard> guards) {
        String name = argStrOr(args, "guard");
        Guard g = name.startsWith("guard:") ? guards.get(name.substring("guard:".length())) : guards.get("");
        if (g == null) {
            throw WardenException.of(ErrorCode.VALIDATION_ERROR, null, "unknown guard");
        }
        return g;
    }

    private static Object runOp(String op, Object args, Map<String, Object> step, Client client, Map<String, Guard> guards, boolean strict) {
        switch (op) {
            case "new_guard": {
                GuardOptions o = GuardOptions.builder()
                        .sessionId(argStr(args, "session_id"))
                        .blockOnDeny(argBool(args, "block_on_deny", true))
                        .failOpen(argBool(args, "fail_open", false))
                        .defaultEffect(argStr(args, "default_effect"))
                        .strictMode(strict)
                        .flushTimer(false)
                        .build();
                Guard g = new Guard(client, argStrOr(args, "agent_id"), o);
                String name = step.get("as") instanceof String s ? s : "_guard";
                guards.put(name, g);
                return "guard:" + name;
            }
            case "guard_check":
                return guard(args, guards).check(argStrOr(args, "tool"), argStrOr(args, "input_summary"), argStr(args, "effect")).toMap();
            case "guard_report":
                guard(args, guards).report(argStrOr(args, "tool"), argBool(args, "success", false), argLong(args, "duration_ms"), argStr(args, "error_type"));
                return null;
            case "guard_flush":
                guard(args, guards).flush();
                return null;
            case "guard_close":
                guard(args, guards).close();
                return null;
            case "guard_stats":
                return guard(args, guards).stats().toMap();
            case "check":
                return client.check(argStrOr(args, "agent_id"), argStrOr(args, "session_id"), argStrOr(args, "tool"),
                        argStrOr(args, "input_summary"), argStr(args, "effect")).toMap();
            case "create_agent":
                return client.createAgent(argMap(args));
            case "get_agent":
                return client.getAgent(argMap(args));
            case "revoke_agent":
                return client.revokeAgent(argMap(args));
            case "issue_token":
                return client.issueToken(argMap(args));
            case "introspect_token":
                return client.introspectToken(argMap(args));
            case "revoke_token":
                return client.revokeToken(argMap(args));
            case "init_session":
                return client.initSession(argMap(args));
            case "approve":
                return client.approve(argMap(args));
            case "deny":
                return client.deny(argMap(args));
            case "get_approval":
                return client.getApproval(argMap(args));
            case "list_approvals":
                return client.listApprovals(argMap(args));
            case "wait_for_decision":
                return client.waitForDecision(argMap(args)).join();
            case "create_delegation":
                return client.createDelegation(argMap(args));
            case "revoke_delegation":
                return client.revokeDelegation(argMap(args));
            case "delegation_token":
                return client.delegationToken(argMap(args));
            case "set_policy":
                return client.setPolicy(argMap(args));
            case "query_audit":
                return client.queryAudit(argMap(args));
            case "verify_chain":
                return client.verifyChain(argMap(args));
            case "export_audit":
                return client.exportAudit(argMap(args));
            default:
                return client.call(op, argMap(args));
        }
    }

    // ------------------------------------------------------------------ pure cases

    /** Runs one pure case (effects, {@code summarize_input}, {@code covers}); throws AssertionError on a mismatch. */
    @SuppressWarnings("unchecked")
    public static void runPure(Map<String, Object> kase) {
        Object expect = kase.containsKey("expect") ? kase.get("expect") : ABSENT;
        if (!kase.containsKey("op")) {
            Result r;
            try {
                String tool = (String) kase.get("tool");
                String effect = kase.get("effect") instanceof String s ? s : null;
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("effect", Warden.resolveEffect(tool, effect));
                v.put("words", new ArrayList<Object>(Warden.toolWords(tool)));
                r = Result.ok(v);
            } catch (WardenException e) {
                r = new Result(null, e);
            }
            checkResult(expect, r);
            return;
        }
        Map<String, Object> args = (Map<String, Object>) kase.get("args");
        Object value = switch ((String) kase.get("op")) {
            case "summarize_input" -> Warden.summarizeInput((String) args.get("text"), (Boolean) args.get("log_inputs"));
            case "covers" -> Warden.covers((List<String>) (List<?>) args.get("parent_patterns"), (String) args.get("child_pattern"));
            default -> throw new AssertionError("no pure runner for " + kase.get("op"));
        };
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("value", value);
        checkResult(expect, Result.ok(v));
    }
}
