"""Shared helpers for the Warden Python tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VECTORS_DIR = Path(os.environ.get("WARDEN_VECTORS_DIR", ROOT / "tests" / "vectors"))
#: The engine replay shared with the parity runner (``tests/parity/python/replay.py``).
PARITY_DIR = ROOT / "tests" / "parity" / "python"
sys.path.insert(0, str(PARITY_DIR))
