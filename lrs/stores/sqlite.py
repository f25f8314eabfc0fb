"""SQLite store: the default, embedded store and the reference implementation of the interface.

WAL mode lets readers run while one writer commits; ``BEGIN IMMEDIATE`` serialises writers
across threads and processes, and ``stored`` is taken inside that write lock, so the
insertion sequence (``seq``) is also stored order and serves as the paging cursor.

Durability: by default ``synchronous=NORMAL``: a committed (acknowledged) write survives the
process being killed at any point, since it is in the WAL file before the commit returns; only
an operating-system crash or power cut can roll back the last commits. ``?synchronous=full``
in the URL (``sqlite:///lrs.db?synchronous=full``) fsyncs every commit and survives those too,
at a few milliseconds per write.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from urllib.parse import parse_qsl, urlsplit

from lrs.stores import path_from_url
from lrs.stores.base import (
    AGENT_DOCUMENT_KINDS,
    ANY,
    ERASURE_SCOPE_KIND,
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
    dump_statement,
    load_statement,
    parse_cursor,
    remove_keyed_entries,
    repeated_ids,
    utc_now,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS statements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    stored TEXT NOT NULL,
    verb TEXT NOT NULL,
    registration TEXT,
    statement_ref TEXT,
    voids TEXT,
    voided INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_verb ON statements (verb, seq);
CREATE INDEX IF NOT EXISTS statements_registration ON statements (registration, seq);
CREATE INDEX IF NOT EXISTS statements_ref ON statements (statement_ref);
CREATE INDEX IF NOT EXISTS statements_voids ON statements (voids);
CREATE INDEX IF NOT EXISTS statements_stored ON statements (stored);
CREATE TABLE IF NOT EXISTS statement_agents (
    seq INTEGER NOT NULL, key TEXT NOT NULL, direct INTEGER NOT NULL, PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS statement_activities (
    seq INTEGER NOT NULL, activity_id TEXT NOT NULL, direct INTEGER NOT NULL,
    PRIMARY KEY (activity_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS statement_authorities (
    seq INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attachments (sha2 TEXT PRIMARY KEY, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    kind TEXT NOT NULL, activity_id TEXT NOT NULL, agent TEXT NOT NULL, registration TEXT NOT NULL,
    doc_id TEXT NOT NULL, content BLOB NOT NULL, content_type TEXT NOT NULL, etag TEXT NOT NULL,
    updated TEXT NOT NULL,
    PRIMARY KEY (kind, activity_id, agent, registration, doc_id)
);
CREATE TABLE IF NOT EXISTS activities (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agents (key TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    key TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, scopes TEXT NOT NULL, authority TEXT NOT NULL,
    name TEXT NOT NULL, created TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
"""


class SQLiteStore(Store):
    """Store in one SQLite file; one connection per thread."""

    def __init__(self, url: str) -> None:
        path = path_from_url(url)
        if not path:
            raise ValueError(f"sqlite store URL needs a path: {url!r}")
        options = dict(parse_qsl(urlsplit(url).query))
        self._synchronous = options.pop("synchronous", "normal").upper()
        if self._synchronous not in ("NORMAL", "FULL") or options:
            raise ValueError(f"sqlite store URL options: only synchronous=normal|full, got {url!r}")
        self._memory = path == ":memory:"
        # A private shared-cache memory database, so every thread's connection sees one store.
        self._target = f"file:lrs-{uuid.uuid4().hex}?mode=memory&cache=shared" if self._memory else path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Memory databases lack WAL; serialise all access to them instead.
        self._memory_lock = threading.RLock()
        self._keepalive = self._connect()
        self._keepalive.executescript(SCHEMA)
        # Writers queue on a thread lock and an flock of the database file before BEGIN
        # IMMEDIATE: SQLite's own busy handler polls with sleeps of several milliseconds, which
        # caps throughput when processes contend; a blocked flock wakes as soon as it is free.
        # (On Linux flock locks are independent of the POSIX locks SQLite takes; this handle
        # stays open until close(), after the connections, so it never drops SQLite's locks.)
        self._write_lock = threading.Lock()
        self._lock_file = None if self._memory else open(path, "rb")  # noqa: SIM115

    # --- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._target, uri=self._memory, timeout=60, isolation_level=None, check_same_thread=False
        )
        if not self._memory:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA busy_timeout=60000")
        with self._lock:
            self._connections.append(conn)
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for multi-statement reads."""
        with self._memory_lock if self._memory else nullcontext():
            conn = self._conn()
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the database write lock from its start."""
        with self._memory_lock if self._memory else self._queued_writer():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _queued_writer(self) -> Iterator[None]:
        assert self._lock_file is not None
        with self._write_lock:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
            if self._lock_file is not None:
                self._lock_file.close()

    # --- statements -----------------------------------------------------------------------

    def insert_statements(
        self, records: Sequence[StatementRecord], attachments: Mapping[str, bytes] | None = None
    ) -> str:
        ids = [r.id for r in records]
        repeated = repeated_ids(ids)
        if repeated:
            raise StatementConflict(repeated)
        with self._write() as conn:
            existing = self._existing_ids(conn, ids)
            if existing:
                raise StatementConflict(existing)
            last = conn.execute("SELECT stored FROM statements ORDER BY seq DESC LIMIT 1").fetchone()
            stored = max(utc_now(), last[0]) if last else utc_now()
            # The whole batch in a few statements, not a few per statement: positions are taken
            # here, under the write lock, after the highest ever used (AUTOINCREMENT's counter).
            used = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'statements'").fetchone()
            first = (used[0] if used else 0) + 1
            targets = [r.voids for r in records if r.voids]
            voided = set(targets) | self._voided_by_stored(conn, ids)
            conn.executemany(
                "INSERT INTO statements (seq, id, stored, verb, registration, statement_ref, voids, voided, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(seq, r.id, stored, r.verb_id, r.registration, r.statement_ref, r.voids, int(r.id in voided),
                  dump_statement(dict(r.statement, stored=stored)))
                 for seq, r in enumerate(records, first)],
            )
            conn.executemany("UPDATE statements SET voided = 1 WHERE id = ?", [(t,) for t in targets])
            agents: list[tuple[int, str, int]] = []
            activities: list[tuple[int, str, int]] = []
            authorities: list[tuple[int, str]] = []
            for seq, record in enumerate(records, first):
                agents += [(seq, k, int(k in record.agent_keys))
                           for k in record.agent_keys | record.related_agent_keys]
                activities += [(seq, a, int(a in record.activity_ids))
                               for a in record.activity_ids | record.related_activity_ids]
                authorities += [(seq, key) for key in record.authority_keys]
            conn.executemany("INSERT OR IGNORE INTO statement_agents VALUES (?, ?, ?)", agents)
            conn.executemany("INSERT OR IGNORE INTO statement_activities VALUES (?, ?, ?)", activities)
            conn.executemany("INSERT OR IGNORE INTO statement_authorities VALUES (?, ?)", authorities)
            for sha2, content in (attachments or {}).items():
                conn.execute("INSERT OR IGNORE INTO attachments VALUES (?, ?)", (sha2, content))
        return stored

    @staticmethod
    def _existing_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> list[str]:
        return sorted(_column_values_in(conn, "id", ids))

    @staticmethod
    def _voided_by_stored(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` a statement already stored voids (a voiding statement may come first)."""
        return _column_values_in(conn, "voids", ids)

    def get_statements(self, ids: Sequence[str]) -> dict[str, StoredStatement]:
        found: dict[str, StoredStatement] = {}
        with self._read() as conn:
            for chunk in _chunks(list(ids), 500):
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT id, body, voided, stored FROM statements WHERE id IN ({marks})", chunk
                )
                for sid, body, voided, stored in rows:
                    found[sid] = StoredStatement(load_statement(body), bool(voided), stored)
        return found

    def query_statements(self, query: StatementQuery, cursor: str | None = None) -> StatementPage:
        # Two index-driven branches, each cut at limit+1, then merged: statements matching the
        # content filters themselves, and statements whose StatementRef chain reaches one that
        # does. The second walks only statements that hold a reference, which are few.
        order = "ASC" if query.ascending else "DESC"
        outer, outer_params = _outer_filter(query, cursor)
        has_content = any((query.agent, query.verb, query.activity, query.registration))
        direct_from, direct_where, direct_params, seq_column = _direct_branch(query)
        direct = (
            f"SELECT s.seq FROM {direct_from} WHERE {' AND '.join(direct_where + outer)}"
            f" ORDER BY {seq_column} {order} LIMIT ?"
        )
        params: list = [*direct_params, *outer_params, query.limit + 1]
        sql = f"SELECT * FROM ({direct})"
        if has_content:
            target_sql, target_params = _content_filter(query, alias="t")
            anchor, anchor_params = list(outer), list(outer_params)
            if query.authority:
                anchor.append("EXISTS (SELECT 1 FROM statement_authorities w WHERE w.key = ? AND w.seq = s.seq)")
                anchor_params.append(query.authority)
            refs = (
                "SELECT c.seq FROM chain c JOIN statements t ON t.id = c.target"
                f" WHERE {target_sql} ORDER BY c.seq {order} LIMIT ?"
            )
            sql = (
                "WITH RECURSIVE chain(seq, target) AS ("
                f" SELECT s.seq, s.statement_ref FROM statements s INDEXED BY statements_ref"
                " WHERE s.statement_ref > ''"
                f" AND {' AND '.join(anchor)}"
                " UNION SELECT c.seq, t.statement_ref FROM chain c JOIN statements t ON t.id = c.target"
                " WHERE t.statement_ref IS NOT NULL)"
                f" SELECT * FROM ({direct}) UNION SELECT * FROM ({refs})"
            )
            params = [*anchor_params, *params, *target_params, query.limit + 1]
        sql = (
            f"SELECT s.seq, CAST(s.body AS BLOB) FROM statements s WHERE s.seq IN ({sql})"
            f" ORDER BY s.seq {order} LIMIT ?"
        )
        params.append(query.limit + 1)
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        next_cursor = str(rows[-1][0]) if more else None
        return StatementPage([load_statement(body) for _, body in rows], next_cursor)

    def _stream_page(
        self, flt: StreamFilter, after: str | None, size: int
    ) -> tuple[list[bytes], str | None]:
        query = flt.content_query(since=flt.since, until=flt.until, ascending=True, limit=size)
        from_sql, where, params, seq_column = _direct_branch(query)
        outer, outer_params = _outer_filter(query, after, include_voided=flt.include_voided)
        where += outer
        params += outer_params
        if flt.through_position is not None:
            where.append("s.seq <= ?")
            params.append(flt.through_position)
        params.append(size)
        with self._read() as conn:
            rows = conn.execute(
                # As a BLOB: the body's UTF-8 bytes, which the JSON decoder reads fastest.
                f"SELECT s.seq, CAST(s.body AS BLOB) FROM {from_sql} WHERE {' AND '.join(where) or '1'}"
                f" ORDER BY {seq_column} LIMIT ?",
                params,
            ).fetchall()
        if not rows:
            return [], None
        return [body for _, body in rows], (str(rows[-1][0]) if len(rows) == size else None)

    def last_position(self) -> int:
        with self._read() as conn:
            return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM statements").fetchone()[0]

    def get_attachments(self, sha2s: Sequence[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        with self._read() as conn:
            for chunk in _chunks(list(sha2s), 500):
                marks = ",".join("?" * len(chunk))
                for sha2, content in conn.execute(
                    f"SELECT sha2, content FROM attachments WHERE sha2 IN ({marks})", chunk
                ):
                    found[sha2] = bytes(content)
        return found

    def consistent_through(self) -> str:
        # Writers take `stored` under the write lock and commit at once, so everything stored
        # up to now is visible; `stored` may run ahead of the clock by the monotonic rule.
        with self._read() as conn:
            last = conn.execute("SELECT stored FROM statements ORDER BY seq DESC LIMIT 1").fetchone()
        now = utc_now()
        return max(now, last[0]) if last else now

    def count_statements(self) -> int:
        with self._read() as conn:
            return conn.execute("SELECT count(*) FROM statements").fetchone()[0]

    # --- documents ------------------------------------------------------------------------

    def get_document(self, scope: DocumentScope, doc_id: str) -> Document | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT content, content_type, etag, updated FROM documents WHERE " + _DOC_KEY,
                scope.key(doc_id),
            ).fetchone()
        return Document(bytes(row[0]), row[1], row[2], row[3]) if row else None

    def save_document(
        self, scope: DocumentScope, doc_id: str, document: Document, expected_etag: str | None | _Any = ANY
    ) -> None:
        with self._write() as conn:
            self._check_etag(conn, scope, doc_id, expected_etag)
            conn.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*scope.key(doc_id), document.content, document.content_type, document.etag,
                 document.updated),
            )

    def delete_document(
        self, scope: DocumentScope, doc_id: str, expected_etag: str | None | _Any = ANY
    ) -> bool:
        with self._write() as conn:
            self._check_etag(conn, scope, doc_id, expected_etag)
            cur = conn.execute("DELETE FROM documents WHERE " + _DOC_KEY, scope.key(doc_id))
            return cur.rowcount > 0

    @staticmethod
    def _check_etag(
        conn: sqlite3.Connection, scope: DocumentScope, doc_id: str, expected: str | None | _Any
    ) -> None:
        if isinstance(expected, _Any):
            return
        row = conn.execute("SELECT etag FROM documents WHERE " + _DOC_KEY, scope.key(doc_id)).fetchone()
        current = row[0] if row else None
        if current != expected:
            raise PreconditionFailed(f"document etag is {current!r}, expected {expected!r}")

    def list_document_ids(self, scope: DocumentScope, since: str | None = None) -> list[str]:
        where, params = _scope_filter(scope)
        if since:
            where += " AND updated > ?"
            params.append(since)
        with self._read() as conn:
            rows = conn.execute(f"SELECT doc_id FROM documents WHERE {where} ORDER BY doc_id", params)
            return [r[0] for r in rows]

    def delete_documents(self, scope: DocumentScope) -> int:
        where, params = _scope_filter(scope)
        with self._write() as conn:
            return conn.execute(f"DELETE FROM documents WHERE {where}", params).rowcount

    # --- activities and agents ------------------------------------------------------------

    def get_activity(self, activity_id: str) -> dict | None:
        with self._read() as conn:
            row = conn.execute("SELECT body FROM activities WHERE id = ?", (activity_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def get_activities(self, activity_ids: Sequence[str]) -> dict[str, dict]:
        return self._bodies("activities", "id", activity_ids)

    def activity_ids_of_type(self, activity_type: str) -> set[str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id FROM activities WHERE json_extract(body, '$.definition.type') = ?", (activity_type,)
            ).fetchall()
        return {row[0] for row in rows}

    def get_agents(self, agent_keys: Sequence[str]) -> dict[str, dict]:
        return self._bodies("agents", "key", agent_keys)

    def _bodies(self, table: str, column: str, keys: Sequence[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        with self._read() as conn:
            for chunk in _chunks(list(dict.fromkeys(keys)), 500):
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT {column}, body FROM {table} WHERE {column} IN ({marks})"
                for key, body in conn.execute(sql, chunk):
                    found[key] = json.loads(body)
        return found

    def save_activities(self, activities: Mapping[str, dict]) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO activities VALUES (?, ?)",
                [(key, json.dumps(value)) for key, value in activities.items()],
            )

    def get_agent(self, agent_key: str) -> dict | None:
        with self._read() as conn:
            row = conn.execute("SELECT body FROM agents WHERE key = ?", (agent_key,)).fetchone()
        return json.loads(row[0]) if row else None

    def save_agents(self, agents: Mapping[str, dict]) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO agents VALUES (?, ?)",
                [(key, json.dumps(value)) for key, value in agents.items()],
            )

    # --- the right to erase and retention --------------------------------------------------

    def erase(self, selection: ErasureSelection, *, dry_run: bool = False,
              record: ErasureRecord | None = None) -> ErasureCounts:
        keys = sorted(selection.agent_keys)
        # Deleted rows stay in the file's free pages (and the WAL) until overwritten: zero them,
        # then checkpoint, so the erased data is gone from the files, not only from queries.
        self._conn().execute("PRAGMA secure_delete = ON")
        try:
            with self._write() as conn:
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS erased (seq INTEGER PRIMARY KEY)")
                conn.execute("DELETE FROM erased")
                for chunk in _chunks(keys, 500):
                    marks = ",".join("?" * len(chunk))
                    conn.execute("INSERT OR IGNORE INTO erased"
                                 f" SELECT seq FROM statement_agents WHERE key IN ({marks})", chunk)
                if selection.stored_before:
                    conn.execute("INSERT OR IGNORE INTO erased SELECT seq FROM statements WHERE stored < ?",
                                 (selection.stored_before,))
                if keys:  # statements whose StatementRef chain reaches an erased one, to a fixed point
                    while conn.execute(
                        "INSERT OR IGNORE INTO erased SELECT r.seq FROM statements r JOIN statements t"
                        " ON t.id = r.statement_ref WHERE t.seq IN (SELECT seq FROM erased)"
                        " AND r.seq NOT IN (SELECT seq FROM erased)"
                    ).rowcount:
                        pass
                declared: set[str] = set()
                for (body,) in conn.execute(
                        "SELECT body FROM statements WHERE seq IN (SELECT seq FROM erased) AND body LIKE '%\"sha2\"%'"):
                    declared |= declared_attachments(load_statement(body))
                for table in ("statement_agents", "statement_activities", "statement_authorities"):
                    conn.execute(f"DELETE FROM {table} WHERE seq IN (SELECT seq FROM erased)")
                statements = conn.execute("DELETE FROM statements WHERE seq IN (SELECT seq FROM erased)").rowcount
                attachments = 0
                for sha2 in sorted(declared):
                    still = conn.execute("SELECT 1 FROM statements WHERE instr(lower(body), ?) LIMIT 1", (sha2,))
                    if not still.fetchone():
                        attachments += conn.execute("DELETE FROM attachments WHERE lower(sha2) = ?", (sha2,)).rowcount
                kinds = ",".join(f"'{k}'" for k in AGENT_DOCUMENT_KINDS)
                documents = agents = 0
                for chunk in _chunks(keys, 500):
                    marks = ",".join("?" * len(chunk))
                    documents += conn.execute(f"DELETE FROM documents WHERE kind IN ({kinds}) AND agent IN ({marks})",
                                              chunk).rowcount
                    agents += conn.execute(f"DELETE FROM agents WHERE key IN ({marks})", chunk).rowcount
                if selection.stored_before:
                    documents += conn.execute(f"DELETE FROM documents WHERE kind IN ({kinds}) AND updated < ?",
                                              (selection.stored_before,)).rowcount
                    agents += conn.execute("DELETE FROM agents WHERE key NOT IN (SELECT key FROM statement_agents)"
                                           ).rowcount
                entries = 0
                for scope, doc_id in selection.keyed_documents if keys else ():
                    row = conn.execute("SELECT content FROM documents WHERE " + _DOC_KEY, scope.key(doc_id)).fetchone()
                    edited = remove_keyed_entries(bytes(row[0]), selection.agent_keys) if row else None
                    if edited:
                        content, removed = edited
                        entries += removed
                        conn.execute("UPDATE documents SET content = ?, etag = ?, updated = ? WHERE " + _DOC_KEY,
                                     (content, hashlib.sha1(content).hexdigest(), utc_now(), *scope.key(doc_id)))
                counts = ErasureCounts(statements, documents, agents, attachments, entries)
                conn.execute("DROP TABLE erased")
                if dry_run:
                    raise DryRun(counts)
                if record is not None:
                    content = dataclasses.replace(record, counts=counts).to_json()
                    conn.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (*DocumentScope(ERASURE_SCOPE_KIND).key(record.id), content, "application/json",
                                  hashlib.sha1(content).hexdigest(), record.at))
        except DryRun as rolled_back:
            return rolled_back.counts
        finally:
            self._conn().execute("PRAGMA secure_delete = OFF")
        if not self._memory:
            self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return counts

    def agent_keys_of_account(self, name: str) -> set[str]:
        suffix = "|" + name
        with self._read() as conn:
            found = {r[0] for r in conn.execute(
                "SELECT DISTINCT key FROM statement_agents WHERE key >= 'account:' AND key < 'account;'")}
            found |= {r[0] for r in conn.execute("SELECT DISTINCT agent FROM documents WHERE agent LIKE 'account:%'")}
            found |= {r[0] for r in conn.execute("SELECT key FROM agents WHERE key LIKE 'account:%'")}
        return {key for key in found if key.endswith(suffix) and account_name_of(key) == name}

    # --- credentials ----------------------------------------------------------------------

    def add_credential(self, credential: Credential) -> None:
        try:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        credential.key,
                        credential.secret_hash,
                        json.dumps(list(credential.scopes)),
                        json.dumps(credential.authority),
                        credential.name,
                        credential.created or utc_now(),
                        int(credential.revoked),
                    ),
                )
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"credential key already exists: {credential.key}") from exc

    def get_credential(self, key: str) -> Credential | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM credentials WHERE key = ?", (key,)).fetchone()
        return _credential(row) if row else None

    def list_credentials(self) -> list[Credential]:
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM credentials ORDER BY created, key").fetchall()
        return [_credential(r) for r in rows]

    def revoke_credential(self, key: str) -> bool:
        with self._write() as conn:
            return conn.execute("UPDATE credentials SET revoked = 1 WHERE key = ?", (key,)).rowcount > 0


_DOC_KEY = "kind = ? AND activity_id = ? AND agent = ? AND registration = ? AND doc_id = ?"



def _scope_filter(scope: DocumentScope) -> tuple[str, list[str]]:
    where = "kind = ? AND activity_id = ? AND agent = ?"
    params = [scope.kind, scope.activity_id, scope.agent]
    if scope.registration is not None:
        where += " AND registration = ?"
        params.append(scope.registration)
    return where, params


def _content_filter(query: StatementQuery, alias: str) -> tuple[str, list]:
    """SQL over ``alias`` for the content filters, as EXISTS tests (for the few ref targets)."""
    where: list[str] = ["1"]
    params: list = []
    if query.verb:
        where.append(f"{alias}.verb = ?")
        params.append(query.verb)
    if query.registration:
        where.append(f"{alias}.registration = ?")
        params.append(query.registration)
    if query.agent:
        direct = "" if query.related_agents else " AND g.direct = 1"
        where.append(f"EXISTS (SELECT 1 FROM statement_agents g WHERE g.key = ? AND g.seq = {alias}.seq{direct})")
        params.append(query.agent)
    if query.activity:
        direct = "" if query.related_activities else " AND a.direct = 1"
        where.append(
            f"EXISTS (SELECT 1 FROM statement_activities a WHERE a.activity_id = ? AND a.seq = {alias}.seq{direct})"
        )
        params.append(query.activity)
    return " AND ".join(where), params


def _direct_branch(query: StatementQuery) -> tuple[str, list[str], list, str]:
    """FROM clause (joins that let the key indexes drive), WHERE terms, their parameters, and
    the seq column to order by, for statements matching the content filters themselves.

    Ordering by the joined key table's seq (equal to ``s.seq``) lets SQLite walk that index in
    order and stop at the limit instead of sorting every match.
    """
    joins = ["statements s"]
    where: list[str] = []
    params: list = []
    seq_column = "s.seq"
    if query.activity:
        seq_column = "a.seq"
    if query.agent:
        seq_column = "g.seq"
    if query.agent:
        direct = "" if query.related_agents else " AND g.direct = 1"
        joins.append(f"JOIN statement_agents g ON g.seq = s.seq AND g.key = ?{direct}")
        params.append(query.agent)
    if query.activity:
        direct = "" if query.related_activities else " AND a.direct = 1"
        joins.append(f"JOIN statement_activities a ON a.seq = s.seq AND a.activity_id = ?{direct}")
        params.append(query.activity)
    if query.authority:
        joins.append("JOIN statement_authorities w ON w.seq = s.seq AND w.key = ?")
        params.append(query.authority)
    if query.verb:
        where.append("s.verb = ?")
        params.append(query.verb)
    if query.registration:
        where.append("s.registration = ?")
        params.append(query.registration)
    return " ".join(joins), where, params, seq_column


def _outer_filter(
    query: StatementQuery, cursor: str | None, include_voided: bool = False
) -> tuple[list[str], list]:
    """Terms on the returned statement ``s`` itself: voided, time window, cursor, authority."""
    where: list[str] = [] if include_voided else ["s.voided = 0"]
    params: list = []
    # Stored order is seq order here, so a time bound becomes a seq bound, found once through
    # the stored index; then whichever index serves the other filters can stay in seq order.
    if query.since:
        where.append("s.seq > COALESCE((SELECT seq FROM statements WHERE stored <= ?"
                     " ORDER BY stored DESC, seq DESC LIMIT 1), 0)")
        params.append(query.since)
    if query.until:
        where.append("s.seq <= COALESCE((SELECT seq FROM statements WHERE stored <= ?"
                     " ORDER BY stored DESC, seq DESC LIMIT 1), 0)")
        params.append(query.until)
    if cursor is not None:
        where.append("s.seq > ?" if query.ascending else "s.seq < ?")
        params.append(parse_cursor(cursor))
    return where or ["1"], params



def _column_values_in(conn: sqlite3.Connection, column: str, values: Sequence[str]) -> set[str]:
    """The values of a ``statements`` column that are among ``values`` (queried 500 at a time)."""
    found: set[str] = set()
    for chunk in _chunks(values, 500):
        marks = ",".join("?" * len(chunk))
        found |= {r[0] for r in conn.execute(f"SELECT {column} FROM statements WHERE {column} IN ({marks})", chunk)}
    return found


def _credential(row: tuple) -> Credential:
    key, secret_hash, scopes, authority, name, created, revoked = row
    return Credential(key, secret_hash, tuple(json.loads(scopes)), json.loads(authority), name, created,
                      bool(revoked))


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
