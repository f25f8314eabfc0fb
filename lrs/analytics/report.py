"""The report: one pass over statements into per-learner aggregates, then figures.

Memory grows with learners × (pages + questions), never with statements, so the same code serves
a pilot and millions of statements. The rules are in docs/analytics.md; the figures of one course
are computed by lrs.analytics.figures, and the output is a plain JSON-ready dict that the CLI and
the dashboard only format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from sys import intern

from lrs.analytics import paused_cycle_collector
from lrs.analytics.blocks import BY_EXTENSION as _BLOCK_EXTENSIONS
from lrs.analytics.blocks import BY_TYPE as _BLOCK_TYPES
from lrs.analytics.blocks import REGISTRY as BLOCKS
from lrs.analytics.enrolment import Roster, RosterView
from lrs.analytics.parallel import can_fork, forked_map, in_order, split
from lrs.analytics.sources import Source, store_statements
from lrs.analytics.vocab import (
    ANSWERED,
    COMPLETED,
    EXPERIENCED,
    FAILED,
    LESSON,
    PASSED,
    VOIDED,
    CourseResolver,
    epoch,
    module_of,
    score_of,
    short_id,
)
from lrs.stores import Store, StreamFilter, open_store
from lrs.xapi.statements import agent_key

#: The activity definition extension carrying an open question's rubric (a language map), for tutors.
RUBRIC = "https://spotlight-pack.org/xapi/extensions/rubric"
#: Statements naming no known course yet are kept (up to this many) and retried at the end.
MAX_PENDING = 20_000
GROUP_ATTRIBUTES = ("cohort", "state", "municipality", "institution", "role")
NOT_IN_ROSTER = "(not in roster)"
#: Canonical activity definitions by id (the LRS's Activities resource), for readable titles.
Definitions = Callable[[Iterable[str]], Mapping[str, dict]]


class _Result:
    """A learner's outcome statements about one activity (completed, passed, failed)."""

    __slots__ = ("best", "completed", "failed", "passed")

    def __init__(self) -> None:
        self.completed: float | None = None
        self.passed: float | None = None
        self.failed: list[float] = []
        self.best: float | None = None

    def merge(self, later: _Result) -> None:
        self.completed = _earliest(self.completed, later.completed)
        self.passed = _earliest(self.passed, later.passed)
        self.failed += later.failed
        if later.best is not None:
            self.best = later.best if self.best is None else max(self.best, later.best)

    def latest(self) -> float | None:
        moments = [t for t in (self.completed, self.passed, *self.failed) if t is not None]
        return max(moments) if moments else None


class _Learner:
    """One learner's aggregates in one course.

    ``touched``: the last moment of activity under each page's parent (its module) and each
    answer's parent (its quiz): per-module "last activity" without keeping every visit.
    """

    __slots__ = ("answers", "first", "last", "name", "pages", "results", "touched")

    def __init__(self, name: str = "") -> None:
        self.first = float("inf")
        self.last = float("-inf")
        self.name = name
        self.pages: dict[str, float] = {}
        self.answers: dict[str, tuple[float, str, bool | None]] = {}
        self.results: dict[str, _Result] = {}
        self.touched: dict[str, float] = {}

    def merge(self, later: _Learner) -> None:
        """Fold in what statements stored after this learner's own said (the name stays the first)."""
        self.first = min(self.first, later.first)
        self.last = max(self.last, later.last)
        pages = self.pages
        for page, when in later.pages.items():
            if when < pages.get(page, _NEVER):
                pages[page] = when
        answers = self.answers
        for question, answer in later.answers.items():
            earlier = answers.get(question)
            if earlier is None or answer[0] < earlier[0]:
                answers[question] = answer
        for activity, result in later.results.items():
            own = self.results.get(activity)
            if own is None:
                self.results[activity] = result
            else:
                own.merge(result)
        touched = self.touched
        for unit, when in later.touched.items():
            if when > touched.get(unit, _LONG_AGO):
                touched[unit] = when


@dataclass
class _Course:
    iri: str
    #: Language maps of activity names (first seen per language wins).
    names: dict[str, dict] = field(default_factory=dict)
    page_module: dict[str, str | None] = field(default_factory=dict)
    question_quiz: dict[str, str] = field(default_factory=dict)
    question_def: dict[str, dict] = field(default_factory=dict)
    #: Content pages (type ``lesson``): questions answered on one are in-page activities, not a
    #: self-check's or the assessment's.
    lessons: set[str] = field(default_factory=set)
    learners: dict[str, _Learner] = field(default_factory=dict)
    #: Each page block's aggregates (lrs.analytics.blocks), by its report section.
    blocks: dict[str, object] = field(default_factory=dict)
    #: Open answers (``long-fill-in``) for tutors: (learner, question) -> [(when, response)].
    submissions: dict[tuple[str, str], list[tuple[float, str]]] = field(default_factory=dict)
    #: Rubrics of open questions (language maps, first seen per language wins), from the statements:
    #: an LRS's canonical definition keeps only the last language's extension.
    rubrics: dict[str, dict] = field(default_factory=dict)
    statements: int = 0

    def merge(self, later: _Course) -> None:
        self.statements += later.statements
        self.lessons |= later.lessons
        for block in BLOCKS:
            theirs = later.blocks.get(block.section)
            if theirs is not None:
                if block.section in self.blocks:
                    block.merge(self.blocks[block.section], theirs)
                else:
                    self.blocks[block.section] = theirs
        for key, given in later.submissions.items():
            self.submissions.setdefault(key, []).extend(given)
        for key, rubric in later.rubrics.items():
            self.rubrics[key] = {**rubric, **self.rubrics.get(key, {})}
        for own, theirs in ((self.page_module, later.page_module), (self.question_quiz, later.question_quiz)):
            for key, value in theirs.items():
                own.setdefault(key, value)  # first seen wins, as in one pass
        for key, definition in later.question_def.items():
            mine = self.question_def.get(key)
            if mine is None:
                self.question_def[key] = definition
            elif _new_language(definition, mine):
                self.question_def[key] = merge_definitions(mine, definition)
        for key, names in later.names.items():
            mine = self.names.get(key)
            self.names[key] = names if mine is None else {**names, **mine}  # earlier parts win per language
        for key, learner in later.learners.items():
            own_learner = self.learners.get(key)
            if own_learner is None:
                self.learners[key] = learner
            else:
                own_learner.merge(learner)


def course_matches(course: str, wanted: str | None) -> bool:
    """``--course`` accepts the course IRI or its last segment."""
    return wanted is None or course == wanted or short_id(course) == wanted


@dataclass(frozen=True)
class Window:
    """When the learner did it (``timestamp``, seconds since the epoch), both ends inclusive."""

    start: float | None = None
    end: float | None = None

    def __contains__(self, when: float) -> bool:
        return (self.start is None or when >= self.start) and (self.end is None or when <= self.end)


class Aggregator:
    """Feed statements with :meth:`add` (any order), then call :meth:`report`.

    Aggregates of consecutive parts of one stream (read by separate processes) combine with
    :meth:`merge` into what one pass over the whole stream gives.
    ``known_courses``: course IRIs known before the first statement (see CourseResolver);
    ``window``: count only what learners did in this period (by ``timestamp``);
    ``learn_names``: keep the activity names statements carry (for titles); reading our store,
    the report takes them from the LRS's canonical definitions instead, so this is skipped.
    """

    def __init__(self, course: str | None = None, known_courses: Iterable[str] = (),
                 window: Window | None = None, learn_names: bool = True) -> None:
        self._learn_names = learn_names
        self._wanted = course
        self._window = window if window and (window.start is not None or window.end is not None) else None
        self._courses: dict[str, _Course] = {}
        self._resolve = CourseResolver(known_courses)
        self._pending: list[dict] = []
        self.unattributed = 0

    def add_all(self, statements: Iterable[dict]) -> Aggregator:
        add = self.add
        for statement in statements:
            add(statement)
        return self

    def merge(self, later: Aggregator) -> Aggregator:
        """Fold in the aggregates of the statements stored after this aggregator's own."""
        self.unattributed += later.unattributed
        self._resolve.learn(later._resolve.known)
        self._pending += later._pending
        for iri, course in later._courses.items():
            own = self._courses.get(iri)
            if own is None:
                self._courses[iri] = course
            else:
                own.merge(course)
        return self

    def known_courses(self) -> set[str]:
        """Every course IRI this read declared or was told of, with statements or not."""
        return set(self._resolve.known) | set(self._courses)

    def add(self, statement: dict) -> None:
        verb = statement["verb"]["id"]
        if verb == VOIDED:
            return
        course_iri = self._resolve(statement)
        actor = statement["actor"]
        learner_key = agent_key(actor)
        obj = statement["object"]
        if course_iri is None:
            if (learner_key and len(self._pending) < MAX_PENDING
                    and obj.get("objectType", "Activity") == "Activity"):
                self._pending.append(statement)  # its course may be declared by a later statement
            else:
                self.unattributed += 1
            return
        if learner_key is None:
            self.unattributed += 1
            return
        if self._wanted is not None and not course_matches(course_iri, self._wanted):
            return
        try:
            when = epoch(statement.get("timestamp") or statement["stored"])
        except ValueError:  # a remote LRS's odd timestamp: fall back to when it was stored
            when = epoch(statement["stored"])
        if self._window is not None and when not in self._window:
            return
        course = self._courses.get(course_iri)
        if course is None:
            course = self._courses[course_iri] = _Course(course_iri)
        course.statements += 1
        learner = course.learners.get(learner_key)
        if learner is None:
            learner = course.learners[learner_key] = _Learner(str(actor.get("name", "")))
        if when < learner.first:
            learner.first = when
        if when > learner.last:
            learner.last = when
        # Interned: the same IRIs key every learner's dicts, so they cost one string each in
        # memory and in the aggregates that parallel readers send back.
        oid = intern(obj["id"])
        definition = obj.get("definition")
        given = None
        if definition is not None:
            given = definition.get("name")
            if given.__class__ is dict and given and self._learn_names:
                known = course.names.get(oid)
                if known is None:
                    course.names[oid] = given
                else:
                    for tag in given:
                        if tag not in known:  # a language not seen yet: first seen per language wins
                            course.names[oid] = {**given, **known}
                            break
        context = statement.get("context")
        # A page block's statement? (lrs.analytics.blocks: by object type, else context extension.)
        block = _BLOCK_TYPES.get(definition.get("type")) if definition is not None else None
        if block is None and context is not None:
            extensions = context.get("extensions")
            if extensions:
                for key in extensions:
                    if key in _BLOCK_EXTENSIONS:
                        block = _BLOCK_EXTENSIONS[key]
                        break
        if block is not None:  # a page block's statement: its own figures, and the module's last activity
            aggregate = course.blocks.get(block.section)
            if aggregate is None:
                aggregate = course.blocks[block.section] = block.new()
            block.add(aggregate, learner_key, statement, when)
            if verb in block.passive_verbs:
                return
            parents = ((context or {}).get("contextActivities") or {}).get("parent")
            if parents.__class__ is dict:
                parents = [parents]
            unit = parents[0]["id"] if parents else oid
            if when > learner.touched.get(unit, _LONG_AGO):
                learner.touched[intern(unit)] = when
            return
        if verb in (EXPERIENCED, ANSWERED):
            # The parents: a page's module, an answer's quiz (inlined: the hot path of a report).
            activities = context.get("contextActivities") if context is not None else None
            parents = activities.get("parent") if activities is not None else None
            if parents is not None:
                if parents.__class__ is dict:
                    parents = [parents]
                for parent in parents if self._learn_names else ():
                    if "definition" in parent:  # a module's title, as content may send it
                        parent_name = parent["definition"].get("name")
                        if parent_name.__class__ is dict and parent_name:
                            _learn_name(course.names, parent["id"], parent_name)
                unit = parents[0]["id"]
            else:
                unit = oid
            touched = learner.touched
            last = touched.get(unit)
            if last is None:
                touched[intern(unit)] = when
            elif when > last:
                touched[unit] = when
            if verb == EXPERIENCED:
                if oid == course_iri:
                    return
                if oid not in course.page_module:
                    course.page_module[oid] = module_of(oid, [p["id"] for p in parents or ()], course_iri)
                    if definition is not None and definition.get("type") == LESSON:
                        course.lessons.add(oid)
                if when < learner.pages.get(oid, _NEVER):
                    learner.pages[oid] = when
                return
            if oid not in course.question_quiz:
                course.question_quiz[oid] = intern(unit) if parents else course_iri
            if definition is not None:
                known_def = course.question_def.get(oid)
                if known_def is None:
                    course.question_def[oid] = definition
                elif given.__class__ is dict:
                    known_names = known_def.get("name") or ()
                    for tag in given:
                        if tag not in known_names:
                            course.question_def[oid] = merge_definitions(known_def, definition)
                            break
            if definition is not None and definition.get("interactionType") == "long-fill-in":
                response = (statement.get("result") or {}).get("response")
                course.submissions.setdefault((learner_key, oid), []).append(
                    (when, response if isinstance(response, str) else ""))
                rubric = (definition.get("extensions") or {}).get(RUBRIC)
                if isinstance(rubric, dict):  # each package sends its language: keep every one
                    course.rubrics[oid] = {**rubric, **course.rubrics.get(oid, {})}
            previous = learner.answers.get(oid)
            if previous is None or when < previous[0]:
                result = statement.get("result") or {}
                success = result.get("success")
                learner.answers[oid] = (when, str(result.get("response", "")),
                                        success if isinstance(success, bool) else None)
        elif verb in _OUTCOMES:
            outcome = learner.results.get(oid)
            if outcome is None:
                outcome = learner.results[oid] = _Result()
            if verb == COMPLETED:
                outcome.completed = _earliest(outcome.completed, when)
                return
            if verb == PASSED:
                outcome.passed = _earliest(outcome.passed, when)
            else:
                outcome.failed.append(when)
            score = score_of(statement.get("result") or {})
            if score is not None:
                outcome.best = score if outcome.best is None else max(outcome.best, score)

    def report(self, roster: Roster | None = None, by: str | None = None, show_learners: bool = False,
               course: str | None = None, *, lang: str = "en", filters: Mapping[str, str] | None = None,
               definitions: Definitions | None = None, submissions: bool = False, jobs: int = 1,
               store_url: str = "") -> dict:
        """The figures of every course (or of ``course``: IRI or last segment), as a JSON-ready
        dict (see docs/analytics.md).

        ``roster``: the enrolled learners (the denominator of enrolment figures) and their
        attributes; ``filters``: only learners whose roster attributes have these values;
        ``lang``: the language of titles; ``definitions``: the LRS's canonical activity
        definitions, for titles in every language; ``submissions``: list the open answers for
        tutors (identities!). The aggregator stays usable: more statements
        may be added and another report made (the dashboard adds only what was stored since).

        ``jobs`` > 1 with ``store_url`` (our store, whose canonical definitions ``definitions``
        reads): the courses' figures are computed in that many processes, forked so that they
        share the aggregates (lrs.analytics.parallel.forked_map); each child reads definitions
        through its own connection to ``store_url``. The result is the same for any ``jobs``.
        """
        from lrs.analytics.figures import course_report

        if by is not None and by not in GROUP_ATTRIBUTES:
            raise ValueError(f"--by must be one of {', '.join(GROUP_ATTRIBUTES)}")
        view = RosterView(roster or {}, filters or {})
        with paused_cycle_collector():  # millions of live aggregates: nothing cyclic to find
            self._settle()
            chosen = {iri: c for iri, c in self._courses.items() if course_matches(iri, course)}
            # Courses the roster enrols learners in, nobody started yet (in this period).
            for iri in view.named_courses(self.known_courses()):
                if course_matches(iri, course) and iri not in chosen:
                    chosen[iri] = _Course(iri)
            scope = set(chosen)

            def figures_of(iri: str, titles: Definitions | None = definitions) -> dict:
                return course_report(chosen[iri], view, scope, by, show_learners, lang, titles, submissions)

            iris = sorted(chosen)
            if jobs > 1 and len(iris) > 1 and store_url and ":memory:" not in store_url and can_fork():
                def in_child(iri: str) -> dict:  # never the parent's connections: a store of its own
                    with open_store(store_url) as store:
                        return figures_of(iri, store.get_activities if definitions else None)

                courses = forked_map(iris, jobs, figures_of, in_child, lambda iri: len(chosen[iri].learners))
            else:
                courses = [figures_of(iri) for iri in iris]
        return {"by": by, "lang": lang, "filters": dict(sorted((filters or {}).items())),
                "roster": view.summary(), "statements": sum(c.statements for c in chosen.values()),
                "unattributed": self.unattributed + len(self._pending), "courses": courses}

    def _settle(self) -> None:
        """Add the statements kept aside whose course is known by now; the others stay aside
        (a later statement may still declare their course) and count as unattributed meanwhile."""
        pending, self._pending = self._pending, []
        for statement in pending:
            self.add(statement)


def aggregate(source: Source, course: str | None = None, window: Window | None = None) -> Aggregator:
    """One pass over a source's statements; our store's is split across ``source.jobs`` processes."""
    with paused_cycle_collector():
        if source.jobs <= 1 or source.store is None:
            return Aggregator(course, source.courses, window, learn_names=source.store is None).add_all(
                source.statements())
        parts = split(source.filter, source.last_position(), source.jobs)
        shared = (course, source.courses, window)
        whole: Aggregator | None = None
        tasks = [(p,) for p in parts]
        for aggregated in in_order(_aggregate_part, source.store_url, tasks, source.jobs, shared, here=source.store):
            whole = aggregated if whole is None else whole.merge(aggregated)
        assert whole is not None
        return whole


def _aggregate_part(store: Store, course: str | None, courses: frozenset[str], window: Window | None,
                    flt: StreamFilter) -> Aggregator:
    """Runs in a worker process: one position range's aggregates, sent back whole."""
    with paused_cycle_collector():
        return Aggregator(course, courses, window, learn_names=False).add_all(store_statements(store, flt))


_NEVER = float("inf")
_LONG_AGO = float("-inf")
_OUTCOMES = frozenset((COMPLETED, PASSED, FAILED))
#: Parts of an interaction definition whose entries carry language maps, matched by id.
_COMPONENTS = ("choices", "scale", "source", "target", "steps")


def _new_language(definition: dict, known: dict) -> bool:
    """Whether a definition names its activity in a language ``known`` has no name in (content
    sends one language per package, so its choices' texts come in that language too)."""
    known_names = known.get("name") or ()
    return any(tag not in known_names for tag in definition.get("name") or ())


def _earliest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _learn_name(names: dict[str, dict], activity: str, given: dict) -> None:
    """Remember an activity's name map: the first seen per language wins (as in one pass)."""
    known = names.get(activity)
    if known is None:
        names[intern(activity)] = given
        return
    for tag in given:
        if tag not in known:
            names[activity] = {**given, **known}
            return


def merge_definitions(first: dict, other: dict) -> dict:
    """Two definitions of one activity as one: language maps (name, description, and each
    choice's, scale point's... description, matched by id) united, ``first`` winning per
    language; other members from ``first`` when it has them."""
    merged = {**other, **first}
    for key in ("name", "description"):
        a, b = first.get(key), other.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            merged[key] = {**b, **a}
    for key in _COMPONENTS:
        a, b = first.get(key), other.get(key)
        if isinstance(a, list) and isinstance(b, list):
            theirs = {c.get("id"): c for c in b if isinstance(c, dict)}
            merged[key] = [merge_definitions(c, theirs[c.get("id")]) if isinstance(c, dict) and c.get("id") in theirs
                           else c for c in a]
    return merged
