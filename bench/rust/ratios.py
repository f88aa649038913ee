#!/usr/bin/env python3
"""Reads criterion output and prints each group's timings and ratios against Warden's row."""
import re
import sys

UNIT = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
rows = {}
name = None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(\S+/\S+)\s*(time:.*)?$", line.strip())
    if m and "/" in m.group(1) and not line.startswith(" "):
        name = m.group(1)
    t = re.search(r"time:\s+\[(\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\]", line)
    if t and name:
        rows[name] = float(t.group(3)) * UNIT[t.group(4)]
groups = {}
for k, v in rows.items():
    g, b = k.split("/", 1)
    groups.setdefault(g, []).append((b, v))
print("| group | implementation | time per op | Warden speed-up (peer time / Warden time) |")
print("|---|---|---|---|")
for g, items in groups.items():
    base = next((v for b, v in items if b.startswith("warden")), None)
    for b, v in items:
        ratio = "" if b.startswith("warden") or base is None else f"{v / base:.2f}x"
        print(f"| {g} | {b} | {v:,.1f} ns | {ratio} |")
