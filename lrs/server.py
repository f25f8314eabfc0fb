"""Run the LRS under gunicorn, one app (and one store connection set) per worker process.

Request bodies are bounded in the application (:mod:`lrs.limits`); here the listening sockets get
a receive timeout (``SO_RCVTIMEO``, inherited by every accepted connection), so a client that
stops sending in the middle of its request line or headers releases its worker thread after
``read_timeout`` seconds instead of holding it for ever (gunicorn's threaded workers have no
such timeout of their own once the first byte has arrived).
"""

from __future__ import annotations

import logging
import socket
import struct
from typing import Any

from gunicorn.app.base import BaseApplication

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


class LRSServer(BaseApplication):
    def __init__(self, app_config: dict[str, Any], options: dict[str, Any]) -> None:
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from lrs import create_app

        return create_app(self.app_config)


def _receive_timeout(seconds: float) -> Any:
    """A gunicorn ``when_ready`` hook setting ``SO_RCVTIMEO`` on every listening socket."""
    whole = int(seconds)
    value = struct.pack("ll", whole, int((seconds - whole) * 1_000_000))

    def when_ready(server: Any) -> None:
        for listener in server.LISTENERS:
            listener.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)

    return when_ready


class _QuietReadTimeouts(logging.Filter):
    """gunicorn logs a whole traceback when a receive times out (EAGAIN) while it reads a request
    line or headers; one line says it all: a client stopped sending and was disconnected."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, BlockingIOError):
            record.msg, record.args, record.exc_info, record.exc_text = (
                "client sent no data for the read timeout while sending its request: disconnected", (), None, None)
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def _post_worker_init(worker: Any) -> None:
    logging.getLogger("gunicorn.error").addFilter(_QuietReadTimeouts())


def run(app_config: dict[str, Any], host: str, port: int, workers: int, threads: int,
        read_timeout: float = 5.0) -> None:
    """Serve ``create_app(app_config)`` with gunicorn's threaded workers until stopped."""
    LRSServer(
        app_config,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "errorlog": "-",
            "timeout": 120,
            "graceful_timeout": 10,
            # gunicorn's largest (default 4,094): GET queries carry JSON (agent) and long IRIs.
            "limit_request_line": 8190,
            "when_ready": _receive_timeout(read_timeout),
            "post_worker_init": _post_worker_init,
        },
    ).run()
