"""The roster as the denominator: who is enrolled in which course, and in which group.

A roster entry may name its courses in a ``course`` attribute (course ids, the IRI's last segment
or the IRI, separated by ``|`` or spaces); an entry without one is enrolled in every course of the
report's scope (the courses the report covers). Filters on roster attributes select learners:
while any is set, learners who are not in the roster are left out of every figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from lrs.analytics.vocab import short_id

Roster = Mapping[str, Mapping[str, str]]
COURSE = "course"
_SEPARATORS = re.compile(r"[|\s]+")


def course_tokens(value: str | None) -> tuple[str, ...]:
    """The course ids of a roster ``course`` cell, in order, without repeats."""
    return tuple(dict.fromkeys(t for t in _SEPARATORS.split(value or "") if t))


def names_course(token: str, course: str) -> bool:
    """Whether a roster's course id names the course IRI ``course``."""
    return token == course or token == short_id(course)


class RosterView:
    """A roster with filters applied, answering enrolment questions for the report."""

    def __init__(self, roster: Roster, filters: Mapping[str, str]) -> None:
        self.roster = roster
        self.filters = {k: v for k, v in filters.items() if v}
        self.members = {key: attributes for key, attributes in roster.items()
                        if all(attributes.get(name, "") == value for name, value in self.filters.items())}
        self._courses = {key: course_tokens(attributes.get(COURSE)) for key, attributes in self.members.items()}

    def includes(self, learner: str) -> bool:
        """Whether a learner who launched counts: any learner without filters, else members only."""
        return learner in self.members if self.filters else True

    def attributes(self, learner: str) -> Mapping[str, str] | None:
        return self.roster.get(learner)

    def enrolled(self, course: str, scope: Iterable[str]) -> list[str]:
        """The selected roster learners enrolled in ``course`` (sorted by key)."""
        in_scope = course in set(scope)
        short = short_id(course)
        return sorted(key for key, tokens in self._courses.items()
                      if ((course in tokens or short in tokens) if tokens else in_scope))

    def named_courses(self, known: Iterable[str]) -> set[str]:
        """Courses the selected learners' ``course`` cells name, as IRIs where the LRS knows the
        course (by IRI or last segment), else as written."""
        known = set(known)
        found: set[str] = set()
        for token in {t for tokens in self._courses.values() for t in tokens}:
            matches = {iri for iri in known if names_course(token, iri)}
            found |= matches or {token}
        return found

    def summary(self) -> dict:
        return {"learners": len(self.roster), "selected": len(self.members), "filters": dict(self.filters)}

    def values(self, attribute: str) -> list[str]:
        """The values an attribute takes in the whole roster (for filter menus)."""
        return sorted({a.get(attribute, "") for a in self.roster.values()} - {""})
