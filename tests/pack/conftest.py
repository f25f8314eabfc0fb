"""Fixtures of the packager tests."""

from __future__ import annotations

import sys
from pathlib import Path

# pytest does not put test folders on sys.path: make the zip-crafting helper importable.
sys.path.insert(0, str(Path(__file__).parent))
