"""Expected report figures, computed from the generator's ground truth (never from statements
and never with the code under test)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable

from cohort import CHOICE_ITEMS, Truth, course_iri, key_of, page_sequence


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def figures(truths: Iterable[Truth]) -> dict:
    truths = list(truths)
    passed = [t for t in truths if any(a.passed for a in t.attempts)]
    failed = [t for t in truths if t.attempts and not any(a.passed for a in t.attempts)]
    best = [max(a.score for a in t.attempts) for t in truths if t.attempts]
    completed = [t for t in truths if t.completed]
    attempts = [next(i for i, a in enumerate(t.attempts) if a.passed) + 1 for t in passed]
    histogram = [0] * 10
    for score in best:
        histogram[min(int(score // 10), 9)] += 1
    return {
        "launched": len(truths),
        "completed": len(completed),
        "passed": len(passed),
        "failed": len(failed),
        "pass_rate": len(passed) / (len(passed) + len(failed)) if passed or failed else None,
        "score_median": median(best),
        "histogram": histogram,
        "time_to_complete_median_s": median([(t.completed - t.first).total_seconds() for t in completed]),
        "attempts_to_pass_median": median(attempts),
        "attempts": {str(n) if n < 3 else "3+": sum(1 for a in attempts if (a if a < 3 else 3) == n)
                     for n in sorted({min(a, 3) for a in attempts})},
    }


def module_figures(truths: Iterable[Truth], module: str) -> dict:
    """Module: touched = visited one of its pages; completed = visited all four (3 pages + quiz)."""
    touched = [t for t in truths if any(m == module for _, m, _ in t.visits)]
    done = [t for t in touched if sum(1 for _, m, _ in t.visits if m == module) == 4]
    scores = [sum(c for _, c in t.self_checks[module]) / 2 * 100 for t in touched if module in t.self_checks]
    times = []
    for t in done:
        moments = [when for _, m, when in t.visits if m == module]
        times.append((max(moments) - min(moments)).total_seconds())
    return {"launched": len(touched), "completed": len(done), "score_median": median(scores),
            "time_to_complete_median_s": median(times)}


def funnel(truths: list[Truth], course: str) -> list[tuple[str, int]]:
    return [(page, sum(1 for t in truths if any(p == page for p, _, _ in t.visits)))
            for page, _ in page_sequence(course)]


def items(truths: list[Truth], course: str) -> dict[str, dict]:
    """Per single-answer choice question: first-attempt difficulty, correlation with first-attempt total."""
    takers = sorted((t for t in truths if t.attempts), key=lambda t: t.key)
    found = {}
    for question in CHOICE_ITEMS:
        item = [1 if t.attempts[0].answers[question][1] else 0 for t in takers]
        totals = [sum(c for _, c in t.attempts[0].answers.values()) for t in takers]
        try:
            r = statistics.correlation(item, totals)
        except statistics.StatisticsError:
            r = None
        k = round(len(takers) * 0.27)
        ranked = [i for _, i in sorted(zip(totals, item, strict=True), key=lambda pair: pair[0])]
        upper_lower = (sum(ranked[-k:]) - sum(ranked[:k])) / k
        choices: dict[str, int] = {}
        for t in takers:
            response = t.attempts[0].answers[question][0]
            choices[response] = choices.get(response, 0) + 1
        found[f"{course_iri(course)}/question/{question}"] = {
            "respondents": len(takers), "difficulty": sum(item) / len(item), "discrimination": r,
            "upper_lower": upper_lower,
            "choices": choices, "key": key_of(question)}
    return found


def status(truth: Truth | None) -> str:
    """not started / in progress / completed (not passed) / passed, from what the learner did."""
    if truth is None:
        return "not started"
    if any(a.passed for a in truth.attempts):
        return "passed"
    return "completed" if truth.completed else "in progress"


def enrolment(cohort, course: str, keys: Iterable[str] | None = None) -> dict:
    """Status counts of the roster learners enrolled in ``course`` (those of ``keys`` only)."""
    chosen = None if keys is None else set(keys)
    done = {t.key: t for t in cohort.truths if t.course == course}
    enrolled = {k for k, courses in cohort.enrolments.items() if course in courses and (chosen is None or k in chosen)}
    counts = {"not_started": 0, "in_progress": 0, "completed": 0, "passed": 0}
    for key in enrolled:
        counts[status(done.get(key)).replace(" ", "_")] += 1
    launched = [k for k in done if chosen is None or k in chosen]
    return {"enrolled": len(enrolled), **counts, "launched_not_enrolled": sum(1 for k in launched if k not in enrolled)}


def module_progress(truth: Truth, module: str) -> dict:
    """A learner's progress in one module: pages seen (of 4), self-check answered, last activity."""
    visits = [when for _, m, when in truth.visits if m == module]
    answered = len(truth.self_checks.get(module, []))
    last = None
    if visits:
        # The self-check's two answers come 30 s and 60 s after its page.
        last = max(visits) + (dt.timedelta(seconds=30 * answered) if answered else dt.timedelta())
    if module in truth.block_times:  # a video, a scenario or the product on one of its pages
        last = max(last, truth.block_times[module]) if last else truth.block_times[module]
    return {"pages_seen": len(visits), "self_check_answered": answered, "self_check_done": answered == 2,
            "completed": len(visits) == 4,
            "last_activity": last.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
            if last else None}


def first_answers(truths: list[Truth], question: str) -> list[str]:
    """Learners' first responses to an assessment question (first attempt)."""
    return [t.attempts[0].answers[question][0] for t in truths if t.attempts]
