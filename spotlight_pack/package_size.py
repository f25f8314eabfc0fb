"""How large a course's packages will be, and a warning when an LMS may refuse them.

Upload limits are set by each LMS's web server (PHP's ``upload_max_filesize``, a reverse proxy's body
limit): Open edX's Studio has trouble above about 50 MB, several hosted LMSs cap packages at 1 GB, and
PHP defaults are far lower. ``check`` therefore warns when one package of the course (one format, one
language) would be larger than ``max_package_size`` in course.yaml (default 50 MB), and names the
biggest files, which are nearly always videos: shorten, re-encode or host them separately.

The estimate is the sum of the files' sizes (the player's own files add about 60 KB): media is stored
compressed already, so the zip is barely smaller.
"""

from __future__ import annotations

import re
from pathlib import Path

from .blocks.base import human_size
from .errors import Problem, display_path
from .model import Course

DEFAULT_MAX_PACKAGE_SIZE = 50_000_000
PLAYER_BYTES = 60_000
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3}


def parse_size(value: object) -> int | None:
    """``50 MB``, ``200MB``, ``1 GB`` or a number of bytes; None when it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = _SIZE.match(str(value))
    if not match:
        return None
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "").upper()]) or None


def package_size_problems(course: Course, course_dir: Path | str, line: int | None = None) -> list[Problem]:
    """One warning per language whose packages would exceed the course's ``max_package_size``."""
    problems = []
    for lang in course.languages:
        files = [asset for asset in course.assets if asset.lang in (None, lang)]
        total = PLAYER_BYTES + sum(len(asset.data) for asset in files)
        if total <= course.max_package_size:
            continue
        biggest = sorted(files, key=lambda asset: (-len(asset.data), asset.path))[:3]
        named = ", ".join(f"{asset.path} ({human_size(len(asset.data))})" for asset in biggest)
        problems.append(
            Problem(
                display_path(Path(course_dir) / "course.yaml"),
                line,
                f"the '{lang}' packages would be about {human_size(total)}, more than max_package_size "
                f"({human_size(course.max_package_size)}), which many LMSs refuse to upload; biggest files: {named}",
                severity="warning",
                rule="package-size",
            )
        )
    return problems
