"""Helpers for the LRS HTTP tests (imported by tests; pytest puts this folder on sys.path)."""

from __future__ import annotations

import base64


class LRSClient:
    """A Flask test client that sends xAPI headers and a credential by default."""

    def __init__(self, app, key: str, secret: str, version: str = "1.0.3") -> None:
        self.app = app
        self.client = app.test_client()
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.version = version

    def request(self, method: str, path: str, *, version: str | None = None, auth: str | None = None,
                headers: dict[str, str] | None = None, **kwargs):
        sent = {
            "X-Experience-API-Version": self.version if version is None else version,
            "Authorization": self.auth if auth is None else auth,
        }
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v != ""}
        return self.client.open("/xAPI" + path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)


def statement(**overrides) -> dict:
    """A small valid statement; keyword arguments replace top-level properties."""
    body = {
        "actor": {"objectType": "Agent", "name": "Alice", "mbox": "mailto:alice@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"id": "http://example.com/activities/intro",
                   "definition": {"name": {"en-US": "Intro", "es": "Introducción"}}},
    }
    body.update(overrides)
    return body


class ServedLRS:
    """``spotlight-lrs serve`` on a free 127.0.0.1 port in its own process group, with one
    all-scopes credential; ``extra`` are more ``serve`` options. Use as a context manager."""

    def __init__(self, store_url: str, workdir, *extra: str, workers: int = 1, threads: int = 4) -> None:
        import json
        import os
        import subprocess
        import sys
        from pathlib import Path

        self.repo = Path(__file__).resolve().parents[2]
        self.env = dict(os.environ, PYTHONPATH=str(self.repo), PYTHONUNBUFFERED="1")
        self.store_url = store_url
        self.log_path = Path(workdir) / "serve.log"
        command = [sys.executable, "-c", "from lrs.cli import main; main()"]
        created = subprocess.run([*command, "credentials", "create", "--store", store_url, "--json"],
                                 cwd=self.repo, env=self.env, capture_output=True, text=True, check=True, timeout=60)
        info = json.loads(created.stdout)
        self.key, self.secret = info["key"], info["secret"]
        self.port = _free_port()
        self.command = [*command, "serve", "--store", store_url, "--host", "127.0.0.1", "--port", str(self.port),
                        "--workers", str(workers), "--threads", str(threads), *extra]
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth_header(self) -> str:
        return "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()

    def __enter__(self) -> ServedLRS:
        import subprocess
        import time

        import requests

        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.repo, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited early: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(self.base + "/xAPI/about", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:  # not listening yet, or workers still booting
                time.sleep(0.1)
        self.__exit__()
        raise AssertionError(f"server did not answer within 30 s: {self.log_path.read_text()[-2000:]}")

    def __exit__(self, *exc: object) -> None:
        import os
        import signal
        import subprocess

        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def session(self, version: str = "1.0.3"):
        import requests

        session = requests.Session()
        session.auth = (self.key, self.secret)
        session.headers["X-Experience-API-Version"] = version
        return session

    def raw(self, data: bytes, *, timeout: float = 15.0, shutdown: bool = False) -> tuple[bytes, float]:
        """Send raw bytes on a new connection; return everything answered (until the server closes
        or ``timeout``) and the seconds it took."""
        import socket
        import time

        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            if shutdown:
                sock.shutdown(socket.SHUT_WR)
            received = b""
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    received += chunk
                    if _complete(received):
                        break
            except TimeoutError:
                pass
        return received, time.monotonic() - started


def _complete(response: bytes) -> bool:
    """Whether ``response`` holds a whole HTTP response with a Content-Length body."""
    head, sep, body = response.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_of(response: bytes) -> int:
    """The status code of a raw HTTP response (0 when there is none)."""
    parts = response.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def body_of(response: bytes) -> bytes:
    return response.partition(b"\r\n\r\n")[2]
