"""A generated, realistic cohort: liaisons in four diplomas, statements in our packages' shapes.

Used by ``spotlight-lrs demo`` (a full dashboard at once for a new analyst), by the analytics
tests and by bench/analytics.py. Statements mirror ``spotlight_pack/runtime/lib/xapi.js`` for
the three xAPI adapters (cmi5 with an LMS context template, Tin Can, SCORM 1.2 + xAPI), in
Spanish (es-MX) and English (en-US) packages, with every cmi.interaction type of the xAPI spec
in the final assessment and a closing survey. Module references carry their definition (title
and type), as the Activities resource of any LRS can then name them.

Alongside the statements the generator keeps the ground truth of what each learner did
(:class:`Truth`) and whom the roster enrols where, so tests compute every expected figure from
it, independently of the analytics code.
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
#: Their titles, as course.yaml gives them.
TITLES = {
    "feminicide-investigation": {
        "es-MX": "Investigación del feminicidio con perspectiva de género y enfoque de derechos humanos",
        "en-US": "Investigation of feminicide with a gender perspective and a human rights approach"},
    "first-contact-care": {"es-MX": "Atención de primer contacto a mujeres y niñas víctimas de violencia",
                           "en-US": "First contact care for women and girl victims"},
    "protection-measures": {"es-MX": "Emisión, implementación y seguimiento de órdenes de protección",
                            "en-US": "Issuance, implementation and monitoring of protection orders"},
    "reeducation-men": {"es-MX": "Reeducación para hombres que ejercen violencia",
                        "en-US": "Re-education for men who use violence"},
}
LOCALES = {"es": "es-MX", "en": "en-US"}
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
CHOICES = ("a", "b", "c", "d")
#: Single-answer choice items: a1 everyone right, a2 nobody right, a3 negative discrimination (only
#: low-ability learners right), a4..a8 right when ability exceeds a threshold.
CHOICE_ITEMS = ("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8")
#: One item of every other interaction type, right when ability (+0.25 a retake) exceeds a threshold.
TYPED_ITEMS = {"a9": "choice", "a10": "true-false", "a11": "fill-in", "a12": "numeric", "a13": "matching",
               "a14": "sequencing"}
ASSESSMENT = (*CHOICE_ITEMS, *TYPED_ITEMS)
THRESHOLDS = {"a4": 0.15, "a5": 0.3, "a6": 0.45, "a7": 0.6, "a8": 0.75,
              "a9": 0.5, "a10": 0.2, "a11": 0.35, "a12": 0.55, "a13": 0.65, "a14": 0.7}
#: The closing survey (unscored): a likert scale and an open answer.
SURVEY = {"s1": "likert", "s2": "long-fill-in"}
SCALE = (("l1", "Totalmente en desacuerdo", "Strongly disagree"), ("l2", "En desacuerdo", "Disagree"),
         ("l3", "Ni de acuerdo ni en desacuerdo", "Neither agree nor disagree"), ("l4", "De acuerdo", "Agree"),
         ("l5", "Totalmente de acuerdo", "Strongly agree"))
#: Keys and plausible wrong answers of the typed items, in the xAPI response syntax.
MULTIPLE_KEY = "a[,]c"
MULTIPLE_WRONG = ("a", "c", "a[,]b[,]c", "b[,]d", "a[,]d")
FILL_IN_KEYS = ("Fiscalía", "Fiscalia")
FILL_IN_RIGHT = ("Fiscalía", "fiscalía", " FISCALÍA ", "Fiscalia", "{lang=es}Fiscalía")
FILL_IN_WRONG = ("DIF", "Policía", "ministerio  público", "Ministerio Público")
NUMERIC_KEY = "4[:]6"
NUMERIC_WRONG = ("2", "3", "8", "10", "12", "doce")
MATCHING_KEY = "s1[.]t2[,]s2[.]t3[,]s3[.]t1"
MATCHING_WRONG = ("s1[.]t3[,]s2[.]t2[,]s3[.]t1", "s1[.]t2[,]s2[.]t1[,]s3[.]t3")
SEQUENCING_KEY = "c2[,]c1[,]c4[,]c3"
SEQUENCING_WRONG = ("c1[,]c2[,]c3[,]c4", "c2[,]c1[,]c3[,]c4", "c4[,]c3[,]c2[,]c1")


#: Page blocks (docs/xapi-runtime.md, "Statements of page blocks"): a video on page 2 of module 1,
#: a scenario on page 2 of module 2, and the product a tutor marks (an open answer with a rubric)
#: on page 3 of the last module.
VIDEO_PROFILE = "https://w3id.org/xapi/video"
VIDEO_EXT = VIDEO_PROFILE + "/extensions/"
OURS = "https://spotlight-pack.org/xapi/extensions/"
RUBRIC = OURS + "rubric"
VIDEO_LENGTH = 184.32
#: The scenario's scenes: scene -> [(choice, next scene)]; endings -> outcome.
SCENES = {"call": [("ask-safety", "safe"), ("ask-proof", "doubt")],
          "doubt": [("apologise", "safe"), ("insist", "harmful-end")],
          "safe": [("plan", "good-end"), ("wait", "acceptable-end")]}
ENDINGS = {"good-end": "good", "acceptable-end": "acceptable", "harmful-end": "harmful"}
PRODUCT_RUBRIC = {
    "es-MX": "Nombra los riesgos, acuerda lugares seguros y contactos, y deja por escrito la siguiente cita.",
    "en-US": "Names the risks, agrees safe places and contacts, and writes down the next appointment."}


def video_iri(course: str) -> str:
    return f"{course_iri(course)}/m1/p2/video/first-call"


def scenario_iri(course: str) -> str:
    return f"{course_iri(course)}/m2/p2/scenario"


def product_iri(course: str) -> str:
    return f"{course_iri(course)}/{modules(course)[-1]}/p3/reflection/safety-plan"


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
    """The correct choice of a single-answer choice question (deterministic, varied)."""
    return CHOICES[sum(map(ord, question)) % 4]


def title(iri: str, lang: str) -> str:
    """The generated title of a module, page, quiz or question, in ``lang`` (es or en)."""
    last = iri.rsplit("/", 1)[-1]
    spanish = lang == "es"
    if last.startswith("m") and last[1:].isdigit():
        return f"Módulo {last[1:]}" if spanish else f"Module {last[1:]}"
    if last.endswith("-quiz"):
        number = last[1:].split("-")[0]
        return f"Autoevaluación del módulo {number}" if spanish else f"Module {number} self-check"
    if last == "assessment":
        return "Evaluación final" if spanish else "Final assessment"
    if last == "survey":
        return "Encuesta de cierre" if spanish else "Closing survey"
    if last.startswith("p") and last[1:].isdigit():
        module = iri.rsplit("/", 2)[-2][1:]
        return f"Página {module}.{last[1:]}" if spanish else f"Page {module}.{last[1:]}"
    return f"Pregunta {last}" if spanish else f"Question {last}"


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
    lang: str = "es"
    visits: list[tuple[str, str | None, dt.datetime]] = field(default_factory=list)
    self_checks: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # module IRI -> answers
    attempts: list[Attempt] = field(default_factory=list)
    survey: dict[str, str] = field(default_factory=dict)  # question id -> response
    completed: dt.datetime | None = None
    last: dt.datetime | None = None
    #: The video: (played, finished, best progress 0-1), None when never played.
    video: tuple[bool, bool, float] | None = None
    #: Scenario walks: (run, scene ids of the path, ending scene or None when abandoned, outcome).
    walks: list[tuple[str, list[str], str | None, str | None]] = field(default_factory=list)
    #: The product sent to the tutor, each time: (when, text).
    products: list[tuple[dt.datetime, str]] = field(default_factory=list)
    #: The last moment of each module's block statements (their module's last activity).
    block_times: dict[str, dt.datetime] = field(default_factory=dict)


@dataclass
class Cohort:
    statements: list[dict]
    truths: list[Truth]
    roster_csv: str
    #: Every roster learner's key -> the courses the roster enrols them in (some never start).
    enrolments: dict[str, list[str]] = field(default_factory=dict)
    #: Roster attributes by key (the roster's learners only).
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)


def _stamp(moment: dt.datetime, fmt: str) -> str:
    """cmi5 learners' clocks report Mexico City time (-06:00); others UTC with Z."""
    if fmt == "cmi5":
        return moment.astimezone(dt.timezone(dt.timedelta(hours=-6))).isoformat(timespec="milliseconds")
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _definition(question: str, course: str, locale: str) -> dict:
    """A cmi.interaction definition as the xAPI spec (Data, Appendix C) shapes each type."""
    lang = locale.split("-")[0]
    spanish = lang == "es"

    def described(items: list[tuple[str, str]]) -> list[dict]:
        return [{"id": i, "description": {locale: text}} for i, text in items]

    kind = TYPED_ITEMS.get(question) or SURVEY.get(question) or "choice"
    name = title(question_iri(course, question), lang)
    definition: dict = {"type": TYPES + "cmi.interaction", "name": {locale: name}, "description": {locale: name},
                        "interactionType": kind}
    option = "Opción" if spanish else "Option"
    if question == "a9":
        definition["correctResponsesPattern"] = [MULTIPLE_KEY]
        definition["choices"] = described([(c, f"{option} {c.upper()}") for c in CHOICES])
    elif question == "a10":
        definition["correctResponsesPattern"] = ["false"]
    elif question == "a11":
        definition["correctResponsesPattern"] = [f"{{case_matters=false}}{k}" for k in FILL_IN_KEYS]
    elif question == "a12":
        definition["correctResponsesPattern"] = [NUMERIC_KEY]
    elif question == "a13":
        definition["correctResponsesPattern"] = [MATCHING_KEY]
        definition["source"] = described([(f"s{i}", ("Situación " if spanish else "Situation ") + str(i))
                                          for i in (1, 2, 3)])
        definition["target"] = described([(f"t{i}", ("Instancia " if spanish else "Agency ") + str(i))
                                          for i in (1, 2, 3)])
    elif question == "a14":
        definition["correctResponsesPattern"] = [SEQUENCING_KEY]
        definition["choices"] = described([(f"c{i}", ("Paso " if spanish else "Step ") + str(i)) for i in (1, 2, 3, 4)])
    elif question == "s1":
        definition["scale"] = [{"id": i, "description": {locale: es if spanish else en}} for i, es, en in SCALE]
    elif question not in SURVEY:  # single-answer choice: the assessment's a1..a8 and every self-check question
        definition["correctResponsesPattern"] = [key_of(question)]
        definition["choices"] = described([(c, f"{option} {c.upper()}") for c in CHOICES])
    return definition


class _Session:
    """Builds statements the way xapiStatements/xapiSession do for one adapter."""

    def __init__(self, course: str, fmt: str, actor: dict, lang: str, rng: random.Random) -> None:
        self.course = course
        self.iri = course_iri(course)
        self.fmt = fmt
        self.actor = actor
        self.lang = lang
        self.locale = LOCALES[lang]
        self.registration = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.rng = rng
        self.out: list[dict] = []
        if fmt == "cmi5":
            self.object = {"objectType": "Activity", "id": f"{self.iri}/cmi5/{lang}/au"}
            session = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            self.template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": self.object["id"]}]},
                             "extensions": {CMI5 + "context/extensions/sessionid": session}}
        else:
            self.object = {"objectType": "Activity", "id": self.iri,
                           "definition": {"type": TYPES + "course", "name": {self.locale: TITLES[course][self.locale]}}}
            self.template = {}

    def _ref(self, activity: str) -> dict:
        """A context activity: the course typed (as the runtime does), a module with its definition."""
        ref: dict = {"objectType": "Activity", "id": activity}
        if activity == self.iri:
            ref["definition"] = {"type": TYPES + "course"}
        elif activity.rsplit("/", 1)[-1][1:].isdigit() and activity.rsplit("/", 2)[-2] == self.course:
            ref["definition"] = {"type": TYPES + "module", "name": {self.locale: title(activity, self.lang)}}
        return ref

    def _context(self, object_id: str, parents: list[str], groups: list[str], cmi5_category: bool = False) -> dict:
        """As xapi.js make(): the LMS template's grouping first, then the course (and a self-check's
        module), never the statement's object nor a parent."""
        grouping = [g["id"] for g in self.template.get("contextActivities", {}).get("grouping", [])]
        for extra in [self.iri, *groups]:
            if extra not in grouping and extra != object_id and extra not in parents:
                grouping.append(extra)
        context: dict = {"registration": self.registration, "language": self.locale, "contextActivities": {}}
        if parents:
            context["contextActivities"]["parent"] = [self._ref(p) for p in parents]
        if grouping:
            context["contextActivities"]["grouping"] = [
                {"objectType": "Activity", "id": g} if g == self.object["id"] and self.fmt == "cmi5" else self._ref(g)
                for g in grouping]
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

    def block(self, verb: str, obj: dict, page: str, module: str, when: dt.datetime, rng: random.Random,
              result: dict | None = None, more: dict | None = None, parents: list[str] | None = None) -> None:
        """A page block's statement as xapi.js track() makes it: its own verb IRI, parent the page
        (unless the block says otherwise), grouping the course and the page's module, the block's
        context merged in (its extensions after the LMS template's)."""
        context = self._context(obj["id"], parents or [page], [module])
        for kind, activities in ((more or {}).get("contextActivities") or {}).items():
            context["contextActivities"][kind] = activities
        if (more or {}).get("extensions"):
            context["extensions"] = {**more["extensions"], **context.get("extensions", {})}  # type: ignore[index]
        display = verb.rsplit("/", 1)[-1]
        statement = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "actor": self.actor,
                     "verb": {"id": verb, "display": {"en-US": display}}, "object": obj, "context": context,
                     "timestamp": _stamp(when, self.fmt)}
        if result is not None:
            statement["result"] = result
        self.out.append(statement)

    def session(self, verb: str, when: dt.datetime, result: dict | None = None) -> None:
        self._make(verb, self.object, self._context(self.object["id"], [], [], cmi5_category=True), when, result)

    def experienced(self, page: str, module: str | None, when: dt.datetime, progress: float) -> None:
        kind = "lesson" if page.rsplit("/", 1)[-1].startswith("p") else "assessment"
        obj = {"objectType": "Activity", "id": page,
               "definition": {"type": TYPES + kind, "name": {self.locale: title(page, self.lang)}}}
        self._make("experienced", obj, self._context(page, [module or self.iri], []), when,
                   {"extensions": {CMI5 + "result/extensions/progress": round(progress * 100)}})

    def answered(self, question: str, quiz: str, module: str | None, response: str, correct: bool | None,
                 when: dt.datetime) -> None:
        obj = {"objectType": "Activity", "id": question_iri(self.course, question),
               "definition": _definition(question, self.course, self.locale)}
        result: dict = {"response": response, "duration": "PT12.5S"}
        if correct is not None:
            result["success"] = correct
        self._make("answered", obj, self._context(obj["id"], [quiz], [module] if module else []), when, result)


def _page_blocks(session: _Session, truth: Truth, page: str, module: str, now: dt.datetime,
                 rng: random.Random, open_media: list[tuple[dict, list]]) -> dt.datetime:
    """What a learner does with the blocks of ``page`` after it is shown: the video, the
    scenario, the product; returns when she is done with them."""
    course = truth.course
    when = now
    times: list[dt.datetime] = []
    if page == video_iri(course).rsplit("/video/", 1)[0] and rng.random() >= 0.2:
        title = "La primera llamada" if truth.lang == "es" else "The first call"
        obj = {"objectType": "Activity", "id": video_iri(course),
               "definition": {"type": VIDEO_PROFILE + "/activity-type/video", "name": {session.locale: title}}}
        base = {VIDEO_EXT + "session-id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                VIDEO_EXT + "length": VIDEO_LENGTH, VIDEO_EXT + "completion-threshold": 0.95}
        category = {"category": [{"objectType": "Activity", "id": VIDEO_PROFILE}]}

        def send(verb: str, at: dt.datetime, result: dict | None = None, extra: dict | None = None) -> None:
            session.block(verb, obj, page, module, at, rng, result,
                          {"contextActivities": category, "extensions": {**base, **(extra or {})}})
            times.append(at)

        when += dt.timedelta(seconds=5)
        send(VERBS + "initialized", when, None, {VIDEO_EXT + "user-agent": "Mozilla/5.0 (Android 14; Mobile)",
                                                 VIDEO_EXT + "cc-subtitle-enabled": True,
                                                 VIDEO_EXT + "cc-subtitle-lang": session.locale.split("-")[0]})
        send(VIDEO_PROFILE + "/verbs/played", when, {"extensions": {VIDEO_EXT + "time": 0}})
        finished = rng.random() < 0.6
        share = 1.0 if finished else round(rng.uniform(0.05, 0.9), 3)
        stop = round(VIDEO_LENGTH * share, 3)
        segments = f"0.000[.]{stop:.3f}"
        state = {VIDEO_EXT + "time": stop, VIDEO_EXT + "progress": share, VIDEO_EXT + "played-segments": segments}
        when += dt.timedelta(seconds=round(min(stop, 120)))
        if finished:
            send(VERBS + "completed", when, {"completion": True, "duration": f"PT{stop}S", "extensions": state})
        else:
            send(VIDEO_PROFILE + "/verbs/paused", when, {"extensions": state})
        # terminated comes when the course session ends (sent before the course's own terminated)
        open_media.append((obj, [page, module, {"contextActivities": category, "extensions": base}, state]))
        truth.video = (True, finished, share)
    if page == scenario_iri(course).rsplit("/", 1)[0] and rng.random() >= 0.15:
        iri = scenario_iri(course)
        title = "Una primera llamada" if truth.lang == "es" else "A first call"
        for _ in range(2 if rng.random() < 0.35 else 1):
            run = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            path, scene = ["call"], "call"
            abandon = rng.random() < 0.08
            while scene not in ENDINGS:
                options = SCENES[scene]
                choice, following = options[0 if rng.random() < truth.ability else 1]
                when += dt.timedelta(seconds=15)
                scene_iri = f"{iri}/scene/{scene}"
                obj = {"objectType": "Activity", "id": scene_iri,
                       "definition": {"type": TYPES + "cmi.interaction", "name": {session.locale: f"{title} – {scene}"},
                                      "description": {session.locale: f"{title}: {scene}"},
                                      "interactionType": "choice",
                                      "choices": [{"id": c, "description": {session.locale: c.replace("-", " ")}}
                                                  for c, _ in options]}}
                session.block(VERBS + "answered", obj, page, module, when, rng, {"response": choice},
                              {"contextActivities": {"other": [{"objectType": "Activity",
                                                                 "id": f"{scene_iri}/choice/{choice}"}]},
                               "extensions": {OURS + "scenario-run": run}}, parents=[iri])
                times.append(when)
                path.append(following)
                scene = following
                if abandon:
                    break
            if scene not in ENDINGS:
                truth.walks.append((run, path, None, None))
                break
            outcome = ENDINGS[scene]
            obj = {"objectType": "Activity", "id": iri,
                   "definition": {"type": TYPES + "simulation", "name": {session.locale: title}}}
            session.block(VERBS + "completed", obj, page, module, when, rng,
                          {"completion": True, "success": outcome != "harmful", "response": scene,
                           "extensions": {OURS + "scenario-outcome": outcome,
                                          OURS + "scenario-path": "[,]".join(path)}},
                          {"contextActivities": {"other": [{"objectType": "Activity", "id": f"{iri}/scene/{scene}"}]},
                           "extensions": {OURS + "scenario-run": run}})
            times.append(when)
            truth.walks.append((run, path, scene, outcome))
    if page == product_iri(course).rsplit("/reflection/", 1)[0] and rng.random() < 0.6:
        prompt = "Tu plan de seguridad" if truth.lang == "es" else "Your safety plan"
        obj = {"objectType": "Activity", "id": product_iri(course),
               "definition": {"type": TYPES + "cmi.interaction", "name": {session.locale: prompt},
                              "description": {session.locale: prompt}, "interactionType": "long-fill-in",
                              "extensions": {RUBRIC: {session.locale: PRODUCT_RUBRIC[session.locale]}}}}
        drafts = ["Plan: refugio con su hermana; contactos del DIF y de la fiscalía.",
                  "Plan revisado: refugio, contactos, palabra clave con una vecina; próxima cita el lunes."]
        for draft in drafts[:2 if rng.random() < 0.2 else 1]:
            when += dt.timedelta(seconds=60)
            text = f"{draft} ({truth.key.rsplit('|', 1)[-1].rsplit(':', 1)[-1]})"
            session.block(VERBS + "answered", obj, page, module, when, rng, {"response": text})
            times.append(when)
            truth.products.append((when, text))
    if times:
        truth.block_times[module] = max([*times, truth.block_times.get(module, times[0])])
    return when


def _end_session(session: _Session, when: dt.datetime, rng: random.Random, open_media: list) -> None:
    """The course session ends: each media played in it first sends ``terminated``."""
    for obj, (page, module, more, state) in open_media:
        session.block(VERBS + "terminated", obj, page, module, when, rng, {"extensions": dict(state)}, more)
    open_media.clear()
    session.session("terminated", when, {"duration": "PT1H"})


def _response(question: str, correct: bool, rng: random.Random) -> str:
    if question in CHOICE_ITEMS or question not in TYPED_ITEMS:
        key = key_of(question)
        return key if correct else rng.choice([c for c in CHOICES if c != key])
    kind = TYPED_ITEMS[question]
    if kind == "choice":
        return MULTIPLE_KEY if correct else rng.choice(MULTIPLE_WRONG)
    if kind == "true-false":
        return "false" if correct else "true"
    if kind == "fill-in":
        return rng.choice(FILL_IN_RIGHT if correct else FILL_IN_WRONG)
    if kind == "numeric":
        return str(rng.randint(4, 6)) if correct else rng.choice(NUMERIC_WRONG)
    if kind == "matching":
        return MATCHING_KEY if correct else rng.choice(MATCHING_WRONG)
    return SEQUENCING_KEY if correct else rng.choice(SEQUENCING_WRONG)


def _assessment_correct(question: str, ability: float, attempt: int) -> bool:
    if question == "a1":
        return True
    if question == "a2":
        return False
    if question == "a3":
        return ability < 0.4
    return ability + 0.25 * attempt > THRESHOLDS[question]


def _actor(index: int, fmt: str) -> tuple[dict, str]:
    name = f"Enlace {index:04d}"
    if fmt == "tincan" and index % 2:
        email = f"enlace{index:04d}@example.org"
        return {"objectType": "Agent", "name": name, "mbox": f"mailto:{email}"}, f"mbox:mailto:{email}"
    account = f"L{index:04d}"
    return ({"objectType": "Agent", "name": name, "account": {"homePage": HOMEPAGE, "name": account}},
            f"account:{HOMEPAGE}|{account}")


def _learner_course(index: int, course: str, fmt: str, lang: str, start: dt.datetime, rng: random.Random,
                    roster: dict[str, str] | None) -> tuple[Truth, list[dict]]:
    actor, key = _actor(index, fmt)
    ability = rng.random()
    truth = Truth(key, actor["name"], course, fmt, ability, roster, start, lang)
    session = _Session(course, fmt, actor, lang, rng)
    # Blocks draw from their own generator, so the rest of the cohort is what it was without them.
    blocks_rng = random.Random(f"blocks-{index}-{course}")
    open_media: list = []
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
        if module is not None:
            now = _page_blocks(session, truth, page, module, now, blocks_rng, open_media)
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
            truth.attempts.append(Attempt(answers, scaled * 100, passed, now))  # the score as reported
            if passed or rng.random() < 0.4:  # some who fail give up
                break
            # One of passed/failed per session: a retake is a new session the next day.
            _end_session(session, now + dt.timedelta(seconds=1), blocks_rng, open_media)
            now += dt.timedelta(days=1)
            session.session("initialized", now)
        # The closing survey: a scale and an open answer, unscored (no success in the result).
        level = SCALE[min(int(ability * len(SCALE)), len(SCALE) - 1)][0]
        opinion = ("El curso me ayudó a coordinar la atención con otras instancias." if lang == "es"
                   else "The course helped me coordinate care with other agencies.") + f" ({index:04d})"
        for question, response in (("s1", level), ("s2", opinion)):
            now += dt.timedelta(seconds=20)
            session.answered(question, f"{iri}/survey", None, response, None, now)
            truth.survey[question] = response
    _end_session(session, now + dt.timedelta(seconds=1), blocks_rng, open_media)
    truth.last = now + dt.timedelta(seconds=1)
    return truth, session.out


def generate(learners: int = 600, seed: int = 6) -> Cohort:
    """The cohort: every learner is enrolled in one diploma, every fifth in a second one too,
    and takes them; every sixth is also enrolled in a third one she never starts, and every
    thirteenth (from the seventh) never launches anything. One learner in nine takes the
    English packages.

    The last ``min(20, n // 10)`` learners are not in the roster (they show as "(not in
    roster)"); the others are, with the courses it enrols them in.
    """
    rng = random.Random(seed)
    sessions: list[list[dict]] = []
    truths: list[Truth] = []
    rows = ["account_homepage,account_name,mbox,cohort,state,municipality,institution,role,course"]
    names = list(COURSES)
    municipalities = list(MUNICIPALITIES)
    enrolments: dict[str, list[str]] = {}
    attributes_by_key: dict[str, dict[str, str]] = {}
    start = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    for index in range(learners):
        municipality = municipalities[index % len(municipalities)]
        attributes = {"cohort": f"2026-{'AB'[index % 2]}", "state": MUNICIPALITIES[municipality],
                      "municipality": municipality, "institution": INSTITUTIONS[index % 4 if index % 7 else 0],
                      "role": ROLES[1 if index % 10 == 0 else 0]}
        in_roster = index < learners - min(20, learners // 10)
        taken = [names[index % 4]] + ([names[(index + 1) % 4]] if index % 5 == 0 else [])
        enrolled = taken + ([names[(index + 2) % 4]] if index % 6 == 1 else [])
        never = index % 13 == 6
        fmt = FORMATS[index % 3]
        lang = "en" if index % 9 == 4 else "es"
        actor, key = _actor(index, fmt)
        if not never:
            for number, course in enumerate(taken):
                begin = start + dt.timedelta(hours=index, days=30 * number)
                truth, made = _learner_course(index, course, fmt, lang, begin, rng, attributes if in_roster else None)
                truths.append(truth)
                sessions.append(made)
        if in_roster:
            enrolments[key] = enrolled
            attributes_by_key[key] = attributes
            email = key.removeprefix("mbox:mailto:") if key.startswith("mbox:") else ""
            identity = f",,{email}" if email else f"{HOMEPAGE},{actor['account']['name']},"
            rows.append(f"{identity},{attributes['cohort']},{attributes['state']},{municipality},"
                        f"{attributes['institution']},{attributes['role']},{'|'.join(enrolled)}")
    return Cohort(_interleave(sessions, rng), truths, "\n".join(rows) + "\n", enrolments, attributes_by_key)


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
