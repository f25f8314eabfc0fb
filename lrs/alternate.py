"""xAPI 1.0.3 alternate request syntax: ``POST ...?method=PUT`` with everything in a form body.

Browsers that cannot send custom headers or cross-origin PUTs use it. This WSGI middleware
rewrites such a request into the ordinary one before Flask sees it; the app then rejects it
for xAPI 2.0.0, which dropped the syntax.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
    "accept-language": "HTTP_ACCEPT_LANGUAGE",
}
METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"}


class AlternateSyntaxMiddleware:
    def __init__(self, app: Callable[..., Iterable[bytes]], prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(self.prefix):
            query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
            if any(name == "method" for name, _ in query):
                _rewrite(environ, query)
                if environ["REQUEST_METHOD"] == "HEAD":
                    start_response = _without_body(start_response)
        return self.app(environ, start_response)


def _without_body(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """For ``method=HEAD``: the app answers as to a HEAD (no body), but the client sent a POST and
    reads a body of the announced length; announce none, or it waits for bytes that never come."""
    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
        return start_response(status, [*kept, ("Content-Length", "0")], exc_info)

    return start


def _rewrite(environ: dict[str, Any], query: list[tuple[str, str]]) -> None:
    environ["lrs.alternate"] = True
    if len(query) != 1:
        environ["lrs.alternate_error"] = "alternate request syntax: only 'method' may be in the query string"
        return
    method = query[0][1].upper()
    if method not in METHODS:
        environ["lrs.alternate_error"] = f"method: {query[0][1]!r} is not an HTTP method this LRS serves"
        return
    content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    if content_type != "application/x-www-form-urlencoded":
        environ["lrs.alternate_error"] = (
            "Content-Type: the alternate request syntax needs application/x-www-form-urlencoded"
        )
        environ["wsgi.input"] = io.BytesIO(raw)
        return
    try:
        fields = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        environ["lrs.alternate_error"] = "body: the form of the alternate request syntax is not UTF-8 text"
        environ["wsgi.input"] = io.BytesIO(b"")
        return
    if any("\x00" in name or "\x00" in value for name, value in fields):
        environ["lrs.alternate_error"] = "body: a form field of the alternate request syntax contains U+0000"
        environ["wsgi.input"] = io.BytesIO(b"")
        return
    body = b""
    params: list[tuple[str, str]] = []
    for name, value in fields:
        lowered = name.lower()
        if lowered in HEADER_FIELDS:
            environ[HEADER_FIELDS[lowered]] = value
        elif lowered == "content":
            body = value.encode("utf-8")
        else:
            params.append((name, value))
    if "CONTENT_TYPE" in environ and not any(n.lower() == "content-type" for n, _ in fields):
        environ["CONTENT_TYPE"] = "application/json" if body else ""
    environ["REQUEST_METHOD"] = method
    environ["QUERY_STRING"] = urlencode(params)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
