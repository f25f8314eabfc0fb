"""The roster: learner identities mapped to cohort attributes, kept apart from statements.

It lives in the store as one private document (kind ``roster``, which the xAPI API never
addresses), a JSON object ``{agent key: {attribute: value}}``. Imports merge into it with a
compare-and-swap on the etag, so re-importing updates learners and never duplicates them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lrs.analytics.report import GROUP_ATTRIBUTES
from lrs.stores.base import Document, DocumentScope, PreconditionFailed, Store, utc_now
from lrs.xapi.statements import agent_key

SCOPE = DocumentScope(kind="roster")
DOC_ID = "roster"
IDENTITY_COLUMNS = ("account_homepage", "account_name", "mbox")
COLUMNS = (*IDENTITY_COLUMNS, *GROUP_ATTRIBUTES)
#: Other names accepted in the header (the programme says "intake" for a cohort).
ALIASES = {"intake": "cohort"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
Roster = dict[str, dict[str, str]]


class RosterError(ValueError):
    """A roster CSV problem; the message lists every bad line (``line N: ...``)."""


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int


def parse_roster(lines: Iterable[str]) -> Roster:
    """Validate a roster CSV and return ``{agent key: attributes}``; raise RosterError.

    Header: ``account_homepage,account_name`` and/or ``mbox`` columns, then any of
    ``cohort,state,municipality,institution,role``. Each row names exactly one identity.
    """
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise RosterError("line 1: empty file; expected a header row")
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise RosterError(f"line 1: unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})")
    if len(set(header)) != len(header):
        raise RosterError("line 1: a column is named twice")
    if "mbox" not in header and not {"account_homepage", "account_name"} <= set(header):
        raise RosterError("line 1: needs an mbox column or account_homepage and account_name columns")
    errors: list[str] = []
    roster: Roster = {}
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(f"line {line}: {len(row)} fields, the header has {len(header)}")
            continue
        values = {h: cell.strip() for h, cell in zip(header, row, strict=True)}
        try:
            key = _identity(values)
        except ValueError as exc:
            errors.append(f"line {line}: {exc}")
            continue
        if key in seen:
            errors.append(f"line {line}: same learner as line {seen[key]} ({key})")
            continue
        seen[key] = line
        roster[key] = {a: values[a] for a in GROUP_ATTRIBUTES if values.get(a)}
    if errors:
        raise RosterError("\n".join(errors))
    return roster


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


def load_roster(store: Store) -> Roster:
    """The stored roster ({} when none was imported)."""
    document = store.get_document(SCOPE, DOC_ID)
    return json.loads(document.content) if document else {}


def import_roster(store: Store, rows: Roster) -> ImportSummary:
    """Merge ``rows`` into the stored roster: new learners added, known ones replaced."""
    while True:
        document = store.get_document(SCOPE, DOC_ID)
        current: Roster = json.loads(document.content) if document else {}
        added = sum(1 for k in rows if k not in current)
        updated = sum(1 for k, v in rows.items() if k in current and current[k] != v)
        current.update(rows)
        content = json.dumps(current, sort_keys=True, ensure_ascii=False).encode()
        new = Document(content, "application/json", hashlib.sha1(content).hexdigest(), utc_now())
        try:
            store.save_document(SCOPE, DOC_ID, new, expected_etag=document.etag if document else None)
        except PreconditionFailed:
            continue  # another import won the race: merge again on top of it
        return ImportSummary(added, updated, len(rows) - added - updated)


def read_roster_file(text: str) -> Roster:
    """Parse roster CSV text (a leading BOM, as spreadsheet programs write, is ignored)."""
    return parse_roster(io.StringIO(text.removeprefix("\ufeff"), newline=""))
