"""SCORM 1.2: a single SCO tracked through the LMS's ``API`` object (``cmi.core.*``)."""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import Problem
from ..model import Course
from . import cp12
from .base import PackageFormat
from .common import Package, PackageInfo


class Scorm12Format(PackageFormat):
    name = "scorm12"
    tracking = "scorm12"
    summary = "SCORM 1.2 (imsmanifest.xml, one SCO): the format every LMS imports, Brightspace included"

    def package_files(
        self, course: Course, lang: str, rendered: Mapping[str, bytes], settings: Mapping[str, str]
    ) -> dict[str, bytes]:
        files = dict(rendered)
        files[cp12.MANIFEST] = cp12.manifest(course, lang, rendered, launch="index.html")
        files.update(cp12.schemas())
        return files

    @classmethod
    def detect(cls, package: Package) -> bool:
        return cp12.is_scorm12(package)

    def validate(self, package: Package) -> list[Problem]:
        return cp12.validate(package)

    def inspect(self, package: Package) -> PackageInfo:
        return cp12.inspect(package, self.name)
