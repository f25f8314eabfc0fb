"""One course's figures from its aggregates: launched-learner figures, enrolment over the
roster, modules, funnel, item analysis and (on request) each learner's module progress.

Called by :meth:`lrs.analytics.report.Aggregator.report`; the rules are in docs/analytics.md.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from lrs.analytics import stats
from lrs.analytics.blocks import REGISTRY as BLOCKS
from lrs.analytics.enrolment import RosterView
from lrs.analytics.i18n import translator
from lrs.analytics.interactions import Answer, ItemContext, interaction_for
from lrs.analytics.report import (
    GROUP_ATTRIBUTES,
    NOT_IN_ROSTER,
    RUBRIC,
    Definitions,
    _Course,
    _earliest,
    _Learner,
    _Result,
    merge_definitions,
)
from lrs.analytics.vocab import is_under, module_of, pick_language, short_id

#: Item flags: share correct at or above / at or below these, or a negative discrimination.
TOO_EASY = 0.90
TOO_HARD = 0.20
#: A learner's standing in a course, in order: each enrolled learner has exactly one.
STATUSES = ("not started", "in progress", "completed", "passed")
BLANK = "(blank)"


@dataclass
class _Outcome:
    """One learner's standing in one unit (course or module), derived at report time."""

    first: float
    completed: float | None = None
    passed: float | None = None
    failed: list[float] = field(default_factory=list)
    score: float | None = None


def status_of(outcome: _Outcome | None) -> str:
    """not started (no statement), in progress, completed (not passed), passed."""
    if outcome is None:
        return "not started"
    if outcome.passed is not None:
        return "passed"
    return "completed" if outcome.completed is not None else "in progress"


def natural(text: str) -> tuple:
    """Sort key putting ``q2`` before ``q10``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def iso(moment: float | None) -> str | None:
    """A moment as ISO 8601 UTC to the second (``2026-03-05T14:20:00Z``); None when there is none."""
    if moment is None or moment in (float("inf"), float("-inf")):
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class _Titles:
    """Readable titles in the report's language: activity names from the statements, overlaid
    with the LRS's canonical definitions (which hold every language the content sent)."""

    def __init__(self, course: _Course, definitions: Definitions | None, ids: Iterable[str], lang: str) -> None:
        self.course = course
        self.lang = lang
        self.canonical = dict(definitions(sorted(set(ids)))) if definitions else {}

    def name(self, iri: str | None) -> str:
        if iri is None:
            return ""
        canonical = (self.canonical.get(iri) or {}).get("definition") or {}
        names = {**self.course.names.get(iri, {}), **(canonical.get("name") or {})}
        return pick_language(names, self.lang) or short_id(iri)

    def definition(self, question: str) -> dict:
        canonical = (self.canonical.get(question) or {}).get("definition")
        seen = self.course.question_def.get(question, {})
        return merge_definitions(canonical, seen) if isinstance(canonical, dict) else seen

    def question(self, question: str) -> str:
        definition = self.definition(question)
        return (pick_language(definition.get("name"), self.lang)
                or pick_language(definition.get("description"), self.lang) or short_id(question))


def _unit_outcome(first: float, results: Iterable[_Result]) -> _Outcome:
    outcome = _Outcome(first)
    for result in results:
        outcome.completed = _earliest(outcome.completed, result.completed)
        outcome.passed = _earliest(outcome.passed, result.passed)
        outcome.failed.extend(result.failed)
        if result.best is not None:
            outcome.score = result.best if outcome.score is None else max(outcome.score, result.best)
    return outcome


def figures(outcomes: list[_Outcome]) -> dict:
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


def enrolment(statuses: Iterable[str], launched_not_enrolled: int) -> dict:
    """Counts of each status over enrolled learners (they add up to ``enrolled``) and shares."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    enrolled = sum(counts.values())
    return {
        "enrolled": enrolled,
        **{s.replace(" ", "_"): n for s, n in counts.items()},
        "started_share": stats.ratio(enrolled - counts["not started"], enrolled),
        "completed_share": stats.ratio(counts["completed"] + counts["passed"], enrolled),
        "passed_share": stats.ratio(counts["passed"], enrolled),
        "launched_not_enrolled": launched_not_enrolled,
    }


def group_of(key: str, view: RosterView, by: str) -> str:
    attributes = view.attributes(key)
    return (attributes.get(by) or BLANK) if attributes is not None else NOT_IN_ROSTER


def course_report(course: _Course, view: RosterView, scope: set[str], by: str | None, show_learners: bool,
                  lang: str, definitions: Definitions | None, submissions: bool = False) -> dict:
    iri = course.iri
    modules = sorted({m for m in course.page_module.values() if m}
                     | {m for q in course.question_quiz.values() if (m := module_of(q, [], iri))})
    module_set = set(modules)
    owners: dict[str, str | None] = {}

    def module_for(activity: str) -> str | None:
        """Outcome objects, pages and quizzes belong to the module whose IRI they lie under."""
        if activity not in owners:
            owners[activity] = next((m for m in modules if is_under(activity, m)), None)
        return owners[activity]

    # Questions answered on a content page (a reflection, an in-page check) are practice: neither
    # a module's self-check nor the assessment (open ones are in the tutors' submissions).
    quiz_module = {q: module_for(quiz) for q, quiz in course.question_quiz.items() if quiz not in course.lessons}
    assessment = [q for q, m in quiz_module.items() if m is None] or list(quiz_module)
    page_module = course.page_module
    module_pages = {m: [p for p, pm in page_module.items() if pm == m] for m in modules}
    module_questions = {m: [q for q, qm in quiz_module.items() if qm == m] for m in modules}
    titles = _Titles(course, definitions, [iri, *modules, *page_module, *course.question_quiz,
                                          *course.question_quiz.values(), *_block_activities(course)], lang)
    keys = sorted(k for k in course.learners if view.includes(k))
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

    enrolled = view.enrolled(iri, scope) if view.roster else []
    enrolled_set = set(enrolled)
    report: dict = {
        "id": iri,
        "short_id": short_id(iri),
        "name": titles.name(iri),
        "summary": figures(list(course_outcomes.values())),
        "enrolment": (enrolment((status_of(course_outcomes.get(k)) for k in enrolled),
                                sum(1 for k in keys if k not in enrolled_set)) if view.roster else None),
    }
    if by:
        launched: dict[str, list[str]] = {}
        for key in keys:
            launched.setdefault(group_of(key, view, by), []).append(key)
        members: dict[str, list[str]] = {}
        for key in enrolled:
            members.setdefault(group_of(key, view, by), []).append(key)
        report["groups"] = [
            {"value": value, **figures([course_outcomes[k] for k in launched.get(value, [])]),
             "enrolment": (enrolment((status_of(course_outcomes.get(k)) for k in members.get(value, [])),
                                     sum(1 for k in launched.get(value, []) if k not in enrolled_set))
                           if view.roster else None)}
            for value in sorted(launched.keys() | members.keys())]
    order = _page_order(course, keys)
    ordered_modules = sorted(modules, key=lambda m: _module_rank(m, course, order))
    report["modules"] = [
        {"id": m, "name": titles.name(m), "pages": len(module_pages[m]), "questions": len(module_questions[m]),
         **figures(list(module_outcomes[m].values()))}
        for m in ordered_modules
    ]
    report["funnel"] = _funnel(course, keys, order, titles)
    report["items"] = _items(course, assessment, keys, titles, ItemContext(lang, show_learners, translator(lang)))
    covered = set(keys)
    for block in BLOCKS:
        aggregate = course.blocks.get(block.section)
        report[block.section] = block.rows(aggregate, covered, len(keys), titles.name,
                                           lambda page: page_module.get(page) or module_for(page)) \
            if aggregate is not None else []
    if submissions:
        report["submissions"] = _submissions(course, view, covered, titles, by or "cohort")
    if show_learners:
        progress = _Progress(ordered_modules, module_set, module_pages, module_questions, page_module, quiz_module,
                             module_for)
        report["learners"] = [
            _learner_row(key, course.learners.get(key), course_outcomes.get(key), key in enrolled_set, view,
                         progress, module_outcomes)
            for key in sorted(set(keys) | enrolled_set)]
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


def _page_order(course: _Course, keys: list[str]) -> dict[str, float]:
    """Each page's median rank in learners' first-visit order (ties broken by IRI later)."""
    ranks: dict[str, list[int]] = {}
    for key in keys:
        visited = sorted(course.learners[key].pages.items(), key=lambda item: (item[1], item[0]))
        for rank, (page, _) in enumerate(visited):
            ranks.setdefault(page, []).append(rank)
    return {page: stats.median(values) or 0.0 for page, values in ranks.items()}


def _module_rank(module: str, course: _Course, order: dict[str, float]) -> tuple[float, str]:
    ranks = [order[p] for p, m in course.page_module.items() if m == module and p in order]
    return (min(ranks) if ranks else float("inf"), module)


def _funnel(course: _Course, keys: list[str], order: dict[str, float], titles: _Titles) -> list[dict]:
    """Pages in median first-visit order with the share of launched learners that reached each."""
    reached: dict[str, int] = {}
    for key in keys:
        for page in course.learners[key].pages:
            reached[page] = reached.get(page, 0) + 1
    rows = []
    for page in sorted(order, key=lambda p: (order[p], p)):
        module = course.page_module.get(page)
        rows.append({
            "page": page,
            "name": titles.name(page),
            "module": module,
            "module_name": titles.name(module) if module else None,
            "reached": reached.get(page, 0),
            "share": stats.ratio(reached.get(page, 0), len(keys)),
        })
    return rows


def _items(course: _Course, questions: list[str], keys: list[str], titles: _Titles, context: ItemContext) -> list[dict]:
    """Item analysis on each learner's first answer to each question of the scored assessment:
    difficulty and discrimination over answers that say whether they were right, and a summary
    of the answers by the question's interaction type (lrs.analytics.interactions)."""
    # One pass over the learners' answers (not one per question): each analysed question's
    # first answers, in learner order, with the learner's total of correct answers.
    wanted = set(questions)
    given: dict[str, list[tuple[str, str, tuple[float, str, bool | None], int]]] = {q: [] for q in questions}
    for key in keys:
        learner = course.learners[key]
        mine = [(q, a) for q, a in learner.answers.items() if q in wanted]
        total = sum(1 for _, a in mine if a[2])
        for question, answer in mine:
            given[question].append((key, learner.name, answer, total))
    rows = []
    for question in sorted(questions, key=natural):
        definition = titles.definition(question)
        answers = [Answer(a[1], a[2], key, name, a[0]) for key, name, a, _ in given[question]]
        item = [1 if a[2] else 0 for _, _, a, _ in given[question] if a[2] is not None]
        item_totals: list[float] = [total for _, _, a, total in given[question] if a[2] is not None]
        difficulty = stats.ratio(sum(item), len(item))
        discrimination = stats.point_biserial(item, item_totals)
        flags = []
        if difficulty is not None and difficulty >= TOO_EASY:
            flags.append("too easy")
        if difficulty is not None and difficulty <= TOO_HARD:
            flags.append("too hard")
        if discrimination is not None and discrimination < 0:
            flags.append("negative discrimination")
        interaction = interaction_for(definition)
        correct = definition.get("correctResponsesPattern")
        quiz = course.question_quiz[question]
        rows.append({
            "id": question,
            "name": titles.question(question),
            "type": interaction.type,
            "quiz": quiz,
            "quiz_name": titles.name(quiz),
            "respondents": len(answers),
            "scored": len(item),
            "correct": sum(item),
            "difficulty": difficulty,
            "discrimination": discrimination,
            "upper_lower": stats.upper_lower(item, item_totals),
            "correct_response": correct[0] if isinstance(correct, list) and correct else None,
            "key": interaction.key_text(definition, context.lang),
            "analysis": interaction.analyse(definition, answers, context),
            "flags": flags,
        })
    return rows


_UNKNOWN = object()


@dataclass
class _Progress:
    """What a learner's module progress is measured against (the course's modules as seen)."""

    modules: list[str]
    module_set: set[str]
    pages: dict[str, list[str]]
    questions: dict[str, list[str]]
    page_module: Mapping[str, str | None]
    quiz_module: Mapping[str, str | None]
    module_for: Callable[[str], str | None]

    units: dict[str, str | None] = field(default_factory=dict)

    def unit_module(self, unit: str) -> str | None:
        """The module of a ``touched`` unit: a module, a page's, or the one a quiz lies under."""
        found = self.units.get(unit, _UNKNOWN)
        if found is _UNKNOWN:
            found = self.units[unit] = unit if unit in self.module_set else (
                self.page_module.get(unit) or self.module_for(unit))
        return found  # type: ignore[return-value]

    def of(self, learner: _Learner | None, outcomes: Mapping[str, Mapping[str, _Outcome]], key: str) -> list[dict]:
        """Each module's progress for one learner (one pass over each of her aggregates)."""
        seen: dict[str, int] = {}
        answered: dict[str, int] = {}
        correct: dict[str, int] = {}
        last: dict[str, float] = {}
        if learner is not None:
            page_module = self.page_module
            for page in learner.pages:
                module = page_module.get(page)
                if module is not None:
                    seen[module] = seen.get(module, 0) + 1
            quiz_module = self.quiz_module
            for question, answer in learner.answers.items():
                module = quiz_module.get(question)
                if module is not None:
                    answered[module] = answered.get(module, 0) + 1
                    if answer[2]:
                        correct[module] = correct.get(module, 0) + 1
            for unit, when in learner.touched.items():
                module = self.unit_module(unit)
                if module is not None and when > last.get(module, float("-inf")):
                    last[module] = when
            for activity, result in learner.results.items():
                module = self.module_for(activity)
                latest = result.latest()
                if module is not None and latest is not None and latest > last.get(module, float("-inf")):
                    last[module] = latest
        rows = []
        for module in self.modules:
            questions = len(self.questions[module])
            outcome = outcomes[module].get(key)
            rows.append({
                "id": module,
                "pages_seen": seen.get(module, 0),
                "pages": len(self.pages[module]),
                "self_check_answered": answered.get(module, 0),
                "self_check_questions": questions,
                "self_check_done": bool(questions) and answered.get(module, 0) == questions,
                "self_check_correct": correct.get(module, 0),
                "completed": outcome is not None and outcome.completed is not None,
                "last_activity": iso(last.get(module)),
            })
        return rows


def _learner_row(key: str, learner: _Learner | None, outcome: _Outcome | None, enrolled: bool, view: RosterView,
                 progress: _Progress, module_outcomes: Mapping[str, Mapping[str, _Outcome]]) -> dict:
    attributes = view.attributes(key) or {}
    return {
        "learner": key,
        "name": learner.name if learner else "",
        **{a: attributes.get(a, "") for a in GROUP_ATTRIBUTES},
        "in_roster": view.attributes(key) is not None,
        "enrolled": enrolled,
        "status": status_of(outcome),
        "completed": outcome is not None and outcome.completed is not None,
        "passed": outcome is not None and outcome.passed is not None,
        "failed": outcome is not None and outcome.passed is None and bool(outcome.failed),
        "score": outcome.score if outcome else None,
        "pages": len(learner.pages) if learner else 0,
        "first_activity": iso(learner.first) if learner else None,
        "last_activity": iso(learner.last) if learner else None,
        "modules": progress.of(learner, module_outcomes, key),
    }


def _block_activities(course: _Course) -> list[str]:
    """The activities page blocks reported on, and their pages (for their titles)."""
    found: list[str] = []
    for aggregate in course.blocks.values():
        for iri, kept in aggregate.items():  # type: ignore[attr-defined]
            found.append(iri)
            if getattr(kept, "page", None):
                found.append(kept.page)
    return found


def _submissions(course: _Course, view: RosterView, covered: set[str], titles: _Titles, by: str) -> list[dict]:
    """Open answers for tutors: each learner's latest answer to each ``long-fill-in`` question,
    with how many times she sent one, the question and its rubric in the report's language;
    ordered by group (roster attribute ``by``), learner, question."""
    definitions: dict[str, dict] = {}
    rows = []
    for (key, question), given in course.submissions.items():
        if key not in covered or not given:
            continue
        if question not in definitions:
            definitions[question] = titles.definition(question)
        definition = definitions[question]
        when, text = max(given)
        attributes = view.attributes(key) or {}
        learner = course.learners.get(key)
        extensions = definition.get("extensions")
        canonical = extensions.get(RUBRIC) if isinstance(extensions, dict) else None
        rubric = pick_language({**(canonical if isinstance(canonical, dict) else {}),
                                **course.rubrics.get(question, {})}, titles.lang)
        rows.append({
            "group": group_of(key, view, by),
            "learner": key,
            "name": learner.name if learner else "",
            **{a: attributes.get(a, "") for a in GROUP_ATTRIBUTES},
            "question": question,
            "question_name": titles.question(question),
            "quiz": course.question_quiz.get(question),
            "answer": text,
            "submitted": iso(when),
            "first_submitted": iso(min(given)[0]),
            "times": len(given),
            "rubric": rubric,
        })
    rows.sort(key=lambda r: (r["group"], r["learner"], natural(r["question"]), r["submitted"] or ""))
    return rows
