"""Hand-made zips for the hostile-input tests: every header field is ours to set, or to lie in.

``zipfile`` refuses to write most of what an attacker writes (lying sizes, entries sharing data,
names that are not UTF-8 under the UTF-8 flag), so the tests write the bytes themselves.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

UTF8_FLAG = 0x800
ZIP64_LIMIT = 0xFFFFFFFF
MiB = 1024 * 1024
GiB = 1024 * MiB


@dataclass
class RawEntry:
    name: bytes | str
    data: bytes = b""  # the bytes stored: compressed when method is 8
    file_size: int = 0  # declared uncompressed size
    crc: int = 0
    method: int = 0
    flags: int = UTF8_FLAG
    create_system: int = 3
    external_attr: int = 0o100644 << 16
    same_offset_as: int | None = None  # index of an earlier entry whose local header this one reuses
    local_name: bytes | None = None  # a different name in the local header
    at_offset: int | None = None  # no local header of its own: the directory points here (bytes into the zip)
    cd_extra: bytes | None = None  # the central directory's extra field, as given

    @property
    def raw_name(self) -> bytes:
        return self.name.encode() if isinstance(self.name, str) else self.name


def stored(name: bytes | str, content: bytes, **fields: object) -> RawEntry:
    return RawEntry(name, content, len(content), zlib.crc32(content), 0, **fields)  # type: ignore[arg-type]


def deflated(name: bytes | str, content: bytes, **fields: object) -> RawEntry:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return RawEntry(name, data, len(content), zlib.crc32(content), 8, **fields)  # type: ignore[arg-type]


def zeros_bomb(name: bytes | str, size: int, crc: int = 0, segment: int = MiB) -> RawEntry:
    """An entry expanding to ``size`` zero bytes from about size/1000 bytes, built in milliseconds: one
    compressed segment repeated, then an empty final block. ``crc`` is 0 unless given."""
    assert size % segment == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(segment)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return RawEntry(name, piece * (size // segment) + b"\x03\x00", size, crc, 8)


def crc_of_zeros(size: int, segment: int = MiB) -> int:
    crc = 0
    chunk = bytes(segment)
    for _ in range(size // segment):
        crc = zlib.crc32(chunk, crc)
    return crc


def _zip64_extra(*values: int) -> bytes:
    return struct.pack("<HH", 1, 8 * len(values)) + b"".join(struct.pack("<Q", value) for value in values)


def local_header(entry: RawEntry) -> bytes:
    """The local header and data of ``entry`` alone (to hide inside another entry's data)."""
    return raw_zip([entry]).split(b"PK\x01\x02")[0]


def raw_zip(entries: list[RawEntry], prefix: bytes = b"", declared_count: int | None = None) -> bytes:
    """A zip of ``entries`` exactly as given (zip64 records where sizes or offsets need them)."""
    out = bytearray(prefix)
    offsets: list[int] = []
    for entry in entries:
        if entry.same_offset_as is not None:
            offsets.append(offsets[entry.same_offset_as])
            continue
        if entry.at_offset is not None:
            offsets.append(len(prefix) + entry.at_offset)
            continue
        offsets.append(len(out))
        big = entry.file_size >= ZIP64_LIMIT or len(entry.data) >= ZIP64_LIMIT
        extra = _zip64_extra(entry.file_size, len(entry.data)) if big else b""
        name = entry.local_name if entry.local_name is not None else entry.raw_name
        out += struct.pack(
            "<4s2B4HL2L2H",
            b"PK\x03\x04",
            45 if big else 20,
            0,
            entry.flags,
            entry.method,
            0,
            0x2821,
            entry.crc,
            ZIP64_LIMIT if big else len(entry.data),
            ZIP64_LIMIT if big else entry.file_size,
            len(name),
            len(extra),
        )
        out += name + extra + entry.data
    directory_start = len(out)
    for entry, offset in zip(entries, offsets, strict=True):
        values = []
        if entry.file_size >= ZIP64_LIMIT or len(entry.data) >= ZIP64_LIMIT:
            values += [entry.file_size, len(entry.data)]
        if offset >= ZIP64_LIMIT:
            values.append(offset)
        extra = _zip64_extra(*values) if values else b""
        if entry.cd_extra is not None:
            extra = entry.cd_extra
        big_sizes = entry.file_size >= ZIP64_LIMIT or len(entry.data) >= ZIP64_LIMIT
        out += struct.pack(
            "<4s4B4HL2L5H2L",
            b"PK\x01\x02",
            45 if values else 20,
            entry.create_system,
            45 if values else 20,
            0,
            entry.flags,
            entry.method,
            0,
            0x2821,
            entry.crc,
            ZIP64_LIMIT if big_sizes else len(entry.data),
            ZIP64_LIMIT if big_sizes else entry.file_size,
            len(entry.raw_name),
            len(extra),
            0,
            0,
            0,
            entry.external_attr,
            ZIP64_LIMIT if offset >= ZIP64_LIMIT else offset - len(prefix),
        )
        out += entry.raw_name + extra
    directory_size = len(out) - directory_start
    count = len(entries) if declared_count is None else declared_count
    if count >= 0xFFFF:
        eocd64_at = len(out)
        out += struct.pack(
            "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, directory_size, directory_start - len(prefix)
        )
        out += struct.pack("<4sLQL", b"PK\x06\x07", 0, eocd64_at - len(prefix), 1)
        out += struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, directory_size, directory_start - len(prefix), 0
        )
    else:
        out += struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, directory_size, directory_start - len(prefix), 0
        )
    return bytes(out)
