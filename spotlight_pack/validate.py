"""Validate and describe any package zip, ours or not: what ``spotlight-pack validate``/``inspect`` run.

The zip is read by ``formats.archive`` under ``ZipLimits`` (hostile zips are refused before anything
is unpacked); each problem carries a rule id and a severity from ``rules.RULES``. A package is valid
when it has no errors; warnings are reported but only ``--strict`` fails on them.
"""

from __future__ import annotations

from pathlib import Path

from .errors import Problem
from .formats import DETECTION_ORDER, PackageFormat
from .formats.archive import DEFAULT_LIMITS, ZipLimits, read_zip
from .formats.common import Package, PackageInfo, parse_xml, spotlight_data, study_time

ROOT_MANIFESTS = ("imsmanifest.xml", "cmi5.xml", "tincan.xml")
READS = tuple(dict.fromkeys(name for format_class in DETECTION_ORDER for name in format_class.reads))
UNREADABLE_MANIFEST_RULES = {
    "xml-malformed",
    "xml-doctype",
    "manifest-too-large",
    "manifest-unreadable",
    "manifest-unknown",
}


def detect_format(package: Package) -> PackageFormat | None:
    """The format a package declares by its manifest, most specific first."""
    for format_class in DETECTION_ORDER:
        if format_class.detect(package):
            return format_class()
    return None


def _open(path: Path, limits: ZipLimits) -> tuple[Package | None, PackageFormat | None, list[Problem]]:
    package, problems = read_zip(path, READS, limits)
    if package is None:
        return None, None, problems
    package_format = detect_format(package)
    if package_format is None:
        present = [name for name in ROOT_MANIFESTS if name in package.names]
        if present:
            # A manifest is there but says nothing we recognise: say why (unreadable, a DOCTYPE, not
            # XML, …) or that it is of no known kind.
            root, parse_problems = parse_xml(package, present[0])
            problems += parse_problems or [
                package.problem(
                    "manifest-unknown",
                    "declares neither SCORM 1.2 nor SCORM 2004 (by its namespace or schemaversion)",
                    root.sourceline if root is not None else None,
                    present[0],
                )
            ]
        else:
            problems.append(_missing_manifest(package))
    return package, package_format, problems


def _missing_manifest(package: Package) -> Problem:
    """Say what the zip is instead: a folder zipped with its parent, a manifest that is a folder, …"""
    folders = sorted(name for name in package.folders if name in ROOT_MANIFESTS)
    if folders:
        return package.problem("manifest-is-folder", f"{folders[0]} is a folder, not a file")
    nested = sorted(
        (name for name in package.names if name.rsplit("/", 1)[-1] in ROOT_MANIFESTS and "/" in name),
        key=lambda name: (name.count("/"), name),
    )
    if nested:
        return package.problem(
            "manifest-not-at-root",
            f"{nested[0]} is not at the zip root: zip the folder's contents, not the folder",
        )
    wrong_case = sorted(name for name in package.names if name.lower() in ROOT_MANIFESTS and name not in ROOT_MANIFESTS)
    if wrong_case:
        return package.problem(
            "manifest-missing",
            f"{wrong_case[0]} must be spelled {wrong_case[0].lower()} (LMSs compare the name exactly)",
        )
    return package.problem(
        "manifest-missing", "no imsmanifest.xml, cmi5.xml or tincan.xml at the zip root: not an e-learning package"
    )


def validate(path: Path | str, limits: ZipLimits = DEFAULT_LIMITS) -> list[Problem]:
    """Every problem found in a package zip, errors and warnings (``Problem.severity``).

    The package is valid when no problem is an error: ``not any(p.is_error for p in problems)``.
    ``limits`` bounds what a hostile zip may cost (see ``ZipLimits``).
    """
    package, package_format, problems = _open(Path(path), limits)
    if package is not None and package_format is not None:
        problems += package_format.validate(package)
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.is_error]


def inspect(path: Path | str, limits: ZipLimits = DEFAULT_LIMITS) -> tuple[PackageInfo | None, list[Problem]]:
    """A description of the package with every problem ``validate`` finds.

    The description is None when the package cannot be described safely: the archive itself has an
    error (unreadable, a zip bomb, ``..`` or absolute paths, links, duplicates, …) or its manifest
    cannot be parsed. ``inspect`` and ``validate`` always agree on the problems.
    """
    package, package_format, problems = _open(Path(path), limits)
    if package is None or package_format is None:
        return None, problems
    problems += package_format.validate(package)
    refused = any(problem.is_error and problem.rule.startswith("zip-") for problem in problems)
    if refused or any(problem.rule in UNREADABLE_MANIFEST_RULES for problem in problems):
        return None, problems
    return _with_study_time(package_format.inspect(package), package), problems


def _with_study_time(info: PackageInfo, package: Package) -> PackageInfo:
    """Add the study-time estimate our packages carry, in whatever format: the total stays what the
    manifest's metadata says when it says it (SCORM's LOM), the parts come from the package data."""
    minutes, parts = study_time(spotlight_data(package))
    info.study_parts = parts
    if info.study_minutes is None:
        info.study_minutes = minutes
    return info
