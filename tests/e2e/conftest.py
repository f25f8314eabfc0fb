"""Browser end-to-end fixtures: real packages, a local test LMS, Debian's headless Chromium.

Packages are built by the real pipeline (``spotlight_pack.build.package_bytes``) and unzipped under a
local HTTP server on 127.0.0.1 together with our LMS harness page (``lms/lms.html``), which runs
scorm-again's SCORM APIs from ``node_modules`` and records every call the package makes. Every
browser test also checks that the page logged no console error, made no request outside that
server, and ended its LMS session.

Tests get everything through fixtures (pytest runs in importlib mode: no sibling imports).
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import urllib.parse
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from spotlight_pack.build import package_bytes
from spotlight_pack.model import (
    CompletionRule,
    Course,
    Module,
    Option,
    Page,
    Pool,
    Question,
    QuestionType,
    Quiz,
    Text,
)
from spotlight_pack.questions.choice import ChoiceBody
from spotlight_pack.render import render_package
from spotlight_pack.sources import load_course

E2E = Path(__file__).resolve().parent
ROOT = E2E.parents[1]
MINI_COURSE = ROOT / "tests" / "fixtures" / "courses" / "mini"
CHROMIUM = Path("/usr/bin/chromium")
SCORM_AGAIN = E2E / "node_modules" / "scorm-again" / "dist"
AXE = E2E / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FINISH = {"scorm12": "LMSFinish", "scorm2004": "Terminate"}
SET = {"scorm12": "LMSSetValue", "scorm2004": "SetValue"}
# What an LMS keeps of a SCO's data model for the next session (SCORM 1.2 RTE 3.4; 2004 RTE 4.2).
KEPT = {
    "scorm12": ("cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.score.min", "cmi.core.score.max",
                "cmi.core.lesson_location", "cmi.suspend_data"),
    "scorm2004": ("cmi.completion_status", "cmi.success_status", "cmi.score.raw", "cmi.score.min", "cmi.score.max",
                  "cmi.score.scaled", "cmi.progress_measure", "cmi.location", "cmi.suspend_data"),
}
EXIT = {"scorm12": ("cmi.core.exit", "cmi.core.entry"), "scorm2004": ("cmi.exit", "cmi.entry")}


def missing(reason: str) -> None:
    """Skip when a browser prerequisite is absent, but fail where CI promised to provide it."""
    if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SPOTLIGHT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def unpack(course: Course, fmt: str, lang: str, folder: Path) -> Path:
    """Write the package a learner would get into ``folder``: the real, validated zip of ``fmt``.

    ``none`` is the preview player (what ``spotlight-pack preview`` serves): rendered, not zipped.
    """
    if fmt == "none":
        for name, data in render_package(course, lang, fmt).items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    else:
        with zipfile.ZipFile(io.BytesIO(package_bytes(course, fmt, lang))) as archive:
            archive.extractall(folder)
    return folder


# ---------------------------------------------------------------- the test server


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

    def add(self, course: Course, fmt: str, lang: str = "en") -> str:
        """Put a package on the server (once per course, format and language); returns its launch URL."""
        name = f"{course.id}-{hash(course) & 0xFFFFFFFF:08x}-{fmt}-{lang}"
        folder = self.packages / name
        if not folder.exists():
            folder.mkdir(parents=True)
            unpack(course, fmt, lang, folder)
        return f"{self.base}/packages/{name}/index.html"

    def lms_url(
        self, standard: str, sco: str, init: dict[str, str] | None = None, window: bool = False,
        unsupported: tuple[str, ...] = (),
    ) -> str:
        """The harness page; ``window=True`` opens the SCO in a new window instead of an iframe;
        ``unsupported`` elements answer 401 (not implemented), as on a minimal LMS."""
        query = {"standard": standard, "sco": sco, "init": json.dumps(init or {})}
        if window:
            query["window"] = "1"
        if unsupported:
            query["unsupported"] = ",".join(unsupported)
        return f"{self.base}/lms/lms.html?{urllib.parse.urlencode(query)}"


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


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module: Playwright's sync API allows one instance per thread at a time, so
    a module that drives its own (e.g. against the LRS) can run after these have closed theirs."""
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
        # On the context, so windows the page opens are watched too.
        context.on("console", lambda message: _console(watched, message))
        context.on("weberror", lambda error: watched.errors.append(str(error.error)))
        context.on("request", lambda request: watched.requests.append(request.url))
        return watched

    yield factory
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- a learner in the test LMS


def choice(question: Question, correct: bool) -> tuple[str, ...]:
    """The option ids a learner picks to answer ``question`` right or wrong."""
    if correct:
        return question.correct_ids
    if question.type is QuestionType.MULTIPLE:
        return tuple(option.id for option in question.options)  # every option: not the exact correct set
    return tuple(option.id for option in question.options if not option.correct)[:1]


@dataclass
class LmsRun:
    """One launch of a SCO in the harness page (``lms/lms.html``), and what the LMS recorded."""

    watched: Watched
    base: str
    standard: str
    window: Any = None  # the SCO's own window, when the harness opened one instead of its iframe

    @property
    def page(self) -> Any:
        """The harness (LMS) page."""
        return self.watched.page

    @property
    def sco(self) -> Any:
        """The SCO, for locators."""
        return self.window or self.page.frame_locator("#sco")

    def frame(self) -> Any:
        """The SCO, for evaluate."""
        return self.window or self.page.frames[1]

    def calls(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("window.lmsCalls"))

    def values(self) -> dict[str, str]:
        """Last value the SCO set for every element."""
        found: dict[str, str] = {}
        for call in self.calls():
            if call["method"] == SET[self.standard]:
                found[call["args"][0]] = call["args"][1]
        return found

    def methods(self) -> list[str]:
        return [call["method"] for call in self.calls()]

    def kept(self, init: dict[str, str] | None = None) -> dict[str, str]:
        """The data model the LMS launches the next session with: ``init`` (the learner's identity, the
        LMS's settings) plus what it kept of this one, read from its API object; entry ``resume``
        after a suspended exit."""
        name = "API" if self.standard == "scorm12" else "API_1484_11"
        read = self.page.evaluate(
            "([name, elements]) => elements.map(e => e.split('.').reduce((o, k) => o[k], window[name]))",
            [name, list(KEPT[self.standard])],
        )
        kept = dict(init or {})
        for element, value in zip(KEPT[self.standard], read, strict=True):
            if value not in ("", None):
                kept[element] = str(value)
        exit_element, entry_element = EXIT[self.standard]
        kept[entry_element] = "resume" if self.values().get(exit_element) == "suspend" else ""
        return kept

    def start(self) -> None:
        """Go past the content note, if the course has one."""
        button = self.sco.locator("#note-start")
        if button.count() and button.is_visible():
            button.click()

    def walk_to_end(self) -> int:
        """Press Next until the last page; returns how many pages were shown."""
        shown = 1
        while self.sco.locator("#next").is_enabled():
            self.sco.locator("#next").click()
            shown += 1
        return shown

    def choose(self, question: Question, correct: bool) -> None:
        for option_id in choice(question, correct):
            self.sco.locator(f'label[for="q-{question.id}-{option_id}"]').click()

    def answer(self, quiz: Quiz, correct: bool) -> None:
        for question in quiz.questions:
            self.choose(question, correct)
        self.sco.locator(f'form[data-quiz="{quiz.id}"] button[type="submit"]').click()

    def unload(self) -> None:
        """Close the SCO the way an LMS does (the frame goes away) and wait for its session to end."""
        self.page.evaluate("document.getElementById('sco').src = 'about:blank'")
        self.page.wait_for_function(f"window.lmsCalls.some(c => c.method === '{FINISH[self.standard]}')")

    def assert_clean(self, also: tuple[str, ...] = ()) -> None:
        """No console error, nothing outside the test server (and ``also``: e.g. an LRS), every write
        accepted, session finished once."""
        assert not self.watched.errors, self.watched.errors
        outside = [url for url in self.watched.requests if not url.startswith((self.base + "/", *also))]
        assert not outside, outside
        reads = {"LMSGetValue", "GetValue"}
        rejected = [call for call in self.calls() if call["method"] not in reads and call["result"] != "true"]
        assert not rejected, rejected
        assert self.methods().count(FINISH[self.standard]) == 1


@pytest.fixture
def launch(server: Server, open_page: Callable[..., Watched]) -> Callable[..., LmsRun]:
    """``launch(course, standard, init=None, width=1280, window=False, unsupported=(), package=standard,
    query=None)``: the course in the test LMS (see ``Server.lms_url``); ``package`` is the tracking the
    package is built with (e.g. ``scorm12-xapi`` under a SCORM 1.2 LMS), ``query`` parameters of its
    launch URL."""

    def run(
        course: Course, standard: str, init: dict[str, str] | None = None, width: int = 1280, window: bool = False,
        unsupported: tuple[str, ...] = (), package: str | None = None, query: dict[str, str] | None = None,
    ) -> LmsRun:
        sco = server.add(course, package or standard) + ("?" + urllib.parse.urlencode(query) if query else "")
        url = server.lms_url(standard, sco, init, window, unsupported)
        watched = open_page(width=width)
        if window:
            with watched.page.context.expect_page() as opened:
                watched.page.goto(url)
            lms = LmsRun(watched, server.base, standard, opened.value)
        else:
            watched.page.goto(url)
            lms = LmsRun(watched, server.base, standard)
        lms.page.wait_for_function("window.lmsCalls.length > 0")
        lms.sco.locator("section.page:not([hidden]), #note:not([hidden])").first.wait_for()
        return lms

    return run


# ---------------------------------------------------------------- our LRS


@pytest.fixture(scope="session")
def xapi_lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Our LRS on 127.0.0.1 (``spotlight-lrs serve`` on a fresh SQLite store, see xapi_support.LRS),
    started once for the xAPI browser tests of the session; each test has its own learners."""
    if str(E2E) not in sys.path:
        sys.path.insert(0, str(E2E))
    import xapi_support

    reason = xapi_support.missing_requirement()
    if reason:
        xapi_support.skip_or_fail(reason)
    lrs = xapi_support.LRS(tmp_path_factory.mktemp("lrs"))
    try:
        lrs.start()
        yield lrs
    finally:
        lrs.stop()


# ---------------------------------------------------------------- courses


@pytest.fixture(scope="session")
def mini_course() -> Course:
    return load_course(MINI_COURSE)


def _text(value: str) -> Text:
    return Text.of({"en": value})


def synthetic_course(page_count: int, question_count: int, modules: int = 10) -> Course:
    """``page_count`` content pages over ``modules`` modules, and an assessment of ``question_count``
    questions with ten options each (the most the source format allows), option ``a`` correct."""
    per_module = -(-page_count // modules)
    built = []
    for m in range(modules):
        numbers = range(m * per_module, min(page_count, (m + 1) * per_module))
        pages = tuple(Page(f"p{n}", _text(f"Page {n}"), _text(f"<p>Text of page {n}.</p>")) for n in numbers)
        built.append(Module(f"m{m}", _text(f"Module {m}"), pages, None))
    options = tuple(Option(id, _text(f"Option {id}"), _text("Feedback."), id == "a") for id in "abcdefghij")
    questions = tuple(
        Question(f"q{n}", QuestionType.SINGLE, _text(f"Question {n}?"), ChoiceBody(options), shuffle=False)
        for n in range(question_count)
    )
    return Course(
        id="synthetic",
        version="1.0.0",
        languages=("en",),
        locales=(("en", "en"),),
        title=_text("Synthetic course"),
        description=_text("Generated by the tests."),
        mastery_score=80,
        completion=CompletionRule.PAGES_AND_ASSESSMENT,
        modules=tuple(built),
        assessment=Quiz(
            "assessment", _text("Final assessment"), None, (Pool("assessment", questions, question_count),), scored=True
        ),
        assets=(),
    )


@pytest.fixture(scope="session")
def synthetic() -> Callable[..., Course]:
    """The ``synthetic_course(page_count, question_count)`` factory."""
    return synthetic_course


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core, injected into pages under test (never part of a package)."""
    if not AXE.is_file():
        missing("axe-core is not installed: run `npm ci` in tests/e2e")
    return AXE


@pytest.fixture(scope="session")
def unpacked() -> Callable[..., Path]:
    """The ``unpack(course, fmt, lang, folder)`` helper."""
    return unpack
