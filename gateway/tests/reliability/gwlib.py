"""Shared helpers for the gateway reliability tests (Python 3 standard library only).

Starting/stopping a `warden-gateway serve` process on a SQLite file, and a tiny JSON-over-HTTP
client on `http.client` that distinguishes an *acknowledged* answer (a complete HTTP response)
from an unknown outcome (connection refused/reset, timeout: the write may or may not have
happened).
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse

ADMIN_KEY = "wk_reliability_bootstrap_key_0123456789"


class Unknown(Exception):
    """The request's outcome is unknown (no complete response was received).

    `sent_at` (time.monotonic()) and `reused` (sent on a kept-alive connection) say when and how
    the request went out."""

    sent_at = None
    reused = False


class Failure(Exception):
    """A durability or correctness property does not hold."""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Gateway:
    """One `warden-gateway serve` process on `db` (a fresh port on each start)."""

    def __init__(self, binary, db, log_path, extra=()):
        self.binary = binary
        self.db = db
        self.log_path = log_path
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.starts = 0

    def start(self, timeout=60.0):
        self.port = free_port()
        env = dict(os.environ)
        env["WARDEN_BOOTSTRAP_KEY"] = ADMIN_KEY
        log = open(self.log_path, "ab")
        log.write(("\n=== start %d on port %d ===\n" % (self.starts + 1, self.port)).encode())
        log.flush()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % self.port,
             "--quiet", "--key-rate", "0"] + self.extra,
            env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        self.starts += 1
        t0 = time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise Failure("gateway exited during startup with code %s; see %s"
                              % (self.proc.returncode, self.log_path))
            try:
                st, _ = Client(self.port, timeout=2).request("GET", "/health", auth=False)
                if st == 200:
                    return time.monotonic() - t0
            except Unknown:
                pass
            if time.monotonic() - t0 > timeout:
                self.kill9()
                raise Failure("gateway not healthy after %.0f s; see %s" % (timeout, self.log_path))
            time.sleep(0.01)

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class Client:
    """JSON client. `fresh=True`: every request on a new TCP connection."""

    def __init__(self, port, key=ADMIN_KEY, timeout=10.0, fresh=False):
        self.port = port
        self.key = key
        self.timeout = timeout
        self.fresh = fresh
        self.conn = None
        self.last_sent = None  # time.monotonic() when the last request started
        self.last_reused = False  # was it sent on an already open (keep-alive) connection?

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def request(self, method, path, body=None, query=None, auth=True):
        """Returns (status, decoded JSON body or text); raises Unknown on transport failure."""
        if query:
            path = path + "?" + urllib.parse.urlencode(query)
        headers = {}
        if auth:
            headers["Authorization"] = "Bearer " + self.key
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.fresh:
            self.close()
        self.last_reused = self.conn is not None
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.last_sent = time.monotonic()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException) as e:
            self.close()
            u = Unknown("%s %s: %s: %s" % (method, path, type(e).__name__, e))
            u.sent_at, u.reused = self.last_sent, self.last_reused
            raise u
        if self.fresh:
            self.close()
        try:
            val = json.loads(raw.decode()) if raw else None
        except ValueError:
            val = raw.decode(errors="replace")
        return status, val

    # Convenience wrappers: raise Failure on a non-2xx answer (an acknowledged refusal).
    def ok(self, method, path, body=None, query=None):
        st, v = self.request(method, path, body=body, query=query)
        if not 200 <= st < 300:
            raise Failure("%s %s -> %d %s (body %s)" % (method, path, st, v, body))
        return v

    def post(self, path, body=None):
        return self.ok("POST", path, body=body if body is not None else {})

    def get(self, path, query=None):
        return self.ok("GET", path, query=query)


def q(s):
    return urllib.parse.quote(s, safe="")
