"""Build benchmark: time, memory and size of packages, and the cost of the first page in Chromium.

Run: ``.venv/bin/python bench/build.py`` (or ``make bench``). Prints figures and their ratio to the
targets of issue 2: one course in one format <= 0.3 s; a package without media <= 60 KB zipped;
<= 50 KB of JS+CSS and <= 5 requests for the first page; of issue 13: the same course with a
100-question bank of every question type still builds in <= 0.3 s; and of issue 14: a course that
uses no page block gives packages (without media) within 10% of the size they had before blocks
(``--baseline``, default commit 89bd08f), with the build times beside them. Each timing runs in a fresh
process so that peak memory (max RSS) belongs to that build alone. Nothing here asserts: tests
never time.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

MEASURE = r"""
import json, resource, sys, time, zipfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import spotlight_pack
from spotlight_pack.build import build
sources = json.loads(sys.argv[2]); formats = json.loads(sys.argv[3]); langs = json.loads(sys.argv[4])
started, cpu = time.perf_counter(), time.process_time()
paths = build(sources or None, formats or None, langs or None, out=sys.argv[5])
elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
sizes = {}
for path in paths:
    with zipfile.ZipFile(path) as archive:
        media = sum(i.compress_size for i in archive.infolist() if i.filename.startswith("media/"))
    sizes[Path(path).name] = {"zip": Path(path).stat().st_size, "without_media": Path(path).stat().st_size - media}
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "packages": len(paths), "sizes": sizes,
                  "code": str(Path(spotlight_pack.__file__).parent),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
BASELINE = "89bd08f"  # main before page blocks (issue 14): the merge of issue 13, the assessment engine


def measure_build(
    sources: list[str], formats: list[str], langs: list[str], repeats: int, code: Path = ROOT
) -> dict[str, Any]:
    """Median wall and CPU time and peak RSS of ``build`` over fresh processes (the import cost
    excluded), and the packages' sizes. CPU time is what to compare on a loaded machine: wall time
    there includes waiting. ``code``: the folder holding the ``spotlight_pack`` to run."""
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            result = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    MEASURE,
                    str(code),
                    json.dumps(sources),
                    json.dumps(formats),
                    json.dumps(langs),
                    out,
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise SystemExit(f"build failed:\n{result.stderr.strip().splitlines()[-1]}")
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "cpu_seconds": statistics.median(run["cpu_seconds"] for run in runs),
        "packages": runs[0]["packages"],
        "sizes": runs[0]["sizes"],
        "code": runs[0]["code"],
        "max_rss_mb": max(run["max_rss_mb"] for run in runs),
    }


def git_export(revision: str, paths: list[str], folder: Path) -> None:
    """``paths`` as they were at ``revision``, written under ``folder`` (``git archive``)."""
    archive = subprocess.run(["git", "archive", revision, *paths], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)


def against_baseline(course: str, revision: str, repeats: int) -> None:
    """Issue 14: package size (without media) and build time of a course that uses none of the page
    blocks, today against ``revision`` (main before blocks); the size must stay within 10%. The course
    is the one in ``revision``'s course_sources (blocks did not exist then), built by both versions of
    the code in fresh processes, every format, Spanish."""
    sys.path.insert(0, str(ROOT))
    from spotlight_pack.blocks import used_kinds
    from spotlight_pack.formats import FORMATS
    from spotlight_pack.sources import load_course

    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "baseline"
        old.mkdir()
        git_export(revision, ["spotlight_pack", f"course_sources/{course}"], old)
        source = old / "course_sources" / course
        kinds = sorted(kind.name for kind in used_kinds(load_course(source)))
        formats = [name for name in FORMATS if name != "scorm12-xapi"]  # it needs an LRS endpoint setting
        before = measure_build([str(source)], formats, ["es"], repeats, code=old)
        after = measure_build([str(source)], formats, ["es"], repeats, code=ROOT)
        one_before = measure_build([str(source)], ["scorm12"], ["es"], repeats, code=old)
        one_after = measure_build([str(source)], ["scorm12"], ["es"], repeats, code=ROOT)
    if before["code"] == after["code"]:
        raise SystemExit(f"both runs imported {after['code']}: the baseline was not the code that ran")
    print(f"{course} as of {revision} (page blocks used: {', '.join(kinds) or 'none'}), es, "
          f"today against {revision} (main before page blocks), bytes:")
    worst = 0.0
    for name in sorted(after["sizes"]):
        new, base = after["sizes"][name]["without_media"], before["sizes"][name]["without_media"]
        worst = max(worst, new / base)
        label = name.removeprefix(f"{course}-").removesuffix("-es.zip").split("-", 1)[1]  # the format
        print(f"  {label:<22} without media {new:>7,} vs {base:>7,}  ratio {new / base:.3f} (target <= 1.10)")
    print(f"  largest ratio {worst:.3f}: {'within' if worst <= 1.10 else 'OVER'} 10%")
    print(
        f"  build, scorm12: {one_after['seconds']:.3f} s (CPU {one_after['cpu_seconds']:.3f} s) vs "
        f"{one_before['seconds']:.3f} s (CPU {one_before['cpu_seconds']:.3f} s), CPU ratio "
        f"{one_after['cpu_seconds'] / one_before['cpu_seconds']:.2f}; all {len(formats)} formats: "
        f"CPU {after['cpu_seconds']:.3f} s vs {before['cpu_seconds']:.3f} s, ratio "
        f"{after['cpu_seconds'] / before['cpu_seconds']:.2f}"
    )


BANK_TYPES = ("single", "multiple", "truefalse", "fill-in", "numeric", "matching", "sequencing", "likert",
              "long-fill-in", "single")


def _bank_question(n: int) -> str:
    """One question of the benchmark bank, in YAML: every type in turn, texts in es and en."""
    kind = BANK_TYPES[n % len(BANK_TYPES)]
    head = f"      - id: bench-q{n:03d}\n        type: {kind}\n"
    head += f'        prompt: {{es: "Pregunta {n} sobre la **ruta**", en: "Question {n} on the **route**"}}\n'
    pairs = [("listen", "belief"), ("assess", "risk"), ("refer", "service")]

    def option(letter: str, correct: bool) -> str:
        key = "correct: true, " if correct else ""
        return (f'          - {{id: {letter}, {key}text: {{es: "Opción {letter} {n}", en: "Option {letter} {n}"}}, '
                f'feedback: {{es: "Comentario {letter}.", en: "Feedback {letter}."}}}}\n')

    body = {
        "single": "".join(option(letter, letter == "a") for letter in "abcd"),
        "multiple": "".join(option(letter, letter in "ab") for letter in "abcde"),
    }
    if kind in body:
        return head + "        options:\n" + body[kind]
    return head + {
        "truefalse": "        answer: false\n",
        "fill-in": "        answers: {es: [valorar, evaluar], en: [assess, assessing]}\n",
        "numeric": "        min: 2.5\n        max: 3.5\n",
        "matching": "        pairs:\n" + "".join(
            f"          - source: {{id: {s}, text: {{es: Fuente {s}, en: Source {s}}}}}\n"
            f"            target: {{id: {t}, text: {{es: Destino {t}, en: Target {t}}}}}\n" for s, t in pairs),
        "sequencing": "        steps:\n" + "".join(
            f"          - {{id: {s}, text: {{es: Paso {s}, en: Step {s}}}}}\n" for s in ("one", "two", "three")),
        "likert": "        scale:\n" + "".join(
            f"          - {{id: {p}, text: {{es: Punto {p}, en: Point {p}}}}}\n" for p in ("low", "mid", "high")),
        "long-fill-in": "",
    }[kind]


def bank_course(course: str, folder: Path) -> Path:
    """A copy of ``course`` whose assessment is a 100-question bank: 4 pools of 25 questions of every
    type, each attempt drawing 10 of each pool, 3 attempts."""
    target = folder / course
    shutil.copytree(ROOT / "course_sources" / course, target)
    pools = "".join(
        f"  - id: pool-{p}\n    draw: 10\n    questions:\n" + "".join(_bank_question(p * 25 + n) for n in range(25))
        for p in range(4)
    )
    (target / "assessment.yaml").write_text(
        'title: {es: "Evaluación final", en: "Final assessment"}\nattempts: 3\nfeedback: after-attempt\n'
        f"requires: all-pages\npools:\n{pools}",
        encoding="utf-8",
    )
    return target


def package_sizes(course: str) -> dict[str, dict[str, int]]:
    sys.path.insert(0, str(ROOT))
    from spotlight_pack.build import package_bytes
    from spotlight_pack.formats import FORMATS
    from spotlight_pack.sources import load_course

    loaded = load_course(ROOT / "course_sources" / course)
    sizes = {}
    for format_name in FORMATS:
        data = package_bytes(loaded, format_name, "es")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            media = sum(info.compress_size for info in archive.infolist() if info.filename.startswith("media/"))
            js_css = sum(
                info.file_size
                for info in archive.infolist()
                if info.filename in {"spotlight/player.js", "spotlight/player.css"}
            )
        sizes[format_name] = {"zip": len(data), "zip_without_media": len(data) - media, "js_css": js_css}
    return sizes


def first_page(course: str) -> dict[str, int] | None:
    """Requests and bytes the first page costs in headless Chromium (the scorm12 package, no LMS)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    sys.path.insert(0, str(ROOT))
    from spotlight_pack.build import package_bytes
    from spotlight_pack.sources import load_course

    data = package_bytes(load_course(ROOT / "course_sources" / course), "scorm12", "es")
    with tempfile.TemporaryDirectory() as folder:
        zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
        handler = functools.partial(_QuietHandler, directory=folder)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        requests: list[str] = []
        transferred = 0
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 360, "height": 740})
                page.on("request", lambda request: requests.append(request.url))
                page.goto(f"http://127.0.0.1:{server.server_port}/index.html", wait_until="networkidle")
                transferred = page.evaluate(
                    "performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
                    ".reduce((sum, e) => sum + (e.encodedBodySize || 0), 0)"
                )
                browser.close()
        finally:
            server.shutdown()
    return {"requests": len(requests), "bytes": int(transferred)}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (base class name)
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", default="first-contact-care")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare package size with")
    parser.add_argument("--baseline-only", action="store_true", help="print only the comparison with --baseline")
    parser.add_argument("--bank-only", action="store_true",
                        help="only the course with a 100-question bank (issue 13's case): quick on a shared machine")
    args = parser.parse_args()
    course_path = f"course_sources/{args.course}"
    if not args.bank_only:
        against_baseline(args.course, args.baseline, args.repeats)
        if args.baseline_only:
            return

    with tempfile.TemporaryDirectory() as folder:
        bank = measure_build([str(bank_course(args.course, Path(folder)))], ["scorm12"], ["es"], args.repeats)
    bank_line = (
        f"the same course with a 100-question bank (every type, 4 pools drawing 10), scorm12, es: "
        f"{bank['seconds']:.3f} s (target 0.3 s, ratio {bank['seconds'] / 0.3:.2f}; CPU {bank['cpu_seconds']:.3f} s, "
        f"ratio {bank['cpu_seconds'] / 0.3:.2f}), peak RSS {bank['max_rss_mb']:.0f} MB"
    )
    if args.bank_only:
        print(bank_line)
        return
    one = measure_build([course_path], ["scorm12"], ["es"], args.repeats)
    everything = measure_build([], [], [], 1)
    sizes = package_sizes(args.course)
    page = first_page(args.course)

    print(
        f"one course, one format ({args.course}, scorm12, es): {one['seconds']:.3f} s "
        f"(target 0.3 s, ratio {one['seconds'] / 0.3:.2f}; CPU {one['cpu_seconds']:.3f} s), "
        f"peak RSS {one['max_rss_mb']:.0f} MB"
    )
    print(bank_line)
    print(
        f"every course, format and language: {everything['packages']} packages in {everything['seconds']:.2f} s "
        f"({everything['seconds'] / max(everything['packages'], 1):.3f} s each), "
        f"peak RSS {everything['max_rss_mb']:.0f} MB"
    )
    print(f"package sizes for {args.course} (es), bytes:")
    for format_name, size in sizes.items():
        print(
            f"  {format_name:<13} zip {size['zip']:>7,}  without media {size['zip_without_media']:>7,} "
            f"(target 60 KB, ratio {size['zip_without_media'] / 61440:.2f})  JS+CSS {size['js_css']:>6,} "
            f"(target 50 KB, ratio {size['js_css'] / 51200:.2f})"
        )
    if page is None:
        print("first page in Chromium: skipped (playwright or /usr/bin/chromium missing)")
    else:
        print(
            f"first page in Chromium: {page['requests']} requests (target 5, ratio {page['requests'] / 5:.2f}), "
            f"{page['bytes']:,} bytes transferred"
        )


if __name__ == "__main__":
    main()
