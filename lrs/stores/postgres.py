"""PostgreSQL store: the scale-out store, shared by several LRS processes on several machines.

Correctness lives in the database, never in process memory:

- Statement writers serialise on one transaction-level advisory lock, and take ``stored`` (from
  the database clock, strictly after the last committed ``stored``) and the insertion sequence
  under it, so ``seq`` order is stored order is commit order. ``seq`` is the paging cursor.
- A whole batch is one transaction: all of it commits or none (``synchronous_commit`` stays on,
  so a commit that returned survives a crash).
- Document compare-and-swap is one conditional SQL statement, atomic across processes.
- ``consistent_through`` is "now" when no writer holds the lock, else the last committed
  ``stored``: every later commit gets a larger one.

Index keys (agents, activities, authority) live in one side table keyed by ``(kind, key, seq)``,
so a filtered query walks one index in stored order and stops after a page.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql
from psycopg.types.json import Json

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
    format_timestamp,
    parse_cursor,
    remove_keyed_entries,
    repeated_ids,
    utc_now,
)

#: Advisory lock ids (arbitrary constants): schema creation, statement writes.
_SCHEMA_LOCK = 0x5107_1105_0001
_WRITE_LOCK = 0x5107_1105_0002

#: Kinds of rows in ``lrs_statement_key``.
AGENT, RELATED_AGENT, ACTIVITY, RELATED_ACTIVITY, AUTHORITY = "g", "G", "a", "A", "u"

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS lrs_statement_seq;
CREATE TABLE IF NOT EXISTS lrs_statement (
    seq bigint PRIMARY KEY,
    id text NOT NULL UNIQUE,
    stored timestamptz NOT NULL,
    verb text NOT NULL,
    registration text,
    statement_ref text,
    voids text,
    voided boolean NOT NULL DEFAULT false,
    body json NOT NULL
);
CREATE INDEX IF NOT EXISTS lrs_statement_verb ON lrs_statement (verb, seq);
CREATE INDEX IF NOT EXISTS lrs_statement_registration ON lrs_statement (registration, seq)
    WHERE registration IS NOT NULL;
CREATE INDEX IF NOT EXISTS lrs_statement_ref ON lrs_statement (statement_ref) WHERE statement_ref IS NOT NULL;
CREATE INDEX IF NOT EXISTS lrs_statement_voids ON lrs_statement (voids) WHERE voids IS NOT NULL;
CREATE INDEX IF NOT EXISTS lrs_statement_stored ON lrs_statement (stored, seq);
CREATE TABLE IF NOT EXISTS lrs_statement_key (
    kind text NOT NULL,
    key text NOT NULL,
    seq bigint NOT NULL,
    PRIMARY KEY (kind, key, seq)
);
CREATE INDEX IF NOT EXISTS lrs_statement_key_seq ON lrs_statement_key (seq);
CREATE TABLE IF NOT EXISTS lrs_attachment (sha2 text PRIMARY KEY, content bytea NOT NULL);
CREATE TABLE IF NOT EXISTS lrs_document (
    kind text NOT NULL, activity_id text NOT NULL, agent text NOT NULL, registration text NOT NULL,
    doc_id text NOT NULL, content bytea NOT NULL, content_type text NOT NULL, etag text NOT NULL,
    updated text NOT NULL,
    PRIMARY KEY (kind, activity_id, agent, registration, doc_id)
);
CREATE TABLE IF NOT EXISTS lrs_activity (id text PRIMARY KEY, body json NOT NULL);
CREATE TABLE IF NOT EXISTS lrs_agent (key text PRIMARY KEY, body json NOT NULL);
CREATE TABLE IF NOT EXISTS lrs_credential (
    seq bigint GENERATED ALWAYS AS IDENTITY,
    key text PRIMARY KEY, secret_hash text NOT NULL, scopes text[] NOT NULL, authority json NOT NULL,
    name text NOT NULL, created text NOT NULL, revoked boolean NOT NULL DEFAULT false
);
"""

_ONE_MICROSECOND = _dt.timedelta(microseconds=1)


class PostgresStore(Store):
    """Store in a PostgreSQL database named by a ``postgresql://`` URL; one connection per thread."""

    def __init__(self, url: str) -> None:
        self._conninfo = "postgresql://" + url.split("://", 1)[1]
        self._local = threading.local()
        self._connections: list[tuple[int, psycopg.Connection]] = []  # (owner pid, connection)
        self._lock = threading.Lock()
        self.probe_after_idle_s = 5.0
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            conn.execute(SCHEMA)

    # --- connections ----------------------------------------------------------------------

    def _conn(self) -> psycopg.Connection:
        """This thread's connection, reconnecting after a fork or a dropped connection.

        A connection idle for more than ``probe_after_idle_s`` is probed first (one round trip), so
        a database restart or an idle-connection timeout in between costs no request an error.
        """
        conn = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed and self._local.pid == os.getpid():
            if time.monotonic() - self._local.used <= self.probe_after_idle_s:
                return conn
            try:
                conn.execute("SELECT 1")
                return conn
            except psycopg.OperationalError:
                conn.close()
        conn = psycopg.connect(self._conninfo, autocommit=True, application_name="spotlight-lrs")
        self._local.conn, self._local.pid = conn, os.getpid()
        with self._lock:
            self._connections.append((os.getpid(), conn))
        return conn

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        """One transaction on this thread's connection (rolled back on any exception)."""
        with self._one() as conn, conn.transaction():
            yield conn

    @contextmanager
    def _one(self) -> Iterator[psycopg.Connection]:
        """This thread's connection in autocommit mode, for single-statement work: each statement
        is atomic by itself and costs one round trip instead of three."""
        conn = self._conn()
        try:
            yield conn
        except psycopg.OperationalError:
            conn.close()  # a broken connection is replaced on next use
            raise
        finally:
            self._local.used = time.monotonic()

    def close(self) -> None:
        with self._lock:
            for pid, conn in self._connections:
                if pid == os.getpid():  # a connection inherited through fork is the parent's to close
                    conn.close()
            self._connections.clear()

    # --- statements -----------------------------------------------------------------------

    def insert_statements(
        self, records: Sequence[StatementRecord], attachments: Mapping[str, bytes] | None = None
    ) -> str:
        ids = [r.id for r in records]
        repeated = repeated_ids(ids)
        if repeated:
            raise StatementConflict(repeated)
        try:
            with self._tx() as conn:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
                # One round trip, under the lock: conflicts, ids already voided, and `stored`.
                existing, voided, moment = conn.execute(
                    "SELECT (SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM lrs_statement"
                    "         WHERE id = ANY(%(ids)s)),"
                    " (SELECT coalesce(array_agg(voids), '{}') FROM lrs_statement"
                    "   WHERE voids = ANY(%(ids)s)),"
                    " greatest(clock_timestamp(), (SELECT max(stored) FROM lrs_statement) + %(tick)s)",
                    {"ids": ids, "tick": _ONE_MICROSECOND},
                ).fetchone()
                if existing:
                    raise StatementConflict(existing)
                seqs = sorted(
                    row[0]
                    for row in conn.execute(
                        "SELECT nextval('lrs_statement_seq') FROM generate_series(1, %s)", (len(records),)
                    )
                )
                voids = {r.voids for r in records if r.voids}
                stored = self._copy_statements(conn, records, seqs, moment, set(voided) | voids)
                if voids:
                    conn.execute(
                        "UPDATE lrs_statement SET voided = true WHERE id = ANY(%s) AND NOT voided",
                        (list(voids),),
                    )
                if attachments:
                    with conn.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO lrs_attachment VALUES (%s, %s) ON CONFLICT DO NOTHING",
                            list(attachments.items()),
                        )
        except psycopg.errors.UniqueViolation as exc:  # only if the lock were bypassed
            raise StatementConflict(ids) from exc
        return stored

    @staticmethod
    def _copy_statements(
        conn: psycopg.Connection,
        records: Sequence[StatementRecord],
        seqs: list[int],
        moment: _dt.datetime,
        voided: set[str],
    ) -> str:
        """Write the rows and their index keys with COPY; return the ``stored`` text."""
        stored = format_timestamp(moment)
        with conn.cursor() as cur:
            with cur.copy(
                "COPY lrs_statement (seq, id, stored, verb, registration, statement_ref, voids, voided, body)"
                " FROM STDIN"
            ) as copy:
                for seq, record in zip(seqs, records, strict=True):
                    body = json.dumps(dict(record.statement, stored=stored), separators=(",", ":"))
                    copy.write_row(
                        (
                            seq,
                            record.id,
                            moment,
                            record.verb_id,
                            record.registration,
                            record.statement_ref,
                            record.voids,
                            record.id in voided,
                            body,
                        )
                    )
            with cur.copy("COPY lrs_statement_key (kind, key, seq) FROM STDIN") as copy:
                for seq, record in zip(seqs, records, strict=True):
                    for kind, keys in (
                        (AGENT, record.agent_keys),
                        (RELATED_AGENT, record.related_agent_keys | record.agent_keys),
                        (ACTIVITY, record.activity_ids),
                        (RELATED_ACTIVITY, record.related_activity_ids | record.activity_ids),
                        (AUTHORITY, record.authority_keys),
                    ):
                        for key in keys:
                            copy.write_row((kind, key, seq))
        return stored

    def get_statements(self, ids: Sequence[str]) -> dict[str, StoredStatement]:
        with self._one() as conn:
            rows = conn.execute(
                "SELECT id, body, voided FROM lrs_statement WHERE id = ANY(%s)", (list(ids),)
            ).fetchall()
        return {sid: StoredStatement(body, voided, body["stored"]) for sid, body, voided in rows}

    def query_statements(self, query: StatementQuery, cursor: str | None = None) -> StatementPage:
        after = parse_cursor(cursor) if cursor is not None else None
        window = [sql.SQL("NOT s.voided")]
        window += _time_window(query.since, query.until)
        if query.authority:
            window.append(_has_key(AUTHORITY, query.authority))
        if after is not None:
            window.append(sql.SQL("s.seq > {}" if query.ascending else "s.seq < {}").format(after))
        content = _content_conditions(query)
        order = sql.SQL("ASC" if query.ascending else "DESC")
        limit = sql.Literal(query.limit + 1)
        direct = _select_page(window + content, order, limit, sql.SQL("s.seq"))
        if content:
            # Statements whose StatementRef chain reaches a statement matching every content filter.
            referring = sql.SQL(
                "s.statement_ref IS NOT NULL AND s.id IN ("
                " WITH RECURSIVE chain(id, target) AS ("
                "  SELECT r.id, r.statement_ref FROM lrs_statement r WHERE r.statement_ref IS NOT NULL"
                "  UNION SELECT c.id, t.statement_ref FROM chain c JOIN lrs_statement t ON t.id = c.target"
                "   WHERE t.statement_ref IS NOT NULL)"
                " SELECT c.id FROM chain c JOIN lrs_statement s ON s.id = c.target WHERE {})"
            ).format(sql.SQL(" AND ").join(content))
            by_ref = _select_page([*window, referring], order, limit, sql.SQL("s.seq"))
            statement = sql.SQL(
                "SELECT seq, body FROM lrs_statement WHERE seq IN (({}) UNION ({})) ORDER BY seq {} LIMIT {}"
            ).format(direct, by_ref, order, limit)
        else:
            statement = _select_page(window, order, limit)
        with self._one() as conn:
            rows = conn.execute(statement).fetchall()
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        return StatementPage([body for _, body in rows], str(rows[-1][0]) if more else None)

    def _stream_page(self, flt: StreamFilter, after: str | None, size: int) -> tuple[list[dict], str | None]:
        conditions = _content_conditions(
            StatementQuery(
                agent=flt.agent,
                related_agents=flt.related_agents,
                verb=flt.verb,
                activity=flt.activity,
                related_activities=flt.related_activities,
                registration=flt.registration,
            )
        )
        conditions += _time_window(flt.since, flt.until)
        if not flt.include_voided:
            conditions.append(sql.SQL("NOT s.voided"))
        conditions.append(sql.SQL("s.seq > {}").format(parse_cursor(after) if after else 0))
        if flt.through_position is not None:
            conditions.append(sql.SQL("s.seq <= {}").format(flt.through_position))
        # The JSON as text: the base class decodes it with orjson, one statement at a time.
        statement = _select_page(conditions, sql.SQL("ASC"), sql.Literal(size), sql.SQL("s.seq, s.body::text"))
        with self._one() as conn:
            rows = conn.execute(statement).fetchall()
        return [body for _, body in rows], (str(rows[-1][0]) if len(rows) == size else None)

    def last_position(self) -> int:
        with self._one() as conn:
            return conn.execute("SELECT COALESCE(MAX(seq), 0) FROM lrs_statement").fetchone()[0]

    def get_attachments(self, sha2s: Sequence[str]) -> dict[str, bytes]:
        with self._one() as conn:
            rows = conn.execute(
                "SELECT sha2, content FROM lrs_attachment WHERE sha2 = ANY(%s)", (list(sha2s),)
            ).fetchall()
        return {sha2: bytes(content) for sha2, content in rows}

    def consistent_through(self) -> str:
        with self._one() as conn:
            free, now, last = conn.execute(
                "SELECT pg_try_advisory_xact_lock_shared(%s), clock_timestamp(),"
                " (SELECT max(stored) FROM lrs_statement)",
                (_WRITE_LOCK,),
            ).fetchone()
        if free:  # no write in flight: any later one is stored after now
            return format_timestamp(max(now - _ONE_MICROSECOND, last or now))
        epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
        return format_timestamp(last or epoch)

    def count_statements(self) -> int:
        with self._one() as conn:
            return conn.execute("SELECT count(*) FROM lrs_statement").fetchone()[0]

    # --- documents ------------------------------------------------------------------------

    def get_document(self, scope: DocumentScope, doc_id: str) -> Document | None:
        with self._one() as conn:
            row = conn.execute(
                "SELECT content, content_type, etag, updated FROM lrs_document WHERE " + _DOC_KEY,
                scope.key(doc_id),
            ).fetchone()
        return Document(bytes(row[0]), row[1], row[2], row[3]) if row else None

    def save_document(
        self, scope: DocumentScope, doc_id: str, document: Document, expected_etag: str | None | _Any = ANY
    ) -> None:
        values = (
            *scope.key(doc_id),
            document.content,
            document.content_type,
            document.etag,
            document.updated,
        )
        insert = "INSERT INTO lrs_document VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        with self._one() as conn:
            if isinstance(expected_etag, _Any):
                conn.execute(
                    insert + " ON CONFLICT (kind, activity_id, agent, registration, doc_id) DO UPDATE"
                    " SET content = excluded.content, content_type = excluded.content_type,"
                    " etag = excluded.etag, updated = excluded.updated",
                    values,
                )
                return
            if expected_etag is None:
                done = conn.execute(insert + " ON CONFLICT DO NOTHING", values).rowcount
            else:
                done = conn.execute(
                    "UPDATE lrs_document SET content = %s, content_type = %s, etag = %s, updated = %s"
                    " WHERE " + _DOC_KEY + " AND etag = %s",
                    (*values[5:], *values[:5], expected_etag),
                ).rowcount
            if not done:
                raise PreconditionFailed(f"document does not match expected etag {expected_etag!r}")

    def delete_document(self, scope: DocumentScope, doc_id: str, expected_etag: str | None | _Any = ANY) -> bool:
        key = scope.key(doc_id)
        with self._one() as conn:
            if isinstance(expected_etag, _Any):
                return conn.execute("DELETE FROM lrs_document WHERE " + _DOC_KEY, key).rowcount > 0
            if expected_etag is None:  # "must not exist": nothing to delete, or a failed precondition
                if conn.execute("SELECT 1 FROM lrs_document WHERE " + _DOC_KEY, key).fetchone():
                    raise PreconditionFailed("document exists, expected none")
                return False
            deleted = conn.execute(
                "DELETE FROM lrs_document WHERE " + _DOC_KEY + " AND etag = %s", (*key, expected_etag)
            ).rowcount
        if not deleted:
            raise PreconditionFailed(f"document does not match expected etag {expected_etag!r}")
        return True

    def list_document_ids(self, scope: DocumentScope, since: str | None = None) -> list[str]:
        where, params = _scope_filter(scope)
        if since:
            where += " AND updated > %s"
            params.append(since)
        with self._one() as conn:
            rows = conn.execute(f"SELECT doc_id FROM lrs_document WHERE {where} ORDER BY doc_id", params)
            return [row[0] for row in rows]

    def delete_documents(self, scope: DocumentScope) -> int:
        where, params = _scope_filter(scope)
        with self._one() as conn:
            return conn.execute(f"DELETE FROM lrs_document WHERE {where}", params).rowcount

    # --- activities and agents ------------------------------------------------------------

    def get_activity(self, activity_id: str) -> dict | None:
        return self.get_activities([activity_id]).get(activity_id)

    def get_activities(self, activity_ids: Sequence[str]) -> dict[str, dict]:
        return self._get_json("lrs_activity", "id", activity_ids)

    def activity_ids_of_type(self, activity_type: str) -> set[str]:
        with self._one() as conn:
            rows = conn.execute(
                "SELECT id FROM lrs_activity WHERE body -> 'definition' ->> 'type' = %s", (activity_type,)
            ).fetchall()
        return {row[0] for row in rows}

    def save_activities(self, activities: Mapping[str, dict]) -> None:
        self._save_json("lrs_activity", "id", activities)

    def get_agent(self, agent_key: str) -> dict | None:
        return self.get_agents([agent_key]).get(agent_key)

    def get_agents(self, agent_keys: Sequence[str]) -> dict[str, dict]:
        return self._get_json("lrs_agent", "key", agent_keys)

    def save_agents(self, agents: Mapping[str, dict]) -> None:
        self._save_json("lrs_agent", "key", agents)

    def _get_json(self, table: str, column: str, keys: Sequence[str]) -> dict[str, dict]:
        query = sql.SQL("SELECT {column}, body FROM {table} WHERE {column} = ANY(%s)").format(
            table=sql.Identifier(table), column=sql.Identifier(column)
        )
        with self._one() as conn:
            return dict(conn.execute(query, (list(keys),)).fetchall())

    def _save_json(self, table: str, column: str, items: Mapping[str, dict]) -> None:
        query = sql.SQL(
            "INSERT INTO {table} VALUES (%s, %s) ON CONFLICT ({column}) DO UPDATE SET body = excluded.body"
            " WHERE {table}.body::text IS DISTINCT FROM excluded.body::text"  # unchanged: no write
        ).format(table=sql.Identifier(table), column=sql.Identifier(column))
        with self._tx() as conn, conn.cursor() as cur:
            # Activity definitions and agent names are derived from durably stored statements, so
            # this commit need not wait for its own disk flush (the next statement commit flushes it).
            cur.execute("SET LOCAL synchronous_commit = off")
            # Sorted keys: concurrent writers lock rows in one order and cannot deadlock.
            cur.executemany(query, [(key, Json(items[key])) for key in sorted(items)])

    # --- the right to erase and retention --------------------------------------------------

    def erase(self, selection: ErasureSelection, *, dry_run: bool = False,
              record: ErasureRecord | None = None) -> ErasureCounts:
        keys = sorted(selection.agent_keys)
        before = _parse_timestamp(selection.stored_before) if selection.stored_before else None
        try:
            with self._tx() as conn:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))  # no statement stored meanwhile
                conn.execute("CREATE TEMP TABLE lrs_erased (seq bigint PRIMARY KEY) ON COMMIT DROP")
                if keys:
                    conn.execute("INSERT INTO lrs_erased SELECT DISTINCT seq FROM lrs_statement_key"
                                 " WHERE kind = %s AND key = ANY(%s)", (RELATED_AGENT, keys))
                if before is not None:
                    conn.execute("INSERT INTO lrs_erased SELECT seq FROM lrs_statement WHERE stored < %s"
                                 " ON CONFLICT DO NOTHING", (before,))
                if keys:  # statements whose StatementRef chain reaches an erased one, to a fixed point
                    while conn.execute(
                        "INSERT INTO lrs_erased SELECT r.seq FROM lrs_statement r"
                        " JOIN lrs_statement t ON t.id = r.statement_ref JOIN lrs_erased e ON e.seq = t.seq"
                        " ON CONFLICT DO NOTHING"
                    ).rowcount:
                        pass
                declared: set[str] = set()
                for (body,) in conn.execute("SELECT body FROM lrs_statement WHERE seq IN (SELECT seq FROM lrs_erased)"
                                            " AND body::text LIKE '%\"sha2\"%'"):
                    declared |= declared_attachments(body)
                conn.execute("DELETE FROM lrs_statement_key WHERE seq IN (SELECT seq FROM lrs_erased)")
                statements = conn.execute(
                    "DELETE FROM lrs_statement WHERE seq IN (SELECT seq FROM lrs_erased)").rowcount
                attachments = 0
                for sha2 in sorted(declared):
                    still = conn.execute("SELECT 1 FROM lrs_statement WHERE strpos(lower(body::text), %s) > 0 LIMIT 1",
                                         (sha2,))
                    if not still.fetchone():
                        attachments += conn.execute("DELETE FROM lrs_attachment WHERE lower(sha2) = %s",
                                                    (sha2,)).rowcount
                kinds = list(AGENT_DOCUMENT_KINDS)
                documents = conn.execute("DELETE FROM lrs_document WHERE kind = ANY(%s) AND agent = ANY(%s)",
                                         (kinds, keys)).rowcount
                agents = conn.execute("DELETE FROM lrs_agent WHERE key = ANY(%s)", (keys,)).rowcount
                if before is not None:
                    documents += conn.execute("DELETE FROM lrs_document WHERE kind = ANY(%s) AND updated < %s",
                                              (kinds, selection.stored_before)).rowcount
                    agents += conn.execute(
                        "DELETE FROM lrs_agent a WHERE NOT EXISTS"
                        " (SELECT 1 FROM lrs_statement_key k WHERE k.kind = %s AND k.key = a.key)", (RELATED_AGENT,)
                    ).rowcount
                entries = 0
                for scope, doc_id in selection.keyed_documents if keys else ():
                    row = conn.execute("SELECT content FROM lrs_document WHERE " + _DOC_KEY + " FOR UPDATE",
                                       scope.key(doc_id)).fetchone()
                    edited = remove_keyed_entries(bytes(row[0]), selection.agent_keys) if row else None
                    if edited:
                        content, removed = edited
                        entries += removed
                        conn.execute("UPDATE lrs_document SET content = %s, etag = %s, updated = %s WHERE " + _DOC_KEY,
                                     (content, hashlib.sha1(content).hexdigest(), utc_now(), *scope.key(doc_id)))
                counts = ErasureCounts(statements, documents, agents, attachments, entries)
                if dry_run:
                    raise DryRun(counts)
                if record is not None:
                    content = dataclasses.replace(record, counts=counts).to_json()
                    conn.execute("INSERT INTO lrs_document VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                                 (*DocumentScope(ERASURE_SCOPE_KIND).key(record.id), content, "application/json",
                                  hashlib.sha1(content).hexdigest(), record.at))
        except DryRun as rolled_back:
            return rolled_back.counts
        return counts

    def agent_keys_of_account(self, name: str) -> set[str]:
        with self._one() as conn:
            found = {r[0] for r in conn.execute(
                "SELECT DISTINCT key FROM lrs_statement_key WHERE kind = %s AND key >= 'account:' AND key < 'account;'"
                " AND right(key, %s) = %s", (RELATED_AGENT, len(name) + 1, "|" + name))}
            found |= {r[0] for r in conn.execute(
                "SELECT DISTINCT agent FROM lrs_document WHERE agent LIKE 'account:%%' AND right(agent, %s) = %s",
                (len(name) + 1, "|" + name))}
            found |= {r[0] for r in conn.execute(
                "SELECT key FROM lrs_agent WHERE key LIKE 'account:%%' AND right(key, %s) = %s",
                (len(name) + 1, "|" + name))}
        return {key for key in found if account_name_of(key) == name}

    # --- credentials ----------------------------------------------------------------------

    def add_credential(self, credential: Credential) -> None:
        try:
            with self._one() as conn:
                conn.execute(
                    "INSERT INTO lrs_credential (key, secret_hash, scopes, authority, name, created, revoked)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                    (
                        credential.key,
                        credential.secret_hash,
                        list(credential.scopes),
                        Json(credential.authority),
                        credential.name,
                        credential.created or utc_now(),
                        credential.revoked,
                    ),
                )
        except psycopg.errors.UniqueViolation as exc:
            raise StoreError(f"credential key already exists: {credential.key}") from exc

    def get_credential(self, key: str) -> Credential | None:
        with self._one() as conn:
            row = conn.execute(_CREDENTIAL_SELECT + " WHERE key = %s", (key,)).fetchone()
        return _credential(row) if row else None

    def list_credentials(self) -> list[Credential]:
        with self._one() as conn:
            rows = conn.execute(_CREDENTIAL_SELECT + " ORDER BY seq").fetchall()
        return [_credential(row) for row in rows]

    def revoke_credential(self, key: str) -> bool:
        with self._one() as conn:
            cur = conn.execute("UPDATE lrs_credential SET revoked = true WHERE key = %s", (key,))
            return cur.rowcount > 0


_SEQ_AND_BODY = sql.SQL("s.seq, s.body")
_DOC_KEY = "kind = %s AND activity_id = %s AND agent = %s AND registration = %s AND doc_id = %s"
_CREDENTIAL_SELECT = "SELECT key, secret_hash, scopes, authority, name, created, revoked FROM lrs_credential"



def _scope_filter(scope: DocumentScope) -> tuple[str, list[str]]:
    where = "kind = %s AND activity_id = %s AND agent = %s"
    params = [scope.kind, scope.activity_id, scope.agent]
    if scope.registration is not None:
        where += " AND registration = %s"
        params.append(scope.registration)
    return where, params


def _has_key(kind: str, key: str) -> sql.Composable:
    return sql.SQL(
        "EXISTS (SELECT 1 FROM lrs_statement_key k WHERE k.kind = {} AND k.key = {} AND k.seq = s.seq)"
    ).format(kind, key)


def _content_conditions(query: StatementQuery) -> list[sql.Composable]:
    """Conditions over alias ``s`` for the filters that also follow statement references."""
    conditions: list[sql.Composable] = []
    if query.verb:
        conditions.append(sql.SQL("s.verb = {}").format(query.verb))
    if query.registration:
        conditions.append(sql.SQL("s.registration = {}").format(query.registration))
    if query.agent:
        conditions.append(_has_key(RELATED_AGENT if query.related_agents else AGENT, query.agent))
    if query.activity:
        kind = RELATED_ACTIVITY if query.related_activities else ACTIVITY
        conditions.append(_has_key(kind, query.activity))
    return conditions


def _time_window(since: str | None, until: str | None) -> list[sql.Composable]:
    """``since``/``until`` as bounds on ``seq``: seq order is stored order, so each bound is one
    index probe, and the page query keeps walking the filter's (key, seq) index instead of
    sorting every statement in the time range."""
    last_at = sql.SQL(
        "coalesce((SELECT seq FROM lrs_statement WHERE stored <= {} ORDER BY stored DESC, seq DESC LIMIT 1), 0)"
    )
    window: list[sql.Composable] = []
    if since:
        window.append(sql.SQL("s.seq > {}").format(last_at.format(_parse_timestamp(since))))
    if until:
        window.append(sql.SQL("s.seq <= {}").format(last_at.format(_parse_timestamp(until))))
    return window


def _select_page(
    conditions: list[sql.Composable],
    order: sql.Composable,
    limit: sql.Composable,
    columns: sql.Composable = _SEQ_AND_BODY,
) -> sql.Composed:
    where = sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("true")
    return sql.SQL("SELECT {} FROM lrs_statement s WHERE {} ORDER BY s.seq {} LIMIT {}").format(
        columns, where, order, limit
    )


def _parse_timestamp(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))



def _credential(row: tuple) -> Credential:
    key, secret_hash, scopes, authority, name, created, revoked = row
    return Credential(key, secret_hash, tuple(scopes), authority, name, created, revoked)
