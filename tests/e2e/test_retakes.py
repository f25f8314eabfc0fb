"""Retakes and resumes in every format (issue 12): after every session the LMS and the LRS hold the
learner's best attempt so far, nothing about the outcome is reported at start-up, a resumed course
writes nothing before the learner acts, and a cmi5 LMS that enforces the spec (``cmi5_lms.py``)
accepts every statement. docs/xapi-runtime.md lists what each format sends in each sequence.

cmi5 is launched by the test LMS in front of our LRS; Tin Can goes straight into our LRS; SCORM 1.2,
SCORM 2004 and SCORM 1.2 + xAPI run under scorm-again (``lms/lms.html``), relaunched with what the
LMS kept of the previous session. The mini course's assessment has three questions: 100, 67 or 33 %
right, mastery 80.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper modules next to this file

import xapi_support as support  # noqa: E402
from cmi5_lms import Cmi5Lms  # noqa: E402

pytestmark = pytest.mark.browser

COURSE_IRI = "https://spotlight-pack.org/xapi/activities/mini"
ANSWERS = {
    100: {"mini-q1": ["a"], "mini-q2": ["a", "b"], "mini-q3": ["false"]},
    67: {"mini-q1": ["a"], "mini-q2": ["a", "b"], "mini-q3": ["true"]},
    33: {"mini-q1": ["a"], "mini-q2": ["c"], "mini-q3": ["true"]},
}
OUTCOME_VERBS = ("completed", "passed", "failed")
DOCUMENT_READS = ("/activities/state", "/agents/profile")  # a 404 for a document not written yet is normal


# ---------------------------------------------------------------- the environment


class Env:
    def __init__(self, lrs: support.LRS, lms: Cmi5Lms, auth: str):
        self.lrs = lrs
        self.lms = lms
        self.auth = auth  # an LRS credential for Tin Can and SCORM 1.2 + xAPI launches


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, browser: Any, xapi_lrs: support.LRS) -> Iterator[Env]:
    import spotlight_pack

    workdir = tmp_path_factory.mktemp("retakes")
    lrs = xapi_lrs
    lms = Cmi5Lms(lrs, workdir / "www")
    try:
        lms.start()
        built = spotlight_pack.build([support.MINI], formats=["cmi5", "tincan"], languages=["en"], out=workdir / "dist")
        for path in built:
            if "-cmi5-" in path.name:
                lms.add_package("cmi5", path)
            else:
                lms.host("tincan", path)
        auth = "Basic " + support.basic(*lrs.credential("statements/write", "state", name="retake launches"))
        yield Env(lrs, lms, auth)
    finally:
        lms.stop()


# ---------------------------------------------------------------- the learner's side


class Course:
    """The player, in a page or in the LMS's frame: what a learner does."""

    def __init__(self, root: Any):
        self.root = root

    def walk(self) -> None:
        """Past the content note, every page in order, to the assessment (the last page)."""
        self.root.locator("section.page:not([hidden]), #note:not([hidden])").first.wait_for()
        start = self.root.locator("#note-start")
        if start.is_visible():
            start.click()
        while self.root.locator("#next").is_enabled():
            self.root.locator("#next").click()

    def submit(self, score: int) -> None:
        """Answer the assessment so that ``score`` % is right (trying again if it was submitted)."""
        form = self.root.locator("#quiz-assessment")
        if not form.is_visible():
            self.root.locator('#menu a[data-page="assessment"]').click()
        retry = form.locator(".retry")
        if retry.is_visible():
            retry.click()
        for question, options in ANSWERS[score].items():
            for option in options:
                form.locator(f"#q-{question}-{option}").check()
        form.locator('button[type="submit"]').click()
        form.locator(".retry").wait_for(state="visible")
        assert f" {score} " in form.locator(".summary").inner_text()


def xapi_reports(statements: list[dict]) -> list[str]:
    """The outcome statements, as "completed", "passed 100", "failed 67"."""
    found = []
    for statement in statements:
        verb = statement["verb"]["id"].rsplit("/", 1)[1]
        if verb == "completed":
            found.append(verb)
        elif verb in ("passed", "failed"):
            found.append(f"{verb} {statement['result']['score']['raw']}")
    return found


def xapi_holds(statements: list[dict]) -> dict[str, Any]:
    """What an LRS reader sees: completed; the verdict (passed wins, else the latest failed) and its score."""
    verdicts = [s for s in statements if s["verb"]["id"].rsplit("/", 1)[1] in ("passed", "failed")]
    passed = [s for s in verdicts if s["verb"]["id"].endswith("/passed")]
    latest = passed[-1] if passed else verdicts[-1] if verdicts else None
    return {
        "completed": any(s["verb"]["id"].endswith("/completed") for s in statements),
        "verdict": latest["verb"]["id"].rsplit("/", 1)[1] if latest else None,
        "score": latest["result"]["score"]["raw"] if latest else None,
    }


def by_session(statements: list[dict]) -> list[list[dict]]:
    """Statements split at each ``initialized``."""
    sessions: list[list[dict]] = []
    for statement in statements:
        if statement["verb"]["id"].endswith("/initialized"):
            sessions.append([])
        sessions[-1].append(statement)
    return sessions


SCORM_STATUS = {"scorm12": ("cmi.core.lesson_status",), "scorm2004": ("cmi.completion_status", "cmi.success_status")}
SCORM_SCORE = {"scorm12": ("cmi.core.score.raw",), "scorm2004": ("cmi.score.raw", "cmi.score.scaled")}
SCORM_SET = {"scorm12": "LMSSetValue", "scorm2004": "SetValue"}


def scorm_reports(calls: list[dict], standard: str) -> list[str]:
    """The outcome writes of one session, in the vocabulary of ``xapi_reports``: a status written
    completed, passed or failed (with the raw score written with it)."""
    found = []
    score = None
    for call in calls:
        if call["method"] != SCORM_SET[standard]:
            continue
        element, value = call["args"]
        if element == SCORM_SCORE[standard][0]:
            score = value
        elif element in SCORM_STATUS[standard] and value in OUTCOME_VERBS:
            found.append(value if value == "completed" else f"{value} {score}")
    return found


def scorm_writes_outcome(calls: list[dict], standard: str) -> list[list[str]]:
    """Every write of a status, score or progress element."""
    watched = SCORM_STATUS[standard] + SCORM_SCORE[standard] + ("cmi.progress_measure",)
    return [call["args"] for call in calls if call["method"] == SCORM_SET[standard] and call["args"][0] in watched]


def scorm_holds(kept: dict[str, str], standard: str) -> dict[str, Any]:
    raw = kept.get(SCORM_SCORE[standard][0])
    if standard == "scorm12":
        status = kept.get("cmi.core.lesson_status", "")
        completed = status in OUTCOME_VERBS  # a verdict is a finished attempt in SCORM 1.2's one status
        verdict = status if status in ("passed", "failed") else None
    else:
        completed = kept.get("cmi.completion_status") == "completed"
        verdict = kept.get("cmi.success_status") if kept.get("cmi.success_status") in ("passed", "failed") else None
        if raw is not None:
            assert float(kept["cmi.score.scaled"]) == float(raw) / 100
    return {"completed": completed, "verdict": verdict, "score": None if raw is None else round(float(raw))}


class Learner:
    """One learner enrolled in one format; ``session()`` launches the course again (as a new tab of
    the same browser, so what the previous page left in localStorage is there)."""

    def session(self, mode: str = "normal") -> Course:
        raise NotImplementedError

    def leave(self, how: str) -> None:
        """``exit`` (the Exit button) or ``close`` (the page goes away: pagehide)."""
        raise NotImplementedError

    def reports(self) -> dict[str, list[list[str]]]:
        """Outcome reports per session, per record keeper family ("xapi", "scorm")."""
        raise NotImplementedError

    def holds(self) -> list[dict[str, Any]]:
        """What each record keeper (LMS, LRS) shows now."""
        raise NotImplementedError

    def check(self) -> None:
        """The run was clean: no console error, no foreign request, no rule broken."""
        raise NotImplementedError


class Cmi5Learner(Learner):
    def __init__(self, env: Env, browser: Any):
        self.env = env
        self.registration = env.lms.register("cmi5")
        self.context = browser.new_context()
        self.pages: list[support.Watched] = []

    def session(self, mode: str = "normal") -> Course:
        url = self.env.lms.launch(self.registration, mode.capitalize())
        watched = support.watch(self.context)
        self.pages.append(watched)
        watched.page.goto(url)
        assert support.wait_for(
            lambda: self.registration.sessions[-1].initialized_at is not None or self.env.lms.violations)
        assert self.env.lms.violations == []
        return Course(watched.page)

    def leave(self, how: str) -> None:
        page = self.pages[-1].page
        if how == "exit":
            page.locator("#exit").click()
            page.wait_for_url(self.env.lms.return_url, timeout=10_000)
        else:
            page.goto(self.env.lms.return_url)
        assert support.wait_for(lambda: self.registration.sessions[-1].terminated or self.env.lms.violations), \
            "terminated never came"

    def reports(self) -> dict[str, list[list[str]]]:
        return {"xapi": [xapi_reports(session.statements) for session in self.registration.sessions]}

    def holds(self) -> list[dict[str, Any]]:
        holds = self.registration.holds()
        assert holds["satisfied"] == (holds["completed"] and holds["verdict"] == "passed")  # moveOn CompletedAndPassed
        return [{"completed": holds["completed"], "verdict": holds["verdict"],
                 "score": None if holds["score"] is None else round(holds["score"] * 100)}]

    def check(self) -> None:
        assert self.env.lms.violations == []
        assert self.env.lms.late == []
        for watched in self.pages:
            assert watched.console_errors(DOCUMENT_READS) == []
            assert support.foreign_requests(watched.requests) == []
        self.context.close()


class TincanLearner(Learner):
    def __init__(self, env: Env, browser: Any):
        self.env = env
        self.actor = {"objectType": "Agent", "name": "Luz", "mbox": f"mailto:luz-{uuid.uuid4().hex[:8]}@example.org"}
        self.registration = str(uuid.uuid4())
        self.context = browser.new_context()
        self.pages: list[support.Watched] = []

    def statements(self) -> list[dict]:
        return self.env.lrs.statements(registration=self.registration)

    def count(self, verb: str) -> int:
        return sum(1 for s in self.statements() if s["verb"]["id"].endswith("/" + verb))

    def session(self, mode: str = "normal") -> Course:
        assert mode == "normal", "Tin Can has no launch modes"
        query = urllib.parse.urlencode({
            "endpoint": self.env.lrs.endpoint, "auth": self.env.auth, "actor": json.dumps(self.actor),
            "registration": self.registration, "activity_id": COURSE_IRI,
        })
        watched = support.watch(self.context)
        self.pages.append(watched)
        watched.page.goto(f"{self.env.lms.origin}/pkg/tincan/index.html?{query}")
        assert support.wait_for(lambda: self.count("initialized") == len(self.pages))
        return Course(watched.page)

    def leave(self, how: str) -> None:
        page = self.pages[-1].page
        if how == "exit":
            page.locator("#exit").click()
            page.locator("#closed").wait_for(state="visible")
        else:
            page.goto(self.env.lms.return_url)
        assert support.wait_for(lambda: self.count("terminated") == len(self.pages)), "terminated never came"

    def reports(self) -> dict[str, list[list[str]]]:
        return {"xapi": [xapi_reports(session) for session in by_session(self.statements())]}

    def holds(self) -> list[dict[str, Any]]:
        return [xapi_holds(self.statements())]

    def check(self) -> None:
        for watched in self.pages:
            assert watched.console_errors(DOCUMENT_READS) == []
            assert support.foreign_requests(watched.requests) == []
            assert not [text for _kind, text, _url in watched.console if "refused" in text]
        self.context.close()


class ScormLearner(Learner):
    """SCORM 1.2 or 2004 under scorm-again; ``package="scorm12-xapi"`` also reports to the LRS."""

    def __init__(self, launch: Callable[..., Any], course: Any, standard: str, package: str | None = None,
                 env: Env | None = None):
        self.launch = launch
        self.course = course
        self.standard = standard
        self.package = package or standard
        self.env = env
        self.student = f"learner-{uuid.uuid4().hex[:8]}"
        self.init = {"cmi.core.student_id" if standard == "scorm12" else "cmi.learner_id": self.student}
        self.runs: list[Any] = []

    @property
    def xapi(self) -> bool:
        return self.package == "scorm12-xapi"

    def statements(self) -> list[dict]:
        assert self.env
        # the LMS page's origin is the actor's homePage (no actor_homepage setting in this build)
        home = urllib.parse.urlsplit(self.runs[0].base)
        agent = {"objectType": "Agent", "account": {"homePage": f"{home.scheme}://{home.netloc}", "name": self.student}}
        return self.env.lrs.statements(agent=agent)

    def count(self, verb: str) -> int:
        return sum(1 for s in self.statements() if s["verb"]["id"].endswith("/" + verb))

    def session(self, mode: str = "normal") -> Course:
        init = self.runs[-1].kept(self.init) if self.runs else dict(self.init)
        if mode != "normal":
            init["cmi.core.lesson_mode" if self.standard == "scorm12" else "cmi.mode"] = mode
        query = None
        if self.xapi:
            assert self.env
            query = {"endpoint": self.env.lrs.endpoint, "auth": self.env.auth}
        run = self.launch(self.course, self.standard, init, package=self.package, query=query)
        self.runs.append(run)
        if self.xapi:
            assert support.wait_for(lambda: self.count("initialized") == len(self.runs))
        return Course(run.sco)

    def leave(self, how: str) -> None:
        run = self.runs[-1]
        if how == "exit":
            run.sco.locator("#exit").click()
            run.sco.locator("#closed").wait_for(state="visible")
        else:
            run.unload()
        if self.xapi:
            assert support.wait_for(lambda: self.count("terminated") == len(self.runs)), "terminated never came"

    def reports(self) -> dict[str, list[list[str]]]:
        found = {"scorm": [scorm_reports(run.calls(), self.standard) for run in self.runs]}
        if self.xapi:
            found["xapi"] = [xapi_reports(session) for session in by_session(self.statements())]
        return found

    def holds(self) -> list[dict[str, Any]]:
        found = [scorm_holds(self.runs[-1].kept(), self.standard)]
        if self.xapi:
            found.append(xapi_holds(self.statements()))
        return found

    def check(self) -> None:
        for run in self.runs:
            run.assert_clean(also=(self.env.lrs.endpoint,) if self.env else ())


FORMATS = ("cmi5", "tincan", "scorm12", "scorm2004", "scorm12-xapi")


@pytest.fixture
def learner(env: Env, browser: Any, launch: Callable[..., Any], mini_course: Any) -> Callable[[str], Learner]:
    """``learner(format)``: a new learner enrolled in the mini course in that format."""

    def enrol(fmt: str) -> Learner:
        if fmt == "cmi5":
            return Cmi5Learner(env, browser)
        if fmt == "tincan":
            return TincanLearner(env, browser)
        if fmt == "scorm12-xapi":
            return ScormLearner(launch, mini_course, "scorm12", "scorm12-xapi", env)
        return ScormLearner(launch, mini_course, fmt)

    return enrol


def expect_reports(learner: Learner, xapi: list[list[str]], scorm: list[list[str]] | None = None) -> None:
    """The outcome reports per session; SCORM writes at once what xAPI holds (``scorm``, default the same)."""
    expected = {"xapi": xapi, "scorm": xapi if scorm is None else scorm}
    for family, reports in learner.reports().items():
        assert reports == expected[family], family


def expect_holds(learner: Learner, completed: bool, verdict: str | None, score: int | None) -> None:
    for holds in learner.holds():
        assert holds == {"completed": completed, "verdict": verdict, "score": score}


def nothing_reported_yet(learner: Learner) -> None:
    """The session just started (resumed): no outcome reported, no status or score written."""
    for family, reports in learner.reports().items():
        assert reports[-1] == [], family
    if isinstance(learner, ScormLearner):
        assert scorm_writes_outcome(learner.runs[-1].calls(), learner.standard) == []


# ---------------------------------------------------------------- the sequences


@pytest.mark.parametrize("fmt", FORMATS)
def test_pass_first_time(learner: Callable[[str], Learner], fmt: str) -> None:
    someone = learner(fmt)
    course = someone.session()
    course.walk()
    course.submit(100)
    someone.leave("exit")
    expect_reports(someone, [["completed", "passed 100"]])
    expect_holds(someone, True, "passed", 100)
    someone.check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_fail_then_pass_in_one_session(learner: Callable[[str], Learner], fmt: str) -> None:
    """The failed verdict of the first attempt is held (xAPI) or overwritten (SCORM): passed, 100."""
    someone = learner(fmt)
    course = someone.session()
    course.walk()
    course.submit(67)
    course.submit(33)
    course.submit(100)
    someone.leave("exit")
    expect_reports(someone, [["completed", "passed 100"]], scorm=[["completed", "failed 67", "passed 100"]])
    expect_holds(someone, True, "passed", 100)
    someone.check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_fail_leave_relaunch_pass(learner: Callable[[str], Learner], fmt: str) -> None:
    someone = learner(fmt)
    course = someone.session()
    course.walk()
    course.submit(67)
    someone.leave("exit")
    expect_holds(someone, True, "failed", 67)
    course = someone.session()
    nothing_reported_yet(someone)
    course.submit(100)
    someone.leave("exit")
    expect_reports(someone, [["completed", "failed 67"], ["passed 100"]])
    expect_holds(someone, True, "passed", 100)
    someone.check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_fail_leave_relaunch_leave(learner: Callable[[str], Learner], fmt: str) -> None:
    """The first session ends by closing the page (the held verdict goes out with keepalive); the
    resumed one sends and writes nothing about the outcome."""
    someone = learner(fmt)
    course = someone.session()
    course.walk()
    course.submit(67)
    someone.leave("close")
    someone.session()
    nothing_reported_yet(someone)
    someone.leave("exit")
    expect_reports(someone, [["completed", "failed 67"], []])
    expect_holds(someone, True, "failed", 67)
    someone.check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_worse_retake_keeps_the_best_score(learner: Callable[[str], Learner], fmt: str) -> None:
    """67, then 33 in the next session: xAPI sends that session's failed verdict with the best score
    so far (cmi5 §9.3.5: an attempt that fails is reported); SCORM has nothing new to write."""
    someone = learner(fmt)
    course = someone.session()
    course.walk()
    course.submit(67)
    someone.leave("exit")
    course = someone.session()
    course.submit(33)
    someone.leave("close")
    expect_reports(someone, [["completed", "failed 67"], ["failed 67"]], scorm=[["completed", "failed 67"], []])
    expect_holds(someone, True, "failed", 67)
    someone.check()


@pytest.mark.parametrize("fmt", [fmt for fmt in FORMATS if fmt != "tincan"])  # Tin Can has no launch modes
@pytest.mark.parametrize("mode", ["browse", "review"])
def test_browse_and_review_report_nothing(learner: Callable[[str], Learner], fmt: str, mode: str) -> None:
    """Browse: a new learner looks around and passes; Review: after a failed attempt she passes. Neither
    is reported (cmi5 §10.2.2: only initialized and terminated; SCORM: no data-model writes)."""
    someone = learner(fmt)
    before = None
    if mode == "review":
        course = someone.session()
        course.walk()
        course.submit(67)
        someone.leave("exit")
        before = someone.holds()
    course = someone.session(mode)
    course.walk()
    course.submit(100)
    someone.leave("exit")
    for reports in someone.reports().values():
        assert reports[-1] == []
    after = someone.holds()
    assert after == (before or [{"completed": False, "verdict": None, "score": None}] * len(after))
    if isinstance(someone, Cmi5Learner):
        assert someone.registration.session_verbs(-1, defined_only=False) == ["initialized", "terminated"]
    if isinstance(someone, ScormLearner):
        writes = {call["args"][0] for call in someone.runs[-1].calls() if call["method"] == SCORM_SET[someone.standard]}
        assert writes <= {"cmi.core.lesson_location", "cmi.location", "adl.nav.request"}, writes
    someone.check()
