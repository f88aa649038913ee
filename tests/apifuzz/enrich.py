#!/usr/bin/env python3
"""Typed copy of the gateway's OpenAPI document, for a deeper schemathesis pass.

The served /openapi.json declares every POST body as a bare `{"type": "object"}`, so generated
bodies are mostly refused at argument parsing (unknown argument) and never reach the engine.
This writes a copy whose request bodies list the arguments of SEMANTICS-engine.md (closed
objects, enums for modes/effects/roles) and whose id parameters/fields prefer ids of objects
that exist on the gateway under test (mixed with arbitrary strings), so that the fuzzer gets
past validation into the engine. The API itself is unchanged: this is only test input.

    enrich.py IN.json OUT.json IDS.json      (IDS: {"agent_id": [...], "session_id": [...], ...})
"""

import json
import sys

STR = {"type": "string"}
INT = {"type": "integer"}
MODE = {"enum": ["open", "restricted", "supervised"]}
EFFECT = {"enum": ["read", "mutating", "destructive", "admin"]}
PATTERNS = {"type": "array", "items": {"anyOf": [{"enum": ["tool:*", "tool:read_*", "*",
                                                           "tool:db:*", "help"]}, STR]},
            "maxItems": 5}
TOOL = {"anyOf": [{"enum": ["read_file", "delete_records", "getAdminToken", "db:query",
                            "kill9", "a" * 129, "bad::tool"]}, STR]}


def ids(known, key):
    vals = known.get(key) or []
    return {"anyOf": [{"enum": vals}, STR]} if vals else STR


def body(props):
    return {"type": "object", "properties": props, "additionalProperties": False}


def main():
    src, dst, ids_path = sys.argv[1:4]
    doc = json.load(open(src))
    known = json.load(open(ids_path))
    A, S = ids(known, "agent_id"), ids(known, "session_id")
    D, P = ids(known, "delegation_id"), ids(known, "approval_id")
    T = ids(known, "token")
    WS = {"anyOf": [{"enum": ["default", "other-ws"]}, STR]}
    bodies = {
        "create_agent": {"name": STR, "workspace": WS, "framework": STR,
                         "capabilities": PATTERNS,
                         "metadata": {"type": "object", "additionalProperties": STR,
                                      "maxProperties": 4},
                         "rate": {"type": "object", "additionalProperties":
                                  {"anyOf": [{"enum": ["10/minute", "0/s", "5/second"]}, STR]},
                                  "maxProperties": 3},
                         "enforcement": {"anyOf": [{"enum": ["strict", "monitoring"]}, STR]},
                         "public_key": STR},
        "set_enforcement": {"enforcement": {"anyOf": [{"enum": ["strict", "monitoring"]}, STR]}},
        "revoke_agent": {"reason": STR},
        "issue_token": {"agent_id": A, "scopes": PATTERNS, "ttl_seconds": INT},
        "introspect_token": {"token": T},
        "revoke_token": {"token": T},
        "init_session": {"agent_id": A, "server_id": STR, "mode": MODE,
                         "scope_ceiling": {"anyOf": [PATTERNS, {"type": "null"}]},
                         "ttl_seconds": INT},
        "init_token_session": {"token": T, "server_id": STR, "mode": MODE, "ttl_seconds": INT},
        "init_delegation_session": {"delegation_id": D, "server_id": STR, "mode": MODE,
                                    "ttl_seconds": INT},
        "check": {"agent_id": A, "session_id": S, "tool": TOOL, "input_summary": STR,
                  "effect": {"anyOf": [EFFECT, STR, {"type": "null"}]}},
        "set_policy": {"workspace": WS, "rules": {"type": "array", "maxItems": 4, "items": body({
            "rule_id": STR, "match": {"anyOf": [{"enum": ["*", "tool:*", "tool:delete_*"]}, STR]},
            "effects": {"type": "array", "items": EFFECT, "maxItems": 4},
            "action": {"anyOf": [{"enum": ["deny", "require_elevation"]}, STR]},
            "modes": {"type": "array", "items": MODE, "maxItems": 3}})}},
        "approve": {"decided_by": STR, "note": STR},
        "deny": {"decided_by": STR, "note": STR},
        "create_delegation": {"from_agent_id": A, "to_agent_id": A, "scopes": PATTERNS,
                              "ttl_seconds": INT, "parent_delegation_id": D,
                              "restrictions": {"anyOf": [{"type": "null"}, body({
                                  "effect_ceiling": EFFECT,
                                  "rate": {"type": "object", "additionalProperties": STR,
                                           "maxProperties": 2}})]}},
        "revoke_delegation": {"reason": STR},
        "delegation_token": {"ttl_seconds": INT},
        "record_telemetry": {"agent_id": A, "events": {"type": "array", "maxItems": 3,
                                                       "items": {"type": "object"}}},
        "close_session": {},
    }
    path_ids = {"agent_id": A, "session_id": S, "delegation_id": D, "approval_id": P}
    query_ids = {"agent_id": A, "session_id": S, "workspace": WS}
    n_body = n_param = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            for prm in op.get("parameters", []):
                table = path_ids if prm.get("in") == "path" else query_ids
                if prm.get("name") in table:
                    base = table[prm["name"]]
                    prm["schema"] = (dict(base, minLength=1) if base is STR
                                     else {"anyOf": [base["anyOf"][0],
                                                     {"type": "string", "minLength": 1}]})
                    n_param += 1
            props = bodies.get(op.get("operationId"))
            if props is not None and "requestBody" in op:
                # Path arguments must not be repeated in the body (the gateway refuses that).
                in_path = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
                props = {k: v for k, v in props.items() if k not in in_path}
                op["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": body(props)}}}
                n_body += 1
    json.dump(doc, open(dst, "w"), indent=1)
    print("enrich: %d request bodies typed, %d id parameters seeded" % (n_body, n_param),
          file=sys.stderr)


if __name__ == "__main__":
    main()
