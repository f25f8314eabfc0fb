"""Benchmark the LRS per store: write throughput, filtered-query latency and server memory.

For each store it measures, against ``spotlight-lrs serve`` on 127.0.0.1:

- statements/s for single POSTs and for POSTs of 100-statement batches, 4 concurrent clients
  (client processes, so the client side is not bound by one interpreter);
- GET /xAPI/statements latency (median, p95) for filtered queries (agent, verb, activity,
  related activity, registration, since, no filter) once the store holds each of ``--sizes``
  statements; the store is filled directly through the store interface, which is much faster
  than HTTP and measures the same reads;
- the server's peak resident memory (largest worker, and master + workers) after each phase,
  to show whether memory grows with the size of the store;
- single-POST statements/s again at each size, to show whether writes slow down as it grows.

Everything is bounded: fixed request counts and sizes. TinyDB rewrites its whole file on each
write, so it gets its own, smaller sizes (``--tinydb-sizes``).

``--security`` measures instead what issue 10 asks: the ingest rate of one POST of 1,000, 10,000
and 50,000 statements (and the ratio of the fastest to the slowest: linear handling keeps it
near 1), and a good client's single-POST latency (median, p95) alone and while 4 processes
send wrong secrets and one posts 50 MB bodies (the server as ``serve`` starts it: 2 workers),
with the rate of wrong-secret answers and the server CPU each cost (all server requests of the
phase divided by the wrong secrets answered: an upper bound).

Usage (from the repository root)::

    .venv/bin/python bench/lrs.py                                   # all stores, 100k and 1M
    .venv/bin/python bench/lrs.py --stores sqlite --sizes 100000    # one store, one size
    .venv/bin/python bench/lrs.py --security --stores sqlite        # batch scaling, flood
    .venv/bin/python bench/lrs.py --security --stores sqlite --repo ../../main   # the same, before
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bulk_fill import bulk_fill  # noqa: E402  (bench/, first on sys.path when run as a script)

from lrs.stores import StatementRecord, open_store  # noqa: E402
from lrs.stores.base import format_timestamp  # noqa: E402
from lrs.xapi.statements import build_record, normalise  # noqa: E402

PG_ADMIN_URL = os.environ.get("SPOTLIGHT_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CLIENTS = 4
VERSION = "1.0.3"
VERBS = [
    f"http://adlnet.gov/expapi/verbs/{v}"
    for v in (
        "experienced",
        "attempted",
        "answered",
        "passed",
        "failed",
        "completed",
        "launched",
        "initialized",
        "terminated",
        "progressed",
    )
]
LEARNERS = 5000
ACTIVITIES = 2000
COURSES = 20
REGISTRATIONS = 10000
AUTHORITY = {"objectType": "Agent", "name": "bench", "mbox": "mailto:bench@example.org"}


# --- statements ---------------------------------------------------------------------------


def make_statement(rnd: random.Random) -> dict:
    """A realistic statement: one of 5,000 learners, 2,000 activities in 20 courses, a registration."""
    return _statement(_pick(rnd))


def _pick(rnd: random.Random) -> tuple[str, int, str, int, float, int]:
    """What varies between statements: id, learner, verb, activity, score, registration."""
    activity = rnd.randrange(ACTIVITIES)
    return (str(uuid.uuid4()), rnd.randrange(LEARNERS), rnd.choice(VERBS), activity, round(rnd.random(), 2),
            rnd.randrange(REGISTRATIONS))


def _statement(picked: tuple[str, int, str, int, float, int]) -> dict:
    sid, learner, verb, activity, score, registration = picked
    return {
        "id": sid,
        "actor": {"objectType": "Agent", "mbox": f"mailto:learner{learner}@example.org"},
        "verb": {"id": verb, "display": {"en-US": "did"}},
        "object": {
            "objectType": "Activity",
            "id": f"http://example.org/activities/{activity}",
            "definition": {"name": {"en-US": f"Activity {activity}"}},
        },
        "result": {"score": {"scaled": score}, "completion": True},
        "context": {
            "registration": str(uuid.UUID(int=registration)),
            "contextActivities": {"parent": [{"id": f"http://example.org/courses/{activity % COURSES}"}]},
        },
    }


AUTHORITY_KEY = "mbox:" + AUTHORITY["mbox"]


def fast_record(picked: tuple[str, int, str, int, float, int], timestamp: str) -> StatementRecord:
    """What ``build_record(normalise(statement))`` makes of :func:`make_statement`'s statement, about
    ten times faster (checked by :func:`check_fast_records` before every fill)."""
    statement = _statement(picked)
    statement.update(timestamp=timestamp, authority=AUTHORITY, version="1.0.0")
    actor = "mbox:" + statement["actor"]["mbox"]
    activity = statement["object"]["id"]
    return StatementRecord(
        id=statement["id"], statement=statement, verb_id=statement["verb"]["id"],
        agent_keys=frozenset((actor,)), related_agent_keys=frozenset((actor, AUTHORITY_KEY)),
        activity_ids=frozenset((activity,)),
        related_activity_ids=frozenset((activity, statement["context"]["contextActivities"]["parent"][0]["id"])),
        registration=statement["context"]["registration"], authority_keys=frozenset((AUTHORITY_KEY,)),
    )  # fmt: skip


def check_fast_records(count: int = 500) -> None:
    """Fail loudly if :func:`fast_record` ever differs from the rules layer's own record."""
    rnd = random.Random(5)
    now = dt.datetime.now(dt.UTC)
    timestamp = normalise(make_statement(rnd), VERSION, AUTHORITY, now)["timestamp"]
    for _ in range(count):
        picked = _pick(rnd)
        real = build_record(normalise(_statement(picked), VERSION, AUTHORITY, now))
        if fast_record(picked, timestamp) != real:
            raise SystemExit(f"bench/lrs.py: fast_record differs from build_record(normalise(...)):\n{real}")


def fill_store(url: str, count: int, rnd: random.Random, batch: int = 1000) -> float:
    """Insert ``count`` statements through the store interface; return seconds taken."""
    store = open_store(url)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    try:
        for start in range(0, count, batch):
            statements = [make_statement(rnd) for _ in range(min(batch, count - start))]
            store.insert_statements([build_record(normalise(s, VERSION, AUTHORITY, now)) for s in statements])
    finally:
        store.close()
    return time.perf_counter() - started


def bulk_fill_store(url: str, count: int, rnd: random.Random, batch: int = 50_000) -> dict:
    """Write ``count`` statements as the store would (bench/bulk_fill.py); return its figures."""
    check_fast_records()
    timestamp = format_timestamp(dt.datetime.now(dt.UTC))

    def batches() -> Iterator[list[StatementRecord]]:
        for start in range(0, count, batch):
            yield [fast_record(_pick(rnd), timestamp) for _ in range(min(batch, count - start))]

    return bulk_fill(url, batches())


# --- server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``spotlight-lrs serve`` in its own process group, with its memory read from /proc."""

    def __init__(self, url: str, workers: int, log: Path, extra: tuple[str, ...] = (), repo: Path = REPO) -> None:
        self.port = free_port()
        command = [
            sys.executable, "-c", "from lrs.cli import main; main()", "serve", "--store", url,
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers), *extra,
        ]  # fmt: skip
        env = dict(os.environ, PYTHONPATH=str(repo))
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                command, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI/"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early; see {log}")
            try:
                requests.get(self.endpoint + "about", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"server did not start within 120 s; see {log}")
        self._settle(workers, deadline)

    def _settle(self, workers: int, deadline: float) -> None:
        """Wait until every worker has booted (loaded the app) and gone idle: one answer to About
        only proves that one has, and the others' imports would eat the first measurement's CPU."""
        previous: dict[int, float] = {}
        while time.monotonic() < deadline:
            children = _process_tree(self.process.pid)[1:]
            now = {pid: _cpu_seconds_of(pid) for pid in children}
            if len(children) >= workers and previous and all(now[p] - previous.get(p, 0.0) < 0.02 for p in now):
                return
            previous = now
            time.sleep(0.5)

    def peak_memory_mib(self) -> tuple[float, float]:
        """(largest process, all processes) peak resident set size of the server, in MiB."""
        peaks = [_peak_rss_kib(pid) for pid in _process_tree(self.process.pid)]
        peaks = [p for p in peaks if p]
        return max(peaks) / 1024, sum(peaks) / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _process_tree(root: int) -> list[int]:
    pids, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        pids += [int(c) for c in children]
        frontier += [int(c) for c in children]
    return pids


def _cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def make_credential(url: str) -> tuple[str, str]:
    """A fresh all-scope credential, made through the CLI like an operator would."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run(
        [sys.executable, "-c", "from lrs.cli import main; main()", "credentials", "create",
         "--store", url, "--scope", "all", "--json"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    created = json.loads(out)
    return created["key"], created["secret"]


# --- load ---------------------------------------------------------------------------------


def _writer(endpoint: str, auth: tuple[str, str], requests_count: int, batch: int, seed: int, ready) -> None:
    """Client process: a few untimed requests (connections, the credential check in each worker),
    then wait for the others and post ``requests_count`` requests."""
    rnd = random.Random(seed)
    session = requests.Session()
    session.auth = auth
    session.headers["X-Experience-API-Version"] = VERSION
    bodies = [
        make_statement(rnd) if batch == 1 else [make_statement(rnd) for _ in range(batch)]
        for _ in range(requests_count + WARM_UP_REQUESTS)
    ]
    for number, body in enumerate(bodies):
        if number == WARM_UP_REQUESTS:
            ready.wait()  # every client warm: the clock starts
        response = session.post(endpoint + "statements", json=body, timeout=60)
        if response.status_code != 200:
            raise SystemExit(f"POST failed: {response.status_code} {response.text[:200]}")


#: Untimed requests each client sends first.
WARM_UP_REQUESTS = 3


def write_rate(endpoint: str, auth: tuple[str, str], requests_per_client: int, batch: int) -> float:
    """Statements per second with CLIENTS client processes posting at once (warm-up excluded)."""
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(CLIENTS + 1)
    clients = [
        context.Process(target=_writer, args=(endpoint, auth, requests_per_client, batch, n, ready))
        for n in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    ready.wait(timeout=600)
    started = time.perf_counter()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    if any(client.exitcode for client in clients):
        raise RuntimeError("a client failed; see its output above")
    return CLIENTS * requests_per_client * batch / elapsed


def query_latency(endpoint: str, auth: tuple[str, str], rounds: int, rnd: random.Random) -> dict[str, float]:
    """Median and p95 latency (ms) over ``rounds`` rounds of every filtered query."""
    session = requests.Session()
    session.auth = auth
    session.headers["X-Experience-API-Version"] = VERSION
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    queries: list[Callable[[], dict[str, str]]] = [
        lambda: {"agent": json.dumps({"mbox": f"mailto:learner{rnd.randrange(LEARNERS)}@example.org"})},
        lambda: {"verb": rnd.choice(VERBS)},
        lambda: {"activity": f"http://example.org/activities/{rnd.randrange(ACTIVITIES)}"},
        lambda: {
            "activity": f"http://example.org/courses/{rnd.randrange(COURSES)}",
            "related_activities": "true",
        },
        lambda: {"registration": str(uuid.UUID(int=rnd.randrange(REGISTRATIONS)))},
        lambda: {"verb": rnd.choice(VERBS), "since": since, "ascending": "true"},
        lambda: {},
    ]
    timings: list[float] = []
    for _ in range(rounds):
        for make in queries:
            params = {"limit": "100", **make()}
            started = time.perf_counter()
            response = session.get(endpoint + "statements", params=params, timeout=60)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"GET failed: {response.status_code} {response.text[:200]}")
    timings.sort()
    return {
        "queries": len(timings),
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1] * 1000, 1),
    }


# --- stores -------------------------------------------------------------------------------


def new_store_url(kind: str, workdir: Path) -> tuple[str, Callable[[], None]]:
    """URL of a fresh store of ``kind`` and a function that removes it."""
    if kind == "sqlite":
        return f"sqlite:///{workdir}/bench.db", lambda: None
    if kind == "tinydb":
        return f"tinydb:///{workdir}/bench.json", lambda: None
    import psycopg

    name = f"spotlight_lrs_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, drop


def bench_store(kind: str, sizes: list[int], workers: int, writes: tuple[int, int], rounds: int,
                fill: str = "bulk") -> dict:
    """Every measurement for one store kind, on a fresh store: writes on the empty store, then at
    each size (filled by ``fill``: ``bulk`` or ``store``) GET latency, writes and server memory,
    each size on a freshly started server."""
    singles_per_client, batches_per_client = writes
    rnd = random.Random(7)
    result: dict = {"store": kind, "workers": workers, "clients": CLIENTS, "fill": fill,
                    "cpus": os.cpu_count(), "load_at_start": _load()}
    with tempfile.TemporaryDirectory(prefix=f"lrs-bench-{kind}-", dir=os.environ.get("SPOTLIGHT_BENCH_DIR")) as tmp:
        workdir = Path(tmp)
        url, drop = new_store_url(kind, workdir)
        try:
            open_store(url).close()
            auth = make_credential(url)
            server = Server(url, workers, workdir / "server.log")
            try:
                result["single_post_per_s"] = round(write_rate(server.endpoint, auth, singles_per_client, 1))
                result["batch_100_per_s"] = round(write_rate(server.endpoint, auth, batches_per_client, 100))
                result["write_peak_mib"] = [round(m) for m in server.peak_memory_mib()]
            finally:
                server.stop()
            _report(result)
            for size in sizes:
                held = _count(url)
                if size > held:
                    if fill == "bulk" and kind != "tinydb":
                        figures = bulk_fill_store(url, size - held, rnd)
                        result[f"fill_{size}_per_s"] = round(figures["statements"] / figures["seconds"])
                        result[f"fill_{size}_index_s"] = round(figures["index_seconds"], 1)
                    else:
                        seconds = fill_store(url, size - held, rnd)
                        result[f"fill_{size}_per_s"] = round((size - held) / seconds)
                if kind == "postgres":
                    _analyze(url)
                result[f"load_{size}"] = _load()
                server = Server(url, workers, workdir / "server.log")
                try:
                    query_latency(server.endpoint, auth, 2, rnd)  # warm caches and connections
                    result[f"query_{size}"] = query_latency(server.endpoint, auth, rounds, rnd)
                    # Do writes slow down as the store grows? (adds a few thousand statements)
                    result[f"single_post_at_{size}_per_s"] = round(
                        write_rate(server.endpoint, auth, max(singles_per_client // 2, 10), 1))
                    result[f"batch_100_at_{size}_per_s"] = round(
                        write_rate(server.endpoint, auth, max(batches_per_client // 2, 2), 100))
                    result[f"peak_mib_at_{size}"] = [round(m) for m in server.peak_memory_mib()]
                finally:
                    server.stop()
                result[f"store_bytes_at_{size}"] = _store_bytes(kind, url, workdir)
                _report(result)
        finally:
            drop()
    return result


def _load() -> list[float]:
    return [round(value, 1) for value in os.getloadavg()]


def _store_bytes(kind: str, url: str, workdir: Path) -> int:
    """The store's size on disk (database files, or the PostgreSQL database)."""
    if kind == "postgres":
        import psycopg

        with psycopg.connect(url) as conn:
            return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return sum(path.stat().st_size for path in workdir.glob("bench.*"))


def _count(url: str) -> int:
    store = open_store(url)
    try:
        return store.count_statements()
    finally:
        store.close()


def _analyze(url: str) -> None:
    """Refresh planner statistics after a bulk load, as an operator (or autovacuum) would."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def _report(result: dict) -> None:
    print(json.dumps(result), flush=True)


# --- security: batch scaling, and a good client under a wrong-secret flood and a 50 MB body ------


def batch_scaling(kind: str, batch_sizes: list[int], repo: Path) -> dict:
    """Statements/s of one POST of each batch size, on a fresh store each (the best of two)."""
    rnd = random.Random(11)
    result: dict = {"store": kind, "bench": "batch", "repo": str(repo)}
    options = _supported(repo, ("--max-body", "1GB"), ("--max-batch", str(max(batch_sizes))))
    for size in batch_sizes:
        best = 0.0
        for _ in range(2):
            with tempfile.TemporaryDirectory(prefix=f"lrs-bench-batch-{kind}-") as tmp:
                url, drop = new_store_url(kind, Path(tmp))
                try:
                    open_store(url).close()
                    auth = make_credential(url)
                    server = Server(url, 1, Path(tmp) / "server.log", options, repo)
                    try:
                        # Warm up: the first request pays the credential hash and cold caches, and the
                        # first mention of each activity writes its definition; the timed batch then
                        # costs what any batch of known activities costs.
                        warm = [make_statement(rnd) for _ in range(ACTIVITIES)]
                        for number, statement in enumerate(warm):
                            activity = f"http://example.org/activities/{number}"
                            name = {"en-US": f"Activity {number}"}
                            statement["object"].update(id=activity, definition={"name": name})
                        response = requests.post(server.endpoint + "statements", json=warm, auth=auth, timeout=600,
                                                 headers={"X-Experience-API-Version": VERSION})
                        if response.status_code != 200:
                            raise RuntimeError(f"warm-up: {response.status_code} {response.text[:200]}")
                        body = json.dumps([make_statement(rnd) for _ in range(size)]).encode()
                        started = time.perf_counter()
                        response = requests.post(server.endpoint + "statements", data=body, auth=auth, timeout=3600,
                                                 headers={"X-Experience-API-Version": VERSION,
                                                          "Content-Type": "application/json"})
                        elapsed = time.perf_counter() - started
                        if response.status_code != 200:
                            raise RuntimeError(f"batch of {size}: {response.status_code} {response.text[:200]}")
                        best = max(best, size / elapsed)
                    finally:
                        server.stop()
                finally:
                    drop()
        result[f"batch_{size}_per_s"] = round(best)
    rates = [result[f"batch_{size}_per_s"] for size in batch_sizes]
    result["fastest_over_slowest"] = round(max(rates) / min(rates), 2)
    _report(result)
    return result


def _supported(repo: Path, *options: tuple[str, str]) -> tuple[str, ...]:
    """The ``serve`` options this checkout knows (an older one, for a before/after run, may not)."""
    env = dict(os.environ, PYTHONPATH=str(repo))
    known = subprocess.run([sys.executable, "-c", "from lrs.cli import main; main()", "serve", "--help"],
                           cwd=repo, env=env, capture_output=True, text=True, timeout=60).stdout
    return tuple(part for name, value in options if name in known for part in (name, value))


def _flooder(endpoint: str, key: str, seed: int, stop, sent) -> None:
    """Client process: wrong secrets as fast as the server answers, until ``stop``."""
    session = requests.Session()
    session.auth = (key if seed % 2 else f"guess-{seed}", "wrong-secret")
    session.headers["X-Experience-API-Version"] = VERSION
    statement = make_statement(random.Random(seed))
    while not stop.is_set():
        try:
            session.post(endpoint + "statements", json=statement, timeout=30)
            with sent.get_lock():
                sent.value += 1
        except requests.RequestException:
            time.sleep(0.01)


def _cpu_seconds(root: int) -> float:
    """User + system CPU seconds of a process tree (the server: master and workers)."""
    return sum(_cpu_seconds_of(pid) for pid in _process_tree(root))


def _big_body(endpoint: str, auth: tuple[str, str], stop) -> None:
    """Client process: posts 50 MB bodies, chunked, one after the other, until ``stop``."""
    chunk = b" " * (1024 * 1024)

    def body():
        yield b"["
        for _ in range(50):
            if stop.is_set():
                return
            yield chunk
        yield b"]"

    while not stop.is_set():
        try:
            requests.post(endpoint + "statements", data=body(), auth=auth, timeout=60,
                          headers={"X-Experience-API-Version": VERSION, "Content-Type": "application/json"})
        except requests.RequestException:
            time.sleep(0.05)


def good_client_latency(endpoint: str, auth: tuple[str, str], posts: int) -> dict:
    session = requests.Session()
    session.auth = auth
    session.headers["X-Experience-API-Version"] = VERSION
    rnd = random.Random(3)
    timings, failures = [], 0
    for _ in range(posts):
        started = time.perf_counter()
        response = session.post(endpoint + "statements", json=make_statement(rnd), timeout=120)
        timings.append(time.perf_counter() - started)
        failures += response.status_code != 200
    timings.sort()
    return {"posts": posts, "failed": failures, "median_ms": round(statistics.median(timings) * 1000, 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1] * 1000, 1)}


def flood(kind: str, workers: int, flooders: int, posts: int, repo: Path) -> dict:
    """A good client's single-POST latency alone, then while ``flooders`` processes send wrong
    secrets and one posts 50 MB bodies."""
    result: dict = {"store": kind, "bench": "flood", "repo": str(repo), "workers": workers, "flooders": flooders}
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix=f"lrs-bench-flood-{kind}-") as tmp:
        url, drop = new_store_url(kind, Path(tmp))
        try:
            open_store(url).close()
            auth = make_credential(url)
            server = Server(url, workers, Path(tmp) / "server.log", (), repo)
            try:
                good_client_latency(server.endpoint, auth, 20)  # warm up: connections, the verified pair
                result["alone"] = good_client_latency(server.endpoint, auth, posts)
                stop = context.Event()
                sent = context.Value("l", 0)
                attackers = [context.Process(target=_flooder, args=(server.endpoint, auth[0], n, stop, sent))
                             for n in range(flooders)]
                attackers.append(context.Process(target=_big_body, args=(server.endpoint, auth, stop)))
                for process in attackers:
                    process.start()
                time.sleep(1.0)
                cpu, answered, started = _cpu_seconds(server.process.pid), sent.value, time.perf_counter()
                try:
                    result["under_attack"] = good_client_latency(server.endpoint, auth, posts)
                    elapsed = time.perf_counter() - started
                    attack = sent.value - answered
                    result["wrong_secrets_answered_per_s"] = round(attack / elapsed)
                    result["server_cpu_ms_per_wrong_secret"] = round(
                        (_cpu_seconds(server.process.pid) - cpu) * 1000 / max(attack, 1), 2)
                finally:
                    stop.set()
                    for process in attackers:
                        process.join(timeout=60)
                        if process.is_alive():
                            process.kill()
                result["server_log_500s"] = (Path(tmp) / "server.log").read_text().count('" 500 ')
            finally:
                server.stop()
        finally:
            drop()
    _report(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--security", action="store_true",
                        help="instead: batch ingest rate per batch size, and a good client's latency alone and "
                             "under a wrong-secret flood plus a 50 MB body")
    parser.add_argument("--batch-sizes", default="1000,10000,50000", help="with --security ('' for none)")
    parser.add_argument("--flooders", type=int, default=4, help="with --security: wrong-secret client processes")
    parser.add_argument("--posts", type=int, default=200, help="with --security: the good client's POSTs")
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="with --security: serve this checkout (e.g. main, for a before/after comparison)")
    parser.add_argument("--stores", default="sqlite,postgres,tinydb",
                        type=lambda text: ",".join("postgres" if k == "postgresql" else k for k in text.split(",")),
                        help="comma-separated: sqlite, postgres (or postgresql), tinydb")
    parser.add_argument("--sizes", default="100000,1000000", help="store sizes for query latency")
    parser.add_argument("--tinydb-sizes", default="1000,10000", help="the same for TinyDB")
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--rounds", type=int, default=30, help="rounds of the 7 filtered queries per size")
    parser.add_argument("--fill", choices=("bulk", "store"), default="bulk",
                        help="how to fill each size: bulk (rows as the store writes them, bench/bulk_fill.py; "
                             "the default) or store (insert_statements, much slower)")
    parser.add_argument("--pg-cluster", choices=("shared", "private"), default="shared",
                        help="PostgreSQL: a database on SPOTLIGHT_PG_ADMIN_URL (shared, the default), or a "
                             "throwaway cluster of PostgreSQL's default settings (fsync on) on a free port")
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    args = parser.parse_args()
    if args.pg_cluster == "private" and "postgres" in args.stores:
        cluster = start_private_cluster()
        try:
            run(args)
        finally:
            cluster.remove()
    else:
        run(args)


def start_private_cluster():  # noqa: ANN201  (tests/lrs/pg_cluster.PrivateCluster)
    """A throwaway cluster for the benchmark: PostgreSQL's defaults (fsync and full-page writes on,
    128 MB of shared buffers, autovacuum on) but room for a bulk load's WAL between checkpoints
    and for index builds. New databases of the benchmark go to it."""
    global PG_ADMIN_URL
    sys.path.insert(0, str(REPO / "tests" / "lrs"))
    from pg_cluster import PrivateCluster

    cluster = PrivateCluster({"fsync": "on", "full_page_writes": "on", "shared_buffers": "128MB",
                              "max_connections": "100", "max_wal_size": "8GB", "maintenance_work_mem": "512MB"})
    cluster.start()
    PG_ADMIN_URL = cluster.admin_url
    print(f"private PostgreSQL cluster on port {cluster.port} ({cluster.root})", flush=True)
    return cluster


def run(args: argparse.Namespace) -> None:
    results = []
    if args.security:
        sizes = [int(s) for s in args.batch_sizes.split(",") if s]
        for kind in args.stores.split(","):
            if sizes:
                results.append(batch_scaling(kind, [s for s in sizes if kind != "tinydb" or s <= 10_000], args.repo))
            results.append(flood(kind, 2, args.flooders, args.posts, args.repo))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")
        return
    for kind in args.stores.split(","):
        small = kind == "tinydb"
        sizes = [int(s) for s in (args.tinydb_sizes if small else args.sizes).split(",")]
        writes = (50, 2) if small else (500, 25)
        results.append(bench_store(kind, sizes, args.workers, writes, args.rounds, args.fill))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)


def print_table(results: list[dict]) -> None:
    """The figures as one Markdown table: a row per store and size."""
    print("\n| store | statements stored | batched statements/s | single POSTs/s | GET median / p95 (ms)"
          " | memory, largest worker / all (MiB) | load average (1 min) |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        print(f"| {result['store']} | empty | {result['batch_100_per_s']:,} | {result['single_post_per_s']:,} | |"
              f" {' / '.join(map(str, result['write_peak_mib']))} | {result['load_at_start'][0]} |")
        for key in result:
            if not key.startswith("query_"):
                continue
            size = key.removeprefix("query_")
            query = result[key]
            print(f"| {result['store']} | {int(size):,} | {result[f'batch_100_at_{size}_per_s']:,} |"
                  f" {result[f'single_post_at_{size}_per_s']:,} | {query['median_ms']} / {query['p95_ms']} |"
                  f" {' / '.join(map(str, result[f'peak_mib_at_{size}']))} | {result[f'load_{size}'][0]} |")


if __name__ == "__main__":
    main()
