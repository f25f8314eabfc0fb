"""Helpers for the xAPI end-to-end tests: our LRS over real HTTP, a content server that also plays
the LMS (cmi5 fetch URL, SCORM 1.2 harness page, return page), and headless Chromium.

Everything listens on 127.0.0.1; the package and the LRS are on two ports, i.e. two origins, so the
browser goes through CORS exactly as with a real LMS and LRS.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "e2e"
MINI = ROOT / "tests" / "fixtures" / "courses" / "mini"
CHROMIUM = Path("/usr/bin/chromium")
SCORM_AGAIN = E2E / "node_modules" / "scorm-again" / "dist" / "scorm12.js"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
XAPI_VERSION = "1.0.3"
VERBS = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/"
CMI5_CATEGORY = CMI5 + "context/categories/cmi5"
MOVEON_CATEGORY = CMI5 + "context/categories/moveon"
SESSION_ID = CMI5 + "context/extensions/sessionid"
MASTERY_EXT = CMI5 + "context/extensions/masteryscore"
PROGRESS_EXT = CMI5 + "result/extensions/progress"


def skip_or_fail(reason: str) -> None:
    """Skip, unless CI (SPOTLIGHT_REQUIRE_BROWSER=1) requires these tests to run."""
    if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SPOTLIGHT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def missing_requirement() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    if not SCORM_AGAIN.exists():
        return "tests/e2e/node_modules missing (cd tests/e2e && npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed"
    try:
        import lrs  # noqa: F401
    except ImportError as exc:
        return f"the LRS package cannot be imported ({exc})"
    if not shutil.which("spotlight-lrs", path=str(Path(sys.executable).parent)):
        return "the spotlight-lrs command is not installed"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def basic(key: str, secret: str) -> str:
    return base64.b64encode(f"{key}:{secret}".encode()).decode()


# --- the LRS --------------------------------------------------------------------------------


@dataclass
class LRS:
    """``spotlight-lrs serve`` on a free port with a fresh SQLite store; credentials via its CLI."""

    workdir: Path
    port: int = 0
    process: subprocess.Popen | None = None
    admin: str = ""  # Authorization value of an all-scope credential (the test's "LMS" and reader)

    @property
    def store_url(self) -> str:
        return f"sqlite:///{self.workdir / 'lrs.db'}"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def cli(self, *args: str) -> str:
        command = Path(sys.executable).parent / "spotlight-lrs"
        done = subprocess.run([str(command), *args, "--store", self.store_url], capture_output=True, text=True,
                              timeout=60, check=False)
        if done.returncode:
            raise RuntimeError(f"spotlight-lrs {' '.join(args)} failed: {done.stderr}")
        return done.stdout

    def credential(self, *scopes: str, name: str = "") -> tuple[str, str]:
        """(key, secret) of a new credential, created with ``spotlight-lrs credentials create --json``."""
        args = ["credentials", "create", "--json", "--name", name or "e2e"]
        for scope in scopes:
            args += ["--scope", scope]
        created = json.loads(self.cli(*args))
        return created["key"], created["secret"]

    def start(self) -> None:
        self.port = free_port()
        command = Path(sys.executable).parent / "spotlight-lrs"
        log = open(self.workdir / "lrs.log", "w")  # noqa: SIM115 (closed by the process' end)
        self.process = subprocess.Popen(
            [str(command), "serve", "--store", self.store_url, "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "1", "--threads", "8"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("spotlight-lrs serve exited: " + (self.workdir / "lrs.log").read_text())
            with contextlib.suppress(OSError), urllib.request.urlopen(self.endpoint + "about", timeout=2) as answer:
                if answer.status == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError("spotlight-lrs serve did not answer in 30 s")
        key, secret = self.credential("all", name="e2e-lms")
        self.admin = "Basic " + basic(key, secret)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def call(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None,
             auth: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (query or {}).items()}
        url = self.endpoint + path + ("?" + urllib.parse.urlencode(params) if params else "")
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": auth or self.admin, "X-Experience-API-Version": XAPI_VERSION,
            "Content-Type": "application/json", **(headers or {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def statements(self, **query: Any) -> list[dict]:
        """Every statement matching ``query``, oldest first, following ``more`` links."""
        found: list[dict] = []
        status, page = self.call("GET", "statements", dict(query, ascending="true", limit="200"))
        assert status == 200, page
        while True:
            found += page["statements"]
            if not page.get("more"):
                return found
            more = urllib.parse.urlsplit(page["more"])
            status, page = self.call("GET", "statements", dict(urllib.parse.parse_qsl(more.query)))
            assert status == 200, page


# --- the content server (and LMS) -----------------------------------------------------------


RETURN_PAGE = "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Returned to the LMS</title></head>" \
              "<body><h1>Back in the LMS</h1></body></html>"


@dataclass
class ContentServer:
    """Serves unzipped packages under /pkg/<name>/, the SCORM test LMS (tests/e2e/lms/lms.html with
    scorm-again), a return page, and cmi5 fetch URLs."""

    root: Path
    port: int = 0
    tokens: dict[str, str] = field(default_factory=dict)  # fetch id → auth token (one use)
    fetch_calls: list[tuple[str, str]] = field(default_factory=list)  # (method, fetch id)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add_package(self, name: str, zip_path: Path) -> str:
        target = self.root / "pkg" / name
        if target.exists():
            shutil.rmtree(target)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(target)
        return f"{self.origin}/pkg/{name}/"

    def lms_url(self, sco: str, init: str) -> str:
        """The SCORM 1.2 test LMS launching ``sco`` with the flattened CMI JSON ``init``."""
        query = urllib.parse.urlencode({"standard": "scorm12", "sco": sco, "init": init})
        return f"{self.origin}/lms/lms.html?{query}"

    def fetch_url(self, token: str) -> str:
        fetch_id = uuid.uuid4().hex
        self.tokens[fetch_id] = token
        return f"{self.origin}/fetch/{fetch_id}"

    def start(self) -> None:
        owner = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(owner.root), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                if path.startswith("/lms/"):  # the runtime engineer's test LMS (scorm-again + harness.js)
                    file = E2E / "lms" / path.rsplit("/", 1)[1]
                    if file.is_file():
                        kind = "text/html; charset=utf-8" if file.suffix == ".html" else "text/javascript"
                        return self._send(200, file.read_bytes(), kind)
                if path == "/favicon.ico":
                    return self._send(204, b"", "image/x-icon")
                if path == "/return.html":
                    return self._send(200, RETURN_PAGE.encode(), "text/html; charset=utf-8")
                if path.startswith("/node_modules/"):
                    file = E2E / path.lstrip("/")
                    if file.is_file():
                        return self._send(200, file.read_bytes(), "text/javascript")
                if path.startswith("/fetch/"):
                    owner.fetch_calls.append(("GET", path.rsplit("/", 1)[1]))
                    return self._send(405, b'{"error-code":"3","error-text":"use POST"}', "application/json")
                if self.headers.get("Range", "").startswith("bytes=") and path.startswith("/pkg/"):
                    return self._range(Path(self.translate_path(self.path)))
                return super().do_GET()

            def _range(self, file: Path) -> None:
                """One byte range of a package file (206): without it Chromium cannot seek in a video."""
                match = re.match(r"^bytes=(\d*)-(\d*)$", self.headers["Range"].strip())
                if not file.is_file() or not match or match.groups() == ("", ""):
                    return self._send(416 if file.is_file() else 404, b"", "text/plain")
                data = file.read_bytes()
                first, last = match.groups()
                start = int(first) if first else max(len(data) - int(last), 0)
                end = min(int(last), len(data) - 1) if first and last else len(data) - 1
                if start > end:
                    return self._send(416, b"", "text/plain")
                self.send_response(206)
                self.send_header("Content-Type", self.guess_type(str(file)))
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
                self.send_header("Content-Length", str(end - start + 1))
                self.end_headers()
                self.wfile.write(data[start : end + 1])

            def do_POST(self) -> None:  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                if not path.startswith("/fetch/"):
                    return self._send(404, b"", "text/plain")
                fetch_id = path.rsplit("/", 1)[1]
                owner.fetch_calls.append(("POST", fetch_id))
                token = owner.tokens.pop(fetch_id, None)
                if token is None:
                    body = {"error-code": "1", "error-text": "this fetch URL was already used"}
                else:
                    body = {"auth-token": token}
                return self._send(200, json.dumps(body).encode(), "application/json")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


# --- the browser ----------------------------------------------------------------------------


@dataclass
class Watched:
    """A page with what it printed and every request it made."""

    page: Any
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def console_errors(self, allowed_urls: tuple[str, ...] = ()) -> list[str]:
        """Console errors and page exceptions, except failed loads of expected resources.

        A GET of a State or Profile document that does not exist yet is a 404 the browser reports as
        "Failed to load resource"; a request made while offline is reported as well.
        """
        found = list(self.errors)
        for kind, text, url in self.console:
            if kind != "error":
                continue
            if text.startswith("Failed to load resource") and any(part in url for part in allowed_urls):
                continue
            found.append(f"{text} ({url})")
        return found


def watch(context: Any) -> Watched:
    page = context.new_page()
    watched = Watched(page)
    page.on("console", lambda msg: watched.console.append((msg.type, msg.text, msg.location.get("url", ""))))
    page.on("pageerror", lambda error: watched.errors.append(str(error)))
    context.on("request", lambda request: watched.requests.append(request.url))
    return watched


def foreign_requests(urls: list[str]) -> list[str]:
    return [url for url in urls if urllib.parse.urlsplit(url).hostname not in ("127.0.0.1",)
            and not url.startswith(("data:", "blob:", "about:"))]


@contextlib.contextmanager
def lrs_and_content(workdir: Path) -> Iterator[tuple[LRS, ContentServer]]:
    """Our LRS and a content server (serving ``workdir/www``) for one test module, stopped after it;
    skipped, or failed when required, where the machine lacks what they need."""
    reason = missing_requirement()
    if reason:
        skip_or_fail(reason)
    (workdir / "www").mkdir()
    lrs = LRS(workdir)
    content = ContentServer(workdir / "www")
    try:
        lrs.start()
        content.start()
        yield lrs, content
    finally:
        content.stop()
        lrs.stop()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


# --- clicking through the mini course -------------------------------------------------------


def frame_of(watched: Watched, in_lms: bool) -> Any:
    if not in_lms:
        return watched.page
    watched.page.wait_for_selector("#sco")
    return watched.page.frame_locator("#sco")


def click_through(course: Any, answers: dict[str, list[str]]) -> None:
    """Start, visit every page in order, answer the self-check and the final assessment."""
    course.locator("#note-start").click()
    course.locator("#page-basics--welcome").wait_for(state="visible")
    for _ in range(2):
        course.locator("#next").click()
    submit_quiz(course, "basics-quiz", answers)
    course.locator("#next").click()
    course.locator("#next").click()
    submit_quiz(course, "assessment", answers)


def submit_quiz(course: Any, quiz: str, answers: dict[str, list[str]]) -> None:
    form = course.locator(f"#quiz-{quiz}")
    form.wait_for(state="visible")
    for question, options in answers.items():
        for option in options:
            box = form.locator(f"#q-{question}-{option}")
            if box.count():
                box.check()
    form.locator('button[type="submit"]').click()
    form.locator(".summary").wait_for(state="visible")


PASS_ANSWERS = {"mini-s1": ["true"], "mini-q1": ["a"], "mini-q2": ["a", "b"], "mini-q3": ["false"]}
FAIL_ANSWERS = {"mini-s1": ["false"], "mini-q1": ["b"], "mini-q2": ["c"], "mini-q3": ["true"]}


def wait_for(predicate: Any, timeout: float = 15.0, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
