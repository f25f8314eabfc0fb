"""A generated, realistic cohort: 600 liaisons, four diplomas, statements in our packages' shapes.

Statements mirror ``spotlight_pack/runtime/lib/xapi.js`` for the three xAPI adapters (cmi5 with
an LMS context template, Tin Can, SCORM 1.2 + xAPI). Alongside the statements the generator keeps
the ground truth of what each learner did (:class:`Truth`), so tests compute every expected
figure from it, independently of the analytics code.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

BASE = "https://spotlight-pack.org/xapi/activities"
VERBS = "http://adlnet.gov/expapi/verbs/"
TYPES = "http://adlnet.gov/expapi/activities/"
CMI5 = "https://w3id.org/xapi/cmi5/"
HOMEPAGE = "https://campus.ibero.mx"
MASTERY = 0.75

#: Diplomas and how many modules each has.
COURSES = {"feminicide-investigation": 4, "first-contact-care": 5, "protection-measures": 3, "reeducation-men": 4}
MUNICIPALITIES = {
    "Naucalpan": "Estado de México",
    "Ecatepec": "Estado de México",
    "Chihuahua": "Chihuahua",
    "Ciudad Juárez": "Chihuahua",
    "Chilpancingo": "Guerrero",
}
INSTITUTIONS = ("IBERO", "Fiscalía", "DIF", "Secretaría de las Mujeres")
ROLES = ("liaison", "coordinator")
FORMATS = ("cmi5", "tincan", "scorm12-xapi")
PAGES_PER_MODULE = 3
#: Assessment questions: a1 everyone right, a2 nobody right, a3 negative discrimination (only
#: low-ability learners right), a4..a8 right when ability exceeds a threshold.
ASSESSMENT = ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8")
THRESHOLDS = {"a4": 0.15, "a5": 0.3, "a6": 0.45, "a7": 0.6, "a8": 0.75}
CHOICES = ("a", "b", "c", "d")


def course_iri(course: str) -> str:
    return f"{BASE}/{course}"


def modules(course: str) -> list[str]:
    return [f"m{i}" for i in range(1, COURSES[course] + 1)]


def page_sequence(course: str) -> list[tuple[str, str | None]]:
    """(page IRI, module IRI or None) in course order; the last one is the final assessment."""
    iri = course_iri(course)
    found: list[tuple[str, str | None]] = []
    for module in modules(course):
        module_iri = f"{iri}/{module}"
        found += [(f"{module_iri}/p{i}", module_iri) for i in range(1, PAGES_PER_MODULE + 1)]
        found.append((f"{module_iri}/{module}-quiz", module_iri))
    found.append((f"{iri}/assessment", None))
    return found


def question_iri(course: str, question: str) -> str:
    return f"{course_iri(course)}/question/{question}"


def key_of(question: str) -> str:
    """The correct choice of a question (deterministic, varied)."""
    return CHOICES[sum(map(ord, question)) % 4]


@dataclass
class Attempt:
    answers: dict[str, tuple[str, bool]]  # question id -> (response, correct)
    score: float  # 0-100
    passed: bool
    at: dt.datetime


@dataclass
class Truth:
    """What one learner did in one course."""

    key: str  # agent key, as lrs.xapi.statements.agent_key spells it
    name: str
    course: str
    fmt: str
    ability: float
    roster: dict[str, str] | None
    first: dt.datetime
    visits: list[tuple[str, str | None, dt.datetime]] = field(default_factory=list)
    self_checks: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # module IRI -> answers
    attempts: list[Attempt] = field(default_factory=list)
    completed: dt.datetime | None = None


@dataclass
class Cohort:
    statements: list[dict]
    truths: list[Truth]
    roster_csv: str


def _stamp(moment: dt.datetime, fmt: str) -> str:
    """cmi5 learners' clocks report Mexico City time (-06:00); others UTC with Z."""
    if fmt == "cmi5":
        return moment.astimezone(dt.timezone(dt.timedelta(hours=-6))).isoformat(timespec="milliseconds")
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Session:
    """Builds statements the way xapiStatements/xapiSession do for one adapter."""

    def __init__(self, course: str, fmt: str, actor: dict, rng: random.Random) -> None:
        self.course = course
        self.iri = course_iri(course)
        self.fmt = fmt
        self.actor = actor
        self.registration = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.rng = rng
        self.out: list[dict] = []
        if fmt == "cmi5":
            self.object = {"objectType": "Activity", "id": f"{self.iri}/cmi5/es/au"}
            self.template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": self.object["id"]}]},
                             "extensions": {CMI5 + "context/extensions/sessionid": str(uuid.uuid4())}}
        else:
            self.object = {"objectType": "Activity", "id": self.iri,
                           "definition": {"type": TYPES + "course", "name": {"es-MX": course.replace("-", " ")}}}
            self.template = {}

    def _context(self, object_id: str, parents: list[str], groups: list[str], cmi5_category: bool = False) -> dict:
        """As xapi.js make(): the LMS template's grouping first, then the course (and a self-check's
        module), never the statement's object nor a parent."""
        grouping = [g["id"] for g in self.template.get("contextActivities", {}).get("grouping", [])]
        for extra in [self.iri, *groups]:
            if extra not in grouping and extra != object_id and extra not in parents:
                grouping.append(extra)
        context: dict = {"registration": self.registration, "language": "es-MX", "contextActivities": {}}
        if parents:
            context["contextActivities"]["parent"] = [{"objectType": "Activity", "id": p} for p in parents]
        if grouping:
            context["contextActivities"]["grouping"] = [{"objectType": "Activity", "id": g} for g in grouping]
        if "extensions" in self.template:
            context["extensions"] = dict(self.template["extensions"])
        if self.fmt == "cmi5" and cmi5_category:
            context["contextActivities"]["category"] = [{"id": CMI5 + "context/categories/cmi5"}]
        return context

    def _make(self, verb: str, obj: dict, context: dict, when: dt.datetime, result: dict | None = None) -> None:
        statement = {"id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "actor": self.actor,
                     "verb": {"id": VERBS + verb, "display": {"en-US": verb}}, "object": obj, "context": context,
                     "timestamp": _stamp(when, self.fmt)}
        if result is not None:
            statement["result"] = result
        self.out.append(statement)

    def session(self, verb: str, when: dt.datetime, result: dict | None = None) -> None:
        self._make(verb, self.object, self._context(self.object["id"], [], [], cmi5_category=True), when, result)

    def experienced(self, page: str, module: str | None, when: dt.datetime, progress: float) -> None:
        kind = "lesson" if page.rsplit("/", 1)[-1].startswith("p") else "assessment"
        obj = {"objectType": "Activity", "id": page,
               "definition": {"type": TYPES + kind, "name": {"es-MX": page.rsplit("/", 1)[-1]}}}
        self._make("experienced", obj, self._context(page, [module or self.iri], []), when,
                   {"extensions": {CMI5 + "result/extensions/progress": round(progress * 100)}})

    def answered(self, question: str, quiz: str, module: str | None, response: str, correct: bool,
                 when: dt.datetime) -> None:
        obj = {"objectType": "Activity", "id": question_iri(self.course, question), "definition": {
            "type": TYPES + "cmi.interaction", "name": {"es-MX": f"Pregunta {question}"},
            "description": {"es-MX": f"Pregunta {question}"}, "interactionType": "choice",
            "correctResponsesPattern": [key_of(question)],
            "choices": [{"id": c, "description": {"es-MX": c.upper()}} for c in CHOICES]}}
        self._make("answered", obj, self._context(obj["id"], [quiz], [module] if module else []), when,
                   {"response": response, "success": correct, "duration": "PT12.5S"})


def _response(question: str, correct: bool, rng: random.Random) -> str:
    key = key_of(question)
    return key if correct else rng.choice([c for c in CHOICES if c != key])


def _assessment_correct(question: str, ability: float, attempt: int) -> bool:
    if question == "a1":
        return True
    if question == "a2":
        return False
    if question == "a3":
        return ability < 0.4
    return ability + 0.25 * attempt > THRESHOLDS[question]


def _learner_course(index: int, course: str, fmt: str, start: dt.datetime, rng: random.Random,
                    roster: dict[str, str] | None) -> tuple[Truth, list[dict]]:
    name = f"Enlace {index:04d}"
    if fmt == "tincan" and index % 2:
        actor = {"objectType": "Agent", "name": name, "mbox": f"mailto:enlace{index:04d}@example.org"}
        key = f"mbox:mailto:enlace{index:04d}@example.org"
    else:
        actor = {"objectType": "Agent", "name": name, "account": {"homePage": HOMEPAGE, "name": f"L{index:04d}"}}
        key = f"account:{HOMEPAGE}|L{index:04d}"
    ability = rng.random()
    truth = Truth(key, name, course, fmt, ability, roster, start)
    session = _Session(course, fmt, actor, rng)
    sequence = page_sequence(course)
    # 30% drop out somewhere before the assessment; the rest reach it.
    reach = len(sequence) if rng.random() >= 0.3 else rng.randint(1, len(sequence) - 1)
    now = start
    session.session("initialized", now)
    iri = course_iri(course)
    for position, (page, module) in enumerate(sequence[:reach]):
        now += dt.timedelta(minutes=rng.randint(3, 12))
        truth.visits.append((page, module, now))
        session.experienced(page, module, now, (position + 1) / len(sequence))
        if module is not None and page.endswith("-quiz"):
            answers = []
            for q in (1, 2):
                question = f"{module.rsplit('/', 1)[-1]}-q{q}"
                correct = ability > 0.2 * q
                response = _response(question, correct, rng)
                now += dt.timedelta(seconds=30)
                session.answered(question, page, module, response, correct, now)
                answers.append((response, correct))
            truth.self_checks[module] = answers
    if reach == len(sequence):
        for attempt in range(3):
            answers: dict[str, tuple[str, bool]] = {}
            for question in ASSESSMENT:
                correct = _assessment_correct(question, ability, attempt)
                response = _response(question, correct, rng)
                now += dt.timedelta(seconds=40)
                session.answered(question, f"{iri}/assessment", None, response, correct, now)
                answers[question] = (response, correct)
            score = sum(c for _, c in answers.values()) / len(ASSESSMENT) * 100
            passed = score / 100 >= MASTERY
            now += dt.timedelta(seconds=5)
            if truth.completed is None:
                truth.completed = now
                session.session("completed", now, {"completion": True, "duration": "PT1H"})
            scaled = round(score / 100, 4)
            session.session("passed" if passed else "failed", now,
                            {"success": passed, "duration": "PT1H",
                             "score": {"scaled": scaled, "raw": round(scaled * 100), "min": 0, "max": 100}})
            truth.attempts.append(Attempt(answers, score, passed, now))
            if passed or rng.random() < 0.4:  # some who fail give up
                break
            # One of passed/failed per session: a retake is a new session the next day.
            session.session("terminated", now + dt.timedelta(seconds=1), {"duration": "PT1H"})
            now += dt.timedelta(days=1)
            session.session("initialized", now)
    session.session("terminated", now + dt.timedelta(seconds=1), {"duration": "PT1H"})
    return truth, session.out


def generate(learners: int = 600, seed: int = 6) -> Cohort:
    """The cohort: every learner takes one diploma, every fifth also a second one.

    Learners 0..(n-21) are in the roster; the last 20 are not (they show as "(not in roster)").
    """
    rng = random.Random(seed)
    sessions: list[list[dict]] = []
    truths: list[Truth] = []
    rows = ["account_homepage,account_name,mbox,cohort,state,municipality,institution,role"]
    names = list(COURSES)
    municipalities = list(MUNICIPALITIES)
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    for index in range(learners):
        municipality = municipalities[index % len(municipalities)]
        attributes = {"cohort": f"2026-{'AB'[index % 2]}", "state": MUNICIPALITIES[municipality],
                      "municipality": municipality, "institution": INSTITUTIONS[index % 4 if index % 7 else 0],
                      "role": ROLES[1 if index % 10 == 0 else 0]}
        in_roster = index < learners - 20
        taken = [names[index % 4]] + ([names[(index + 1) % 4]] if index % 5 == 0 else [])
        fmt = FORMATS[index % 3]
        for number, course in enumerate(taken):
            begin = start + dt.timedelta(hours=index, days=30 * number)
            truth, made = _learner_course(index, course, fmt, begin, rng, attributes if in_roster else None)
            truths.append(truth)
            sessions.append(made)
        if in_roster:
            email = truths[-1].key.removeprefix("mbox:mailto:") if truths[-1].key.startswith("mbox:") else ""
            identity = f",,{email}" if email else f"{HOMEPAGE},L{index:04d},"
            rows.append(f"{identity},{attributes['cohort']},{attributes['state']},{municipality},"
                        f"{attributes['institution']},{attributes['role']}")
    return Cohort(_interleave(sessions, rng), truths, "\n".join(rows) + "\n")


def _interleave(sessions: list[list[dict]], rng: random.Random) -> list[dict]:
    """Stored order: each device sends its queue in order, devices interleave at random (so
    stored order is not timestamp order across learners)."""
    queues = [list(reversed(s)) for s in sessions]
    merged: list[dict] = []
    while queues:
        i = rng.randrange(len(queues))
        merged.append(queues[i].pop())
        if not queues[i]:
            queues[i] = queues[-1]
            queues.pop()
    return merged
