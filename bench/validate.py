"""How much `spotlight-pack validate` costs on real packages and on hostile ones.

Each case runs `validate` in a fresh child process (so the times include starting Python and
importing lxml) and prints its wall and CPU time and peak resident memory (ru_maxrss), with the
ratio of that memory to the same figure for a real diploma package:
hostile zips must cost about what a real one does. Numbers on a loaded machine are noisy; the
memory figures are the ones that matter.

    .venv/bin/python bench/validate.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "pack"))

from pack_zipcraft import GiB, MiB, RawEntry, crc_of_zeros, raw_zip, stored, zeros_bomb  # noqa: E402

import spotlight_pack  # noqa: E402
from spotlight_pack.build import package_bytes  # noqa: E402

COURSE = ROOT / "course_sources" / "first-contact-care"
RAISED = "ZipLimits(max_entry_size=3 * 2**30, max_total_size=3 * 2**30, max_ratio=10**6)"


def _run(zip_path: Path, limits: str = "ZipLimits()") -> tuple[float, float, int, str]:
    script = (
        "from spotlight_pack import validate\n"
        "from spotlight_pack.formats.archive import ZipLimits\n"
        f"problems = validate({str(zip_path)!r}, limits={limits})\n"
        "print(sorted({p.rule for p in problems if p.is_error}) or 'valid')\n"
    )
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    output = child.stdout.read().strip() if child.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        output = f"FAILED (exit {os.waitstatus_to_exitcode(status)}) {output}"
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, output


def main() -> None:
    course = spotlight_pack.load_course(COURSE)
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as folder:
        base = Path(folder)
        real = base / "real-scorm2004.zip"
        real.write_bytes(package_bytes(course, "scorm2004", "es"))
        files = [stored(f"media/f{index}.txt", b"") for index in range(19_000)]
        cases = [
            ("real diploma, scorm2004", real, "ZipLimits()"),
            ("10 GiB bomb (declared)", _write(base, "bomb.zip", [zeros_bomb("big.bin", 10 * GiB)]), "ZipLimits()"),
            ("10 GiB stream, declares 1 MiB", _write(base, "lie.zip", [_lie()]), "ZipLimits()"),
            ("19,000 empty entries", _write(base, "many.zip", files), "ZipLimits()"),
            (
                "1.25 GiB entry, limits raised",
                _write(base, "big.zip", [zeros_bomb("big.bin", 1280 * MiB, crc=crc_of_zeros(1280 * MiB))]),
                RAISED,
            ),
        ]
        baseline = None
        print(f"{'case':34} {'zip':>10} {'wall':>8} {'CPU':>8} {'peak RSS':>10} {'x real':>7}  result")
        for name, path, limits in cases:
            elapsed, cpu, peak, output = _run(path, limits)
            baseline = baseline or peak
            print(
                f"{name:34} {path.stat().st_size / MiB:8.1f}MB {elapsed:7.2f}s {cpu:7.2f}s {peak / MiB:8.0f}MB "
                f"{peak / baseline:6.2f}x  {output}"
            )


def _write(folder: Path, name: str, entries: list[RawEntry]) -> Path:
    path = folder / name
    path.write_bytes(raw_zip(entries))
    return path


def _lie() -> RawEntry:
    """Declares 1 MiB (with that MiB's CRC) but its deflate stream runs on to 10 GiB."""
    bomb = zeros_bomb("lie.bin", 10 * GiB)
    bomb.file_size, bomb.crc = MiB, zlib.crc32(bytes(MiB))
    return bomb


if __name__ == "__main__":
    main()
