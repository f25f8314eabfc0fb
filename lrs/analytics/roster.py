"""The roster: learner identities mapped to cohort attributes and courses, kept apart from statements.

It lives in the store as one private document (kind ``roster``, which the xAPI API never
addresses), a JSON object ``{agent key: {attribute: value}}``. Imports merge into it with a
compare-and-swap on the etag: a column the file does not have keeps what the roster held, a
filled cell sets its attribute, and an empty cell clears it only when asked (``replace``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lrs.analytics.enrolment import COURSE, course_tokens
from lrs.analytics.report import GROUP_ATTRIBUTES
from lrs.stores.base import Document, DocumentScope, PreconditionFailed, Store, utc_now
from lrs.xapi.statements import agent_key

SCOPE = DocumentScope(kind="roster")
DOC_ID = "roster"
IDENTITY_COLUMNS = ("account_homepage", "account_name", "mbox")
#: Attributes a roster row may set: the groups reports compare, and the courses it enrols in.
ATTRIBUTES = (*GROUP_ATTRIBUTES, COURSE)
COLUMNS = (*IDENTITY_COLUMNS, *ATTRIBUTES)
#: Other names accepted in the header (the programme says "intake" for a cohort).
ALIASES = {"intake": "cohort", "courses": "course"}
#: Delimiters a roster may use (spreadsheets in Spanish locales save CSV with ";").
DELIMITERS = {",": "commas (,)", ";": "semicolons (;)", "\t": "tabs"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
Roster = dict[str, dict[str, str]]


class RosterError(ValueError):
    """A roster CSV problem; the message lists every bad line (``line N: ...``)."""


@dataclass(frozen=True)
class RosterFile:
    """A parsed roster file: each learner's cells of the attribute columns the file has (an
    empty string is a cell left empty), those columns, and the delimiter it used."""

    rows: Roster
    columns: tuple[str, ...]
    delimiter: str = ","

    def attributes(self) -> Roster:
        """The rows as roster entries (empty cells left out): a roster of this file alone."""
        return {key: {a: v for a, v in row.items() if v} for key, row in self.rows.items()}


@dataclass
class ImportSummary:
    """What an import changes: learners added, attributes changed per learner, unchanged count."""

    added: list[str] = field(default_factory=list)
    updated: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # key -> (field, old, new)
    unchanged: int = 0

    def fields(self) -> dict[str, int]:
        """How many learners had each attribute changed."""
        counts: dict[str, int] = {}
        for changes in self.updated.values():
            for name, _, _ in changes:
                counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items()))


def _header_delimiter(line: str) -> str:
    """The delimiter under which the header line names the most known columns."""
    best, best_known = "", 0
    for delimiter in DELIMITERS:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        known = sum(1 for cell in cells if ALIASES.get(cell.strip().lower(), cell.strip().lower()) in COLUMNS)
        if known > best_known:
            best, best_known = delimiter, known
    if not best:
        raise RosterError(
            "line 1: no known column names in the header; expected a header row such as "
            f"{','.join(COLUMNS)} with the names separated by commas (,), semicolons (;) or tabs")
    return best


def parse_roster(text: str) -> RosterFile:
    """Validate roster CSV text and return its rows; raise RosterError listing every bad line.

    Header: ``account_homepage,account_name`` and/or ``mbox`` columns, then any of
    ``cohort,state,municipality,institution,role,course``. Each row names exactly one identity.
    The delimiter (comma, semicolon or tab) is the one under which the header names known
    columns; a first line ``sep=;`` (as spreadsheet programs write) states it instead.
    """
    lines = text.splitlines(keepends=True)
    offset = 0
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        delimiter = lines[0].strip()[4]
        if delimiter not in DELIMITERS:
            raise RosterError(f"line 1: unsupported delimiter {delimiter!r} (use , ; or a tab)")
        lines, offset = lines[1:], 1
    elif lines:
        delimiter = _header_delimiter(lines[0])
    else:
        delimiter = ","
    reader = csv.reader(lines, delimiter=delimiter)
    header = next(reader, None)
    where = f"line {1 + offset}"
    if header is None:
        raise RosterError(f"{where}: empty file; expected a header row")
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RosterError(f"{where}: unknown column(s) {', '.join(unknown)} in a header separated by "
                          f"{DELIMITERS[delimiter]} (known: {', '.join(COLUMNS)})")
    if len(set(header)) != len(header):
        raise RosterError(f"{where}: a column is named twice")
    if "mbox" not in header and not {"account_homepage", "account_name"} <= set(header):
        raise RosterError(f"{where}: needs an mbox column or account_homepage and account_name columns")
    columns = tuple(a for a in ATTRIBUTES if a in header)
    errors: list[str] = []
    rows: Roster = {}
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num + offset
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(f"line {line}: {len(row)} fields, the header has {len(header)} "
                          f"(separated by {DELIMITERS[delimiter]})")
            continue
        values = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        try:
            key = _identity(values)
        except ValueError as exc:
            errors.append(f"line {line}: {exc}")
            continue
        if key in seen:
            errors.append(f"line {line}: same learner as line {seen[key]} ({key}); list several courses in one "
                          "course cell, separated by |")
            continue
        seen[key] = line
        if COURSE in values:
            values[COURSE] = "|".join(course_tokens(values[COURSE]))
        rows[key] = {a: values[a] for a in columns}
    if errors:
        raise RosterError("\n".join(errors))
    return RosterFile(rows, columns, delimiter)


def _identity(values: Mapping[str, str]) -> str:
    home, name, mbox = (values.get(c, "") for c in IDENTITY_COLUMNS)
    if mbox and (home or name):
        raise ValueError("give either mbox or account_homepage+account_name, not both")
    if mbox:
        address = mbox.removeprefix("mailto:")
        if not _EMAIL.match(address):
            raise ValueError(f"mbox {mbox!r} is not an email address")
        key = agent_key({"mbox": "mailto:" + address})
    elif home and name:
        if not _IRI.match(home):
            raise ValueError(f"account_homepage {home!r} is not an IRI")
        key = agent_key({"account": {"homePage": home, "name": name}})
    else:
        raise ValueError("no identity: fill mbox, or both account_homepage and account_name")
    assert key is not None  # an mbox or account always gives a key
    return key


def identity_columns(key: str) -> tuple[str, str, str]:
    """(account_homepage, account_name, mbox) of a roster key, as a roster file writes them."""
    kind, _, value = key.partition(":")
    if kind == "account":
        home, _, name = value.partition("|")
        return home, name, ""
    if kind == "mbox":
        return "", "", value.removeprefix("mailto:")
    return "", "", ""


def load_roster(store: Store) -> Roster:
    """The stored roster ({} when none was imported)."""
    document = store.get_document(SCOPE, DOC_ID)
    return json.loads(document.content) if document else {}


def merge(current: Mapping[str, Mapping[str, str]], incoming: RosterFile,
          replace: bool = False) -> tuple[Roster, ImportSummary]:
    """``incoming`` merged into ``current``: new learners added; for known ones, each column the
    file has sets its attribute when the cell is filled and clears it when the cell is empty and
    ``replace`` is set; columns the file does not have keep what ``current`` holds."""
    merged: Roster = {key: dict(attributes) for key, attributes in current.items()}
    summary = ImportSummary()
    for key, row in incoming.rows.items():
        own = merged.get(key)
        if own is None:
            merged[key] = {a: v for a, v in row.items() if v}
            summary.added.append(key)
            continue
        changes = []
        for name, value in row.items():
            old = own.get(name, "")
            if value and value != old:
                own[name] = value
                changes.append((name, old, value))
            elif not value and old and replace:
                del own[name]
                changes.append((name, old, ""))
        if changes:
            summary.updated[key] = changes
        else:
            summary.unchanged += 1
    return merged, summary


def import_roster(store: Store, incoming: RosterFile, replace: bool = False, dry_run: bool = False) -> ImportSummary:
    """Merge a roster file into the stored roster (see :func:`merge`); with ``dry_run`` only say
    what would change."""
    while True:
        document = store.get_document(SCOPE, DOC_ID)
        current: Roster = json.loads(document.content) if document else {}
        merged, summary = merge(current, incoming, replace)
        if dry_run or (not summary.added and not summary.updated):
            return summary
        content = json.dumps(merged, sort_keys=True, ensure_ascii=False).encode()
        new = Document(content, "application/json", hashlib.sha1(content).hexdigest(), utc_now())
        try:
            store.save_document(SCOPE, DOC_ID, new, expected_etag=document.etag if document else None)
        except PreconditionFailed:
            continue  # another import won the race: merge again on top of it
        return summary


def read_roster_file(text: str) -> RosterFile:
    """Parse roster CSV text (a leading BOM, as spreadsheet programs write, is ignored)."""
    return parse_roster(text.removeprefix("\ufeff"))


def write_roster(roster: Mapping[str, Mapping[str, str]], out: io.TextIOBase | object) -> None:
    """The roster as a CSV file that ``roster import`` reads back (all columns, sorted by key)."""
    writer = csv.writer(out, lineterminator="\n")  # type: ignore[arg-type]
    writer.writerow(COLUMNS)
    for key in sorted(roster):
        attributes = roster[key]
        writer.writerow([*identity_columns(key), *(attributes.get(a, "") for a in ATTRIBUTES)])


def unknown_courses(rows: Iterable[Mapping[str, str]], known: Iterable[str]) -> list[str]:
    """Course ids of roster rows that name no course the LRS knows (by IRI or last segment)."""
    from lrs.analytics.enrolment import names_course

    known = list(known)
    tokens = {t for row in rows for t in course_tokens(row.get(COURSE))}
    return sorted(t for t in tokens if not any(names_course(t, iri) for iri in known))
