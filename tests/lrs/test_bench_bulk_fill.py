"""The benchmark's bulk fill (bench/bulk_fill.py) writes exactly what ``insert_statements`` writes.

bench/lrs.py fills stores of up to ten million statements with it, so its GET and write figures
are only worth something if a bulk-filled store is the store the LRS would have made: the same
rows in every table (bodies, index keys, voiding, positions), the same indexes afterwards.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import sqlite3
import sys
import uuid
from pathlib import Path

import pytest
from conftest import make_store_url

from lrs.stores import open_store, path_from_url
from lrs.xapi.statements import build_record, normalise

BENCH = Path(__file__).resolve().parents[2] / "bench"
AUTHORITY = {"objectType": "Agent", "name": "bench", "mbox": "mailto:bench@example.org"}


def _bench_module(name: str, filename: str):
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bulk = _bench_module("bench_bulk_fill", "bulk_fill.py")


def _batches() -> list[list]:
    """Three batches through the real rules layer: plain statements, then voiding (of a target
    in an earlier batch and of one in the same batch), a StatementRef, a group actor, and text
    that COPY must escape (tab, newline, backslash, non-ASCII)."""
    rnd = random.Random(3)
    now = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)

    def statement(learner: int, verb: str = "http://adlnet.gov/expapi/verbs/answered", **extra) -> dict:
        made = {
            "id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            "actor": {"mbox": f"mailto:learner{learner}@example.org"},
            "verb": {"id": verb},
            "object": {"id": f"http://example.org/activities/{learner % 7}",
                       "definition": {"name": {"es-MX": "Actividad ñ"}}},
            "context": {"registration": str(uuid.UUID(int=learner % 5)),
                        "contextActivities": {"parent": [{"id": f"http://example.org/courses/{learner % 3}"}]}},
        }
        made.update(extra)
        return made

    first = [statement(n) for n in range(60)]
    same_batch_target = statement(99)
    second = [
        statement(1, "http://adlnet.gov/expapi/verbs/voided",
                  object={"objectType": "StatementRef", "id": first[0]["id"]}),
        statement(2, "http://adlnet.gov/expapi/verbs/experienced",
                  object={"objectType": "StatementRef", "id": first[1]["id"]}),
        statement(3, actor={"objectType": "Group", "name": "equipo",
                            "member": [{"mbox": "mailto:a@example.org"}, {"account": {"homePage": "https://x.mx",
                                                                                          "name": "b"}}]}),
        statement(4, result={"response": "tab\there\nnew line \\ backslash \"quoted\" é 😀"}),
        same_batch_target,
        statement(5, "http://adlnet.gov/expapi/verbs/voided",
                  object={"objectType": "StatementRef", "id": same_batch_target["id"]}),
    ]
    third = [statement(n) for n in range(100, 140)]
    return [[build_record(normalise(s, "1.0.3", AUTHORITY, now)) for s in batch] for batch in (first, second, third)]


def _without_stored(body: str) -> tuple[dict, str]:
    parsed = json.loads(body)
    return parsed, parsed.pop("stored")


def _dump_postgres(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT seq, id, stored, verb, registration, statement_ref, voids, voided, body::text"
                            " FROM lrs_statement ORDER BY seq").fetchall()
        keys = conn.execute("SELECT kind, key, seq FROM lrs_statement_key ORDER BY seq, kind, key").fetchall()
        indexes = conn.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'lrs_%'"
                               " ORDER BY indexname").fetchall()
        last = conn.execute("SELECT last_value FROM lrs_statement_seq").fetchone()[0]
    statements, stored = [], []
    for seq, sid, moment, *columns, body in rows:
        parsed, in_body = _without_stored(body)
        assert in_body == moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        statements.append((seq, sid, *columns, parsed))
        stored.append(in_body)
    return {"statements": statements, "keys": keys, "indexes": indexes, "sequence": last, "stored": stored}


def _dump_sqlite(url: str) -> dict:
    conn = sqlite3.connect(path_from_url(url))
    try:
        rows = conn.execute("SELECT seq, id, verb, registration, statement_ref, voids, voided, stored, body"
                            " FROM statements ORDER BY seq").fetchall()
        tables = {name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall())
                  for name in ("statement_agents", "statement_activities", "statement_authorities")}
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
        sequence = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'statements'").fetchone()
    finally:
        conn.close()
    statements, stored = [], []
    for *columns, moment, body in rows:
        parsed, in_body = _without_stored(body)
        assert in_body == moment
        statements.append((*columns, parsed))
        stored.append(in_body)
    return {"statements": statements, **tables, "indexes": indexes, "sequence": sequence, "stored": stored}


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_bulk_fill_writes_what_insert_statements_writes(kind: str, request: pytest.FixtureRequest,
                                                        tmp_path: Path) -> None:
    batches = _batches()
    dump = _dump_postgres if kind == "postgres" else _dump_sqlite
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()

    through_store = make_store_url(kind, request, tmp_path / "a")
    store = open_store(through_store)
    try:
        for batch in batches:
            store.insert_statements(batch)
    finally:
        store.close()
    expected = dump(through_store)

    bulk_filled = make_store_url(kind, request, tmp_path / "b")  # PostgreSQL: the same database, emptied
    figures = bulk.bulk_fill(bulk_filled, batches)
    found = dump(bulk_filled)

    assert figures["statements"] == sum(map(len, batches))
    for name in expected:
        if name != "stored":
            assert found[name] == expected[name], name
    # stored: one per batch, strictly increasing from batch to batch, as the store takes it
    sizes = [len(b) for b in batches]
    for dumped in (expected, found):
        per_batch, start = [], 0
        for size in sizes:
            assert len(set(dumped["stored"][start:start + size])) == 1
            per_batch.append(dumped["stored"][start])
            start += size
        assert per_batch == sorted(set(per_batch))
    voided = {row[1] for row in found["statements"] if row[6]}
    assert voided == {batches[0][0].id, batches[1][4].id}

    with open_store(bulk_filled) as reopened:  # the store reads and writes on, as usual
        assert reopened.count_statements() == sum(sizes)
        assert reopened.get_statements([batches[1][3].id])[batches[1][3].id].statement["result"]["response"] \
            == batches[1][3].statement["result"]["response"]
        later = {"actor": {"mbox": "mailto:later@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/x"},
                 "object": {"id": "http://example.org/a"}}
        reopened.insert_statements([build_record(normalise(later, "1.0.3", AUTHORITY, dt.datetime.now(dt.UTC)))])
        assert reopened.count_statements() == sum(sizes) + 1


def test_fast_bench_records_are_the_rules_layer_records() -> None:
    """bench/lrs.py builds its millions of records without the rules layer; they must be equal."""
    bench_lrs = _bench_module("bench_lrs", "lrs.py")
    bench_lrs.check_fast_records(300)
    rnd = random.Random(1)
    picked = bench_lrs._pick(rnd)
    wrong = bench_lrs.fast_record(picked, "2026-12-05T00:00:00.000Z")
    real = build_record(normalise(bench_lrs._statement(picked), "1.0.3", AUTHORITY, dt.datetime.now(dt.UTC)))
    assert wrong != real  # a different timestamp is caught: the comparison is of whole records
