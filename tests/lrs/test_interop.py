"""Interop: the design card's Tin Can Python library (PyPI ``tincan`` 1.0.0, ``RemoteLRS``) as a real
client of ``spotlight-lrs serve``, on every store.

It saves statements (PUT with an id, POST without, a list), reads them back, queries with filters
and pages through ``more`` links, and writes, reads, lists and deletes a state document. The
library imports and runs unchanged on Python 3.11; the one shim (for About, see
``tincan_knows_2_0``) lives here, not in ``lrs/``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from test_durability import LrsServer
from tincan import (
    About,
    Activity,
    ActivityDefinition,
    Agent,
    LanguageMap,
    RemoteLRS,
    StateDocument,
    Statement,
    Verb,
)

VERB = Verb(id="http://adlnet.gov/expapi/verbs/answered", display=LanguageMap({"en-US": "answered"}))
COURSE = "http://example.org/courses/first-contact-care"


@pytest.fixture
def lrs(store_url: str, tmp_path: Path):
    """A RemoteLRS client connected to a fresh server on ``store_url``."""
    server = LrsServer(store_url, tmp_path, workers=1)
    server.start()
    try:
        key, secret = server.auth
        yield RemoteLRS(endpoint=server.endpoint, version="1.0.3", username=key, password=secret)
    finally:
        server.stop()


def learner() -> Agent:
    return Agent(name="Learner", mbox=f"mailto:{uuid.uuid4().hex}@example.org")


def answered(agent: Agent, question: int) -> Statement:
    return Statement(
        actor=agent,
        verb=VERB,
        object=Activity(
            id=f"{COURSE}/quiz/q{question}",
            definition=ActivityDefinition(name=LanguageMap({"en-US": f"Question {question}"})),
        ),
    )


@pytest.fixture
def tincan_knows_2_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shim: tincan 1.0.0 predates xAPI 2.0.0 and raises ValueError on an About listing it, so drop
    the versions it does not know before it checks them (a 1.0.3 client needs only 1.0.3)."""
    original = About.version

    def setter(about: About, value: object) -> None:
        if isinstance(value, list):
            value = [v for v in value if not v.startswith("2.")]
        original.fset(about, value)

    monkeypatch.setattr(About, "version", property(original.fget, setter))


@pytest.mark.usefixtures("tincan_knows_2_0")
def test_about_lists_the_version_tincan_speaks(lrs: RemoteLRS) -> None:
    response = lrs.about()
    assert response.success, response.data
    assert "1.0.3" in response.content.version


def test_save_retrieve_and_query_statements(lrs: RemoteLRS) -> None:
    agent = learner()
    with_id = answered(agent, 1)
    with_id.id = str(uuid.uuid4())
    put = lrs.save_statement(with_id)  # PUT ?statementId=
    assert put.success, put.data
    post = lrs.save_statement(answered(agent, 2))  # POST, the LRS assigns the id
    assert post.success, post.data
    listed = lrs.save_statements([answered(agent, n) for n in range(3, 8)])
    assert listed.success, listed.data
    saved = [with_id.id, post.content.id, *(s.id for s in listed.content)]
    assert all(saved) and len(set(saved)) == 7

    fetched = lrs.retrieve_statement(with_id.id)
    assert fetched.success, fetched.data
    assert fetched.content.id == with_id.id
    assert fetched.content.actor.mbox == agent.mbox
    assert fetched.content.verb.id == VERB.id
    assert fetched.content.object.id == f"{COURSE}/quiz/q1"
    assert fetched.content.stored is not None

    query = lrs.query_statements({"agent": agent, "verb": VERB, "limit": 3, "ascending": True})
    assert query.success, query.data
    pages = [query.content]
    while pages[-1].more:
        more = lrs.more_statements(pages[-1])
        assert more.success, more.data
        pages.append(more.content)
    assert len(pages) == 3  # 3 + 3 + 1
    assert [s.id for page in pages for s in page.statements] == saved  # ascending: saving order

    other = lrs.query_statements({"activity": Activity(id=f"{COURSE}/quiz/q4"), "agent": agent})
    assert other.success, other.data
    assert [s.id for s in other.content.statements] == [saved[3]]


def test_state_documents(lrs: RemoteLRS) -> None:
    # tincan 1.0.0's save_state never sends a registration and its retrieve_state never reads the
    # ETag header (it looks for keys in a list of header pairs), so neither is exercised here.
    agent = learner()
    activity = Activity(id=f"{COURSE}/lesson/1")
    state = StateDocument(
        activity=activity, agent=agent, id="bookmark", content='{"page": 4}', content_type="application/json"
    )
    saved = lrs.save_state(state)
    assert saved.success, saved.data

    read = lrs.retrieve_state(activity, agent, "bookmark")
    assert read.success and read.response.status == 200, read.data
    assert bytes(read.content.content) == b'{"page": 4}'

    ids = lrs.retrieve_state_ids(activity, agent)
    assert ids.success, ids.data
    assert ids.content == ["bookmark"]

    deleted = lrs.delete_state(read.content)
    assert deleted.success, deleted.data
    gone = lrs.retrieve_state(activity, agent, "bookmark")
    assert gone.response.status == 404
