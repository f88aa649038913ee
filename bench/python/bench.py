"""Side-by-side benchmarks of the Warden Python SDK against its peers, measured in ONE run.

Prints one table (ops/s and ratios) plus the targets of issue #3. Nothing here is asserted:
benchmarks are never timed tests. Run it through `make -C bindings-python bench`.

Peers: ati-client (`ati`), PyJWT (+ `cryptography` for EdDSA) and whichever Rust-backed Python
JWT packages are installed (oxyjwt, rsjwt, webtoken; see requirements.txt).
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
from typing import Any, Callable

import ati
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import warden

SECRET = "17332cf135d362f79a2ed700b13e1215978be1d6ae6e133d25b6b3f21fa10299"
RAW = bytes.fromhex(SECRET)
QUICK = os.environ.get("WARDEN_BENCH_QUICK") == "1"


def measure_group(fns: list[Callable[[], Any]]) -> list[float]:
    """ops/s of each function of one group. The repeats are interleaved (A, B, C, A, B, C, …) and
    the best repeat of each is kept, so that a load change on a shared machine hits every
    implementation of the group alike instead of skewing their ratio."""
    timers = [timeit.Timer(f) for f in fns]
    numbers = []
    for t in timers:
        n, _ = t.autorange()  # ≥ 0.2 s per repeat
        numbers.append(n)
    repeats = 3 if QUICK else 9
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, t in enumerate(timers):
            best[i] = min(best[i], t.timeit(numbers[i]) / numbers[i])
    return [1.0 / b for b in best]


def version(dist: str) -> str:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return "-"


def optional(mod: str) -> Any:
    try:
        return importlib.import_module(mod)
    except Exception:  # noqa: BLE001 - any failure means "not installable here"
        return None


def import_time_ms() -> tuple[float, float]:
    """(median wall-clock ms that `import warden` adds over an empty interpreter, -X importtime
    cumulative µs of the `warden` package / 1000)."""
    exe = sys.executable
    runs = 7 if QUICK else 21

    def wall(code: str) -> float:
        ts = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run([exe, "-c", code], check=True)
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts) * 1000

    base = wall("pass")
    with_w = wall("import warden")
    cum = []
    for _ in range(runs):
        p = subprocess.run([exe, "-X", "importtime", "-c", "import warden"], capture_output=True, text=True, check=True)
        for line in p.stderr.splitlines():
            parts = [x.strip() for x in line.split("|")]
            if len(parts) == 3 and parts[2] == "warden":
                cum.append(int(parts[1]) / 1000)
    return with_w - base, statistics.median(cum) if cum else float("nan")


def main() -> None:
    now = int(time.time())
    rows: list[tuple[str, str, float]] = []

    pending: list[tuple[str, str, Callable[[], Any]]] = []
    results: dict[tuple[str, str], float] = {}

    def add(group: str, name: str, fn: Callable[[], Any]) -> tuple[str, str]:
        fn()  # warm up, and fail loudly if the call is wrong
        pending.append((group, name, fn))
        return (group, name)

    def run_pending() -> None:
        groups: dict[str, list[tuple[str, Callable[[], Any]]]] = {}
        for grp, name, fn in pending:
            groups.setdefault(grp, []).append((name, fn))
        for grp, items in groups.items():
            for (name, _), r in zip(items, measure_group([f for _, f in items])):
                rows.append((grp, name, r))
                results[(grp, name)] = r
        pending.clear()

    # ---- HS256 verify of an ATI token -----------------------------------------------------
    token = ati.issue_token(secret=SECRET, sub="sandbox:bench-01", scope="tool:web_search tool:github:* skill:research-*", ttl_seconds=3600, rate={"tool:github:*": "10/hour"})
    verifier = warden.Verifier(warden.Key.hs256_hex(SECRET), algorithms=["HS256"])
    assert verifier.verify(token).sub == "sandbox:bench-01"
    g = "HS256 verify (ATI token)"
    w_verify = add(g, "warden Verifier.verify", lambda: verifier.verify(token))
    add(g, "warden.validate_token", lambda: warden.validate_token(token, SECRET))
    ati_validate = add(g, "ati-client validate_token", lambda: ati.validate_token(token, secret=SECRET))
    add(g, "PyJWT decode", lambda: jwt.decode(token, RAW, algorithms=["HS256"], audience="ati-proxy"))
    rust_pkgs: dict[str, Any] = {}
    oxy = optional("oxyjwt")
    if oxy is not None:
        dk = oxy.DecodingKey.from_secret(RAW)
        rust_pkgs["oxyjwt"] = add(g, "oxyjwt decode (Rust)", lambda: oxy.decode(token, dk, algorithms=["HS256"], audience="ati-proxy"))
    if optional("rsjwt") is not None:
        # rsjwt 0.0.4 takes only a str secret (so not the raw 32-byte ATI key) and has no
        # audience option (it rejects every token with an `aud`): it cannot verify an ATI token.
        print("rsjwt: installed, but cannot verify an ATI token (str-only secret, rejects `aud`): not measured", file=sys.stderr)
    webtoken = optional("webtoken")
    if webtoken is not None:
        try:
            webtoken.decode(token, RAW, algorithms=["HS256"], audience="ati-proxy")
            rust_pkgs["webtoken"] = add(g, "webtoken decode (Rust)", lambda: webtoken.decode(token, RAW, algorithms=["HS256"], audience="ati-proxy"))
        except Exception as e:  # noqa: BLE001
            print(f"webtoken: cannot verify this token ({type(e).__name__}: {e})", file=sys.stderr)

    # ---- HS256 issue ----------------------------------------------------------------------
    g = "HS256 issue (ATI token)"
    kw = dict(sub="sandbox:bench-01", scope="tool:web_search tool:github:* skill:research-*", ttl_seconds=3600, rate={"tool:github:*": "10/hour"})
    w_issue = add(g, "warden.issue_token", lambda: warden.issue_token(SECRET, **kw))
    ati_issue = add(g, "ati-client issue_token", lambda: ati.issue_token(secret=SECRET, **kw))
    payload = ati.inspect_token(token).to_dict()
    add(g, "PyJWT encode", lambda: jwt.encode(payload, RAW, algorithm="HS256"))
    if oxy is not None:
        ek = oxy.EncodingKey.from_secret(RAW)
        add(g, "oxyjwt encode (Rust)", lambda: oxy.encode(payload, ek, algorithm="HS256"))

    # ---- EdDSA -----------------------------------------------------------------------------
    sk = Ed25519PrivateKey.generate()
    pem = sk.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    pub_pem = sk.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    wkey = warden.Key.from_pem(pem)
    claims = {"sub": "sandbox:bench-01", "aud": "ati-proxy", "iat": now, "exp": now + 3600, "jti": "bench-jti-1", "scope": "tool:web_search tool:github:*"}
    ed_token = warden.issue_token(wkey, claims)
    ed_verifier = warden.Verifier(warden.Key.from_pem(pub_pem), algorithms=["EdDSA"])
    pk = sk.public_key()
    g = "EdDSA verify"
    w_ed = add(g, "warden Verifier.verify", lambda: ed_verifier.verify(ed_token))
    pyjwt_ed = add(g, "PyJWT+cryptography decode", lambda: jwt.decode(ed_token, pk, algorithms=["EdDSA"], audience="ati-proxy"))
    if oxy is not None:
        edk = oxy.DecodingKey.from_ed_pem(pub_pem)
        add(g, "oxyjwt decode (Rust)", lambda: oxy.decode(ed_token, edk, algorithms=["EdDSA"], audience="ati-proxy"))
    g = "EdDSA sign"
    add(g, "warden.issue_token(key, claims)", lambda: warden.issue_token(wkey, claims))
    add(g, "PyJWT+cryptography encode", lambda: jwt.encode(claims, sk, algorithm="EdDSA"))

    # ---- scope check over 20 patterns --------------------------------------------------------
    patterns = [f"tool:svc{i}:*" for i in range(8)] + [f"tool:exact_{i}" for i in range(6)] + [f"skill:topic{i}-*" for i in range(5)] + ["tool:github:*"]
    assert len(patterns) == 20
    required = ["tool:github:search_repos", "tool:exact_5", "tool:not_granted", "skill:topic4-web"]
    ss = warden.ScopeSet(patterns)
    for r in required:
        assert ss.allows(r) == ati.check_scope(r, patterns), r
    g = "scope check, 20 patterns (4 lookups)"

    def w_scopes() -> None:
        for r in required:
            ss.allows(r)

    def a_scopes() -> None:
        for r in required:
            ati.check_scope(r, patterns)

    def wf_scopes() -> None:
        for r in required:
            warden.check_scope(r, patterns)

    w_scope = add(g, "warden ScopeSet.allows", w_scopes)
    add(g, "warden.check_scope", wf_scopes)
    ati_scope = add(g, "ati-client check_scope", a_scopes)

    run_pending()
    w_verify, ati_validate, w_issue, ati_issue, w_ed, pyjwt_ed, w_scope, ati_scope = (
        results[k] for k in (w_verify, ati_validate, w_issue, ati_issue, w_ed, pyjwt_ed, w_scope, ati_scope)
    )
    rust_pkgs = {name: results[k] for name, k in rust_pkgs.items()}
    imp_ms, imp_cum_ms = import_time_ms()

    # ---- report ---------------------------------------------------------------------------
    print()
    print(f"Warden Python SDK benchmark  —  warden {warden.__version__}, Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"peers: ati-client {version('ati-client')}, PyJWT {version('PyJWT')}, cryptography {version('cryptography')}, "
          f"oxyjwt {version('oxyjwt')}, rsjwt {version('rsjwt')}, webtoken {version('webtoken')}")
    print(f"PyJWT version: {jwt.__version__}")
    print()
    print(f"{'operation':<40} {'implementation':<34} {'ops/s':>13} {'vs warden':>10}")
    print("-" * 100)
    groups: dict[str, list[tuple[str, float]]] = {}
    for grp, name, r in rows:
        groups.setdefault(grp, []).append((name, r))
    for grp, items in groups.items():
        ref = items[0][1]
        for i, (name, r) in enumerate(items):
            ratio = "1.00×" if i == 0 else f"{ref / r:.2f}×"
            print(f"{grp if i == 0 else '':<40} {name:<34} {r:>13,.0f} {ratio:>10}")
    print("-" * 100)
    print("(vs warden = how many times faster the first row of the group is than this row)")
    print(f"import warden: +{imp_ms:.1f} ms wall clock over `python -c pass` (median); -X importtime cumulative {imp_cum_ms:.2f} ms")
    print()
    fastest_rust = max(rust_pkgs.items(), key=lambda kv: kv[1]) if rust_pkgs else None
    checks = [
        ("HS256 verify vs ati-client validate_token", w_verify / ati_validate, 25.0),
        ("HS256 issue vs ati-client issue_token", w_issue / ati_issue, 10.0),
        ("EdDSA verify vs PyJWT+cryptography", w_ed / pyjwt_ed, 4.0),
        ("ScopeSet.allows vs ati-client check_scope (20 patterns)", w_scope / ati_scope, 50.0),
    ]
    if fastest_rust is not None:
        checks.insert(1, (f"HS256 verify vs fastest Rust-backed JWT ({fastest_rust[0]})", w_verify / fastest_rust[1], 4.0))
    else:
        print("no Rust-backed Python JWT package could be installed here")
    print(f"{'target':<62} {'measured':>10} {'needed':>8}  ok")
    for name, got, need in checks:
        print(f"{name:<62} {got:>9.1f}× {need:>7.0f}×  {'yes' if got >= need else 'NO'}")
    print(f"{'import warden adds (ms, wall clock)':<62} {imp_ms:>10.1f} {'≤5':>8}  {'yes' if imp_ms <= 5 else 'NO'}")


if __name__ == "__main__":
    main()
