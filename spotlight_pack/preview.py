"""``spotlight-pack preview``: a course served from memory on 127.0.0.1, kept up with its sources.

- **Path safety.** The server knows only the files it rendered, held in a dict per language: a request
  names one of them exactly or gets a 404. No request path, however written (``..``, ``%2e%2e``,
  backslashes, ``//etc/passwd``), is ever turned into a file-system path.
- **Live.** A thread looks at the course folder twice a second (names, sizes and modification times,
  without following links out of it). When something changed, the course is checked and loaded again:
  with problems, every page of the preview shows them (file:line, as ``check`` prints them) instead of
  a stale course; without, the new course replaces the old. The open page asks ``/_preview/state``
  every second and reloads itself when the version changed; the player then comes back to the page
  the designer was on (its bookmark is in the browser).
- **Languages.** Each language is served under its own prefix (``/es/``, ``/en/``); a link in the
  banner switches language without restarting anything.
- **Nothing recorded.** The preview runs the ``none`` tracking adapter: no LMS, no LRS; progress and
  the bookmark stay in the browser's localStorage, so "your progress was saved" is true here too. A
  banner on every page says so.
- **Media.** Byte ranges are answered (206), so videos can be sought as on an LMS's web server.
"""

from __future__ import annotations

import html
import http.server
import json
import mimetypes
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem, SourceError
from .model import Course
from .render import render_package
from .sources import check_course, load_course

PREVIEW_TRACKING = "none"  # no LMS, no LRS: the bookmark and state stay in the browser
POLL_SECONDS = 0.5
MAX_WATCHED_ENTRIES = 20_000
BANNER = {
    "es": ("Vista previa: no se registra nada. Su avance se guarda solo en este navegador.", "Idioma"),
    "en": ("Preview: nothing is recorded. Your progress is kept in this browser only.", "Language"),
}
PROBLEMS_TITLE = {"es": "El curso tiene problemas", "en": "The course has problems"}
PROBLEMS_HINT = {
    "es": "Corrija los archivos y guarde: esta página se actualiza sola.",
    "en": "Fix the files and save: this page updates by itself.",
}
LIVE_SCRIPT = """(function () {
  var version = document.documentElement.getAttribute("data-preview-version");
  function ask() {
    fetch("/_preview/state", { cache: "no-store" }).then(function (answer) { return answer.json(); })
      .then(function (state) {
        if (String(state.version) !== version) window.location.reload();
        else window.setTimeout(ask, 1000);
      }, function () { window.setTimeout(ask, 2000); });
  }
  window.setTimeout(ask, 1000);
})();
"""


def resolve(files: Mapping[str, bytes], raw_path: str) -> str | None:
    """The file a request path names, or None. Only an exact name matches."""
    path = unquote(urlsplit(raw_path).path, errors="strict") if raw_path.startswith("/") else None
    if path is None:
        return None
    name = "index.html" if path == "/" else path[1:]
    return name if name in files else None


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of what the course folder holds (links not followed)."""
    found: list[tuple[str, int, int]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            try:
                info = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            found.append((os.path.join(folder, name), info.st_size, info.st_mtime_ns))
            if len(found) > MAX_WATCHED_ENTRIES:
                return tuple(found)
    return tuple(found)


class PreviewSite:
    """The course as the preview serves it: the files of each language, or the problems found."""

    def __init__(self, source: Path, languages: tuple[str, ...] = ()) -> None:
        self.source = Path(source)
        self.wanted = languages
        self.lock = threading.Lock()
        self.version = 0
        self.course: Course | None = None
        self.languages: tuple[str, ...] = languages
        self.problems: list[Problem] = []
        self.files: dict[str, dict[str, bytes]] = {}
        self.seen: tuple[tuple[str, int, int], ...] | None = None
        self.refresh()

    def refresh(self) -> bool:
        """Reload when the sources changed; True when they had."""
        now = fingerprint(self.source)
        if now == self.seen:
            return False
        problems = [problem for problem in check_course(self.source) if problem.is_error]
        course = None
        if not problems:
            try:
                course = load_course(self.source)
            except SourceError as error:
                problems = error.problems
        with self.lock:
            self.seen = now
            self.version += 1
            self.problems = problems
            self.files = {}
            if course is not None:
                self.course = course
                self.languages = tuple(lang for lang in (self.wanted or course.languages) if lang in course.languages)
        return True

    def language_files(self, lang: str) -> dict[str, bytes]:
        with self.lock:
            if lang not in self.files and self.course is not None:
                self.files[lang] = render_package(self.course, lang, PREVIEW_TRACKING)
            return self.files.get(lang, {})

    def page(self, lang: str) -> bytes:
        """``index.html`` of a language with the banner and the live script, or the problems page."""
        banner, label = BANNER.get(lang, BANNER["en"])
        current = ' aria-current="page"'
        links = " ".join(
            f'<a href="/{other}/index.html" lang="{other}"{current if other == lang else ""}>{other.upper()}</a>'
            for other in self.languages
        )
        head = (
            f'<div class="preview-banner" role="region" aria-label="{html.escape(banner.split(":")[0])}">'
            f'<p>{html.escape(banner)} <span class="preview-languages">{label}: {links}</span></p></div>'
        )
        style = (
            "<style>.preview-banner{background:#fff3c4;color:#1f1f1f;border-bottom:2px solid #8a6d00;"
            "padding:.4rem 1rem;font-size:.95rem}.preview-banner p{margin:0}.preview-banner a{color:#0a3d7a}"
            ".preview-problems{padding:1rem;font-family:system-ui,sans-serif}"
            ".preview-problems li{font-family:ui-monospace,monospace;margin:.3rem 0;overflow-wrap:anywhere}</style>"
        )
        script = '<script src="/_preview/live.js"></script>'
        if self.problems or not self.course:
            items = "".join(f"<li>{html.escape(str(problem))}</li>" for problem in self.problems)
            title = PROBLEMS_TITLE.get(lang, PROBLEMS_TITLE["en"])
            hint = PROBLEMS_HINT.get(lang, PROBLEMS_HINT["en"])
            body = (
                f'<!DOCTYPE html>\n<html lang="{lang}" data-preview-version="{self.version}"><head>'
                '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(title)}</title>"
                f'{style}</head><body>{head}<main class="preview-problems"><h1>{html.escape(title)}</h1>'
                f"<p>{html.escape(hint)}</p><ul>{items}</ul></main>{script}</body></html>\n"
            )
            return body.encode()
        page = self.language_files(lang)["index.html"].decode()
        page = re.sub(
            r"<html([^>]*)>", lambda m: f'<html{m.group(1)} data-preview-version="{self.version}">', page, count=1
        )
        page = page.replace("</head>", f"{style}</head>", 1)
        # After the skip link (it must stay the first thing a keyboard reaches), before the header.
        if "<header" in page:
            page = page.replace("<header", head + "<header", 1)
        else:
            page = re.sub(r"(<body[^>]*>)", lambda match: match.group(1) + head, page, count=1)
        page = page.replace("</body>", f"{script}</body>", 1)
        return page.encode()

    def answer(self, raw_path: str) -> tuple[int, str, bytes]:
        """Status, content type and body for a request path."""
        try:
            path = unquote(urlsplit(raw_path).path, errors="strict") if raw_path.startswith("/") else ""
        except UnicodeDecodeError:
            return 404, "text/plain; charset=utf-8", b"not found\n"
        if path == "/_preview/state":
            return 200, "application/json", json.dumps({"version": self.version}).encode()
        if path == "/_preview/live.js":
            return 200, "text/javascript; charset=utf-8", LIVE_SCRIPT.encode()
        with self.lock:
            languages = self.languages
        if path == "/" and languages:
            return 302, f"/{languages[0]}/index.html", b""
        parts = path.split("/", 2)
        if len(parts) == 3 and parts[1] in languages:
            lang = parts[1]
            if parts[2] in {"", "index.html"}:
                return 200, "text/html; charset=utf-8", self.page(lang)
            files = self.language_files(lang)
            name = resolve(files, "/" + parts[2])
            if name is not None:
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                if content_type.startswith("text/") or content_type in {"application/javascript", "image/svg+xml"}:
                    content_type += "; charset=utf-8"
                return 200, content_type, files[name]
        return 404, "text/plain; charset=utf-8", b"not found\n"

    def watch(self, stop: threading.Event) -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                self.refresh()
            except Exception as error:  # a half-written file mid-save: try again next time
                self.problems = [Problem(str(self.source), None, f"cannot read the course now ({error})")]


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def make_handler(site: PreviewSite) -> type[http.server.BaseHTTPRequestHandler]:
    class PreviewHandler(http.server.BaseHTTPRequestHandler):
        server_version = "spotlight-preview"

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            status, content_type, body = site.answer(self.path)
            headers = {"Content-Type": content_type}
            if status == 302:
                headers = {"Location": content_type}
                body = b""
            elif status == 200 and (match := RANGE.match(self.headers.get("Range", "").strip())):
                first, last = match.groups()
                if first or last:
                    start = int(first) if first else max(len(body) - int(last), 0)
                    end = min(int(last), len(body) - 1) if first and last else len(body) - 1
                    if start > end:
                        headers["Content-Range"] = f"bytes */{len(body)}"
                        status, body = 416, b""
                    else:
                        status = 206
                        headers["Content-Range"] = f"bytes {start}-{end}/{len(body)}"
                        body = body[start : end + 1]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            pass

    return PreviewHandler


def serve_preview(
    source: Path,
    port: int,
    languages: tuple[str, ...] = (),
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve the course folder ``source`` on http://127.0.0.1:``port``/ until interrupted (or ``stop``)."""
    site = PreviewSite(source, languages)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(site))
    server.daemon_threads = True
    stop = stop or threading.Event()
    watcher = threading.Thread(target=site.watch, args=(stop,), daemon=True)
    watcher.start()
    if ready:
        ready(f"http://127.0.0.1:{server.server_address[1]}/")
    threading.Thread(target=lambda: (stop.wait(), server.shutdown()), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
