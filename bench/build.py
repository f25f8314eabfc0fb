"""Build benchmark: time, memory and size of packages, and the cost of the first page in Chromium.

Run: ``.venv/bin/python bench/build.py`` (or ``make bench``). Prints figures and their ratio to the
targets of issue 2: one course in one format <= 0.3 s; a package without media <= 60 KB zipped;
<= 50 KB of JS+CSS and <= 5 requests for the first page. Each timing runs in a fresh process so
that peak memory (max RSS) belongs to that build alone. Nothing here asserts: tests never time.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from spotlight_pack.build import build
sources = json.loads(sys.argv[2]); formats = json.loads(sys.argv[3]); langs = json.loads(sys.argv[4])
started = time.perf_counter()
paths = build(sources or None, formats or None, langs or None, out=sys.argv[5])
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "packages": len(paths),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure_build(sources: list[str], formats: list[str], langs: list[str], repeats: int) -> dict[str, float]:
    """Median wall time and peak RSS of ``build`` over fresh processes (the import cost excluded)."""
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            result = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    MEASURE,
                    str(ROOT),
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
        "packages": runs[0]["packages"],
        "max_rss_mb": max(run["max_rss_mb"] for run in runs),
    }


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
    args = parser.parse_args()
    course_path = f"course_sources/{args.course}"

    one = measure_build([course_path], ["scorm12"], ["es"], args.repeats)
    everything = measure_build([], [], [], 1)
    sizes = package_sizes(args.course)
    page = first_page(args.course)

    print(
        f"one course, one format ({args.course}, scorm12, es): {one['seconds']:.3f} s "
        f"(target 0.3 s, ratio {one['seconds'] / 0.3:.2f}), peak RSS {one['max_rss_mb']:.0f} MB"
    )
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
