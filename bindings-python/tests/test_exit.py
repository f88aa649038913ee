"""The known PyO3/tokio exit crash: 100 short interpreters that use the async API must all exit 0.

Half of them leave a fetch in flight (on a slow endpoint) when the interpreter exits, the case
that races `Py_Finalize` without the `atexit` runtime shutdown.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from warden import Key, KeySet

from jwks_server import JwksServer

SCRIPT = r"""
import asyncio, sys
import warden

async def main(url, slow_url, leave_pending):
    ks = await warden.KeySet.fetch(url)
    assert len(ks) == 1
    if leave_pending:
        loop = asyncio.get_running_loop()
        fut = warden.KeySet.fetch(slow_url)   # still running in Rust when we return
        await asyncio.sleep(0.01)
        fut.cancel()

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] == "1"))
"""

RUNS = 100


def test_100_interpreters_exit_cleanly() -> None:
    with JwksServer(KeySet([Key.generate_ed25519("k")]).to_public_jwks(), delay=0.2) as s:
        def run(i: int) -> tuple[int, int, str]:
            p = subprocess.run(
                [sys.executable, "-c", SCRIPT, s.url(), s.url("/slow"), str(i % 2)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            return i, p.returncode, p.stderr[-2000:]

        with ThreadPoolExecutor(max_workers=4) as ex:
            results = list(ex.map(run, range(RUNS)))
    bad = [(i, rc, err) for i, rc, err in results if rc != 0]
    assert not bad, f"{len(bad)}/{RUNS} interpreters did not exit 0; first: {bad[0]}"
    assert len(results) == RUNS


WAIT_SCRIPT = r"""
import asyncio
import warden

async def main():
    c = warden.Client.local()
    a = c.create_agent(name="x", capabilities=["tool:*"])["agent_id"]
    s = c.init_session(agent_id=a, server_id="s", mode="supervised")["session_id"]
    d = c.check(a, s, "delete_file")
    # a native wait still blocked in the core when the interpreter exits
    fut = asyncio.ensure_future(c.wait_for_decision(approval_id=d.approval_id, timeout_seconds=30))
    await asyncio.sleep(0.01)
    fut.cancel()

asyncio.run(main())
"""


def test_interpreters_exit_with_a_pending_wait_for_decision() -> None:
    def run(i: int) -> tuple[int, int, str]:
        p = subprocess.run([sys.executable, "-c", WAIT_SCRIPT], capture_output=True, text=True, timeout=60)
        return i, p.returncode, p.stderr[-2000:]

    with ThreadPoolExecutor(max_workers=4) as ex:
        results = list(ex.map(run, range(8)))
    bad = [r for r in results if r[1] != 0]
    assert not bad, f"{len(bad)}/8 interpreters did not exit 0; first: {bad[0]}"
