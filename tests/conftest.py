"""Fixtures shared by every test folder: where the project, its fixture course and the shared schemas are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI_COURSE = ROOT / "tests" / "fixtures" / "courses" / "mini"
SHARED_SCHEMAS = ROOT.parent / "shared" / "schemas"


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A private copy of the mini course that a test may break."""
    target = tmp_path / "mini"
    shutil.copytree(MINI_COURSE, target)
    return target


@pytest.fixture(scope="session")
def shared_schemas() -> Path:
    """The project's reference XSDs (../shared/schemas), independent of the copies the builder ships."""
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"reference schemas not found at {SHARED_SCHEMAS} (they sit beside the checkout in CI)")
    return SHARED_SCHEMAS
