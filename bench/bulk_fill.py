"""Fill a SQLite or PostgreSQL LRS store with millions of statements fast, for benchmarks.

``Store.insert_statements`` costs about 140 µs a statement on PostgreSQL and 110 µs on SQLite
on the 2-core development machine, most of it index upkeep, and the rules layer in front of it
(``normalise`` + ``build_record``) another 100 µs: ten million statements would take an hour
per store. Benchmarks only need a store *as the LRS would have written it*, so this module
writes the very rows ``insert_statements`` writes, in big transactions:

- the same tables and columns, the same statement bodies (``stored`` appended), the same index
  key rows (PostgreSQL: :func:`lrs.stores.postgres.key_rows`, the function the store itself
  uses; SQLite: the three key tables, as ``SQLiteStore.insert_statements`` fills them), positions
  and ``stored`` taken as the store takes them (under the PostgreSQL statement-write lock, or
  SQLite's write lock), voiding applied;
- PostgreSQL through ``COPY``, SQLite through ``executemany``; the loading connection skips the
  per-commit flush (``synchronous_commit = off`` / ``synchronous = OFF``): nothing a client was
  told is stored depends on it, and the last commit is made durable before the loader returns;
- the secondary indexes the store makes when it opens (``CREATE INDEX IF NOT EXISTS`` in its
  schema) and that the loading does not read are dropped first and made again at the end by
  opening the store, which builds each in one sorted pass instead of millions of inserts.

``tests/lrs/test_bench_bulk_fill.py`` checks that a store filled here holds exactly what the
same records written through ``insert_statements`` give (every table, every column but the
positions' and ``stored``'s values), on both stores. The measured operations of the benchmarks
(POSTs and GETs) always go through the real server.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from types import TracebackType

from lrs.stores import StatementRecord, open_store, path_from_url
from lrs.stores.base import dump_statement

#: Indexes the loading itself reads (voiding of stored targets), kept during a load.
_KEEP = {"lrs_statement_voids", "statements_voids"}


def _secondary_indexes(schema: str) -> list[str]:
    return [name for name in re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", schema) if name not in _KEEP]


def _copy_text(value: str | None) -> str:
    """A field of COPY's text format."""
    if value is None:
        return "\\N"
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class BulkWriter:
    """``with BulkWriter(url) as writer: writer.write(records)``; indexes are made again on exit."""

    def __init__(self, url: str, drop_indexes: bool = True) -> None:
        self.url = url
        self.kind = "postgres" if url.split("://", 1)[0] in ("postgresql", "postgres") else "sqlite"
        if url.startswith("tinydb"):
            raise ValueError("bulk filling is for the SQLite and PostgreSQL stores")
        self.drop_indexes = drop_indexes
        self.written = 0
        self.index_seconds = 0.0
        open_store(url).close()  # the schema
        if self.kind == "postgres":
            import psycopg

            from lrs.stores.postgres import SCHEMA, parse_store_url

            self._pg = psycopg.connect(parse_store_url(url)[0], autocommit=True)
            self._pg.execute("SET synchronous_commit = off")
            self._schema = SCHEMA
        else:
            from lrs.stores.sqlite import SCHEMA

            self._sqlite = sqlite3.connect(path_from_url(url), isolation_level=None, timeout=60)
            self._sqlite.execute("PRAGMA journal_mode=WAL")
            self._sqlite.execute("PRAGMA synchronous=OFF")
            self._sqlite.execute("PRAGMA cache_size=-1000000")  # 1 GB: the key tables' pages stay in memory
            self._schema = SCHEMA

    def __enter__(self) -> BulkWriter:
        if self.drop_indexes:
            for name in _secondary_indexes(self._schema):
                self._execute(f"DROP INDEX IF EXISTS {name}")
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.kind == "postgres":
            self._pg.execute("SET synchronous_commit = on")
            self._pg.execute("SELECT txid_current()")  # a flushed commit after the loaded ones
            self._pg.close()
        else:
            self._sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._sqlite.close()
        started = time.perf_counter()
        open_store(self.url).close()  # CREATE INDEX IF NOT EXISTS: the dropped indexes, one sorted pass each
        self.index_seconds = time.perf_counter() - started

    def _execute(self, statement: str) -> None:
        (self._pg if self.kind == "postgres" else self._sqlite).execute(statement)

    def write(self, records: Sequence[StatementRecord]) -> None:
        """One transaction: positions after every stored statement, one ``stored`` for the batch."""
        if any(r.attachment_hashes for r in records):
            raise ValueError("bulk filling writes no attachments")
        if self.kind == "postgres":
            self._write_postgres(records)
        else:
            self._write_sqlite(records)
        self.written += len(records)

    def _write_postgres(self, records: Sequence[StatementRecord]) -> None:
        from lrs.stores.postgres import _WRITE_LOCK, key_rows, without_stored

        ids = [r.id for r in records]
        with self._pg.transaction():
            conn = self._pg
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            # As lrs_insert_statements takes them: stored strictly after the last, positions in a row.
            stored, first = conn.execute(
                "SELECT to_char(greatest(clock_timestamp(), (SELECT stored FROM lrs_statement ORDER BY seq DESC"
                " LIMIT 1) + interval '1 microsecond') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
                " nextval('lrs_statement_seq')"
            ).fetchone()
            conn.execute("SELECT setval('lrs_statement_seq', %s)", (first + len(records) - 1,))
            voided = {row[0] for row in conn.execute("SELECT voids FROM lrs_statement WHERE voids = ANY(%s)", (ids,))}
            targets = [r.voids for r in records if r.voids]
            voided |= set(targets)
            tail = ',"stored":"' + stored + '"}'
            with conn.cursor().copy(
                "COPY lrs_statement (seq, id, stored, verb, registration, statement_ref, voids, voided, body)"
                " FROM STDIN"
            ) as copy:
                lines = []
                for seq, record in enumerate(records, first):
                    body = dump_statement(without_stored(record.statement))[:-1] + tail
                    fields = (str(seq), record.id, stored, record.verb_id, record.registration, record.statement_ref,
                              record.voids, "t" if record.id in voided else "f", body)
                    lines.append("\t".join(map(_copy_text, fields)))
                copy.write("\n".join(lines) + "\n")
            with conn.cursor().copy("COPY lrs_statement_key (kind, key, seq) FROM STDIN") as copy:
                copy.write("".join(f"{kind}\t{_copy_text(key)}\t{seq}\n"
                                   for seq, record in enumerate(records, first) for kind, key in key_rows(record)))
            if targets:
                conn.execute("UPDATE lrs_statement SET voided = true WHERE id = ANY(%s) AND NOT voided", (targets,))

    def _write_sqlite(self, records: Sequence[StatementRecord]) -> None:
        from lrs.stores.base import utc_now

        conn = self._sqlite
        ids = [r.id for r in records]
        conn.execute("BEGIN IMMEDIATE")
        try:
            last = conn.execute("SELECT stored FROM statements ORDER BY seq DESC LIMIT 1").fetchone()
            stored = max(utc_now(), last[0]) if last else utc_now()
            used = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'statements'").fetchone()
            first = (used[0] if used else 0) + 1
            targets = [r.voids for r in records if r.voids]
            voided = set(targets)
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                voided |= {row[0] for row in conn.execute(
                    f"SELECT voids FROM statements WHERE voids IN ({','.join('?' * len(chunk))})", chunk)}
            # The rows SQLiteStore.insert_statements writes (lrs/stores/sqlite.py).
            conn.executemany(
                "INSERT INTO statements (seq, id, stored, verb, registration, statement_ref, voids, voided, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(seq, r.id, stored, r.verb_id, r.registration, r.statement_ref, r.voids, int(r.id in voided),
                  dump_statement(dict(r.statement, stored=stored))) for seq, r in enumerate(records, first)],
            )
            conn.executemany("UPDATE statements SET voided = 1 WHERE id = ?", [(t,) for t in targets])
            conn.executemany(
                "INSERT OR IGNORE INTO statement_agents VALUES (?, ?, ?)",
                [(seq, k, int(k in r.agent_keys)) for seq, r in enumerate(records, first)
                 for k in r.agent_keys | r.related_agent_keys])
            conn.executemany(
                "INSERT OR IGNORE INTO statement_activities VALUES (?, ?, ?)",
                [(seq, a, int(a in r.activity_ids)) for seq, r in enumerate(records, first)
                 for a in r.activity_ids | r.related_activity_ids])
            conn.executemany("INSERT OR IGNORE INTO statement_authorities VALUES (?, ?)",
                             [(seq, k) for seq, r in enumerate(records, first) for k in r.authority_keys])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def bulk_fill(url: str, batches: Iterable[Sequence[StatementRecord]], drop_indexes: bool = True) -> dict:
    """Write every batch; return {"statements", "seconds", "index_seconds"} (seconds include the
    index builds)."""
    started = time.perf_counter()
    with BulkWriter(url, drop_indexes) as writer:
        for batch in batches:
            writer.write(batch)
    return {"statements": writer.written, "seconds": time.perf_counter() - started,
            "index_seconds": writer.index_seconds}
