"""Reading a package zip that may be hostile: bounded before anything is unpacked, streamed after.

``validate`` and ``inspect`` exist to be handed zips nobody has checked, so this module assumes the
worst of each one:

1. The end records are parsed here, and the central directory is counted entry by entry before
   ``zipfile`` reads it, so a zip with millions of entries is refused at the cost of reading its
   headers, not of building millions of objects.
2. Every entry's declared sizes are checked against ``ZipLimits`` (per entry, in total, and the
   compression ratio) and the local headers against each other (overlapping entries are the trick
   of non-recursive zip bombs). A zip that fails any of these is refused before one byte is
   decompressed.
3. Every entry is then streamed in 64 KiB chunks to check its CRC, so memory stays flat whatever the
   size; only the few small files a format needs (its manifest, say) are kept, each capped at
   ``max_manifest_size``.
4. Names are checked for what goes wrong when an LMS unpacks them: ``..``, absolute paths,
   backslashes, control characters, duplicates, names equal but for case (or Unicode
   normalisation), a file and a folder with one path, symbolic links, encrypted entries and
   compression methods LMSs cannot unpack.
"""

from __future__ import annotations

import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..errors import Problem
from ..rules import severity_of
from .common import JUNK_NAMES, Package

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
CHUNK = 64 * KiB
UTF8_FLAG = 0x800
ENCRYPTED_FLAG = 0x1
SUPPORTED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
METHOD_NAMES = {12: "bzip2", 14: "LZMA", 9: "deflate64", 93: "zstd", 95: "xz", 98: "PPMd", 99: "AES"}
UPLOAD_WARNING_SIZE = 50 * MiB
SERVER_SCRIPTS = {
    ".php",
    ".php3",
    ".php4",
    ".php5",
    ".phtml",
    ".asp",
    ".aspx",
    ".jsp",
    ".cgi",
    ".pl",
    ".py",
    ".sh",
    ".bat",
    ".cmd",
    ".exe",
    ".htaccess",
}
RISKY_NAME_CHARS = re.compile(r"[\s~#%+&?]")
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ZipLimits:
    """What ``validate`` and ``inspect`` accept before refusing a zip as hostile.

    The defaults are far above any real package (the largest LMSs accept uploads of 1–2 GB, and real
    packages hold hundreds to a few thousand files) and far below what would exhaust a machine.
    Pass your own to ``spotlight_pack.validate(path, limits=ZipLimits(...))``.
    """

    max_entries: int = 20_000
    """Entries in the central directory (files and folders)."""
    max_entry_size: int = 2 * GiB
    """Uncompressed size of one entry."""
    max_total_size: int = 4 * GiB
    """Uncompressed size of all entries together."""
    max_ratio: int = 200
    """Uncompressed/compressed size of one entry; real content stays under 20, deflate tops at 1032."""
    ratio_floor: int = 1 * MiB
    """Entries that expand to less than this are never refused for their ratio."""
    max_manifest_size: int = 16 * MiB
    """Size of each file a format parses (imsmanifest.xml, cmi5.xml, tincan.xml, the launch page)."""


DEFAULT_LIMITS = ZipLimits()


def _problem(where: str, rule: str, message: str) -> Problem:
    return Problem(where, None, message, severity_of(rule), rule)


class _Refused(Exception):
    """The zip cannot be read safely; ``problems`` say why."""

    def __init__(self, *problems: Problem) -> None:
        self.problems = list(problems)


def read_zip(
    path: Path, keep: Collection[str], limits: ZipLimits = DEFAULT_LIMITS
) -> tuple[Package | None, list[Problem]]:
    """Read a package zip under ``limits``, keeping the contents of the root files named in ``keep``.

    Returns ``(None, problems)`` when the zip cannot be read safely at all, else the package (every
    name, and the kept contents) with every problem found in the archive itself.
    """
    where = str(path)

    def problem(rule: str, message: str) -> Problem:
        return _problem(where, rule, message)

    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, whatever happens)
    except OSError as error:
        return None, [problem("zip-unreadable", f"cannot open: {error.strerror or error}")]
    try:
        with handle:
            size = _file_size(handle)
            _check_central_directory(handle, size, limits, where)
            try:
                archive = zipfile.ZipFile(handle)
            except UnicodeDecodeError as error:
                raw = bytes(error.object) if isinstance(error.object, bytes | bytearray) else b""
                raise _Refused(
                    problem(
                        "zip-name-encoding",
                        f"entry name {raw!r} is flagged as UTF-8 but is not valid UTF-8; "
                        "re-create the zip with a tool that writes UTF-8 names",
                    )
                ) from None
            except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, EOFError, OSError) as error:
                raise _Refused(problem("zip-unreadable", f"cannot open: not a readable zip ({error})")) from None
            with archive:
                return _read_archive(archive, handle, size, where, keep, limits)
    except _Refused as refused:
        return None, refused.problems


def _file_size(handle: BinaryIO) -> int:
    handle.seek(0, 2)
    return handle.tell()


# --------------------------------------------------------------------------- before zipfile reads anything

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _check_central_directory(handle: BinaryIO, size: int, limits: ZipLimits, where: str) -> None:
    """Find the end records and count the central directory's entries, refusing past the limits."""

    def problem(rule: str, message: str) -> Problem:
        return _problem(where, rule, message)

    tail_size = min(size, _EOCD.size + 65_535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < _EOCD.size:
        raise _Refused(problem("zip-unreadable", "cannot open: not a zip file (no end of central directory)"))
    _, disk, cd_disk, _, entries, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, position)
    eocd_at = size - tail_size + position
    if disk or cd_disk:
        raise _Refused(problem("zip-unreadable", "cannot open: a split (multi-part) zip; join its parts first"))
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        locator_at = eocd_at - _EOCD64_LOCATOR.size
        handle.seek(max(locator_at, 0))
        locator = handle.read(_EOCD64_LOCATOR.size)
        if locator_at < 0 or len(locator) < _EOCD64_LOCATOR.size or locator[:4] != b"PK\x06\x07":
            raise _Refused(problem("zip-unreadable", "cannot open: zip64 sizes without a zip64 end record"))
        record_at = locator_at - _EOCD64.size
        handle.seek(max(record_at, 0))
        record = handle.read(_EOCD64.size)
        if record_at < 0 or len(record) < _EOCD64.size or record[:4] != b"PK\x06\x06":
            raise _Refused(problem("zip-unreadable", "cannot open: damaged zip64 end record"))
        entries, cd_size = _EOCD64.unpack(record)[7], _EOCD64.unpack(record)[8]
        eocd_at = record_at
    if entries > limits.max_entries:
        raise _Refused(
            problem("zip-too-many-entries", f"{entries:,} entries, more than the limit of {limits.max_entries:,}")
        )
    # Count the headers actually there: the end record's count may lie, and zipfile reads them all.
    start = eocd_at - cd_size
    if start < 0:
        raise _Refused(problem("zip-unreadable", "cannot open: the central directory lies outside the file"))
    handle.seek(start)
    count = 0
    remaining = cd_size
    while remaining >= _CENTRAL_HEADER.size:
        header = handle.read(_CENTRAL_HEADER.size)
        if len(header) < _CENTRAL_HEADER.size or header[:4] != b"PK\x01\x02":
            break
        fields = _CENTRAL_HEADER.unpack(header)
        variable = fields[12] + fields[13] + fields[14]  # name, extra field, comment
        handle.seek(variable, 1)
        remaining -= _CENTRAL_HEADER.size + variable
        count += 1
        if count > limits.max_entries:
            raise _Refused(
                problem(
                    "zip-too-many-entries",
                    f"more than {limits.max_entries:,} entries (the limit) in the central directory",
                )
            )


# --------------------------------------------------------------------------- after the directory is read


def _read_archive(
    archive: zipfile.ZipFile,
    handle: BinaryIO,
    size: int,
    where: str,
    keep: Collection[str],
    limits: ZipLimits,
) -> tuple[Package | None, list[Problem]]:
    def problem(rule: str, message: str) -> Problem:
        return _problem(where, rule, message)

    infos = archive.infolist()
    problems: list[Problem] = []
    refusals: list[Problem] = []
    total = 0
    for info in infos:
        if info.file_size > limits.max_entry_size:
            refusals.append(
                problem(
                    "zip-entry-too-large",
                    f"{info.filename}: expands to {info.file_size:,} bytes, more than the per-entry limit of "
                    f"{limits.max_entry_size:,}",
                )
            )
        elif info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            refusals.append(
                problem(
                    "zip-ratio",
                    f"{info.filename}: compressed {info.file_size // max(info.compress_size, 1):,} to 1, more than "
                    f"the limit of {limits.max_ratio} to 1 (a zip bomb?)",
                )
            )
        total += info.file_size
    if total > limits.max_total_size:
        refusals.append(
            problem(
                "zip-too-large",
                f"expands to {total:,} bytes, more than the limit of {limits.max_total_size:,} (a zip bomb?)",
            )
        )
    layout_problems, data_starts = _layout(infos, handle, size, where)
    refusals += layout_problems
    if refusals:
        return None, refusals

    names: list[str] = []
    folders: set[str] = set()
    streamable: list[zipfile.ZipInfo] = []
    for info in infos:
        problems += _name_problems(info, where)
        problems += _entry_problems(info, where)
        if info.is_dir():
            folders.add(info.filename.rstrip("/"))
            continue
        names.append(info.filename)
        if _can_stream(info):
            streamable.append(info)
    problems += collision_problems(where, names, folders)
    if size > UPLOAD_WARNING_SIZE:
        problems.append(problem("zip-upload-size", f"the zip is {size / MiB:.0f} MB; some LMSs cap uploads"))

    contents: dict[str, bytes] = {}
    unread: dict[str, str] = {}
    wanted = set(keep)
    for info in streamable:
        name = info.filename
        kept = name in wanted and name not in contents
        if kept and info.file_size > limits.max_manifest_size:
            unread[name] = f"larger than the limit of {limits.max_manifest_size:,} bytes for files that are parsed"
            kept = False
        try:
            data = _stream(handle, info, data_starts[id(info)], kept, limits.max_manifest_size)
        except _EntryError as error:
            problems.append(problem("zip-entry-corrupt", f"{name}: cannot be unpacked ({error})"))
            if name in wanted:
                unread.setdefault(name, "cannot be unpacked")
            continue
        if kept and data is not None:
            contents[name] = data
    for name in wanted:
        if name in names and name not in contents:
            unread.setdefault(name, "cannot be unpacked")
    return Package(names, contents, where, size=size, folders=folders, unread=unread), problems


class _EntryError(Exception):
    pass


def _stream(handle: BinaryIO, info: zipfile.ZipInfo, data_start: int, keep: bool, cap: int) -> bytes | None:
    """Decompress one entry from its raw bytes in bounded steps, checking its size and CRC; return its
    bytes only when ``keep``.

    Decompressing here rather than through ``zipfile`` lets us see what ``zipfile`` hides: a deflate
    stream that goes on past the entry's declared size (an unzip tool that trusts the stream writes all
    of it) or stops short of it.
    """
    decompressor = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    crc = 0
    produced = 0
    parts: list[bytes] = []

    def take(data: bytes) -> None:
        nonlocal crc, produced
        produced += len(data)
        if produced > info.file_size:
            raise _EntryError(f"expands past its declared size of {info.file_size:,} bytes")
        crc = zlib.crc32(data, crc)
        if keep:
            if produced > cap:
                raise _EntryError(f"larger than {cap:,} bytes")
            parts.append(data)

    handle.seek(data_start)
    remaining = info.compress_size
    try:
        while remaining > 0:
            raw = handle.read(min(CHUNK, remaining))
            if not raw:
                raise _EntryError("its compressed data is truncated")
            remaining -= len(raw)
            if decompressor is None:
                take(raw)
                continue
            data = decompressor.decompress(raw, CHUNK)
            take(data)
            while decompressor.unconsumed_tail and not decompressor.eof:
                data = decompressor.decompress(decompressor.unconsumed_tail, CHUNK)
                take(data)
        if decompressor is not None:
            take(decompressor.flush())
            if not decompressor.eof:
                raise _EntryError("its deflate stream is truncated")
    except zlib.error as error:
        raise _EntryError(f"corrupt deflate data: {error}") from None
    if produced != info.file_size:
        raise _EntryError(f"{produced:,} bytes instead of the declared {info.file_size:,}")
    if crc != info.CRC:
        raise _EntryError("bad CRC-32: the data is damaged")
    return b"".join(parts) if keep else None


def _can_stream(info: zipfile.ZipInfo) -> bool:
    return (
        not info.flag_bits & ENCRYPTED_FLAG and info.compress_type in SUPPORTED_METHODS and not _is_special_file(info)
    )


def _layout(
    infos: list[zipfile.ZipInfo], handle: BinaryIO, size: int, where: str
) -> tuple[list[Problem], dict[int, int]]:
    """Where each entry's data starts, from its local header; each entry's header and data must end
    before the next entry begins, and its local header must name the same file as the directory."""

    def problem(rule: str, message: str) -> Problem:
        return _problem(where, rule, message)

    spans: list[tuple[int, int, str]] = []
    starts: dict[int, int] = {}
    for info in infos:
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            return [problem("zip-unreadable", f"{info.filename}: its local header is missing or damaged")], {}
        fields = _LOCAL_HEADER.unpack(header)
        local_name = handle.read(fields[10])
        if local_name != _raw_name(info):
            return [
                problem(
                    "zip-entry-corrupt",
                    f"{info.filename}: its local header names {local_name!r}; unzip tools disagree on which to use",
                )
            ], {}
        data_start = info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11]
        starts[id(info)] = data_start
        spans.append((info.header_offset, data_start + info.compress_size, info.filename))
    spans.sort()
    problems = []
    for (_, end, name), (next_start, _, next_name) in zip(spans, spans[1:], strict=False):
        if next_start < end:
            problems.append(
                problem("zip-overlapping-entries", f"{name} and {next_name} share bytes (a zip bomb technique)")
            )
            break
    if spans and spans[-1][1] > size:
        problems.append(problem("zip-unreadable", f"{spans[-1][2]}: its data runs past the end of the file"))
    return problems, starts


def _raw_name(info: zipfile.ZipInfo) -> bytes:
    """The name's bytes as the central directory holds them."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & UTF8_FLAG else "cp437")


def _is_special_file(info: zipfile.ZipInfo) -> bool:
    """A symbolic link, device, FIFO or socket by its Unix mode (zips made on Unix carry one)."""
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR)


def _entry_problems(info: zipfile.ZipInfo, where: str) -> list[Problem]:
    def problem(rule: str, message: str) -> Problem:
        return _problem(where, rule, message)

    name = info.filename
    problems = []
    if info.flag_bits & ENCRYPTED_FLAG:
        problems.append(problem("zip-encrypted", f"{name}: encrypted; LMSs cannot unpack it"))
    elif info.compress_type not in SUPPORTED_METHODS and not info.is_dir():
        method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        problems.append(problem("zip-compression-method", f"{name}: compressed with {method}; use deflate (or store)"))
    if _is_special_file(info):
        kind = "a symbolic link" if stat.S_ISLNK(info.external_attr >> 16) else "a special file (device, FIFO, socket)"
        problems.append(problem("zip-symlink", f"{name}: {kind}, not a regular file; refused"))
    return problems


def _name_problems(info: zipfile.ZipInfo, where: str) -> list[Problem]:
    name = info.filename
    if info.orig_filename != info.filename or CONTROL_CHARS.search(info.orig_filename):
        return [_problem(where, "zip-control-character", f"{info.orig_filename!r}: control character in the name")]
    problems = entry_name_problems(where, name)
    if not info.flag_bits & UTF8_FLAG and not name.isascii():
        problems.append(
            _problem(
                where,
                "zip-name-encoding",
                f"{name}: non-ASCII name without the zip UTF-8 flag; Java-based importers fail with MALFORMED",
            )
        )
    return problems


def entry_name_problems(where: str, name: str) -> list[Problem]:
    """Path rules LMS importers enforce on one entry name (see lms-import-pitfalls.md)."""

    def problem(rule: str, message: str) -> Problem:
        return _problem(where, rule, f"{name}: {message}")

    problems = []
    stripped = name.rstrip("/")
    parts = stripped.split("/")
    if "\\" in name:
        problems.append(problem("zip-backslash", "backslash in path (use /); many LMSs extract it flat"))
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        problems.append(problem("zip-absolute-path", "absolute path; entries must be relative to the zip root"))
    if ".." in parts or ".." in stripped.split("\\"):
        problems.append(problem("zip-path-traversal", "'..' in path escapes the package root"))
    if parts[0] == "__MACOSX" or any(part.startswith("._") for part in parts):
        problems.append(problem("zip-macos-metadata", "macOS metadata entry (__MACOSX or ._*): remove it"))
    elif parts[-1] in JUNK_NAMES:
        problems.append(problem("zip-os-junk", "operating-system junk file: remove it"))
    elif not name.endswith("/"):
        if RISKY_NAME_CHARS.search(name) or not name.isascii():
            problems.append(
                problem("zip-file-name", "spaces, accents or ~ # % + & ? in the name; plain ASCII names are safest")
            )
        if PurePosixPath(stripped).suffix.lower() in SERVER_SCRIPTS or parts[-1] == ".htaccess":
            problems.append(problem("zip-server-script", "a server-side script; some LMSs refuse such packages"))
    return problems


def _fold(name: str) -> str:
    """The key under which a case-insensitive, normalising file system (Windows, macOS) stores a name."""
    return unicodedata.normalize("NFC", name).casefold()


def collision_problems(where: str, names: Collection[str], folders: Collection[str] = ()) -> list[Problem]:
    """Duplicates, names equal but for case or normalisation, and a file where a folder must be."""

    def problem(rule: str, message: str) -> Problem:
        return _problem(where, rule, message)

    problems = []
    seen: dict[str, str] = {}
    for name in names:
        key = _fold(name)
        if key in seen:
            if seen[key] == name:
                problems.append(problem("zip-duplicate-name", f"{name}: in the zip twice; remove one copy"))
            else:
                problems.append(
                    problem(
                        "zip-case-collision",
                        f"{name} and {seen[key]} differ only in case (or accents' encoding): on a "
                        "case-insensitive server one overwrites the other",
                    )
                )
        else:
            seen[key] = name
    parents = {_fold(folder) for folder in folders}
    for name in names:
        parts = name.split("/")
        parents.update(_fold("/".join(parts[:end])) for end in range(1, len(parts)))
    for name in sorted(set(names)):
        if _fold(name) in parents:
            problems.append(problem("zip-file-folder-clash", f"{name}: is a file, and also a folder of other entries"))
    return problems
