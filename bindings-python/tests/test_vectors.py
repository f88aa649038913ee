"""Runs every case of every file in ``tests/vectors/`` by name, as ``core/tests/vectors.rs`` and
``core/tests/engine_vectors.rs`` do.

Test ids are ``file::section::case`` for the token-shaped files and ``file::case`` for every
engine-shaped file (top-level ``suite`` and ``clock``, whatever its name; replayed by
``tests/parity/python/replay.py`` through the public API). A file without a runner here FAILS (it
is never skipped).
Values are compared type-strictly and errors by ``code`` (plus ``reason`` when a case gives one),
never by message text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

import warden
from warden import Claims, Key, KeySet, Orchestrator, RateSpec, ScopeSet, Verifier, WardenError

import replay
from conftest import VECTORS_DIR

STANDARD = ["sub", "aud", "iat", "exp", "nbf", "jti", "iss", "scope", "ati"]


def strict(v: Any) -> Any:
    """A JSON value with its Python type made part of equality (True != 1, 1 != 1.0)."""
    if isinstance(v, dict):
        return ("obj", frozenset((k, strict(x)) for k, x in v.items()), len(v))
    if isinstance(v, list):
        return ("arr", tuple(strict(x) for x in v))
    return (type(v).__name__, v)


def exposed_claims(c: Claims) -> dict[str, Any]:
    """The claims seen through the accessors plus the extra-claims map (never ``to_dict``)."""
    out: dict[str, Any] = {}
    for name in STANDARD:
        v = getattr(c, name)
        if v is not None:
            out[name] = v
    for k, v in c.extra.items():
        assert k not in out
        out[k] = v
    return out


def check_claims(c: Claims, want: dict[str, Any]) -> None:
    got = exposed_claims(c)
    assert strict(got) == strict(want), f"claims differ:\n got  {got!r}\n want {want!r}"


def expect_error(fn: Callable[[], Any], expect: dict[str, Any]) -> None:
    try:
        got = fn()
    except WardenError as e:
        assert e.code == expect["error"], f"expected {expect['error']}, got {e.code}: {e}"
        assert type(e).code == e.code
        if "reason" in expect:
            assert e.reason == expect["reason"], f"expected reason {expect['reason']}, got {e.reason}: {e}"
        return
    raise AssertionError(f"expected {expect['error']}, got success {got!r}")


# ---- ati_interop.json -------------------------------------------------------------------------


def ati_validate(case: dict[str, Any], profile: dict[str, Any]) -> Claims:
    secret, token, now = case["secret_hex"], case["token"], case.get("now")
    kwargs = dict(audience=profile["audience"], issuer=profile.get("issuer"), leeway=profile["leeway_seconds"], now=now)

    def via_verifier() -> Claims:
        v = Verifier(
            Key.hs256_hex(secret),
            algorithms=profile["algorithms"],
            audience=profile["audience"],
            issuer=profile.get("issuer"),
            leeway_seconds=profile["leeway_seconds"],
            max_lifetime_seconds=profile["max_lifetime_seconds"],
            now=now,
        )
        return v.verify(token)

    def outcome(f: Callable[[], Claims]) -> Any:
        try:
            return ("ok", f().to_dict())
        except WardenError as e:
            return ("err", e.code)

    a, b = outcome(via_verifier), outcome(lambda: warden.validate_token(token, secret, **kwargs))
    assert a == b, f"Verifier and validate_token disagree: {a} vs {b}"
    return warden.validate_token(token, secret, **kwargs)


def ati_issue(case: dict[str, Any], defaults: dict[str, Any]) -> str:
    args = dict(defaults)
    args.update(case["issue_args"])
    return warden.issue_token(secret=case["secret_hex"], now=case["issue_now"], **args)


def run_ati(section: str, case: dict[str, Any], root: dict[str, Any]) -> None:
    profile, defaults = root["profile"], root["issue_defaults"]
    if section == "accept":
        claims = ati_validate(case, profile)
        check_claims(claims, case["expect"]["claims"])
        if case.get("reissue_identical") is True:
            tok = ati_issue(case, defaults)
            assert tok == case["token"], f"re-issued token differs:\n got  {tok}\n want {case['token']}"
        return
    assert section == "reject", section
    stage = case["stage"]
    if stage == "validate":
        expect_error(lambda: ati_validate(case, profile), case["expect"])
    elif stage == "issue":
        expect_error(lambda: ati_issue(case, defaults), case["expect"])
    else:
        raise AssertionError(f"unknown stage {stage}")


# ---- scopes.json ------------------------------------------------------------------------------


def run_scopes(section: str, case: dict[str, Any], root: dict[str, Any]) -> None:
    expect = case["expect"]
    if section == "parse":
        inp = case["input"]
        if expect.get("valid") is True:
            assert warden.parse_scopes(inp) == expect["tokens"]
            assert warden.is_valid_scope(inp) is True
        else:
            assert warden.is_valid_scope(inp) is False
            expect_error(lambda: warden.parse_scopes(inp), {"error": "INVALID_SCOPE"})
    elif section == "match":
        granted, required = case["granted"], case["required"]
        a = warden.check_scope(required, granted)
        b = ScopeSet(granted).allows(required)
        assert a is expect and b is expect, f"check_scope={a} ScopeSet.allows={b}, want {expect}"
    elif section == "covers":
        parent, child = case["parent"], case["child"]
        got = all(warden.covers(parent, c) for c in child)
        s = ScopeSet(parent)
        got2 = all(s.covers(c) for c in child)
        assert got is expect and got2 is expect, f"covers={got}/{got2}, want {expect}"
    elif section == "build_scope_string":
        kwargs = case["args"]
        if "scope" in expect:
            assert warden.build_scope_string(**kwargs) == expect["scope"]
        else:
            expect_error(lambda: warden.build_scope_string(**kwargs), expect)
    elif section == "rate_specs":
        if expect.get("valid") is True:
            r = RateSpec.parse(case["input"])
            assert (r.count, r.window_seconds) == (expect["count"], expect["window_seconds"])
        else:
            expect_error(lambda: RateSpec.parse(case["input"]), {"error": "INVALID_RATE_SPEC"})
    else:
        raise AssertionError(f"no runner for section {section}")


# ---- warden_tokens.json -----------------------------------------------------------------------


def key_from_spec(name: str, keys: dict[str, Any], public_only: bool) -> Key:
    k = Key.from_jwk(json.dumps(keys[name]))
    return k.public_key() if public_only else k


def keyset_for(case: dict[str, Any], keys: dict[str, Any]) -> KeySet:
    if "jwks" in case:
        return KeySet.from_jwks(case["jwks"])
    return KeySet([key_from_spec(n, keys, True) for n in case["keys"]])


def run_warden(section: str, case: dict[str, Any], root: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = root["keys"]
    expect = case["expect"]
    if section == "verify":
        def run() -> Claims:
            return Verifier(keyset_for(case, keys), **case["options"]).verify(case["token"])
        if "claims" in expect:
            check_claims(run(), expect["claims"])
        else:
            expect_error(run, expect)
    elif section == "inspect":
        if "claims" in expect:
            check_claims(warden.inspect_token(case["token"]), expect["claims"])
        else:
            expect_error(lambda: warden.inspect_token(case["token"]), expect)
    elif section == "issue":
        def issue() -> str:
            return warden.issue_token(key_from_spec(case["key"], keys, False), case["claims"], now=case.get("now"))
        if "token" in expect:
            assert issue() == expect["token"]
        else:
            expect_error(issue, expect)
    elif section == "keys_ops":
        inp, kid, op = case["input"], case.get("kid"), case["op"]
        ops: dict[str, Callable[[], Key]] = {
            "hs256_hex": lambda: Key.hs256_hex(inp, kid),
            "from_jwk": lambda: Key.from_jwk(inp),
            "from_pem": lambda: Key.from_pem(inp, kid),
            "from_jwks": lambda: KeySet.from_jwks(inp).keys()[0],
        }
        assert op in ops, f"unknown key op {op}"
        if "alg" in expect:
            k = ops[op]()
            assert k.alg == expect["alg"] and k.kid == expect.get("kid"), repr(k)
            if "public_jwk" in expect:
                assert strict(json.loads(k.public_jwk())) == strict(expect["public_jwk"])
        else:
            expect_error(ops[op], expect)
    elif section == "provision":
        a = dict(case["args"])
        agent_id = a.pop("agent_id")

        def provision() -> dict[str, str]:
            orch = Orchestrator(case["proxy_url"], case["secret_hex"])
            return orch.provision_sandbox(agent_id, **a, now=case.get("now"), jti=case.get("jti"))
        if "env" in expect:
            assert provision() == expect["env"]
        else:
            expect_error(provision, expect)
    elif section == "session_token_from_env":
        assert not os.path.exists("/run/ati/session_token"), "the fallback file must not exist on the test machine"
        var = case["var"]
        for name in list(os.environ):
            if name in (var, f"{var}_FILE") or name in case.get("env", {}):
                monkeypatch.delenv(name, raising=False)
        for k, v in case.get("env", {}).items():
            monkeypatch.setenv(k, v)
        if "file_content" in case:
            p = tmp_path / "token"
            p.write_text(case["file_content"])
            monkeypatch.setenv(f"{var}_FILE", str(p))
        if "token" in expect:
            assert warden.session_token_from_env(var) == expect["token"]
        else:
            expect_error(lambda: warden.session_token_from_env(var), expect)
    else:
        raise AssertionError(f"no runner for section {section}")


# ---- collection -------------------------------------------------------------------------------

SECTIONS = {
    "ati_interop.json": ["accept", "reject"],
    "scopes.json": ["parse", "match", "covers", "build_scope_string", "rate_specs"],
}


ENGINE = "<engine>"


def collect() -> list[Any]:
    params: list[Any] = []
    files = sorted(VECTORS_DIR.glob("*.json"))
    assert files, f"no vector files in {VECTORS_DIR}"
    for path in files:
        root = json.loads(path.read_text(encoding="utf-8"))
        name = path.name
        if replay.is_engine_shaped(root):
            cases = root.get("cases")
            assert isinstance(cases, list) and cases, f"{name}: an engine-shaped file needs cases"
            for case in cases:
                params.append(pytest.param(name, ENGINE, case, root, id=f"{name}::{case['name']}"))
            continue
        if name in SECTIONS:
            sections = SECTIONS[name]
        elif name == "warden_tokens.json":
            sections = [k for k, v in root.items() if isinstance(v, list) and k != "notes"]
        else:
            params.append(pytest.param(name, "runner", None, root, id=f"{name}::runner"))
            continue
        for sec in sections:
            for case in root[sec]:
                params.append(pytest.param(name, sec, case, root, id=f"{name}::{sec}::{case['name']}"))
    return params


@pytest.mark.parametrize(("file", "section", "case", "root"), collect())
def test_vector(file: str, section: str, case: Any, root: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if section == ENGINE:
        failures = replay.run_case(case, root["clock"])
        assert not failures, "\n".join(failures)
    elif file == "ati_interop.json":
        run_ati(section, case, root)
    elif file == "scopes.json":
        run_scopes(section, case, root)
    elif file == "warden_tokens.json":
        run_warden(section, case, root, tmp_path, monkeypatch)
    else:
        pytest.fail(f"no Python runner for {file}")


def test_a_file_without_runner_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vector file this runner does not know becomes a failing case, never a skip."""
    import test_vectors as tv

    (tmp_path / "unknown_suite.json").write_text('{"cases": []}')
    monkeypatch.setattr(tv, "VECTORS_DIR", tmp_path)
    params = tv.collect()
    assert [p.id for p in params] == ["unknown_suite.json::runner"]
    with pytest.raises(pytest.fail.Exception):
        tv.test_vector(*params[0].values, tmp_path=tmp_path, monkeypatch=monkeypatch)


def test_any_engine_shaped_file_runs_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine-shaped file with a name this module has never seen is replayed case by case, and
    a wrong expectation in it fails."""
    import test_vectors as tv

    doc = {
        "suite": "made_up",
        "version": 1,
        "clock": 1_780_000_000,
        "format": "engine",
        "cases": [
            {
                "name": "agent_then_check",
                "steps": [
                    {"op": "create_agent", "args": {"name": "a", "capabilities": ["tool:web_search"]}, "as": "A"},
                    {"op": "init_session", "args": {"agent_id": "$A", "server_id": "s", "mode": "open"}, "as": "S"},
                    {"op": "check", "args": {"agent_id": "$A", "session_id": "$S", "tool": "web_search"},
                     "expect": {"allowed": True, "agent_id": "$A", "decided_at": 1_780_000_000_000}},
                ],
            },
            {"name": "pure_wrong", "tool": "get_user", "expect": {"effect": "admin"}},
            {"name": "step_wrong", "steps": [{"op": "create_agent", "args": {"name": "a"}, "expect": {"error": "NOT_FOUND"}}]},
        ],
    }
    (tmp_path / "brand_new_suite.json").write_text(json.dumps(doc))
    monkeypatch.setattr(tv, "VECTORS_DIR", tmp_path)
    params = tv.collect()
    assert [p.id for p in params] == [
        "brand_new_suite.json::agent_then_check",
        "brand_new_suite.json::pure_wrong",
        "brand_new_suite.json::step_wrong",
    ]
    tv.test_vector(*params[0].values, tmp_path=tmp_path, monkeypatch=monkeypatch)
    for p in params[1:]:
        with pytest.raises(AssertionError):
            tv.test_vector(*p.values, tmp_path=tmp_path, monkeypatch=monkeypatch)


def test_dynamic_only_cases_are_validation_errors() -> None:
    root = json.loads((VECTORS_DIR / "ati_interop.json").read_text())
    dyn = [c for c in root["reject"] if c.get("dynamic_only")]
    assert dyn, "ati_interop.json has dynamic_only cases"
    for case in dyn:
        expect_error(lambda: ati_issue(case, root["issue_defaults"]), {"error": "VALIDATION_ERROR"})
