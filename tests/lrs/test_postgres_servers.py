"""Several LRS servers on one PostgreSQL database (issue 17).

Two real ``spotlight-lrs serve`` processes (two workers each) on one database of a private
PostgreSQL cluster, with concurrent clients that alternate between them, and the cluster
restarted in the middle of it:

- every acknowledged statement is stored exactly once; nothing answered but 200, 204, 412 and
  503 (with ``Retry-After``), never a 500 or a hang;
- State document compare-and-swap (If-Match / If-None-Match) resolves conflicts as on one server:
  one creator wins, and a counter incremented by clients on both servers loses no increment;
- ``more`` links issued by one server are followed on the other, with no gap or repeat;
- ``X-Experience-API-Consistent-Through`` from one server is honest for the other: reading the
  statements stored after the previous value and up to it, window after window, finds every
  statement exactly once (one that committed late with an earlier ``stored`` would be missed);
- a reader that follows insertion positions (the dashboard's incremental aggregates) misses
  none either, and the dashboard's figures equal a fresh report's when statements arrive
  through the other server.

Also: a pool of one connection held by a blocked write answers the next request with 503 and
``Retry-After`` in about the pool timeout, and the store itself reconnects after a restart.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests

from lrs.auth import create_credential
from lrs.stores import StatementQuery, StreamFilter, open_store
from lrs.stores.postgres import _WRITE_LOCK

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
WRITERS = 4
REQUESTS_PER_WRITER = 24
BATCH = 10
INCREMENTERS = 3
INCREMENTS_EACH = 12
DEADLINE_S = 120.0
ACTIVITY = "http://example.org/activities/multi-server"
STATE_AGENT = json.dumps({"mbox": "mailto:counter@example.org"})


def statement(tag: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"mbox": f"mailto:{tag}@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": ACTIVITY},
    }


class Server:
    """``spotlight-lrs serve`` in its own process group on a free port."""

    def __init__(self, store_url: str, log: Path, workers: int = 2, threads: int = 4) -> None:
        from pg_cluster import free_port

        self.port = free_port()
        command = [sys.executable, "-c", "from lrs.cli import main; main()", "serve", "--store", store_url,
                   "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
                   "--threads", str(threads)]  # fmt: skip
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited: {log.read_text()[-2000:]}"
            try:
                if requests.get(self.base + "/xAPI/about", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"server did not answer within 60 s: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


class Clients:
    """Sessions to every server, and a record of every answer's status."""

    def __init__(self, servers: list[Server], auth: tuple[str, str]) -> None:
        self.servers = servers
        self.auth = auth
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.problems: list[str] = []

    def session(self) -> requests.Session:
        session = requests.Session()
        session.auth = self.auth
        session.headers["X-Experience-API-Version"] = "1.0.3"
        return session

    def call(self, session: requests.Session, n: int, method: str, path: str, *, retry: bool = True,
             **kwargs) -> requests.Response:
        """``method`` on server ``n % servers`` (``path`` from the server root); 503 answers are
        retried after ``Retry-After`` (capped) until the deadline, when ``retry``."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            base = self.servers[n % len(self.servers)].base
            try:
                response = session.request(method, base + path, timeout=30, **kwargs)
            except requests.RequestException as exc:
                response = None
                with self.lock:
                    self.problems.append(f"{method} {path[:60]}: {exc!r}")
            if response is not None:
                with self.lock:
                    self.statuses[response.status_code] += 1
                    if response.status_code >= 500 and response.status_code != 503:
                        self.problems.append(f"{method} {path[:60]}: {response.status_code} {response.text[:300]}")
                    if response.status_code == 503 and not response.headers.get("Retry-After", "").isdigit():
                        self.problems.append(f"{method} {path[:60]}: 503 without Retry-After")
                if response.status_code != 503 or not retry:
                    return response
                time.sleep(min(float(response.headers.get("Retry-After", "1")), 0.5))
            else:
                time.sleep(0.2)
            assert time.monotonic() < deadline, f"{method} {path} still failing after {DEADLINE_S} s"
            n += 1  # try the other server


@pytest.fixture
def two_servers(private_cluster, tmp_path: Path) -> Iterator[tuple[str, list[Server], tuple[str, str]]]:
    url = private_cluster.create_database(f"servers_{uuid.uuid4().hex[:8]}") + "?pool_size=3&pool_timeout=3"
    with open_store(url) as store:
        credential, secret = create_credential(store, ["all"], name="multi-server")
    servers: list[Server] = []
    try:
        for name in ("a", "b"):
            servers.append(Server(url, tmp_path / f"server-{name}.log"))
        yield url, servers, (credential.key, secret)
    finally:
        for server in servers:
            server.stop()


def all_pages(clients: Clients, session: requests.Session, query: str, start: int = 0) -> list[dict]:
    """Every statement of a query, following each ``more`` link on the other server."""
    response = clients.call(session, start, "GET", "/xAPI/statements?" + query)
    found: list[dict] = []
    n = start
    while True:
        assert response.status_code == 200, response.text[:300]
        body = response.json()
        found += body["statements"]
        if not body.get("more"):
            return found
        n += 1
        response = clients.call(session, n, "GET", body["more"])


def test_two_servers_one_database_and_a_restart(two_servers, private_cluster) -> None:
    url, servers, auth = two_servers
    clients = Clients(servers, auth)
    acked: list[str] = []
    acked_lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []

    def guarded(target, *args):
        def run() -> None:
            try:
                target(*args)
            except BaseException as exc:  # a failure in a thread must fail the test
                errors.append(exc)
        return threading.Thread(target=run, daemon=True)

    def writer(number: int) -> None:
        session = clients.session()
        for i in range(REQUESTS_PER_WRITER):
            if i % 4 == 3:  # a PUT now and then
                body = statement(f"w{number}-{i}")
                sid = body.pop("id")
                response = clients.call(session, number + i, "PUT", f"/xAPI/statements?statementId={sid}", json=body)
                assert response.status_code == 204, response.text[:300]
                ids = [sid]
            else:
                batch = [statement(f"w{number}-{i}-{j}") for j in range(BATCH)]
                response = clients.call(session, number + i, "POST", "/xAPI/statements", json=batch)
                assert response.status_code == 200, response.text[:300]
                ids = [s["id"] for s in batch]
                assert response.json() == ids
            with acked_lock:
                acked.extend(ids)

    state_path = f"/xAPI/activities/state?activityId={quote(ACTIVITY)}&agent={quote(STATE_AGENT)}&stateId=counter"
    created: list[int] = []
    increments: list[int] = []

    def incrementer(number: int) -> None:
        session = clients.session()
        first = clients.call(session, number, "PUT", state_path, json={"count": 0}, headers={"If-None-Match": "*"})
        created.append(first.status_code)
        done = 0
        while done < INCREMENTS_EACH:
            current = clients.call(session, number + done, "GET", state_path)
            assert current.status_code == 200, current.text[:300]
            value = current.json()["count"]
            answer = clients.call(session, number + done + 1, "PUT", state_path, json={"count": value + 1},
                                  headers={"If-Match": current.headers["ETag"]})
            if answer.status_code == 204:
                done += 1
            else:
                assert answer.status_code == 412, answer.text[:300]
        increments.append(done)

    windows: list[tuple[str, str, list[dict]]] = []

    def consistency_checker() -> None:
        """Window after window: statements stored after the previous consistent-through and up
        to the new one (read from server A), read from the other server at once."""
        session = clients.session()
        previous = "1970-01-01T00:00:00.000000Z"
        n = 0
        while True:
            finished = stop.is_set()
            head = clients.call(session, n, "GET", "/xAPI/statements?limit=1")
            through = head.headers["X-Experience-API-Consistent-Through"]
            found = all_pages(clients, session, f"since={quote(previous)}&until={quote(through)}"
                                                "&ascending=true&limit=40", start=n + 1)
            windows.append((previous, through, found))
            previous = through
            n += 1
            if finished:
                return
            time.sleep(0.05)

    followed: list[str] = []

    def position_follower() -> None:
        """What the dashboard does: read the positions after the last one read, up to the last
        one stored, again and again."""
        with open_store(url) as store:
            position = 0
            while True:
                finished = stop.is_set()
                try:
                    last = store.last_position()
                    batch = [s["id"] for s in store.iter_statements(
                        StreamFilter(after_position=position, through_position=last))]
                except Exception:  # the database restarting: read the same range again
                    time.sleep(0.2)
                    continue
                followed.extend(batch)
                position = last
                if finished:
                    return
                time.sleep(0.05)

    workers = [guarded(writer, n) for n in range(WRITERS)]
    workers += [guarded(incrementer, n) for n in range(INCREMENTERS)]
    watchers = [guarded(consistency_checker), guarded(position_follower)]
    for thread in workers + watchers:
        thread.start()
    deadline = time.monotonic() + DEADLINE_S
    while len(acked) < WRITERS * REQUESTS_PER_WRITER * BATCH // 3 and time.monotonic() < deadline and not errors:
        time.sleep(0.05)
    private_cluster.restart(down_for=1.0)  # every connection of both servers breaks
    for thread in workers:
        thread.join(timeout=DEADLINE_S)
    stop.set()
    for thread in watchers:
        thread.join(timeout=DEADLINE_S)
    if errors:
        raise errors[0]
    assert clients.problems == []
    assert set(clients.statuses) <= {200, 204, 412, 503}, clients.statuses

    # Exact counts: every acknowledged statement once, and nothing else.
    session = clients.session()
    stored = all_pages(clients, session, "ascending=true&limit=100")
    stored_ids = [s["id"] for s in stored]
    assert len(acked) == len(set(acked))
    assert Counter(stored_ids) == Counter(acked), "a statement was lost or stored twice"
    assert [s["stored"] for s in stored] == sorted(s["stored"] for s in stored)
    with open_store(url) as store:
        assert store.count_statements() == len(acked)

    # Documents: one creator, no lost increment.
    assert sorted(created) == [204] + [412] * (INCREMENTERS - 1)
    final = clients.call(session, 0, "GET", state_path)
    assert final.json()["count"] == sum(increments) == INCREMENTERS * INCREMENTS_EACH

    # Consistent-through: the windows hold every statement exactly once, each in its window.
    seen = [s["id"] for _, _, found in windows for s in found]
    last_through = windows[-1][1]
    expected = [s["id"] for s in stored if s["stored"] <= last_through]
    assert Counter(seen) == Counter(expected), "a statement became visible after a consistent-through covering it"
    for since, until, found in windows:
        assert all(since < s["stored"] <= until for s in found)
    assert len(windows) > 3

    # Positions: the follower read every statement once.
    assert Counter(followed) == Counter(stored_ids)

    # Cursors: a query paged with small pages alternating servers, descending.
    paged = all_pages(clients, session, f"activity={quote(ACTIVITY)}&limit=7", start=1)
    assert [s["id"] for s in paged] == stored_ids[::-1]


def course_statements(course: str, learners: range, verb: str) -> list[dict]:
    from lrs.analytics.vocab import COURSE_TYPE

    return [{
        "actor": {"mbox": f"mailto:learner{n}@example.org", "name": f"Learner {n}"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"id": course, "definition": {"type": COURSE_TYPE, "name": {"en-US": "Course " + course[-1]}}},
        "result": {"completion": verb in ("completed", "passed"), "success": verb == "passed"}
        if verb != "initialized" else {},
    } for n in learners]


def test_dashboard_follows_statements_from_the_other_server(two_servers) -> None:
    """Server A's dashboard figures (the incremental aggregates, per process) equal a fresh
    report after each round of statements posted through server B, voiding included."""
    from lrs.dashboard import _ReportCache

    url, servers, auth = two_servers
    clients = Clients(servers, auth)
    session = clients.session()
    cache = _ReportCache()
    course = "http://example.org/courses/multi-server-1"
    rounds = [
        course_statements(course, range(0, 6), "initialized"),
        course_statements(course, range(0, 4), "completed"),
        course_statements("http://example.org/courses/multi-server-2", range(3, 8), "initialized"),
        course_statements(course, range(0, 2), "passed"),
    ]
    with open_store(url) as store:
        cache.get(store, None, None)
        for number, batch in enumerate(rounds):
            response = clients.call(session, 1, "POST", "/xAPI/statements", json=batch)  # server B
            assert response.status_code == 200, response.text
            if number == 3:  # void one of them, through B too
                void = {"actor": {"mbox": "mailto:admin@example.org"},
                        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                        "object": {"objectType": "StatementRef", "id": response.json()[0]}}
                assert clients.call(session, 1, "POST", "/xAPI/statements", json=void).status_code == 200
            followed = cache.get(store, None, None)
            assert followed == _ReportCache().get(store, None, None), f"round {number}"
        page = requests.get(servers[0].base + "/dashboard/", auth=auth, timeout=30)
    assert page.status_code == 200
    assert "multi-server-2" in page.text or "Course 2" in page.text


def test_exhausted_pool_answers_503_with_retry_after(private_cluster, tmp_path: Path) -> None:
    """One connection per process, held by a write blocked on the statement write lock: the
    next request waits the pool timeout (1 s) and gets a 503 with Retry-After, not a hang or a
    500; once the lock is released the write completes and requests are served again."""
    url = private_cluster.create_database(f"pool_{uuid.uuid4().hex[:8]}") + "?pool_size=1&pool_timeout=1"
    with open_store(url) as store:
        credential, secret = create_credential(store, ["all"], name="pool")
    server = Server(url, tmp_path / "server.log", workers=1, threads=4)
    session = requests.Session()
    session.auth = (credential.key, secret)
    session.headers["X-Experience-API-Version"] = "1.0.3"
    try:
        assert session.get(server.base + "/xAPI/statements", timeout=30).status_code == 200
        blocked: list[requests.Response] = []
        with psycopg.connect(url.split("?")[0], autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(%s)", (_WRITE_LOCK,))
            writer = threading.Thread(target=lambda: blocked.append(
                session.post(server.base + "/xAPI/statements", json=statement("blocked"), timeout=60)))
            writer.start()
            time.sleep(1.0)  # the write now holds the only connection, waiting for the lock
            started = time.monotonic()
            refused = session.get(server.base + "/xAPI/statements", timeout=30)
            waited = time.monotonic() - started
            holder.execute("SELECT pg_advisory_unlock(%s)", (_WRITE_LOCK,))
        writer.join(timeout=30)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "1"
        assert refused.headers["X-Experience-API-Version"] == "1.0.3"
        assert "cannot serve" in refused.json()["error"]
        assert 0.9 <= waited < 10
        assert blocked and blocked[0].status_code == 200, blocked
        after = session.get(server.base + "/xAPI/statements", timeout=30)
        assert after.status_code == 200 and len(after.json()["statements"]) == 1
    finally:
        server.stop()


def test_store_recovers_after_the_database_restarts(private_cluster) -> None:
    """Connections broken by a restart are replaced without reopening the store: a read right
    after the restart succeeds (one retry on a fresh connection), and so do writes."""
    from lrs.xapi.statements import build_record, normalise

    url = private_cluster.create_database(f"restart_{uuid.uuid4().hex[:8]}") + "?pool_size=2&pool_timeout=10"
    authority = {"mbox": "mailto:restart@example.org"}
    now = dt.datetime.now(dt.UTC)
    with open_store(url) as store:
        store.insert_statements([build_record(normalise(statement("before"), "1.0.3", authority, now))])
        private_cluster.restart(down_for=0.5)
        assert store.count_statements() == 1
        store.insert_statements([build_record(normalise(statement("after"), "1.0.3", authority, now))])
        assert len(store.query_statements(StatementQuery()).statements) == 2


def test_consistent_through_never_passes_a_write_in_progress(private_cluster) -> None:
    """While a write holds the statement write lock (it has taken its ``stored`` but not
    committed), consistent-through stays before it, on any connection; after the commit it
    covers the write."""
    from lrs.stores.base import format_timestamp
    from lrs.xapi.statements import build_record, normalise

    url = private_cluster.create_database(f"through_{uuid.uuid4().hex[:8]}")
    now = dt.datetime.now(dt.UTC)
    with open_store(url) as store, psycopg.connect(url, autocommit=True) as writer:
        store.insert_statements([build_record(normalise(statement("first"), "1.0.3", {"mbox": "mailto:a@b.c"}, now))])
        with writer.transaction():
            writer.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            pending = format_timestamp(writer.execute("SELECT clock_timestamp()").fetchone()[0])
            time.sleep(0.05)
            during = store.consistent_through()
        after = store.consistent_through()
    assert during < pending <= after
