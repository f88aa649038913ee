#!/usr/bin/env python3
"""Writes tests/parity/scenarios/*.json (the source of truth is this file; run it after editing).

Each scenario states its own expectations; the full results of every step are then compared
across languages through the transcripts (see ../README.md)."""
import json
from pathlib import Path

CLOCK = 1767225600  # 2026-01-01T00:00:00Z
OUT = Path(__file__).resolve().parent.parent / "scenarios"
FORMAT = "parity scenarios: engine-vector shape (SEMANTICS-engine s18), see tests/parity/README.md"


def agent(alias, caps, **kw):
    args = {"name": f"{alias.lower()}-agent", "capabilities": caps, **kw}
    return {"op": "create_agent", "args": args, "as": alias}


def session(alias, agent_alias, mode="open", **kw):
    return {"op": "init_session", "args": {"agent_id": f"${agent_alias}", "server_id": "srv-1", "mode": mode, **kw}, "as": alias}


def check(a, s, tool, expect=None, alias=None, **kw):
    st = {"op": "check", "args": {"agent_id": f"${a}", "session_id": f"${s}", "tool": tool, **kw}}
    if expect is not None:
        st["expect"] = expect
    if alias:
        st["as"] = alias
    return st


def adv(n):
    return {"op": "advance", "seconds": n}


ALLOW = {"allowed": True, "code": "ALLOW", "enforced": True}

elevation = [
    {"name": "elevation_deny_approve_retry_window_then_expired", "steps": [
        agent("A", ["tool:*"]), session("S", "A", "supervised"),
        check("A", "S", "delete_file", {"allowed": False, "code": "ELEVATION_REQUIRED", "reason": "supervised_mode", "approval_id": "<non-null>"}, "D1"),
        {"op": "get_approval", "args": {"approval_id": "$D1.approval_id"}, "expect": {"status": "pending", "tool": "delete_file"}},
        {"op": "approve", "args": {"approval_id": "$D1.approval_id", "decided_by": "alice@example.com", "note": "ok once"}, "expect": {"status": "approved"}},
        check("A", "S", "delete_file", {**ALLOW, "reason": "elevated", "approval_id": "$D1.approval_id"}),
        adv(150),
        check("A", "S", "delete_file", {**ALLOW, "reason": "elevated"}),
        adv(150),
        check("A", "S", "delete_file", {"allowed": False, "code": "ELEVATION_REQUIRED", "approval_id": {"$ne": "$D1.approval_id"}}),
        {"op": "get_session", "args": {"session_id": "$S"}, "expect": {"elevated_calls": 2, "denied_calls": 2}},
    ]},
    {"name": "elevation_denied_then_cooldown", "steps": [
        agent("A", ["tool:*"]), session("S", "A", "supervised"),
        check("A", "S", "drop_table", {"code": "ELEVATION_REQUIRED"}, "D1"),
        {"op": "deny", "args": {"approval_id": "$D1.approval_id", "decided_by": "bob@example.com", "note": "no"}, "expect": {"status": "denied"}},
        check("A", "S", "drop_table", {"allowed": False}),
        adv(301),
        check("A", "S", "drop_table", {"allowed": False, "code": "ELEVATION_REQUIRED", "approval_id": {"$ne": "$D1.approval_id"}}),
    ]},
    {"name": "elevation_pending_reused_and_expires", "steps": [
        agent("A", ["tool:*"]), session("S", "A", "supervised"),
        check("A", "S", "delete_file", {"code": "ELEVATION_REQUIRED"}, "D1"),
        check("A", "S", "delete_file", {"code": "ELEVATION_REQUIRED", "approval_id": "$D1.approval_id"}),
        adv(300),
        {"op": "get_approval", "args": {"approval_id": "$D1.approval_id"}, "expect": {"status": "expired"}},
        {"op": "approve", "args": {"approval_id": "$D1.approval_id", "decided_by": "alice@example.com"}, "expect": {"error": "<non-null>"}},
        {"op": "list_approvals", "args": {"status": "expired"}},
    ]},
    {"name": "elevation_window_exact_tool_and_session", "steps": [
        agent("A", ["tool:*"]), session("S", "A", "supervised"), session("S2", "A", "supervised"),
        check("A", "S", "delete_file", {"code": "ELEVATION_REQUIRED"}, "D1"),
        {"op": "approve", "args": {"approval_id": "$D1.approval_id", "decided_by": "alice@example.com"}},
        check("A", "S", "delete_file", {**ALLOW, "reason": "elevated"}),
        check("A", "S", "delete_dir", {"code": "ELEVATION_REQUIRED"}),
        check("A", "S2", "delete_file", {"code": "ELEVATION_REQUIRED"}),
        {"op": "wait_for_decision", "args": {"approval_id": "$D1.approval_id", "timeout_seconds": 1}, "expect": {"status": "approved"}},
    ]},
    {"name": "elevation_policy_require_in_open_mode", "steps": [
        agent("A", ["tool:*"]), session("S", "A"),
        {"op": "set_policy", "args": {"workspace": "default", "rules": [{"rule_id": "pay-needs-human", "match": "tool:payments:*", "action": "require_elevation"}]}},
        check("A", "S", "payments:send", {"allowed": False, "code": "ELEVATION_REQUIRED", "rule_id": "pay-needs-human"}, "D1"),
        {"op": "approve", "args": {"approval_id": "$D1.approval_id", "decided_by": "cfo@example.com"}},
        check("A", "S", "payments:send", {**ALLOW, "reason": "elevated"}),
        check("A", "S", "web_search", {**ALLOW, "reason": "granted"}),
        {"op": "get_policy", "args": {"workspace": "default"}, "expect": {"version": 1}},
    ]},
    {"name": "elevation_guard_raises_with_approval", "steps": [
        agent("A", ["tool:*"]), session("S", "A", "supervised"),
        {"op": "new_guard", "args": {"agent_id": "$A", "session_id": "$S"}, "as": "G"},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "delete_file", "input_summary": "rm -rf /tmp/x"}, "expect": {"error": "ELEVATION_REQUIRED", "decision": {"approval_id": "<non-null>"}}},
        {"op": "list_approvals", "args": {"status": "pending"}, "as": "L"},
        {"op": "guard_close", "args": {"guard": "$G"}},
    ]},
]

delegation = [
    {"name": "delegation_chain_narrows_at_each_hop", "steps": [
        agent("A", ["tool:db:*", "tool:web_search"]), agent("B", []), agent("C", []),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:db:*"]}, "as": "P"},
        {"op": "create_delegation", "args": {"from_agent_id": "$B", "to_agent_id": "$C", "scopes": ["tool:db:query"], "parent_delegation_id": "$P"}, "as": "Q"},
        {"op": "create_delegation", "args": {"from_agent_id": "$B", "to_agent_id": "$C", "scopes": ["tool:web_search"], "parent_delegation_id": "$P"}, "expect": {"error": "<non-null>"}},
        {"op": "init_delegation_session", "args": {"delegation_id": "$Q"}, "as": "SQ"},
        check("C", "SQ", "db:query", {**ALLOW, "matched_pattern": "tool:db:query"}),
        check("C", "SQ", "db:insert", {"allowed": False, "code": "ACTION_DENIED"}),
        {"op": "get_delegation", "args": {"delegation_id": "$Q"}, "expect": {"depth": 2}},
        {"op": "list_delegations", "args": {"agent_id": "$B"}},
    ]},
    {"name": "delegation_depth_limit_and_cycle", "steps": [
        agent("A", ["tool:*"]), agent("B", []), agent("C", []), agent("D", []), agent("E", []),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:db:*"]}, "as": "P"},
        {"op": "create_delegation", "args": {"from_agent_id": "$B", "to_agent_id": "$C", "scopes": ["tool:db:*"], "parent_delegation_id": "$P"}, "as": "Q"},
        {"op": "create_delegation", "args": {"from_agent_id": "$C", "to_agent_id": "$D", "scopes": ["tool:db:*"], "parent_delegation_id": "$Q"}, "as": "R"},
        {"op": "create_delegation", "args": {"from_agent_id": "$D", "to_agent_id": "$E", "scopes": ["tool:db:*"], "parent_delegation_id": "$R"}, "expect": {"error": "<non-null>"}},
        {"op": "create_delegation", "args": {"from_agent_id": "$C", "to_agent_id": "$A", "scopes": ["tool:db:*"], "parent_delegation_id": "$Q"}, "expect": {"error": "<non-null>"}},
    ]},
    {"name": "delegation_token_carries_act_chain", "steps": [
        agent("A", ["tool:db:*"]), agent("B", []), agent("C", []),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:db:*"], "ttl_seconds": 600}, "as": "P"},
        {"op": "create_delegation", "args": {"from_agent_id": "$B", "to_agent_id": "$C", "scopes": ["tool:db:query"], "ttl_seconds": 300, "parent_delegation_id": "$P"}, "as": "Q"},
        {"op": "delegation_token", "args": {"delegation_id": "$Q", "ttl_seconds": 120}, "as": "T"},
        {"op": "introspect_token", "args": {"token": "$T.token"}},
        {"op": "jwks", "args": {}},
    ]},
    {"name": "delegation_subtree_shares_rate_budget", "steps": [
        agent("A", ["tool:db:*"], rate={"tool:db:*": "2/minute"}), agent("B", []), agent("C", []),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:db:*"]}, "as": "P"},
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$C", "scopes": ["tool:db:*"]}, "as": "P2"},
        {"op": "init_delegation_session", "args": {"delegation_id": "$P"}, "as": "SB"},
        check("B", "SB", "db:query", ALLOW),
        check("B", "SB", "db:query", ALLOW),
        check("B", "SB", "db:query", {"allowed": False, "code": "RATE_LIMITED"}),
        adv(60),
        check("B", "SB", "db:query", ALLOW),
    ]},
    {"name": "delegation_effect_ceiling", "steps": [
        agent("A", ["tool:*"]), agent("B", []),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:*"], "restrictions": {"effect_ceiling": "mutating"}}, "as": "P"},
        {"op": "init_delegation_session", "args": {"delegation_id": "$P"}, "as": "SB"},
        check("B", "SB", "write_file", ALLOW),
        check("B", "SB", "delete_file", {"allowed": False}),
        {"op": "get_session", "args": {"session_id": "$SB"}},
    ]},
]

revocation = [
    {"name": "revocation_cascade_three_levels", "steps": [
        agent("A", ["tool:*"]), agent("B", []), agent("C", []), agent("D", []),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:db:*"]}, "as": "P"},
        {"op": "create_delegation", "args": {"from_agent_id": "$B", "to_agent_id": "$C", "scopes": ["tool:db:*"], "parent_delegation_id": "$P"}, "as": "Q"},
        {"op": "create_delegation", "args": {"from_agent_id": "$C", "to_agent_id": "$D", "scopes": ["tool:db:query"], "parent_delegation_id": "$Q"}, "as": "R"},
        {"op": "init_delegation_session", "args": {"delegation_id": "$R"}, "as": "SD"},
        check("D", "SD", "db:query", ALLOW),
        adv(5),
        {"op": "revoke_delegation", "args": {"delegation_id": "$Q", "reason": "incident"}},
        {"op": "get_delegation", "args": {"delegation_id": "$P"}, "expect": {"revoked_at": None}},
        {"op": "get_delegation", "args": {"delegation_id": "$R"}, "expect": {"revoked_at": 1767225605000}},
        check("D", "SD", "db:query", {"allowed": False, "code": "DELEGATION_REVOKED"}),
        {"op": "revoke_delegation", "args": {"delegation_id": "$Q", "reason": "again"}},
    ]},
    {"name": "revocation_agent_closes_sessions_and_tokens", "steps": [
        agent("A", ["tool:*"]), session("S", "A"),
        {"op": "issue_token", "args": {"agent_id": "$A", "scopes": ["tool:web_search"], "ttl_seconds": 300}, "as": "TK"},
        check("A", "S", "web_search", ALLOW),
        {"op": "revoke_agent", "args": {"agent_id": "$A", "reason": "compromised"}, "expect": {"status": "revoked"}},
        check("A", "S", "web_search", {"allowed": False}),
        {"op": "get_session", "args": {"session_id": "$S"}},
        {"op": "introspect_token", "args": {"token": "$TK.token"}, "expect": {"active": False}},
        {"op": "list_agents", "args": {"status": "revoked"}},
    ]},
    {"name": "revocation_token_then_token_session", "steps": [
        agent("A", ["tool:db:*"]),
        {"op": "issue_token", "args": {"agent_id": "$A", "scopes": ["tool:db:query"], "ttl_seconds": 600}, "as": "TK"},
        {"op": "init_token_session", "args": {"token": "$TK"}, "as": "TS"},
        check("A", "TS", "db:query", ALLOW),
        {"op": "revoke_token", "args": {"token": "$TK.token"}},
        check("A", "TS", "db:query", {"allowed": False}),
        {"op": "introspect_token", "args": {"token": "$TK.token"}, "expect": {"active": False}},
        {"op": "init_token_session", "args": {"token": "$TK.token"}, "expect": {"error": "<non-null>"}},
    ]},
    {"name": "revocation_delegator_blocks_chain", "steps": [
        agent("A", ["tool:db:*"]), agent("B", []),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:db:query"]}, "as": "P"},
        {"op": "init_delegation_session", "args": {"delegation_id": "$P"}, "as": "SB"},
        check("B", "SB", "db:query", ALLOW),
        {"op": "revoke_agent", "args": {"agent_id": "$A"}},
        check("B", "SB", "db:query", {"allowed": False}),
        {"op": "create_delegation", "args": {"from_agent_id": "$A", "to_agent_id": "$B", "scopes": ["tool:db:query"]}, "expect": {"error": "<non-null>"}},
    ]},
]

guard = [
    {"name": "guard_fail_open_read_on_network_error", "steps": [
        agent("A", ["tool:*"]), session("S", "A"),
        {"op": "new_guard", "args": {"agent_id": "$A", "session_id": "$S", "fail_open": True}, "as": "G"},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search"}, "fault": "network_error", "expect": {"allowed": True, "reason": "fail_open", "source": "fail_open"}},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search"}, "fault": "http_503", "expect": {"allowed": True, "reason": "fail_open"}},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "write_file"}, "fault": "timeout", "expect": {"error": "GUARDIAN_UNAVAILABLE"}},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search"}, "fault": "http_403", "expect": {"error": "AUTH_DENIED"}},
        {"op": "guard_stats", "args": {"guard": "$G"}},
        {"op": "guard_flush", "args": {"guard": "$G"}},
        {"op": "query_audit", "args": {"kind": "decision.fail_open"}},
    ]},
    {"name": "guard_fail_closed_by_default", "steps": [
        agent("A", ["tool:*"]), session("S", "A"),
        {"op": "new_guard", "args": {"agent_id": "$A", "session_id": "$S"}, "as": "G"},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search"}, "fault": "network_error", "expect": {"error": "GUARDIAN_UNAVAILABLE"}},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search"}, "fault": "http_500", "expect": {"error": "<non-null>"}},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search"}, "expect": {**ALLOW}},
    ]},
    {"name": "guard_non_blocking_returns_denials", "steps": [
        agent("A", ["tool:web_search"]), session("S", "A"),
        {"op": "new_guard", "args": {"agent_id": "$A", "session_id": "$S", "block_on_deny": False}, "as": "G"},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "db:drop"}, "expect": {"allowed": False, "code": "ACTION_DENIED"}},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search", "input_summary": "weather in Paris"}, "expect": ALLOW},
        {"op": "guard_report", "args": {"guard": "$G", "tool": "web_search", "success": True, "duration_ms": 12}},
        {"op": "guard_report", "args": {"guard": "$G", "tool": "web_search", "success": False, "duration_ms": 3, "error_type": "TimeoutError"}},
        {"op": "guard_report", "args": {"guard": "$G", "tool": "bad tool!", "success": True, "duration_ms": 1}},
        {"op": "guard_stats", "args": {"guard": "$G"}, "expect": {"buffered": 2, "invalid": 1}},
        {"op": "guard_close", "args": {"guard": "$G"}},
        {"op": "guard_stats", "args": {"guard": "$G"}, "expect": {"buffered": 0, "sent": 2}},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "web_search"}, "expect": {"error": "<non-null>"}},
    ]},
    {"name": "guard_auto_session_and_rate_limit", "steps": [
        agent("A", ["tool:*"], rate={"tool:search:*": "1/minute"}),
        {"op": "new_guard", "args": {"agent_id": "$A"}, "as": "G"},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "search:web"}, "expect": ALLOW},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "search:web"}, "expect": {"error": "RATE_LIMITED", "decision": {"retry_after_ms": 60000}}},
        adv(60),
        {"op": "guard_check", "args": {"guard": "$G", "tool": "search:web"}, "expect": ALLOW},
    ]},
]

monitoring = [
    {"name": "monitoring_reports_without_enforcing", "steps": [
        agent("A", ["tool:web_search"], enforcement="monitoring"), session("S", "A", "supervised"),
        check("A", "S", "db:drop", {"allowed": False, "enforced": False}),
        check("A", "S", "delete_file", {"allowed": False, "enforced": False, "approval_id": None}),
        check("A", "S", "web_search", {"allowed": True, "enforced": False}),
        {"op": "list_approvals", "args": {"status": "pending"}},
    ]},
    {"name": "monitoring_switch_and_back", "steps": [
        agent("A", ["tool:web_search"]), session("S", "A"),
        check("A", "S", "db:drop", {"allowed": False, "enforced": True}),
        {"op": "set_enforcement", "args": {"agent_id": "$A", "enforcement": "monitoring"}},
        check("A", "S", "db:drop", {"allowed": False, "enforced": False}),
        {"op": "set_enforcement", "args": {"agent_id": "$A", "enforcement": "strict"}},
        check("A", "S", "db:drop", {"allowed": False, "enforced": True}),
    ]},
    {"name": "monitoring_strict_env_ratchet", "engine": {"env": {"WARDEN_STRICT_MODE": "true"}}, "steps": [
        agent("A", ["tool:web_search"], enforcement="monitoring"), session("S", "A"),
        check("A", "S", "db:drop", {"allowed": False, "enforced": True}),
        {"op": "new_guard", "args": {"agent_id": "$A", "session_id": "$S"}, "as": "G"},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "db:drop"}, "expect": {"error": "ACTION_DENIED"}},
    ]},
    {"name": "monitoring_guard_proceeds", "steps": [
        agent("A", ["tool:web_search"], enforcement="monitoring"), session("S", "A"),
        {"op": "new_guard", "args": {"agent_id": "$A", "session_id": "$S"}, "as": "G"},
        {"op": "guard_check", "args": {"guard": "$G", "tool": "db:drop"}, "expect": {"allowed": False, "enforced": False}},
    ]},
]

lifecycle = [
    {"name": "lifecycle_agent_crud_and_validation", "steps": [
        agent("A", ["tool:*"], workspace="acme", framework="langgraph", metadata={"team": "ops", "n": "3"}),
        {"op": "get_agent", "args": {"agent_id": "$A"}, "expect": {"workspace": "acme", "status": "active"}},
        {"op": "create_agent", "args": {"name": "", "capabilities": []}, "expect": {"error": "VALIDATION_ERROR"}},
        {"op": "create_agent", "args": {"name": "x", "capabilities": ["not a scope"]}, "expect": {"error": "<non-null>"}},
        {"op": "create_agent", "args": {"name": "x", "workspace": "Bad WS"}, "expect": {"error": "VALIDATION_ERROR"}},
        {"op": "get_agent", "args": {"agent_id": "agt_01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "expect": {"error": "<non-null>"}},
        {"op": "list_agents", "args": {"workspace": "acme"}},
        {"op": "list_agents", "args": {"workspace": "default"}},
        {"op": "no_such_op", "args": {}, "expect": {"error": "VALIDATION_ERROR"}},
    ]},
    {"name": "lifecycle_tokens_issue_introspect", "steps": [
        agent("A", ["tool:db:*", "tool:web_search"]),
        {"op": "issue_token", "args": {"agent_id": "$A", "scopes": ["tool:db:query"], "ttl_seconds": 120}, "as": "TK"},
        {"op": "introspect_token", "args": {"token": "$TK.token", "required_scopes": ["tool:db:query"]}, "expect": {"active": True}},
        {"op": "issue_token", "args": {"agent_id": "$A", "scopes": ["tool:admin:*"]}, "expect": {"error": "<non-null>"}},
        adv(121),
        {"op": "introspect_token", "args": {"token": "$TK.token"}, "expect": {"active": False}},
        {"op": "introspect_token", "args": {"token": "not-a-token"}},
    ]},
    {"name": "lifecycle_audit_chain_and_export", "steps": [
        agent("A", ["tool:*"]), session("S", "A"),
        check("A", "S", "web_search", ALLOW),
        check("A", "S", "db:drop", {"allowed": True}),
        {"op": "close_session", "args": {"session_id": "$S"}},
        check("A", "S", "web_search", {"allowed": False}),
        {"op": "query_audit", "args": {"agent_id": "$A", "limit": 3}},
        {"op": "verify_chain", "args": {}, "expect": {"ok": True}},
        {"op": "export_audit", "args": {"since_seq": 2}},
    ]},
    {"name": "lifecycle_telemetry_and_sessions", "steps": [
        agent("A", ["tool:*"]), session("S", "A", "restricted", scope_ceiling=["tool:fs:*"], ttl_seconds=60),
        check("A", "S", "fs:read", ALLOW),
        check("A", "S", "net:get", {"allowed": False}),
        {"op": "record_telemetry", "args": {"agent_id": "$A", "session_id": "$S", "events": [{"event_type": "tool_end", "tool": "fs:read", "success": True, "duration_ms": 4}]}, "expect": {"accepted": 1}},
        adv(61),
        check("A", "S", "fs:read", {"allowed": False}),
        {"op": "get_session", "args": {"session_id": "$S"}},
    ]},
]

FILES = {
    "elevation": elevation,
    "delegation": delegation,
    "revocation": revocation,
    "guard": guard,
    "monitoring": monitoring,
    "lifecycle": lifecycle,
}

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "warden_engine.json"

if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    n = 0
    every = []
    for stem, cases in FILES.items():
        doc = {"suite": "parity", "version": 1, "clock": CLOCK, "format": FORMAT, "cases": cases}
        (OUT / f"{stem}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=True) + "\n")
        n += len(cases)
        every += [{**c, "name": f"{stem}.{c['name']}"} for c in cases]
    # The same cases as Warden's own generated engine vectors: every SDK's vector runner replays
    # them by name (engine shape), besides the parity runs that compare whole transcripts.
    vec = {"suite": "warden_engine", "version": 1, "clock": CLOCK,
           "format": FORMAT.replace("parity scenarios", "Warden engine vectors (generated by tests/parity/tools/make_scenarios.py)"),
           "cases": every}
    VECTORS.write_text(json.dumps(vec, indent=1, ensure_ascii=True) + "\n")
    print(f"wrote {n} scenarios in {len(FILES)} files to {OUT}, and {VECTORS.name}")
