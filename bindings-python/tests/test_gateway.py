"""The remote client against the real gateway binary (``warden-gateway serve --test-mode`` on a
temporary SQLite file): connect + typed calls + check, HTTP errors mapped to the typed classes,
Guard/``protect`` over the remote client, ``wait_for_decision`` approved from another client,
the GIL released during remote calls, and a stopped gateway (``NetworkError``, fail-open reads).

The binary comes from ``$WARDEN_GATEWAY_BIN`` (``make test`` builds it with
``cargo build -p warden-gateway`` and sets it); default ``<repo>/target/debug/warden-gateway``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import warden
from warden import Client, Guard

ROOT = Path(__file__).resolve().parents[2]
ADMIN_KEY = "wk_python_sdk_tests_admin_key_0123456789"


def gateway_bin() -> Path:
    p = Path(os.environ.get("WARDEN_GATEWAY_BIN") or ROOT / "target" / "debug" / "warden-gateway")
    if not p.is_file():
        pytest.fail(f"gateway binary {p} not found: run `cargo build -p warden-gateway` (make test does)")
    return p


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gateway:
    """One gateway process in test mode on its own SQLite file."""

    def __init__(self, db: Path) -> None:
        last = ""
        for _ in range(3):  # a port picked by free_port() can be taken meanwhile: retry
            port = free_port()
            log = db.with_name(f"{db.name}.{port}.log")
            with open(log, "w") as err:
                self.proc = subprocess.Popen(
                    [str(gateway_bin()), "serve", "--test-mode", "--quiet", "--key-rate", "0",
                     "--db", str(db), "--listen", f"127.0.0.1:{port}"],
                    env={**os.environ, "WARDEN_BOOTSTRAP_KEY": ADMIN_KEY},
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.proc.poll() is None:
                if '"listening"' in log.read_text():
                    self.url = f"http://127.0.0.1:{port}"
                    return
                time.sleep(0.05)
            self.stop()
            last = log.read_text()
        raise RuntimeError(f"the gateway did not start:\n{last}")

    def client(self, key: str = ADMIN_KEY, **options: Any) -> Client:
        return Client.connect(self.url, key, **options)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    gw = Gateway(tmp_path_factory.mktemp("gw") / "warden.db")
    yield gw
    gw.stop()


@pytest.fixture()
def client(gateway: Gateway) -> Client:
    return gateway.client()


_names = iter(range(1_000_000))


def agent(client: Client, caps: list[str] | None = None, **kw: Any) -> str:
    return client.create_agent(
        name=f"gw-bot-{next(_names)}", capabilities=caps or ["tool:web_search", "tool:db:*"], **kw
    )["agent_id"]


def session(client: Client, agent_id: str, mode: str = "open") -> str:
    return client.init_session(agent_id=agent_id, server_id="srv", mode=mode)["session_id"]


# ---- connect -----------------------------------------------------------------------------------


def test_connect_create_agent_and_check(gateway: Gateway, client: Client) -> None:
    assert client.is_remote and not Client.local().is_remote
    assert repr(client) == f'Client(backend=\'remote\', url="{gateway.url}")'
    created = client.create_agent(name="researcher", capabilities=["tool:web_search", "tool:db:*"])
    a = created["agent_id"]
    assert a.startswith("agt_") and created["capabilities"] == ["tool:web_search", "tool:db:*"]
    assert client.get_agent(agent_id=a) == created
    s = session(client, a)
    d = client.check(a, s, "web_search", input_summary="query")
    assert isinstance(d, warden.Decision) and d.allowed and d.code == "ALLOW"
    assert (d.agent_id, d.session_id, d.tool, d.effect) == (a, s, "web_search", "read")
    denied = client.check(a, s, "files:delete")
    assert (denied.allowed, denied.code, denied.reason) == (False, "ACTION_DENIED", "scope_not_granted")
    err = denied.to_error()
    assert type(err) is warden.ActionDeniedError and err.decision == denied.to_dict()
    # the generic call and the typed methods go through the same routes
    assert client.call("get_agent", {"agent_id": a}) == created
    assert client.verify_chain()["ok"] is True
    # options: accepted, and validated by the core
    gateway.client(timeout_ms=5000, connect_timeout_ms=1000, retries=0).get_agent(agent_id=a)


def test_connect_validates_its_arguments(gateway: Gateway) -> None:
    bad: list[Callable[[], Any]] = [
        lambda: Client.connect("ftp://example.com", ADMIN_KEY),
        lambda: Client.connect("not a url", ADMIN_KEY),
        lambda: Client.connect(gateway.url, ""),
        lambda: Client.connect(gateway.url, ADMIN_KEY, timeout_ms=True),
        lambda: Client.connect(gateway.url, ADMIN_KEY, retries=-1),
        lambda: Client.connect(gateway.url, ADMIN_KEY, ca_pem="not a certificate"),
        lambda: Client.connect(gateway.url, ADMIN_KEY, client_cert_pem="x"),  # without the key
        lambda: Client.connect(1, ADMIN_KEY),  # type: ignore[arg-type]
    ]
    for f in bad:
        with pytest.raises(warden.ValidationError):
            f()


def test_http_errors_are_typed(gateway: Gateway, client: Client) -> None:
    with pytest.raises(warden.NotFoundError) as nf:
        client.get_agent(agent_id="agt_00000000000000000000000000")
    assert (nf.value.code, nf.value.reason) == ("NOT_FOUND", "agent_not_found")
    with pytest.raises(warden.NotFoundError):  # a POST route
        client.revoke_agent(agent_id="agt_00000000000000000000000000")
    with pytest.raises(warden.NotFoundError):
        client.get_approval(approval_id="apr_00000000000000000000000000")
    wrong = gateway.client("wk_not_the_right_key_0123456789abcdef")
    for call in (lambda: wrong.create_agent(name="x"), lambda: wrong.list_approvals()):
        with pytest.raises(warden.AuthFailedError) as af:
            call()
        assert af.value.code == "AUTH_FAILED"
    with pytest.raises(warden.InvalidScopeError):
        client.create_agent(name="x", capabilities=["not a scope"])
    with pytest.raises(warden.ValidationError):
        client.get_agent(agent_id="agt_x")
    # a workspace key cannot act outside its role: an approver key creating an agent
    req = urllib.request.Request(
        gateway.url + "/v1/keys", method="POST",
        data=json.dumps({"role": "approver", "workspace": "w1", "name": "t"}).encode(),
        headers={"authorization": f"Bearer {ADMIN_KEY}", "content-type": "application/json"},
    )
    with urllib.request.urlopen(req) as r:
        approver_key = json.load(r)["api_key"]
    with pytest.raises(warden.AuthDeniedError) as ad:
        gateway.client(approver_key).create_agent(name="x", workspace="w1")
    assert (ad.value.code, ad.value.reason) == ("AUTH_DENIED", "role")


# ---- Guard and protect over the remote client --------------------------------------------------


def test_guard_and_protect_over_the_gateway(client: Client) -> None:
    a = agent(client)
    g = Guard(client, a, flush_timer=False)
    assert g.client.is_remote
    ran: list[str] = []

    @g.protect()
    def web_search(q: str) -> str:
        ran.append(q)
        return q.upper()

    @g.protect(tool="db:drop", effect="destructive")
    def drop() -> None:
        ran.append("drop")

    @g.protect(tool="files:delete")
    def delete() -> None:
        ran.append("delete")

    assert web_search("q") == "Q"
    assert g.session_id is not None and g.session_id.startswith("ses_")
    with pytest.raises(warden.ActionDeniedError) as ei:
        delete()
    assert ei.value.decision["tool"] == "files:delete" and ei.value.decision["agent_id"] == a
    assert drop() is None  # db:* is granted
    assert ran == ["q", "drop"]
    assert g.check("db:query").allowed
    with pytest.raises(warden.ActionDeniedError):
        g.check("files:delete")

    # block_on_deny=False: check returns the denial, admit (and so protect) still raises
    nb = Guard(client, a, block_on_deny=False, flush_timer=False)
    d = nb.check("files:delete")
    assert (d.allowed, d.code) == (False, "ACTION_DENIED")
    with pytest.raises(warden.ActionDeniedError):
        nb.admit("files:delete")
    with pytest.raises(warden.ActionDeniedError):
        nb.protect(tool="files:delete")(lambda: ran.append("nb"))()
    assert nb.admit("web_search").allowed and ran == ["q", "drop"]

    assert g.stats()["buffered"] == 2
    g.flush()
    assert g.stats() == {"buffered": 0, "sent": 2, "dropped": 0, "invalid": 0, "failed_flushes": 0}
    g.close()
    with pytest.raises(warden.ValidationError):
        g.check("web_search")


async def test_protect_async_over_the_gateway(client: Client) -> None:
    a = agent(client)
    with Guard(client, a, flush_timer=False) as g:

        @g.protect(tool="db:query")
        async def query() -> int:
            await asyncio.sleep(0)
            return 42

        @g.protect(tool="files:delete")
        async def delete() -> None:
            raise AssertionError("must not run")

        assert await query() == 42
        with pytest.raises(warden.ActionDeniedError):
            await delete()
    assert g.stats()["sent"] == 1


# ---- wait_for_decision -------------------------------------------------------------------------


async def test_wait_for_decision_approved_from_another_client(gateway: Gateway, client: Client) -> None:
    a = agent(client, ["tool:*"])
    g = Guard(client, a, session_id=session(client, a, "supervised"), flush_timer=False)
    with pytest.raises(warden.ElevationRequiredError) as ei:
        g.check("delete_file")
    approval_id = ei.value.decision["approval_id"]
    assert approval_id.startswith("apr_")
    approver = gateway.client()  # another client (another connection pool)
    ticks = 0
    stop = False

    async def ticker() -> None:
        nonlocal ticks
        while not stop:
            ticks += 1
            await asyncio.sleep(0.01)

    async def approve() -> None:
        await asyncio.sleep(0.3)
        await asyncio.to_thread(approver.approve, approval_id=approval_id, decided_by="alice@example.com")

    t = asyncio.ensure_future(ticker())
    ap = asyncio.ensure_future(approve())
    start = time.monotonic()
    result = await client.wait_for_decision(approval_id=approval_id, timeout_seconds=30)
    stop = True
    await asyncio.gather(t, ap)
    assert result["status"] == "approved" and result["decided_by"] == "alice@example.com"
    assert result["approval_id"] == approval_id
    assert 0.25 < time.monotonic() - start < 10
    assert ticks >= 10, f"the event loop was blocked ({ticks} ticks)"
    assert g.check("delete_file").allowed  # inside the elevation window

    with pytest.raises(warden.NotFoundError):
        await client.wait_for_decision(approval_id="apr_00000000000000000000000000", timeout_seconds=1)
    with pytest.raises(warden.ElevationRequiredError) as again:
        g.check("drop_table")
    with pytest.raises(warden.TimeoutError) as to:
        await client.wait_for_decision(approval_id=again.value.decision["approval_id"], timeout_seconds=0)
    assert to.value.reason == "wait_timeout"


# ---- the GIL -----------------------------------------------------------------------------------


def progress_during(call: Callable[[], Any]) -> tuple[int, float]:
    """How far another Python thread counts while ``call`` runs (and how long it ran): with the
    GIL released the counter runs freely; held, it cannot move."""
    count = 0
    stop = threading.Event()
    started = threading.Event()

    def counter() -> None:
        nonlocal count
        started.set()
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=counter)
    t.start()
    started.wait()
    before = count
    t0 = time.monotonic()
    try:
        call()
    except warden.WardenError:
        pass
    elapsed = time.monotonic() - t0
    during = count - before
    stop.set()
    t.join()
    return during, elapsed


@pytest.fixture()
def silent_server() -> Iterator[str]:
    """A TCP listener that accepts connections (the kernel backlog) but never answers: every
    request through it hangs until the client's timeout."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def test_remote_calls_release_the_gil(gateway: Gateway, client: Client, silent_server: str) -> None:
    # The reference: how fast the counter runs while this thread sleeps (GIL released). A call
    # holding the GIL lets it move at a few percent of that rate at most (measured: ~2 % for a
    # C call that holds it); a call releasing it, at about the full rate.
    n0, secs0 = progress_during(lambda: time.sleep(0.3))
    free_rate = n0 / secs0

    def released(n: int, secs: float) -> bool:
        return n / secs > free_rate / 5

    floats = [random.random() for _ in range(1_000_000)]
    assert not released(*progress_during(lambda: sorted(floats))), "the probe cannot see a held GIL"

    # a real long poll on the gateway: the synchronous wait_for_decision through call()
    a = agent(client, ["tool:*"])
    d = client.check(a, session(client, a, "supervised"), "delete_file")
    assert d.code == "ELEVATION_REQUIRED"
    # (the core's remote wait cuts the first long poll to whole seconds left, so 3 s waits ~2 s)
    n, secs = progress_during(lambda: client.call("wait_for_decision", {"approval_id": d.approval_id, "timeout_seconds": 3}))
    assert secs >= 1.0 and released(n, secs), f"another thread made {n} steps in {secs:.2f}s ({n0} in {secs0:.2f}s asleep)"

    # every native call that goes over the network: against a server that never answers
    slow = Client.connect(silent_server, ADMIN_KEY, timeout_ms=400, retries=0)
    g = Guard(slow, a, session_id="ses_00000000000000000000000000", flush_timer=False)
    g2 = Guard(slow, a, session_id="ses_00000000000000000000000000", flush_timer=False)
    g2.report("web_search", True, 1)
    calls: dict[str, Callable[[], Any]] = {
        "call": lambda: slow.call("list_agents", {"limit": 1}),
        "typed (POST)": lambda: slow.create_agent(name="x"),
        "typed (GET)": lambda: slow.get_agent(agent_id=a),
        "check": lambda: slow.check(a, "", "web_search"),
        "Guard.check": lambda: g.check("web_search"),
        "Guard.admit": lambda: g.admit("web_search"),
        "Guard.flush": g2.flush,
        "Guard.close": g2.close,
    }
    for name, call in calls.items():
        n, secs = progress_during(call)
        assert secs >= 0.35, f"{name} returned after {secs:.2f}s (expected the 0.4 s timeout)"
        assert released(n, secs), f"{name}: another thread made {n} steps in {secs:.2f}s ({n0} in {secs0:.2f}s asleep)"
    with pytest.raises(warden.TimeoutError):
        slow.get_agent(agent_id=a)
    assert g2.stats()["failed_flushes"] >= 1


# ---- a stopped gateway -------------------------------------------------------------------------


async def test_stopped_gateway(tmp_path: Path) -> None:
    gw = Gateway(tmp_path / "stopped.db")
    try:
        client = gw.client(retries=0, connect_timeout_ms=1000)
        a = agent(client)
        s = session(client, a)
        open_guard = Guard(client, a, fail_open=True, flush_timer=False)
        closed_guard = Guard(client, a, flush_timer=False)
        assert open_guard.check("web_search").source != "fail_open"
    finally:
        gw.stop()
    with pytest.raises(warden.NetworkError) as ne:
        client.check(a, s, "web_search")
    assert ne.value.code == "NETWORK_ERROR"
    with pytest.raises(warden.NetworkError):
        client.get_agent(agent_id=a)
    with pytest.raises(warden.NetworkError):
        await client.wait_for_decision(approval_id="apr_00000000000000000000000000", timeout_seconds=1)

    d = open_guard.check("web_search")  # a read: fail-open allows it
    assert (d.allowed, d.code, d.reason, d.source, d.effect) == (True, "ALLOW", "fail_open", "fail_open", "read")
    ran: list[int] = []
    open_guard.protect(tool="db:query", effect="read")(lambda: ran.append(1))()
    assert ran == [1]
    with pytest.raises(warden.GuardianUnavailableError) as gu:  # not a read: never fails open
        open_guard.check("db:drop")
    assert gu.value.reason == "unreachable" and gu.value.decision["code"] == "GUARDIAN_UNAVAILABLE"
    with pytest.raises(warden.GuardianUnavailableError):  # fail_open=False
        closed_guard.check("web_search")
    assert open_guard.stats()["buffered"] >= 2  # the fail_open events (and reports) wait for a flush
