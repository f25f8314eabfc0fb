"""What the blocks send to an LRS, read back from our own LRS over HTTP: the xAPI Video Profile for a
video played, sought and finished; a reflection sent as a long-fill-in answer; a scenario walked to
two endings, each choice an answer on its scene and each ending a completion with outcome and path;
the in-page check's answers parented to their page. Every xAPI format (Tin Can launched as an LMS
would, cmi5 under a strict cmi5 LMS, SCORM 1.2 + xAPI under scorm-again) walked through every block
at 360 and 1280 px with axe on each page (blocks_support.py; docs/xapi-runtime.md)."""

from __future__ import annotations

import json
import re
import sys
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import blocks_support  # noqa: E402
import xapi_support as support  # noqa: E402
from cmi5_lms import Cmi5Lms  # noqa: E402

pytestmark = pytest.mark.browser

BLOCKS = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "blocks"
COURSE = "https://spotlight-pack.org/xapi/activities/blocks"
VIDEO = f"{COURSE}/media/first-call/video/first-call"
SCENARIO = f"{COURSE}/scenario/first-call/scenario"
PROFILE = "https://w3id.org/xapi/video"
EXT = PROFILE + "/extensions/"
OURS = "https://spotlight-pack.org/xapi/extensions/"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, browser: Any, xapi_lrs: support.LRS) -> Iterator[dict[str, Any]]:
    import spotlight_pack

    workdir = tmp_path_factory.mktemp("blocks-xapi")
    lrs = xapi_lrs
    content = support.ContentServer(workdir / "www")
    (workdir / "www").mkdir()
    lms = Cmi5Lms(lrs, workdir / "cmi5")
    try:
        content.start()
        lms.start()
        auth = support.basic(*lrs.credential("statements/write", "state", name="blocks launches"))
        key, secret = lrs.credential("statements/write", name="blocks scorm12-xapi")
        out = workdir / "dist"
        built = spotlight_pack.build([BLOCKS], formats=["tincan", "cmi5"], languages=["en"], out=out)
        built += spotlight_pack.build(
            [BLOCKS],
            formats=["scorm12-xapi"],
            languages=["en"],
            out=out,
            settings={"lrs_endpoint": lrs.endpoint, "lrs_key": key, "lrs_secret": secret},
        )
        urls = {}
        for path in built:
            fmt = re.search(r"-(cmi5|tincan|scorm12-xapi)-en\.zip$", path.name).group(1)
            if fmt == "cmi5":
                lms.add_package("cmi5", path)
            else:
                urls[fmt] = content.add_package(fmt, Path(path))
        yield {
            "lrs": lrs,
            "url": urls["tincan"],
            "urls": urls,
            "auth": auth,
            "browser": browser,
            "lms": lms,
            "content": content,
        }
    finally:
        lms.stop()
        content.stop()


def launch(
    env: dict[str, Any], registration: str, width: int = 1280, learner: str = ""
) -> tuple[Any, support.Watched]:
    """The Tin Can package launched for ``learner`` (default: a new one)."""
    learner = learner or f"ana-{uuid.uuid4().hex[:6]}"
    actor = {"objectType": "Agent", "name": "Ana", "mbox": f"mailto:{learner}@example.org"}
    query = urllib.parse.urlencode(
        {
            "endpoint": env["lrs"].endpoint,
            "auth": "Basic " + env["auth"],
            "actor": json.dumps(actor),
            "registration": registration,
            "activity_id": COURSE,
        }
    )
    context = env["browser"].new_context(viewport={"width": width, "height": 800})
    watched = support.watch(context)
    watched.page.goto(env["url"] + "index.html?" + query)
    watched.page.wait_for_load_state("networkidle")
    return context, watched


def statements_about(env: dict[str, Any], registration: str, activity: str) -> list[dict]:
    return [s for s in env["lrs"].statements(registration=registration) if s["object"]["id"] == activity]


def test_video_use_follows_the_xapi_video_profile(env: dict[str, Any]) -> None:
    registration = str(uuid.uuid4())
    context, watched = launch(env, registration)
    page = watched.page
    try:
        video = page.locator("section.page:not([hidden]) video")
        video.evaluate("v => v.play()")
        page.wait_for_function("() => document.querySelector('section.page:not([hidden]) video').currentTime > 0.5")
        video.evaluate("v => v.pause()")
        video.evaluate("v => { v.currentTime = 2.0; }")
        page.wait_for_timeout(600)  # the seek is reported once the learner stops dragging
        video.evaluate("v => { v.currentTime = 0; }")
        page.wait_for_timeout(600)
        video.evaluate("v => v.play()")
        page.wait_for_function("() => document.querySelector('section.page:not([hidden]) video').ended", timeout=15000)
        page.locator("#exit").click()
        page.locator("#closed").wait_for(state="visible")
        assert watched.console_errors(("/xAPI/activities/state",)) == []
        assert support.foreign_requests(watched.requests) == []
    finally:
        context.close()
    found = support.wait_for(
        lambda: (lambda s: s if any(x["verb"]["id"].endswith("terminated") for x in s) else None)(
            statements_about(env, registration, VIDEO)
        )
    )
    verbs = [s["verb"]["id"] for s in found]
    assert verbs[0] == "http://adlnet.gov/expapi/verbs/initialized"
    assert verbs[-1] == "http://adlnet.gov/expapi/verbs/terminated"
    names = [verb.rsplit("/", 1)[1] for verb in verbs]
    assert names == ["initialized", "played", "paused", "seeked", "seeked", "played", "completed", "terminated"], names
    assert all(v.startswith(PROFILE + "/verbs/") for v in verbs[1:6])
    sessions = {s["context"]["extensions"][EXT + "session-id"] for s in found}
    assert len(sessions) == 1
    for statement in found:
        assert statement["object"]["definition"]["type"] == "https://w3id.org/xapi/video/activity-type/video"
        assert statement["object"]["definition"]["name"] == {"en": "The first call: what to say in the first minute"}
        assert {"objectType": "Activity", "id": PROFILE} in statement["context"]["contextActivities"]["category"]
        assert statement["context"]["extensions"][EXT + "length"] == pytest.approx(3.0, abs=0.1)
        parents = [p["id"] for p in statement["context"]["contextActivities"]["parent"]]
        assert parents == [f"{COURSE}/media/first-call"]  # the page
    initialized, played, paused, seeked, back, _, completed, terminated = found
    assert initialized["context"]["extensions"][EXT + "cc-subtitle-lang"] == "en"
    assert played["result"]["extensions"][EXT + "time"] == 0
    assert paused["result"]["extensions"][EXT + "time"] > 0.4
    assert re.match(r"^0\.000\[\.\]\d+\.\d{3}$", paused["result"]["extensions"][EXT + "played-segments"])
    assert 0 < paused["result"]["extensions"][EXT + "progress"] < 1
    assert seeked["result"]["extensions"][EXT + "time-to"] == 2.0
    assert seeked["result"]["extensions"][EXT + "time-from"] == paused["result"]["extensions"][EXT + "time"]
    assert back["result"]["extensions"][EXT + "time-from"] == 2.0 and back["result"]["extensions"][EXT + "time-to"] == 0
    assert completed["result"]["completion"] is True
    assert completed["result"]["extensions"][EXT + "progress"] >= 0.95
    assert completed["context"]["extensions"][EXT + "completion-threshold"] == 0.95
    assert completed["result"]["duration"].startswith("PT")
    assert terminated["result"]["extensions"][EXT + "progress"] >= 0.95


def test_reflection_and_scenario_statements(env: dict[str, Any]) -> None:
    registration = str(uuid.uuid4())
    context, watched = launch(env, registration)
    page = watched.page
    try:
        page.locator("#next").click()
        page.locator("section.page:not([hidden]) .reflection textarea").fill("That she is not alone.")
        page.locator("section.page:not([hidden]) .reflection-send").click()
        page.locator("#next").click()
        scene = "section.page:not([hidden]) .scene:not([hidden]) button.choice"
        page.locator(scene, has_text="Ask her for proof").click()
        page.locator(scene, has_text="Apologise").click()
        page.locator(scene, has_text="Tell her to call back").click()
        page.locator("section.page:not([hidden]) .scenario-restart").click()
        page.locator(scene, has_text="Ask whether she is somewhere safe").click()
        page.locator(scene, has_text="Agree a safety plan").click()
        page.locator("#exit").click()
        page.locator("#closed").wait_for(state="visible")
    finally:
        context.close()
    everything = support.wait_for(
        lambda: (lambda s: s if any(x["verb"]["id"].endswith("terminated") for x in s) else None)(
            env["lrs"].statements(registration=registration)
        )
    )
    reflection = [s for s in everything if s["object"]["id"].endswith("/reflection/first-words")]
    assert len(reflection) == 1
    assert reflection[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert reflection[0]["object"]["definition"]["interactionType"] == "long-fill-in"
    assert reflection[0]["result"]["response"] == "That she is not alone."
    choices = [s for s in everything if "/scene/" in s["object"]["id"]]
    assert [(s["object"]["id"].rsplit("/", 1)[1], s["result"]["response"]) for s in choices] == [
        ("call", "ask-proof"),
        ("doubt", "apologise"),
        ("safe", "wait"),
        ("call", "ask-safety"),
        ("safe", "plan"),
    ]
    for statement in choices:
        assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
        definition = statement["object"]["definition"]
        assert definition["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
        assert definition["interactionType"] == "choice" and len(definition["choices"]) == 2
        assert [p["id"] for p in statement["context"]["contextActivities"]["parent"]] == [SCENARIO]
        other = statement["context"]["contextActivities"]["other"][0]["id"]
        assert other == statement["object"]["id"] + "/choice/" + statement["result"]["response"]
    runs = [s["context"]["extensions"][OURS + "scenario-run"] for s in choices]
    assert runs[0] == runs[1] == runs[2] != runs[3] == runs[4]
    endings = [s for s in everything if s["object"]["id"] == SCENARIO]
    assert [s["verb"]["id"] for s in endings] == ["http://adlnet.gov/expapi/verbs/completed"] * 2
    assert [s["result"]["extensions"][OURS + "scenario-outcome"] for s in endings] == ["acceptable", "good"]
    assert [s["result"]["extensions"][OURS + "scenario-path"] for s in endings] == [
        "call[,]doubt[,]safe[,]acceptable-end",
        "call[,]safe[,]good-end",
    ]
    assert [s["result"]["success"] for s in endings] == [True, True]
    assert endings[0]["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/simulation"
    assert [s["context"]["extensions"][OURS + "scenario-run"] for s in endings] == [runs[0], runs[3]]


def check_block_statements(statements: list[dict]) -> None:
    """What use_every_block leaves in the LRS: the video's profile statements, the check's answers,
    the reflection sent, the scenario's choices and endings, the session's terminated last."""
    names = [(s["verb"]["id"].rsplit("/", 1)[1], s["object"]["id"]) for s in statements]
    video = [verb for verb, activity in names if activity == VIDEO]
    assert video[:2] == ["initialized", "played"] and "completed" in video and video[-1] == "terminated", video
    blocks_support.check_answers_in_statements(statements)
    assert [verb for verb, activity in names if activity.endswith("/reflection/first-words")] == ["answered"]
    choices = [s["result"]["response"] for s in statements if "/scene/" in s["object"]["id"]]
    assert choices == ["ask-proof", "insist", "ask-safety", "plan"]
    endings = [s for s in statements if s["object"]["id"] == SCENARIO]
    assert [s["result"]["extensions"][OURS + "scenario-outcome"] for s in endings] == ["harmful", "good"]
    assert [s["result"]["extensions"][OURS + "scenario-path"] for s in endings] == [
        "call[,]doubt[,]harmful-end",
        "call[,]safe[,]good-end",
    ]
    assert [s["result"]["success"] for s in endings] == [False, True]
    session_end = [i for i, (verb, activity) in enumerate(names) if verb == "terminated" and activity != VIDEO]
    assert session_end == [len(names) - 1], "the course's terminated comes last, after the video's"


def ended(statements: list[dict]) -> list[dict] | None:
    """The statements once the course's terminated is among them (the session is over)."""
    done = any(s["verb"]["id"].endswith("terminated") and s["object"]["id"] != VIDEO for s in statements)
    return statements if done else None


def walk_tincan(env: dict[str, Any], axe: Path, width: int) -> tuple[blocks_support.Walk, list[dict]]:
    registration = str(uuid.uuid4())
    context, watched = launch(env, registration, width)
    try:
        walk = blocks_support.use_every_block(watched.page, watched.page, axe, width)
        watched.page.locator("#exit").click()
        watched.page.locator("#closed").wait_for(state="visible")
        assert watched.console_errors(("/xAPI/activities/state",)) == []
        assert support.foreign_requests(watched.requests) == []
    finally:
        context.close()
    return walk, support.wait_for(lambda: ended(env["lrs"].statements(registration=registration)))


def walk_cmi5(env: dict[str, Any], axe: Path, width: int) -> tuple[blocks_support.Walk, list[dict]]:
    """Under the strict cmi5 LMS: no rule broken; the blocks' statements are "cmi5 allowed" (no cmi5
    category: cmi5 defined statements are the AU's own)."""
    lms = env["lms"]
    registration = lms.register("cmi5")
    context = env["browser"].new_context(viewport={"width": width, "height": 800})
    watched = support.watch(context)
    try:
        watched.page.goto(lms.launch(registration, "Normal"))
        assert support.wait_for(lambda: registration.sessions[-1].initialized_at is not None or lms.violations)
        walk = blocks_support.use_every_block(watched.page, watched.page, axe, width)
        watched.page.locator("#exit").click()
        watched.page.wait_for_url(lms.return_url, timeout=10_000)
        assert support.wait_for(lambda: registration.sessions[-1].terminated or lms.violations)
        assert lms.violations == [] and lms.late == []
        assert watched.console_errors(("/activities/state", "/agents/profile")) == []
    finally:
        context.close()
    statements = registration.sessions[-1].statements
    for statement in statements:
        if statement["object"]["id"] != registration.activity_id:
            categories = {c["id"] for c in statement["context"]["contextActivities"].get("category", [])}
            assert "https://w3id.org/xapi/cmi5/context/categories/cmi5" not in categories
    return walk, statements


def walk_scorm12_xapi(env: dict[str, Any], axe: Path, width: int) -> tuple[blocks_support.Walk, list[dict]]:
    """Under the SCORM 1.2 test LMS with an LRS: the LMS gets the check's answers and the endings as
    interactions and the completion; the LRS gets the statements."""
    student = f"learner-{uuid.uuid4().hex[:8]}"
    init = json.dumps({"cmi.core.student_id": student, "cmi.core.student_name": "Ruiz, Ana"})
    context = env["browser"].new_context(viewport={"width": width, "height": 800})
    watched = support.watch(context)
    try:
        watched.page.goto(env["content"].lms_url(env["urls"]["scorm12-xapi"] + "index.html", init))
        watched.page.wait_for_load_state("networkidle")
        frame = watched.page.frame_locator("#sco")
        frame.locator("section.page:not([hidden])").wait_for()
        walk = blocks_support.use_every_block(watched.page.frames[1], watched.page, axe, width)
        frame.locator("#exit").click()
        frame.locator("#closed").wait_for(state="visible")
        calls = watched.page.evaluate("window.lmsCalls")
        assert watched.console_errors(("/xAPI/activities/state",)) == []
    finally:
        context.close()
    written = {call["args"][0]: call["args"][1] for call in calls if call["method"] == "LMSSetValue"}
    interactions = [
        (written[f"cmi.interactions.{n}.id"], written[f"cmi.interactions.{n}.student_response"],
         written[f"cmi.interactions.{n}.result"])
        for n in range(4)
    ]
    assert interactions == [
        ("chk-first", "a", "correct"),
        ("chk-who", "t", "wrong"),
        ("scenario-first-call", "call,doubt,harmful-end", "wrong"),
        ("scenario-first-call", "call,safe,good-end", "correct"),
    ]
    assert "cmi.interactions.4.id" not in written and "cmi.core.score.raw" not in written
    assert written["cmi.core.lesson_status"] == "completed"
    agent = {"objectType": "Agent", "account": {"homePage": env["content"].origin, "name": student}}
    return walk, support.wait_for(lambda: ended(env["lrs"].statements(agent=agent)))


WALKS = {"tincan": walk_tincan, "cmi5": walk_cmi5, "scorm12-xapi": walk_scorm12_xapi}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("fmt", list(WALKS))
def test_every_block_in_an_xapi_format(env: dict[str, Any], axe_script: Path, fmt: str, width: int) -> None:
    """The package launched as an LMS launches it, every block used (video with captions and
    transcript, download, accordion, tabs and check by keyboard, reflection sent, scenario to two
    endings), axe on every page closed and open; then what our LRS stored over HTTP."""
    walk, statements = WALKS[fmt](env, axe_script, width)
    assert not walk.violations, "\n".join(walk.violations)
    assert not walk.overflow, walk.overflow
    assert statements, "the LRS got no statement"
    check_block_statements(statements)


def test_check_answers_come_back_from_the_state_document(env: dict[str, Any]) -> None:
    """Tin Can: the check answered in one session is shown answered in the next (the State document
    holds the quizzes' part of the state), and nothing is answered again."""
    registration, learner = str(uuid.uuid4()), f"ana-{uuid.uuid4().hex[:6]}"
    context, watched = launch(env, registration, 360, learner)
    try:
        watched.page.locator("#next").click()
        blocks_support.answer_check(watched.page)
        watched.page.locator("#exit").click()
        watched.page.locator("#closed").wait_for(state="visible")
    finally:
        context.close()
    first = support.wait_for(lambda: ended(env["lrs"].statements(registration=registration)))
    blocks_support.check_answers_in_statements(first)
    context, watched = launch(env, registration, 360, learner)
    try:
        form = watched.page.locator(f'section.page:not([hidden]) form[data-quiz="{blocks_support.CHECK}"]')
        form.locator(".summary:not([hidden])").wait_for()
        assert form.locator(".summary").inner_text() == "You answered 1 of 2 questions correctly."
        assert form.locator('input[value="a"]').is_checked() and form.locator('input[value="true"]').is_checked()
        assert form.locator("input:not([disabled])").count() == 0
        watched.page.locator("#exit").click()
        watched.page.locator("#closed").wait_for(state="visible")
    finally:
        context.close()
    both = support.wait_for(
        lambda: (lambda s: s if sum(x["verb"]["id"].endswith("terminated") for x in s) >= 2 else None)(
            env["lrs"].statements(registration=registration)
        )
    )
    assert len([s for s in both if s["object"]["id"].startswith(blocks_support.QUESTION)]) == 2
