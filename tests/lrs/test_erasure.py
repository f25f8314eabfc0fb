"""The right to erase and retention, on every store (contract), and their commands.

The data is written through the xAPI API, so the statements, index keys, documents and
attachments are exactly what the LRS stores in use; the learner appears as actor, in
``context.instructor``, in a sub-statement, as an object, as a group member, hashed, with state
documents, an agent profile, attachments and a roster entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_store_url
from lrs_helpers import LRSClient

from lrs import create_app
from lrs.analytics.roster import RosterFile, import_roster, load_roster
from lrs.auth import create_credential
from lrs.cli import main
from lrs.erasure import apply_retention, erase_learner, erasure_records, learner_keys, parse_duration
from lrs.stores import DocumentScope, ErasureSelection, Store, StreamFilter, open_store, utc_now
from lrs.xapi.attachments import build_multipart

ANA = {"objectType": "Agent", "name": "Ana Learner", "mbox": "mailto:ana@example.org"}
ANA_KEY = "mbox:mailto:ana@example.org"
ANA_SHA1 = hashlib.sha1(b"mailto:ana@example.org").hexdigest()
OTTO = {"objectType": "Agent", "name": "Otto Other", "mbox": "mailto:otto@example.org"}
OTTO_KEY = "mbox:mailto:otto@example.org"
VERB = {"id": "http://adlnet.gov/expapi/verbs/experienced"}
VOIDED = {"id": "http://adlnet.gov/expapi/verbs/voided"}
COURSE = "http://example.org/courses/c1"
ONLY_ANA = b"attachment only Ana's statement declares"
SHARED = b"attachment two learners' statements declare"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def attachment(content: bytes) -> dict:
    return {"usageType": "http://example.org/usage", "display": {"en": "file"}, "contentType": "text/plain",
            "length": len(content), "sha2": sha(content)}


def make(actor: dict, obj: dict | None = None, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "actor": actor, "verb": VERB,
            "object": obj or {"id": "http://example.org/activities/a1"}, **extra}


def post(client: LRSClient, statements: list[dict]) -> None:
    response = client.post("/statements", json=statements)
    assert response.status_code == 200, response.get_data()[:300]


def post_with_attachments(client: LRSClient, statement: dict, contents: list[bytes]) -> None:
    body, content_type = build_multipart(json.dumps(statement).encode(),
                                         [(sha(c), "text/plain", c) for c in contents])
    response = client.post("/statements", data=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.get_data()[:300]


def put_document(client: LRSClient, path: str, query: str, content: bytes) -> None:
    response = client.put(f"{path}?{query}", data=content, headers={"Content-Type": "application/json",
                                                                    "If-None-Match": "*"})
    assert response.status_code == 204, response.get_data()[:300]


def everything_text(store: Store) -> str:
    """Every statement (voided ones included), document, agent name and attachment, as text."""
    parts = [json.dumps(s) for s in store.iter_statements(StreamFilter(include_voided=True))]
    for scope in (DocumentScope("state", "http://example.org/activities/a1", ANA_KEY),
                  DocumentScope("state", "http://example.org/activities/a2", ANA_KEY),
                  DocumentScope("agent_profile", agent=ANA_KEY)):
        for doc_id in store.list_document_ids(scope):
            document = store.get_document(scope, doc_id)
            parts.append(document.content.decode() if document else "")
    parts.append(json.dumps(store.get_agent(ANA_KEY)))
    parts.append(json.dumps(load_roster(store)))
    for record in erasure_records(store):
        parts.append(record.to_json().decode())
    return "\n".join(parts)


@pytest.fixture
def client(store: Store) -> LRSClient:
    credential, secret = create_credential(store, ["all"], name="erasure tests")
    return LRSClient(create_app({"STORE": store, "TESTING": True}), credential.key, secret)


def fill(client: LRSClient, store: Store) -> dict[str, list[str]]:
    """Ana everywhere, Otto beside her; return the ids expected gone and kept."""
    ana_attached = make(ANA, attachments=[attachment(ONLY_ANA), attachment(SHARED)])
    post_with_attachments(client, ana_attached, [ONLY_ANA, SHARED])
    otto_attached = make(OTTO, attachments=[attachment(SHARED)])
    post_with_attachments(client, otto_attached, [SHARED])
    instructed = make(OTTO, context={"instructor": ANA, "contextActivities": {"parent": [{"id": COURSE}]}})
    sub = make(OTTO, {"objectType": "SubStatement", "actor": ANA, "verb": VERB,
                      "object": {"id": "http://example.org/activities/a2"}})
    as_object = make(OTTO, ANA)
    team = make({"objectType": "Group", "member": [OTTO, ANA]})
    hashed = make({"mbox_sha1sum": ANA_SHA1})
    post(client, [instructed, sub, as_object, team, hashed])
    voiding = make(OTTO, {"objectType": "StatementRef", "id": ana_attached["id"]}, verb=VOIDED)
    referring = make(OTTO, {"objectType": "StatementRef", "id": as_object["id"]})
    post(client, [voiding, referring])
    chained = make(OTTO, {"objectType": "StatementRef", "id": referring["id"]})
    kept = make(OTTO, context={"contextActivities": {"parent": [{"id": COURSE}]}})
    post(client, [chained, kept])
    ana = "agent=" + json.dumps({"mbox": "mailto:ana@example.org"})
    otto = "agent=" + json.dumps({"mbox": "mailto:otto@example.org"})
    put_document(client, "/activities/state", f"activityId=http://example.org/activities/a1&{ana}&stateId=s1",
                 b'{"bookmark": "ana"}')
    put_document(client, "/activities/state", f"activityId=http://example.org/activities/a2&{ana}&stateId=s2",
                 b'{"bookmark": "ana"}')
    put_document(client, "/agents/profile", f"{ana}&profileId=p", b'{"who": "ana"}')
    put_document(client, "/activities/state", f"activityId=http://example.org/activities/a1&{otto}&stateId=s1",
                 b'{"bookmark": "otto"}')
    put_document(client, "/activities/profile", "activityId=http://example.org/activities/a1&profileId=p",
                 b'{"about": "the activity"}')
    import_roster(store, RosterFile({ANA_KEY: {"cohort": "2026-1"}, OTTO_KEY: {"cohort": "2026-1"}}, ("cohort",)))
    assert store.get_agent(ANA_KEY) is not None
    gone = [ana_attached, instructed, sub, as_object, team, hashed, voiding, referring, chained]
    return {"gone": [s["id"] for s in gone], "kept": [otto_attached["id"], kept["id"]]}


def test_erase_learner_everywhere_atomically_with_a_record(client: LRSClient, store: Store,
                                                           request: pytest.FixtureRequest) -> None:
    ids = fill(client, store)
    total = store.count_statements()
    assert "ana@example.org" in everything_text(store)
    keys = learner_keys(store, agent=json.dumps({"mbox": "mailto:ana@example.org"}))
    assert keys == {ANA_KEY, "mbox_sha1sum:" + ANA_SHA1}

    dry = erase_learner(store, keys, by="dpo", dry_run=True)
    assert dry.counts.statements == len(ids["gone"])
    assert (dry.counts.documents, dry.counts.agents, dry.counts.attachments, dry.counts.keyed_entries) == (3, 1, 1, 1)
    assert store.count_statements() == total and ANA_KEY in load_roster(store)  # a dry run changes nothing
    assert not erasure_records(store)

    done = erase_learner(store, keys, by="dpo")
    assert done.counts == dry.counts
    assert store.count_statements() == total - len(ids["gone"])
    found = store.get_statements(ids["gone"] + ids["kept"])
    assert set(found) == set(ids["kept"])
    text = everything_text(store)
    assert "ana@example.org" not in text and ANA_SHA1 not in text and "Ana Learner" not in text
    assert store.get_agent(ANA_KEY) is None and store.get_agent(OTTO_KEY) is not None
    assert load_roster(store) == {OTTO_KEY: {"cohort": "2026-1"}}
    assert store.get_attachments([sha(ONLY_ANA), sha(SHARED)]).keys() == {sha(SHARED)}
    otto_state = DocumentScope("state", "http://example.org/activities/a1", OTTO_KEY)
    assert store.get_document(otto_state, "s1") is not None
    assert store.get_document(DocumentScope("activity_profile", "http://example.org/activities/a1"), "p")
    for scope in (DocumentScope("state", "http://example.org/activities/a1", ANA_KEY),
                  DocumentScope("agent_profile", agent=ANA_KEY)):
        assert store.list_document_ids(scope) == []
    (record,) = erasure_records(store)
    assert (record.by, record.kind, record.counts) == ("dpo", "learner", done.counts)
    if store.__class__.__name__ in ("SQLiteStore", "TinyDBStore"):  # gone from the files too
        files = [p for p in Path(request.node.funcargs["tmp_path"]).iterdir() if p.is_file()]
        assert files and not [p for p in files if b"ana@example.org" in p.read_bytes()]
    # Reads, queries and exports go on as before over what is left.
    page = client.get("/statements?related_agents=true&agent=" + json.dumps({"mbox": "mailto:otto@example.org"}))
    assert page.status_code == 200 and {s["id"] for s in page.get_json()["statements"]} <= set(ids["kept"])
    # Erasing again finds nothing (and still leaves a record).
    assert erase_learner(store, keys, by="dpo").counts.statements == 0


def test_erase_by_account_name_under_any_home_page(client: LRSClient, store: Store) -> None:
    liaison = {"account": {"homePage": "https://lms.example.org", "name": "liaison-7"}}
    elsewhere = {"account": {"homePage": "https://other.example.org", "name": "liaison-7"}}
    someone = {"account": {"homePage": "https://lms.example.org", "name": "liaison-77"}}
    post(client, [make(liaison), make(elsewhere), make(someone)])
    keys = learner_keys(store, account="liaison-7")
    assert keys == {"account:https://lms.example.org|liaison-7", "account:https://other.example.org|liaison-7"}
    assert learner_keys(store, account="liaison-7", home_page="https://lms.example.org") == {
        "account:https://lms.example.org|liaison-7"}
    assert erase_learner(store, keys, by="dpo").counts.statements == 2
    assert store.count_statements() == 1


def test_retention_erases_what_is_older_than_the_cutoff(client: LRSClient, store: Store) -> None:
    old = make(ANA, context={"instructor": OTTO})
    post(client, [old])
    put_document(client, "/activities/state", "activityId=http://example.org/activities/a1&agent="
                 + json.dumps({"mbox": "mailto:ana@example.org"}) + "&stateId=old", b"{}")
    time.sleep(0.01)
    cutoff = dt.datetime.now(dt.UTC)
    time.sleep(0.01)
    new = make(OTTO)
    post(client, [new])
    put_document(client, "/activities/state", "activityId=http://example.org/activities/a1&agent="
                 + json.dumps({"mbox": "mailto:otto@example.org"}) + "&stateId=new", b"{}")
    import_roster(store, RosterFile({ANA_KEY: {"cohort": "2026-1"}}, ("cohort",)))
    later = cutoff + dt.timedelta(days=30)
    dry = apply_retention(store, dt.timedelta(days=30), by="ops", dry_run=True, now=later)
    assert (dry.counts.statements, dry.counts.documents, dry.counts.agents) == (1, 1, 1)
    assert store.count_statements() == 2
    done = apply_retention(store, dt.timedelta(days=30), by="ops", now=later)
    assert done.counts == dry.counts
    assert set(store.get_statements([old["id"], new["id"]])) == {new["id"]}
    assert store.get_agent(ANA_KEY) is None and store.get_agent(OTTO_KEY) is not None
    assert load_roster(store) == {ANA_KEY: {"cohort": "2026-1"}}  # enrolment is not activity data
    (record,) = erasure_records(store)
    assert record.kind == "retention" and record.before is not None and record.before < utc_now()


def test_a_statement_stored_after_the_erasure_is_kept(client: LRSClient, store: Store) -> None:
    post(client, [make(ANA)])
    assert store.erase(ErasureSelection(agent_keys=frozenset({ANA_KEY}))).statements == 1
    post(client, [make(ANA)])  # the learner comes back later: new data, kept
    assert store.count_statements() == 1


def test_erase_and_retention_commands(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = make_store_url("sqlite", request, tmp_path)
    with open_store(url) as store:
        credential, secret = create_credential(store, ["all"])
        client = LRSClient(create_app({"STORE": store, "TESTING": True}), credential.key, secret)
        post(client, [make(ANA), make(OTTO)])
    runner = CliRunner()
    agent = json.dumps({"mbox": "mailto:ana@example.org"})
    dry = runner.invoke(main, ["learners", "erase", "--store", url, "--agent", agent, "--dry-run"])
    assert dry.exit_code == 0 and "would erase" in dry.output and "1 statements" in dry.output, dry.output
    done = runner.invoke(main, ["learners", "erase", "--store", url, "--agent", agent, "--by", "dpo", "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["counts"]["statements"] == 1 and result["by"] == "dpo" and "ana" not in done.output
    listed = runner.invoke(main, ["learners", "erasures", "--store", url])
    assert json.loads(listed.output.splitlines()[0])["id"] == result["id"]
    kept = runner.invoke(main, ["retention", "apply", "--store", url, "--older-than", "1d", "--dry-run"])
    assert kept.exit_code == 0 and "0 statements" in kept.output, kept.output
    for bad in (["learners", "erase", "--store", url],
                ["learners", "erase", "--store", url, "--agent", "{}"],
                ["learners", "erase", "--store", url, "--agent", agent, "--account", "x"],
                ["retention", "apply", "--store", url, "--older-than", "soon"]):
        refused = runner.invoke(main, bad)
        assert refused.exit_code == 2 and "Traceback" not in refused.output, refused.output


@pytest.mark.parametrize(("text", "days"), [("730d", 730), ("104w", 728), ("2y", 730), ("36h", 1.5)])
def test_durations(text: str, days: float) -> None:
    assert parse_duration(text) == dt.timedelta(days=days)


def test_a_running_dashboard_forgets_what_was_erased(client: LRSClient, store: Store) -> None:
    from lrs.analytics.report import aggregate
    from lrs.analytics.sources import Source
    from lrs.dashboard import _ReportCache

    course = {"id": COURSE, "definition": {"type": "http://adlnet.gov/expapi/activities/course"}}
    completed = {"id": "http://adlnet.gov/expapi/verbs/completed"}
    post(client, [make(ANA, course, verb=completed), make(OTTO, course, verb=completed)])
    cache = _ReportCache()
    before = cache.get(store, None, None)
    erase_learner(store, {ANA_KEY}, by="dpo")
    after = cache.get(store, None, None)
    fresh = aggregate(Source.of_store(store)).report(load_roster(store), None, course=None)
    assert after == fresh and after != before
