"""Reading one store with several processes gives exactly what one pass gives.

The report's aggregates of consecutive parts merge into the one-pass aggregates, and a parallel
export is byte-identical to a one-process export, on the generated cohort; course resolution
(rule 2) knows the store's declared courses from the first statement on.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from cohort import Cohort
from helpers import load
from test_rules import COURSE, st

from lrs.analytics.parallel import split
from lrs.analytics.report import Aggregator, Window
from lrs.analytics.roster import read_roster_file
from lrs.analytics.vocab import COURSE_TYPE, epoch
from lrs.stores import StreamFilter, open_store

ROOT = Path(__file__).resolve().parents[2]
KEY_ENV = {"SPOTLIGHT_LRS_PSEUDONYM_KEY": "a-test-key-that-is-long-enough"}


def spotlight_lrs(*args: str, env: dict | None = None) -> bytes:
    """The real command in a child process, as an analyst runs it (worker processes included)."""
    done = subprocess.run([sys.executable, "-c", "from lrs.cli import main; main()", *args], cwd=ROOT,
                          capture_output=True, timeout=300, env={**_environment(), **(env or {})})
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def _environment() -> dict:
    import os

    return dict(os.environ)


def test_split_covers_every_position_once() -> None:
    for last, parts in ((0, 3), (1, 4), (10, 3), (1_000_003, 7)):
        ranges = split(StreamFilter(verb="v"), last, parts)
        assert ranges[0].after_position == 0 and ranges[-1].through_position == last
        assert all(a.through_position == b.after_position for a, b in zip(ranges, ranges[1:], strict=False))
        assert all(r.verb == "v" for r in ranges) and len(ranges) == max(1, min(parts, last))


@pytest.mark.parametrize("known", [False, True], ids=["courses-learnt", "courses-known"])
def test_merged_parts_equal_one_pass(cohort: Cohort, known: bool) -> None:
    statements = cohort.statements
    courses = {s["object"]["id"] for s in statements
               if s["object"].get("definition", {}).get("type") == COURSE_TYPE} if known else set()
    roster = read_roster_file(cohort.roster_csv).attributes()
    options = {"lang": "es", "filters": {"institution": "DIF"}}
    whole = Aggregator(known_courses=courses).add_all(statements).report(roster, "state", True, **options)
    window = Window(epoch("2026-03-08T00:00:00Z"), epoch("2026-03-20T00:00:00Z"))
    windowed = Aggregator(known_courses=courses, window=window).add_all(statements).report(roster, "cohort", True)
    rng = random.Random(11)
    for parts in (2, 3, 7):
        cuts = sorted({0, len(statements), *rng.sample(range(1, len(statements)), parts - 1)})
        pieces = [Aggregator(known_courses=courses).add_all(statements[a:b])
                  for a, b in zip(cuts, cuts[1:], strict=False)]
        merged = pieces[0]
        for piece in pieces[1:]:
            merged.merge(piece)
        assert merged.report(roster, "state", True, **options) == whole, parts
        pieces = [Aggregator(known_courses=courses, window=window).add_all(statements[a:b])
                  for a, b in zip(cuts, cuts[1:], strict=False)]
        for piece in pieces[1:]:
            pieces[0].merge(piece)
        assert pieces[0].report(roster, "cohort", True) == windowed, parts


def test_parallel_report_and_exports_match_one_process(store_with_roster: str) -> None:
    report = ["report", "--store", store_with_roster, "--by", "institution", "--format", "json", "--show-learners",
              "--lang", "es", "--from", "2026-03-03"]
    one = spotlight_lrs(*report, "--jobs", "1")
    assert json.loads(one)["statements"] > 10_000
    assert spotlight_lrs(*report, "--jobs", "3") == one
    for args in (["--format", "csv"], ["--format", "jsonl"], ["--format", "csv", "--course", "reeducation-men"],
                 ["--format", "jsonl", "--course", "first-contact-care", "--pseudonymise"]):
        export = ["export", "--store", store_with_roster, *args]
        single = spotlight_lrs(*export, "--jobs", "1", env=KEY_ENV)
        assert single.count(b"\n") > 1_000, args
        assert spotlight_lrs(*export, "--jobs", "2", env=KEY_ENV) == single, args


def test_every_store_reads_in_parallel(any_store_url: str, small: Cohort) -> None:
    """sqlite, postgresql and tinydb: position ranges read by workers give one pass's output."""
    with open_store(any_store_url) as store:
        load(store, small.statements)
    report = ["report", "--store", any_store_url, "--format", "json", "--by", "state"]
    one = spotlight_lrs(*report, "--jobs", "1")
    assert json.loads(one)["statements"] == len(small.statements)
    assert spotlight_lrs(*report, "--jobs", "2") == one
    export = ["export", "--store", any_store_url, "--format", "csv"]
    assert spotlight_lrs(*export, "--jobs", "2") == spotlight_lrs(*export, "--jobs", "1")


def test_a_read_ends_at_the_statements_stored_when_it_began(tmp_path: Path, small: Cohort) -> None:
    """Statements stored during a report wait for the next one, so any --jobs gives the same."""
    from lrs.analytics.report import aggregate
    from lrs.analytics.sources import Source

    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    with open_store(url) as store:
        load(store, small.statements[:500])
        source = Source.of_store(store, url)
        load(store, small.statements[500:600])
        assert source.last_position() == 500
        assert sum(1 for _ in source.statements()) == 500
        figures = aggregate(source).report()
        assert figures["statements"] + figures["unattributed"] == 500
        assert Source.of_store(store, url).last_position() == 600


def test_courses_declared_in_the_store_are_known_from_the_start(tmp_path: Path) -> None:
    """A page naming only its module, stored before any statement declares its course: the
    export attributes it through the store's canonical activity of type course (rule 2)."""
    page = st("experienced", f"{COURSE}/m1/p1", "10:05:00", parent=f"{COURSE}/m1")
    start = st("initialized", COURSE, "10:00:00", obj_type="course")
    url = f"sqlite:///{tmp_path / 'lrs.db'}"
    with open_store(url) as store:
        load(store, [page, start])
        assert store.activity_ids_of_type(COURSE_TYPE) == {COURSE}
    rows = spotlight_lrs("export", "--store", url, "--format", "csv").decode().splitlines()
    header = rows[0].split(",")
    first = dict(zip(header, rows[1].split(","), strict=True))
    assert (first["object_id"], first["course"], first["module"]) == (f"{COURSE}/m1/p1", COURSE, f"{COURSE}/m1")
