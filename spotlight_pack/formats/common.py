"""What every format shares: the package abstraction, deterministic zips, XML and XSD helpers.

Format modules never import each other; anything two of them need lives here.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from lxml import etree

from ..errors import BuildError, Problem

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
UTF8_FLAG = 0x800


class Package:
    """A package's files, from a zip on disk or from a build in memory, read the same way.

    Building validates its output with the same code that validates any zip an admin hands us, so the
    two can never disagree about what a valid package is.
    """

    def __init__(self, files: Mapping[str, bytes], name: str, size: int | None = None) -> None:
        self.files = dict(files)
        self.name = name
        self.size = size

    @classmethod
    def from_zip(cls, path: Path) -> tuple[Package | None, list[Problem]]:
        """Read a zip; problems with the archive itself (not a zip, bad paths, junk) come back too."""
        where = str(path)
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            reason = "not a zip file" if isinstance(error, zipfile.BadZipFile) else error.strerror or str(error)
            return None, [Problem(where, None, f"cannot open: {reason}")]
        problems: list[Problem] = []
        files: dict[str, bytes] = {}
        with archive:
            for info in archive.infolist():
                problems.extend(entry_name_problems(where, info.filename))
                if info.is_dir():
                    continue
                try:
                    files[info.filename] = archive.read(info)
                except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as error:
                    problems.append(Problem(where, None, f"{info.filename}: cannot be read ({error})"))
        return cls(files, where, size=path.stat().st_size), problems

    def read_text(self, name: str) -> str:
        return self.files[name].decode("utf-8")

    def problem(self, message: str, line: int | None = None, file: str | None = None) -> Problem:
        return Problem(f"{self.name}!{file}" if file else self.name, line, message)


def entry_name_problems(where: str, name: str) -> list[Problem]:
    """Path rules LMS importers enforce on zip entries (see lms-import-pitfalls.md)."""
    problems = []
    parts = name.split("/")
    if "\\" in name:
        problems.append(Problem(where, None, f"{name}: backslash in path (use /); many LMSs extract it flat"))
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        problems.append(Problem(where, None, f"{name}: absolute path; entries must be relative to the zip root"))
    if ".." in parts:
        problems.append(Problem(where, None, f"{name}: '..' in path escapes the package root"))
    if parts[0] == "__MACOSX" or any(part.startswith("._") for part in parts):
        problems.append(Problem(where, None, f"{name}: macOS metadata entry (__MACOSX or ._*): remove it"))
    elif parts[-1] in JUNK_NAMES:
        problems.append(Problem(where, None, f"{name}: operating-system junk file: remove it"))
    return problems


class _Utf8ZipInfo(zipfile.ZipInfo):
    """Always mark names as UTF-8 (bit 11): ``zipfile`` sets it only for non-ASCII names, and some
    importers (openEQUELLA, Java's zip) misread names without it."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's name)
        return self.filename.encode("utf-8"), self.flag_bits | UTF8_FLAG


def deterministic_zip(files: Mapping[str, bytes]) -> bytes:
    """A zip whose bytes depend only on the files: sorted names, fixed times and modes, UTF-8 names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = _Utf8ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either nothing or the whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- XML


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parse_xml(package: Package, name: str) -> tuple[etree._Element | None, list[Problem]]:
    """Parse a package's XML file without network access or entity expansion (untrusted input)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    try:
        return etree.fromstring(package.files[name], parser), []
    except etree.XMLSyntaxError as error:
        return None, [package.problem(f"not well-formed XML: {error.msg}", error.lineno, name)]


@cache
def schema(relative_path: str) -> etree.XMLSchema:
    """A compiled XSD from the shipped schema folder (compiled once per process: it is slow)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / relative_path)))


def schema_problems(package: Package, name: str, root: etree._Element, relative_path: str) -> list[Problem]:
    validator = schema(relative_path)
    if validator.validate(root.getroottree()):
        return []
    return [
        package.problem(f"XSD: {error.message}", error.line, name)
        for error in validator.error_log  # type: ignore[attr-defined]
    ]


def schema_files(folder: str, exclude: Iterable[str] = ()) -> dict[str, bytes]:
    """The XSDs a package must carry at its root, read from the shipped schema folder."""
    base = SCHEMA_DIR / folder
    skip = set(exclude)
    files = {}
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base).as_posix()
        if path.is_file() and relative not in skip:
            files[relative] = path.read_bytes()
    if not files:
        raise BuildError(f"no schema files found in {base}: the installation is incomplete")
    return files


# --------------------------------------------------------------------------- checks schemas miss

NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def is_absolute_iri(value: str) -> bool:
    """An absolute IRI: a scheme and something after it, no spaces (RFC 3987, as LMSs check it)."""
    if not value or any(char.isspace() for char in value) or any(char in value for char in '<>"{}|\\^`'):
        return False
    parts = urlsplit(value)
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", parts.scheme or "")) and bool(parts.netloc or parts.path)


def href_problems(package: Package, href: str, source: str, line: int | None) -> list[Problem]:
    """A package-relative reference must be relative, forward-slashed and point at a file in the zip."""
    if "\\" in href:
        return [package.problem(f"href {href!r} uses backslashes", line, source)]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        return [package.problem(f"href {href!r} must be relative to the package root", line, source)]
    path = parts.path
    if ".." in PurePosixPath(path).parts:
        return [package.problem(f"href {href!r} leaves the package root", line, source)]
    if path not in package.files:
        return [package.problem(f"href {href!r} names a file that is not in the package", line, source)]
    return []


@dataclass
class PackageInfo:
    """What ``spotlight-pack inspect`` shows about a package."""

    format: str
    title: str
    identifier: str
    version: str | None
    languages: list[str]
    launch: list[str]
    units: list[str]
    mastery_score: str | None
    file_count: int
    size: int | None
    extra: dict[str, str] = field(default_factory=dict)
