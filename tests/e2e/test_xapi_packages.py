"""cmi5, Tin Can and SCORM 1.2 + xAPI packages in headless Chromium, delivering into our own LRS.

The test plays the LMS: for cmi5 it writes LMS.LaunchData and the learner preferences into the LRS,
serves a one-time fetch URL and opens the AU with the five launch parameters; for Tin Can it opens
the course with endpoint/auth/actor/registration/activity_id; for SCORM 1.2 + xAPI it runs the
course under scorm-again's Scorm12API. Then it reads back what the LRS stored.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helper module next to this file, with or without conftest

import xapi_support as support  # noqa: E402
from xapi_support import (  # noqa: E402
    CMI5_CATEGORY,
    MASTERY_EXT,
    MOVEON_CATEGORY,
    PROGRESS_EXT,
    SESSION_ID,
    VERBS,
)

pytestmark = pytest.mark.browser

COURSE_IRI = "https://spotlight-pack.org/xapi/activities/mini"
PAGES = ["basics/welcome", "basics/details", "basics/basics-quiz", "practice/steps", "assessment"]
PAGE_IRIS = [f"{COURSE_IRI}/{page}" for page in PAGES]
QUESTIONS = {q: f"{COURSE_IRI}/question/{q}" for q in ("mini-s1", "mini-q1", "mini-q2", "mini-q3")}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
LRS_DOCUMENT_PATHS = ("/xAPI/activities/state", "/xAPI/agents/profile")


class Env:
    def __init__(self, lrs: support.LRS, content: support.ContentServer, browser: Any, urls: dict[str, str],
                 credentials: dict[str, str]):
        self.credentials = credentials  # format → base64(key:secret), created with `spotlight-lrs credentials`
        self.lrs = lrs
        self.content = content
        self.browser = browser
        self.urls = urls


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, xapi_lrs: support.LRS) -> Iterator[Env]:
    import spotlight_pack

    workdir = tmp_path_factory.mktemp("xapi-e2e")
    lrs = xapi_lrs
    content = support.ContentServer(workdir / "www")
    (workdir / "www").mkdir()
    try:
        content.start()
        write_key, write_secret = lrs.credential("statements/write", name="scorm12-xapi package")
        credentials = {
            "cmi5": support.basic(*lrs.credential("statements/write", "state", "profile", name="cmi5 AU sessions")),
            "tincan": support.basic(*lrs.credential("statements/write", "state", name="tincan launches")),
        }
        out = workdir / "dist"
        built = spotlight_pack.build([support.MINI], formats=["cmi5", "tincan"], languages=["en"], out=out)
        built += spotlight_pack.build(
            [support.MINI], formats=["scorm12-xapi"], languages=["en"], out=out,
            settings={"lrs_endpoint": lrs.endpoint, "lrs_key": write_key, "lrs_secret": write_secret},
        )
        url_launched = spotlight_pack.build(
            [support.MINI], formats=["scorm12-xapi"], languages=["en"], out=workdir / "dist-url",
            settings={"actor_homepage": "https://learners.example.org"},
        )
        spanish = spotlight_pack.build([support.MINI], formats=["tincan"], languages=["es"], out=workdir / "dist-es")
        urls = {
            "scorm12-xapi-url": content.add_package("scorm12-xapi-url", Path(url_launched[0])),
            "tincan-es": content.add_package("tincan-es", Path(spanish[0])),
        }
        for path in built:
            name = re.search(r"-(cmi5|tincan|scorm12-xapi)-en\.zip$", path.name)
            assert name, path
            urls[name.group(1)] = content.add_package(name.group(1), Path(path))
        with support.chromium() as browser:
            yield Env(lrs, content, browser, urls, credentials)
    finally:
        content.stop()


def by_verb(statements: list[dict], verb: str) -> list[dict]:
    return [s for s in statements if s["verb"]["id"] == VERBS + verb]


def categories(statement: dict) -> set[str]:
    found = statement.get("context", {}).get("contextActivities", {}).get("category", [])
    return {item["id"] for item in found}


def assert_clean(watched: support.Watched, allowed: tuple[str, ...] = LRS_DOCUMENT_PATHS) -> None:
    assert watched.console_errors(allowed) == []
    assert support.foreign_requests(watched.requests) == []
    refused = [text for _kind, text, _url in watched.console if "refused" in text]
    assert refused == []


def course_data(env: Env, package: str) -> dict:
    html = (env.content.root / "pkg" / package / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="spotlight-data">(.*?)</script>', html, re.S)
    assert found, package
    return json.loads(found.group(1))


def test_activity_ids_are_the_same_in_every_format_and_language(env: Env) -> None:
    def ids(data: dict) -> list[str]:
        items = data["pages"] + data["questions"] + data["modules"]
        return [data["iri"]] + [item["iri"] for item in items]

    english = ids(course_data(env, "tincan"))
    assert english[0] == COURSE_IRI and set(PAGE_IRIS + list(QUESTIONS.values())) <= set(english)
    for package in ("cmi5", "scorm12-xapi", "scorm12-xapi-url", "tincan-es"):
        assert ids(course_data(env, package)) == english, package
    assert course_data(env, "tincan-es")["locale"].startswith("es")


# --- cmi5 ------------------------------------------------------------------------------------


class Cmi5Launch:
    """What a cmi5 LMS does before it opens an AU (cmi5 §8, §10, §11)."""

    def __init__(self, env: Env, mode: str = "Normal", registration: str | None = None, mastery: float = 0.8):
        self.env = env
        self.actor = {"objectType": "Agent", "name": "Ana Pérez",
                      "account": {"homePage": "https://lms.example.org", "name": f"ana-{uuid.uuid4().hex[:8]}"}}
        self.registration = registration or str(uuid.uuid4())
        self.activity_id = f"https://lms.example.org/aus/{uuid.uuid4()}"
        self.session = str(uuid.uuid4())
        self.publisher_id = f"{COURSE_IRI}/cmi5/en/au"
        self.return_url = f"{env.content.origin}/return.html"
        self.launch_data = {
            "contextTemplate": {
                "contextActivities": {"grouping": [{"objectType": "Activity", "id": self.publisher_id}]},
                "extensions": {SESSION_ID: self.session},
            },
            "launchMode": mode,
            "moveOn": "CompletedAndPassed",
            "masteryScore": mastery,
            "returnURL": self.return_url,
        }

    def scope(self) -> dict[str, Any]:
        return {"activityId": self.activity_id, "agent": self.actor, "registration": self.registration}

    def prepare(self) -> str:
        lrs = self.env.lrs
        status, body = lrs.call("PUT", "activities/state", dict(self.scope(), stateId="LMS.LaunchData"),
                                self.launch_data)
        assert status == 204, body
        status, body = lrs.call("POST", "agents/profile", {"agent": self.actor, "profileId": "cmi5LearnerPreferences"},
                                {"languagePreference": "en-US,es-MX", "audioPreference": "on"})
        assert status == 204, body
        launched = {
            "id": str(uuid.uuid4()), "actor": self.actor,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": self.activity_id},
            "context": {**json.loads(json.dumps(self.launch_data["contextTemplate"])),
                        "registration": self.registration},
        }
        launched["context"]["contextActivities"]["category"] = [{"id": CMI5_CATEGORY}]
        launched["context"]["extensions"].update({
            CMI5 + "context/extensions/launchmode": self.launch_data["launchMode"],
            CMI5 + "context/extensions/moveon": "CompletedAndPassed",
            CMI5 + "context/extensions/launchurl": self.env.urls["cmi5"] + "index.html",
            CMI5 + "context/extensions/masteryscore": self.launch_data["masteryScore"],
        })
        status, body = lrs.call("POST", "statements", body=launched)
        assert status == 200, body
        fetch = self.env.content.fetch_url(self.env.credentials["cmi5"])
        self.fetch_id = fetch.rsplit("/", 1)[1]
        query = urllib.parse.urlencode({
            "endpoint": lrs.endpoint, "fetch": fetch, "actor": json.dumps(self.actor),
            "registration": self.registration, "activityId": self.activity_id,
        })
        return self.env.urls["cmi5"] + "index.html?" + query

    def au_statements(self) -> list[dict]:
        found = self.env.lrs.statements(registration=self.registration)
        return [s for s in found if s["verb"]["id"] != "http://adlnet.gov/expapi/verbs/launched"]


CMI5 = support.CMI5


def check_cmi5_statement(launch: Cmi5Launch, statement: dict, session: str) -> None:
    context = statement["context"]
    assert context["registration"] == launch.registration
    assert context["extensions"][SESSION_ID] == session
    grouping = {item["id"] for item in context["contextActivities"]["grouping"]}
    assert launch.publisher_id in grouping  # the template's grouping, kept
    assert statement["actor"]["account"] == launch.actor["account"]
    assert statement["timestamp"]


def run_cmi5(env: Env, launch: Cmi5Launch, answers: dict[str, list[str]] | None, exit_to_lms: bool = True
             ) -> support.Watched:
    context = env.browser.new_context()
    watched = support.watch(context)
    try:
        watched.page.goto(launch.prepare())
        watched.page.wait_for_load_state("networkidle")  # the adapter started
        if answers is not None:
            support.click_through(watched.page, answers)
        else:
            watched.page.locator("#note-start, section.page:not([hidden]) h1").first.wait_for(state="visible")
        watched.page.locator("#exit").click()
        if exit_to_lms:
            watched.page.wait_for_url(launch.return_url, timeout=10_000)
        assert_clean(watched)
    finally:
        context.close()
    return watched


def test_cmi5_normal_launch_passes_with_a_valid_sequence(env: Env) -> None:
    launch = Cmi5Launch(env)
    run_cmi5(env, launch, support.PASS_ANSWERS)
    statements = launch.au_statements()
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated", verbs
    assert Counter(verbs) == Counter({"initialized": 1, "experienced": 5, "answered": 4, "completed": 1,
                                      "passed": 1, "terminated": 1}), verbs
    assert verbs.index("completed") < verbs.index("terminated")
    for statement in statements:
        check_cmi5_statement(launch, statement, launch.session)
    defined = [s for s in statements if s["verb"]["id"].rsplit("/", 1)[1] in
               ("initialized", "completed", "passed", "terminated")]
    for statement in defined:
        assert statement["object"]["id"] == launch.activity_id
        assert CMI5_CATEGORY in categories(statement)
    for verb in ("completed", "passed", "terminated"):
        assert re.fullmatch(r"PT\d+H\d+M[\d.]+S", by_verb(statements, verb)[0]["result"]["duration"])
    completed = by_verb(statements, "completed")[0]
    assert completed["result"]["completion"] is True and "score" not in completed["result"]
    assert MOVEON_CATEGORY in categories(completed)
    passed = by_verb(statements, "passed")[0]
    assert passed["result"]["success"] is True
    assert passed["result"]["score"]["scaled"] == 1 and passed["result"]["score"]["raw"] == 100
    assert passed["context"]["extensions"][MASTERY_EXT] == 0.8
    assert MOVEON_CATEGORY in categories(passed)
    for statement in by_verb(statements, "initialized") + by_verb(statements, "terminated"):
        assert MOVEON_CATEGORY not in categories(statement) and "score" not in statement.get("result", {})
    # cmi5-allowed statements carry no cmi5 category, only the template's context
    for statement in by_verb(statements, "experienced") + by_verb(statements, "answered"):
        assert CMI5_CATEGORY not in categories(statement)
    assert [s["object"]["id"] for s in by_verb(statements, "experienced")] == PAGE_IRIS
    # the fetch URL was called once, with POST; it is spent now (cmi5 §8.2.3)
    assert [call for call in env.content.fetch_calls if call[1] == launch.fetch_id] == [("POST", launch.fetch_id)]
    spent = urllib.request.Request(f"{env.content.origin}/fetch/{launch.fetch_id}", method="POST", data=b"")
    with urllib.request.urlopen(spent, timeout=5) as answer:
        assert json.loads(answer.read())["error-code"] == "1"

    # the bookmark and state are in the AU's own State document, LMS.LaunchData untouched
    status, saved = env.lrs.call("GET", "activities/state",
                                 dict(launch.scope(), stateId="https://spotlight-pack.org/xapi/state/bookmark"))
    assert status == 200 and saved["bookmark"] == "assessment" and saved["passed"] is True
    status, launch_data = env.lrs.call("GET", "activities/state", dict(launch.scope(), stateId="LMS.LaunchData"))
    assert launch_data == launch.launch_data

    # a second session in the same registration resumes, and sends neither completed nor passed again
    launch.session = str(uuid.uuid4())
    launch.launch_data["contextTemplate"]["extensions"][SESSION_ID] = launch.session
    context = env.browser.new_context()
    watched = support.watch(context)
    try:
        watched.page.goto(launch.prepare())
        watched.page.wait_for_load_state("networkidle")  # the adapter started
        watched.page.locator("#quiz-assessment").wait_for(state="visible")
        watched.page.locator("#exit").click()
        watched.page.wait_for_url(launch.return_url, timeout=10_000)
        assert_clean(watched)
    finally:
        context.close()
    second = [s for s in launch.au_statements() if s["context"]["extensions"][SESSION_ID] == launch.session]
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in second]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated", verbs
    assert not {"completed", "passed", "failed"} & set(verbs), verbs
    assert [s["object"]["id"] for s in by_verb(second, "experienced")] == [PAGE_IRIS[-1]]  # resumed there
    assert "result" not in by_verb(second, "experienced")[0]  # no progress once completed (cmi5 §9.5.5.1)


def test_cmi5_launchdata_mastery_score_decides_pass(env: Env) -> None:
    """2 of 3 right (67) fails the course's own 80 but passes the LMS's masteryScore 0.6."""
    launch = Cmi5Launch(env, mastery=0.6)
    two_of_three = dict(support.PASS_ANSWERS, **{"mini-q3": ["true"]})
    run_cmi5(env, launch, two_of_three)
    statements = launch.au_statements()
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert "failed" not in verbs and verbs.count("passed") == 1, verbs
    passed = by_verb(statements, "passed")[0]
    assert passed["result"]["score"] == {"scaled": 0.67, "raw": 67, "min": 0, "max": 100}
    assert passed["context"]["extensions"][MASTERY_EXT] == 0.6


# --- Tin Can ---------------------------------------------------------------------------------


def tincan_url(env: Env, actor: dict, registration: str) -> str:
    query = urllib.parse.urlencode({
        "endpoint": env.lrs.endpoint, "auth": "Basic " + env.credentials["tincan"], "actor": json.dumps(actor),
        "registration": registration, "activity_id": COURSE_IRI,
    })
    return env.urls["tincan"] + "index.html?" + query


def check_interactions(statements: list[dict], registration: str) -> None:
    answered = {s["object"]["id"]: s for s in by_verb(statements, "answered")}
    assert set(answered) == set(QUESTIONS.values())
    single = answered[QUESTIONS["mini-q1"]]
    definition = single["object"]["definition"]
    assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert definition["interactionType"] == "choice"
    assert definition["correctResponsesPattern"] == ["a"]
    assert [c["id"] for c in definition["choices"]] == ["a", "b"]
    assert definition["choices"][0]["description"] == {"en": "Listen"}
    multiple = answered[QUESTIONS["mini-q2"]]
    assert multiple["object"]["definition"]["correctResponsesPattern"] == ["a[,]b"]
    assert multiple["result"] == {**multiple["result"], "response": "a[,]b", "success": True}
    truefalse = answered[QUESTIONS["mini-q3"]]
    assert truefalse["object"]["definition"]["interactionType"] == "true-false"
    assert truefalse["object"]["definition"]["correctResponsesPattern"] == ["false"]
    assert truefalse["result"]["response"] == "false" and truefalse["result"]["success"] is True
    parents = single["context"]["contextActivities"]["parent"]
    assert [p["id"] for p in parents] == [f"{COURSE_IRI}/assessment"]
    self_check = answered[QUESTIONS["mini-s1"]]
    assert [p["id"] for p in self_check["context"]["contextActivities"]["parent"]] == [
        f"{COURSE_IRI}/basics/basics-quiz"]
    for statement in statements:
        context = statement["context"]
        assert context["registration"] == registration
        assert context["language"] == "en"
        if statement["object"]["id"] != COURSE_IRI:
            related = context["contextActivities"].get("grouping", []) + context["contextActivities"]["parent"]
            assert COURSE_IRI in {item["id"] for item in related}
    experienced = by_verb(statements, "experienced")
    assert [s["object"]["id"] for s in experienced] == PAGE_IRIS
    assert experienced[0]["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert experienced[0]["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": f"{COURSE_IRI}/basics"}]
    assert experienced[-1]["result"]["extensions"][PROGRESS_EXT] == 100
    course = {"objectType": "Activity", "id": COURSE_IRI, "definition": {"type": COURSE_TYPE}}
    assert experienced[-1]["context"]["contextActivities"]["parent"] == [course]  # the final assessment
    assert course in experienced[0]["context"]["contextActivities"]["grouping"]


def test_tincan_package_delivers_statements(env: Env) -> None:
    actor = {"objectType": "Agent", "name": "Luis", "mbox": f"mailto:luis-{uuid.uuid4().hex[:6]}@example.org"}
    registration = str(uuid.uuid4())
    context = env.browser.new_context()
    headers: list[dict[str, str]] = []
    context.on("request", lambda r: headers.append(r.headers) if r.url.startswith(env.lrs.endpoint) else None)
    watched = support.watch(context)
    try:
        watched.page.goto(tincan_url(env, actor, registration))
        watched.page.wait_for_load_state("networkidle")  # the adapter started
        support.click_through(watched.page, support.PASS_ANSWERS)
        watched.page.locator("#exit").click()
        watched.page.locator("#closed").wait_for(state="visible")
        assert_clean(watched)
    finally:
        context.close()
    assert headers and all(h.get("x-experience-api-version") == "1.0.3" for h in headers)
    assert all(h.get("authorization") == "Basic " + env.credentials["tincan"] for h in headers)
    statements = env.lrs.statements(registration=registration)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated"
    assert Counter(verbs) == Counter({"initialized": 1, "experienced": 5, "answered": 4, "completed": 1,
                                      "passed": 1, "terminated": 1}), verbs
    check_interactions(statements, registration)
    passed = by_verb(statements, "passed")[0]
    assert passed["object"]["id"] == COURSE_IRI
    assert passed["result"]["score"] == {"scaled": 1, "raw": 100, "min": 0, "max": 100}


# --- SCORM 1.2 + xAPI ------------------------------------------------------------------------


def test_scorm12_xapi_package_reports_to_lms_and_lrs(env: Env) -> None:
    student = f"learner-{uuid.uuid4().hex[:8]}"
    init = json.dumps({"cmi.core.student_id": student, "cmi.core.student_name": "Doe, Jane"})
    sco = env.urls["scorm12-xapi"] + "index.html"
    url = env.content.lms_url(sco, init)
    context = env.browser.new_context()
    watched = support.watch(context)
    try:
        watched.page.goto(url)
        watched.page.wait_for_load_state("networkidle")  # the adapter started
        course = watched.page.frame_locator("#sco")
        support.click_through(course, support.PASS_ANSWERS)
        course.locator("#exit").click()
        course.locator("#closed").wait_for(state="visible")
        calls = watched.page.evaluate("window.lmsCalls")
        assert_clean(watched)
    finally:
        context.close()
    sets = [call["args"] for call in calls if call["method"] == "LMSSetValue"]
    assert ["cmi.core.lesson_status", "passed"] in sets
    assert ["cmi.core.score.raw", "100"] in sets
    assert calls[-1]["method"] == "LMSFinish" and calls[-1]["result"] == "true"
    assert all(call["error"] == "0" for call in calls if call["method"] != "LMSGetValue")
    agent = {"objectType": "Agent", "account": {"homePage": env.content.origin, "name": student}}
    statements = env.lrs.statements(agent=agent)
    assert statements, "no statement reached the LRS"
    assert statements[0]["actor"]["name"] == "Doe, Jane"
    registration = statements[0]["context"]["registration"]
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert Counter(verbs) == Counter({"initialized": 1, "experienced": 5, "answered": 4, "completed": 1,
                                      "passed": 1, "terminated": 1}), verbs
    check_interactions(statements, registration)


def test_scorm12_xapi_without_build_endpoint_reads_the_launch_url(env: Env) -> None:
    student = f"learner-{uuid.uuid4().hex[:8]}"
    init = json.dumps({"cmi.core.student_id": student, "cmi.core.student_name": "Roe, Ann"})
    query = urllib.parse.urlencode({"endpoint": env.lrs.endpoint, "auth": "Basic " + env.credentials["tincan"]})
    sco = env.urls["scorm12-xapi-url"] + "index.html?" + query
    url = env.content.lms_url(sco, init)
    for _launch in range(2):
        context = env.browser.new_context()
        watched = support.watch(context)
        try:
            watched.page.goto(url)
            watched.page.wait_for_load_state("networkidle")  # the adapter started
            course = watched.page.frame_locator("#sco")
            course.locator("#note-start").click()
            course.locator("#next").click()
            course.locator("#exit").click()
            course.locator("#closed").wait_for(state="visible")
            assert_clean(watched)
        finally:
            context.close()
    agent = {"objectType": "Agent", "account": {"homePage": "https://learners.example.org", "name": student}}
    statements = env.lrs.statements(agent=agent)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["initialized", "experienced", "experienced", "terminated"] * 2, verbs
    registrations = {s["context"]["registration"] for s in statements}
    assert len(registrations) == 1, "one registration per learner and course, the same at every launch"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}", registrations.pop())


# --- a phone that loses the network ------------------------------------------------------------


def test_statements_survive_a_lost_network_exactly_once(env: Env) -> None:
    actor = {"objectType": "Agent", "name": "Sofía", "mbox": f"mailto:sofia-{uuid.uuid4().hex[:6]}@example.org"}
    registration = str(uuid.uuid4())
    context = env.browser.new_context()
    sent: list[str] = []
    failures: list[str] = []
    batches: list[int] = []

    def on_request(request: Any) -> None:
        if request.method == "POST" and request.url.startswith(env.lrs.endpoint + "statements"):
            body = json.loads(request.post_data or "[]")
            sent.extend(s["id"] for s in (body if isinstance(body, list) else [body]))
            batches.append(len(body) if isinstance(body, list) else 1)

    context.on("request", on_request)
    context.on("requestfailed", lambda request: failures.append(request.url))
    watched = support.watch(context)
    try:
        page = watched.page
        page.goto(tincan_url(env, actor, registration))
        page.wait_for_load_state("networkidle")  # the adapter started
        page.locator("#note-start").click()
        page.locator("#page-basics--welcome").wait_for(state="visible")
        support.wait_for(lambda: len(env.lrs.statements(registration=registration)) >= 1)
        context.set_offline(True)
        page.locator("#next").click()
        page.locator("#next").click()
        support.submit_quiz(page, "basics-quiz", support.PASS_ANSWERS)
        page.locator("#next").click()
        page.wait_for_timeout(1500)
        stored_offline = {s["id"] for s in env.lrs.statements(registration=registration)}
        queued = page.evaluate(
            "Object.keys(localStorage).filter(k => k.indexOf('spotlight:xapi:') === 0)"
            ".map(k => JSON.parse(localStorage.getItem(k)).q.length)")
        assert queued and queued[0] >= 3, queued
        context.set_offline(False)
        page.locator("#next").click()
        support.submit_quiz(page, "assessment", support.PASS_ANSWERS)
        page.locator("#exit").click()
        page.locator("#closed").wait_for(state="visible")
        support.wait_for(lambda: page.evaluate(
            "Object.keys(localStorage).filter(k => k.indexOf('spotlight:xapi:') === 0).length") == 0)
        left = page.evaluate("Object.keys(localStorage).filter(k => k.indexOf('spotlight:xapi:') === 0)")
        assert left == []
        assert_clean(watched, LRS_DOCUMENT_PATHS + (env.lrs.endpoint,))
    finally:
        context.close()
    statements = env.lrs.statements(registration=registration)
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(sent), "the LRS holds exactly the statements the course made"
    assert not stored_offline & (set(ids) - stored_offline) and len(stored_offline) < len(ids)
    assert failures, "requests failed while offline"
    assert max(batches) > 1, "what waited offline went out in batches"
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert Counter(verbs) == Counter({"initialized": 1, "experienced": 5, "answered": 4, "completed": 1,
                                      "passed": 1, "terminated": 1}), verbs
    experienced = [s["object"]["id"] for s in by_verb(statements, "experienced")]
    assert experienced == PAGE_IRIS, "sent in the order they were made"


def test_closing_the_page_sends_terminated_with_keepalive(env: Env) -> None:
    actor = {"objectType": "Agent", "name": "Rosa", "mbox": f"mailto:rosa-{uuid.uuid4().hex[:6]}@example.org"}
    registration = str(uuid.uuid4())
    context = env.browser.new_context()
    keepalive: list[str] = []
    context.on("request", lambda request: keepalive.append(request.url) if request.method == "POST" else None)
    watched = support.watch(context)
    try:
        page = watched.page
        page.goto(tincan_url(env, actor, registration))
        page.wait_for_load_state("networkidle")  # the adapter started
        page.locator("#note-start").click()
        page.locator("#next").click()
        page.locator("#page-basics--details").wait_for(state="visible")
        page.goto(env.content.origin + "/return.html")  # pagehide: the player finishes with "unload"
        assert_clean(watched)
    finally:
        context.close()
    statements = support.wait_for(
        lambda: (found := env.lrs.statements(registration=registration)) and found[-1]["verb"]["id"].endswith(
            "terminated") and found
    )
    assert statements, "terminated did not arrive"
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["initialized", "experienced", "experienced", "terminated"], verbs
    query = {"activityId": COURSE_IRI, "agent": actor, "registration": registration,
             "stateId": "https://spotlight-pack.org/xapi/state/bookmark"}
    status, saved = env.lrs.call("GET", "activities/state", query)
    assert status == 200 and saved["bookmark"] == "basics/details"


def test_a_refused_statement_does_not_block_the_others(env: Env) -> None:
    """The LRS answers 503 once, then refuses (400) every request holding one statement: that one is
    dropped with a warning, the statements behind it still arrive."""
    mbox = f"mailto:eva-{uuid.uuid4().hex[:6]}@example.org"
    actor = {"name": ["Eva"], "mbox": [mbox]}  # the Tin Can 0.9 launch form some LMSs still send
    registration = str(uuid.uuid4())
    poison = f"{COURSE_IRI}/basics/details"
    answers: list[int] = []
    context = env.browser.new_context()
    watched = support.watch(context)

    def lrs(route: Any) -> None:
        request = route.request
        if request.method != "POST" or not request.url.startswith(env.lrs.endpoint + "statements"):
            return route.continue_()
        if not answers:
            answers.append(503)
            return route.fulfill(status=503, body="{}", headers={"Access-Control-Allow-Origin": "*"})
        if poison in (request.post_data or ""):
            answers.append(400)
            return route.fulfill(status=400, body='{"error":"no"}', headers={"Access-Control-Allow-Origin": "*"})
        answers.append(0)
        return route.continue_()

    try:
        page = watched.page
        context.route(env.lrs.endpoint + "statements*", lrs)
        page.goto(tincan_url(env, actor, registration))
        page.wait_for_load_state("networkidle")  # the adapter started
        support.click_through(page, support.PASS_ANSWERS)
        page.locator("#exit").click()
        page.locator("#closed").wait_for(state="visible", timeout=15_000)
        warnings = [text for kind, text, _url in watched.console if kind == "warning"]
        assert any("refused" in text for text in warnings), warnings
        assert watched.console_errors(LRS_DOCUMENT_PATHS + (env.lrs.endpoint + "statements",)) == []
    finally:
        context.close()
    assert answers[0] == 503 and 400 in answers
    statements = env.lrs.statements(registration=registration)
    assert statements[0]["actor"] == {"objectType": "Agent", "name": "Eva", "mbox": mbox}
    objects = [s["object"]["id"] for s in by_verb(statements, "experienced")]
    assert objects == [iri for iri in PAGE_IRIS if iri != poison]
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert Counter(verbs) == Counter(
        {"initialized": 1, "experienced": 4, "answered": 4, "completed": 1, "passed": 1, "terminated": 1}
    ), verbs


def test_statements_made_offline_are_sent_at_the_next_launch(env: Env) -> None:
    """The learner exits while offline: the statements wait in localStorage and the next launch
    (online, same learner and registration) sends them, each exactly once."""
    actor = {"objectType": "Agent", "name": "Inés", "mbox": f"mailto:ines-{uuid.uuid4().hex[:6]}@example.org"}
    registration = str(uuid.uuid4())
    url = tincan_url(env, actor, registration)
    context = env.browser.new_context()
    watched = support.watch(context)
    queued_key = "Object.keys(localStorage).filter(k => k.indexOf('spotlight:xapi:') === 0)"
    try:
        page = watched.page
        page.goto(url)
        page.wait_for_load_state("networkidle")  # the adapter started
        context.set_offline(True)
        page.locator("#note-start").click()
        page.locator("#next").click()
        page.locator("#exit").click()
        page.locator("#closed").wait_for(state="visible", timeout=15_000)  # after the 5 s wait for the LRS
        left = page.evaluate(f"{queued_key}.map(k => JSON.parse(localStorage.getItem(k)))")
        assert [(len(kept["q"]), kept["f"]["verb"]["id"]) for kept in left] == [(2, VERBS + "terminated")], left
        # experienced ×2, then terminated: kept to be sent last
        stored = env.lrs.statements(registration=registration)
        assert [s["verb"]["id"].rsplit("/", 1)[1] for s in stored] == ["initialized"]
        page.close()  # the phone closes the tab while still offline
        assert_clean(watched, LRS_DOCUMENT_PATHS + (env.lrs.endpoint, env.urls["tincan"] + "media/"))
        context.set_offline(False)
        again = support.watch(context)
        again.page.goto(url)  # launched again from the LMS, online
        again.page.wait_for_load_state("networkidle")
        assert support.wait_for(lambda: again.page.evaluate(f"{queued_key}.length") == 0)
        again.page.locator("#exit").click()
        again.page.locator("#closed").wait_for(state="visible")
        assert_clean(again)
    finally:
        context.close()
    statements = env.lrs.statements(registration=registration)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs == ["initialized", "experienced", "experienced", "terminated",
                     "initialized", "experienced", "terminated"], verbs
    # the bookmark saved offline came back from localStorage: the second session resumed on that page
    assert statements[-2]["object"]["id"] == f"{COURSE_IRI}/basics/details"
    query = {"activityId": COURSE_IRI, "agent": actor, "registration": registration,
             "stateId": "https://spotlight-pack.org/xapi/state/bookmark"}
    status, saved = env.lrs.call("GET", "activities/state", query)
    assert status == 200 and saved["bookmark"] == "basics/details"
    assert len({s["id"] for s in statements}) == len(statements)


def test_learner_who_moves_before_the_adapter_started_stays_where_she_is(env: Env) -> None:
    """The Start button works at once; when start() resolves late, the learner is not sent back."""
    actor = {"objectType": "Agent", "name": "Inés", "mbox": f"mailto:ines-{uuid.uuid4().hex[:6]}@example.org"}
    registration = str(uuid.uuid4())
    context = env.browser.new_context()
    held: list[Any] = []
    released: list[bool] = []

    def hold_until_released(route: Any) -> None:
        if released:
            route.continue_()
        else:
            held.append(route)

    context.route(lambda url: "/xAPI/activities/state" in url, hold_until_released)
    watched = support.watch(context)
    try:
        watched.page.goto(tincan_url(env, actor, registration))
        for _ in range(100):  # Playwright dispatches route events only inside its own calls
            if held:
                break
            watched.page.wait_for_timeout(100)
        assert held, "start() did not ask for its State document"
        watched.page.locator("#note-start").click()
        watched.page.locator("#next").click()
        assert watched.page.locator("#page-basics--details").is_visible()
        released.append(True)
        for route in held:
            route.continue_()
        watched.page.wait_for_load_state("networkidle")
        assert watched.page.locator("#page-basics--details").is_visible(), "sent back after start()"
        watched.page.locator("#exit").click()
        watched.page.locator("#closed").wait_for(state="visible")
    finally:
        context.close()
    statements = env.lrs.statements(registration=registration)
    experienced = [s["object"]["id"] for s in by_verb(statements, "experienced")]
    assert experienced == [f"{COURSE_IRI}/basics/details"]
