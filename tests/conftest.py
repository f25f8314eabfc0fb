"""Fixtures shared by every test folder: where the project, its fixture course and the shared schemas are."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI_COURSE = ROOT / "tests" / "fixtures" / "courses" / "mini"
SHARED_SCHEMAS = ROOT.parent / "shared" / "schemas"
SCHEMA_COPIES = ROOT / "spotlight_pack" / "schemas"
REFERENCE_SUMS = ROOT / "tests" / "fixtures" / "reference-schemas.sha256"


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A private copy of the mini course that a test may break."""
    target = tmp_path / "mini"
    shutil.copytree(MINI_COURSE, target)
    return target


@pytest.fixture(scope="session")
def shared_schemas() -> Path:
    """The project's reference XSDs, independent of the copies the builder ships.

    They are ``../shared/schemas`` beside the checkout. A clone elsewhere has no such folder, so the
    checkout records the reference set's SHA-256 sums (``tests/fixtures/reference-schemas.sha256``,
    itself checked against ``../shared/schemas`` wherever that is present); there the shipped copies
    stand in for the reference set once each file's sum matches, and nothing is skipped.
    """
    recorded = dict(
        reversed(line.split(maxsplit=1)) for line in REFERENCE_SUMS.read_text(encoding="utf-8").splitlines() if line
    )
    if SHARED_SCHEMAS.is_dir():
        reference = SHARED_SCHEMAS
        message = f"tests/fixtures/reference-schemas.sha256 is out of date with {SHARED_SCHEMAS}"
    else:
        reference = SCHEMA_COPIES
        message = f"no {SHARED_SCHEMAS} beside the checkout, and the shipped schemas differ from the reference set"
    found = {
        path.relative_to(reference).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in reference.rglob("*")
        if path.suffix in (".xsd", ".dtd")
    }
    if found != recorded:
        pytest.fail(f"{message}: {sorted(set(found.items()) ^ set(recorded.items()))[:5]}")
    return reference
