"""The right to erase (ARCO cancellation) and retention, over any store.

Which agent keys stand for a learner, and how an erasure is recorded, are decided here; the
removal itself is one transaction of the store (:meth:`lrs.stores.base.Store.erase`), so a
failure or a kill leaves everything or nothing erased.

- :func:`erase_learner` removes every statement that names the learner anywhere (actor, object,
  ``context.instructor``/``team``, group member, context agents and groups, authority, and the
  same inside a sub-statement), every statement whose StatementRef chain reaches one of those
  (voiding statements included), the attachments no other statement declares, the learner's
  State and Agent Profile documents, the learner's row in the agents table (the name last seen)
  and the learner's roster entry.
- :func:`apply_retention` removes the statements stored before a time, State and Agent Profile
  documents last written before it, agents no remaining statement names, and attachments no
  remaining statement declares. The roster (current enrolment) is kept.

Both leave an :class:`ErasureRecord` in the store: when, by whom, what kind, how many of each;
never whose data. Analytics read the store, so reports made afterwards no longer see the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable

from lrs.stores.base import (
    ERASURE_SCOPE_KIND,
    DocumentScope,
    ErasureCounts,
    ErasureRecord,
    ErasureSelection,
    Store,
    format_timestamp,
    utc_now,
)
from lrs.xapi.jsontext import parse_json
from lrs.xapi.statements import agent_key
from lrs.xapi.validate import check_actor, check_iri

_DURATION = re.compile(r"^\s*(\d+)\s*([hdwy])\s*$", re.IGNORECASE)
_UNIT_DAYS = {"h": 1 / 24, "d": 1, "w": 7, "y": 365}


def learner_keys(store: Store, *, agent: str | None = None, account: str | None = None,
                 home_page: str | None = None) -> set[str]:
    """The agent keys that identify one learner.

    ``agent``: a JSON Agent; an ``mbox`` also stands for its ``mbox_sha1sum`` (the same address,
    hashed). ``account``: an account name, under ``home_page`` or, without it, under any
    homePage the store knows. Raises ValueError with a message for a bad identity.
    """
    if (agent is None) == (account is None):
        raise ValueError("give exactly one of --agent JSON or --account NAME")
    if agent is not None:
        try:
            value = parse_json(agent, "--agent")
            check_actor(value, "--agent")
        except Exception as exc:  # XAPIError: a client mistake, reported as such
            raise ValueError(getattr(exc, "message", str(exc))) from None
        key = agent_key(value)
        if key is None:
            raise ValueError("--agent: needs an mbox, mbox_sha1sum, openid or account")
        keys = {key}
        if "mbox" in value:
            keys.add("mbox_sha1sum:" + hashlib.sha1(value["mbox"].lower().encode()).hexdigest())
        return keys
    assert account is not None
    if not account:
        raise ValueError("--account: the account name is empty")
    if home_page is not None:
        try:
            check_iri(home_page, "--home-page")
        except Exception as exc:  # noqa: BLE001
            raise ValueError(getattr(exc, "message", str(exc))) from None
        return {f"account:{home_page}|{account}"}
    return store.agent_keys_of_account(account)


def erase_learner(store: Store, keys: Iterable[str], *, by: str, dry_run: bool = False,
                  keyed_documents: tuple[tuple[DocumentScope, str], ...] | None = None) -> ErasureRecord:
    """Erase everything of the learner identified by ``keys``; return the record (counts of what
    was, or with ``dry_run`` would be, removed)."""
    if keyed_documents is None:
        from lrs.analytics.roster import DOC_ID, SCOPE  # the roster lives in the store as a document

        keyed_documents = ((SCOPE, DOC_ID),)
    selection = ErasureSelection(agent_keys=frozenset(keys), keyed_documents=keyed_documents)
    return _run(store, selection, "learner", by, dry_run)


def apply_retention(store: Store, older_than: dt.timedelta, *, by: str, dry_run: bool = False,
                    now: dt.datetime | None = None) -> ErasureRecord:
    """Erase what was stored more than ``older_than`` ago (see the module docstring)."""
    moment = (now or dt.datetime.now(dt.UTC)) - older_than
    try:
        before = format_timestamp(moment)
    except (OverflowError, ValueError):
        raise ValueError(f"--older-than {older_than}: reaches before year 1") from None
    return _run(store, ErasureSelection(stored_before=before), "retention", by, dry_run, before)


def _run(store: Store, selection: ErasureSelection, kind: str, by: str, dry_run: bool,
         before: str | None = None) -> ErasureRecord:
    record = ErasureRecord(str(uuid.uuid4()), utc_now(), by, kind, ErasureCounts(), before)
    counts = store.erase(selection, dry_run=dry_run, record=record)
    return ErasureRecord(record.id, record.at, by, kind, counts, before)


def erasure_records(store: Store) -> list[ErasureRecord]:
    """Every erasure record in the store, oldest first."""
    scope = DocumentScope(ERASURE_SCOPE_KIND)
    records = []
    for doc_id in store.list_document_ids(scope):
        document = store.get_document(scope, doc_id)
        if document is not None:
            records.append(ErasureRecord.from_json(document.content))
    return sorted(records, key=lambda r: (r.at, r.id))


def parse_duration(text: str) -> dt.timedelta:
    """``730d``, ``104w``, ``2y`` (365 days each), ``36h`` -> a timedelta; ValueError otherwise."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not a duration such as 730d, 104w, 2y or 36h")
    try:
        return dt.timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2).lower()])
    except OverflowError:
        raise ValueError(f"{text!r} is too long a duration") from None
