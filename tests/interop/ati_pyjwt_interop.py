#!/usr/bin/env python3
"""Real-peer interop for the Warden core: ati-client 0.7.15 and PyJWT (+ cryptography).

Drives the core through core/examples/tokencli.rs (one JSON request per line) and checks, both
directions, that tokens from one side are accepted by the other with equal claims, and that with a
fixed clock and jti Warden's HS256 token is byte-identical to ati-client's. Exits non-zero on the
first failure; prints `N passed, 0 failed` at the end.
"""
import json
import os
import random
import subprocess
import sys
import time
from unittest import mock

from importlib.metadata import version

import ati
import ati.token
import jwt as pyjwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

CLI = sys.argv[1]
proc = subprocess.Popen([CLI], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
passed = 0


def call(**req):
    proc.stdin.write(json.dumps(req) + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def check(name, cond, detail=""):
    global passed
    if not cond:
        print(f"FAIL {name}: {detail}")
        sys.exit(1)
    passed += 1


rng = random.Random(20261122)
TOOLS = ["ledger_export", "kanban:*", "web_search", "github:search_repos", "vault:kv:read", "triage-*"]


def rand_case(i):
    tools = rng.sample(TOOLS, rng.randint(1, 4))
    scope = " ".join(f"tool:{t}" for t in tools)
    rate = {}
    if rng.random() < 0.6:
        for t in rng.sample(tools, rng.randint(1, len(tools))):
            rate[f"tool:{t}"] = f"{rng.randint(0, 500)}/{rng.choice(['s', 'sec', 'min', 'hour', 'hr', 'd', 'day'])}"
    return {
        "sub": f"sandbox:agent-{i}",
        "scope": scope,
        "ttl_seconds": rng.choice([1, 60, 3600, 7200, 86400]),
        "jti": f"interop-jti-{i:04d}",
        "rate": rate,
    }


secret = os.urandom(32).hex()

# 1. Byte-identical HS256 with a fixed clock and jti, and cross-acceptance.
for i in range(60):
    c = rand_case(i)
    now = 1_780_000_000 + rng.randint(0, 10_000_000)
    with mock.patch("ati.token.time.time", return_value=now):
        peer_tok = ati.issue_token(secret=secret, sub=c["sub"], scope=c["scope"], ttl_seconds=c["ttl_seconds"], jti=c["jti"], rate=c["rate"] or None)
    r = call(op="issue_ati", secret=secret, args={**c, "now": now})
    check(f"byte_identical_{i}", r.get("token") == peer_tok, f"\n warden {r}\n ati    {peer_tok}")

# 2. Warden-issued (real clock) -> ati-client validate_token and PyJWT decode.
for i in range(40):
    c = rand_case(100 + i)
    c.pop("jti") if i % 2 else None
    tok = call(op="issue_ati", secret=secret, args=c)["token"]
    claims = ati.validate_token(tok, secret=secret)
    check(f"ati_accepts_warden_{i}", claims.sub == c["sub"] and claims.scope == c["scope"], claims)
    check(f"ati_rates_{i}", (claims.ati.rate if claims.ati else {}) == c["rate"], claims)
    decoded = pyjwt.decode(tok, bytes.fromhex(secret), algorithms=["HS256"], audience="ati-proxy", issuer="ati-orchestrator")
    check(f"pyjwt_accepts_warden_{i}", decoded["sub"] == c["sub"] and decoded["exp"] - decoded["iat"] == c["ttl_seconds"], decoded)

# 3. ati-client-issued (real clock) -> Warden validate_token, claims equal to PyJWT's view.
for i in range(40):
    c = rand_case(200 + i)
    tok = ati.issue_token(secret=secret, sub=c["sub"], scope=c["scope"], ttl_seconds=c["ttl_seconds"], rate=c["rate"] or None)
    r = call(op="validate", secret=secret, token=tok, issuer="ati-orchestrator")
    want = pyjwt.decode(tok, bytes.fromhex(secret), algorithms=["HS256"], audience="ati-proxy")
    check(f"warden_accepts_ati_{i}", r.get("claims") == want, f"{r} vs {want}")

# 4. Provisioned sandboxes (ati-client orchestrator) validate in Warden.
orch = ati.AtiOrchestrator(proxy_url="https://proxy.example/", secret=secret)
env = orch.provision_sandbox(agent_id="sandbox:p1", tools=["web_search", "github:*"], skills=["research-*"], ttl_seconds=600, rate={"tool:github:*": "10/hour"})
r = call(op="validate", secret=secret, token=env["ATI_SESSION_TOKEN"])
check("warden_accepts_provisioned", r.get("claims", {}).get("scope") == "tool:web_search tool:github:* skill:research-*", r)

# 5. Refusals where the peers are lax: PyJWT HS512 with the right key, tampered payload, wrong key.
base = {"sub": "a", "aud": "ati-proxy", "iat": int(time.time()), "exp": int(time.time()) + 60, "scope": "tool:a", "jti": "j1", "iss": "ati-orchestrator"}
t512 = pyjwt.encode(base, bytes.fromhex(secret), algorithm="HS512")  # PyJWT warns about the key length; expected
r = call(op="validate", secret=secret, token=t512)
check("warden_refuses_hs512", r.get("error") == "INVALID_TOKEN" and r.get("reason") == "alg_not_allowed", r)
t_wrong = pyjwt.encode(base, os.urandom(32), algorithm="HS256")
r = call(op="validate", secret=secret, token=t_wrong)
check("warden_refuses_wrong_key", r.get("reason") == "bad_signature", r)
t_none = pyjwt.encode(base, None, algorithm="none")
r = call(op="validate", secret=secret, token=t_none)
check("warden_refuses_alg_none", r.get("error") == "INVALID_TOKEN", r)

# 6. EdDSA and ES256 both ways with PyJWT + cryptography.
for alg in ["EdDSA", "ES256"]:
    jwk = call(op="generate", alg=alg, kid=f"k-{alg}")["jwk"]
    public = {k: v for k, v in jwk.items() if k != "d"}
    claims = {**base, "aud": "warden", "iss": "warden"}
    tok = call(op="issue", jwk=jwk, claims=claims)["token"]
    key = pyjwt.PyJWK(public)
    dec = pyjwt.decode(tok, key, algorithms=[alg], audience="warden")
    check(f"pyjwt_accepts_warden_{alg}", dec == {**claims}, dec)
    check(f"warden_kid_header_{alg}", pyjwt.get_unverified_header(tok).get("kid") == f"k-{alg}")
    # PyJWT signs with a cryptography key; Warden verifies with the public JWK.
    if alg == "EdDSA":
        priv = ed25519.Ed25519PrivateKey.generate()
    else:
        priv = ec.generate_private_key(ec.SECP256R1())
    pub_jwk = json.loads(pyjwt.algorithms.get_default_algorithms()[alg].to_jwk(priv.public_key()))
    pub_jwk["kid"] = "peer"
    ptok = pyjwt.encode(claims, priv, algorithm=alg, headers={"kid": "peer"})
    opts = {"algorithms": [alg], "audience": "warden"}
    r = call(op="verify", jwks={"keys": [pub_jwk]}, options=opts, token=ptok)
    check(f"warden_accepts_pyjwt_{alg}", r.get("claims") == claims, r)
    # A PyJWT token under the other algorithm's key must not verify.
    r = call(op="verify", jwk=public, options={"algorithms": [alg], "audience": "warden"}, token=ptok)
    check(f"warden_refuses_foreign_key_{alg}", r.get("error") == "INVALID_TOKEN", r)

proc.stdin.close()
proc.wait(timeout=10)
print(f"interop (ati-client {version('ati-client')}, PyJWT {version('PyJWT')}, cryptography {version('cryptography')}):")
print(f"{passed} passed, 0 failed")
