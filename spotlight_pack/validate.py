"""Validate and describe any package zip, ours or not: what ``spotlight-pack validate``/``inspect`` run."""

from __future__ import annotations

from pathlib import Path

from .errors import Problem
from .formats import DETECTION_ORDER, PackageFormat
from .formats.common import Package, PackageInfo

ROOT_MANIFESTS = ("imsmanifest.xml", "cmi5.xml", "tincan.xml")


def detect_format(package: Package) -> PackageFormat | None:
    """The format a package declares by its manifest, most specific first."""
    for format_class in DETECTION_ORDER:
        if format_class.detect(package):
            return format_class()
    return None


def _open(path: Path) -> tuple[Package | None, PackageFormat | None, list[Problem]]:
    package, problems = Package.from_zip(Path(path))
    if package is None:
        return None, None, problems
    package_format = detect_format(package)
    if package_format is None:
        nested = sorted(name for name in package.files if name.rsplit("/", 1)[-1] in ROOT_MANIFESTS and "/" in name)
        if nested:
            problems.append(
                package.problem(f"{nested[0]} is not at the zip root: zip the folder's contents, not the folder")
            )
        else:
            problems.append(
                package.problem("no imsmanifest.xml, cmi5.xml or tincan.xml at the zip root: not an e-learning package")
            )
    return package, package_format, problems


def validate(path: Path | str) -> list[Problem]:
    """Every problem that would stop or spoil an LMS import; an empty list means the package is valid."""
    package, package_format, problems = _open(Path(path))
    if package is not None and package_format is not None:
        problems += package_format.validate(package)
    return problems


def inspect(path: Path | str) -> tuple[PackageInfo | None, list[Problem]]:
    """A description of the package, or the problems that keep it from being read."""
    package, package_format, problems = _open(Path(path))
    if package is None or package_format is None:
        return None, problems
    problems += package_format.validate(package)
    if any("not well-formed" in problem.message for problem in problems):
        return None, problems
    return package_format.inspect(package), problems
