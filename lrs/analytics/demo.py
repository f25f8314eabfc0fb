"""``spotlight-lrs demo``: fill an empty store with a generated cohort, so a new analyst sees a
full report and dashboard at once.

The cohort (lrs.analytics.cohort) has a roster with several groups, learners who never launch,
drop-outs, fails and retakes, in statements shaped as our cmi5, Tin Can and SCORM 1.2 + xAPI
packages send them. Statements are validated and stored as the statements API stores them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from lrs.analytics.cohort import generate
from lrs.analytics.roster import ImportSummary, import_roster, read_roster_file
from lrs.definitions import remember_definitions
from lrs.stores import Store
from lrs.xapi.statements import build_record, normalise
from lrs.xapi.validate import check_statement

AUTHORITY = {"objectType": "Agent", "name": "spotlight-lrs demo",
             "account": {"homePage": "urn:spotlight-lrs", "name": "demo"}}
BATCH = 1000


class DemoError(Exception):
    """The demo cannot fill this store (it already holds statements)."""


@dataclass(frozen=True)
class DemoSummary:
    statements: int
    learners: int
    roster: ImportSummary
    courses: int


def load_statements(store: Store, statements: Iterable[dict], authority: dict = AUTHORITY) -> int:
    """Validate and store statements as the statements API does (normalised, indexed, in
    batches, canonical activity definitions and agents remembered); return how many."""
    now = dt.datetime.now(dt.UTC)
    batch: list[dict] = []
    count = 0
    for statement in statements:
        check_statement(statement, "1.0.3")
        batch.append(normalise(statement, "1.0.3", authority, now))
        if len(batch) >= BATCH:
            count += _insert(store, batch)
            batch = []
    if batch:
        count += _insert(store, batch)
    return count


def _insert(store: Store, statements: list[dict]) -> int:
    store.insert_statements([build_record(s) for s in statements])
    remember_definitions(store, statements)
    return len(statements)


def fill(store: Store, learners: int = 600, seed: int = 6) -> DemoSummary:
    """Fill an empty store with a generated cohort of ``learners`` and its roster."""
    held = store.count_statements()
    if held:
        raise DemoError(f"the store already holds {held:,} statements; the demo fills an empty store only "
                        "(give another --store)")
    cohort = generate(learners, seed)
    stored = load_statements(store, cohort.statements)
    roster = import_roster(store, read_roster_file(cohort.roster_csv))
    return DemoSummary(stored, learners, roster, len({t.course for t in cohort.truths}))
