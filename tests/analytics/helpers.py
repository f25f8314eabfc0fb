"""Loading statements into a store the way the statements API does."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from werkzeug.serving import make_server

from lrs.definitions import remember_definitions
from lrs.stores import Store
from lrs.xapi.statements import build_record, normalise

AUTHORITY = {"objectType": "Agent", "name": "tests", "account": {"homePage": "https://lrs.test", "name": "tests"}}


def load(store: Store, statements: Iterable[dict], batch: int = 1000) -> None:
    """Insert statements as the statements API would: normalised, indexed, in batches, with
    the canonical activity definitions and agents remembered."""
    now = dt.datetime.now(dt.UTC)
    records = []
    for statement in statements:
        records.append(build_record(normalise(statement, "1.0.3", AUTHORITY, now)))
        if len(records) >= batch:
            _insert(store, records)
            records = []
    if records:
        _insert(store, records)


def _insert(store: Store, records: list) -> None:
    store.insert_statements(records)
    remember_definitions(store, [r.statement for r in records])


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """Run a WSGI app over real HTTP on 127.0.0.1 in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
