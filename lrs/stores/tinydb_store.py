"""TinyDB store: one JSON file, for small pilots with no database server.

TinyDB rewrites its whole file on every change, so this store trades speed for simplicity; the
measured limits are in docs/lrs-stores.md. What it guarantees:

- Atomic writes: each change is written to a temporary file in the same folder, fsynced and
  moved over the old one with ``os.replace`` (then the folder is fsynced), so a crash leaves
  the old file or the new one, never a torn one. A whole statement batch is one write.
- Cross-process safety: writers hold an exclusive ``fcntl.flock`` on ``<file>.lock`` from
  reading the current state to replacing the file; the lock dies with its process, so a
  killed writer never leaves the store locked.
- Freshness: the parsed file is cached and read again whenever its inode, size or mtime
  changed, so every process sees the others' writes.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import fcntl
import glob
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage
from tinydb.table import Document as TinyDocument
from tinydb.table import Table

from lrs.stores import path_from_url
from lrs.stores.base import (
    AGENT_DOCUMENT_KINDS,
    ANY,
    ERASURE_SCOPE_KIND,
    TIMESTAMP_FORMAT,
    Credential,
    Document,
    DocumentScope,
    DryRun,
    ErasureCounts,
    ErasureRecord,
    ErasureSelection,
    PreconditionFailed,
    StatementConflict,
    StatementPage,
    StatementQuery,
    StatementRecord,
    Store,
    StoredStatement,
    StoreError,
    StreamFilter,
    _Any,
    account_name_of,
    declared_attachments,
    format_timestamp,
    parse_cursor,
    remove_keyed_entries,
    repeated_ids,
    utc_now,
)

#: Keys of the index lists kept with each statement row.
AGENT, RELATED_AGENT, ACTIVITY, RELATED_ACTIVITY, AUTHORITY = "g", "G", "a", "A", "u"

Row = dict[str, Any]


class AtomicJSONStorage(Storage):
    """TinyDB storage over one JSON file: cached reads, atomic whole-file writes.

    Writes only happen inside :meth:`transaction`, which the caller runs under the file lock;
    within it, TinyDB's successive writes are collected and flushed once at the end.
    """

    def __init__(self, path: str) -> None:
        self.path = os.path.abspath(path)
        self._data: dict[str, dict[str, Any]] = {}
        self._signature: tuple[int, int, int] | None = None
        self._in_transaction = False
        self._dirty = False

    def read(self) -> dict[str, dict[str, Any]]:
        if not self._in_transaction:
            self.refresh()
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if not self._in_transaction:
            raise RuntimeError("TinyDB store written outside a transaction")
        self._data = data
        self._dirty = True

    def refresh(self) -> None:
        """Load the file again if another writer replaced it since we last read it."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._data, self._signature = {}, None
            return
        if _signature(stat) == self._signature:
            return
        with open(self.path, "rb") as handle:
            signature = _signature(os.fstat(handle.fileno()))
            raw = handle.read()
        self._data = json.loads(raw) if raw.strip() else {}
        self._signature = signature

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Collect the writes of one logical change and flush them as one atomic replace."""
        self.refresh()
        self._in_transaction, self._dirty = True, False
        try:
            yield
        except BaseException:
            self._signature = None  # TinyDB mutated the cached data in place: drop it
            raise
        finally:
            self._in_transaction = False
        if self._dirty:
            self._flush()

    def _flush(self) -> None:
        folder = os.path.dirname(self.path)
        temporary = f"{self.path}.tmp-{os.getpid()}-{threading.get_ident()}"
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                # dumps, not dump: dump streams through the pure-Python encoder, many times slower.
                handle.write(json.dumps(self._data, separators=(",", ":")))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            self._signature = None
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        folder_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(folder_fd)  # make the rename itself durable
        finally:
            os.close(folder_fd)
        self._signature = _signature(os.stat(self.path))

    def close(self) -> None:
        self._data, self._signature = {}, None


def _signature(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class TinyDBStore(Store):
    """Store in one TinyDB JSON file named by a ``tinydb:///path.json`` URL."""

    def __init__(self, url: str) -> None:
        path = path_from_url(url)
        if not path:
            raise ValueError(f"tinydb store URL needs a file path: {url!r}")
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        self._db = TinyDB(path, storage=AtomicJSONStorage)
        self._storage: AtomicJSONStorage = self._db.storage
        self._lock_path = self._storage.path + ".lock"
        # TinyDB's cached data is mutated in place by writes: one thread at a time per process.
        self._mutex = threading.RLock()
        with self._write():
            # A temporary file exists only while its writer holds the lock: any found now was left
            # by a writer that died mid-write.
            for leftover in glob.glob(glob.escape(self._storage.path) + ".tmp-*"):
                os.unlink(leftover)

    # --- transactions ---------------------------------------------------------------------

    def _table(self, name: str) -> Table:
        """A fresh table view: TinyDB tables cache query results and the next id, which would go
        stale when another process writes the file."""
        return Table(self._storage, name, cache_size=0)

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._mutex, open(self._lock_path, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes
            with self._storage.transaction():
                yield

    @contextmanager
    def _read(self) -> Iterator[dict[str, dict[str, Any]]]:
        with self._mutex:
            yield self._storage.read()

    def close(self) -> None:
        with self._mutex:
            self._db.close()

    # --- statements -----------------------------------------------------------------------

    def insert_statements(
        self, records: Sequence[StatementRecord], attachments: Mapping[str, bytes] | None = None
    ) -> str:
        ids = [r.id for r in records]
        repeated = repeated_ids(ids)
        if repeated:
            raise StatementConflict(repeated)
        with self._write():
            statements = self._table("statements")
            current = self._storage.read().get("statements", {}).values()
            wanted = set(ids)
            existing = sorted(row["id"] for row in current if row["id"] in wanted)
            if existing:
                raise StatementConflict(existing)
            meta = self._table("meta")
            state = meta.get(doc_id=1) or {"last_seq": 0, "last_stored": ""}
            stored = max(utc_now(), _after(state["last_stored"]))  # strictly after every earlier write
            seq = state["last_seq"]
            voiders = {row["voids"] for row in current if row["voids"]}
            rows = []
            for record in records:
                seq += 1
                rows.append(TinyDocument(_statement_row(record, stored, record.id in voiders), doc_id=seq))
            statements.insert_multiple(rows)
            voids = {r.voids for r in records if r.voids}
            if voids:
                statements.update({"voided": True}, Query().id.one_of(sorted(voids)))
            meta.upsert(TinyDocument({"last_seq": seq, "last_stored": stored}, doc_id=1))
            if attachments:
                table = self._table("attachments")
                known = {row["sha2"] for row in self._storage.read().get("attachments", {}).values()}
                table.insert_multiple(
                    {"sha2": sha2, "content": _encode(content)}
                    for sha2, content in attachments.items()
                    if sha2 not in known
                )
        return stored

    def get_statements(self, ids: Sequence[str]) -> dict[str, StoredStatement]:
        wanted = set(ids)
        with self._read() as data:
            return {
                row["id"]: StoredStatement(json.loads(row["statement"]), row["voided"], row["stored"])
                for row in data.get("statements", {}).values()
                if row["id"] in wanted
            }

    def query_statements(self, query: StatementQuery, cursor: str | None = None) -> StatementPage:
        after = parse_cursor(cursor) if cursor is not None else None
        with self._read() as data:
            rows = _ordered(data, descending=not query.ascending)
            content = _content_matcher(query)
            by_id = {row["id"]: row for _, row in rows} if content else {}
            page: list[tuple[int, Row]] = []
            for seq, row in rows:
                if after is not None and (seq <= after if query.ascending else seq >= after):
                    continue
                if row["voided"] or not _in_window(row, query.since, query.until):
                    continue
                if query.authority and query.authority not in row["keys"][AUTHORITY]:
                    continue
                if content and not _matches_through_refs(row, content, by_id):
                    continue
                page.append((seq, row))
                if len(page) > query.limit:
                    break
        more = len(page) > query.limit
        page = page[: query.limit]
        statements = [json.loads(row["statement"]) for _, row in page]
        return StatementPage(statements, str(page[-1][0]) if more else None)

    def _stream_page(self, flt: StreamFilter, after: str | None, size: int) -> tuple[list[str], str | None]:
        start = parse_cursor(after) if after else 0
        content = _content_matcher(flt.content_query())
        page: list[tuple[int, Row]] = []
        with self._read() as data:
            for seq, row in _ordered(data, descending=False):
                if flt.through_position is not None and seq > flt.through_position:
                    break
                if seq <= start or (row["voided"] and not flt.include_voided):
                    continue
                if not _in_window(row, flt.since, flt.until) or (content and not content(row)):
                    continue
                page.append((seq, row))
                if len(page) == size:
                    break
        return [row["statement"] for _, row in page], (str(page[-1][0]) if len(page) == size else None)

    def last_position(self) -> int:
        with self._read() as data:
            return max((int(doc_id) for doc_id in data.get("statements", {})), default=0)

    def get_attachments(self, sha2s: Sequence[str]) -> dict[str, bytes]:
        wanted = set(sha2s)
        with self._read() as data:
            return {
                row["sha2"]: _decode(row["content"])
                for row in data.get("attachments", {}).values()
                if row["sha2"] in wanted
            }

    def consistent_through(self) -> str:
        # With no writer holding the lock, everything stored is in the file and any later write is
        # stored after now; while one writes, only what the file already holds is certain.
        with self._mutex, open(self._lock_path, "a") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
                idle = True
            except BlockingIOError:
                idle = False
            last = self._storage.read().get("meta", {}).get("1", {}).get("last_stored", "")
        if idle:
            return max(format_timestamp(dt.datetime.now(dt.UTC) - dt.timedelta(microseconds=1)), last)
        return last or format_timestamp(dt.datetime(1970, 1, 1, tzinfo=dt.UTC))

    def count_statements(self) -> int:
        with self._read() as data:
            return len(data.get("statements", {}))

    # --- documents ------------------------------------------------------------------------

    def get_document(self, scope: DocumentScope, doc_id: str) -> Document | None:
        key = scope.key(doc_id)
        with self._read() as data:
            for row in data.get("documents", {}).values():
                if _row_doc_key(row) == key:
                    return Document(_decode(row["content"]), row["content_type"], row["etag"], row["updated"])
        return None

    def save_document(
        self, scope: DocumentScope, doc_id: str, document: Document, expected_etag: str | None | _Any = ANY
    ) -> None:
        with self._write():
            table = self._table("documents")
            cond = _doc_condition(scope, doc_id)
            _check_etag(table, cond, expected_etag)
            row = {
                "kind": scope.kind,
                "activity_id": scope.activity_id,
                "agent": scope.agent,
                "registration": scope.registration or "",
                "doc_id": doc_id,
                "content": _encode(document.content),
                "content_type": document.content_type,
                "etag": document.etag,
                "updated": document.updated,
            }
            table.upsert(row, cond)

    def delete_document(self, scope: DocumentScope, doc_id: str, expected_etag: str | None | _Any = ANY) -> bool:
        with self._write():
            table = self._table("documents")
            cond = _doc_condition(scope, doc_id)
            _check_etag(table, cond, expected_etag)
            return bool(table.remove(cond))

    def list_document_ids(self, scope: DocumentScope, since: str | None = None) -> list[str]:
        matches = _scope_matcher(scope)
        with self._read() as data:
            return sorted(
                row["doc_id"]
                for row in data.get("documents", {}).values()
                if matches(row) and (not since or row["updated"] > since)
            )

    def delete_documents(self, scope: DocumentScope) -> int:
        with self._write():
            return len(self._table("documents").remove(_scope_matcher(scope)))

    # --- activities and agents ------------------------------------------------------------

    def get_activity(self, activity_id: str) -> dict | None:
        return self.get_activities([activity_id]).get(activity_id)

    def get_activities(self, activity_ids: Sequence[str]) -> dict[str, dict]:
        return self._get_keyed("activities", activity_ids)

    def activity_ids_of_type(self, activity_type: str) -> set[str]:
        with self._read() as data:
            rows = data.get("activities", {}).values()
            return {row["key"] for row in rows if row["body"].get("definition", {}).get("type") == activity_type}

    def save_activities(self, activities: Mapping[str, dict]) -> None:
        self._save_keyed("activities", activities)

    def get_agent(self, agent_key: str) -> dict | None:
        return self.get_agents([agent_key]).get(agent_key)

    def get_agents(self, agent_keys: Sequence[str]) -> dict[str, dict]:
        return self._get_keyed("agents", agent_keys)

    def save_agents(self, agents: Mapping[str, dict]) -> None:
        self._save_keyed("agents", agents)

    def _get_keyed(self, table: str, keys: Sequence[str]) -> dict[str, dict]:
        wanted = set(keys)
        with self._read() as data:
            return {row["key"]: _fresh(row["body"]) for row in data.get(table, {}).values() if row["key"] in wanted}

    def _save_keyed(self, name: str, items: Mapping[str, dict]) -> None:
        with self._write():
            current = {row["key"]: row["body"] for row in self._storage.read().get(name, {}).values()}
            changed = {key: _fresh(body) for key, body in items.items() if current.get(key) != body}
            table = self._table(name)  # only changes are written: an unchanged file is not rewritten
            for key, body in changed.items():
                table.upsert({"key": key, "body": body}, Query().key == key)

    # --- the right to erase and retention --------------------------------------------------

    def erase(self, selection: ErasureSelection, *, dry_run: bool = False,
              record: ErasureRecord | None = None) -> ErasureCounts:
        keys, before = selection.agent_keys, selection.stored_before
        try:
            with self._write():
                rows = self._storage.read().get("statements", {})
                erased = {doc_id for doc_id, row in rows.items()
                          if (keys and keys.intersection(row["keys"][RELATED_AGENT]))
                          or (before and row["stored"] < before)}
                if keys:  # statements whose StatementRef chain reaches an erased one
                    referrers: dict[str, list[str]] = {}
                    for doc_id, row in rows.items():
                        if row["statement_ref"]:
                            referrers.setdefault(row["statement_ref"], []).append(doc_id)
                    frontier = list(erased)
                    while frontier:
                        found = [r for d in frontier for r in referrers.get(rows[d]["id"], ()) if r not in erased]
                        erased.update(found)
                        frontier = found
                declared: set[str] = set()
                for doc_id in erased:
                    if '"sha2"' in rows[doc_id]["statement"]:
                        declared |= declared_attachments(json.loads(rows[doc_id]["statement"]))
                self._table("statements").remove(doc_ids=[int(d) for d in erased])
                remaining = self._storage.read().get("statements", {}).values()
                unused = {sha2 for sha2 in declared
                          if not any(sha2 in row["statement"].lower() for row in remaining)}
                attachments = len(self._table("attachments").remove(lambda row: row["sha2"].lower() in unused)) \
                    if unused else 0
                documents = len(self._table("documents").remove(
                    lambda row: row["kind"] in AGENT_DOCUMENT_KINDS
                    and (row["agent"] in keys or bool(before and row["updated"] < before))))
                agents = len(self._table("agents").remove(lambda row: row["key"] in keys)) if keys else 0
                if before:
                    named = {k for row in remaining for k in row["keys"][RELATED_AGENT]}
                    agents += len(self._table("agents").remove(lambda row: row["key"] not in named))
                entries = 0
                for scope, doc_id in selection.keyed_documents if keys else ():
                    table = self._table("documents")
                    condition = _doc_condition(scope, doc_id)
                    found = table.search(condition)
                    edited = remove_keyed_entries(_decode(found[0]["content"]), keys) if found else None
                    if edited:
                        content, removed = edited
                        entries += removed
                        table.update({"content": _encode(content), "etag": hashlib.sha1(content).hexdigest(),
                                      "updated": utc_now()}, condition)
                counts = ErasureCounts(len(erased), documents, agents, attachments, entries)
                if dry_run:
                    raise DryRun(counts)
                if record is not None:
                    content = dataclasses.replace(record, counts=counts).to_json()
                    self._table("documents").insert({
                        "kind": ERASURE_SCOPE_KIND, "activity_id": "", "agent": "", "registration": "",
                        "doc_id": record.id, "content": _encode(content), "content_type": "application/json",
                        "etag": hashlib.sha1(content).hexdigest(), "updated": record.at})
        except DryRun as rolled_back:
            return rolled_back.counts
        return counts

    def agent_keys_of_account(self, name: str) -> set[str]:
        with self._read() as data:
            found = {k for row in data.get("statements", {}).values() for k in row["keys"][RELATED_AGENT]}
            found |= {row["agent"] for row in data.get("documents", {}).values()}
            found |= {row["key"] for row in data.get("agents", {}).values()}
        return {key for key in found if account_name_of(key) == name}

    # --- credentials ----------------------------------------------------------------------

    def add_credential(self, credential: Credential) -> None:
        with self._write():
            table = self._table("credentials")
            if table.contains(Query().key == credential.key):
                raise StoreError(f"credential key already exists: {credential.key}")
            table.insert(
                {
                    "key": credential.key,
                    "secret_hash": credential.secret_hash,
                    "scopes": list(credential.scopes),
                    "authority": _fresh(credential.authority),
                    "name": credential.name,
                    "created": credential.created or utc_now(),
                    "revoked": credential.revoked,
                }
            )

    def get_credential(self, key: str) -> Credential | None:
        with self._read() as data:
            for row in data.get("credentials", {}).values():
                if row["key"] == key:
                    return _credential(row)
        return None

    def list_credentials(self) -> list[Credential]:
        with self._read() as data:
            return [_credential(row) for _, row in _ordered(data, descending=False, table="credentials")]

    def revoke_credential(self, key: str) -> bool:
        with self._write():
            return bool(self._table("credentials").update({"revoked": True}, Query().key == key))


def _statement_row(record: StatementRecord, stored: str, voided: bool) -> Row:
    return {
        "id": record.id,
        "stored": stored,
        "verb": record.verb_id,
        "registration": record.registration,
        "statement_ref": record.statement_ref,
        "voids": record.voids,
        "voided": voided,
        "keys": {
            AGENT: sorted(record.agent_keys),
            RELATED_AGENT: sorted(record.related_agent_keys | record.agent_keys),
            ACTIVITY: sorted(record.activity_ids),
            RELATED_ACTIVITY: sorted(record.related_activity_ids | record.activity_ids),
            AUTHORITY: sorted(record.authority_keys),
        },
        # The statement as JSON text: a few objects per row instead of hundreds keeps loading the
        # file and Python's garbage collector fast, and every read parses a private copy.
        "statement": json.dumps(dict(record.statement, stored=stored), separators=(",", ":")),
    }


def _ordered(data: dict[str, dict[str, Any]], descending: bool, table: str = "statements") -> list[tuple[int, Row]]:
    """Rows of a table by TinyDB document id (insertion sequence)."""
    rows = [(int(doc_id), row) for doc_id, row in data.get(table, {}).items()]
    rows.sort(key=lambda item: item[0], reverse=descending)
    return rows


def _content_matcher(query: StatementQuery) -> Callable[[Row], bool] | None:
    """A predicate for the content filters of ``query``, or None when it has none."""
    checks: list[Callable[[Row], bool]] = []
    if query.verb:
        checks.append(lambda row: row["verb"] == query.verb)
    if query.registration:
        checks.append(lambda row: row["registration"] == query.registration)
    if query.agent:
        agent_kind = RELATED_AGENT if query.related_agents else AGENT
        checks.append(lambda row: query.agent in row["keys"][agent_kind])
    if query.activity:
        activity_kind = RELATED_ACTIVITY if query.related_activities else ACTIVITY
        checks.append(lambda row: query.activity in row["keys"][activity_kind])
    if not checks:
        return None
    return lambda row: all(check(row) for check in checks)


def _matches_through_refs(row: Row, content: Callable[[Row], bool], by_id: dict[str, Row]) -> bool:
    """True when the row, or a statement its StatementRef chain reaches, matches ``content``."""
    seen: set[str] = set()
    while row is not None and row["id"] not in seen:
        if content(row):
            return True
        seen.add(row["id"])
        target = row.get("statement_ref")
        row = by_id.get(target) if target else None
    return False


def _in_window(row: Row, since: str | None, until: str | None) -> bool:
    return (not since or row["stored"] > since) and (not until or row["stored"] <= until)



def _row_doc_key(row: Row) -> tuple[str, str, str, str, str]:
    return (row["kind"], row["activity_id"], row["agent"], row["registration"], row["doc_id"])


def _doc_condition(scope: DocumentScope, doc_id: str) -> Callable[[Row], bool]:
    key = scope.key(doc_id)
    return lambda row: _row_doc_key(row) == key


def _scope_matcher(scope: DocumentScope) -> Callable[[Row], bool]:
    def matches(row: Row) -> bool:
        return (
            row["kind"] == scope.kind
            and row["activity_id"] == scope.activity_id
            and row["agent"] == scope.agent
            and (scope.registration is None or row["registration"] == scope.registration)
        )

    return matches


def _check_etag(table: Table, cond: Callable[[Row], bool], expected: str | None | _Any) -> None:
    if isinstance(expected, _Any):
        return
    rows = table.search(cond)
    current = rows[0]["etag"] if rows else None
    if current != expected:
        raise PreconditionFailed(f"document etag is {current!r}, expected {expected!r}")


def _after(stored: str) -> str:
    """The first store timestamp after ``stored`` ("" for none)."""
    if not stored:
        return ""
    moment = dt.datetime.strptime(stored, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    return format_timestamp(moment + dt.timedelta(microseconds=1))


def _fresh(value: Any) -> Any:
    """A private deep copy of JSON data: the cache must never share objects with callers."""
    return json.loads(json.dumps(value))


def _encode(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def _decode(text: str) -> bytes:
    return base64.b64decode(text)



def _credential(row: Row) -> Credential:
    return Credential(
        row["key"],
        row["secret_hash"],
        tuple(row["scopes"]),
        _fresh(row["authority"]),
        row["name"],
        row["created"],
        row["revoked"],
    )
