"""Browser end-to-end fixtures: real packages, a local test LMS, Debian's headless Chromium.

Packages are built by the real pipeline (``spotlight_pack.build.package_bytes``) and unzipped under a
local HTTP server on 127.0.0.1 together with our LMS harness page (``lms/lms.html``), which runs
scorm-again's SCORM APIs from ``node_modules`` and records every call the package makes. Every
browser test also checks that the page logged no console error, made no request outside that
server, and ended its LMS session.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from lms_driver import unpack

from spotlight_pack.model import Course
from spotlight_pack.sources import load_course

E2E = Path(__file__).resolve().parent
ROOT = E2E.parents[1]
MINI_COURSE = ROOT / "tests" / "fixtures" / "courses" / "mini"
CHROMIUM = Path("/usr/bin/chromium")
SCORM_AGAIN = E2E / "node_modules" / "scorm-again" / "dist"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def missing(reason: str) -> None:
    """Skip when a browser prerequisite is absent, but fail where CI promised to provide it."""
    if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SPOTLIGHT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


class _Handler(SimpleHTTPRequestHandler):
    """``/lms/…`` and ``/node_modules/scorm-again/…`` from tests/e2e; ``/packages/…`` from a temp dir."""

    packages: Path

    def translate_path(self, path: str) -> str:
        parts = [part for part in urllib.parse.unquote(urllib.parse.urlsplit(path).path).split("/") if part]
        if ".." in parts or not parts:
            return str(self.packages / "missing")
        if parts[0] == "packages":
            return str(self.packages.joinpath(*parts[1:]))
        if parts[0] == "lms" or parts[:2] == ["node_modules", "scorm-again"]:
            return str(E2E.joinpath(*parts))
        return str(self.packages / "missing")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """Quiet: the tests report what matters."""


@dataclass
class Server:
    base: str
    packages: Path

    def add(self, name: str, course: Course, fmt: str, lang: str = "en") -> str:
        """Put a package on the server; returns the URL of its launch file."""
        folder = self.packages / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        unpack(course, fmt, lang, folder)
        return f"{self.base}/packages/{name}/index.html"

    def lms_url(self, standard: str, sco: str, init: dict[str, str] | None = None) -> str:
        query = urllib.parse.urlencode({"standard": standard, "sco": sco, "init": json.dumps(init or {})})
        return f"{self.base}/lms/lms.html?{query}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (SCORM_AGAIN / "scorm12.js").is_file():
        missing("scorm-again is not installed: run `npm ci` in tests/e2e")
    packages = tmp_path_factory.mktemp("served")
    handler = type("Handler", (_Handler,), {"packages": packages})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", packages)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Python playwright is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Watched:
    """A browser page plus what it did that a test must check."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def _console(watched: Watched, message: Any) -> None:
    # Chromium asks every server for /favicon.ico by itself; that 404 is not the package's.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        watched.errors.append(f"{message.text} ({message.location.get('url', '')})")


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Watched]]:
    """Factory for pages that record console errors, uncaught exceptions and every request URL."""
    contexts = []

    def factory(width: int = 1280, height: int = 800) -> Watched:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        watched = Watched(context.new_page())
        watched.page.on("console", lambda message: _console(watched, message))
        watched.page.on("pageerror", lambda error: watched.errors.append(str(error)))
        context.on("request", lambda request: watched.requests.append(request.url))
        return watched

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def mini_course() -> Course:
    return load_course(MINI_COURSE)
