"""Query plans of the PostgreSQL store do not depend on statistics (issue 17).

On a fresh database (its own cluster, autovacuum off) loaded through the store, every query
shape the statements API and analytics issue is EXPLAINed (JSON) on a store connection: it must
walk the intended index in position order, with no sequential scan, sort, bitmap scan, hash or
merge join and no JIT, both with the statistics the store leaves (ANALYZE at schema creation,
then a load too small for the next one) and with no statistics at all. After ANALYZE the planner
may prefer another index walk (a common verb is as quickly found on the primary key), but still
never anything else.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest

from lrs.stores import StatementQuery, StreamFilter, open_store
from lrs.stores.postgres import CONNECTION_OPTIONS, PostgresStore
from lrs.xapi.statements import build_record, normalise

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

STATEMENTS = 12_000
VERBS = [f"http://adlnet.gov/expapi/verbs/{v}" for v in ("experienced", "answered", "completed", "passed", "failed")]
AUTHORITY = {"objectType": "Agent", "name": "planner", "mbox": "mailto:planner@example.org"}
FORBIDDEN = {"Seq Scan", "Sort", "Incremental Sort", "Bitmap Heap Scan", "Bitmap Index Scan", "Hash Join",
             "Merge Join"}
TABLES = ("lrs_statement", "lrs_statement_key")


def make_statement(rnd: random.Random) -> dict:
    activity = rnd.randrange(100)
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:learner{rnd.randrange(300)}@example.org"},
        "verb": {"id": rnd.choice(VERBS)},
        "object": {"id": f"http://example.org/activities/{activity}"},
        "context": {
            "registration": str(uuid.UUID(int=rnd.randrange(500))),
            "contextActivities": {"parent": [{"id": f"http://example.org/courses/{activity % 5}"}]},
        },
    }


@pytest.fixture(scope="module")
def loaded(private_cluster) -> Iterator[tuple[PostgresStore, dict]]:
    """A fresh database loaded with 12,000 statements (some voided, some referring), and
    values to query: a learner, an activity, a course, a registration, a stored time."""
    url = private_cluster.create_database(f"planner_{uuid.uuid4().hex[:8]}")
    store = open_store(url)
    rnd = random.Random(17)
    now = dt.datetime.now(dt.UTC)
    statements = [make_statement(rnd) for _ in range(STATEMENTS)]
    for start in range(0, STATEMENTS, 1000):
        store.insert_statements([build_record(normalise(s, "1.0.3", AUTHORITY, now))
                                 for s in statements[start:start + 1000]])
    targets = rnd.sample(statements, 200)
    refs = [{"actor": t["actor"], "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
             "object": {"objectType": "StatementRef", "id": t["id"]}} for t in targets[:100]]
    refs += [{"actor": t["actor"], "verb": {"id": "http://example.org/verbs/commented"},
              "object": {"objectType": "StatementRef", "id": t["id"]}} for t in targets[100:]]
    store.insert_statements([build_record(normalise(s, "1.0.3", AUTHORITY, now)) for s in refs])
    middle = store.get_statement(statements[STATEMENTS // 2]["id"])
    sample = statements[0]
    values = {
        "agent": "mbox:" + sample["actor"]["mbox"],
        "activity": sample["object"]["id"],
        "course": sample["context"]["contextActivities"]["parent"][0]["id"],
        "registration": sample["context"]["registration"],
        "verb": sample["verb"]["id"],
        "stored": middle.stored,
        "authority": "mbox:mailto:planner@example.org",
    }
    try:
        yield store, values
    finally:
        store.close()


def captured_statements(store: PostgresStore, call: Callable[[PostgresStore], object]) -> list:
    """The SQL statements (with parameters) ``call`` sends through the store."""
    sent: list = []
    real = store._fetch

    def spy(statement, params=None, **options):
        sent.append((statement, params))
        return real(statement, params, **options)

    store._fetch = spy  # type: ignore[method-assign]
    try:
        call(store)
    finally:
        del store._fetch
    return sent


def shapes(v: dict) -> dict[str, tuple[Callable[[PostgresStore], object], list[str]]]:
    """Every query shape: what to call, and the index each branch of its plan must walk
    (the StatementRef branch of filtered queries walks the referring statements' index)."""
    key, verb, reg, ref = "lrs_statement_key_pkey", "lrs_statement_verb", "lrs_statement_registration", \
        "lrs_statement_referrer"
    pkey = "lrs_statement_pkey"

    def page(expected: list[str], **filters) -> tuple[Callable[[PostgresStore], object], list[str]]:
        return (lambda store: store.query_statements(StatementQuery(limit=50, **filters))), expected

    def second_page(expected: list[str], **filters) -> tuple[Callable[[PostgresStore], object], list[str]]:
        def call(store: PostgresStore) -> object:
            first = store.query_statements(StatementQuery(limit=20, **filters))
            assert first.cursor is not None
            return store.query_statements(StatementQuery(limit=20, **filters), first.cursor)
        return call, expected

    def stream(expected: list[str], **filters) -> tuple[Callable[[PostgresStore], object], list[str]]:
        return (lambda store: store._stream_page(StreamFilter(**filters), None, 500)), expected

    return {
        "by id": ((lambda store: store.get_statements([str(uuid.uuid4()), str(uuid.uuid4())])),
                  ["lrs_statement_id_key"]),
        "no filter": page([pkey]),
        "no filter, ascending": page([pkey], ascending=True),
        "verb": page([verb, ref], verb=v["verb"]),
        "agent": page([key, ref], agent=v["agent"]),
        "related agents": page([key, ref], agent=v["agent"], related_agents=True),
        "activity": page([key, ref], activity=v["activity"]),
        "related activities": page([key, ref], activity=v["course"], related_activities=True),
        "registration": page([reg, ref], registration=v["registration"]),
        "authority (read/mine)": page([key], authority=v["authority"]),
        "since": page([pkey], since=v["stored"]),
        "until": page([pkey], until=v["stored"]),
        "verb since ascending": page([verb, ref], verb=v["verb"], since=v["stored"], ascending=True),
        "agent and verb": page([key, ref], agent=v["agent"], verb=v["verb"]),
        "activity and registration": page([key, ref], activity=v["activity"], registration=v["registration"]),
        "agent, activity, until": page([key, ref], agent=v["agent"], activity=v["course"], related_activities=True,
                                       until=v["stored"]),
        "cursor": second_page([pkey]),
        "cursor, verb, ascending": second_page([verb, ref], verb=v["verb"], ascending=True),
        "cursor, related activity": second_page([key, ref], activity=v["course"], related_activities=True),
        "count": ((lambda store: store.count_statements()), [pkey]),
        "last position": ((lambda store: store.last_position()), [pkey]),
        "consistent through": ((lambda store: store.consistent_through()), [pkey]),
        "stream range": stream([pkey], after_position=100, through_position=9000),
        "stream verb": stream([verb], verb=v["verb"], through_position=9000),
        "stream agent": stream([key], agent=v["agent"]),
        "stream related activity, since, until": stream([key], activity=v["course"], related_activities=True,
                                                        since=v["stored"], until="2999-01-01T00:00:00.000000Z"),
        "stream with voided": stream([pkey], include_voided=True),
    }


def plan_of(conn: psycopg.Connection, statement, params) -> dict:
    text = statement if isinstance(statement, str) else statement.as_string(conn)
    return conn.execute("EXPLAIN (FORMAT JSON) " + text, params).fetchone()[0][0]


def nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


def driving_indexes(node: dict) -> list[str]:
    """The index each branch of a plan walks first: the outermost scan, following outer
    children and skipping init plans and subplans (time bounds, per-row probes), one per
    branch of an Append (the direct and StatementRef branches of a filtered query)."""
    if node["Node Type"] == "Append":
        return [index for child in node["Plans"] for index in driving_indexes(child)]
    if "Index Name" in node:
        return [node["Index Name"]]
    children = node.get("Plans", [])
    main = [c for c in children if c.get("Parent Relationship") not in ("InitPlan", "SubPlan")]
    for child in main or children:
        found = driving_indexes(child)
        if found:
            return found
    return []


def check_plans(store: PostgresStore, values: dict, *, exact: bool) -> list[str]:
    problems = []
    with psycopg.connect(store._conninfo, autocommit=True, options=CONNECTION_OPTIONS) as conn:
        for name, (call, expected) in shapes(values).items():
            for statement, params in captured_statements(store, call)[-1:]:
                plan = plan_of(conn, statement, params)
                if "JIT" in plan:
                    problems.append(f"{name}: JIT in the plan")
                kinds = {n["Node Type"] for n in nodes(plan["Plan"])}
                if kinds & FORBIDDEN:
                    problems.append(f"{name}: {sorted(kinds & FORBIDDEN)} in the plan")
                driving = driving_indexes(plan["Plan"])
                if exact and driving != expected:
                    problems.append(f"{name}: walks {driving}, expected {expected}")
                if not exact and (len(driving) != len(expected) or not all(driving)):
                    problems.append(f"{name}: walks {driving}")
    return problems


def test_store_connections_run_without_jit(loaded) -> None:
    store, _ = loaded
    with store._one() as conn:
        settings = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name IN"
                                     " ('jit', 'enable_seqscan', 'enable_sort', 'autovacuum')").fetchall())
    assert settings == {"jit": "off", "enable_seqscan": "off", "enable_sort": "off", "autovacuum": "off"}


def test_plans_with_the_statistics_of_a_fresh_store(loaded) -> None:
    """ANALYZE ran when the store made its (empty) tables; 12,000 statements later the
    statistics still say empty, as on a freshly loaded database with autovacuum off."""
    store, values = loaded
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        analyzed = conn.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)",
                                (list(TABLES),)).fetchall()
    assert dict(analyzed) == dict.fromkeys(TABLES, 0), "the store ANALYZEs its tables when it makes them"
    assert check_plans(store, values, exact=True) == []


def test_plans_without_any_statistics(loaded) -> None:
    store, values = loaded
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        conn.execute("DELETE FROM pg_statistic WHERE starelid = ANY(%s::regclass[])", (list(TABLES),))
        conn.execute("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE relname = ANY(%s)", (list(TABLES),))
    try:
        assert check_plans(store, values, exact=True) == []
    finally:
        with psycopg.connect(store._conninfo, autocommit=True) as conn:
            conn.execute("ANALYZE lrs_statement, lrs_statement_key")


def test_plans_after_analyze_stay_index_walks(loaded) -> None:
    store, values = loaded
    with psycopg.connect(store._conninfo, autocommit=True) as conn:
        conn.execute("ANALYZE lrs_statement, lrs_statement_key")
    assert check_plans(store, values, exact=False) == []


def test_large_imports_refresh_the_statistics(private_cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an import of many statements the store ANALYZEs the statement tables itself
    (autovacuum is off in this cluster), in the background, once the change is large."""
    from lrs.stores import postgres

    monkeypatch.setattr(postgres, "ANALYZE_CHECK_EVERY", 500)
    monkeypatch.setattr(postgres, "ANALYZE_THRESHOLD", 1000)
    url = private_cluster.create_database(f"analyze_{uuid.uuid4().hex[:8]}")
    rnd = random.Random(3)
    now = dt.datetime.now(dt.UTC)
    with open_store(url) as store:
        for _ in range(3):  # checks at 500 (fewer changes than the threshold), 1,000 (as many), 1,500
            store.insert_statements([build_record(normalise(make_statement(rnd), "1.0.3", AUTHORITY, now))
                                     for _ in range(500)])
            assert store._analyzer is not None
            store._analyzer.join(timeout=60)
        with psycopg.connect(url, autocommit=True) as conn:
            tuples = conn.execute("SELECT reltuples FROM pg_class WHERE relname = 'lrs_statement'").fetchone()[0]
    assert tuples >= 1000, "the statement table was not analyzed after the import"
