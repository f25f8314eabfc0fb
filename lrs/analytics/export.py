"""Streaming exports: flat CSV rows or JSON lines, one statement at a time (constant memory).

``--pseudonymise`` replaces every learner identity by a keyed hash (HMAC-SHA256 with a secret
key from the configuration), stable across exports made with the same key, and drops names
and email addresses.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import hmac
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TextIO

import orjson

from lrs.analytics import paused_cycle_collector
from lrs.analytics.parallel import in_order, split
from lrs.analytics.report import GROUP_ATTRIBUTES, course_matches
from lrs.analytics.sources import Source, store_statements
from lrs.analytics.vocab import ANSWERED, CourseResolver, context_activities, module_of, short_id
from lrs.stores import Store, StreamFilter
from lrs.xapi.statements import agent_key

PSEUDONYM_HOMEPAGE = "urn:spotlight-lrs:pseudonym"
MIN_KEY_LENGTH = 16

#: The CSV columns, in order, with what each holds (docs/analytics.md repeats this table).
COLUMNS: dict[str, str] = {
    "statement_id": "statement id (UUID)",
    "stored": "when the LRS stored it (UTC, ISO 8601)",
    "timestamp": "when it happened, as the content sent it (ISO 8601)",
    "learner": "learner key (mbox:…, account:HOMEPAGE|NAME) or, pseudonymised, a 32-hex keyed hash",
    "learner_name": "actor name (empty when pseudonymised)",
    **{a: f"roster {a} (empty when not in the roster)" for a in GROUP_ATTRIBUTES},
    "verb": "verb IRI",
    "verb_name": "last segment of the verb IRI (experienced, answered, passed…)",
    "object_id": "object activity IRI (or statement id for a StatementRef)",
    "object_type": "object activity type IRI, when defined",
    "course": "course IRI (docs/analytics.md rules)",
    "course_id": "last segment of the course IRI",
    "module": "module of a page, of a question's quiz or of a page block's page; empty for course-level statements",
    "parent": "first context parent activity IRI",
    "registration": "context registration (UUID)",
    "success": "result.success (true/false)",
    "completion": "result.completion (true/false)",
    "score_scaled": "result.score.scaled (-1..1)",
    "score_raw": "result.score.raw",
    "response": "result.response (choice ids joined by [,])",
    "duration_s": "result.duration in seconds",
}
_CSV_HEADER = ",".join(COLUMNS) + "\n"  # no column name needs CSV quoting
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


class Pseudonymiser:
    """Keyed hashes of learner keys: same key and learner give the same pseudonym, always."""

    def __init__(self, key: str) -> None:
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"the pseudonymisation key must have at least {MIN_KEY_LENGTH} characters")
        self._key = key.encode()
        self._known: dict[str, str] = {}  # one HMAC per learner, not per statement

    def __call__(self, learner: str) -> str:
        found = self._known.get(learner)
        if found is None:
            found = self._known[learner] = hmac.new(self._key, learner.encode(), hashlib.sha256).hexdigest()[:32]
        return found

    def agent(self, agent: dict) -> dict:
        """An Agent with only an account holding the pseudonym (no name, mbox, openid)."""
        key = agent_key(agent)
        if key is None:  # an anonymous Group: pseudonymise its members
            return {"objectType": "Group", "member": [self.agent(m) for m in agent.get("member", [])]}
        result = {"account": {"homePage": PSEUDONYM_HOMEPAGE, "name": self(key)}}
        if agent.get("objectType"):
            result["objectType"] = agent["objectType"]
        return result

    def statement(self, statement: dict) -> dict:
        """A copy with the actor, agent objects and context agents pseudonymised."""
        result = copy.deepcopy(statement)
        result["actor"] = self.agent(result["actor"])
        if result["object"].get("objectType") in ("Agent", "Group"):
            result["object"] = self.agent(result["object"])
        context = result.get("context", {})
        for role in ("instructor", "team"):
            if role in context:
                context[role] = self.agent(context[role])
        for item in context.get("contextAgents", []):
            item["agent"] = self.agent(item["agent"])
        for item in context.get("contextGroups", []):
            item["group"] = self.agent(item["group"])
        return result


@lru_cache(maxsize=4096)  # statements repeat a few durations (latencies, session lengths)
def duration_seconds(value: str) -> float | None:
    """ISO 8601 duration (days, hours, minutes, seconds) in seconds; None when unreadable."""
    match = _DURATION.match(value)
    if not match:
        return None
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)


def _flag(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else ""


def _number(value: object) -> str:
    return repr(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""


class CsvRows:
    """Flat CSV rows (see COLUMNS), one per statement of a course ("" when none).

    What repeats from statement to statement is worked out once: a learner's identity column
    and roster attributes, an activity's module (both caches are bounded).
    """

    def __init__(self, roster: Mapping[str, Mapping[str, str]], pseudonymise: Pseudonymiser | None) -> None:
        self._roster = roster
        self._pseudonymise = pseudonymise
        self._learners: dict[str, tuple[str, ...]] = {}
        self._modules: dict[tuple, str] = {}

    def __call__(self, statement: dict, course: str) -> list[str]:
        actor = statement["actor"]
        learner = agent_key(actor) or ""
        identity = self._learners.get(learner)
        if identity is None:
            identity = self._identity(learner)
        obj = statement["object"]
        object_id = obj.get("id", "")
        definition = obj.get("definition")
        context = statement.get("context") or {}
        parents = tuple(a["id"] for a in context_activities(statement, "parent"))
        result = statement.get("result") or {}
        score = result.get("score") or {}
        duration = result.get("duration")
        seconds = duration_seconds(duration) if isinstance(duration, str) else None
        verb = statement["verb"]["id"]
        module = self._module(verb, object_id, parents, course) if course and parents else ""
        return [
            statement.get("id", ""),
            statement.get("stored", ""),
            statement.get("timestamp", ""),
            identity[0],
            "" if self._pseudonymise else str(actor.get("name", "")),
            *identity[1:],
            verb,
            short_id(verb),
            object_id,
            definition.get("type", "") if definition else "",
            course,
            short_id(course) if course else "",
            module,
            parents[0] if parents else "",
            context.get("registration", ""),
            _flag(result.get("success")),
            _flag(result.get("completion")),
            _number(score.get("scaled")),
            _number(score.get("raw")),
            str(result.get("response", "")),
            "" if seconds is None else repr(seconds),
        ]

    def _identity(self, learner: str) -> tuple[str, ...]:
        """The learner column (or its pseudonym) and the roster attributes."""
        if len(self._learners) > CACHE_LIMIT:
            self._learners.clear()
        attributes = self._roster.get(learner, {})
        shown = (self._pseudonymise(learner) if learner else "") if self._pseudonymise else learner
        found = self._learners[learner] = (shown, *(attributes.get(a, "") for a in GROUP_ATTRIBUTES))
        return found

    def _module(self, verb: str, object_id: str, parents: tuple[str, ...], course: str) -> str:
        """The ``module`` column: a question's quiz's module, else the object's (a page's, a page
        block's) module."""
        key = (verb == ANSWERED, object_id, parents, course)
        found = self._modules.get(key)
        if found is None:
            if len(self._modules) > CACHE_LIMIT:
                self._modules.clear()
            if key[0]:
                found = module_of(parents[0], [], course) or ""
            else:
                found = module_of(object_id, list(parents), course) or ""
                # A page block's statement names its page as parent: the module is the page's.
                found = module_of(found, [], course) or found if found else ""
            self._modules[key] = found
        return found


#: Entries each CsvRows cache may hold before it starts again (export memory stays bounded).
CACHE_LIMIT = 100_000


def select(statements: Iterable[dict], course: str | None, *, resolve: bool = True,
           courses: Iterable[str] = ()) -> Iterator[tuple[dict, str]]:
    """(statement, its course IRI or "") pairs of one course (IRI or last segment), or of all.

    ``resolve=False`` skips course resolution when nothing needs it (JSON lines of every course);
    ``courses`` are course IRIs known from the start (see CourseResolver).
    """
    if course is None and not resolve:
        yield from ((statement, "") for statement in statements)
        return
    resolver = CourseResolver(courses)
    for statement in statements:
        found = resolver(statement) or ""
        if course is None or course_matches(found, course):
            yield statement, found


def export(source: Source, out: TextIO, fmt: str, course: str | None = None,
           pseudonymise: Pseudonymiser | None = None) -> int:
    """Write a source's statements as CSV (header and rows) or JSON lines; return how many.

    Our store's statements are read by ``source.jobs`` processes, a range of positions each,
    and written in stored order: the output is the same, byte for byte, for any ``jobs``.
    """
    if fmt == "csv":
        out.write(_CSV_HEADER)
    with paused_cycle_collector():
        if source.jobs <= 1 or source.store is None:
            chosen = select(source.statements(), course, resolve=fmt == "csv", courses=source.courses)
            return _write(fmt, chosen, out, source.roster, pseudonymise)
        last = source.last_position()
        parts = split(source.filter, last, max(source.jobs, last // POSITIONS_PER_PART))
        shared = (fmt, course, source.courses, source.roster, pseudonymise)
        write = utf8_writer(out)
        count = 0
        for data, written in in_order(_export_part, source.store_url, [(p,) for p in parts], source.jobs, shared):
            write(data)
            count += written
        return count


#: Statements per export part: a few megabytes of output each, so that the parts waiting to be
#: written keep memory low, while each part is still long enough to cost little to hand over.
POSITIONS_PER_PART = 10_000


def _export_part(store: Store, fmt: str, course: str | None, courses: frozenset[str],
                 roster: Mapping[str, Mapping[str, str]], pseudonymise: Pseudonymiser | None,
                 flt: StreamFilter) -> tuple[bytes, int]:
    """Runs in a worker process: one position range's rows, as the UTF-8 to write."""
    buffer = io.BytesIO()
    with paused_cycle_collector():
        chosen = select(store_statements(store, flt), course, resolve=fmt == "csv", courses=courses)
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
        count = _write(fmt, chosen, text, roster, pseudonymise)
        text.flush()
    return buffer.getvalue(), count


def _write(fmt: str, chosen: Iterable[tuple[dict, str]], out: TextIO, roster: Mapping[str, Mapping[str, str]],
           pseudonymise: Pseudonymiser | None) -> int:
    if fmt == "csv":
        return write_csv_rows(chosen, out, roster, pseudonymise)
    return write_jsonl(chosen, out, pseudonymise)


def utf8_writer(out: TextIO) -> Callable[[bytes], object]:
    """A function writing UTF-8 bytes to ``out``: to its binary buffer, when it has one (a file,
    standard output), after flushing what was written as text; else decoded."""
    binary = getattr(out, "buffer", None)
    if binary is None:
        return lambda data: out.write(data.decode())
    out.flush()
    return binary.write


def write_csv_rows(statements: Iterable[tuple[dict, str]], out: TextIO, roster: Mapping[str, Mapping[str, str]],
                   pseudonymise: Pseudonymiser | None) -> int:
    """One CSV row per statement (no header); return how many.

    Minimal quoting, as ``csv.writer`` does it; but most rows need no quoting at all, and for
    those a plain join is four times faster than the writer.
    """
    rows = CsvRows(roster, pseudonymise)
    quoted = io.StringIO()
    # "\r\n" so that the writer quotes a field holding either line-break character (with "\n"
    # alone, Python's writer leaves a lone "\r" unquoted); the row ends in "\n" like the others.
    writer = csv.writer(quoted, lineterminator="\r\n")
    count = 0
    lines: list[str] = []
    for statement, course in statements:
        row = rows(statement, course)
        line = ",".join(row)
        if line.count(",") != _COMMAS or '"' in line or "\n" in line or "\r" in line:
            quoted.seek(0)
            quoted.truncate()
            writer.writerow(row)  # a field holds a comma, a quote or a line break: quote it
            line = quoted.getvalue()[:-2]
        lines.append(line)
        count += 1
        if len(lines) >= 1000:
            out.write("\n".join(lines) + "\n")
            lines.clear()
    if lines:
        out.write("\n".join(lines) + "\n")
    return count


_COMMAS = len(COLUMNS) - 1


def _json_line(statement: dict) -> bytes:
    """Compact UTF-8 JSON and a newline: orjson, or the standard library for integers past 64 bits."""
    try:
        return orjson.dumps(statement, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        return (json.dumps(statement, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def write_jsonl(statements: Iterable[tuple[dict, str]], out: TextIO, pseudonymise: Pseudonymiser | None) -> int:
    """Write one statement per line (pseudonymised copies when asked); return how many."""
    write = utf8_writer(out)
    count = 0
    lines: list[bytes] = []
    for statement, _ in statements:
        lines.append(_json_line(pseudonymise.statement(statement) if pseudonymise else statement))
        if len(lines) >= 1000:
            write(b"".join(lines))
            count += len(lines)
            lines.clear()
    write(b"".join(lines))
    return count + len(lines)
