"""Shared paths for the Python package's tests (run from anywhere: pytest python/tests)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared" / "data"


def shared(*parts: str) -> Path:
    """A file under ../shared/data; skips the test when the data is not there."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (real traces, see README)")
    return p
