"""The Python parity runner (tests/parity/README.md).

    python run.py <scenario files...> --out <dir> [--gateway URL --api-key KEY]

Replays every case of every given engine-shaped file through the Python SDK's public API
(``replay.py``), writes ``<dir>/<file stem>.json`` = ``{case name: [record, ...]}`` per file, and
exits 1 naming each ``file::case step i`` whose expectation failed (the transcripts are written
either way). Pure cases (no ``steps``) have an empty transcript, as in the Rust runner.

With ``--gateway URL --api-key KEY`` every case runs through ``Client.connect`` against a gateway
started with ``--test-mode`` (``test_reset`` per case, ``test_advance`` for ``advance``); the
transcripts must still equal ``expected/``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay import Gateway, run_scenario  # noqa: E402


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path, help="scenario files (engine-shaped JSON)")
    ap.add_argument("--out", required=True, type=Path, help="transcript directory")
    ap.add_argument("--gateway", metavar="URL", help="run against this live gateway (test mode)")
    ap.add_argument("--api-key", metavar="KEY", help="the gateway's admin API key (with --gateway)")
    a = ap.parse_args(argv)
    if (a.gateway is None) != (a.api_key is None):
        ap.error("--gateway and --api-key go together")
    gateway = Gateway(a.gateway, a.api_key) if a.gateway is not None else None
    a.out.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    cases_run = 0
    for path in a.files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not (isinstance(doc, dict) and isinstance(doc.get("clock"), int) and isinstance(doc.get("cases"), list)):
            failed.append(f"{path.name}: not a scenario file (needs an integer clock and cases)")
            continue
        transcripts: dict[str, list[dict[str, object]]] = {}
        for case in doc["cases"]:
            name = case["name"]
            transcript, failures = run_scenario(case, doc["clock"], gateway)
            if name in transcripts:
                failures = [*failures, "duplicate case name"]
            transcripts[name] = transcript
            cases_run += 1
            failed.extend(f"{path.name}::{name} {f}" for f in failures)
        out = a.out / f"{path.stem}.json"
        body = {k: transcripts[k] for k in sorted(transcripts)}
        out.write_text(json.dumps(body, separators=(",", ":")) + "\n", encoding="utf-8")
    for f in failed:
        print(f"FAIL {f}", file=sys.stderr)
    mode = f" against {a.gateway}" if gateway is not None else ""
    print(f"python parity{mode}: {cases_run} cases in {len(a.files)} files, {len(failed)} failures; transcripts in {a.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
