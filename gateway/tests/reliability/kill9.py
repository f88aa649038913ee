#!/usr/bin/env python3
"""kill -9 durability loop for warden-gateway (Python 3 standard library only).

    python3 gateway/tests/reliability/kill9.py --bin target/release/warden-gateway --iterations 50

One fresh SQLite file for the whole run. Each iteration:

1. a concurrent write load starts (threads, keep-alive connections, two workspaces):
   - agent creators          POST /v1/agents
   - approval workers        supervised session; a destructive tool → ELEVATION_REQUIRED → the
                             approval is approved or denied (alternately); an approved one is
                             then used (ALLOW, reason elevated)
   - revokers                agents X,Y; delegation X→Y; a delegation session; revoke the
                             delegation, revoke X — each revocation immediately probed by a
                             check on a NEW connection (must be DELEGATION_REVOKED / AGENT_REVOKED)
   - checkers                read checks (each appends one `decision` audit event)
   Every acknowledged write (complete HTTP 2xx answer) is recorded with the ids it returned.
2. after a random 50–400 ms the gateway gets SIGKILL (the load is still running);
3. the gateway restarts on the same file (journal replay) and this iteration's acknowledged
   writes are verified: agents exist (same name/workspace), approval decisions are unchanged
   (status, decided_by), revoked agents/delegations are still revoked and the next check on a
   new connection is refused for that reason, `GET /v1/audit/verify` is ok for every workspace,
   and the export holds >= as many `decision` events as acknowledged checks, including every
   acknowledged check_id.

After the last iteration everything acknowledged during the whole run is verified once more.
Any loss fails loudly (exit 1) with the ids concerned; the database and the gateway log are kept.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwlib import Client, Failure, Gateway, Unknown, q  # noqa: E402

WORKSPACES = ["default", "kill9-b"]
APPROVER = "approver-kill9"


def decision_of(status, body):
    """A check answer → the Decision (200, or an error carrying `decision`), else None."""
    if 200 <= status < 300 and isinstance(body, dict) and "code" in body:
        return body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        d = body["error"].get("decision")
        if isinstance(d, dict):
            return d
    return None


class Ledger:
    """Everything acknowledged, cumulative over the run (plus this iteration's part)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.agents = {}          # agent_id -> (workspace, name)
        self.decisions = {}       # approval_id -> (workspace, status, decided_by)
        self.revoked_agents = {}  # agent_id -> (workspace, session_id)
        self.revoked_dlg = {}     # delegation_id -> (workspace, from_agent, to_agent, session_id)
        self.checks = {ws: set() for ws in WORKSPACES}  # acknowledged check_ids
        self.new_iteration()

    def new_iteration(self):
        self.it = {"agents": [], "decisions": [], "revoked_agents": [], "revoked_dlg": [],
                   "checks": 0}

    def agent(self, aid, ws, name):
        with self.lock:
            self.agents[aid] = (ws, name)
            self.it["agents"].append(aid)

    def decision(self, apid, ws, status, by):
        with self.lock:
            self.decisions[apid] = (ws, status, by)
            self.it["decisions"].append(apid)

    def revoked_agent(self, aid, ws, sid):
        with self.lock:
            self.revoked_agents[aid] = (ws, sid)
            self.it["revoked_agents"].append(aid)

    def revoked_delegation(self, did, ws, from_agent, to_agent, sid):
        with self.lock:
            self.revoked_dlg[did] = (ws, from_agent, to_agent, sid)
            self.it["revoked_dlg"].append(did)

    def check(self, ws, check_id):
        with self.lock:
            self.checks[ws].add(check_id)
            self.it["checks"] += 1

    def total(self):
        with self.lock:
            return (len(self.agents) + len(self.decisions) + len(self.revoked_agents)
                    + len(self.revoked_dlg) + sum(len(s) for s in self.checks.values()))


class Load:
    """The write load of one iteration."""

    def __init__(self, port, ledger, iteration, rng):
        self.port = port
        self.ledger = ledger
        self.iteration = iteration
        self.rng = rng
        self.killed = threading.Event()   # set just BEFORE the SIGKILL
        self.errors = []
        self.counts = {}
        self.serial = 0
        self.cut = []  # (sent_at, on_keepalive_conn, worker, error) of requests cut by the stop
        self.lock = threading.Lock()

    # -- helpers (each call: acknowledged → recorded; Unknown propagates) --

    def create_agent(self, c, ws, tag):
        with self.lock:
            self.serial += 1
            name = "k%d_%s_%d" % (self.iteration, tag, self.serial)
        v = c.post("/v1/agents", {"name": name, "workspace": ws, "capabilities": ["tool:*"]})
        self.ledger.agent(v["agent_id"], ws, name)
        return v["agent_id"]

    def session(self, c, agent_id, mode="open"):
        v = c.post("/v1/sessions", {"agent_id": agent_id, "server_id": "srv-kill9", "mode": mode})
        return v["session_id"]

    def check(self, c, ws, agent_id, session_id, tool, want_code):
        st, body = c.request("POST", "/v1/actions/check",
                             body={"agent_id": agent_id, "session_id": session_id, "tool": tool})
        d = decision_of(st, body)
        if d is None:
            raise Failure("check %s/%s %s -> %d %s" % (agent_id, session_id, tool, st, body))
        if d.get("check_id"):
            self.ledger.check(ws, d["check_id"])
        if want_code is not None and d.get("code") != want_code:
            raise Failure("check %s on %s/%s: want %s, got %s (reason %s): %s"
                          % (tool, agent_id, session_id, want_code, d.get("code"),
                             d.get("reason"), json.dumps(d)))
        return d

    def bump(self, k):
        with self.lock:
            self.counts[k] = self.counts.get(k, 0) + 1

    # -- workers --

    def agent_creator(self, c, ws, tag):
        while not self.killed.is_set():
            self.create_agent(c, ws, tag)
            self.bump("agents")

    def approval_worker(self, c, ws, tag):
        a = self.create_agent(c, ws, tag)
        s = self.session(c, a, "supervised")
        n = 0
        while not self.killed.is_set():
            tool = "delete_records_%d_%s_%d" % (self.iteration, tag, n)
            d = self.check(c, ws, a, s, tool, "ELEVATION_REQUIRED")
            apid = d.get("approval_id")
            if not apid:
                raise Failure("ELEVATION_REQUIRED without approval_id: %s" % json.dumps(d))
            verb = "approve" if n % 2 == 0 else "deny"
            v = c.post("/v1/approvals/%s/%s" % (q(apid), verb), {"decided_by": APPROVER})
            want = "approved" if verb == "approve" else "denied"
            if v.get("status") != want:
                raise Failure("%s %s answered status %s" % (verb, apid, v.get("status")))
            self.ledger.decision(apid, ws, want, APPROVER)
            self.bump("decisions")
            if verb == "approve":
                self.check(c, ws, a, s, tool, "ALLOW")
            n += 1

    def revoker(self, c, ws, tag):
        while not self.killed.is_set():
            x = self.create_agent(c, ws, tag + "x")
            y = self.create_agent(c, ws, tag + "y")
            sx = self.session(c, x)
            dv = c.post("/v1/delegations", {"from_agent_id": x, "to_agent_id": y,
                                            "scopes": ["tool:read_*"]})
            did = dv["delegation_id"]
            ds = c.post("/v1/sessions/delegation", {"delegation_id": did})["session_id"]
            self.check(c, ws, y, ds, "read_file", "ALLOW")
            c.post("/v1/delegations/%s/revoke" % q(did), {})
            self.ledger.revoked_delegation(did, ws, x, y, ds)
            self.bump("delegation_revocations")
            # The very next check, on a new connection, must see the revocation.
            self.check(Client(self.port, fresh=True), ws, y, ds, "read_file",
                       "DELEGATION_REVOKED")
            c.post("/v1/agents/%s/revoke" % q(x), {"reason": "kill9_test"})
            self.ledger.revoked_agent(x, ws, sx)
            self.bump("agent_revocations")
            self.check(Client(self.port, fresh=True), ws, x, sx, "read_file", "AGENT_REVOKED")

    def checker(self, c, ws, tag):
        a = self.create_agent(c, ws, tag)
        s = self.session(c, a)
        n = 0
        while not self.killed.is_set():
            self.check(c, ws, a, s, "read_file_%d" % (n % 7), "ALLOW")
            self.bump("checks")
            n += 1

    def run_worker(self, fn, ws, tag):
        c = Client(self.port, timeout=10)
        try:
            fn(c, ws, tag)
        except Unknown as e:
            if self.killed.is_set():
                self.bump("in_flight_at_kill")
                with self.lock:
                    self.cut.append((e.sent_at, e.reused, fn.__name__, str(e)))
            else:
                with self.lock:
                    self.errors.append("%s/%s: transport failure while the gateway was alive: %s"
                                       % (fn.__name__, tag, e))
        except Failure as e:
            with self.lock:
                self.errors.append("%s/%s: %s" % (fn.__name__, tag, e))
        except Exception:
            with self.lock:
                self.errors.append("%s/%s: %s" % (fn.__name__, tag, traceback.format_exc()))
        finally:
            c.close()

    def threads(self):
        plan = [
            (self.agent_creator, WORKSPACES[0], "ca"),
            (self.agent_creator, WORKSPACES[1], "cb"),
            (self.approval_worker, WORKSPACES[0], "pa"),
            (self.approval_worker, WORKSPACES[1], "pb"),
            (self.revoker, WORKSPACES[0], "ra"),
            (self.revoker, WORKSPACES[1], "rb"),
            (self.checker, WORKSPACES[0], "ka"),
            (self.checker, WORKSPACES[1], "kb"),
        ]
        return [threading.Thread(target=self.run_worker, args=p, daemon=True) for p in plan]


# ------------------------------------------------------------------ verification

def verify(port, ledger, agents, decisions, revoked_agents, revoked_dlg, label):
    """Checks the given acknowledged ids plus the audit properties; returns problems."""
    problems = []
    c = Client(port, timeout=30)

    def get(path, query=None):
        st, v = c.request("GET", path, query=query)
        return st, v

    for aid in agents:
        ws, name = ledger.agents[aid]
        st, v = get("/v1/agents/" + q(aid))
        if st != 200:
            problems.append("LOST agent %s (%s/%s): GET -> %d %s" % (aid, ws, name, st, v))
        elif v.get("name") != name or v.get("workspace") != ws:
            problems.append("agent %s changed: want %s/%s, got %s/%s"
                            % (aid, ws, name, v.get("workspace"), v.get("name")))
    for apid in decisions:
        ws, status, by = ledger.decisions[apid]
        st, v = get("/v1/approvals/" + q(apid))
        if st != 200:
            problems.append("LOST approval %s (%s %s): GET -> %d %s" % (apid, status, ws, st, v))
        elif v.get("status") != status or v.get("decided_by") != by:
            problems.append("LOST decision on approval %s: acknowledged %s by %s, now %s by %s"
                            % (apid, status, by, v.get("status"), v.get("decided_by")))
    for aid in revoked_agents:
        ws, sid = ledger.revoked_agents[aid]
        st, v = get("/v1/agents/" + q(aid))
        if st != 200 or v.get("status") != "revoked":
            problems.append("LOST revocation of agent %s: GET -> %d status %s"
                            % (aid, st, v.get("status") if isinstance(v, dict) else v))
        fresh = Client(port, fresh=True)
        st, body = fresh.request("POST", "/v1/actions/check",
                                 body={"agent_id": aid, "session_id": sid, "tool": "read_file"})
        d = decision_of(st, body)
        if d is None or d.get("code") != "AGENT_REVOKED":
            problems.append("revoked agent %s: next check on a new connection -> %d %s"
                            % (aid, st, body))
        elif d.get("check_id"):
            ledger.check(ws, d["check_id"])
    for did in revoked_dlg:
        ws, from_agent, to_agent, sid = ledger.revoked_dlg[did]
        st, v = get("/v1/delegations/" + q(did))
        if st != 200 or not v.get("revoked_at"):
            problems.append("LOST revocation of delegation %s: GET -> %d %s" % (did, st, v))
        fresh = Client(port, fresh=True)
        st, body = fresh.request("POST", "/v1/actions/check",
                                 body={"agent_id": to_agent, "session_id": sid,
                                       "tool": "read_file"})
        d = decision_of(st, body)
        # SEMANTICS §9 step 4 checks the delegator before the delegation: once the delegator
        # (X) is revoked too, the refusal reads AGENT_REVOKED/delegator_revoked. X's revocation
        # may also have committed without being acknowledged (in flight at the kill).
        got = d and (d.get("code"), d.get("reason"))
        want = {("DELEGATION_REVOKED", "delegation_revoked"), ("AGENT_REVOKED", "delegator_revoked")}
        if from_agent in ledger.revoked_agents:
            want = {("AGENT_REVOKED", "delegator_revoked")}
        if got not in want:
            problems.append("revoked delegation %s: next check on a new connection -> %d %s"
                            % (did, st, body))
        elif d.get("check_id"):
            ledger.check(ws, d["check_id"])
    audit = {}
    for ws in WORKSPACES:
        st, v = get("/v1/audit/verify", {"workspace": ws})
        if st != 200 or not isinstance(v, dict) or v.get("ok") is not True:
            problems.append("audit chain of %s does not verify: %d %s" % (ws, st, v))
        st, v = get("/v1/audit/export", {"workspace": ws})
        if st != 200 or not isinstance(v, str):
            problems.append("audit export of %s: %d %s" % (ws, st, str(v)[:300]))
            continue
        events = [json.loads(line) for line in v.splitlines() if line.strip()]
        decided = {e.get("subject") for e in events if e.get("kind") == "decision"}
        with ledger.lock:
            acked = set(ledger.checks[ws])
        missing = acked - decided
        if len(events) < len(acked) or len(decided) < len(acked) or missing:
            problems.append("LOST audit events in %s: %d events (%d decisions) for %d acknowledged"
                            " checks; missing check_ids: %s"
                            % (ws, len(events), len(decided), len(acked), sorted(missing)[:20]))
        seqs = [e.get("seq") for e in events]
        if seqs != list(range(1, len(events) + 1)):
            problems.append("audit export of %s: seq not 1..n" % ws)
        audit[ws] = (len(events), len(acked))
    c.close()
    return problems, audit


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/warden-gateway")
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--min-delay-ms", type=int, default=50)
    ap.add_argument("--max-delay-ms", type=int, default=400)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temp dir even on success")
    args = ap.parse_args()

    binary = os.path.abspath(args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit("kill9: no executable at %s (cargo build -p warden-gateway --release)" % binary)
    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="warden-kill9-")
    db = os.path.join(tmp, "warden.db")
    log = os.path.join(tmp, "gateway.log")
    # A small in-memory audit window, so most audit reads after a restart come from the database.
    gw = Gateway(binary, db, log, extra=["--audit-memory", "500"])
    ledger = Ledger()
    print("kill9: seed %d, db %s, %d iterations" % (seed, db, args.iterations), flush=True)

    failed = []
    totals = {}
    started = time.monotonic()
    startup_times = []
    try:
        startup_times.append(gw.start())
        for it in range(1, args.iterations + 1):
            ledger.new_iteration()
            load = Load(gw.port, ledger, it, random.Random(rng.randrange(1 << 32)))
            threads = load.threads()
            for t in threads:
                t.start()
            delay = rng.uniform(args.min_delay_ms, args.max_delay_ms) / 1000.0
            time.sleep(delay)
            load.killed.set()
            gw.kill9()
            for t in threads:
                t.join(30)
                if t.is_alive():
                    failed.append("iteration %d: a load thread hung after the kill" % it)
            for k, v in load.counts.items():
                totals[k] = totals.get(k, 0) + v
            startup_times.append(gw.start())
            cur = ledger.it
            problems, audit = verify(gw.port, ledger, cur["agents"], cur["decisions"],
                                     cur["revoked_agents"], cur["revoked_dlg"], "iteration")
            problems = load.errors + problems
            print("iter %3d: kill at %3.0f ms (%d requests in flight); acked agents=%d decisions=%d agent_revocations=%d "
                  "delegation_revocations=%d checks=%d; audit %s; restart %.2f s%s"
                  % (it, delay * 1000, load.counts.get("in_flight_at_kill", 0), len(cur["agents"]), len(cur["decisions"]),
                     len(cur["revoked_agents"]), len(cur["revoked_dlg"]), cur["checks"],
                     " ".join("%s=%d/%d" % (w, e, a) for w, (e, a) in audit.items()),
                     startup_times[-1], "" if not problems else "  FAILED"), flush=True)
            if problems:
                failed += ["iteration %d: %s" % (it, p) for p in problems]
                break
        if not failed:
            # Everything acknowledged during the run, once more.
            problems, audit = verify(gw.port, ledger, list(ledger.agents), list(ledger.decisions),
                                     list(ledger.revoked_agents), list(ledger.revoked_dlg), "final")
            failed += ["final: %s" % p for p in problems]
    except (Failure, Unknown) as e:
        failed.append("harness: %s" % e)
    finally:
        gw.kill9()

    elapsed = time.monotonic() - started
    checked = ledger.total()
    if failed:
        print("\nkill9: FAILED — %d problem(s):" % len(failed), file=sys.stderr)
        for p in failed[:200]:
            print("  " + p, file=sys.stderr)
        print("kill9: database and gateway log kept in %s (seed %d)" % (tmp, seed),
              file=sys.stderr)
        sys.exit(1)
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print("kill9: OK iterations=%d acknowledged_writes_checked=%d (agents=%d approval_decisions=%d "
          "agent_revocations=%d delegation_revocations=%d checks=%d) restarts=%d "
          "in_flight_at_kill=%d max_restart_s=%.2f elapsed_s=%.0f seed=%d"
          % (args.iterations, checked, len(ledger.agents), len(ledger.decisions),
             len(ledger.revoked_agents), len(ledger.revoked_dlg),
             sum(len(s) for s in ledger.checks.values()), gw.starts,
             totals.get("in_flight_at_kill", 0), max(startup_times),
             elapsed, seed))


if __name__ == "__main__":
    main()
