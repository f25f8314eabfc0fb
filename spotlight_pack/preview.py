"""``spotlight-pack preview``: serve one built package from memory on 127.0.0.1.

The server knows only the package's files, held in a dict: a request names one of them exactly or
gets a 404. No request path, however written (``..``, ``%2e%2e``, backslashes, ``//etc/passwd``),
is ever turned into a file-system path, so nothing outside the package can be served.
"""

from __future__ import annotations

import http.server
import io
import mimetypes
import zipfile
from collections.abc import Callable, Mapping
from urllib.parse import unquote, urlsplit

from .build import package_bytes
from .model import Course

PREVIEW_FORMAT = "scorm12"  # runs as a preview without an LMS (the adapter finds no API)


def package_files(course: Course, lang: str) -> dict[str, bytes]:
    """The files of the package ``preview`` serves, as the zip holds them."""
    with zipfile.ZipFile(io.BytesIO(package_bytes(course, PREVIEW_FORMAT, lang))) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def resolve(files: Mapping[str, bytes], raw_path: str) -> str | None:
    """The package file a request path names, or None. Only an exact name matches."""
    path = unquote(urlsplit(raw_path).path, errors="strict") if raw_path.startswith("/") else None
    if path is None:
        return None
    name = "index.html" if path == "/" else path[1:]
    return name if name in files else None


def make_handler(files: Mapping[str, bytes]) -> type[http.server.BaseHTTPRequestHandler]:
    class PackageHandler(http.server.BaseHTTPRequestHandler):
        server_version = "spotlight-preview"

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            try:
                name = resolve(files, self.path)
            except UnicodeDecodeError:
                name = None
            if name is None:
                body = b"not found\n"
                self.send_response(404)
                content_type = "text/plain; charset=utf-8"
            else:
                body = files[name]
                self.send_response(200)
                content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
                if content_type.startswith("text/") or content_type in {"application/javascript", "image/svg+xml"}:
                    content_type += "; charset=utf-8"
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            pass

    return PackageHandler


def serve_course(course: Course, lang: str, port: int, ready: Callable[[str], None] | None = None) -> None:
    """Serve ``course`` in ``lang`` on http://127.0.0.1:``port``/ until interrupted."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(package_files(course, lang)))
    if ready:
        ready(f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
