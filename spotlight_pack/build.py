"""The build pipeline: sources → course model → rendered player → format package → zip in ``dist/``.

Like MkDocs' build: plain steps, each a function of the one before. Every package is validated with
the same validator ``spotlight-pack validate`` uses before anything is written, and the zips of one
build are written only when all of them are good, each atomically, so a failed build leaves the
output folder as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError, Problem, SourceError
from .formats import FORMATS, get_format
from .formats.archive import collision_problems, entry_name_problems
from .formats.common import Package, deterministic_zip, write_atomically
from .model import Course
from .render import render_package
from .sources import find_courses, load_course

DEFAULT_SOURCES = Path("course_sources")
DEFAULT_OUT = Path("dist")


@dataclass(frozen=True)
class BuildTarget:
    course: Course
    format: str
    lang: str

    @property
    def file_name(self) -> str:
        return f"{self.course.id}-{self.course.version}-{self.format}-{self.lang}.zip"


def package_bytes(course: Course, format_name: str, lang: str, settings: Mapping[str, str] | None = None) -> bytes:
    """One validated package as zip bytes; raises ``BuildError`` if the result would not import."""
    package_format = get_format(format_name)
    settings = dict(settings or {})
    rendered = render_package(course, lang, package_format.tracking, package_format.runtime_settings(settings))
    files = package_format.package_files(course, lang, rendered, settings)
    name = BuildTarget(course, format_name, lang).file_name
    package = Package.from_files(files, name)
    problems: list[Problem] = []
    for entry in files:
        problems += entry_name_problems(name, entry)
    problems += collision_problems(name, list(files))
    problems += package_format.validate(package)
    if problems:
        details = "\n".join(f"  {problem}" for problem in problems)
        raise BuildError(f"{name} failed its own validation (a bug in spotlight-pack, please report it):\n{details}")
    return deterministic_zip(files)


def load_courses(sources: Iterable[Path]) -> list[Course]:
    """Load every course, collecting the problems of all of them before giving up."""
    courses: list[Course] = []
    problems: list[Problem] = []
    for source in sources:
        try:
            courses.append(load_course(source))
        except SourceError as error:
            problems += error.problems
    if problems:
        raise SourceError(problems)
    return courses


def resolve_sources(sources: Sequence[Path] | None) -> list[Path]:
    """The course folders to build: the given ones, or every course under ``course_sources/``.

    A given folder without a ``course.yaml`` that holds course folders (``course_sources/`` itself,
    say) stands for those courses.
    """
    if sources:
        found: list[Path] = []
        for source in map(Path, sources):
            inner = find_courses(source) if source.is_dir() and not (source / "course.yaml").exists() else []
            found += inner or [source]
        return found
    if not DEFAULT_SOURCES.is_dir():
        raise BuildError(f"no {DEFAULT_SOURCES}/ folder here: run from the project folder or name the course folders")
    found = find_courses(DEFAULT_SOURCES)
    if not found:
        raise BuildError(f"no course folders (with a course.yaml) under {DEFAULT_SOURCES}/")
    return found


def default_formats(settings: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """The formats a build that names none produces, and a one-line note for each one left out.

    ``scorm12-xapi`` is left out without an LRS endpoint: such a zip could report nowhere unless the
    LMS's launch URL names an LRS, which Brightspace, Moodle and Canvas do not do for SCORM.
    """
    chosen, notes = [], []
    for name in FORMATS:
        note = get_format(name).skip_by_default(settings or {})
        if note:
            notes.append(note)
        else:
            chosen.append(name)
    return chosen, notes


def plan(
    courses: Sequence[Course], formats: Sequence[str] | None, languages: Sequence[str] | None
) -> list[BuildTarget]:
    """Every (course, format, language) to build, in a stable order."""
    chosen_formats = list(formats or FORMATS)
    unknown = [name for name in chosen_formats if name not in FORMATS]
    if unknown:
        raise BuildError(f"unknown format {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    targets = []
    for course in courses:
        for lang in languages or course.languages:
            if lang not in course.languages:
                raise BuildError(f"course {course.id} has no language '{lang}' (it has {', '.join(course.languages)})")
            for format_name in chosen_formats:
                targets.append(BuildTarget(course, format_name, lang))
    return targets


def build(
    sources: Sequence[Path | str] | None = None,
    formats: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    out: Path | str = DEFAULT_OUT,
    settings: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Build packages and return the paths written.

    ``sources`` are course folders (default: every course under ``course_sources/``), ``formats`` and
    ``languages`` narrow the build (default: every language, and every format ``default_formats``
    allows with these settings: no ``scorm12-xapi`` without an LRS endpoint). ``settings`` carries
    format options such as the LRS endpoint of ``scorm12-xapi``; ``progress(done, total)`` is called
    after each package.
    Raises ``SourceError`` (with file:line problems) or ``BuildError``; in both cases nothing is written.
    """
    if not formats:
        formats = default_formats(settings)[0]
    for format_name in formats:
        if format_name in FORMATS:
            problems = get_format(format_name).settings_problems(settings or {})
            if problems:
                raise BuildError(f"{format_name}: " + "; ".join(problems))
    courses = load_courses(resolve_sources([Path(source) for source in sources] if sources else None))
    targets = plan(courses, formats, languages)
    built: list[tuple[Path, bytes]] = []
    out_dir = Path(out)
    for done, target in enumerate(targets, start=1):
        built.append((out_dir / target.file_name, package_bytes(target.course, target.format, target.lang, settings)))
        if progress:
            progress(done, len(targets))
    for path, data in built:
        write_atomically(path, data)
    return [path for path, _ in built]
