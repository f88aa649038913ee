"""Shared helpers for the Warden Python tests."""

from __future__ import annotations

import os
from pathlib import Path

VECTORS_DIR = Path(os.environ.get("WARDEN_VECTORS_DIR", Path(__file__).resolve().parents[2] / "tests" / "vectors"))
