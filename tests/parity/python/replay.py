"""One replay routine for engine-shaped cases (SEMANTICS-engine §18), through the PUBLIC API of the
Python SDK only: the engine conformance vectors (``bindings-python/tests/test_vectors.py``) and the
parity scenarios (``run.py`` next to this file, tests/parity/README.md).

It mirrors ``core/tests/replay/mod.rs`` step for step, so the transcripts it records (every step's
full result, converted back to JSON values) are comparable with the Rust runner's.
"""

from __future__ import annotations

from typing import Any, Callable

import warden
from warden import Client, Engine, Guard, WardenError

#: Ops the SDK has a typed method for (tests/parity/README.md); every other op goes through
#: ``Client.call``. ``check`` and the ``guard_*`` ops are handled separately.
TYPED = frozenset(
    {
        "create_agent",
        "get_agent",
        "revoke_agent",
        "issue_token",
        "introspect_token",
        "revoke_token",
        "init_session",
        "approve",
        "deny",
        "get_approval",
        "list_approvals",
        "create_delegation",
        "revoke_delegation",
        "delegation_token",
        "set_policy",
        "query_audit",
        "verify_chain",
    }
)

_ABSENT: Any = object()


class Outcome:
    """A step's result: a value, or the SDK error's code/reason/decision."""

    __slots__ = ("value", "error")

    def __init__(self, value: Any = None, error: dict[str, Any] | None = None) -> None:
        self.value = value
        self.error = error

    @staticmethod
    def of(fn: Callable[[], Any]) -> Outcome:
        try:
            return Outcome(value=fn())
        except WardenError as e:
            return Outcome(error={"code": e.code, "reason": e.reason, "decision": e.decision})
        except Exception as e:  # a binding bug: recorded so that it shows up as a difference
            return Outcome(error={"code": f"<python {type(e).__name__}: {e}>", "reason": None, "decision": None})


# ---- JSON values, type-strict ----------------------------------------------------------------


def json_eq(a: Any, b: Any) -> bool:
    """Equality of JSON values as the core's ``Json`` sees it: bool, int and float are distinct
    types; objects compare member by member in order; arrays element by element."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and list(a.keys()) == list(b.keys())
            and all(json_eq(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(json_eq(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def show(v: Any) -> str:
    import json

    return "absent" if v is _ABSENT else json.dumps(v, ensure_ascii=False)


def as_str(args: Any, k: str) -> str | None:
    v = args.get(k) if isinstance(args, dict) else None
    return v if isinstance(v, str) else None


def as_bool(args: Any, k: str) -> bool | None:
    v = args.get(k) if isinstance(args, dict) else None
    return v if isinstance(v, bool) else None


def as_i64(v: Any) -> int | None:
    if isinstance(v, int) and not isinstance(v, bool) and -(2**63) <= v < 2**63:
        return v
    return None


# ---- aliases ---------------------------------------------------------------------------------


def primary(v: Any) -> Any:
    def has(k: str) -> bool:
        return isinstance(v, dict) and k in v

    for key, other in (
        ("check_id", "allowed"),
        ("token", "jti"),
        ("approval_id", "status"),
        ("delegation_id", "from_agent_id"),
        ("session_id", "server_id"),
        ("agent_id", "name"),
    ):
        if has(key) and has(other) and (key != "approval_id" or has("tool")):
            return v[key]
    return v


def resolve(v: Any, aliases: dict[str, Any]) -> Any:
    if isinstance(v, str) and v.startswith("$"):
        path = v[1:].split(".")
        if path[0] not in aliases:
            return v
        base = aliases[path[0]]
        if len(path) == 1:
            return primary(base)
        cur = base
        for f in path[1:]:
            cur = cur.get(f) if isinstance(cur, dict) else None
        return cur
    if isinstance(v, list):
        return [resolve(x, aliases) for x in v]
    if isinstance(v, dict):
        return {k: resolve(x, aliases) for k, x in v.items()}
    return v


# ---- matching --------------------------------------------------------------------------------


class Mismatch(Exception):
    pass


def matches(want: Any, got: Any, path: str) -> None:
    """Partial match with the vector matchers; ``got`` is ``_ABSENT`` for a missing member."""
    if want is None:
        if got is not _ABSENT and got is not None:
            raise Mismatch(f"{path}: want null, got {show(got)}")
        return
    if want == "<non-null>" and isinstance(want, str):
        if got is _ABSENT or got is None:
            raise Mismatch(f"{path}: want non-null")
        return
    if isinstance(want, dict) and len(want) == 1 and "$ne" in want:
        if got is _ABSENT or got is None:
            raise Mismatch(f"{path}: want non-null")
        if json_eq(got, want["$ne"]):
            raise Mismatch(f"{path}: want != {show(got)}")
        return
    if isinstance(want, dict):
        if got is _ABSENT:
            raise Mismatch(f"{path}: missing object")
        for k, w in want.items():
            matches(w, got.get(k, _ABSENT) if isinstance(got, dict) else _ABSENT, f"{path}.{k}")
        return
    if isinstance(want, list):
        if not isinstance(got, list):
            raise Mismatch(f"{path}: want array")
        if len(got) != len(want):
            raise Mismatch(f"{path}: want {len(want)} elements, got {len(got)}")
        for i, (w, x) in enumerate(zip(want, got)):
            matches(w, x, f"{path}[{i}]")
        return
    if got is _ABSENT or not json_eq(got, want):
        raise Mismatch(f"{path}: want {show(want)}, got {show(got)}")


def check_result(expect: Any, r: Outcome, has_expect: bool = True) -> Any:
    """Checks one outcome against an expectation (``has_expect=False``: none given); returns the
    value to bind with ``as``. Raises ``Mismatch``."""
    wants_error = has_expect and isinstance(expect, dict) and "error" in expect
    if wants_error and r.error is not None:
        matches(expect["error"], r.error["code"], "error")
        if "reason" in expect:
            reason = r.error["reason"]
            matches(expect["reason"], _ABSENT if reason is None else reason, "reason")
        if "decision" in expect:
            d = r.error["decision"]
            matches(expect["decision"], _ABSENT if d is None else d, "decision")
        return None
    if wants_error:
        raise Mismatch(f"want error {show(expect['error'])}, got success {show(r.value)}")
    if r.error is not None:
        raise Mismatch(f"unexpected error {r.error['code']} ({r.error['reason']})")
    if has_expect:
        matches(expect, r.value, "result")
    return r.value


def record(i: int, op: str, r: Outcome) -> dict[str, Any]:
    if r.error is not None:
        return {"i": i, "op": op, "error": dict(r.error)}
    return {"i": i, "op": op, "result": r.value}


# ---- scenarios -------------------------------------------------------------------------------


class Gateway:
    """A live gateway in test mode (tests/parity/README.md, "Against a live gateway")."""

    __slots__ = ("url", "api_key")

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.api_key = api_key


def run_scenario(
    case: dict[str, Any], clock_s: int, gateway: Gateway | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Runs one scenario case on a fresh engine; returns its transcript and every expectation
    failure (``step i (op): …``).

    ``gateway`` None: an in-process engine on a manual clock at ``clock_s * 1000``. Otherwise the
    case runs through ``Client.connect`` against that gateway: ``test_reset`` with
    ``{engine, clock_ms}`` first (the gateway builds the engine: seed 7, manual clock),
    ``advance`` is ``test_advance``, and guards get the strict mode of the case's engine
    configuration, read from a throwaway local engine."""
    transcript: list[dict[str, Any]] = []
    failures: list[str] = []
    # EngineConfig from the case's `engine` (absent or null → the defaults with strict mode off,
    # which is what an empty mapping gives), then the seed forced to 7.
    raw = case.get("engine")
    config = {} if raw is None else dict(raw) if isinstance(raw, dict) else raw
    if isinstance(config, dict):
        config["seed"] = 7
    try:
        engine: Engine | None = Engine(config, clock_ms=clock_s * 1000)
    except WardenError as e:
        return transcript, [f"engine config: {e}"]
    strict = engine.strict_mode
    if gateway is None:
        client = Client.local(engine)
    else:
        engine = None  # only its strict mode was needed
        try:
            client = Client.connect(gateway.url, gateway.api_key)
            client.call("test_reset", {"engine": raw if isinstance(raw, dict) else None, "clock_ms": clock_s * 1000})
        except WardenError as e:
            return transcript, [f"test_reset: {e}"]
    guards: dict[str, Guard] = {}
    aliases: dict[str, Any] = {}
    steps = case.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        op = step.get("op") if isinstance(step.get("op"), str) else ""
        if op == "advance":
            seconds = as_i64(step.get("seconds")) or 0
            if engine is not None:
                engine.advance(seconds * 1000)
            else:
                try:
                    client.call("test_advance", {"seconds": seconds})
                except WardenError as e:
                    failures.append(f"step {i}: test_advance: {e}")
            transcript.append(record(i, op, Outcome(None)))
            continue
        args = resolve(step.get("args"), aliases)
        has_expect = "expect" in step
        expect = resolve(step.get("expect"), aliases)
        fault = step.get("fault")
        if isinstance(fault, str):
            try:
                client.set_fault(fault)
            except WardenError as e:
                failures.append(f"step {i} ({op}): bad fault: {e}")
                continue
        else:
            client.set_fault(None)

        def guard() -> Guard:
            g = as_str(args, "guard")
            name = g[len("guard:") :] if g is not None and g.startswith("guard:") else ""
            if name not in guards:
                raise warden.ValidationError("unknown guard")
            return guards[name]

        def new_guard() -> str:
            g = Guard(
                client,
                as_str(args, "agent_id") or "",
                session_id=as_str(args, "session_id"),
                block_on_deny=d if (d := as_bool(args, "block_on_deny")) is not None else True,
                fail_open=as_bool(args, "fail_open") or False,
                default_effect=as_str(args, "default_effect"),
                strict_mode=strict,
                flush_timer=False,
            )
            name = step["as"] if isinstance(step.get("as"), str) else "_guard"
            guards[name] = g
            return f"guard:{name}"

        def report() -> None:
            guard().report(
                as_str(args, "tool") or "",
                as_bool(args, "success") or False,
                as_i64(args.get("duration_ms") if isinstance(args, dict) else None) or 0,
                as_str(args, "error_type"),
            )

        def flush() -> None:
            guard().flush()

        def close() -> None:
            guard().close()

        def call() -> Any:
            if op == "new_guard":
                return new_guard()
            if op == "guard_check":
                return guard().check(
                    as_str(args, "tool") or "", as_str(args, "input_summary") or "", as_str(args, "effect")
                ).to_dict()
            if op == "guard_report":
                return report()
            if op == "guard_flush":
                return flush()
            if op == "guard_close":
                return close()
            if op == "guard_stats":
                return guard().stats()
            if op == "check":
                return client.check(
                    as_str(args, "agent_id") or "",
                    as_str(args, "session_id") or "",
                    as_str(args, "tool") or "",
                    as_str(args, "input_summary") or "",
                    as_str(args, "effect"),
                ).to_dict()
            if op in TYPED and (args is None or isinstance(args, dict)):
                return getattr(client, op)(args)
            return client.call(op, args)

        r = Outcome.of(call)
        client.set_fault(None)
        transcript.append(record(i, op, r))
        try:
            v = check_result(expect, r, has_expect)
        except Mismatch as e:
            failures.append(f"step {i} ({op}): {e}")
            continue
        if isinstance(step.get("as"), str):
            aliases[step["as"]] = v
    return transcript, failures


# ---- pure cases (vectors only) ---------------------------------------------------------------


def run_pure(case: dict[str, Any]) -> list[str]:
    """A pure case: ``tool``/``effect`` at the top (effects) or an ``op`` with ``args``."""
    expect = case.get("expect")
    op = case.get("op")
    if op is None:
        tool, effect = case.get("tool"), as_str(case, "effect")

        def effects() -> dict[str, Any]:
            return {"effect": warden.resolve_effect(tool, effect), "words": warden.tool_words(tool)}

        r = Outcome.of(effects)
    else:
        args = case.get("args") or {}
        if op == "summarize_input":
            r = Outcome.of(lambda: {"value": warden.summarize_input(args["text"], args["log_inputs"])})
        elif op == "covers":
            r = Outcome.of(lambda: {"value": warden.covers(args["parent_patterns"], args["child_pattern"])})
        else:
            return [f"no pure runner for {op}"]
    try:
        check_result(expect, r, "expect" in case)
    except Mismatch as e:
        return [str(e)]
    return []


def is_engine_shaped(doc: Any) -> bool:
    """Engine-shaped vector/scenario files: top-level ``suite`` and ``clock`` (SEMANTICS-engine
    §18)."""
    return isinstance(doc, dict) and "suite" in doc and "clock" in doc


def run_case(case: dict[str, Any], clock_s: int) -> list[str]:
    """Any case of an engine-shaped file: its failures (empty = pass)."""
    if "steps" in case:
        return run_scenario(case, clock_s)[1]
    return run_pure(case)
