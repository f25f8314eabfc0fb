"""Limits on what one request may cost, applied before any route sees it.

:class:`BodyGuard` is the outermost WSGI middleware of the application (xAPI, alternate syntax
and dashboard alike). It reads each request body whole into memory, and refuses:

- 413 a body over ``max_body_bytes``: at once when ``Content-Length`` says so, else (chunked
  transfer encoding, or a lying header) as soon as the bytes read pass the limit; the
  ``Content-Length`` header is never trusted for anything but an early refusal;
- 408 a body whose next bytes do not arrive within ``body_idle_timeout`` seconds (a
  ``Content-Length`` larger than what is sent, a stalled client), or that is not complete within
  ``body_timeout`` seconds in all (a client dribbling bytes to hold a worker thread);
- 400 a body the server cannot read (invalid chunked encoding, the connection closed early).

Each of these answers closes the connection: what follows on it is not a request. Under gunicorn
the read timeouts are socket timeouts on the request's own connection (and a watchdog for the
total); under other servers (the Flask test client) the size bound still applies.
"""

from __future__ import annotations

import contextlib
import heapq
import io
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

#: Defaults, documented in the README ("Security") and settable with ``spotlight-lrs serve``.
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_BATCH = 10_000
DEFAULT_BODY_IDLE_TIMEOUT = 5.0
DEFAULT_BODY_TIMEOUT = 60.0
_READ_SIZE = 64 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Limits:
    """Request limits of one application (``create_app`` config keys in brackets)."""

    #: Largest request body in bytes (MAX_BODY_BYTES).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Most statements in one POST (MAX_BATCH).
    max_batch: int = DEFAULT_MAX_BATCH
    #: Seconds without a byte of the body before answering 408 (BODY_IDLE_TIMEOUT).
    body_idle_timeout: float = DEFAULT_BODY_IDLE_TIMEOUT
    #: Seconds for a whole body (BODY_TIMEOUT).
    body_timeout: float = DEFAULT_BODY_TIMEOUT

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        limits = cls(
            max_body_bytes=int(config.get("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
            max_batch=int(config.get("MAX_BATCH", DEFAULT_MAX_BATCH)),
            body_idle_timeout=float(config.get("BODY_IDLE_TIMEOUT", DEFAULT_BODY_IDLE_TIMEOUT)),
            body_timeout=float(config.get("BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT)),
        )
        if min(limits.max_body_bytes, limits.max_batch) < 1 or min(limits.body_idle_timeout,
                                                                     limits.body_timeout) <= 0:
            raise ValueError(f"request limits must be positive: {limits}")
        return limits


class BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BodyGuard:
    """WSGI middleware: the body read whole, bounded in size and time (see the module docstring).

    ``error_headers(environ)`` gives the headers every refusal carries besides JSON and
    ``Connection: close`` (the xAPI version, CORS), so a browser client can read the refusal.
    """

    def __init__(self, app: WSGIApp, limits: Limits,
                 error_headers: Callable[[dict[str, Any]], list[tuple[str, str]]]) -> None:
        self.app = app
        self.limits = limits
        self.error_headers = error_headers

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self._read(environ)
        except BodyRefused as refused:
            _stop_reading(environ)
            payload = json.dumps({"error": refused.message}).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
                       ("Connection", "close"), *self.error_headers(environ)]
            start_response(f"{refused.status} {_REASONS[refused.status]}", headers)
            return [payload]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input_terminated"] = True
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    def _read(self, environ: dict[str, Any]) -> bytes:
        limit = self.limits.max_body_bytes
        declared = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if declared and not chunked:
            if not declared.isdigit():
                raise BodyRefused(400, f"Content-Length: {declared[:40]!r} is not a number of bytes")
            if int(declared) > limit:
                raise BodyRefused(413, f"body: {int(declared):,} bytes is over this LRS's limit of {limit:,} bytes")
            expected: int | None = int(declared)
        elif chunked or environ.get("wsgi.input_terminated"):
            expected = None  # read to the end of the (decoded) stream
        else:
            return b""  # HTTP/1.1: no Content-Length and no chunking means no body
        if expected == 0:
            return b""
        stream = environ["wsgi.input"]
        sock = environ.get("gunicorn.socket")
        deadline = time.monotonic() + self.limits.body_timeout
        chunks: list[bytes] = []
        received = 0
        # gunicorn's body reader loops over recv() until a read is complete, so the total time
        # cannot be checked between reads alone: past the deadline the watchdog shuts the
        # socket's read side, which ends any recv() at once.
        alarm = _WATCHDOG.arm(deadline, sock) if sock is not None else None
        try:
            while expected is None or received < expected:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise BodyRefused(408, f"body: not received within {self.limits.body_timeout:g} s")
                if sock is not None:
                    sock.settimeout(min(self.limits.body_idle_timeout, remaining))
                want = _READ_SIZE if expected is None else min(_READ_SIZE, expected - received)
                chunk = stream.read(want)
                if not chunk:
                    break
                received += len(chunk)
                if received > limit:
                    raise BodyRefused(413, f"body: over this LRS's limit of {limit:,} bytes")
                chunks.append(chunk)
        except BodyRefused:
            raise
        except TimeoutError:
            raise BodyRefused(408, f"body: no data for {self.limits.body_idle_timeout:g} s "
                                   f"({received:,} bytes received{_of(expected)})") from None
        except Exception as exc:  # noqa: BLE001 - the server's parse errors (bad chunk sizes, early close)
            if time.monotonic() >= deadline:
                raise BodyRefused(408, f"body: not received within {self.limits.body_timeout:g} s") from None
            raise BodyRefused(400, f"body: cannot be read ({type(exc).__name__}: invalid chunked encoding "
                                   "or connection closed early)") from None
        finally:
            if alarm is not None:
                _WATCHDOG.disarm(alarm)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.settimeout(None)
        if time.monotonic() >= deadline:
            raise BodyRefused(408, f"body: not received within {self.limits.body_timeout:g} s")
        if expected is not None and received < expected:
            raise BodyRefused(400, f"body: {received:,} bytes received{_of(expected)}")
        return b"".join(chunks)


class _Watchdog:
    """One thread per process that shuts the read side of sockets whose deadline has passed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._alarms: list[tuple[float, int, Any]] = []  # heap of (deadline, number, socket)
        self._cancelled: set[int] = set()
        self._numbers = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, sock: Any) -> int:
        number = next(self._numbers)
        with self._condition:
            if self._thread is None or not self._thread.is_alive():  # also after a fork
                self._thread = threading.Thread(target=self._run, name="lrs-body-watchdog", daemon=True)
                self._thread.start()
            heapq.heappush(self._alarms, (deadline, number, sock))
            self._condition.notify()
        return number

    def disarm(self, number: int) -> None:
        with self._condition:
            self._cancelled.add(number)

    def _run(self) -> None:
        with self._condition:
            while True:
                while self._alarms and self._alarms[0][1] in self._cancelled:
                    self._cancelled.discard(heapq.heappop(self._alarms)[1])
                if not self._alarms:
                    self._condition.wait()
                    continue
                deadline, number, sock = self._alarms[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._condition.wait(wait)
                    continue
                heapq.heappop(self._alarms)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RD)


_WATCHDOG = _Watchdog()


def _stop_reading(environ: dict[str, Any]) -> None:
    """Under gunicorn, shut the connection's read side: what the client still sends is not read
    (gunicorn would otherwise drain it, up to 5 s, before closing), and the connection closes
    after the answer. gunicorn drops a ``Connection: close`` header set by the application."""
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RD)


def _of(expected: int | None) -> str:
    return f" of the {expected:,} announced by Content-Length" if expected is not None else ""


_REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large"}
