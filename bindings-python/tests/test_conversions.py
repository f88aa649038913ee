"""Glue tests: Python ↔ core JSON conversions, the native Claims object, argument forms."""

from __future__ import annotations

import json

import pytest

import warden
from warden import Claims, Key, KeySet, Orchestrator, ScopeSet, Verifier

SECRET = "d12302c0927c6a9e2e57ade41a49c4af9f49d0ca8dec03c98d94603ceebe6a4a"
NOW = 1_780_000_000


def roundtrip(extra: dict) -> Claims:  # type: ignore[type-arg]
    key = Key.hs256_hex(SECRET)
    claims = {"sub": "agent-1", "aud": "ati-proxy", "exp": NOW + 60, "scope": "tool:a", "jti": "j", **extra}
    tok = warden.issue_token(key, claims, now=NOW)
    return Verifier(key, algorithms=["HS256"], now=NOW).verify(tok)


def test_types_roundtrip_exactly() -> None:
    extra = {
        "flag": True,
        "off": False,
        "one": 1,
        "neg": -7,
        "big": 123456789012345678901234567890,
        "negbig": -(2**80),
        "quarter": 0.25,
        "float_int": 1780003600.0,
        "none": None,
        "text": "é😀\u0000/<>&\"\\",
        "nested": {"list": [1, "x", [True, None]], "obj": {"b": 2, "a": 1}},
        "tuple": (1, 2),
    }
    c = roundtrip(extra)
    got = c.extra
    assert got["flag"] is True and got["off"] is False
    assert type(got["one"]) is int and got["one"] == 1
    assert got["big"] == 123456789012345678901234567890 and type(got["big"]) is int
    assert got["negbig"] == -(2**80)
    assert type(got["quarter"]) is float and got["quarter"] == 0.25
    assert type(got["float_int"]) is float and got["float_int"] == 1780003600.0
    assert got["none"] is None
    assert got["text"] == extra["text"]
    assert got["nested"] == extra["nested"]
    assert list(got["nested"]["obj"]) == ["b", "a"]  # member order kept
    assert got["tuple"] == [1, 2]


def test_bool_is_not_an_int() -> None:
    with pytest.raises(warden.ValidationError):
        warden.issue_token(SECRET, "a", "tool:a", ttl_seconds=True)
    with pytest.raises(warden.ValidationError):
        Verifier(Key.hs256_hex(SECRET), algorithms=["HS256"], leeway_seconds=True)


def test_claims_object() -> None:
    tok = warden.issue_token(SECRET, "agent-7", "tool:a tool:b:*", now=NOW, jti="j1", rate={"tool:b:*": "10/hour"})
    c = warden.validate_token(tok, SECRET, now=NOW)
    assert (c.sub, c.aud, c.audience, c.iat, c.exp, c.jti, c.iss, c.scope) == (
        "agent-7", "ati-proxy", "ati-proxy", NOW, NOW + 3600, "j1", "ati-orchestrator", "tool:a tool:b:*",
    )
    assert c.nbf is None
    assert c.ati == {"v": 1, "rate": {"tool:b:*": "10/hour"}}
    assert c.scopes() == ["tool:a", "tool:b:*"]
    rl = c.rate_limits()
    assert list(rl) == ["tool:b:*"] and rl["tool:b:*"].count == 10 and rl["tool:b:*"].window_seconds == 3600
    assert rl["tool:b:*"] == warden.RateSpec.parse("10/h")
    assert c.allows("tool:b:x") and not c.allows("tool:c")
    assert c.keys() == ["sub", "aud", "iat", "exp", "scope", "iss", "jti", "ati"]
    assert len(c) == 8 and "sub" in c and "nope" not in c and 3 not in c
    assert c["sub"] == "agent-7" and c.get("nope") is None and c.get("nope", 5) == 5
    with pytest.raises(KeyError):
        c["nope"]
    d = c.to_dict()
    assert d == json.loads(c.to_json()) and list(d) == c.keys()
    assert Claims(d) == c and c != d
    assert repr(c).startswith("Claims(")
    assert c.extra == {}


def test_claims_constructor_rejects_non_objects() -> None:
    for bad in ([], "x", 1, None, {"a": object()}, {1: 2}):
        with pytest.raises(warden.ValidationError):
            Claims(bad)  # type: ignore[arg-type]


def test_token_as_bytes_and_surrogates() -> None:
    tok = warden.issue_token(SECRET, "a", "tool:a", now=NOW)
    v = Verifier(Key.hs256_hex(SECRET), {"algorithms": ["HS256"], "now": NOW})
    assert v.verify(tok.encode()).sub == "a"
    with pytest.raises(warden.InvalidTokenError):
        v.verify(tok + "\ud800")
    with pytest.raises(warden.ValidationError):
        v.verify(None)  # type: ignore[arg-type]


def test_verifier_options_dict_and_kwargs() -> None:
    key = Key.hs256_hex(SECRET)
    with pytest.raises(warden.ValidationError):
        Verifier(key)  # algorithms is required
    with pytest.raises(warden.ValidationError):
        Verifier(key, algorithms=["HS256"], leeway_secs=5)
    with pytest.raises(warden.ValidationError):
        Verifier(key, algorithms="HS256")
    with pytest.raises(warden.ValidationError):
        Verifier(key, ["HS256"])  # type: ignore[arg-type]
    Verifier(key, {"algorithms": ["HS256"]}, audience="x")
    Verifier([key], algorithms=["HS256"])
    Verifier(KeySet([key]), algorithms=["HS256"])
    Verifier(SECRET, algorithms=["HS256"])


def test_issue_dynamic_types_are_validation_errors() -> None:
    for kwargs in (
        {"sub": 123, "scope": "tool:a"},
        {"sub": "a", "scope": "tool:a", "rate": {"tool:a": 5}},
        {"sub": "a", "scope": "tool:a", "ttl_seconds": 1.5},
        {"sub": "a", "scope": "tool:a", "aud": None},
        {"sub": "a", "scope": None},
    ):
        with pytest.raises(warden.ValidationError):
            warden.issue_token(SECRET, **kwargs)  # type: ignore[arg-type]
    # iss=None omits the claim (ati-client); an absent iss takes the default.
    assert "iss" not in warden.inspect_token(warden.issue_token(SECRET, "a", "tool:a", iss=None))
    assert warden.inspect_token(warden.issue_token(SECRET, "a", "tool:a")).iss == "ati-orchestrator"
    with pytest.raises(warden.ValidationError):
        warden.issue_token(Key.hs256_hex(SECRET), {"sub": "a"}, "tool:a")


def test_keyword_forms_like_ati_client() -> None:
    tok = warden.issue_token(secret=SECRET, sub="agent-7", scope="tool:web_search", ttl_seconds=3600)
    claims = warden.validate_token(tok, secret=SECRET)
    assert claims.sub == "agent-7" and claims.scopes() == ["tool:web_search"]
    orch = warden.AtiOrchestrator(proxy_url="https://proxy.example/", secret=SECRET)
    env = orch.provision_sandbox(agent_id="sandbox:1", tools=["web_search", "github:*"], skills=["research-*"], rate={"tool:github:*": "10/hour"})
    assert env["ATI_PROXY_URL"] == "https://proxy.example"
    c = warden.validate_token(env["ATI_SESSION_TOKEN"], SECRET)
    assert c.scope == "tool:web_search tool:github:* skill:research-*"
    assert Orchestrator("https://p", Key.hs256_hex(SECRET)).proxy_url == "https://p"
    with pytest.raises(warden.ValidationError):
        Orchestrator("https://p", SECRET, secret=SECRET)


def test_keys_and_jwks() -> None:
    ed = Key.generate_ed25519("ed-1")
    es = Key.generate_es256("es-1")
    assert (ed.alg, ed.kid, ed.has_private) == ("EdDSA", "ed-1", True)
    pub = ed.public_key()
    assert not pub.has_private and pub.public_jwk() == ed.public_jwk()
    assert Key.from_jwk(json.loads(ed.to_jwk(include_private=True))).has_private
    assert Key.from_pem(ed.to_pem(True), "x").kid == "x"
    ks = KeySet([ed, es])
    assert len(ks) == 2 and ks.get("es-1") is not None and ks.get("zz") is None
    jwks = ks.to_public_jwks()
    ks2 = KeySet.from_jwks(json.loads(jwks))
    assert [k.kid for k in ks2.keys()] == ["ed-1", "es-1"] and ks2.url is None
    for k in (ed, es):
        tok = warden.issue_token(k, {"sub": "a", "aud": "ati-proxy", "exp": NOW + 10, "scope": "tool:a"}, now=NOW)
        assert Verifier(ks2, algorithms=["EdDSA", "ES256"], now=NOW).verify(tok).sub == "a"
    with pytest.raises(warden.InvalidKeyError):
        Key.hs256_hex(SECRET).public_jwk()
    with pytest.raises(warden.ValidationError):
        Key.hs256_bytes("not bytes")  # type: ignore[arg-type]


def test_scopes_api() -> None:
    s = ScopeSet(["tool:github:*", "bad pattern", "skill:research-*"])
    assert s.allows("tool:github:search") and "skill:research-web" in s and not s.allows("tool:x")
    assert s.patterns() == ["tool:github:*", "bad pattern", "skill:research-*"] and len(s) == 3
    with pytest.raises(warden.InvalidScopeError):
        ScopeSet(["bad pattern"], strict=True)
    assert ScopeSet.from_claim("tool:a help").allows("help")
    assert s.covers("tool:github:x:*")
    assert warden.check_scope("tool:github:search_repos", ["tool:github:*"])
    assert not warden.check_scope("tool:secret_api", ["tool:web_search"])
    assert warden.matches_wildcard("tool:github:search", "tool:github:*")
    assert isinstance(warden.matches_wildcard("anything", "*"), bool)
    assert warden.build_scope_string(tools=["web_search", "github:*"], skills=["research-*"], extra=["help"]) == (
        "tool:web_search tool:github:* skill:research-* help"
    )
    with pytest.raises(warden.ValidationError):
        warden.build_scope_string(tools="web_search")  # a bare str is not a list
    with pytest.raises(warden.ValidationError):
        warden.check_scope(None, ["*"])  # type: ignore[arg-type]
    with pytest.raises(warden.ValidationError):
        s.allows(b"tool:a")  # type: ignore[arg-type]


def test_rate_spec() -> None:
    r = warden.RateSpec.parse("2/s")
    assert (r.count, r.window_seconds, r.window_ms()) == (2, 1, 1000)
    assert r.is_looser_than(warden.RateSpec.parse("100/min"))
    assert hash(r) == hash(warden.RateSpec.parse("2/sec"))
    assert repr(r) == "RateSpec(count=2, window_seconds=1)"
