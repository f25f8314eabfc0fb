"""Fixtures of the analytics tests: the generated cohort, loaded into stores once per session."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # for `import cohort`
sys.path.insert(0, str(Path(__file__).parents[1] / "lrs"))  # reuse the LRS store fixtures' helpers

from cohort import Cohort, generate  # noqa: E402

from lrs.stores import Store, open_store  # noqa: E402
from lrs.xapi.statements import build_record, normalise  # noqa: E402

AUTHORITY = {"objectType": "Agent", "name": "tests", "account": {"homePage": "https://lrs.test", "name": "tests"}}


def load(store: Store, statements: Iterable[dict], batch: int = 1000) -> None:
    """Insert statements as the statements API would: normalised, indexed, in batches."""
    now = dt.datetime.now(dt.UTC)
    records = []
    for statement in statements:
        records.append(build_record(normalise(statement, "1.0.3", AUTHORITY, now)))
        if len(records) >= batch:
            store.insert_statements(records)
            records = []
    if records:
        store.insert_statements(records)


@pytest.fixture(scope="session")
def cohort() -> Cohort:
    return generate()


@pytest.fixture(scope="session")
def cohort_db(cohort: Cohort, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A sqlite store URL holding the whole cohort (read-only for tests: copy before writing)."""
    path = tmp_path_factory.mktemp("cohort") / "lrs.db"
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        load(store, cohort.statements)
    return url


@pytest.fixture(scope="session")
def roster_file(cohort: Cohort, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text(cohort.roster_csv, encoding="utf-8")
    return path


@pytest.fixture
def cohort_store(cohort_db: str) -> Iterator[Store]:
    with open_store(cohort_db) as store:
        yield store
