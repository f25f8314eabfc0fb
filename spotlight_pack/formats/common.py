"""What every format shares: the package abstraction, deterministic zips, XML and XSD helpers.

Format modules never import each other; anything two of them need lives here.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from ..errors import BuildError, Problem
from ..rules import severity_of

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
UTF8_FLAG = 0x800
XSD_PROBLEMS_SHOWN = 50
DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class Package:
    """A package's file names and the contents a format needs, from a zip or from a build in memory.

    Building validates its output with the same code that validates any zip an admin hands us, so the
    two can never disagree about what a valid package is. A package read from a zip (``archive``)
    keeps only the few small files formats parse (``PackageFormat.reads``); every other entry is
    known by name, and was streamed once to check it unpacks.
    """

    def __init__(
        self,
        names: Iterable[str],
        contents: Mapping[str, bytes],
        name: str,
        size: int | None = None,
        folders: Iterable[str] = (),
        unread: Mapping[str, str] | None = None,
    ) -> None:
        self.names = frozenset(names)
        self.contents = dict(contents)
        self.name = name
        self.size = size
        self.folders = frozenset(folders)
        self.unread = dict(unread or {})
        """Why a file a format wanted could not be kept (too large, corrupt), by name."""

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], name: str) -> Package:
        return cls(files, files, name)

    def content(self, name: str) -> bytes | None:
        return self.contents.get(name)

    def problem(self, rule: str, message: str, line: int | None = None, file: str | None = None) -> Problem:
        where = f"{self.name}!{file}" if file else self.name
        return Problem(where, line, message, severity_of(rule), rule)

    def same_but_for_case(self, name: str) -> str | None:
        """The entry whose name equals ``name`` but for case, if any (for a clearer message)."""
        folded = name.casefold()
        return next((entry for entry in sorted(self.names) if entry.casefold() == folded), None)


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
    """Write ``data`` to ``path`` so that readers see either nothing or the whole file.

    The file gets the usual mode for new files (0666 less the umask, so 0644 under umask 022), not the
    0600 of a temporary file: admins copy these zips to LMS servers and web folders.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(100):
        temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
        try:
            handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover (100 random names taken)
        raise BuildError(f"cannot create a temporary file in {path.parent}")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- XML


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def parse_xml(package: Package, name: str) -> tuple[etree._Element | None, list[Problem]]:
    """Parse a package's XML file as untrusted input: bounded in size (by the zip reader), no DTD, no
    entity expansion, no network, and libxml2's default depth and text-size limits (no huge_tree)."""
    data = package.content(name)
    if data is None:
        reason = package.unread.get(name)
        if reason and "limit" in reason:
            return None, [package.problem("manifest-too-large", f"{reason}: not parsed", file=name)]
        return None, [package.problem("manifest-unreadable", f"{reason or 'cannot be read'}: not parsed", file=name)]
    doctype = DOCTYPE.search(data) or DOCTYPE.search(_as_utf8(data))
    if doctype:
        return None, [_doctype_problem(package, name, data[: doctype.start()].count(b"\n") + 1)]
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        return None, [package.problem("xml-malformed", f"not well-formed XML: {error.msg}", error.lineno, name)]
    except (etree.LxmlError, ValueError) as error:
        return None, [package.problem("xml-malformed", f"not well-formed XML: {error}", None, name)]
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return None, [_doctype_problem(package, name, None)]
    return root, []


def _as_utf8(data: bytes) -> bytes:
    """The text re-encoded as UTF-8 when it is UTF-16 or UTF-32 (by its BOM), so a DOCTYPE cannot hide."""
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace").encode()
    return b""


def _doctype_problem(package: Package, name: str, line: int | None) -> Problem:
    return package.problem(
        "xml-doctype",
        "a DOCTYPE declaration (DTD or entities) is not allowed in a package manifest; remove it",
        line,
        name,
    )


@cache
def schema(relative_path: str) -> etree.XMLSchema:
    """A compiled XSD from the shipped schema folder (compiled once per process: it is slow)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / relative_path)))


def schema_problems(package: Package, name: str, root: etree._Element, relative_path: str) -> list[Problem]:
    validator = schema(relative_path)
    if validator.validate(root.getroottree()):
        return []
    errors = list(validator.error_log)  # type: ignore[attr-defined]
    problems = [
        package.problem("xsd", f"XSD: {error.message}", error.line, name) for error in errors[:XSD_PROBLEMS_SHOWN]
    ]
    if len(errors) > XSD_PROBLEMS_SHOWN:
        problems.append(package.problem("xsd", f"XSD: … and {len(errors) - XSD_PROBLEMS_SHOWN:,} more", None, name))
    return problems


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
        return [package.problem("href-backslash", f"href {href!r} uses backslashes", line, source)]
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        return [
            package.problem("href-not-relative", f"href {href!r} must be relative to the package root", line, source)
        ]
    path = parts.path
    if ".." in PurePosixPath(path).parts:
        return [package.problem("href-escapes", f"href {href!r} leaves the package root", line, source)]
    if path not in package.names:
        other = package.same_but_for_case(path)
        hint = f" (the zip has {other}: names are case-sensitive on the LMS's server)" if other else ""
        return [
            package.problem(
                "href-missing-file", f"href {href!r} names a file that is not in the package{hint}", line, source
            )
        ]
    return []


@dataclass
class PackageInfo:
    """What ``spotlight-pack inspect`` shows about a package.

    One scale for every format: ``mastery_score`` is a percentage (SCORM 1.2's 0–100 as it is, SCORM
    2004's and cmi5's 0–1 times 100). ``units`` are the titles of the SCOs or AUs, ``unit_ids`` their
    identifiers.
    """

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
    unit_ids: list[str] = field(default_factory=list)
    lrs_endpoint: str | None = None
    """scorm12-xapi: where statements go ("launch URL" when the LMS's launch URL must give it)."""
    lrs_credential: str | None = None
    """scorm12-xapi: the key of the LRS credential inside the zip (anyone with the zip can read it and its
    secret), or None when the zip carries none."""
    study_minutes: int | None = None
    """Estimated study time (spotlight_pack/study_time.py): LOM typicalLearningTime where the manifest
    has it (any SCORM package), else our package data; None when the package says nothing."""
    study_parts: list[dict[str, Any]] = field(default_factory=list)
    """The estimate per module and for the final assessment (id, title, minutes), from our package data."""
    extra: dict[str, str] = field(default_factory=dict)


SPOTLIGHT_DATA = re.compile(rb'<script type="application/json" id="spotlight-data">(.*?)</script>', re.DOTALL)
LAUNCH_PAGE = "index.html"


def spotlight_data(package: Package) -> dict[str, Any] | None:
    """The course data our player carries in its launch page (version, mastery, tracking settings), or
    None for a package we did not build. The page is untrusted like the rest of the zip."""
    page = package.content(LAUNCH_PAGE)
    match = SPOTLIGHT_DATA.search(page) if page else None
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def percent(value: str | None, scale: float) -> str | None:
    """A mastery score on the 0–100 scale, from a value on a 0–``scale`` scale; None if not a number."""
    try:
        number = float(value) * 100 / scale if value is not None else None
    except ValueError:
        return None
    return None if number is None or number != number else f"{number:g}"


MAX_STUDY_PARTS = 1000
MAX_STUDY_MINUTES = 100_000


def study_time(data: dict[str, Any] | None) -> tuple[int | None, list[dict[str, Any]]]:
    """The study-time estimate our player carries (``studyTime`` in its data), checked item by item
    since the page is untrusted: (total minutes, parts), or (None, []) when absent or malformed."""
    raw = (data or {}).get("studyTime")
    if not isinstance(raw, dict):
        return None, []

    def minutes(value: Any) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_STUDY_MINUTES
        return value if ok else None

    parts = []
    for part in raw.get("parts", [])[:MAX_STUDY_PARTS] if isinstance(raw.get("parts"), list) else []:
        if isinstance(part, dict) and minutes(part.get("minutes")) is not None:
            parts.append(
                {
                    "id": str(part.get("id", ""))[:200],
                    "title": str(part.get("title", ""))[:200],
                    "minutes": part["minutes"],
                }
            )
    return minutes(raw.get("minutes")), parts
