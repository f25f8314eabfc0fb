"""Durability: SIGKILL the server while 4 clients post, restart it, and check nothing acknowledged is lost.

Every statement that got a 200/204 must be stored exactly once after the restart, a batch is stored
all or nothing (acknowledged or not), and the store must open clean and accept writes again. Also:
several processes writing one store directly (the CLI and analytics open stores without a server)
all land, once each, in one stored order.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

from lrs.stores import open_store
from lrs.xapi.statements import build_record

pytestmark = pytest.mark.slow

CLIENTS = 4
REQUESTS_PER_CLIENT = 60  # bounds the load whatever happens to the kill
BATCH_SIZE = 10
KILL_AFTER_ACKS = 40  # acknowledged requests (all clients together) before the SIGKILL
CLIENT_DEADLINE_S = 60.0
REPO = Path(__file__).resolve().parents[2]


def make_statement(tag: str) -> dict:
    """A small valid statement with a fresh id; ``tag`` makes its activity unique."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": f"mailto:{tag}@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"objectType": "Activity", "id": f"http://example.org/activities/{tag}"},
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``spotlight-lrs`` from this checkout, installed or not."""
    command = [sys.executable, "-c", "from lrs.cli import main; main()", *args]
    return subprocess.run(command, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120, check=True)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


class LrsServer:
    """``spotlight-lrs serve`` in its own process group on a free 127.0.0.1 port, with one credential."""

    def __init__(self, store_url: str, workdir: Path, workers: int = 2) -> None:
        self.store_url = store_url
        self.workers = workers
        self.log_path = workdir / "server.log"
        created = json.loads(cli("credentials", "create", "--store", store_url, "--scope", "all", "--json").stdout)
        self.auth = (created["key"], created["secret"])
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.base_url + "/xAPI/"

    @property
    def statements_url(self) -> str:
        return self.endpoint + "statements"

    def session(self) -> requests.Session:
        session = requests.Session()
        session.auth = self.auth
        session.headers["X-Experience-API-Version"] = "1.0.3"
        return session

    def start(self) -> None:
        """Start the server and wait until it answers (bounded)."""
        self.port = free_port()
        command = [
            sys.executable,
            "-c",
            "from lrs.cli import main; main()",
            "serve",
            "--store",
            self.store_url,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited early: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(self.endpoint + "about", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"server did not answer within 30 s: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        """Stop the whole process group if it is still running."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


class Ledger:
    """What the clients sent and what the server acknowledged, shared between the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: list[str] = []
        self.batches: list[list[str]] = []
        self.acked_requests = 0
        self.refusals: list[str] = []  # a failure inside a client thread would not fail the test

    def ack(self, ids: list[str]) -> None:
        with self.lock:
            self.acked.extend(ids)
            self.acked_requests += 1


def client(server: LrsServer, number: int, ledger: Ledger, stop: threading.Event) -> None:
    """Post single statements (POST and PUT) and batches until the server dies or the bound is reached."""
    session = server.session()
    deadline = time.monotonic() + CLIENT_DEADLINE_S
    for i in range(REQUESTS_PER_CLIENT):
        if stop.is_set() or time.monotonic() > deadline:
            return
        kind = i % 3
        try:
            if kind == 0:
                statement = make_statement(f"durability-{number}-{i}")
                response = session.post(server.statements_url, json=statement, timeout=10)
                ids = [statement["id"]]
            elif kind == 1:
                statement_id = str(uuid.uuid4())
                statement = make_statement(f"durability-{number}-{i}")
                del statement["id"]
                response = session.put(
                    server.statements_url, params={"statementId": statement_id}, json=statement, timeout=10
                )
                ids = [statement_id]
            else:
                batch = [make_statement(f"durability-{number}-{i}-{j}") for j in range(BATCH_SIZE)]
                ids = [s["id"] for s in batch]
                with ledger.lock:
                    ledger.batches.append(ids)
                response = session.post(server.statements_url, json=batch, timeout=10)
        except requests.RequestException:
            return  # the server was killed: whatever was in flight is not acknowledged
        if response.status_code in (200, 204):
            ledger.ack(ids)
        else:
            with ledger.lock:
                ledger.refusals.append(f"{response.status_code} {response.text[:200]}")
            return


def all_statement_ids(server: LrsServer) -> list[str]:
    """Every stored statement id, by paging through `more` links (voided statements aside; none here)."""
    session = server.session()
    ids: list[str] = []
    response = session.get(server.statements_url, params={"limit": 100, "ascending": "true"}, timeout=30)
    while True:
        assert response.status_code == 200, response.text[:200]
        body = response.json()
        ids.extend(s["id"] for s in body["statements"])
        if not body.get("more"):
            return ids
        response = session.get(server.base_url + body["more"], timeout=30)


def count_after_crash(url: str) -> int:
    """Open the store directly after the crash, check it is intact, and count what it streams back."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    if url.startswith("tinydb:///"):
        path = Path(url.removeprefix("tinydb:///"))
        json.loads(path.read_text())  # a torn write would not parse
    store = open_store(url)
    try:
        if url.startswith("tinydb:///"):
            leftovers = list(path.parent.glob(path.name + ".tmp-*"))
            assert not leftovers, f"temporary files of dead writers left after opening: {leftovers}"
        return sum(1 for _ in store.iter_statements())
    finally:
        store.close()


def test_sigkill_loses_no_acknowledged_statement(store_url: str, tmp_path: Path) -> None:
    server = LrsServer(store_url, tmp_path)
    server.start()
    ledger = Ledger()
    stop = threading.Event()
    threads = [threading.Thread(target=client, args=(server, n, ledger, stop)) for n in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + CLIENT_DEADLINE_S
        while ledger.acked_requests < KILL_AFTER_ACKS and any(t.is_alive() for t in threads):
            assert time.monotonic() < deadline, "clients made no progress"
            time.sleep(0.005)
        os.killpg(server.process.pid, signal.SIGKILL)  # master and workers, mid-flight
        server.process.wait(timeout=30)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        server.stop()
    assert not ledger.refusals, f"server refused valid statements: {ledger.refusals[:3]}"
    assert ledger.acked, "nothing was acknowledged before the kill"

    streamed = count_after_crash(store_url)
    server.start()
    try:
        session = server.session()
        for statement_id in ledger.acked:
            response = session.get(server.statements_url, params={"statementId": statement_id}, timeout=10)
            assert response.status_code == 200, f"acknowledged {statement_id} lost: {response.status_code}"
        stored = Counter(all_statement_ids(server))
        duplicates = [i for i, n in stored.items() if n > 1]
        assert not duplicates, f"stored more than once: {duplicates[:5]}"
        assert streamed == len(stored), "the store streams other statements than the server lists"
        missing = set(ledger.acked) - set(stored)
        assert not missing, f"acknowledged but not listed: {sorted(missing)[:5]}"
        for batch in ledger.batches:
            present = sum(1 for i in batch if i in stored)
            assert present in (0, len(batch)), f"half a batch stored: {present} of {len(batch)}"
        after = make_statement("durability-after-restart")
        assert session.post(server.statements_url, json=after, timeout=10).status_code == 200
    finally:
        server.stop()


PROCESSES = 4
INSERTS_PER_PROCESS = 15


def _insert_from_process(url: str, number: int) -> None:
    """Child process body: open the store itself and insert single statements and small batches."""
    store = open_store(url)
    try:
        for i in range(INSERTS_PER_PROCESS):
            size = 1 if i % 2 else 3
            batch = [make_statement(f"process-{number}-{i}-{j}") for j in range(size)]
            store.insert_statements([build_record(s) for s in batch])
    finally:
        store.close()


def test_processes_writing_one_store_all_land_once(store_url: str) -> None:
    open_store(store_url).close()  # create the schema or file before the race
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_insert_from_process, args=(store_url, n)) for n in range(PROCESSES)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
        assert child.exitcode == 0, f"writer process failed with exit code {child.exitcode}"
    store = open_store(store_url)
    try:
        streamed = list(store.iter_statements())
        assert store.count_statements() == len(streamed)
    finally:
        store.close()
    expected = PROCESSES * sum(1 if i % 2 else 3 for i in range(INSERTS_PER_PROCESS))
    ids = [s["id"] for s in streamed]
    assert len(ids) == expected and len(set(ids)) == expected
    stored = [s["stored"] for s in streamed]
    assert stored == sorted(stored), "stream order is not stored order"


@pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
def test_postgres_store_reconnects_after_the_database_drops_it(store_url: str) -> None:
    """A database restart or idle timeout between two requests costs no request an error."""
    import psycopg

    store = open_store(store_url)
    try:
        store.insert_statements([build_record(make_statement("before-the-drop"))])
        store.probe_after_idle_s = 0.0  # as if the connection had been idle a long time
        with psycopg.connect(store_url, autocommit=True) as admin:
            dropped = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = 'spotlight-lrs'"
            ).fetchone()[0]
        assert dropped >= 1
        assert store.count_statements() == 1
    finally:
        store.close()
