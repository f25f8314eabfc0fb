"""Shared LRS fixtures: a ``store`` fixture parametrized over every store backend.

PostgreSQL tests use one throwaway database per test session on
postgresql://postgres@127.0.0.1:5432/ (schema reset between tests) and skip when the server
is unreachable, unless SPOTLIGHT_REQUIRE_POSTGRES=1 (CI), where they fail instead.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lrs.stores import Store, open_store

# pytest runs in importlib mode (no sys.path changes): make lrs_helpers importable by tests.
sys.path.insert(0, str(Path(__file__).parent))
from lrs_helpers import LRSClient  # noqa: E402

PG_ADMIN_URL = os.environ.get("SPOTLIGHT_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGRES = os.environ.get("SPOTLIGHT_REQUIRE_POSTGRES") == "1"


def _module_missing(name: str) -> bool:
    return importlib.util.find_spec(name) is None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh database for this test session, dropped at the end."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - psycopg is a declared dependency
        pytest.skip(f"psycopg not importable: {exc}")
    name = f"spotlight_lrs_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"SPOTLIGHT_REQUIRE_POSTGRES=1 but PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def private_cluster() -> Iterator:
    """A PostgreSQL cluster of this test session only (tests/lrs/pg_cluster.py), autovacuum off,
    for tests that restart the database or need fresh-database planner conditions."""
    from pg_cluster import ClusterUnavailable, PrivateCluster

    try:
        cluster = PrivateCluster({"autovacuum": "off"})
    except ClusterUnavailable as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"SPOTLIGHT_REQUIRE_POSTGRES=1 but no private PostgreSQL cluster can run here: {exc}")
        pytest.skip(f"no private PostgreSQL cluster: {exc}")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def _reset_postgres(url: str) -> None:
    """Empty the session database so each test starts from a clean store."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


STORE_KINDS = ["sqlite", "postgres", "tinydb"]


def make_store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty store of ``kind``; skips while that backend's module is missing."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/lrs.db"
    if kind == "tinydb":
        if _module_missing("lrs.stores.tinydb_store"):
            pytest.skip("TinyDB store not written yet (lrs/stores/tinydb_store.py missing)")
        return f"tinydb:///{tmp_path}/lrs.json"
    if kind == "postgres":
        if _module_missing("lrs.stores.postgres"):
            pytest.skip("PostgreSQL store not written yet (lrs/stores/postgres.py missing)")
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
        return url
    raise ValueError(f"unknown store kind {kind!r}")


@pytest.fixture(params=STORE_KINDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty store, for tests that start servers or open stores themselves."""
    return make_store_url(request.param, request, tmp_path)


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An open, empty store of each kind."""
    opened = open_store(make_store_url(request.param, request, tmp_path))
    try:
        yield opened
    finally:
        opened.close()


# --- HTTP fixtures ------------------------------------------------------------------------------


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path}/api.db")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def app(sqlite_store: Store):
    from lrs import create_app

    return create_app({"STORE": sqlite_store, "TESTING": True})


@pytest.fixture
def lrs(app, sqlite_store: Store) -> LRSClient:
    """An xAPI 1.0.3 client with an all-scopes credential."""
    from lrs.auth import create_credential

    credential, secret = create_credential(sqlite_store, ["all"], name="tests")
    return LRSClient(app, credential.key, secret)


@pytest.fixture
def lrs2(app, sqlite_store: Store) -> LRSClient:
    """An xAPI 2.0.0 client with an all-scopes credential."""
    from lrs.auth import create_credential

    credential, secret = create_credential(sqlite_store, ["all"], name="tests2")
    return LRSClient(app, credential.key, secret, version="2.0.0")
