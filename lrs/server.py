"""Run the LRS under gunicorn, one app (and one store connection set) per worker process."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


class LRSServer(BaseApplication):
    def __init__(self, store_url: str, options: dict[str, Any]) -> None:
        self.store_url = store_url
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from lrs import create_app

        return create_app({"STORE_URL": self.store_url})


def run(store_url: str, host: str, port: int, workers: int, threads: int) -> None:
    LRSServer(
        store_url,
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
