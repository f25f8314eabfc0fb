"""Run the LRS under gunicorn, one app (and one store connection set) per worker process."""

from __future__ import annotations

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


def run(app_config: dict[str, Any], host: str, port: int, workers: int, threads: int) -> None:
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
        },
    ).run()
