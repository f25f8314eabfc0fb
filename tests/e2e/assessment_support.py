"""Helpers for the assessment end-to-end tests: one learner launching a course in any of the five
formats (SCORM under scorm-again's runtime, xAPI formats against our LRS), what the LMS or LRS
recorded of each answer, and a reference of the player's draw and shuffle.

Everything a format does differently is here, so the tests read the same for all five.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import xapi_support as support  # noqa: E402

from spotlight_pack.model import Course, Question  # noqa: E402
from spotlight_pack.questions import KINDS  # noqa: E402

# The contract with the analytics, written out rather than imported: a change in the package breaks this.
RUBRIC_EXTENSION = "https://spotlight-pack.org/xapi/extensions/rubric"

FORMATS = ("scorm12", "scorm2004", "cmi5", "tincan", "scorm12-xapi")
STATE_ID = "https://spotlight-pack.org/xapi/state/bookmark"
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
SET = {"scorm12": "LMSSetValue", "scorm2004": "SetValue"}
RESUME = {
    "scorm12": ("cmi.core.lesson_location", "cmi.suspend_data", "cmi.core.lesson_status"),
    "scorm2004": ("cmi.location", "cmi.suspend_data", "cmi.completion_status", "cmi.success_status"),
}


# --------------------------------------------------------------------------- the player's randomness


def _imul(a: int, b: int) -> int:
    return (a * b) & 0xFFFFFFFF


def quiz_hash(text: str) -> int:
    value = 2166136261
    for char in text:
        value = _imul(value ^ ord(char), 16777619)
    return value


def mulberry32(seed: int) -> Any:
    """The player's generator (runtime/quiz.js quizRandom), written again to predict its choices."""
    state = seed & 0xFFFFFFFF

    def draw() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = _imul(state ^ (state >> 15), state | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return draw


def shuffled(items: list[Any], random: Any) -> list[Any]:
    copy = list(items)
    for i in range(len(copy) - 1, 0, -1):
        j = int(random() * (i + 1))
        copy[i], copy[j] = copy[j], copy[i]
    return copy


def drawn_ids(course: Course, quiz_id: str, seed: int) -> list[str]:
    """The question ids an attempt with ``seed`` shows (quizDraw)."""
    quiz = next(quiz for quiz in course.quizzes() if quiz.id == quiz_id)
    random = mulberry32(seed)
    found: list[str] = []
    for pool in quiz.pools:
        picked = shuffled(list(range(len(pool.questions))), random)[: pool.draw]
        found += [pool.questions[index].id for index in sorted(picked)]
    return found


def option_order(question: Question, seed: int) -> list[str]:
    """The option ids of a shuffled choice question as an attempt with ``seed`` shows them."""
    return shuffled([option.id for option in question.options], mulberry32(seed ^ quiz_hash(question.id)))


def seeds(state: str) -> list[int]:
    """The attempt seed of each quiz in a saved state (runtime/state.js, format 2); 0 = not started."""
    parts = state.split(".")
    assert parts[0] == "2" and len(parts) == 5, state
    return [sum(DIGITS.index(char) * 64**i for i, char in enumerate(quiz[:5])) if len(quiz) >= 7 else 0
            for quiz in parts[4].split("~")]


# --------------------------------------------------------------------------- what was recorded


@dataclass(frozen=True)
class Record:
    """One answered question as the LMS or LRS holds it, in that standard's own words."""

    question: str
    type: str
    response: str
    patterns: tuple[str, ...] | None
    result: str  # SCORM: correct/wrong/incorrect/neutral; xAPI: correct/wrong from success, neutral without
    components: dict[str, list[str]] = field(default_factory=dict, compare=False)
    # What describes the interaction: SCORM 2004's description, xAPI's rubric extension (a language map)
    described: Any = field(default=None, compare=False)


def scorm_records(cmi: dict[str, Any], standard: str) -> list[Record]:
    """cmi.interactions of scorm-again's data model (JSON of ``window.API.cmi``)."""
    found = []
    interactions = cmi.get("interactions") or {}
    for index in sorted(interactions, key=int):
        item = interactions[index]
        kept = item["correct_responses"]
        patterns = tuple(kept[key]["pattern"] for key in sorted(kept, key=int))
        response = item["student_response" if standard == "scorm12" else "learner_response"]
        found.append(Record(item["id"].rsplit("/", 1)[-1], item["type"], response, patterns or None, item["result"],
                            described=item.get("description") or None))
    return found


def xapi_records(statements: list[dict]) -> list[Record]:
    found = []
    for statement in statements:
        if statement["verb"]["id"] != support.VERBS + "answered":
            continue
        definition = statement["object"]["definition"]
        result = statement["result"]
        success = result.get("success")
        lists = {name: [item["id"] for item in definition[name]] for name in ("choices", "source", "target", "scale",
                                                                               "steps") if name in definition}
        patterns = definition.get("correctResponsesPattern")
        found.append(Record(
            statement["object"]["id"].rsplit("/", 1)[-1], definition["interactionType"], result["response"],
            None if patterns is None else tuple(patterns), "neutral" if success is None else "correct" if success
            else "wrong", lists, (definition.get("extensions") or {}).get(RUBRIC_EXTENSION),
        ))
    return found


# --------------------------------------------------------------------------- a learner in any format


@dataclass
class Learner:
    """One person taking one course in one format, over as many launches as the test makes."""

    fmt: str
    package: str  # the served package's name
    name: str = field(default_factory=lambda: f"learner-{uuid.uuid4().hex[:10]}")
    registration: str = field(default_factory=lambda: str(uuid.uuid4()))
    activity_id: str = field(default_factory=lambda: f"https://lms.example.org/aus/{uuid.uuid4()}")
    saved: dict[str, str] = field(default_factory=dict)  # SCORM elements to resume with
    scorm: list[Record] = field(default_factory=list)  # interactions the SCORM runtime held, every launch
    statuses: list[dict[str, str]] = field(default_factory=list)  # SCORM values set, per launch

    @property
    def standard(self) -> str:
        return "scorm2004" if self.fmt == "scorm2004" else "scorm12"

    @property
    def actor(self) -> dict[str, Any]:
        return {"objectType": "Agent", "name": "Ana Pérez",
                "account": {"homePage": "https://lms.example.org", "name": self.name}}


class Session:
    """One launch: ``course`` is what the learner sees (the page or the SCO's frame)."""

    def __init__(self, world: World, learner: Learner, watched: support.Watched, course: Any) -> None:
        self.world = world
        self.learner = learner
        self.watched = watched
        self.course = course

    def exit(self) -> None:
        """Press Exit and wait until the session ended; keep what a resume needs."""
        fmt = self.learner.fmt
        self.course.locator("#exit").click()
        if fmt == "cmi5":
            self.watched.page.wait_for_url("**/return.html", timeout=15_000)
        else:
            self.course.locator("#closed").wait_for(state="visible", timeout=15_000)
        if fmt in ("scorm12", "scorm2004", "scorm12-xapi"):
            page = self.watched.page
            page.wait_for_function("window.lmsCalls.some(c => c.method === 'LMSFinish' || c.method === 'Terminate')")
            calls = page.evaluate("window.lmsCalls")
            standard = self.learner.standard
            writes = [call for call in calls if call["method"] not in ("LMSGetValue", "GetValue")]
            bad = [call for call in writes if call["result"] != "true"]
            assert not bad, bad
            values = {call["args"][0]: call["args"][1] for call in calls if call["method"] == SET[standard]}
            self.learner.statuses.append(values)
            for element in RESUME[standard]:
                if element in values:
                    self.learner.saved[element] = values[element]
            cmi = page.evaluate("JSON.parse(JSON.stringify(window.API || window.API_1484_11)).cmi")
            self.learner.scorm += scorm_records(cmi, standard)
        errors = self.watched.console_errors(("/xAPI/activities/state", "/xAPI/agents/profile", "favicon.ico"))
        assert errors == [], errors
        assert support.foreign_requests(self.watched.requests) == []
        self.watched.page.context.close()


@dataclass
class World:
    """The LRS, the content server (packages and the SCORM test LMS) and one Chromium."""

    lrs: support.LRS
    content: support.ContentServer
    browser: Any
    credentials: dict[str, str]
    packages: dict[str, str] = field(default_factory=dict)  # name → base URL

    def add(self, name: str, zip_path: Path) -> None:
        self.packages[name] = self.content.add_package(name, zip_path)

    def launch(self, learner: Learner) -> Session:
        context = self.browser.new_context(viewport={"width": 1024, "height": 900})
        watched = support.watch(context)
        base = self.packages[learner.package]
        fmt = learner.fmt
        if fmt in ("scorm12", "scorm2004", "scorm12-xapi"):
            init = dict(learner.saved)
            if fmt == "scorm12-xapi":
                init.update({"cmi.core.student_id": learner.name, "cmi.core.student_name": "Pérez, Ana"})
            if learner.saved:
                init["cmi.core.entry" if learner.standard == "scorm12" else "cmi.entry"] = "resume"
            query = urllib.parse.urlencode({"standard": learner.standard, "sco": base + "index.html",
                                            "init": json.dumps(init)})
            watched.page.goto(f"{self.content.origin}/lms/lms.html?{query}")
            course = watched.page.frame_locator("#sco")
        elif fmt == "tincan":
            query = urllib.parse.urlencode({
                "endpoint": self.lrs.endpoint, "auth": "Basic " + self.credentials["tincan"],
                "actor": json.dumps(learner.actor), "registration": learner.registration,
                "activity_id": "https://spotlight-pack.org/xapi/activities/" + self.course_id(learner),
            })
            watched.page.goto(base + "index.html?" + query)
            course = watched.page
        else:
            watched.page.goto(self._cmi5(learner, base))
            course = watched.page
        watched.page.wait_for_load_state("networkidle")  # the adapter started
        course.locator("section.page:not([hidden]) h1, #note:not([hidden]) h1").first.wait_for()
        return Session(self, learner, watched, course)

    def course_id(self, learner: Learner) -> str:
        return learner.package.split("--", 1)[0]

    def _cmi5(self, learner: Learner, base: str) -> str:
        """What a cmi5 LMS does before each launch of the AU (cmi5 §8, §10): LaunchData, a
        `launched` statement, a one-time fetch URL."""
        lrs = self.lrs
        scope = {"activityId": learner.activity_id, "agent": learner.actor, "registration": learner.registration}
        session = str(uuid.uuid4())
        template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": base + "au"}]},
                    "extensions": {support.SESSION_ID: session}}
        launch_data = {"contextTemplate": template, "launchMode": "Normal", "moveOn": "CompletedAndPassed",
                       "masteryScore": 0.8, "returnURL": f"{self.content.origin}/return.html"}
        status, body = lrs.call("PUT", "activities/state", dict(scope, stateId="LMS.LaunchData"), launch_data)
        assert status == 204, body
        launched = {
            "id": str(uuid.uuid4()), "actor": learner.actor,
            "verb": {"id": support.VERBS + "launched", "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": learner.activity_id},
            "context": {"registration": learner.registration, "contextActivities": {
                "grouping": template["contextActivities"]["grouping"],
                "category": [{"id": support.CMI5_CATEGORY}]},
                "extensions": {support.SESSION_ID: session, support.CMI5 + "context/extensions/launchmode": "Normal",
                               support.CMI5 + "context/extensions/moveon": "CompletedAndPassed",
                               support.CMI5 + "context/extensions/launchurl": base + "index.html",
                               support.CMI5 + "context/extensions/masteryscore": 0.8}},
        }
        status, body = lrs.call("POST", "statements", body=launched)
        assert status == 200, body
        fetch = self.content.fetch_url(self.credentials["cmi5"])
        return base + "index.html?" + urllib.parse.urlencode({
            "endpoint": lrs.endpoint, "fetch": fetch, "actor": json.dumps(learner.actor),
            "registration": learner.registration, "activityId": learner.activity_id,
        })

    # ----------------------------------------------------------------- what was kept

    def state(self, learner: Learner) -> str:
        """The saved state string the format keeps (suspend_data or the xAPI State document)."""
        if learner.fmt in ("scorm12", "scorm2004", "scorm12-xapi"):
            return learner.saved["cmi.suspend_data"]
        activity = learner.activity_id if learner.fmt == "cmi5" else (
            "https://spotlight-pack.org/xapi/activities/" + self.course_id(learner))
        query = {"activityId": activity, "agent": learner.actor, "registration": learner.registration,
                 "stateId": STATE_ID}
        found = support.wait_for(lambda: self.lrs.call("GET", "activities/state", query)[1])
        assert found, "no State document"
        return found["state"]

    def statements(self, learner: Learner, answered: int) -> list[dict]:
        """The learner's statements once at least ``answered`` answered statements arrived."""
        def fetch() -> list[dict]:
            if learner.fmt == "scorm12-xapi":
                agent = {"objectType": "Agent", "account": {"homePage": self.content.origin, "name": learner.name}}
                return self.lrs.statements(agent=agent)
            return self.lrs.statements(registration=learner.registration)

        found = support.wait_for(
            lambda: (lambda got: got if sum(s["verb"]["id"].endswith("/answered") for s in got) >= answered
                     else None)(fetch()), timeout=20)
        assert found, f"fewer than {answered} answered statements reached the LRS"
        return found

    def records(self, learner: Learner, answered: int) -> dict[str, list[Record]]:
        """What each standard the format reports to recorded: {"scorm12"|"scorm2004"|"xapi": [...]}."""
        found: dict[str, list[Record]] = {}
        if learner.fmt in ("scorm12", "scorm2004", "scorm12-xapi"):
            found[learner.standard] = list(learner.scorm)
        if learner.fmt in ("cmi5", "tincan", "scorm12-xapi"):
            found["xapi"] = xapi_records(self.statements(learner, answered))
        return found


def scored(question: Question) -> bool:
    return KINDS[question.type].scored


# --------------------------------------------------------------------------- the learner's hands


def form_of(course: Any, quiz: str) -> Any:
    return course.locator(f"form[data-quiz='{quiz}']")


def visible_questions(form: Any) -> list[str]:
    return [item.get_attribute("data-question") for item in form.locator("fieldset.question:not([hidden])").all()]


def answer(form: Any, question: str, value: Any) -> None:
    """Answer ``question`` with the controls a learner uses: boxes, text, selects, Up/Down buttons."""
    field = form.locator(f"fieldset[data-question='{question}']")
    kind = field.get_attribute("data-type")
    if kind in ("single", "multiple", "truefalse"):
        for box in field.locator(".option input").all():
            if box.get_attribute("value") in value:
                box.check()
            elif box.get_attribute("type") == "checkbox":
                box.uncheck()
    elif kind == "matching":
        for source, target in value.items():
            field.locator(f".pair[data-source='{source}'] select").select_option(target)
    elif kind == "sequencing":  # move each step up into its place
        for place, step in enumerate(value):
            while True:
                order = [item.get_attribute("data-step") for item in field.locator(".step").all()]
                if order.index(step) <= place:
                    break
                field.locator(f".step[data-step='{step}'] button.up").click()
    elif kind == "likert":
        field.locator(f"input[value='{value}']").check()
    else:
        field.locator(".text-answer").fill(value)


def keys_shown(form: Any) -> int:
    """How many keys, key marks and feedback texts are in the form (0: nothing gives a key away)."""
    return form.evaluate(
        """f => f.querySelectorAll('.key-mark').length
              + [...f.querySelectorAll('.key, .pair-key, .option-feedback, .feedback')]
                  .filter(e => e.textContent.trim() && !e.hidden).length"""
    )


def model_answer(question: Question, lang: str, right: bool) -> Any:
    """A right or a wrong answer to ``question``, read from the course model's key (never written
    out by a test), in the form ``answer`` takes."""
    body: Any = question.body
    kind = question.type.value
    if kind in ("single", "multiple", "truefalse"):
        keys = list(question.correct_ids)
        return keys if right else [next(o.id for o in question.options if not o.correct)]
    if kind == "fill-in":
        return body.accepted(lang)[0] if right else "zzz-not-an-answer"
    if kind == "numeric":
        value = body.minimum if body.minimum is not None else body.maximum
        if right:
            return str(value)
        return str((body.maximum if body.maximum is not None else value) + 1000)
    if kind == "matching":
        targets = [target.id for target in body.targets[: len(body.sources)]]
        shift = 0 if right else 1
        return {source.id: targets[(i + shift) % len(targets)] for i, source in enumerate(body.sources)}
    if kind == "sequencing":
        steps = [step.id for step in body.steps]
        return steps if right else steps[::-1]
    if kind == "likert":
        return body.scale[0].id
    assert kind == "long-fill-in", kind
    return "Escucharla en privado, valorar el riesgo y acordar con ella un plan de seguridad."
