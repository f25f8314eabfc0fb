"""SCORM 1.2: a single SCO tracked through the LMS's ``API`` object (``cmi.core.*``)."""

from __future__ import annotations

from . import cp12
from .common import Package


class Scorm12Format(cp12.Scorm12Package):
    name = "scorm12"
    tracking = "scorm12"
    summary = "SCORM 1.2 (imsmanifest.xml, one SCO): the format every LMS imports, Brightspace included"

    @classmethod
    def detect(cls, package: Package) -> bool:
        return cp12.is_scorm12(package)
