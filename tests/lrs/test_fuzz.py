"""Property-based fuzzing (hypothesis) of the statement and document resources, on every store.

Whatever a client sends: never a 5xx; a 4xx stores nothing; a statement or document that was
accepted reads back as sent; and afterwards the whole store pages, exports (JSON lines and CSV)
and reports. Inputs mix valid statements with arbitrary JSON (any Unicode, lone surrogates and
U+0000 included, deep nesting, huge numbers) put anywhere in them, and raw JSON text with
hostile escapes. Bounded: a fixed number of examples per store, no time-based deadline.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from conftest import make_store_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lrs_helpers import LRSClient

from lrs import create_app
from lrs.auth import create_credential
from lrs.cli import main
from lrs.stores import open_store
from lrs.xapi.statements import same_statement

pytestmark = pytest.mark.slow

EXAMPLES = {"sqlite": 250, "postgres": 150, "tinydb": 80}
ANY_CHAR = st.characters(codec=None, categories=None)  # every code point, surrogates and NUL included
TEXT = st.one_of(st.text(ANY_CHAR, max_size=12), st.sampled_from(["\ud800", "\x00", "\ufffe", "\U0010ffff", "é"]))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.floats() | TEXT
    | st.sampled_from([2**64, -(2**63) - 1, 10**30, 1.5e308, -0.0]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)
RAW_ESCAPES = ["\\ud800", "\\udc00", "\\u0000", "\\ud83d\\ude00", "\\uffff", "1e400", "[[[[[[[[", "\\"]


def base_statement(sid: str) -> dict:
    return {
        "id": sid,
        "actor": {"mbox": "mailto:fuzz@example.org", "name": "Fuzz"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en": "answered"}},
        "object": {"id": "http://example.org/q/1", "definition": {"name": {"en": "Q"},
                                                                  "extensions": {"http://x.org/e": 1}}},
        "result": {"response": "a", "score": {"raw": 1},
                   "extensions": {"http://x.org/r": "x", "http://x.org/big": [10**30, -(2**63) - 1, 2**64]}},
        "context": {"contextActivities": {"parent": [{"id": "http://example.org/course"}]},
                    "extensions": {"http://x.org/c": True}},
    }


def encoded(query: dict[str, str]) -> str:
    """A query string with every value's UTF-8 bytes percent-encoded, lone surrogates included
    (as a client that encodes them blindly would send them)."""
    return "&".join(f"{k}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in query.items())


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append((*prefix, key))
            found += _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.append((*prefix, index))
            found += _paths(inner, (*prefix, index))
    return found


@st.composite
def statement_bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """(statement id, request body): a statement with one part replaced, as JSON text, sometimes
    with a hostile escape spliced into that text."""
    sid = str(uuid.uuid4())
    statement = base_statement(sid)
    places = [p for p in _paths(statement) if p[0] != "id"]
    place = draw(st.sampled_from(places))
    target = statement
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = draw(JSON)
    if draw(st.booleans()) and isinstance(statement.get("result"), dict):
        statement["result"]["extensions"] = {"http://x.org/fuzz": draw(JSON)}
    text = json.dumps(statement, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(RAW_ESCAPES)) + text[at:]
    body = text.encode("utf-8", "surrogatepass")
    return sid, (b"[" + body + b"]" if draw(st.booleans()) else body)


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_fuzzed_requests_never_5xx_and_what_is_stored_reads_back_and_exports(
        kind: str, request: pytest.FixtureRequest, tmp_path) -> None:
    url = make_store_url(kind, request, tmp_path)
    store = open_store(url)
    try:
        credential, secret = create_credential(store, ["all"])
        client = LRSClient(create_app({"STORE": store, "TESTING": True}), credential.key, secret)
        stored: dict[str, dict] = {}
        refused: list[int] = []
        documents: list[int] = []

        @settings(max_examples=EXAMPLES[kind], deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(body=statement_bodies(), doc=JSON, agent_name=TEXT, state_id=TEXT)
        def run(body: tuple[str, bytes], doc: object, agent_name: str, state_id: str) -> None:
            sid, raw = body
            before = store.count_statements()
            response = client.post("/statements", data=raw, headers={"Content-Type": "application/json"})
            assert response.status_code < 500, response.get_data()[:300]
            if response.status_code == 200:
                got = client.get(f"/statements?statementId={sid}")
                assert got.status_code == 200
                stored[sid] = json.loads(got.get_data())  # the standard library: big integers exact
                sent = json.loads(raw)
                assert same_statement(stored[sid], sent[0] if isinstance(sent, list) else sent)
            else:
                assert response.status_code in (400, 409, 413), response.get_data()[:300]
                refused.append(response.status_code)
                assert store.count_statements() == before, "a refused request stored something"
            # Documents: a JSON body and an agent whose name and a state id are arbitrary text.
            agent = json.dumps({"mbox": "mailto:fuzz@example.org", "name": agent_name})
            query = {"activityId": "http://example.org/q/1", "agent": agent, "stateId": state_id}
            content = json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
            for method in ("PUT", "POST"):
                written = client.request(method, "/activities/state", query_string=encoded(query), data=content,
                                         headers={"Content-Type": "application/json"})
                assert written.status_code < 500, written.get_data()[:300]
                documents.append(written.status_code)
                if written.status_code == 204 and method == "PUT":
                    read = client.get("/activities/state", query_string=encoded(query))
                    assert read.status_code == 200 and read.get_data() == content
            listing = {k: query[k] for k in ("activityId", "agent")}
            listed = client.get("/activities/state", query_string=encoded(listing))
            assert listed.status_code < 500
            assert client.get("/statements", query_string=encoded({"agent": agent})).status_code < 500

        run()
        # The examples reached both sides of every check (a fuzz test that only ever got 400s
        # would prove nothing about reading back).
        assert stored and refused and 204 in documents and 400 in documents, (len(stored), refused, documents)
        # Everything accepted pages back through `more`, then exports and reports.
        seen, page = [], client.get("/statements?limit=7").get_json()
        while True:
            seen += [s["id"] for s in page["statements"]]
            if not page["more"]:
                break
            page = client.client.get(page["more"], headers={"X-Experience-API-Version": "1.0.3",
                                                            "Authorization": client.auth}).get_json()
        assert set(stored) <= set(seen)
    finally:
        store.close()
    runner = CliRunner()
    for command in (["export", "--format", "jsonl"], ["export", "--format", "csv"], ["report", "--format", "json"]):
        result = runner.invoke(main, [*command, "--store", url, "--jobs", "1"])
        assert result.exit_code == 0, (command, result.output[-2000:], result.exception)
        if command[-1] == "jsonl":
            exported = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
            assert {s["id"] for s in exported} >= set(stored)
