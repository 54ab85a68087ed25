"""Shared paths for the Python package's tests (run from anywhere: pytest python/tests)."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared" / "data"


def shared(*parts: str) -> Path:
    """A file under ../shared/data. Skips the test (visibly) when the data is not
    there, except in CI (the `CI` environment variable set), where it fails."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{p} is missing: CI must provide ../shared/data")
        pytest.skip(f"needs {p} (real traces, see README)")
    return p
