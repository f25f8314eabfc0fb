"""Spotlight Pack: compile plain-file courses into packages any LMS imports.

Public API::

    import spotlight_pack
    paths = spotlight_pack.build(["course_sources/first-contact-care"], formats=["scorm12"], languages=["es"])
    problems = spotlight_pack.validate("dist/first-contact-care-1.0.0-scorm12-es.zip")
    info, problems = spotlight_pack.inspect("dist/first-contact-care-1.0.0-scorm12-es.zip")
    problems = spotlight_pack.check("course_sources/first-contact-care")
    problems = spotlight_pack.validate("big.zip", limits=spotlight_pack.ZipLimits(max_total_size=8 * 2**30))
"""

from __future__ import annotations

from .build import build
from .errors import BuildError, Problem, SourceError, SpotlightError
from .formats.archive import ZipLimits
from .sources import check_course as check
from .sources import load_course
from .validate import inspect, validate

__all__ = [
    "BuildError",
    "Problem",
    "SourceError",
    "SpotlightError",
    "ZipLimits",
    "build",
    "check",
    "inspect",
    "load_course",
    "validate",
]
