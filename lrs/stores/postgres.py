"""PostgreSQL store: the scale-out store, shared by several LRS processes on several machines.

Correctness lives in the database, never in process memory:

- Statement writers serialise on one transaction-level advisory lock, and take ``stored`` (from
  the database clock, strictly after the last committed ``stored``) and the insertion sequence
  under it, so ``seq`` order is stored order is commit order. ``seq`` is the paging cursor.
- A whole batch is one call of the ``lrs_insert_statements`` function: one round trip, one
  transaction, all of it commits or none (``synchronous_commit`` stays on, so a commit that
  returned survives a crash).
- Connections come from a bounded pool per process; statement queries are index walks whose
  plans do not depend on statistics (see CONNECTION_OPTIONS and "statement queries" below).
- Document compare-and-swap is one conditional SQL statement, atomic across processes.
- ``consistent_through`` is "now" when no writer holds the lock, else the last committed
  ``stored``: every later commit gets a larger one.

Index keys (agents, activities, authority) live in one side table keyed by ``(kind, key, seq)``,
so a filtered query walks one index in stored order and stops after a page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Json
from psycopg.types.string import ByteaBinaryLoader
from psycopg_pool import ConnectionPool, PoolTimeout

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
    StoreUnavailable,
    StreamFilter,
    _Any,
    account_name_of,
    declared_attachments,
    dump_statement,
    format_timestamp,
    load_statement,
    parse_cursor,
    remove_keyed_entries,
    repeated_ids,
    utc_now,
)

#: Advisory lock ids (arbitrary constants): schema creation, statement writes, ANALYZE.
_SCHEMA_LOCK = 0x5107_1105_0001
_WRITE_LOCK = 0x5107_1105_0002
_ANALYZE_LOCK = 0x5107_1105_0003

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
CREATE INDEX IF NOT EXISTS lrs_statement_referrer ON lrs_statement (seq) WHERE statement_ref IS NOT NULL;
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

#: One batch of statements, in one round trip and one transaction (the caller's): under the
#: statement write lock, refuse ids already stored (SQLSTATE 23505, the ids as JSON in DETAIL),
#: take ``stored`` from the database clock strictly after the last one, take positions from the
#: sequence, and insert the rows (``stored`` appended to each body), their index keys, the voiding
#: of their targets and the attachments. Arrays run in parallel: one element per statement, per
#: key row (its statement's 1-based position in the batch), per attachment.
INSERT_FUNCTION = """
CREATE OR REPLACE FUNCTION lrs_insert_statements(
    ids text[], verbs text[], registrations text[], refs text[], voids text[], bodies text[],
    key_positions int[], key_kinds text[], key_values text[], sha2s text[], contents bytea[]
) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    existing text[];
    moment timestamptz;
    stored_text text;
    first bigint;
    voided_ids text[];
    batch_voids text[] := array_remove(voids, NULL);
BEGIN
    PERFORM pg_advisory_xact_lock(WRITE_LOCK_ID);
    SELECT array_agg(s.id ORDER BY s.id) INTO existing FROM lrs_statement s WHERE s.id = ANY(ids);
    IF existing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation', MESSAGE = 'statement ids already stored',
            DETAIL = array_to_json(existing)::text;
    END IF;
    moment := greatest(clock_timestamp(),
        (SELECT s.stored FROM lrs_statement s ORDER BY s.seq DESC LIMIT 1) + interval '1 microsecond');
    stored_text := to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    IF cardinality(ids) = 0 THEN
        RETURN stored_text;
    END IF;
    first := nextval('lrs_statement_seq');
    IF cardinality(ids) > 1 THEN  -- every position is taken under the lock: no other writer between
        PERFORM setval('lrs_statement_seq', first + cardinality(ids) - 1);
    END IF;
    SELECT array_agg(s.voids) INTO voided_ids FROM lrs_statement s WHERE s.voids = ANY(ids);
    INSERT INTO lrs_statement (seq, id, stored, verb, registration, statement_ref, voids, voided, body)
    SELECT first + u.n - 1, u.id, moment, u.verb, u.registration, u.ref, u.voids,
           u.id = ANY(batch_voids) OR u.id = ANY(coalesce(voided_ids, '{}')),
           (left(u.body, -1) || ',"stored":"' || stored_text || '"}')::json
    FROM unnest(ids, verbs, registrations, refs, voids, bodies) WITH ORDINALITY
        AS u(id, verb, registration, ref, voids, body, n);
    INSERT INTO lrs_statement_key (kind, key, seq)
    SELECT k.kind, k.key, first + k.n - 1 FROM unnest(key_positions, key_kinds, key_values) AS k(n, kind, key);
    IF cardinality(batch_voids) > 0 THEN
        UPDATE lrs_statement SET voided = true WHERE id = ANY(batch_voids) AND NOT voided;
    END IF;
    IF cardinality(sha2s) > 0 THEN
        INSERT INTO lrs_attachment SELECT * FROM unnest(sha2s, contents) ON CONFLICT DO NOTHING;
    END IF;
    RETURN stored_text;
END
$fn$;
""".replace("WRITE_LOCK_ID", str(_WRITE_LOCK))

#: Arrays go in binary (no quoting of every statement body; psycopg's text array writer is slow).
_INSERT_CALL = "SELECT lrs_insert_statements(%b, %b, %b, %b, %b, %b, %b::int[], %b, %b, %b::text[], %b::bytea[])"

_TABLES = ("lrs_statement", "lrs_statement_key", "lrs_attachment", "lrs_document", "lrs_activity", "lrs_agent",
           "lrs_credential")

_ONE_MICROSECOND = _dt.timedelta(microseconds=1)

#: Settings of every store connection (libpq ``options``). JIT off: the statement queries take
#: milliseconds, and a cost estimate inflated by missing statistics once made PostgreSQL spend
#: 435 ms compiling one. The ``enable_*`` settings leave the planner only index scans joined by
#: nested loops (a disabled plan type stays possible when nothing else can answer a query, at a
#: prohibitive cost): every statement query is written as an index walk in position order that
#: stops after one page, and with these the planner cannot trade that walk for a sequential scan,
#: a bitmap scan or a sort of every match because an estimate (or the lack of statistics) made
#: the walk look expensive. See docs/lrs-stores.md "Query plans".
CONNECTION_OPTIONS = (
    "-c jit=off -c enable_seqscan=off -c enable_bitmapscan=off -c enable_sort=off"
    " -c enable_hashjoin=off -c enable_mergejoin=off"
)

#: Store options read from (and removed from) the URL's query string; the rest goes to libpq.
DEFAULT_POOL_SIZE = 4
DEFAULT_POOL_TIMEOUT_S = 5.0

#: Large imports: after this many statements written by one process, see whether the planner
#: statistics are stale (more rows changed since the last ANALYZE than ANALYZE_THRESHOLD plus
#: ANALYZE_SCALE times the rows counted then) and refresh them in the background.
ANALYZE_CHECK_EVERY = 10_000
ANALYZE_THRESHOLD = 20_000
ANALYZE_SCALE = 0.2

#: Pools left behind by a fork: the child must neither use nor close its parent's connections
#: (psycopg does not close a connection from another process), so it keeps them unreferenced here.
_INHERITED_POOLS: list[ConnectionPool] = []


def parse_store_url(url: str) -> tuple[str, int, float]:
    """(libpq conninfo URL, pool size, pool timeout) of a ``postgresql://`` store URL.

    ``pool_size`` (connections per process, default 4) and ``pool_timeout`` (seconds a request
    waits for a free connection before the 503, default 5) are the store's own options; any
    other query parameter (``sslmode``, ``connect_timeout``, ...) is passed to libpq.
    """
    parts = urlsplit("postgresql://" + url.split("://", 1)[1])
    options = parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in options if k in ("pool_size", "pool_timeout")}
    rest = [(k, v) for k, v in options if k not in ours]
    try:
        size = int(ours.get("pool_size", DEFAULT_POOL_SIZE))
        timeout = float(ours.get("pool_timeout", DEFAULT_POOL_TIMEOUT_S))
    except ValueError:
        raise ValueError(f"postgresql store URL: pool_size takes an integer, pool_timeout a number: {url!r}") from None
    if not 1 <= size <= 1000 or not 0 < timeout <= 600:
        raise ValueError(f"postgresql store URL: pool_size 1-1000, pool_timeout (s) 0-600: {url!r}")
    return urlunsplit(parts._replace(query=urlencode(rest))), size, timeout


def with_pool_size(url: str, size: int) -> str:
    """``url`` with ``pool_size=size`` unless it names a pool size already (``serve`` gives each
    worker process a connection per thread by default)."""
    if any(k == "pool_size" for k, _ in parse_qsl(urlsplit(url).query)):
        return url
    return url + ("&" if "?" in url else "?") + f"pool_size={size}"


class PostgresStore(Store):
    """Store in a PostgreSQL database named by a ``postgresql://`` URL, through a bounded pool of
    connections per process (``?pool_size=N&pool_timeout=S`` in the URL)."""

    def __init__(self, url: str) -> None:
        self._conninfo, self.pool_size, self.pool_timeout = parse_store_url(url)
        self._lock = threading.Lock()
        self._pool_pid = 0
        self._pool_instance: ConnectionPool | None = None
        self._closed = False
        #: A pooled connection idle for longer than this is probed before use, so a database
        #: restart or an idle timeout in between costs no request an error.
        self.probe_after_idle_s = 5.0
        self._written_since_check = 0
        self._written_since_analyze = 0
        self._analyzer: threading.Thread | None = None
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            new = conn.execute("SELECT to_regclass('lrs_statement') IS NULL").fetchone()[0]
            conn.execute(SCHEMA)
            body = INSERT_FUNCTION.split("$fn$")[1]
            current = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = 'lrs_insert_statements'").fetchone()
            if current is None or current[0] != body:  # (re)made only when it changed: no catalog churn
                conn.execute(INSERT_FUNCTION)
            if new:  # statistics of the empty tables: the planner never works from none at all
                conn.execute("ANALYZE " + ", ".join(_TABLES))

    # --- connections ----------------------------------------------------------------------

    def _pool(self) -> ConnectionPool:
        """This process's pool, made on first use and again after a fork."""
        pool = self._pool_instance
        if pool is not None and self._pool_pid == os.getpid():
            return pool
        with self._lock:
            if self._closed:
                raise StoreError("the store is closed")
            if self._pool_instance is not None and self._pool_pid != os.getpid():
                _INHERITED_POOLS.append(self._pool_instance)  # the parent's: never touched here
                self._pool_instance = None
            if self._pool_instance is None:
                self._pool_instance = ConnectionPool(
                    self._conninfo,
                    min_size=1,
                    max_size=self.pool_size,
                    timeout=self.pool_timeout,
                    kwargs={"autocommit": True, "application_name": "spotlight-lrs", "options": CONNECTION_OPTIONS},
                    check=self._check_connection,
                    max_idle=300,
                    reconnect_timeout=60,
                    num_workers=2,
                    name="spotlight-lrs",
                    open=False,
                )
                self._pool_instance.open(wait=False)
                self._pool_pid = os.getpid()
            return self._pool_instance

    def _check_connection(self, conn: psycopg.Connection) -> None:
        """Probe a connection that has been idle for a while (the pool's check on checkout)."""
        if time.monotonic() - getattr(conn, "_lrs_used", 0.0) > self.probe_after_idle_s:
            conn.execute("")

    @contextmanager
    def _one(self) -> Iterator[psycopg.Connection]:
        """A pooled connection in autocommit mode, for single-statement work: each statement is
        atomic by itself and costs one round trip.

        No free connection within the pool timeout, or a connection that breaks (the database
        restarting): :class:`StoreUnavailable`, which the HTTP layer answers with 503 and
        ``Retry-After``. A broken connection makes the pool check its idle ones at once, so the
        requests after it get working connections.
        """
        pool = self._pool()
        try:
            conn = pool.getconn()
        except PoolTimeout:
            raise StoreUnavailable(
                f"no database connection became free within {self.pool_timeout:g} s (pool of {self.pool_size}"
                " per process; the database may also be unreachable)",
                retry_after=max(1, round(self.pool_timeout)),
            ) from None
        try:
            yield conn
        except psycopg.OperationalError as exc:
            if conn.broken or conn.closed:
                with contextlib.suppress(Exception):
                    pool.check()
            raise StoreUnavailable(f"the database did not complete the request: {exc}".strip(), retry_after=2) from exc
        finally:
            conn._lrs_used = time.monotonic()  # type: ignore[attr-defined]
            pool.putconn(conn)

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        """One transaction on a pooled connection (rolled back on any exception)."""
        with self._one() as conn, conn.transaction():
            yield conn

    def _fetch(self, statement: sql.Composable | str, params: Sequence | Mapping | None = None,
               *, raw_text: bool = False) -> list[tuple]:
        """The rows of one read-only statement, tried once more on a fresh connection when the
        first broke (a database restart between two requests costs no read an error).

        ``raw_text``: text columns come as their UTF-8 bytes (binary results, no decoding to
        ``str``): statement bodies go straight to the JSON decoder, which reads bytes fastest."""
        for attempt in (1, 2):
            try:
                with self._one() as conn:
                    if not raw_text:
                        return conn.execute(statement, params).fetchall()
                    cursor = conn.cursor(binary=True)
                    cursor.adapters.register_loader("text", ByteaBinaryLoader)  # text's binary form: its bytes
                    return cursor.execute(statement, params).fetchall()
            except StoreUnavailable as exc:
                if attempt == 2 or not isinstance(exc.__cause__, psycopg.OperationalError):
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool_instance = self._pool_instance, None
        analyzer = self._analyzer
        if analyzer is not None:
            analyzer.join(timeout=30)
        if pool is not None and self._pool_pid == os.getpid():
            pool.close(timeout=5)

    # --- planner statistics ---------------------------------------------------------------

    def _note_written(self, count: int) -> None:
        """Count statements written by this process; now and then see whether they made the
        planner statistics stale (a large import), and refresh them in the background."""
        self._written_since_check += count
        self._written_since_analyze += count
        if self._written_since_check < ANALYZE_CHECK_EVERY:
            return
        self._written_since_check = 0
        with self._lock:
            if self._closed or (self._analyzer is not None and self._analyzer.is_alive()):
                return
            self._analyzer = threading.Thread(target=self._refresh_statistics, name="lrs-analyze", daemon=True)
            self._analyzer.start()

    def _refresh_statistics(self) -> None:
        """ANALYZE the statement tables when they changed much since the last ANALYZE (as
        autovacuum would, and also where autovacuum is off). One process at a time, on a
        connection of its own (not one a request could be waiting for)."""
        try:
            with psycopg.connect(self._conninfo, autocommit=True, application_name="spotlight-lrs analyze",
                                 options=CONNECTION_OPTIONS) as conn:
                # Changes counted in statements (each has several key rows): by every process as
                # PostgreSQL counts them (published up to seconds late), or by this one.
                written = self._written_since_analyze
                stale = conn.execute(
                    "SELECT greatest(t.n_mod_since_analyze, %s) > %s + %s * greatest(c.reltuples, 0)"
                    " FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid"
                    " WHERE t.relid = 'lrs_statement'::regclass",
                    (written, ANALYZE_THRESHOLD, ANALYZE_SCALE),
                ).fetchone()[0]
                if stale and conn.execute("SELECT pg_try_advisory_lock(%s)", (_ANALYZE_LOCK,)).fetchone()[0]:
                    conn.execute("ANALYZE lrs_statement, lrs_statement_key")
                    self._written_since_analyze -= written
        except psycopg.Error:
            pass  # statistics are an optimisation: the queries do not depend on them

    # --- statements -----------------------------------------------------------------------

    def insert_statements(
        self, records: Sequence[StatementRecord], attachments: Mapping[str, bytes] | None = None
    ) -> str:
        """The whole batch in one round trip: ``lrs_insert_statements`` (see ``INSERT_FUNCTION``)
        checks ids and voiding, takes ``stored`` and positions under the write lock, and inserts
        the rows, their index keys and attachments from arrays sent in binary; the statement's
        implicit transaction commits before the function's caller gets the answer."""
        ids = [r.id for r in records]
        repeated = repeated_ids(ids)
        if repeated:
            raise StatementConflict(repeated)
        key_positions: list[int] = []
        key_kinds: list[str] = []
        key_values: list[str] = []
        for position, record in enumerate(records, 1):
            for kind, key in key_rows(record):
                key_positions.append(position)
                key_kinds.append(kind)
                key_values.append(key)
        bodies = [dump_statement(without_stored(r.statement)) for r in records]
        attachments = attachments or {}
        arguments = (
            ids, [r.verb_id for r in records], [r.registration for r in records],
            [r.statement_ref for r in records], [r.voids for r in records], bodies,
            key_positions, key_kinds, key_values, list(attachments), list(attachments.values()),
        )  # fmt: skip
        for attempt in (1, 2):
            try:
                with self._one() as conn:
                    stored = conn.execute(_INSERT_CALL, arguments).fetchone()[0]
                break
            except psycopg.errors.UniqueViolation as exc:
                # The function names the ids already stored; a unique index names none, but can
                # only fire if something wrote without the lock.
                raise StatementConflict(json.loads(exc.diag.message_detail or "null") or ids) from None
            except StoreUnavailable as exc:
                # A connection broken before or during the call: once more on a fresh one. If the
                # first call committed, this one reports the ids as conflicts, which the API
                # resolves by comparing the stored statements with the ones sent.
                if attempt == 2 or not isinstance(exc.__cause__, psycopg.OperationalError):
                    raise
        self._note_written(len(records))
        return stored

    def get_statements(self, ids: Sequence[str]) -> dict[str, StoredStatement]:
        rows = self._fetch("SELECT id, body::text, voided FROM lrs_statement WHERE id = ANY(%s)", (list(ids),))
        found = {}
        for sid, text, voided in rows:
            body = load_statement(text)
            found[sid] = StoredStatement(body, voided, body["stored"])
        return found

    def query_statements(self, query: StatementQuery, cursor: str | None = None) -> StatementPage:
        """Two index walks in position order, each cut after a page, in one round trip: the
        statements matching the filters themselves, and those whose StatementRef chain reaches
        one that does (see :func:`_page_statements`)."""
        after = parse_cursor(cursor) if cursor is not None else None
        bounds = _time_bounds(query.since, query.until)
        if after is not None:
            bounds.append((">", after) if query.ascending else ("<", after))
        keys = _key_filters(query)
        if query.authority:
            keys.append((AUTHORITY, query.authority))
        limit = query.limit + 1
        statement = _page_statements(
            keys, _column_filters(query), bounds, ascending=query.ascending, limit=limit, include_voided=False
        )
        if _content_filtered(query):
            referring = _page_referring(query, bounds, ascending=query.ascending, limit=limit)
            statement = sql.SQL("({}) UNION ALL ({})").format(statement, referring)
        rows = sorted(dict(self._fetch(statement, raw_text=True)).items(), reverse=not query.ascending)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        return StatementPage([load_statement(text) for _, text in rows], str(rows[-1][0]) if more else None)

    def _stream_page(self, flt: StreamFilter, after: str | None, size: int) -> tuple[list[bytes], str | None]:
        query = flt.content_query()
        bounds = _time_bounds(flt.since, flt.until)
        bounds.append((">", parse_cursor(after) if after else 0))
        if flt.through_position is not None:
            bounds.append(("<=", flt.through_position))
        statement = _page_statements(
            _key_filters(query), _column_filters(query), bounds, ascending=True, limit=size,
            include_voided=flt.include_voided,
        )
        rows = self._fetch(statement, raw_text=True)
        return [text for _, text in rows], (str(rows[-1][0]) if len(rows) == size else None)

    def last_position(self) -> int:
        return self._fetch("SELECT coalesce(max(seq), 0) FROM lrs_statement")[0][0]

    def get_attachments(self, sha2s: Sequence[str]) -> dict[str, bytes]:
        rows = self._fetch("SELECT sha2, content FROM lrs_attachment WHERE sha2 = ANY(%s)", (list(sha2s),))
        return {sha2: bytes(content) for sha2, content in rows}

    def consistent_through(self) -> str:
        """The database clock when no statement write is in progress (any later one is stored
        after it), else the last committed ``stored``: a write commits, and becomes visible to
        every server, before it releases the write lock, and no write stores an earlier time.
        The same on every server: the answer comes from the one database, never a process."""
        free, now, last = self._fetch(
            "SELECT pg_try_advisory_xact_lock_shared(%s), clock_timestamp(),"
            " (SELECT stored FROM lrs_statement ORDER BY seq DESC LIMIT 1)",
            (_WRITE_LOCK,),
        )[0]
        if free:  # no write in flight: any later one is stored after now
            return format_timestamp(max(now - _ONE_MICROSECOND, last or now))
        epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)
        return format_timestamp(last or epoch)

    def count_statements(self) -> int:
        return self._fetch("SELECT count(*) FROM lrs_statement")[0][0]

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


_DOC_KEY = "kind = %s AND activity_id = %s AND agent = %s AND registration = %s AND doc_id = %s"
_CREDENTIAL_SELECT = "SELECT key, secret_hash, scopes, authority, name, created, revoked FROM lrs_credential"


def _scope_filter(scope: DocumentScope) -> tuple[str, list[str]]:
    where = "kind = %s AND activity_id = %s AND agent = %s"
    params = [scope.kind, scope.activity_id, scope.agent]
    if scope.registration is not None:
        where += " AND registration = %s"
        params.append(scope.registration)
    return where, params


# --- statement queries ----------------------------------------------------------------------
#
# Every statement query is one walk of one index in position (``seq``) order, cut after a page:
# the (kind, key, seq) key index when an agent, activity or authority filter is given, else the
# (verb, seq) or (registration, seq) index, else the primary key. The other filters are checked
# on each row reached, by probes of unique index entries. Time bounds become position bounds
# first (position order is stored order; one probe of the (stored, seq) index each), so the walk
# starts and stops at the right place. With the connection settings (CONNECTION_OPTIONS) these
# walks are the only plans the planner can choose cheaply, whatever the statistics say.

_Bound = tuple[str, "int | sql.Composable"]


def _key_filters(query: StatementQuery) -> list[tuple[str, str]]:
    """(kind, key) rows of ``lrs_statement_key`` a statement must have to match ``query``."""
    keys = []
    if query.agent:
        keys.append((RELATED_AGENT if query.related_agents else AGENT, query.agent))
    if query.activity:
        keys.append((RELATED_ACTIVITY if query.related_activities else ACTIVITY, query.activity))
    return keys


def _column_filters(query: StatementQuery) -> list[tuple[str, str]]:
    """(column, value) equalities on ``lrs_statement`` a statement must satisfy."""
    columns = []
    if query.verb:
        columns.append(("verb", query.verb))
    if query.registration:
        columns.append(("registration", query.registration))
    return columns


def _content_filtered(query: StatementQuery) -> bool:
    return bool(query.agent or query.activity or query.verb or query.registration)


def _has_key(alias: str, kind: str, key: str) -> sql.Composable:
    """A probe of one (kind, key, seq) entry of the key index for the statement ``alias``.

    A scalar subquery (at most one row: the entry is the primary key), not ``EXISTS``: the
    planner may turn an ``EXISTS`` into a join that reads every entry of the key once per row
    walked, but it always runs a scalar subquery as a probe per row."""
    return sql.SQL(
        "(SELECT true FROM lrs_statement_key k WHERE k.kind = {} AND k.key = {} AND k.seq = {}.seq)"
    ).format(kind, key, sql.Identifier(alias))


def _content_conditions(alias: str, keys: list[tuple[str, str]], columns: list[tuple[str, str]]) -> list:
    conditions = [sql.SQL("{}.{} = {}").format(sql.Identifier(alias), sql.Identifier(c), v) for c, v in columns]
    return conditions + [_has_key(alias, kind, key) for kind, key in keys]


def _page_statements(
    keys: list[tuple[str, str]],
    columns: list[tuple[str, str]],
    bounds: list[_Bound],
    *,
    ascending: bool,
    limit: int,
    include_voided: bool,
) -> sql.Composed:
    """``SELECT seq, body::text`` of the first ``limit`` statements matching the filters
    themselves, in position order, within the position ``bounds``.

    With a key filter the walk is driven by the key index (``d``): its position bounds and
    order are on ``d.seq``, so the index range scan starts at the cursor and needs no sort."""
    order = sql.SQL("ASC" if ascending else "DESC")
    if keys:
        (kind, key), others = keys[0], keys[1:]
        driver = sql.SQL("d.seq")
        source = sql.SQL("lrs_statement_key d JOIN lrs_statement s ON s.seq = d.seq")
        conditions = [sql.SQL("d.kind = {} AND d.key = {}").format(kind, key)]
    else:
        others, driver, source, conditions = [], sql.SQL("s.seq"), sql.SQL("lrs_statement s"), []
    conditions += [sql.SQL("{} {} {}").format(driver, sql.SQL(op), value) for op, value in bounds]
    conditions += _content_conditions("s", others, columns)
    if not include_voided:
        conditions.append(sql.SQL("NOT s.voided"))
    return sql.SQL("SELECT s.seq, s.body::text FROM {} WHERE {} ORDER BY {} {} LIMIT {}").format(
        source, sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("true"), driver, order, limit
    )


def _page_referring(query: StatementQuery, bounds: list[_Bound], *, ascending: bool, limit: int) -> sql.Composed:
    """The first ``limit`` statements (not voided, within ``bounds``) whose StatementRef chain
    reaches a statement matching every content filter of ``query``.

    It walks the partial index of statements that hold a StatementRef (``lrs_statement_referrer``,
    usually a small share of the store) in position order and follows each one's chain through
    the unique id index; the chain stops at a statement already seen, so a cycle of references
    (possible: a reference may name a statement stored later) ends."""
    order = sql.SQL("ASC" if ascending else "DESC")
    conditions = [sql.SQL("s.statement_ref IS NOT NULL"), sql.SQL("NOT s.voided")]
    conditions += [sql.SQL("s.seq {} {}").format(sql.SQL(op), value) for op, value in bounds]
    if query.authority:
        conditions.append(_has_key("s", AUTHORITY, query.authority))
    target = _content_conditions("t", _key_filters(query), _column_filters(query))
    conditions.append(
        sql.SQL(
            "EXISTS (WITH RECURSIVE chain(id) AS (SELECT s.statement_ref UNION"
            " SELECT r.statement_ref FROM chain c JOIN lrs_statement r ON r.id = c.id"
            " WHERE r.statement_ref IS NOT NULL)"
            " SELECT FROM chain c JOIN lrs_statement t ON t.id = c.id WHERE {})"
        ).format(sql.SQL(" AND ").join(target))
    )
    return sql.SQL("SELECT s.seq, s.body::text FROM lrs_statement s WHERE {} ORDER BY s.seq {} LIMIT {}").format(
        sql.SQL(" AND ").join(conditions), order, limit
    )


def _time_bounds(since: str | None, until: str | None) -> list[_Bound]:
    """``since``/``until`` as bounds on positions: position order is stored order, so each bound
    is one probe of the (stored, seq) index, and the walk stays on its own index in position
    order instead of visiting every statement of the time range."""
    last_at = sql.SQL(
        "(SELECT coalesce((SELECT seq FROM lrs_statement WHERE stored <= {}"
        " ORDER BY stored DESC, seq DESC LIMIT 1), 0))"
    )
    bounds: list[_Bound] = []
    if since:
        bounds.append((">", last_at.format(_parse_timestamp(since))))
    if until:
        bounds.append(("<=", last_at.format(_parse_timestamp(until))))
    return bounds


def key_rows(record: StatementRecord) -> Iterator[tuple[str, str]]:
    """The ``lrs_statement_key`` rows (kind, key) of one statement: what each filter matches."""
    for kind, keys in (
        (AGENT, record.agent_keys),
        (RELATED_AGENT, record.related_agent_keys | record.agent_keys),
        (ACTIVITY, record.activity_ids),
        (RELATED_ACTIVITY, record.related_activity_ids | record.activity_ids),
        (AUTHORITY, record.authority_keys),
    ):
        for key in keys:
            yield kind, key


def without_stored(statement: dict) -> dict:
    """The statement without ``stored`` (the insert function appends the one it takes)."""
    return {k: v for k, v in statement.items() if k != "stored"} if "stored" in statement else statement


def _parse_timestamp(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _credential(row: tuple) -> Credential:
    key, secret_hash, scopes, authority, name, created, revoked = row
    return Credential(key, secret_hash, tuple(scopes), authority, name, created, revoked)
