"""LRS stores behind one interface (:class:`lrs.stores.base.Store`), chosen by URL.

``open_store(url)`` is the one way in, for the server, the CLI and analytics alike:

- ``sqlite:///path.db`` (``sqlite:///:memory:`` for tests): embedded default;
- ``postgresql://user@host:port/db`` (also ``postgres://``): scale-out;
- ``tinydb:///path.json``: small pilots.

Backends other than SQLite are imported lazily so a missing driver only matters when used.
"""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

from lrs.stores.base import (
    ANY,
    Credential,
    Document,
    DocumentScope,
    ErasureCounts,
    ErasureRecord,
    ErasureSelection,
    PreconditionFailed,
    StatementConflict,
    StatementPage,
    StatementQuery,
    StatementRecord,
    Store,
    StoredStatement,
    StoreError,
    StoreUnavailable,
    StreamFilter,
    utc_now,
)

DEFAULT_STORE_URL = "sqlite:///lrs.db"

#: scheme -> (module, class name); modules are imported only when their scheme is used.
_BACKENDS = {
    "sqlite": ("lrs.stores.sqlite", "SQLiteStore"),
    "postgresql": ("lrs.stores.postgres", "PostgresStore"),
    "postgres": ("lrs.stores.postgres", "PostgresStore"),
    "tinydb": ("lrs.stores.tinydb_store", "TinyDBStore"),
}


def open_store(url: str) -> Store:
    """Open the store a URL names; every backend class takes the full URL as its only argument."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in _BACKENDS:
        known = ", ".join(sorted(_BACKENDS))
        raise ValueError(f"unknown store URL scheme {scheme!r} in {url!r} (known: {known})")
    module_name, class_name = _BACKENDS[scheme]
    module = importlib.import_module(module_name)
    return getattr(module, class_name)(url)


def path_from_url(url: str) -> str:
    """The file path of a ``scheme:///path`` URL (``sqlite:///rel.db`` is relative,
    ``sqlite:////abs.db`` absolute, as in SQLAlchemy)."""
    parts = urlsplit(url)  # the query string (store options) is not part of the path
    path = parts.netloc + parts.path
    return path[1:] if path.startswith("/") else path


__all__ = [
    "ANY",
    "DEFAULT_STORE_URL",
    "Credential",
    "Document",
    "DocumentScope",
    "ErasureCounts",
    "ErasureRecord",
    "ErasureSelection",
    "PreconditionFailed",
    "StatementConflict",
    "StatementPage",
    "StatementQuery",
    "StatementRecord",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "StoredStatement",
    "StreamFilter",
    "open_store",
    "path_from_url",
    "utc_now",
]
