"""The store contract: every store (sqlite, postgres, tinydb) must pass all of these."""

from __future__ import annotations

import threading
import uuid

import pytest

from lrs.stores import (
    ANY,
    Credential,
    Document,
    DocumentScope,
    PreconditionFailed,
    StatementConflict,
    StatementQuery,
    StatementRecord,
    Store,
    StoreError,
    StreamFilter,
)

VERB = "http://adlnet.gov/expapi/verbs/experienced"
OTHER_VERB = "http://adlnet.gov/expapi/verbs/completed"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ALICE = "mbox:mailto:alice@example.com"
BOB = "mbox:mailto:bob@example.com"
ACT = "http://example.com/activities/one"
PARENT = "http://example.com/activities/parent"


def record(
    verb: str = VERB,
    *,
    actor: str = ALICE,
    activity: str = ACT,
    related_agents: frozenset[str] = frozenset(),
    related_activities: frozenset[str] = frozenset(),
    registration: str | None = None,
    ref: str | None = None,
    voids: str | None = None,
    authority: str | None = None,
    attachments: frozenset[str] = frozenset(),
) -> StatementRecord:
    """A record shaped like the rules layer makes them (keys consistent with the statement)."""
    sid = str(uuid.uuid4())
    target = ref or voids
    obj = {"objectType": "StatementRef", "id": target} if target else {"id": activity}
    statement = {"id": sid, "actor": {"mbox": actor.split(":", 1)[1]}, "verb": {"id": verb}, "object": obj}
    if registration:
        statement["context"] = {"registration": registration}
    return StatementRecord(
        id=sid,
        statement=statement,
        verb_id=verb,
        agent_keys=frozenset({actor}),
        related_agent_keys=frozenset({actor}) | related_agents,
        activity_ids=frozenset() if target else frozenset({activity}),
        related_activity_ids=(frozenset() if target else frozenset({activity})) | related_activities,
        registration=registration,
        authority_keys=frozenset({authority}) if authority else frozenset(),
        statement_ref=target,
        voids=voids,
        attachment_hashes=attachments,
    )


def ids(store: Store, **filters) -> list[str]:
    """Ids of every statement a query returns, following cursors through all pages."""
    query = StatementQuery(**filters)
    found: list[str] = []
    cursor = None
    while True:
        page = store.query_statements(query, cursor)
        found += [s["id"] for s in page.statements]
        if page.cursor is None:
            return found
        cursor = page.cursor


# --- statements -------------------------------------------------------------------------------


def test_insert_and_get_sets_stored(store: Store) -> None:
    rec = record()
    stored = store.insert_statements([rec])
    got = store.get_statement(rec.id)
    assert got is not None
    assert got.statement["stored"] == stored == got.stored
    assert got.statement["verb"] == {"id": VERB}
    assert got.voided is False
    assert store.get_statement(str(uuid.uuid4())) is None
    assert store.count_statements() == 1


def test_every_read_keeps_exact_values(store: Store) -> None:
    """Bodies come back byte-exact in meaning through every read path (GET by id, queries, the
    analytics stream): integers beyond 64 bits stay integers, floats stay floats, and non-ASCII
    text, astral characters included, stays text (the fast paths read UTF-8 bytes)."""
    values = {
        "https://example.org/wide": 2**70 + 12345,
        "https://example.org/negative-wide": -(2**63) - 1,
        "https://example.org/u64": 2**64 - 1,
        "https://example.org/float": 0.1,
        "https://example.org/text": "Niñas y mujeres: atención 🌸 \u2028 \"quoted\" \\ \t",
    }
    rec = record()
    rec.statement["result"] = {"extensions": values, "response": "1234567890123456789012345 digits in text"}
    plain = record(OTHER_VERB)
    store.insert_statements([rec, plain])
    got = store.get_statement(rec.id)
    assert got is not None and got.statement["result"]["extensions"] == values
    queried = {s["id"]: s for s in store.query_statements(StatementQuery(limit=10)).statements}
    streamed = {s["id"]: s for s in store.iter_statements(batch_size=1)}
    for found in (queried, streamed):
        extensions = found[rec.id]["result"]["extensions"]
        assert extensions == values
        assert {k: type(v) for k, v in extensions.items()} == {k: type(v) for k, v in values.items()}
        assert found[plain.id]["verb"] == {"id": OTHER_VERB}


def test_batch_with_existing_id_stores_nothing(store: Store) -> None:
    first = record()
    store.insert_statements([first])
    fresh = record()
    with pytest.raises(StatementConflict) as info:
        store.insert_statements([fresh, first])
    assert info.value.ids == [first.id]
    assert store.get_statement(fresh.id) is None
    assert store.count_statements() == 1


def test_batch_with_repeated_id_stores_nothing(store: Store) -> None:
    rec = record()
    with pytest.raises(StatementConflict):
        store.insert_statements([rec, rec])
    assert store.count_statements() == 0


def test_stored_is_monotonic_across_batches(store: Store) -> None:
    stamps = [store.insert_statements([record()]) for _ in range(5)]
    assert stamps == sorted(stamps)


def test_query_orders_descending_then_ascending_and_pages(store: Store) -> None:
    recs = [record() for _ in range(7)]
    for rec in recs:
        store.insert_statements([rec])
    expected = [r.id for r in recs]
    assert ids(store, limit=3) == expected[::-1]
    assert ids(store, limit=2, ascending=True) == expected
    page = store.query_statements(StatementQuery(limit=7))
    assert page.cursor is None


def test_cursor_is_stable_while_statements_arrive(store: Store) -> None:
    recs = [record() for _ in range(4)]
    store.insert_statements(recs)
    page = store.query_statements(StatementQuery(limit=2))
    store.insert_statements([record()])
    rest = store.query_statements(StatementQuery(limit=10), page.cursor)
    seen = [s["id"] for s in page.statements + rest.statements]
    assert sorted(seen) == sorted(r.id for r in recs)


def test_bad_cursor_is_value_error(store: Store) -> None:
    with pytest.raises(ValueError):
        store.query_statements(StatementQuery(), "not-a-cursor")


def test_filters_verb_agent_activity_registration(store: Store) -> None:
    reg = str(uuid.uuid4())
    a = record(actor=ALICE, registration=reg)
    b = record(
        OTHER_VERB, actor=BOB, related_agents=frozenset({ALICE}), related_activities=frozenset({PARENT})
    )
    c = record(actor=BOB, activity=PARENT)
    store.insert_statements([a, b, c])
    assert set(ids(store, verb=VERB)) == {a.id, c.id}
    assert ids(store, agent=ALICE) == [a.id]
    assert set(ids(store, agent=ALICE, related_agents=True)) == {a.id, b.id}
    assert ids(store, activity=PARENT) == [c.id]
    assert set(ids(store, activity=PARENT, related_activities=True)) == {b.id, c.id}
    assert ids(store, registration=reg) == [a.id]
    assert ids(store, verb=VERB, agent=BOB) == [c.id]
    assert ids(store, verb=VERB, agent="mbox:mailto:nobody@example.com") == []


def test_since_until_are_exclusive_and_inclusive(store: Store) -> None:
    first = record()
    t1 = store.insert_statements([first])
    second = record()
    t2 = store.insert_statements([second])
    assert ids(store, since=t1) == ([second.id] if t2 > t1 else [])
    assert first.id in ids(store, until=t1)
    assert set(ids(store, until=t2)) == {first.id, second.id}


def test_voiding_hides_target_from_queries_but_not_get(store: Store) -> None:
    target = record()
    store.insert_statements([target])
    voiding = record(VOIDED, voids=target.id)
    store.insert_statements([voiding])
    got = store.get_statement(target.id)
    assert got is not None and got.voided
    assert ids(store) == [voiding.id]


def test_voiding_before_target_arrives_still_voids(store: Store) -> None:
    target = record()
    store.insert_statements([record(VOIDED, voids=target.id)])
    store.insert_statements([target])
    got = store.get_statement(target.id)
    assert got is not None and got.voided


def test_filters_follow_statement_refs_even_to_voided(store: Store) -> None:
    verb = "http://example.com/verbs/" + uuid.uuid4().hex
    target = record(verb)
    store.insert_statements([target])
    voiding = record(VOIDED, voids=target.id)
    store.insert_statements([voiding])
    referrer = record(verb, ref=target.id)
    store.insert_statements([referrer])
    chained = record(OTHER_VERB, ref=voiding.id)
    store.insert_statements([chained])
    assert ids(store, verb=verb) == [chained.id, referrer.id, voiding.id]
    assert ids(store, verb=verb, limit=1) == [chained.id, referrer.id, voiding.id]


def test_authority_filter(store: Store) -> None:
    mine = record(authority="account:https://lrs|key1")
    theirs = record(authority="account:https://lrs|key2")
    store.insert_statements([mine, theirs])
    assert ids(store, authority="account:https://lrs|key1") == [mine.id]


def test_attachments_round_trip(store: Store) -> None:
    rec = record(attachments=frozenset({"abc"}))
    store.insert_statements([rec], {"abc": b"\x00binary\xff"})
    assert store.get_attachments(["abc", "missing"]) == {"abc": b"\x00binary\xff"}


def test_consistent_through_covers_stored(store: Store) -> None:
    stored = store.insert_statements([record()])
    assert store.consistent_through() >= stored


def test_iter_statements_streams_in_stored_order_with_filters(store: Store) -> None:
    recs = [record(VERB if i % 2 else OTHER_VERB) for i in range(25)]
    for rec in recs:
        store.insert_statements([rec])
    streamed = [s["id"] for s in store.iter_statements(batch_size=4)]
    assert streamed == [r.id for r in recs]
    only = [s["id"] for s in store.iter_statements(StreamFilter(verb=VERB), batch_size=3)]
    assert only == [r.id for r in recs if r.verb_id == VERB]


def test_iter_statements_splits_into_position_ranges(store: Store) -> None:
    """Ranges of positions up to last_position() cover every statement once, in order."""
    assert store.last_position() == 0
    recs = [record(VERB if i % 3 else OTHER_VERB) for i in range(23)]
    store.insert_statements(recs[:10])
    for rec in recs[10:]:
        store.insert_statements([rec])
    last = store.last_position()
    assert last >= len(recs)
    cuts = [0, last // 3, last // 3 + 1, 2 * last // 3, last]
    parts = [[s["id"] for s in store.iter_statements(StreamFilter(after_position=lo, through_position=hi),
                                                     batch_size=2)]
             for lo, hi in zip(cuts, cuts[1:], strict=False)]
    assert [sid for part in parts for sid in part] == [r.id for r in recs]
    assert parts[0] and parts[3] and len(parts[1]) <= 1
    wanted = StreamFilter(verb=VERB, after_position=cuts[1], through_position=cuts[3])
    assert [s["id"] for s in store.iter_statements(wanted, batch_size=4)] == [
        r.id for r in recs if r.verb_id == VERB and r.id in parts[1] + parts[2]]


def test_activity_ids_of_type(store: Store) -> None:
    course = "http://adlnet.gov/expapi/activities/course"
    store.save_activities({
        "http://example.com/c1": {"id": "http://example.com/c1", "definition": {"type": course}},
        "http://example.com/c1/p1": {"id": "http://example.com/c1/p1", "definition": {"type": "http://x/lesson"}},
        "http://example.com/bare": {"id": "http://example.com/bare"},
    })
    assert store.activity_ids_of_type(course) == {"http://example.com/c1"}
    store.save_activities({"http://example.com/c2": {"id": "http://example.com/c2", "definition": {"type": course}}})
    assert store.activity_ids_of_type(course) == {"http://example.com/c1", "http://example.com/c2"}
    assert store.activity_ids_of_type("http://x/none") == set()


def test_iter_statements_voided_only_on_request(store: Store) -> None:
    target = record()
    store.insert_statements([target])
    voiding = record(VOIDED, voids=target.id)
    store.insert_statements([voiding])
    assert [s["id"] for s in store.iter_statements()] == [voiding.id]
    everything = store.iter_statements(StreamFilter(include_voided=True))
    assert [s["id"] for s in everything] == [target.id, voiding.id]


def test_concurrent_inserts_from_threads_all_land(store: Store) -> None:
    recs = [[record() for _ in range(5)] for _ in range(4)]
    threads = [threading.Thread(target=lambda batch=batch: [store.insert_statements([r]) for r in batch])
               for batch in recs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_statements() == 20
    assert len(set(ids(store, limit=6))) == 20


# --- documents --------------------------------------------------------------------------------

STATE = DocumentScope("state", activity_id=ACT, agent=ALICE)
STATE_REG = DocumentScope("state", activity_id=ACT, agent=ALICE, registration="reg-1")


def doc(content: bytes, updated: str = "2026-01-01T00:00:00.000000Z") -> Document:
    return Document(content, "application/json", "etag-" + content.decode(), updated)


def test_document_crud(store: Store) -> None:
    assert store.get_document(STATE, "s1") is None
    store.save_document(STATE, "s1", doc(b"1"))
    assert store.get_document(STATE, "s1") == doc(b"1")
    store.save_document(STATE, "s1", doc(b"2"))
    assert store.get_document(STATE, "s1") == doc(b"2")
    assert store.delete_document(STATE, "s1") is True
    assert store.delete_document(STATE, "s1") is False
    assert store.get_document(STATE, "s1") is None


def test_document_scopes_are_separate(store: Store) -> None:
    store.save_document(STATE, "s", doc(b"1"))
    store.save_document(STATE_REG, "s", doc(b"2"))
    profile = DocumentScope("activity_profile", activity_id=ACT)
    store.save_document(profile, "s", doc(b"3"))
    agent_profile = DocumentScope("agent_profile", agent=ALICE)
    store.save_document(agent_profile, "s", doc(b"4"))
    assert store.get_document(STATE, "s") == doc(b"1")
    assert store.get_document(STATE_REG, "s") == doc(b"2")
    assert store.get_document(profile, "s") == doc(b"3")
    assert store.get_document(agent_profile, "s") == doc(b"4")
    assert store.get_document(DocumentScope("state", activity_id=ACT, agent=BOB), "s") is None


def test_document_compare_and_swap(store: Store) -> None:
    store.save_document(STATE, "s", doc(b"1"), expected_etag=None)
    with pytest.raises(PreconditionFailed):
        store.save_document(STATE, "s", doc(b"2"), expected_etag=None)
    with pytest.raises(PreconditionFailed):
        store.save_document(STATE, "s", doc(b"2"), expected_etag="etag-wrong")
    store.save_document(STATE, "s", doc(b"2"), expected_etag="etag-1")
    with pytest.raises(PreconditionFailed):
        store.delete_document(STATE, "s", expected_etag="etag-1")
    assert store.get_document(STATE, "s") == doc(b"2")
    assert store.delete_document(STATE, "s", expected_etag="etag-2")
    store.save_document(STATE, "s", doc(b"3"), expected_etag=ANY)


def test_list_and_delete_documents(store: Store) -> None:
    store.save_document(STATE, "b", doc(b"1", "2026-01-01T00:00:00.000000Z"))
    store.save_document(STATE, "a", doc(b"2", "2026-01-02T00:00:00.000000Z"))
    store.save_document(STATE_REG, "c", doc(b"3", "2026-01-03T00:00:00.000000Z"))
    any_reg = DocumentScope("state", activity_id=ACT, agent=ALICE, registration=None)
    assert store.list_document_ids(any_reg) == ["a", "b", "c"]
    assert store.list_document_ids(STATE_REG) == ["c"]
    assert store.list_document_ids(any_reg, since="2026-01-01T00:00:00.000000Z") == ["a", "c"]
    assert store.delete_documents(STATE_REG) == 1
    assert store.list_document_ids(any_reg) == ["a", "b"]
    assert store.delete_documents(any_reg) == 2
    assert store.list_document_ids(any_reg) == []


# --- activities, agents, credentials ----------------------------------------------------------


def test_activities_and_agents(store: Store) -> None:
    assert store.get_activity(ACT) is None
    activity = {"objectType": "Activity", "id": ACT, "definition": {"name": {"en-US": "One"}}}
    store.save_activities({ACT: activity})
    assert store.get_activity(ACT) == activity
    store.save_agents({ALICE: {"mbox": "mailto:alice@example.com", "name": "Alice"}})
    assert store.get_agent(ALICE) == {"mbox": "mailto:alice@example.com", "name": "Alice"}
    assert store.get_agent(BOB) is None
    assert store.get_activities([ACT, PARENT, ACT]) == {ACT: activity}
    assert store.get_agents([BOB, ALICE]) == {ALICE: {"mbox": "mailto:alice@example.com", "name": "Alice"}}
    assert store.get_activities([]) == {} and store.get_agents([]) == {}


def test_credentials(store: Store) -> None:
    cred = Credential(
        key="k1",
        secret_hash="pbkdf2$hash",
        scopes=("statements/write", "state"),
        authority={"objectType": "Agent", "account": {"homePage": "https://lrs", "name": "k1"}},
        name="pilot",
        created="2026-01-01T00:00:00.000000Z",
    )
    store.add_credential(cred)
    with pytest.raises(StoreError):
        store.add_credential(cred)
    assert store.get_credential("k1") == cred
    assert store.get_credential("nope") is None
    assert [c.key for c in store.list_credentials()] == ["k1"]
    assert store.revoke_credential("k1") is True
    assert store.revoke_credential("nope") is False
    got = store.get_credential("k1")
    assert got is not None and got.revoked
