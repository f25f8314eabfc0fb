"""The assessment lint: item-writing rules that catch questions a test-wise learner answers without knowing.

``spotlight-pack check`` runs it on every course that loads without errors and prints each finding as
``FILE:LINE: warning: MESSAGE [rule-id]``. Warnings never block a build; ``--strict`` on ``check`` and
``build`` makes them fail. The rules, their sources and thresholds are documented in
docs/source-format.md ("Assessment lint").

Layout: ``view`` builds the neutral view of each quiz from the course model (the one place that knows
the model), ``lines`` finds source lines, ``rules/`` holds one module per rule behind the ``registry``,
``languages/`` one profile per language, ``stats`` the exact tests.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, SourceError
from ..model import Course
from ..package_size import package_size_problems
from ..sources import load_course
from . import rules  # noqa: F401  (registers every rule)
from .registry import RULES, Finding, Rule
from .view import AssessmentView, assessment_views

WARNING = "warning"


def lint_course(course: Course, course_dir: Path | str) -> list[Problem]:
    """Every lint warning of a loaded course, sorted by file and line."""
    problems = []
    for view in assessment_views(course, Path(course_dir)):
        for registered in RULES.values():
            for finding in registered.check(view):
                if not _silenced(view, registered.id, finding):
                    problems.append(Problem(finding.at.path, finding.at.line, finding.message, WARNING, registered.id))
    return sorted(problems, key=lambda problem: (problem.where, problem.line or 0, problem.rule, problem.message))


def check_and_lint(course_dir: Path | str) -> list[Problem]:
    """The course's errors if it has any (the lint needs a course that loads), else its lint warnings."""
    try:
        course = load_course(Path(course_dir))
    except SourceError as error:
        return list(error.problems)
    return lint_course(course, course_dir) + package_size_problems(course, course_dir)


def _silenced(view: AssessmentView, rule_id: str, finding: Finding) -> bool:
    """True when a ``# lint: ignore[rule-id]`` comment sits on the finding's line or its question's first line."""
    lines = {finding.at.line, finding.item.at.line if finding.item else None}
    return any(rule_id in view.suppressed.get(line, frozenset()) for line in lines if line is not None)


__all__ = ["RULES", "Finding", "Rule", "check_and_lint", "lint_course"]
