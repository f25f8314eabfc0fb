"""How analytics reads one statement: published ADL IRIs only, never our packager's internals.

These rules (documented in docs/analytics.md) let the same figures come from our packages in
every format and from any other content that uses the ADL vocabulary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

VERBS = "http://adlnet.gov/expapi/verbs/"
TYPES = "http://adlnet.gov/expapi/activities/"
EXPERIENCED = VERBS + "experienced"
ANSWERED = VERBS + "answered"
COMPLETED = VERBS + "completed"
PASSED = VERBS + "passed"
FAILED = VERBS + "failed"
VOIDED = VERBS + "voided"
COURSE_TYPE = TYPES + "course"
LESSON = TYPES + "lesson"
#: Verbs that other tools send about a whole course (launch, session and outcome verbs of ADL's
#: vocabulary and of the cmi5 profile's ADL verbs): an untyped activity that is their object,
#: and that rules 1-4 attribute to no course, is a course of its own (rule 5).
COURSE_VERBS = frozenset(
    [VERBS + v for v in ("launched", "initialized", "attempted", "resumed", "suspended", "terminated", "exited",
                         "completed", "passed", "failed")]
    + ["https://w3id.org/xapi/adl/verbs/" + v for v in ("satisfied", "abandoned", "waived")])
_UNSEEN = object()


def is_under(child: str, parent: str) -> bool:
    """Whether IRI ``child`` is ``parent`` or lies below it as a path (``parent/...``)."""
    return child == parent or child.startswith(parent.rstrip("/") + "/")


def context_activities(statement: dict, kind: str) -> list[dict]:
    """One list of context activities (``parent``, ``grouping``...), single objects as lists."""
    found = statement.get("context", {}).get("contextActivities", {}).get(kind, [])
    return found if isinstance(found, list) else [found]


class CourseResolver:
    """Which course a statement belongs to; remembers courses declared by earlier statements.

    1. the object, when its definition type is ADL ``course``, or a context activity so typed;
    2. the longest known course IRI (declared by an earlier statement as in rule 1, or given at
       the start: analytics passes the LRS's canonical activities of type course) that is a
       path-prefix of the object or of a context activity (our Tin Can pages name only their
       module);
    3. the shortest grouping activity that is a path-prefix of the object, else of another
       grouping activity (our cmi5 statements group the course and the publisher AU below it);
    4. the first grouping activity under which no other activity of the statement lies, and
       which lies under none (a grouping activity above the parent is a module, and one below
       another activity, such as a cmi5 AU below the course, is part of it: not a course);
    5. an activity with no type that is the object of a course verb (:data:`COURSE_VERBS`:
       launched, initialized, completed, passed, failed...) is a course of its own, known from
       then on like a declared one (content from other authoring tools);
    6. else None: not attributed (the report retries these once every course is declared).
    """

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known: set[str] = set(known)
        #: Rules 2-4 depend only on the statement's activity ids (and on ``known``): memoised,
        #: since a course has few distinct (object, context) combinations.
        self._memo: dict[tuple[str, ...], str | None] = {}

    def __getstate__(self) -> dict:
        return {"known": self.known}  # the memo is a cache: not worth sending between processes

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["known"])

    def learn(self, courses: Iterable[str]) -> None:
        """Know these courses too (from another part of the same read)."""
        new = set(courses) - self.known
        if new:
            self.known |= new
            self._memo.clear()

    def __call__(self, statement: dict) -> str | None:
        obj = statement["object"]
        if obj.get("objectType", "Activity") != "Activity":
            return None
        object_id = obj["id"]
        definition = obj.get("definition")
        if definition is not None and definition.get("type") == COURSE_TYPE:
            return self._declared(object_id)
        # The hot path of every report and export: a declared course in the context (rule 1)
        # ends it, as our packages declare theirs on every statement; only otherwise are the ids
        # that rules 2-4 need collected.
        context = statement.get("context")
        activities = context.get("contextActivities") if context is not None else None
        if activities:
            for entry in activities.values():
                for activity in entry if entry.__class__ is list else (entry,):
                    declared = activity.get("definition")
                    if declared is not None and declared.get("type") == COURSE_TYPE:
                        course = activity["id"]
                        return course if course in self.known else self._declared(course)
        ids = [object_id]
        grouping: list[str] = []
        for kind, entry in activities.items() if activities else ():
            for activity in entry if entry.__class__ is list else (entry,):
                ids.append(activity["id"])
                if kind == "grouping":
                    grouping.append(activity["id"])
        key = (*ids, "|", *grouping)
        found = self._memo.get(key, _UNSEEN)
        if found is _UNSEEN:
            if len(self._memo) > 100_000:
                self._memo.clear()
            found = self._memo[key] = self._undeclared(object_id, ids, grouping)
        if found is None and statement["verb"]["id"] in COURSE_VERBS and not (definition or {}).get("type"):
            return self._declared(object_id)  # rule 5
        return found

    def _declared(self, course: str) -> str:
        if course not in self.known:
            self.known.add(course)
            self._memo.clear()
        return course

    def _undeclared(self, object_id: str, ids: list[str], grouping: list[str]) -> str | None:
        """Rules 2 to 4."""
        prefixes = [c for c in self.known if any(is_under(i, c) for i in ids)]
        if prefixes:
            return max(prefixes, key=len)
        for targets in ([object_id], grouping):
            prefixes = [g for g in grouping if any(t != g and is_under(t, g) for t in targets)]
            if prefixes:
                return min(prefixes, key=len)
        return next((g for g in grouping if not any(i != g and (is_under(i, g) or is_under(g, i)) for i in ids)),
                    None)


def module_of(activity_id: str, parents: list[str], course: str) -> str | None:
    """The module an activity (page, or a question's quiz) sits in, or None for course level.

    The first parent activity that is neither the course nor the activity itself; otherwise the
    IRI one level up when it is a child of the course (``{course}/{module}/{page}``).
    """
    for parent in parents:
        if parent not in (course, activity_id) and is_under(parent, course):
            return parent
    if not is_under(activity_id, course) or activity_id == course:
        return None
    rest = activity_id[len(course.rstrip("/")) + 1:].split("/")
    return f"{course.rstrip('/')}/{rest[0]}" if len(rest) >= 2 else None


def epoch(value: str) -> float:
    """Seconds since the epoch of an ISO 8601 timestamp (no offset read as UTC)."""
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def score_of(result: dict) -> float | None:
    """A result's score on 0–100: ``scaled`` × 100, else ``raw`` within ``min``/``max``, else raw."""
    score = result.get("score")
    if not isinstance(score, dict):
        return None
    if isinstance(score.get("scaled"), int | float):
        return float(score["scaled"]) * 100
    raw = score.get("raw")
    if not isinstance(raw, int | float):
        return None
    low, high = score.get("min"), score.get("max")
    if isinstance(low, int | float) and isinstance(high, int | float) and high > low:
        return (raw - low) / (high - low) * 100
    return float(raw)


def pick_language(texts: object, lang: str) -> str | None:
    """The text of a language map in ``lang``, falling back sensibly; None for no text.

    Order: the exact tag (``es-MX``), a tag of the same language (``es``, ``es-ES``: the first in
    alphabetical order), an undetermined one (``und``), English, Spanish, then the first tag in
    alphabetical order, so the choice never depends on the order a statement listed them in.
    """
    if not isinstance(texts, dict) or not texts:
        return None
    by_tag = {str(tag).lower(): value for tag, value in sorted(texts.items(), key=lambda item: str(item[0]))
              if isinstance(value, str) and value.strip()}
    if not by_tag:
        return None
    wanted = lang.lower()
    primary = wanted.split("-")[0]
    if wanted in by_tag:
        return by_tag[wanted]
    for preferred in (primary, "und", "en", "es"):
        for tag, value in by_tag.items():
            if tag == preferred or tag.startswith(preferred + "-"):
                return value
    return next(iter(by_tag.values()))


@lru_cache(maxsize=4096)
def short_id(iri: str) -> str:
    """The last path segment of an IRI: the id analysts type (``--course protection-measures``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]
