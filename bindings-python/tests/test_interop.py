"""Interop with the real peers from PyPI: ati-client 0.7.15 (module `ati`), PyJWT and
`cryptography` (EdDSA), in both directions."""

from __future__ import annotations

import ati
import ati.token
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

import warden
from warden import Key, Verifier

SECRET = "17332cf135d362f79a2ed700b13e1215978be1d6ae6e133d25b6b3f21fa10299"
NOW = 1_780_000_000


def test_ati_issues_warden_validates() -> None:
    tok = ati.issue_token(secret=SECRET, sub="agent-7", scope="tool:web_search tool:github:*", ttl_seconds=600, rate={"tool:github:*": "10/hour"})
    c = warden.validate_token(tok, SECRET)
    peer = ati.inspect_token(tok)
    assert (c.sub, c.aud, c.iat, c.exp, c.scope, c.iss, c.jti) == (peer.sub, peer.aud, peer.iat, peer.exp, peer.scope, peer.iss, peer.jti)
    assert c.scopes() == peer.scopes()
    assert c.ati == {"v": 1, "rate": {"tool:github:*": "10/hour"}}


def test_warden_issues_ati_validates() -> None:
    tok = warden.issue_token(SECRET, "agent-7", "tool:web_search", rate={"tool:web_search": "5/min"})
    c = ati.validate_token(tok, secret=SECRET)
    assert c.sub == "agent-7" and c.scopes() == ["tool:web_search"]
    assert c.ati is not None and c.ati.rate == {"tool:web_search": "5/min"}


def test_byte_identical_with_ati_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ati.token.time, "time", lambda: float(NOW))
    args = dict(sub="sandbox:abc", scope="tool:a skill:b-* help", ttl_seconds=7200, jti="jti-1", rate={"tool:a": "1/s", "skill:b-*": "3/day"})
    theirs = ati.issue_token(secret=SECRET, **args)  # type: ignore[arg-type]
    ours = warden.issue_token(secret=SECRET, now=NOW, **args)  # type: ignore[arg-type]
    assert ours == theirs


def test_provision_matches_ati_orchestrator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ati.token.time, "time", lambda: float(NOW))
    kw = dict(agent_id="sandbox:1", tools=["finnhub_quote", "github:*"], skills=["financial-analysis"], ttl_seconds=7200, rate={"tool:github:*": "10/hour"})
    theirs = ati.AtiOrchestrator(proxy_url="https://proxy.example/", secret=SECRET).provision_sandbox(**kw)  # type: ignore[arg-type]
    ours = warden.AtiOrchestrator(proxy_url="https://proxy.example/", secret=SECRET).provision_sandbox(**kw, now=NOW)  # type: ignore[arg-type]
    assert ours["ATI_PROXY_URL"] == theirs["ATI_PROXY_URL"]
    t_claims, o_claims = ati.inspect_token(theirs["ATI_SESSION_TOKEN"]), warden.inspect_token(ours["ATI_SESSION_TOKEN"])  # type: ignore[arg-type]
    assert o_claims.to_dict() | {"jti": None} == t_claims.to_dict() | {"jti": None}


def test_scope_helpers_agree_on_ordinary_inputs() -> None:
    granted = ["tool:github:*", "tool:web_search", "skill:research-*", "help"]
    for req in ["tool:github:search", "tool:web_search", "tool:other", "skill:research-web", "help", "tool:github"]:
        assert warden.check_scope(req, granted) == ati.check_scope(req, granted), req
    assert warden.build_scope_string(tools=["a", "tool:b"], skills=["c"], extra=["help"]) == ati.build_scope_string(tools=["a", "tool:b"], skills=["c"], extra=["help"])
    assert warden.parse_scopes("tool:a tool:b") == ati.parse_scopes("tool:a tool:b")


def test_pyjwt_hs256_both_directions() -> None:
    raw = bytes.fromhex(SECRET)
    tok = warden.issue_token(SECRET, "agent", "tool:a")
    d = jwt.decode(tok, raw, algorithms=["HS256"], audience="ati-proxy")
    assert d["sub"] == "agent" and d["ati"] == {"v": 1}
    import time

    now = int(time.time())
    payload = {"sub": "agent", "aud": "ati-proxy", "iat": now, "exp": now + 60, "jti": "x", "scope": "tool:a", "custom": [1, {"k": True}]}
    tok2 = jwt.encode(payload, raw, algorithm="HS256")
    c = Verifier(Key.hs256_bytes(raw), algorithms=["HS256"]).verify(tok2)
    assert c.to_dict() == payload and c.extra == {"custom": [1, {"k": True}]}
    # A PyJWT token signed with another key is rejected.
    bad = jwt.encode(payload, b"x" * 32, algorithm="HS256")
    with pytest.raises(warden.InvalidTokenError) as ei:
        warden.validate_token(bad, SECRET)
    assert ei.value.reason == "bad_signature"


def test_eddsa_with_cryptography_both_directions() -> None:
    sk = Ed25519PrivateKey.generate()
    pem = sk.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    pub_pem = sk.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    wkey = Key.from_pem(pem, "ed-1")
    # Warden signs, PyJWT + cryptography verify.
    tok = warden.issue_token(wkey, {"sub": "a", "aud": "ati-proxy", "exp": NOW + 600, "scope": "tool:a"}, now=NOW)
    assert jwt.get_unverified_header(tok) == {"alg": "EdDSA", "typ": "JWT", "kid": "ed-1"}
    d = jwt.decode(tok, sk.public_key(), algorithms=["EdDSA"], audience="ati-proxy", options={"verify_exp": False, "verify_iat": False})
    assert d["sub"] == "a"
    # PyJWT + cryptography sign, Warden verifies (public key from PEM and from the raw bytes via JWK).
    payload = {"sub": "b", "aud": "ati-proxy", "iat": NOW, "exp": NOW + 60, "jti": "j", "scope": "tool:b"}
    tok2 = jwt.encode(payload, sk, algorithm="EdDSA", headers={"kid": "ed-1"})
    v = Verifier(Key.from_pem(pub_pem, "ed-1"), algorithms=["EdDSA"], now=NOW)
    assert v.verify(tok2).sub == "b"
    x = Ed25519PublicKey.from_public_bytes(sk.public_key().public_bytes_raw())
    assert x.public_bytes_raw() == sk.public_key().public_bytes_raw()
    import base64
    import json

    jwk = json.loads(wkey.public_jwk())
    assert base64.urlsafe_b64decode(jwk["x"] + "=") == sk.public_key().public_bytes_raw()
    # alg confusion: an HS256 token made with the public key bytes as the secret is refused.
    forged = jwt.encode(payload, b"k" * 32, algorithm="HS256", headers={"kid": "ed-1"})
    with pytest.raises(warden.InvalidTokenError):
        v.verify(forged)
