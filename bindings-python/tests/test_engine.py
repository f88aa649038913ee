"""The engine glue: Engine/Client/Decision/Guard conversions, error mapping with ``decision``,
``@guard.protect`` for sync and async functions, fail-open with an injected fault, and the
awaitable ``wait_for_decision`` (which must not block the event loop)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

import warden
from warden import Client, Decision, Engine, Guard, WardenError
from warden._protect import protect as protect_with

CLOCK_MS = 1_780_000_000_000


@pytest.fixture()
def engine() -> Engine:
    return Engine({"seed": 7}, clock_ms=CLOCK_MS)


@pytest.fixture()
def client(engine: Engine) -> Client:
    return Client.local(engine)


_names = iter(range(1_000_000))


def agent(client: Client, caps: list[str] | None = None, **kw: Any) -> str:
    return client.create_agent(name=f"bot-{next(_names)}", capabilities=caps or ["tool:web_search", "tool:db:*"], **kw)["agent_id"]


def session(client: Client, agent_id: str, mode: str = "open") -> str:
    return client.init_session(agent_id=agent_id, server_id="srv", mode=mode)["session_id"]


# ---- Engine ------------------------------------------------------------------------------------


def test_manual_clock(engine: Engine) -> None:
    assert engine.manual_clock is True
    assert engine.now_ms() == CLOCK_MS
    engine.advance(1500)
    assert engine.now_ms() == CLOCK_MS + 1500
    assert Client.local(engine).now_ms() == CLOCK_MS + 1500


def test_system_clock_engine() -> None:
    e = Engine()
    assert e.manual_clock is False
    assert abs(e.now_ms() - int(time.time() * 1000)) < 60_000
    with pytest.raises(warden.ValidationError):
        e.advance(10)


def test_config_is_validated() -> None:
    with pytest.raises(warden.ValidationError):
        Engine({"no_such_option": 1})
    with pytest.raises(warden.ValidationError):
        Engine({"session_ttl_seconds": 0})
    with pytest.raises(warden.ValidationError):
        Engine(["not", "a", "mapping"])  # type: ignore[arg-type]
    with pytest.raises(warden.ValidationError):
        Engine(clock_ms=True)  # type: ignore[arg-type]


def test_strict_mode_from_config() -> None:
    assert Engine({"env": {"WARDEN_STRICT_MODE": " Yes "}}).strict_mode is True
    assert Engine({"env": {"WARDEN_STRICT_MODE": "nope"}}).strict_mode is False
    assert Engine({}).strict_mode is False


def test_seeded_engines_are_deterministic() -> None:
    a = Client.local(Engine({"seed": 7}, clock_ms=CLOCK_MS)).create_agent(name="x")
    b = Client.local(Engine({"seed": 7}, clock_ms=CLOCK_MS)).create_agent(name="x")
    assert a == b
    assert Engine({"seed": 7}).jwks() == Engine({"seed": 7}).jwks()
    jwks = json.loads(Engine({"seed": 7}).jwks())
    assert jwks["keys"][0]["crv"] == "Ed25519" and "d" not in jwks["keys"][0]


def test_call_converts_values(engine: Engine, client: Client) -> None:
    a = engine.call("create_agent", {"name": "bot", "capabilities": ("tool:a", "tool:b"), "metadata": {"k": "v"}})
    assert isinstance(a, dict)
    assert a["capabilities"] == ["tool:a", "tool:b"]
    assert a["metadata"] == {"k": "v"}
    assert type(a["created_at"]) is int and a["created_at"] == CLOCK_MS
    assert a["revoked_at"] is None
    # the same state through the engine and a client on it
    assert client.get_agent(agent_id=a["agent_id"]) == a
    assert engine.call("get_agent", {"agent_id": a["agent_id"]}) == a
    with pytest.raises(warden.ValidationError):
        engine.call("no_such_op")
    with pytest.raises(warden.ValidationError):
        engine.call("get_agent", {"agent_id": a["agent_id"], "extra": 1})
    with pytest.raises(warden.ValidationError):
        engine.call("create_agent", {"name": object()})


def test_jwks_op_is_a_dict(engine: Engine) -> None:
    assert engine.call("jwks") == json.loads(engine.jwks())


# ---- Client ------------------------------------------------------------------------------------


def test_client_local_has_its_own_engine() -> None:
    c1, c2 = Client.local(), Client.local()
    a = c1.create_agent(name="x")
    c1.get_agent(agent_id=a["agent_id"])
    with pytest.raises(warden.NotFoundError):
        c2.get_agent(agent_id=a["agent_id"])


def test_clients_share_an_engine(engine: Engine) -> None:
    c1, c2 = Client.local(engine), Client.with_engine(engine)
    a = c1.create_agent(name="x")
    assert c2.get_agent({"agent_id": a["agent_id"]})["name"] == "x"
    with pytest.raises(warden.ValidationError):
        Client.with_engine("engine")  # type: ignore[arg-type]


def test_typed_methods_take_a_mapping_and_keywords(client: Client) -> None:
    a = client.create_agent({"name": "one", "framework": "langchain"}, name="two")
    assert (a["name"], a["framework"]) == ("two", "langchain")
    with pytest.raises(warden.ValidationError):
        client.create_agent(["name"], name="x")  # type: ignore[arg-type]
    with pytest.raises(warden.ValidationError):
        client.create_agent(name="x", bogus=1)
    rev = client.revoke_agent(agent_id=a["agent_id"], reason="done")
    assert rev["status"] == "revoked"
    tok = client.issue_token(agent_id=agent(client), scopes=["tool:web_search"])
    assert tok["token"].count(".") == 2
    assert client.introspect_token(token=tok["token"])["active"] is True
    client.revoke_token(token=tok["token"])
    assert client.introspect_token(token=tok["token"])["active"] is False
    assert client.verify_chain()["ok"] is True
    exported = client.export_audit()
    assert isinstance(exported, str) and exported.count("\n") >= 3
    assert warden.verify_audit_export(exported) == {"ok": True, "checked": exported.count("\n"), "first_broken_seq": None}
    broken = exported.replace('"agent.created"', '"agent.deleted"', 1)
    assert warden.verify_audit_export(broken)["ok"] is False
    assert client.query_audit(limit=2)["items"].__len__() == 2


def test_check_returns_a_decision(client: Client) -> None:
    a = agent(client)
    s = session(client, a)
    d = client.check(a, s, "db:query")
    assert isinstance(d, Decision)
    assert (d.allowed, d.code, d.reason, d.enforced, d.source) == (True, "ALLOW", "granted", True, "engine")
    assert (d.agent_id, d.session_id, d.tool, d.effect) == (a, s, "db:query", "read")
    assert (d.required_scope, d.matched_pattern) == ("tool:db:query", "tool:db:*")
    assert d.rule_id is None and d.approval_id is None and d.retry_after_ms is None
    assert d.decided_at == CLOCK_MS and d.proceed is True
    wire = d.to_dict()
    assert list(wire) == [
        "check_id", "allowed", "code", "reason", "enforced", "source", "agent_id", "session_id", "tool",
        "effect", "required_scope", "matched_pattern", "rule_id", "approval_id", "retry_after_ms", "decided_at",
    ]
    assert {k: getattr(d, k) for k in wire} == wire
    assert json.loads(d.to_json()) == wire
    # the typed check and the generic call agree (same engine state, next check id)
    g = client.call("check", {"agent_id": a, "session_id": s, "tool": "db:query"})
    assert {k: v for k, v in g.items() if k != "check_id"} == {k: v for k, v in wire.items() if k != "check_id"}
    assert d == d and d != client.check(a, s, "db:query") and d != wire
    denied = client.check(a, s, "files:delete")
    assert (denied.allowed, denied.code, denied.effect) == (False, "ACTION_DENIED", "destructive")
    assert denied.proceed is False
    assert "ACTION_DENIED" in repr(denied)
    # no session → session_id None (as on the wire)
    assert client.check(a, None, "db:query").session_id is None


def test_faults(client: Client) -> None:
    a = agent(client)
    client.set_fault("network_error")
    with pytest.raises(warden.NetworkError):
        client.get_agent(agent_id=a)
    client.set_fault("http_503")
    with pytest.raises(warden.GuardianUnavailableError) as ei:
        client.check(a, None, "web_search")
    assert ei.value.details == {"status": 503}
    client.set_fault("http_403")
    with pytest.raises(warden.AuthDeniedError):
        client.call("get_agent", {"agent_id": a})
    client.set_fault(None)
    assert client.get_agent(agent_id=a)["agent_id"] == a
    with pytest.raises(warden.ValidationError):
        client.set_fault("meteor")


# ---- errors ------------------------------------------------------------------------------------


def test_errors_carry_decision_or_none(client: Client) -> None:
    a = agent(client)
    g = Guard(client, a, flush_timer=False)
    with pytest.raises(warden.ActionDeniedError) as ei:
        g.check("files:delete")
    e = ei.value
    assert isinstance(e, WardenError) and e.code == "ACTION_DENIED" and e.reason == "scope_not_granted"
    assert isinstance(e.decision, dict)
    assert (e.decision["allowed"], e.decision["code"], e.decision["tool"]) == (False, "ACTION_DENIED", "files:delete")
    assert e.decision["session_id"] == g.session_id
    with pytest.raises(warden.NotFoundError) as nf:
        client.get_agent(agent_id="agt_7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert nf.value.decision is None
    assert warden.ValidationError("made in Python").decision is None
    assert warden.ValidationError("made in Python").reason is None


def test_decision_to_error(client: Client) -> None:
    a = agent(client)
    d = client.check(a, session(client, a), "files:delete")
    err = d.to_error()
    assert type(err) is warden.ActionDeniedError
    assert (err.code, err.reason, err.decision) == ("ACTION_DENIED", "scope_not_granted", d.to_dict())


def test_guard_admit(client: Client) -> None:
    """``admit`` (what ``protect`` runs): an enforced denial raises whatever ``block_on_deny``; a
    monitoring-mode denial (not enforced) proceeds; strict mode enforces it again."""
    a = agent(client)
    nb = Guard(client, a, block_on_deny=False, flush_timer=False)
    assert nb.admit("web_search").allowed
    assert not nb.check("files:delete").allowed  # check returns the denial ...
    with pytest.raises(warden.ActionDeniedError) as ei:  # ... admit raises it
        nb.admit("files:delete")
    assert ei.value.decision["tool"] == "files:delete" and ei.value.reason == "scope_not_granted"
    m = agent(client, enforcement="monitoring")
    d = Guard(client, m, flush_timer=False, strict_mode=False).admit("files:delete", "destructive")
    assert (d.allowed, d.enforced, d.proceed) == (False, False, True)
    with pytest.raises(warden.ActionDeniedError):
        Guard(client, m, flush_timer=False, strict_mode=True).admit("files:delete")
    with pytest.raises(warden.ValidationError):
        nb.admit("web_search", "explode")


def test_elevation_error_has_approval(client: Client) -> None:
    a = agent(client, ["tool:*"])
    g = Guard(client, a, session_id=session(client, a, "supervised"), flush_timer=False)
    with pytest.raises(warden.ElevationRequiredError) as ei:
        g.check("delete_file")
    assert ei.value.decision is not None and ei.value.decision["approval_id"].startswith("apr_")


# ---- Guard -------------------------------------------------------------------------------------


def test_guard_lifecycle(client: Client) -> None:
    a = agent(client)
    with Guard(client, a, flush_timer=False) as g:
        assert g.session_id is None and g.agent_id == a and isinstance(g.client, Client)
        d = g.check("web_search", "some query text")
        assert d.allowed and d.session_id == g.session_id and g.session_id is not None
        g.report("web_search", True, 12)
        g.report("web_search", False, 3, "ValueError")
        g.report("bad tool!", True, 1)
        g.report("web_search", True, -1)
        assert g.stats() == {"buffered": 2, "sent": 0, "dropped": 0, "invalid": 2, "failed_flushes": 0}
        g.flush()
        assert g.stats()["sent"] == 2 and g.stats()["buffered"] == 0
        with pytest.raises(warden.ValidationError) as bad:
            g.check("not a tool")
        assert bad.value.reason == "invalid_tool"
    with pytest.raises(warden.ValidationError) as ei:
        g.check("web_search")
    assert ei.value.reason == "guard_closed"
    g.close()  # idempotent


def test_guard_options(client: Client) -> None:
    a = agent(client, enforcement="monitoring")
    with pytest.raises(warden.ValidationError):
        Guard(client, a, default_effect="explode")
    with pytest.raises(warden.ValidationError):
        Guard(client, "not-an-agent-id")
    with pytest.raises(warden.ValidationError):
        Guard("client", a)  # type: ignore[arg-type]
    with pytest.raises(warden.ValidationError):
        Guard(client, a, fail_open="yes")  # type: ignore[arg-type]
    # monitoring: the denial is not enforced and comes back as a decision...
    d = Guard(client, a, strict_mode=False, flush_timer=False).check("files:delete")
    assert (d.allowed, d.enforced) == (False, False)
    # ...unless strict mode ratchets it
    with pytest.raises(warden.ActionDeniedError) as ei:
        Guard(client, a, strict_mode=True, flush_timer=False).check("files:delete")
    assert ei.value.decision is not None and ei.value.decision["enforced"] is True
    # block_on_deny=False returns the enforced denial
    b = agent(client)
    d2 = Guard(client, b, block_on_deny=False, flush_timer=False).check("files:delete")
    assert (d2.allowed, d2.enforced, d2.code) == (False, True, "ACTION_DENIED")


def test_guard_fail_open_only_for_reads_when_unreachable(client: Client) -> None:
    a = agent(client)
    s = session(client, a)
    g = Guard(client, a, session_id=s, fail_open=True, flush_timer=False)
    client.set_fault("timeout")
    try:
        d = g.check("web_search")
        assert (d.allowed, d.code, d.reason, d.source) == (True, "ALLOW", "fail_open", "fail_open")
        assert d.check_id.startswith("chk_")
        with pytest.raises(warden.GuardianUnavailableError) as ei:
            g.check("db:insert")  # mutating: never fail-open
        assert ei.value.reason == "unreachable" and ei.value.decision is not None
        assert ei.value.decision["source"] == "guard"
        closed = Guard(client, a, session_id=s, fail_open=False, flush_timer=False)
        with pytest.raises(warden.GuardianUnavailableError):
            closed.check("web_search")
        client.set_fault("http_403")  # a 4xx is not "unreachable"
        with pytest.raises(warden.AuthDeniedError):
            g.check("web_search")
    finally:
        client.set_fault(None)
    # reachable again: a denial is a denial, fail_open or not
    with pytest.raises(warden.ActionDeniedError):
        g.check("files:delete", effect="read")
    assert g.stats()["buffered"] == 1  # the fail_open event


# ---- protect -----------------------------------------------------------------------------------


class Recorder:
    """A stand-in guard recording what the wrapper calls (the real one is tested below)."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.checks: list[tuple[str, str | None]] = []
        self.reports: list[tuple[Any, ...]] = []

    def admit(self, tool: str, effect: str | None = None) -> Decision:
        self.checks.append((tool, effect))
        if not self.decision.proceed:
            raise self.decision.to_error()
        return self.decision

    def report(self, *args: Any) -> None:
        self.reports.append(args)


@pytest.fixture()
def allow(client: Client) -> Decision:
    a = agent(client)
    return client.check(a, session(client, a), "web_search")


def test_protect_sync_reports_duration_and_error_type(allow: Decision) -> None:
    rec = Recorder(allow)

    @protect_with(rec, effect="read")  # type: ignore[arg-type]
    def web_search(q: str, *, n: int = 1) -> str:
        time.sleep(0.03)
        return q * n

    assert web_search.__name__ == "web_search"
    assert web_search("ab", n=2) == "abab"
    assert rec.checks == [("web_search", "read")]
    (tool, ok, ms), = rec.reports
    assert (tool, ok) == ("web_search", True) and type(ms) is int and 30 <= ms < 2000

    class Boom(Exception):
        pass

    @protect_with(rec, tool="db:query")  # type: ignore[arg-type]
    def failing() -> None:
        raise Boom("message never reported")

    with pytest.raises(Boom):
        failing()
    assert rec.reports[-1][:2] == ("db:query", False) and rec.reports[-1][3] == "Boom"


async def test_protect_async(allow: Decision) -> None:
    rec = Recorder(allow)

    @protect_with(rec)  # type: ignore[arg-type]
    async def fetch_page(url: str) -> str:
        await asyncio.sleep(0.02)
        return url.upper()

    assert asyncio.iscoroutinefunction(fetch_page)
    assert await fetch_page("x") == "X"
    assert rec.checks == [("fetch_page", None)]
    assert rec.reports[0][:2] == ("fetch_page", True) and rec.reports[0][2] >= 20

    @protect_with(rec)  # type: ignore[arg-type]
    async def broken() -> None:
        raise KeyError("k")

    with pytest.raises(KeyError):
        await broken()
    assert rec.reports[-1] == ("broken", False, rec.reports[-1][2], "KeyError")


def test_protect_on_a_real_guard(client: Client) -> None:
    a = agent(client)
    g = Guard(client, a, flush_timer=False)
    ran: list[str] = []

    @g.protect()
    def web_search(q: str) -> str:
        ran.append(q)
        return q

    @g.protect(tool="files:delete")
    def drop() -> None:
        ran.append("drop")

    assert web_search("q") == "q"
    with pytest.raises(warden.ActionDeniedError) as ei:
        drop()
    assert ran == ["q"] and ei.value.decision is not None
    assert g.stats()["buffered"] == 1

    # block_on_deny=False: the wrapper still never runs a denied function
    nb = Guard(client, a, block_on_deny=False, flush_timer=False)
    drop2 = nb.protect(tool="files:delete")(lambda: ran.append("drop2"))
    with pytest.raises(warden.ActionDeniedError):
        drop2()
    assert ran == ["q"]
    with pytest.raises(warden.ValidationError):
        g.protect(tool="no spaces allowed")(lambda: None)
    with pytest.raises(warden.ValidationError):
        g.protect(effect="explode")(web_search)


async def test_protect_async_on_a_real_guard(client: Client) -> None:
    a = agent(client)
    g = Guard(client, a, flush_timer=False)

    @g.protect(tool="db:query")
    async def query() -> int:
        await asyncio.sleep(0)
        return 42

    @g.protect(tool="files:delete")
    async def drop() -> None:
        raise AssertionError("must not run")

    assert await query() == 42
    with pytest.raises(warden.ActionDeniedError):
        await drop()
    assert g.stats()["buffered"] == 1


# ---- wait_for_decision -------------------------------------------------------------------------


async def test_wait_for_decision_does_not_block_the_loop() -> None:
    client = Client.local()  # system clock: the wait really waits
    a = agent(client, ["tool:*"])
    d = client.check(a, session(client, a, "supervised"), "delete_file")
    assert d.code == "ELEVATION_REQUIRED" and d.approval_id is not None
    ticks = 0
    stop = False

    async def ticker() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1
            await asyncio.sleep(0.01)

    async def approver() -> None:
        await asyncio.sleep(0.3)
        client.approve(approval_id=d.approval_id, decided_by="alice@example.com")

    t = asyncio.ensure_future(ticker())
    ap = asyncio.ensure_future(approver())
    start = time.monotonic()
    result = await client.wait_for_decision(approval_id=d.approval_id, timeout_seconds=10)
    stop = True
    await asyncio.gather(t, ap)
    assert result["status"] == "approved" and result["decided_by"] == "alice@example.com"
    assert 0.25 < time.monotonic() - start < 5
    assert ticks >= 10, f"the event loop was blocked ({ticks} ticks)"


async def test_wait_for_decision_errors() -> None:
    client = Client.local()
    with pytest.raises(warden.NotFoundError):
        await client.wait_for_decision(approval_id="apr_7ZZZZZZZZZZZZZZZZZZZZZZZZZ", timeout_seconds=1)
    with pytest.raises(warden.ValidationError):
        await client.wait_for_decision(approval_id="apr_x", timeout_seconds=-1)
    a = agent(client, ["tool:*"])
    d = client.check(a, session(client, a, "supervised"), "delete_file")
    with pytest.raises(warden.TimeoutError) as ei:
        await client.wait_for_decision({"approval_id": d.approval_id, "timeout_seconds": 0})
    assert ei.value.reason == "wait_timeout"
    client.set_fault("network_error")
    with pytest.raises(warden.NetworkError):
        await client.wait_for_decision(approval_id=d.approval_id)


def test_wait_for_decision_outside_a_loop_is_typed() -> None:
    with pytest.raises(warden.ValidationError):
        Client.local().wait_for_decision(approval_id="apr_x")


def test_guard_check_releases_the_gil(client: Client) -> None:
    """8 threads checking through one guard all finish, with the same decisions as one thread."""
    a = agent(client)
    g = Guard(client, a, session_id=session(client, a), flush_timer=False)
    results: list[bool] = []
    lock = threading.Lock()

    def run() -> None:
        ok = all(g.check(t).allowed for t in ["web_search", "db:query"] * 200)
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [True] * 8


# ---- pure functions ----------------------------------------------------------------------------


def test_pure_functions() -> None:
    assert warden.resolve_effect("get_user") == "read"
    assert warden.resolve_effect("get_user", "admin") == "admin"
    assert warden.resolve_effect("delete_file") == "destructive"
    with pytest.raises(warden.ValidationError) as ei:
        warden.resolve_effect("get_user", "explode")
    assert ei.value.reason == "invalid_effect"
    with pytest.raises(warden.ValidationError):
        warden.resolve_effect("")
    assert warden.tool_words("getUserName") == ["get", "user", "name"]
    assert warden.summarize_input("") == ""
    assert warden.summarize_input("héllo") == "[5 chars]"
    assert warden.summarize_input("x" * 300, True) == "x" * 200
    # lone surrogates count as one U+FFFD each
    assert warden.summarize_input("a\ud800b") == "[3 chars]"
    assert warden.summarize_input("a\ud800b", log_inputs=True) == "a\ufffdb"
    assert warden.verify_audit_export("") == {"ok": True, "checked": 0, "first_broken_seq": None}
    assert warden.verify_audit_export("not json\n")["ok"] is False
    assert warden.covers(["tool:*"], "tool:db:*") is True
