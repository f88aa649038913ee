"""Totality: every exported function answers random bytes/str/None/other inputs with a value or
a typed `WardenError` — never a crash, a `TypeError` or a `RecursionError`."""

from __future__ import annotations

import random
from typing import Any, Callable

import pytest

import warden
from warden import Claims, Key, KeySet, Orchestrator, RateSpec, ScopeSet, Verifier

SECRET = "ab" * 32
KEY = Key.hs256_hex(SECRET)
VERIFIER = Verifier(KEY, algorithms=["HS256"])
SCOPES = ScopeSet(["tool:*"])
ORCH = Orchestrator("https://p", SECRET)
CLAIMS = Claims({"sub": "a"})
VALID = warden.issue_token(SECRET, "a", "tool:a")
ENGINE = warden.Engine({"seed": 3}, clock_ms=1_780_000_000_000)
CLIENT = warden.Client.local(ENGINE)
AGENT = CLIENT.create_agent(name="t", capabilities=["tool:*"])["agent_id"]
GUARD = warden.Guard(CLIENT, AGENT, flush_timer=False)
DECISION = GUARD.check("web_search")
OPS = [
    "create_agent", "get_agent", "list_agents", "revoke_agent", "set_enforcement", "issue_token",
    "introspect_token", "revoke_token", "init_session", "init_token_session",
    "init_delegation_session", "get_session", "close_session", "check", "set_policy", "get_policy",
    "approve", "deny", "get_approval", "list_approvals", "wait_for_decision", "create_delegation",
    "revoke_delegation", "get_delegation", "list_delegations", "delegation_token", "query_audit",
    "verify_chain", "export_audit", "record_telemetry", "jwks", "no_such_op",
]
TYPED = [
    "create_agent", "get_agent", "revoke_agent", "issue_token", "introspect_token", "revoke_token",
    "init_session", "approve", "deny", "get_approval", "list_approvals", "create_delegation",
    "revoke_delegation", "delegation_token", "set_policy", "query_audit", "verify_chain", "export_audit",
]


def rand_str(r: random.Random) -> str:
    alphabet = "abz:*._-/ \t\n\x00é😀\ud800\udfff{}[]\"\\=+" + "".join(chr(r.randrange(0x10FFFF)) for _ in range(4))
    return "".join(r.choice(alphabet) for _ in range(r.randrange(0, 40)))


def rand_value(r: random.Random, depth: int = 0) -> Any:
    k = r.randrange(12)
    if k == 0:
        return None
    if k == 1:
        return r.randbytes(r.randrange(0, 40))
    if k == 2:
        return rand_str(r)
    if k == 3:
        return r.choice([0, -1, 1, 2**63, -(2**70), True, False])
    if k == 4:
        return r.choice([0.5, float("nan"), float("inf"), -0.0])
    if k == 5 and depth < 3:
        return [rand_value(r, depth + 1) for _ in range(r.randrange(4))]
    if k == 6 and depth < 3:
        return {rand_str(r): rand_value(r, depth + 1) for _ in range(r.randrange(4))}
    if k == 7:
        return object()
    if k == 8:
        return VALID[: r.randrange(len(VALID) + 1)] + rand_str(r)
    if k == 9:
        return r.choice(["tool:a", "*", "help", "10/hour", SECRET, "HS256", VALID])
    if k == 10:
        return r.choice([KEY, CLAIMS, SCOPES])
    return (rand_value(r, depth + 1),) if depth < 3 else 1


CALLS: dict[str, Callable[..., Any]] = {
    "issue_token/2": lambda a, b: warden.issue_token(a, b),
    "issue_token/3": lambda a, b, c: warden.issue_token(SECRET, a, b, ttl_seconds=c),
    "issue_token/kw": lambda a, b, c: warden.issue_token(SECRET, "a", "tool:a", aud=a, iss=b, jti=c),
    "issue_token/rate": lambda a, b: warden.issue_token(SECRET, "a", "tool:a", rate=a, now=b),
    "validate_token": lambda a, b: warden.validate_token(a, b),
    "validate_token/kw": lambda a, b, c: warden.validate_token(VALID, SECRET, audience=a, issuer=b, leeway=c),
    "inspect_token": lambda a: warden.inspect_token(a),
    "Verifier.verify": lambda a: VERIFIER.verify(a),
    "Verifier.revoke": lambda a: Verifier(KEY, algorithms=["HS256"]).revoke(a),
    "Verifier()": lambda a, b: Verifier(a, b),
    "Verifier(**)": lambda a, b, c: Verifier(KEY, algorithms=a, audience=b, now=c),
    "Claims()": lambda a: Claims(a),
    "Claims.get": lambda a: CLAIMS.get(a),
    "Claims.allows": lambda a: CLAIMS.allows(a),
    "Key.hs256_hex": lambda a, b: Key.hs256_hex(a, b),
    "Key.hs256_bytes": lambda a, b: Key.hs256_bytes(a, b),
    "Key.from_jwk": lambda a: Key.from_jwk(a),
    "Key.from_pem": lambda a, b: Key.from_pem(a, b),
    "Key.generate_ed25519": lambda a: Key.generate_ed25519(a),
    "Key.to_jwk": lambda a: KEY.to_jwk(a),
    "KeySet()": lambda a: KeySet(a),
    "KeySet.from_jwks": lambda a: KeySet.from_jwks(a),
    "KeySet.get": lambda a: KeySet([KEY]).get(a),
    "parse_scopes": lambda a: warden.parse_scopes(a),
    "is_valid_scope": lambda a: warden.is_valid_scope(a),
    "build_scope_string": lambda a, b, c: warden.build_scope_string(a, b, c),
    "check_scope": lambda a, b: warden.check_scope(a, b),
    "matches_wildcard": lambda a, b: warden.matches_wildcard(a, b),
    "covers": lambda a, b: warden.covers(a, b),
    "ScopeSet()": lambda a, b: ScopeSet(a, strict=b),
    "ScopeSet.allows": lambda a: SCOPES.allows(a),
    "ScopeSet.covers": lambda a: SCOPES.covers(a),
    "ScopeSet.from_claim": lambda a: ScopeSet.from_claim(a),
    "RateSpec.parse": lambda a: RateSpec.parse(a),
    "Orchestrator()": lambda a, b, c: Orchestrator(a, b, c),
    "provision_sandbox": lambda a, b, c: ORCH.provision_sandbox(a, tools=b, ttl_seconds=c),
    "provision_sandbox/rate": lambda a, b: ORCH.provision_sandbox("agent", rate=a, jti=b),
    "session_token_from_env": lambda a: warden.session_token_from_env(a),
    "Engine()": lambda a, b: warden.Engine(a, b),
    "Engine.advance": lambda a: warden.Engine(clock_ms=0).advance(a),
    "Engine.call": lambda a, b: ENGINE.call(a, b),
    "Engine.call/op": lambda a, b: ENGINE.call(OPS[len(repr(a)) % len(OPS)], b),
    "Client.local": lambda a: warden.Client.local(a),
    "Client.call": lambda a, b: CLIENT.call(a, b),
    "Client.call/op": lambda a, b: CLIENT.call(OPS[len(repr(a)) % len(OPS)], b),
    "Client.typed": lambda a, b: getattr(CLIENT, TYPED[len(repr(a)) % len(TYPED)])(b),
    "Client.typed/kw": lambda a, b, c: getattr(CLIENT, TYPED[len(repr(a)) % len(TYPED)])(agent_id=b, name=c),
    "Client.set_fault": lambda a: warden.Client.local(ENGINE).set_fault(a),
    "Client.check": lambda a, b, c: CLIENT.check(AGENT, a, b, c),
    "Guard()": lambda a, b, c: warden.Guard(a, b, session_id=c, flush_timer=False),
    "Guard(**)": lambda a, b, c: warden.Guard(CLIENT, AGENT, block_on_deny=a, default_effect=b, strict_mode=c, flush_timer=False),
    "Guard.check": lambda a, b, c: GUARD.check(a, b, c),
    "Guard.report": lambda a, b, c: GUARD.report(a, b, c),
    "Guard.protect": lambda a, b: GUARD.protect(a, b)(lambda: None),
    "resolve_effect": lambda a, b: warden.resolve_effect(a, b),
    "tool_words": lambda a: warden.tool_words(a),
    "summarize_input": lambda a, b: warden.summarize_input(a, b),
    "verify_audit_export": lambda a: warden.verify_audit_export(a),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_random_inputs_never_crash(name: str) -> None:
    fn = CALLS[name]
    nargs = fn.__code__.co_argcount
    r = random.Random(f"warden-{name}")
    outcomes = {"ok": 0, "err": 0}
    for _ in range(300):
        args = [rand_value(r) for _ in range(nargs)]
        try:
            fn(*args)
            outcomes["ok"] += 1
        except warden.WardenError as e:
            assert e.code in warden.error_codes()
            assert type(e).code == e.code
            outcomes["err"] += 1
    assert sum(outcomes.values()) == 300


def test_deep_and_cyclic_values_are_validation_errors() -> None:
    deep: Any = []
    for _ in range(10_000):
        deep = [deep]
    cyc: list[Any] = []
    cyc.append(cyc)
    d: dict[str, Any] = {}
    d["self"] = d
    for bad in (deep, cyc):
        with pytest.raises(warden.ValidationError):
            Claims({"sub": "a", "x": bad})
    with pytest.raises(warden.ValidationError):
        Claims(d)


def test_huge_and_odd_strings() -> None:
    for t in ("a" * 10_000_000, "\x00" * 100, "a.b.c" * 2000, "\ud800.\udc00.x", ""):
        with pytest.raises(warden.InvalidTokenError):
            VERIFIER.verify(t)
    assert not SCOPES.allows("tool:a\x00")
    with pytest.raises(warden.ValidationError):
        SCOPES.allows("tool:\ud800")
