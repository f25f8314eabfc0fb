"""``validate`` and ``inspect`` hold against the zips they exist to check.

Each case is one member of a family of hostile zips (bombs, lying headers, entries sharing data,
links, duplicates, names that collide or cannot be decoded, hostile manifests, damaged archives).
Through the CLI, both commands must refuse it with exit status 1, a one-line message carrying the
expected rule id, and never a traceback. The last tests run the 10 GiB bombs in a child process
whose address space is capped, so a regression shows up as a failure, not as a stalled machine.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import textwrap
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from pack_zipcraft import (
    GiB,
    MiB,
    RawEntry,
    crc_of_zeros,
    deflated,
    local_header,
    raw_zip,
    stored,
    zeros_bomb,
)

from spotlight_pack import validate
from spotlight_pack.build import package_bytes
from spotlight_pack.cli import main
from spotlight_pack.formats.archive import ZipLimits
from spotlight_pack.sources import load_course
from spotlight_pack.validate import inspect

MINI_COURSE = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "mini"
ROOT = Path(__file__).resolve().parents[2]


@cache
def _files(format_name: str = "scorm12") -> tuple[tuple[str, bytes], ...]:
    data = package_bytes(load_course(MINI_COURSE), format_name, "en")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return tuple((name, archive.read(name)) for name in archive.namelist())


def _package(*extra: RawEntry, format_name: str = "scorm12", replace: dict[str, bytes] | None = None) -> list[RawEntry]:
    """The mini course's package as raw entries, with ``replace``d contents and ``extra`` entries."""
    replace = replace or {}
    entries = [deflated(name, replace.get(name, data)) for name, data in _files(format_name) if name not in replace]
    entries += [deflated(name, data) for name, data in replace.items() if data is not None]
    return entries + list(extra)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def _with_doctype(name: str, doctype: str, format_name: str, encoding: str = "utf-8") -> bytes:
    original = dict(_files(format_name))[name].decode()
    body = original.split("?>", 1)[1]
    text = doctype + body.replace(">", "><x>&lol9;</x>", 1) if "ENTITY" in doctype else doctype + body
    return text.encode(encoding)


def _quoted_overlap() -> bytes:
    """Fifield's trick: entry b's local header and data sit inside entry a's data, so unpacking a also
    unpacks b's bytes a second time (repeated, this is a non-recursive zip bomb)."""
    inner = deflated("media/b.bin", bytes(4096))
    hidden = local_header(inner)
    outer = stored("media/a.bin", hidden + b"tail")
    outer_header_size = 30 + len("media/a.bin")
    entries = _package()
    at = len(raw_zip(entries).split(b"PK\x01\x02")[0])  # where the outer entry's header will start
    inner.at_offset = at + outer_header_size
    return raw_zip([*entries, outer, inner])


def _many_entries(count: int, declared: int | None = None) -> bytes:
    return raw_zip(_package(*(stored(f"media/f{index}.txt", b"") for index in range(count))), declared_count=declared)


def _symlink(mode: int) -> RawEntry:
    return stored("media/passwd.svg", b"/etc/passwd", external_attr=mode << 16)


def _corrupt_deflate() -> RawEntry:
    entry = deflated("media/notes.txt", b"hello " * 1000)
    entry.data = entry.data[:10] + bytes(20) + entry.data[30:]
    return entry


def _truncated_deflate() -> RawEntry:
    entry = deflated("media/notes.txt", bytes(range(256)) * 64)
    entry.data = entry.data[: len(entry.data) // 2]
    return entry


def _whole(entries: list[RawEntry]) -> Callable[[], bytes]:
    return lambda: raw_zip(entries)


# (case id, zip bytes, rule that must be reported)
HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    # ------------------------------------------------------------- bombs and size limits
    ("bomb-10GiB-one-entry", lambda: raw_zip(_package(zeros_bomb("media/big.bin", 10 * GiB))), "zip-too-large"),
    (
        "bomb-3-entries-of-1.5GiB",
        lambda: raw_zip(_package(*(zeros_bomb(f"m{i}.bin", 1536 * MiB) for i in range(3)))),
        "zip-too-large",
    ),
    ("bomb-entry-over-2GiB", lambda: raw_zip(_package(zeros_bomb("media/big.bin", 3 * GiB))), "zip-entry-too-large"),
    ("bomb-ratio-64MiB", lambda: raw_zip(_package(zeros_bomb("media/z.bin", 64 * MiB))), "zip-ratio"),
    ("bomb-lying-declared-size", lambda: raw_zip(_package(_lying_bomb())), "zip-entry-corrupt"),
    ("bomb-quoted-overlap", _quoted_overlap, "zip-overlapping-entries"),
    ("bomb-shared-local-header", lambda: _shared_local_header(), "zip-overlapping-entries"),
    ("entries-20001", lambda: _many_entries(20_001), "zip-too-many-entries"),
    ("entries-end-record-claims-3-million", lambda: _many_entries(3, declared=3_000_000), "zip-too-many-entries"),
    ("entries-directory-holds-more-than-declared", lambda: _many_entries(20_001, declared=12), "zip-too-many-entries"),
    # ------------------------------------------------------------- damaged archives
    ("empty-file", lambda: b"", "zip-unreadable"),
    ("not-a-zip", lambda: b"<html>hello</html>", "zip-unreadable"),
    ("truncated-half", lambda: raw_zip(_package())[: len(raw_zip(_package())) // 2], "zip-unreadable"),
    ("truncated-tail", lambda: raw_zip(_package())[:-5], "zip-unreadable"),
    ("bad-crc", lambda: raw_zip(_package(RawEntry("media/n.txt", b"abc", 3, 12345))), "zip-entry-corrupt"),
    ("corrupt-deflate", lambda: raw_zip(_package(_corrupt_deflate())), "zip-entry-corrupt"),
    ("truncated-deflate", lambda: raw_zip(_package(_truncated_deflate())), "zip-entry-corrupt"),
    (
        "local-header-names-another-file",
        lambda: raw_zip(_package(stored("media/a.txt", b"x", local_name=b"../../evil.sh"))),
        "zip-entry-corrupt",
    ),
    ("zip64-count-without-zip64-record", lambda: _without_zip64_record(), "zip-unreadable"),
    (
        "zip64-corrupt-extra-field",
        lambda: raw_zip(_package(stored("media/a.txt", b"x", cd_extra=b"\x01\x00\x04\x00\x00"))),
        "zip-unreadable",
    ),
    ("split-archive", lambda: _split_archive(), "zip-unreadable"),
    # ------------------------------------------------------------- entries an LMS must not unpack
    ("encrypted", lambda: raw_zip(_package(stored("media/a.txt", b"x", flags=0x801))), "zip-encrypted"),
    ("bzip2", lambda: raw_zip(_package(RawEntry("media/a.txt", b"BZh9", 1, 0, 12))), "zip-compression-method"),
    ("lzma", lambda: raw_zip(_package(RawEntry("media/a.txt", b"\x00" * 9, 1, 0, 14))), "zip-compression-method"),
    ("symlink", lambda: raw_zip(_package(_symlink(0o120777))), "zip-symlink"),
    ("fifo", lambda: raw_zip(_package(_symlink(0o010644))), "zip-symlink"),
    ("device", lambda: raw_zip(_package(_symlink(0o020644))), "zip-symlink"),
    ("duplicate-name", lambda: raw_zip(_package(stored("index.html", b"<p>another copy</p>"))), "zip-duplicate-name"),
    ("case-collision", lambda: raw_zip(_package(stored("INDEX.html", b"<p>x</p>"))), "zip-case-collision"),
    (
        "unicode-normalisation-collision",
        lambda: raw_zip(
            _package(
                stored(unicodedata.normalize("NFC", "media/café.txt"), b"1"),
                stored(unicodedata.normalize("NFD", "media/café.txt"), b"2"),
            )
        ),
        "zip-case-collision",
    ),
    ("file-and-folder-clash", lambda: raw_zip(_package(stored("media", b"x"))), "zip-file-folder-clash"),
    ("name-not-utf8-but-flagged", lambda: raw_zip(_package(stored(b"media/caf\xe9.txt", b"x"))), "zip-name-encoding"),
    (
        "name-non-ascii-unflagged",
        lambda: raw_zip(_package(stored("media/café.txt".encode("cp437"), b"x", flags=0))),
        "zip-name-encoding",
    ),
    ("nul-in-name", lambda: raw_zip(_package(stored(b"index.html\x00.php", b"x"))), "zip-control-character"),
    ("newline-in-name", lambda: raw_zip(_package(stored(b"media/a\nb.txt", b"x"))), "zip-control-character"),
    # ------------------------------------------------------------- paths that leave the package
    ("dotdot", lambda: raw_zip(_package(stored("../evil.html", b"x"))), "zip-path-traversal"),
    ("dotdot-deep", lambda: raw_zip(_package(stored("media/../../evil.html", b"x"))), "zip-path-traversal"),
    ("dotdot-backslash", lambda: raw_zip(_package(stored("..\\..\\evil.html", b"x"))), "zip-path-traversal"),
    ("absolute", lambda: raw_zip(_package(stored("/etc/cron.d/evil", b"x"))), "zip-absolute-path"),
    ("drive-letter", lambda: raw_zip(_package(stored("C:/Windows/evil.dll", b"x"))), "zip-absolute-path"),
    ("backslash", lambda: raw_zip(_package(stored("media\\x.png", b"x"))), "zip-backslash"),
    (
        "macos-metadata",
        lambda: raw_zip(_package(stored("__MACOSX/._imsmanifest.xml", b"\x00\x05\x16\x07"))),
        "zip-macos-metadata",
    ),
    # ------------------------------------------------------------- hostile manifests
    (
        "imsmanifest-billion-laughs",
        lambda: raw_zip(
            _package(replace={"imsmanifest.xml": _with_doctype("imsmanifest.xml", BILLION_LAUGHS, "scorm12")})
        ),
        "xml-doctype",
    ),
    (
        "imsmanifest-external-entity",
        lambda: raw_zip(
            _package(
                replace={
                    "imsmanifest.xml": _with_doctype(
                        "imsmanifest.xml", '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "scorm12"
                    )
                }
            )
        ),
        "xml-doctype",
    ),
    (
        "imsmanifest-external-dtd",
        lambda: raw_zip(
            _package(
                replace={
                    "imsmanifest.xml": _with_doctype(
                        "imsmanifest.xml", '<!DOCTYPE m SYSTEM "http://127.0.0.1:9/x.dtd">', "scorm12"
                    )
                }
            )
        ),
        "xml-doctype",
    ),
    (
        "imsmanifest-utf16-doctype",
        lambda: raw_zip(
            _package(
                replace={
                    "imsmanifest.xml": _with_doctype(
                        "imsmanifest.xml",
                        '<?xml version="1.0" encoding="UTF-16"?>' + BILLION_LAUGHS.split("?>", 1)[1],
                        "scorm12",
                        encoding="utf-16",
                    )
                }
            )
        ),
        "xml-doctype",
    ),
    (
        "cmi5-billion-laughs",
        lambda: raw_zip(
            _package(format_name="cmi5", replace={"cmi5.xml": _with_doctype("cmi5.xml", BILLION_LAUGHS, "cmi5")})
        ),
        "xml-doctype",
    ),
    (
        "tincan-billion-laughs",
        lambda: raw_zip(
            _package(
                format_name="tincan", replace={"tincan.xml": _with_doctype("tincan.xml", BILLION_LAUGHS, "tincan")}
            )
        ),
        "xml-doctype",
    ),
    (
        "imsmanifest-nested-10000-deep",
        lambda: raw_zip(_package(replace={"imsmanifest.xml": b"<a>" * 10_000 + b"</a>" * 10_000})),
        "xml-malformed",
    ),
    (
        "imsmanifest-is-a-folder",
        lambda: raw_zip(
            [e for e in _package() if e.name != "imsmanifest.xml"]
            + [stored("imsmanifest.xml/", b"", external_attr=0o040755 << 16)]
        ),
        "manifest-is-folder",
    ),
    (
        "imsmanifest-corrupt-entry",
        lambda: raw_zip(
            [e for e in _package() if e.name != "imsmanifest.xml"]
            + [RawEntry("imsmanifest.xml", b"<manifest/>", 11, 1)]
        ),
        "manifest-unreadable",
    ),
    (
        "manifest-wrong-case",
        lambda: raw_zip(
            [e for e in _package() if e.name != "imsmanifest.xml"]
            + [stored("IMSManifest.xml", dict(_files())["imsmanifest.xml"])]
        ),
        "manifest-missing",
    ),
]


def _lying_bomb() -> RawEntry:
    """Declares 1 MiB and a matching CRC, but its deflate stream goes on to 1 GiB: zipfile stops at the
    declared size and sees nothing wrong; an unzip tool that trusts the stream writes 1 GiB."""
    bomb = zeros_bomb("media/lie.bin", 1 * GiB)
    bomb.file_size = MiB
    bomb.crc = zlib.crc32(bytes(MiB))
    return bomb


def _shared_local_header() -> bytes:
    """Two directory entries for one local header and its data: the data is unpacked twice."""
    entries = _package(stored("media/a.bin", bytes(100)))
    shared = RawEntry("media/a.bin", bytes(100), 100, zlib.crc32(bytes(100)), same_offset_as=len(entries) - 1)
    return raw_zip([*entries, shared])


def _without_zip64_record() -> bytes:
    data = bytearray(raw_zip(_package()))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = b"\xff\xff\xff\xff"  # both entry counts say "see the zip64 record"
    return bytes(data)


def _split_archive() -> bytes:
    data = bytearray(raw_zip(_package()))
    end = data.rfind(b"PK\x05\x06")
    data[end + 4 : end + 6] = b"\x01\x00"  # "this is disk 1"
    return bytes(data)


@pytest.mark.parametrize(("case", "make", "rule"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_validate_and_inspect_refuse_hostile_zips(
    tmp_path: Path, case: str, make: Callable[[], bytes], rule: str
) -> None:
    path = tmp_path / f"{case}.zip"
    path.write_bytes(make())
    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(path)])
    assert validated.exit_code == 1, validated.output
    assert f"[{rule}]" in validated.output, validated.output
    assert validated.exception is None or isinstance(validated.exception, SystemExit), validated.exception
    assert "Traceback" not in validated.output
    assert all(line.startswith(str(path)) for line in validated.output.splitlines()), validated.output
    as_json = json.loads(runner.invoke(main, ["validate", "--json", str(path)]).stdout)
    assert rule in {problem["rule"] for problem in as_json[0]["errors"]} and as_json[0]["valid"] is False
    inspected = runner.invoke(main, ["inspect", str(path)])
    assert inspected.exit_code == 1 and f"[{rule}]" in inspected.stderr, inspected.output
    assert inspected.exception is None or isinstance(inspected.exception, SystemExit), inspected.exception


@pytest.mark.parametrize("rule", ["zip-path-traversal", "zip-absolute-path", "zip-symlink", "zip-duplicate-name"])
def test_inspect_describes_nothing_that_validate_refuses(tmp_path: Path, rule: str) -> None:
    """No table at all for a zip that is unsafe to unpack, in either output form."""
    make = next(make for _, make, expected in HOSTILE if expected == rule)
    path = tmp_path / "refused.zip"
    path.write_bytes(make())
    table = CliRunner().invoke(main, ["inspect", str(path)])
    assert table.exit_code == 1 and table.stdout == ""
    record = json.loads(CliRunner().invoke(main, ["inspect", "--json", str(path)]).stdout)
    assert record["valid"] is False and "title" not in record


def test_a_zip_after_a_stub_still_validates(tmp_path: Path) -> None:
    """Data before the zip (a self-extractor stub) moves every offset; the reader follows, as unzip does."""
    path = tmp_path / "sfx.zip"
    path.write_bytes(raw_zip(_package(), prefix=b"#!/bin/sh\nexit 0\n" + bytes(1000)))
    assert [problem for problem in validate(path) if problem.is_error] == []


def test_a_zip_inside_the_zip_is_never_expanded(tmp_path: Path) -> None:
    """A nested 10 GiB bomb is just a 10 MB file to us, as to an LMS: not a reason to expand it."""
    inner = raw_zip([zeros_bomb("big.bin", 10 * GiB)])
    path = tmp_path / "nested.zip"
    path.write_bytes(raw_zip(_package(stored("media/inner.zip", inner))))
    problems = validate(path)
    assert [problem.rule for problem in problems] == ["cp-unlisted-file"]


def test_limits_are_settable_from_python(tmp_path: Path) -> None:
    path = tmp_path / "mini.zip"
    path.write_bytes(raw_zip(_package()))
    assert [problem for problem in validate(path) if problem.is_error] == []
    tight = validate(path, limits=ZipLimits(max_entries=5))
    assert [problem.rule for problem in tight] == ["zip-too-many-entries"]
    small_manifest = validate(path, limits=ZipLimits(max_manifest_size=100))
    assert "manifest-too-large" in {problem.rule for problem in small_manifest}
    info, problems = inspect(path, limits=ZipLimits(max_total_size=1000))
    assert info is None and [problem.rule for problem in problems] == ["zip-too-large"]


def test_inspect_json_of_a_deeply_nested_package_data_is_no_traceback(tmp_path: Path) -> None:
    """Our launch page's course data is read back by inspect; a hostile one must not break it."""
    hostile_page = b'<script type="application/json" id="spotlight-data">' + b"[" * 100_000 + b"</script>"
    path = tmp_path / "deep.zip"
    path.write_bytes(raw_zip(_package(replace={"index.html": hostile_page}, format_name="cmi5")))
    result = CliRunner().invoke(main, ["inspect", "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["version"] is None


# --------------------------------------------------------------------------- memory stays bounded

MEMORY_CAP = 1 * GiB  # address space of the child: Python, lxml and the libraries need ~300 MB of it


def _run_capped(script: str) -> subprocess.CompletedProcess[str]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=cap,  # noqa: PLW1509 (no threads in the parent that matter here)
        cwd=ROOT,
        check=False,
    )


def test_a_10GiB_bomb_is_refused_within_a_capped_address_space(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(raw_zip(_package(zeros_bomb("media/big.bin", 10 * GiB))))
    result = _run_capped(f"from spotlight_pack.cli import main; main(['validate', {str(path)!r}])")
    assert result.returncode == 1, result.stderr
    assert "[zip-too-large]" in result.stdout and "MemoryError" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_a_10GiB_stream_behind_a_small_declared_size_stops_at_that_size(tmp_path: Path) -> None:
    """The lying bomb at full size: declared 1 MiB, streams 10 GiB. The reader stops one chunk past
    the declared size, so it neither runs out of memory nor decompresses 10 GiB."""
    bomb = zeros_bomb("media/lie.bin", 10 * GiB)
    bomb.file_size, bomb.crc = MiB, zlib.crc32(bytes(MiB))
    path = tmp_path / "lie.zip"
    path.write_bytes(raw_zip(_package(bomb)))
    result = _run_capped(f"from spotlight_pack.cli import main; main(['validate', {str(path)!r}])")
    assert result.returncode == 1 and "expands past its declared size" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_an_allowed_entry_larger_than_memory_is_streamed(tmp_path: Path) -> None:
    """With limits raised from Python, a 1.25 GiB entry is decompressed and its CRC checked in full,
    in an address space of 1 GiB: the reader streams, it never holds an entry."""
    size = 1280 * MiB
    path = tmp_path / "big.zip"
    path.write_bytes(raw_zip(_package(zeros_bomb("media/big.bin", size, crc=crc_of_zeros(size)))))
    result = _run_capped(
        f"""
        from spotlight_pack import validate
        from spotlight_pack.formats.archive import ZipLimits
        limits = ZipLimits(max_entry_size=3 * 2**30, max_total_size=3 * 2**30, max_ratio=10**6)
        print(sorted({{problem.rule for problem in validate({str(path)!r}, limits=limits)}}))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['cp-unlisted-file']", result.stdout
