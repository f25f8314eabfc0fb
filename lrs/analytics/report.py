"""The report: one pass over statements into per-learner aggregates, then figures.

Memory grows with learners × (pages + questions), never with statements, so the same code serves
a pilot and millions of statements. The rules are in docs/analytics.md; the output is a plain
JSON-ready dict that the CLI and the dashboard only format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from sys import intern

from lrs.analytics import paused_cycle_collector, stats
from lrs.analytics.parallel import in_order, split
from lrs.analytics.sources import Source, store_statements
from lrs.analytics.vocab import (
    ANSWERED,
    COMPLETED,
    EXPERIENCED,
    FAILED,
    PASSED,
    VOIDED,
    CourseResolver,
    context_activities,
    display_name,
    epoch,
    is_under,
    module_of,
    score_of,
    short_id,
)
from lrs.stores import Store, StreamFilter
from lrs.xapi.statements import agent_key

#: Statements naming no known course yet are kept (up to this many) and retried at the end.
MAX_PENDING = 20_000
GROUP_ATTRIBUTES = ("cohort", "state", "municipality", "institution", "role")
NOT_IN_ROSTER = "(not in roster)"
#: Item flags: share correct at or above / at or below these, or a negative discrimination.
TOO_EASY = 0.90
TOO_HARD = 0.20


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


class _Learner:
    __slots__ = ("answers", "first", "name", "pages", "results")

    def __init__(self, name: str = "") -> None:
        self.first = float("inf")
        self.name = name
        self.pages: dict[str, float] = {}
        self.answers: dict[str, tuple[float, str, bool | None]] = {}
        self.results: dict[str, _Result] = {}

    def merge(self, later: _Learner) -> None:
        """Fold in what statements stored after this learner's own said (the name stays the first)."""
        self.first = min(self.first, later.first)
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


@dataclass
class _Course:
    iri: str
    names: dict[str, str] = field(default_factory=dict)
    page_module: dict[str, str | None] = field(default_factory=dict)
    question_quiz: dict[str, str] = field(default_factory=dict)
    question_def: dict[str, dict] = field(default_factory=dict)
    learners: dict[str, _Learner] = field(default_factory=dict)
    statements: int = 0

    def merge(self, later: _Course) -> None:
        self.statements += later.statements
        for own, theirs in ((self.names, later.names), (self.page_module, later.page_module),
                            (self.question_quiz, later.question_quiz), (self.question_def, later.question_def)):
            for key, value in theirs.items():
                own.setdefault(key, value)  # first seen wins, as in one pass
        for key, learner in later.learners.items():
            own_learner = self.learners.get(key)
            if own_learner is None:
                self.learners[key] = learner
            else:
                own_learner.merge(learner)


def course_matches(course: str, wanted: str | None) -> bool:
    """``--course`` accepts the course IRI or its last segment."""
    return wanted is None or course == wanted or short_id(course) == wanted


class Aggregator:
    """Feed statements with :meth:`add` (any order), then call :meth:`report`.

    Aggregates of consecutive parts of one stream (read by separate processes) combine with
    :meth:`merge` into what one pass over the whole stream gives.
    ``known_courses``: course IRIs known before the first statement (see CourseResolver).
    """

    def __init__(self, course: str | None = None, known_courses: Iterable[str] = ()) -> None:
        self._wanted = course
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
        course = self._courses.get(course_iri)
        if course is None:
            course = self._courses[course_iri] = _Course(course_iri)
        course.statements += 1
        learner = course.learners.get(learner_key)
        if learner is None:
            learner = course.learners[learner_key] = _Learner(str(actor.get("name", "")))
        try:
            when = epoch(statement.get("timestamp") or statement["stored"])
        except ValueError:  # a remote LRS's odd timestamp: fall back to when it was stored
            when = epoch(statement["stored"])
        if when < learner.first:
            learner.first = when
        # Interned: the same IRIs key every learner's dicts, so they cost one string each in
        # memory and in the aggregates that parallel readers send back.
        oid = intern(obj["id"])
        if oid not in course.names:
            name = display_name(obj)
            if name:
                course.names[oid] = name
        if verb == EXPERIENCED:
            if oid == course_iri:
                return
            if oid not in course.page_module:
                course.page_module[oid] = module_of(oid, _parents(statement), course_iri)
            if when < learner.pages.get(oid, _NEVER):
                learner.pages[oid] = when
        elif verb == ANSWERED:
            if oid not in course.question_quiz:
                parents = _parents(statement)
                course.question_quiz[oid] = parents[0] if parents else course_iri
            if "definition" in obj and oid not in course.question_def:
                course.question_def[oid] = obj["definition"]
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

    def report(self, roster: Mapping[str, Mapping[str, str]] | None = None, by: str | None = None,
               show_learners: bool = False, course: str | None = None) -> dict:
        """The figures of every course (or of ``course``: IRI or last segment), as a JSON-ready
        dict (see docs/analytics.md).

        The aggregator stays usable: more statements may be added and another report made (the
        dashboard adds only what was stored since its last report).
        """
        if by is not None and by not in GROUP_ATTRIBUTES:
            raise ValueError(f"--by must be one of {', '.join(GROUP_ATTRIBUTES)}")
        with paused_cycle_collector():  # millions of live aggregates: nothing cyclic to find
            self._settle()
            chosen = sorted((c for c in self._courses.values() if course_matches(c.iri, course)), key=lambda c: c.iri)
            courses = [_course_report(c, roster or {}, by, show_learners) for c in chosen]
        return {"by": by, "statements": sum(c.statements for c in chosen),
                "unattributed": self.unattributed + len(self._pending), "courses": courses}

    def _settle(self) -> None:
        """Add the statements kept aside whose course is known by now; the others stay aside
        (a later statement may still declare their course) and count as unattributed meanwhile."""
        pending, self._pending = self._pending, []
        for statement in pending:
            self.add(statement)


def aggregate(source: Source, course: str | None = None) -> Aggregator:
    """One pass over a source's statements; our store's is split across ``source.jobs`` processes."""
    with paused_cycle_collector():
        if source.jobs <= 1 or source.store is None:
            return Aggregator(course, source.courses).add_all(source.statements())
        parts = split(source.filter, source.last_position(), source.jobs)
        shared = (course, source.courses)
        whole: Aggregator | None = None
        tasks = [(p,) for p in parts]
        for aggregated in in_order(_aggregate_part, source.store_url, tasks, source.jobs, shared, here=source.store):
            whole = aggregated if whole is None else whole.merge(aggregated)
        assert whole is not None
        return whole


def _aggregate_part(store: Store, course: str | None, courses: frozenset[str], flt: StreamFilter) -> Aggregator:
    """Runs in a worker process: one position range's aggregates, sent back whole."""
    with paused_cycle_collector():
        return Aggregator(course, courses).add_all(store_statements(store, flt))


_NEVER = float("inf")
_OUTCOMES = frozenset((COMPLETED, PASSED, FAILED))


def _parents(statement: dict) -> list[str]:
    return [a["id"] for a in context_activities(statement, "parent")]


# --- per course figures ---------------------------------------------------------------------------


@dataclass
class _Outcome:
    """One learner's standing in one unit (course or module), derived at report time."""

    first: float
    completed: float | None = None
    passed: float | None = None
    failed: list[float] = field(default_factory=list)
    score: float | None = None


def _earliest(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _unit_outcome(first: float, results: Iterable[_Result]) -> _Outcome:
    outcome = _Outcome(first)
    for result in results:
        outcome.completed = _earliest(outcome.completed, result.completed)
        outcome.passed = _earliest(outcome.passed, result.passed)
        outcome.failed.extend(result.failed)
        if result.best is not None:
            outcome.score = result.best if outcome.score is None else max(outcome.score, result.best)
    return outcome


def _figures(outcomes: list[_Outcome]) -> dict:
    """launched, completed, passed, failed, pass rate, scores, time to complete, attempts."""
    passed = [o for o in outcomes if o.passed is not None]
    failed = [o for o in outcomes if o.passed is None and o.failed]
    scores = [o.score for o in outcomes if o.score is not None]
    times = [o.completed - o.first for o in outcomes if o.completed is not None]
    attempts = [sum(1 for f in o.failed if f < o.passed) + 1 for o in passed if o.passed is not None]
    distribution: dict[str, int] = {}
    for value in sorted(attempts):
        label = str(value) if value < 3 else "3+"
        distribution[label] = distribution.get(label, 0) + 1
    return {
        "launched": len(outcomes),
        "completed": sum(1 for o in outcomes if o.completed is not None),
        "passed": len(passed),
        "failed": len(failed),
        "completion_rate": stats.ratio(sum(1 for o in outcomes if o.completed is not None), len(outcomes)),
        "pass_rate": stats.ratio(len(passed), len(passed) + len(failed)),
        "scored": len(scores),
        "score_median": stats.median(scores),
        "score_distribution": stats.score_histogram(scores),
        "time_to_complete_median_s": stats.median(times),
        "attempts_to_pass_median": stats.median(attempts),
        "attempts_to_pass_distribution": distribution,
    }


def _group_of(key: str, roster: Mapping[str, Mapping[str, str]], by: str) -> str:
    attributes = roster.get(key)
    return (attributes.get(by) or "(blank)") if attributes else NOT_IN_ROSTER


def _course_report(course: _Course, roster: Mapping[str, Mapping[str, str]], by: str | None,
                   show_learners: bool) -> dict:
    iri = course.iri
    modules = sorted({m for m in course.page_module.values() if m}
                     | {m for q in course.question_quiz.values() if (m := module_of(q, [], iri))})

    owners: dict[str, str | None] = {}

    def module_for(activity: str) -> str | None:
        """Outcome objects, pages and quizzes belong to the module whose IRI they lie under."""
        if activity not in owners:
            owners[activity] = next((m for m in modules if is_under(activity, m)), None)
        return owners[activity]

    quiz_module = {q: module_for(quiz) for q, quiz in course.question_quiz.items()}
    assessment = [q for q, m in quiz_module.items() if m is None] or list(quiz_module)
    page_module = course.page_module
    module_pages = {m: [p for p, pm in page_module.items() if pm == m] for m in modules}
    keys = sorted(course.learners)
    course_outcomes: dict[str, _Outcome] = {}
    module_outcomes: dict[str, dict[str, _Outcome]] = {m: {} for m in modules}
    for key in keys:
        learner = course.learners[key]
        # Each learner's pages, answers and outcomes sorted into modules in one pass each.
        visits: dict[str, list[float]] = {}
        for page, when in learner.pages.items():
            if module := page_module.get(page):
                visits.setdefault(module, []).append(when)
        answers: dict[str, list[tuple[float, str, bool | None]]] = {}
        for question, answer in learner.answers.items():
            if module := quiz_module.get(question):
                answers.setdefault(module, []).append(answer)
        results: dict[str | None, list[_Result]] = {}
        for activity, result in learner.results.items():
            results.setdefault(module_for(activity), []).append(result)
        course_outcomes[key] = _unit_outcome(learner.first, results.get(None, []))
        for module in visits.keys() | answers.keys() | (results.keys() - {None}):
            assert module is not None
            outcome = _module_outcome(visits.get(module, []), answers.get(module, []), results.get(module, []),
                                      len(module_pages[module]))
            if outcome is not None:
                module_outcomes[module][key] = outcome

    report: dict = {
        "id": iri,
        "short_id": short_id(iri),
        "name": course.names.get(iri, short_id(iri)),
        "summary": _figures(list(course_outcomes.values())),
    }
    if by:
        groups: dict[str, list[_Outcome]] = {}
        for key, outcome in course_outcomes.items():
            groups.setdefault(_group_of(key, roster, by), []).append(outcome)
        report["groups"] = [{"value": value, **_figures(groups[value])} for value in sorted(groups)]
    order = _page_order(course)
    report["modules"] = [
        {"id": m, "name": course.names.get(m, short_id(m)), **_figures(list(module_outcomes[m].values()))}
        for m in sorted(modules, key=lambda m: _module_rank(m, course, order))
    ]
    report["funnel"] = _funnel(course, order, len(keys))
    report["items"] = _items(course, assessment, keys)
    if show_learners:
        report["learners"] = [_learner_row(key, course.learners[key], course_outcomes[key], roster)
                              for key in keys]
    return report


def _module_outcome(visits: list[float], answers: list[tuple[float, str, bool | None]], results: list[_Result],
                    module_pages: int) -> _Outcome | None:
    """A learner's standing in a module from her first visits to its pages, first answers to its
    questions and outcome statements on it; None when she never touched it.

    Completed: a ``completed`` statement on the module (or below it), else the moment the last
    page of the module (as seen in the data, ``module_pages`` of them) was first experienced.
    Score: passed/failed scores on the module, else the share correct of first answers to its
    self-check questions.
    """
    touched = visits + [a[0] for a in answers] + [
        t for r in results for t in (r.completed, r.passed, *r.failed) if t is not None]
    if not touched:
        return None
    outcome = _unit_outcome(min(touched), results)
    if outcome.completed is None and module_pages and len(visits) == module_pages:
        outcome.completed = max(visits)
    if outcome.score is None and answers:
        outcome.score = sum(1 for a in answers if a[2]) / len(answers) * 100
    return outcome


def _page_order(course: _Course) -> dict[str, float]:
    """Each page's median rank in learners' first-visit order (ties broken by IRI later)."""
    ranks: dict[str, list[int]] = {}
    for learner in course.learners.values():
        visited = sorted(learner.pages.items(), key=lambda item: (item[1], item[0]))
        for rank, (page, _) in enumerate(visited):
            ranks.setdefault(page, []).append(rank)
    return {page: stats.median(values) or 0.0 for page, values in ranks.items()}


def _module_rank(module: str, course: _Course, order: dict[str, float]) -> tuple[float, str]:
    ranks = [order[p] for p, m in course.page_module.items() if m == module and p in order]
    return (min(ranks) if ranks else float("inf"), module)


def _funnel(course: _Course, order: dict[str, float], launched: int) -> list[dict]:
    """Pages in median first-visit order with the share of launched learners that reached each."""
    reached: dict[str, int] = {}
    for learner in course.learners.values():
        for page in learner.pages:
            reached[page] = reached.get(page, 0) + 1
    rows = []
    for page in sorted(order, key=lambda p: (order[p], p)):
        module = course.page_module.get(page)
        rows.append({
            "page": page,
            "name": course.names.get(page, short_id(page)),
            "module": module,
            "module_name": course.names.get(module, short_id(module)) if module else None,
            "reached": reached.get(page, 0),
            "share": stats.ratio(reached.get(page, 0), launched),
        })
    return rows


def _choices(definition: dict) -> list[str]:
    """Choice ids in the order the definition lists them (true/false for true-false items)."""
    if definition.get("interactionType") == "true-false":
        return ["true", "false"]
    return [str(c.get("id")) for c in definition.get("choices", []) if isinstance(c, dict)]


def _items(course: _Course, questions: list[str], keys: list[str]) -> list[dict]:
    """Item analysis on each learner's first answer to each question of the scored assessment."""
    wanted = set(questions)
    totals: dict[str, int] = {}
    for key in keys:
        answers = course.learners[key].answers
        totals[key] = sum(1 for q, a in answers.items() if q in wanted and a[2])
    rows = []
    for question in sorted(questions):
        definition = course.question_def.get(question, {})
        item: list[int] = []
        item_totals: list[float] = []
        counts: dict[str, int] = dict.fromkeys(_choices(definition), 0)
        for key in keys:
            answer = course.learners[key].answers.get(question)
            if answer is None:
                continue
            item.append(1 if answer[2] else 0)
            item_totals.append(totals[key])
            for choice in filter(None, answer[1].split("[,]")):
                counts[choice] = counts.get(choice, 0) + 1
        respondents = len(item)
        difficulty = stats.ratio(sum(item), respondents)
        discrimination = stats.point_biserial(item, item_totals)
        flags = []
        if difficulty is not None and difficulty >= TOO_EASY:
            flags.append("too easy")
        if difficulty is not None and difficulty <= TOO_HARD:
            flags.append("too hard")
        if discrimination is not None and discrimination < 0:
            flags.append("negative discrimination")
        correct = definition.get("correctResponsesPattern") or []
        rows.append({
            "id": question,
            "name": display_name({"definition": definition}) or short_id(question),
            "quiz": course.question_quiz[question],
            "respondents": respondents,
            "correct": sum(item),
            "difficulty": difficulty,
            "discrimination": discrimination,
            "upper_lower": stats.upper_lower(item, item_totals),
            "correct_response": correct[0] if correct else None,
            "choices": [{"id": c, "count": n, "share": stats.ratio(n, respondents)} for c, n in counts.items()],
            "flags": flags,
        })
    return rows


def _learner_row(key: str, learner: _Learner, outcome: _Outcome,
                 roster: Mapping[str, Mapping[str, str]]) -> dict:
    attributes = roster.get(key, {})
    return {
        "learner": key,
        "name": learner.name,
        **{a: attributes.get(a, "") for a in GROUP_ATTRIBUTES},
        "completed": outcome.completed is not None,
        "passed": outcome.passed is not None,
        "failed": outcome.passed is None and bool(outcome.failed),
        "score": outcome.score,
        "pages": len(learner.pages),
    }
