#!/usr/bin/env python3
"""Compares parity transcripts (tests/parity/README.md).

    compare.py EXPECTED_DIR LANG_DIR [LANG_DIR ...]

Every `*.json` in EXPECTED_DIR must exist in every LANG_DIR with exactly the same cases and the
same records, compared type-strictly (1 != 1.0 != True, missing != null). Prints the first
differing step of every differing case and exits 1 if there is any difference or any file or
case is missing.
"""
import json
import sys
from pathlib import Path


def strict(v):
    """A form in which bool/int/float/None are distinct and key order is irrelevant."""
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, int):
        return ("i", v)
    if isinstance(v, float):
        return ("f", v)
    if isinstance(v, dict):
        return ("o", tuple(sorted((k, strict(x)) for k, x in v.items())))
    if isinstance(v, list):
        return ("a", tuple(strict(x) for x in v))
    return (type(v).__name__, v)


def first_diff(a, b, path="$"):
    if strict(a) == strict(b):
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: {'missing' if k not in b else 'unexpected'}"
            d = first_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, f"{path}[{i}]")
            if d:
                return d
    return f"{path}: expected {json.dumps(a)[:300]}, got {json.dumps(b)[:300]}"


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    expected = Path(argv[1])
    files = sorted(expected.glob("*.json"))
    if not files:
        print(f"compare: no transcripts in {expected}")
        return 1
    bad = 0
    for lang_dir in map(Path, argv[2:]):
        lang_bad = 0
        steps = 0
        for f in files:
            want = json.loads(f.read_text())
            got_path = lang_dir / f.name
            if not got_path.exists():
                print(f"{lang_dir}: missing transcript {f.name}")
                lang_bad += 1
                continue
            got = json.loads(got_path.read_text())
            for case in sorted(set(want) | set(got)):
                if case not in got or case not in want:
                    print(f"{lang_dir}/{f.name}::{case}: {'missing' if case not in got else 'unexpected case'}")
                    lang_bad += 1
                    continue
                steps += len(want[case])
                d = first_diff(want[case], got[case])
                if d:
                    print(f"{lang_dir}/{f.name}::{case}: {d}")
                    lang_bad += 1
        status = "identical" if not lang_bad else f"{lang_bad} differences"
        print(f"parity: {lang_dir}: {len(files)} files, {steps} steps: {status}")
        bad += lang_bad
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
