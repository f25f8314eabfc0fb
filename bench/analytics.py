"""Benchmark: ``spotlight-lrs report`` and ``export`` over 1,000,000 statements.

    .venv/bin/python bench/analytics.py [--statements 1000000] [--store sqlite:///bench-analytics.db]
    .venv/bin/python bench/analytics.py --statements 10000000 --fill bulk --jobs 0 \
        --store postgresql://postgres@127.0.0.1:5432/bench_analytics     # ten million (issue 17)

Fills the store (once; reused when it already holds enough statements) with the generated cohort
(lrs.analytics.cohort) replicated under new learner identities, and its roster replicated the
same way (each copy's learners enrolled in their courses, some never launching), then runs the
real commands as child processes and reports wall time, CPU time and peak memory. The cohort's
statements include the page blocks' (video, scenario, the product a tutor marks). The report
runs with the roster join (enrolment over the roster, groups) and, with ``--show-learners
--submissions``, each learner's module progress and the open answers for tutors too. Each
command runs with its default ``--jobs`` (one worker process per CPU for a store this size) and
with ``--jobs 1`` (one process), unless ``--jobs`` says otherwise.
Targets (issues 6 and 12): report <= 10 s, export >= 50,000 statements/s, peak memory <= 500 MB.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/ holds lrs.py (another benchmark) that would shadow the lrs package: put the root first.
sys.path[0:1] = [str(ROOT)]

from lrs.analytics.cohort import COURSES, generate, video_iri  # noqa: E402
from lrs.analytics.roster import import_roster, load_roster, read_roster_file  # noqa: E402
from lrs.analytics.vocab import COURSE_TYPE  # noqa: E402
from lrs.definitions import remember_definitions  # noqa: E402
from lrs.stores import open_store  # noqa: E402
from lrs.xapi.statements import build_record, normalise  # noqa: E402

AUTHORITY = {"objectType": "Agent", "name": "bench", "account": {"homePage": "https://lrs.bench", "name": "bench"}}


def _copy_identity(actor: dict, copy_number: int) -> None:
    """A learner of copy N: ``L0001-N`` or ``enlace0001+N@example.org``."""
    if "account" in actor:
        actor["account"]["name"] += f"-{copy_number}"
    else:
        actor["mbox"] = actor["mbox"].replace("@", f"+{copy_number}@")


def _roster_copies(roster_csv: str, copies: int) -> str:
    """The cohort's roster once per copy, under each copy's identities."""
    header, *rows = roster_csv.splitlines()
    lines = [header]
    for copy_number in range(1, copies + 1):
        for row in rows:
            home, name, mbox, rest = row.split(",", 3)
            if mbox:
                mbox = mbox.replace("@", f"+{copy_number}@")
            else:
                name += f"-{copy_number}"
            lines.append(f"{home},{name},{mbox},{rest}")
    return "\n".join(lines) + "\n"


def fill(url: str, wanted: int) -> int:
    """Make the store hold at least ``wanted`` statements and their roster; return how many."""
    cohort = generate()
    template = cohort.statements
    with open_store(url) as store:
        have = store.count_statements()
        if have and store.get_activity(video_iri(next(iter(COURSES)))) is None:  # before page blocks
            raise SystemExit(f"{url} was filled by an older version of this benchmark: delete it first")
        if not store.activity_ids_of_type(COURSE_TYPE):  # a store filled before definitions were kept
            remember_definitions(store, template)
        now = dt.datetime.now(dt.UTC)
        copy_number = have // len(template)
        batch = []
        started = time.perf_counter()
        while have < wanted:
            copy_number += 1
            for statement in template:
                if have >= wanted:
                    break
                made = copy.deepcopy(statement)
                made["id"] = str(uuid.uuid4())
                _copy_identity(made["actor"], copy_number)
                batch.append(build_record(normalise(made, "1.0.3", AUTHORITY, now)))
                have += 1
                if len(batch) == 5000:
                    store.insert_statements(batch)
                    remember_definitions(store, [r.statement for r in batch])
                    batch = []
                    print(f"\rfilling: {have:,} statements ({time.perf_counter() - started:.0f} s)", end="",
                          file=sys.stderr)
        if batch:
            store.insert_statements(batch)
            remember_definitions(store, [r.statement for r in batch])
            print(file=sys.stderr)
        copies = -(-have // len(template))
        if len(load_roster(store)) < copies * len(cohort.attributes):
            import_roster(store, read_roster_file(_roster_copies(cohort.roster_csv, copies)))
        return store.count_statements()


def fill_bulk(url: str, wanted: int) -> int:
    """:func:`fill` for ten million: the same statements, records and definitions, written as the
    store writes them through bench/bulk_fill.py (COPY / executemany, indexes rebuilt once).

    A store that holds statements already (a load stopped part way) is filled on with new
    identities. The rules layer runs once per template statement; a copy's record is the template's with the
    copy's id and identity (its actor is the only agent that differs), checked against
    ``build_record(normalise(...))`` for the first statements of every copy."""
    import dataclasses

    sys.path.append(str(ROOT / "bench"))
    from bulk_fill import BulkWriter

    from lrs.xapi import statements as rules

    cohort = generate()
    now = dt.datetime.now(dt.UTC)
    template = [build_record(normalise(copy.deepcopy(s), "1.0.3", AUTHORITY, now)) for s in cohort.statements]
    with open_store(url) as store:
        have = store.count_statements()  # a load stopped part way goes on with new identities
        remember_definitions(store, [r.statement for r in template])
    started = time.perf_counter()

    def copied(record, number: int):  # noqa: ANN001, ANN202 - StatementRecord in, out
        statement = dict(record.statement, id=str(uuid.uuid4()))
        actor = statement["actor"] = copy.deepcopy(statement["actor"])
        old_key = rules.agent_key(actor)
        _copy_identity(actor, number)
        new_key = rules.agent_key(actor)
        swap = lambda keys: frozenset(new_key if k == old_key else k for k in keys)  # noqa: E731
        return dataclasses.replace(record, id=statement["id"], statement=statement,
                                   agent_keys=swap(record.agent_keys),
                                   related_agent_keys=swap(record.related_agent_keys))

    if have >= wanted:  # filled before: no index to drop and build again, only the roster to check
        with open_store(url) as store:
            copies = -(-have // len(template))
            if len(load_roster(store)) < copies * len(cohort.attributes):
                import_roster(store, read_roster_file(_roster_copies(cohort.roster_csv, copies)))
            return have
    store = open_store(url)  # opened before the indexes are dropped: opening builds them

    def remember_agents(batch: list) -> None:
        """remember_definitions of the batch: the activities are the template's, already kept, so
        one statement per actor stands for all of them."""
        by_actor = {next(iter(r.agent_keys)): r.statement for r in batch}
        remember_definitions(store, list(by_actor.values()))

    with BulkWriter(url) as writer:
        number = -(-have // len(template))
        while have < wanted:
            number += 1
            batch = []
            for index, record in enumerate(template[: wanted - have]):
                made = copied(record, number)
                if index < 50 and made != build_record(normalise(copy.deepcopy(made.statement), "1.0.3",
                                                                  AUTHORITY, now)):
                    raise SystemExit(f"--fill bulk: a copied record differs from the rules layer's: {made}")
                batch.append(made)
                if len(batch) == 20_000:
                    writer.write(batch)
                    remember_agents(batch)
                    batch = []
            if batch:
                writer.write(batch)
                remember_agents(batch)
            have += min(len(template), wanted - have)
            print(f"\rfilling: {have:,} statements ({time.perf_counter() - started:.0f} s)", end="", file=sys.stderr)
    store.close()
    print(f"\nfilled {have:,} in {time.perf_counter() - started:.0f} s (indexes: {writer.index_seconds:.0f} s)",
          file=sys.stderr)
    with open_store(url) as store:
        import_roster(store, read_roster_file(_roster_copies(cohort.roster_csv, number)))
        return store.count_statements()


#: Only read every statement from the store: the floor under report and export.
READ_ONLY = ("import gc, sys; from lrs.stores import open_store; from lrs.analytics.sources import store_statements;"
             " gc.disable(); store = open_store(sys.argv[1]); print(sum(1 for _ in store_statements(store)))")


def measure(args: list[str], out: Path, code: str = "from lrs.cli import main; main()") -> tuple[float, float, float]:
    """Run ``spotlight-lrs ARGS`` with stdout to ``out``; return (wall s, CPU s, peak MB).

    CPU time counts the command's worker processes too, and peak memory is the largest sum of
    the resident memory of the command and its workers, sampled every 20 ms. (rusage's maxrss
    would give neither that sum nor a fair figure: a child forked from this process, which holds
    the generated cohort, starts with this process's resident size.) CPU time is reported because
    a shared machine's wall time mostly measures its load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with out.open("wb") as sink:
        command = [sys.executable, "-c", code, *args]
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.PIPE, cwd=ROOT)
        peak = 0
        while child.poll() is None:
            peak = max(peak, _tree_rss(child.pid))
            time.sleep(0.02)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        problem = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"spotlight-lrs {' '.join(args)} failed: {problem}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, peak / 2**20


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc; 0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


PAGE = os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--store", default=f"sqlite:///{ROOT / 'bench-analytics.db'}")
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--jobs", type=lambda text: [int(j) for j in text.split(",")], default=[0, 1],
                        help="comma-separated --jobs values to run (0: the default, one per CPU)")
    parser.add_argument("--fill", choices=("store", "bulk"), default="store",
                        help="store: insert_statements (the default); bulk: bench/bulk_fill.py, for ten million")
    options = parser.parse_args()
    count = (fill_bulk if options.fill == "bulk" else fill)(options.store, options.statements)
    print(f"store: {options.store} ({count:,} statements); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    options.out.mkdir(parents=True, exist_ok=True)
    wall, cpu, peak = measure([options.store], options.out / "bench-read.txt", READ_ONLY)
    print(f"store read:          {wall:6.1f} s wall {cpu:6.1f} s CPU  peak {peak:5.0f} MB   "
          "(iter_statements alone, one process)")
    roster = len(load_roster(open_store(options.store)))
    print(f"roster: {roster:,} learners (the report joins it: enrolment over the roster, groups)")
    for jobs in options.jobs:
        label = f"--jobs {jobs}" if jobs else "default jobs"
        for extra, what in (([], "report"), (["--show-learners", "--submissions"], "report + progress + answers")):
            wall, cpu, peak = measure(["report", "--store", options.store, "--format", "json", "--by", "state",
                                       "--jobs", str(jobs), *extra],
                                      options.out / f"bench-report-{jobs}{'-learners' if extra else ''}.json")
            print(f"{what:24} {label:13}: {wall:6.1f} s wall {cpu:6.1f} s CPU  peak {peak:5.0f} MB   "
                  f"(target <= 10 s, <= 500 MB)")
        for fmt in ("csv", "jsonl"):
            wall, cpu, peak = measure(["export", "--store", options.store, "--format", fmt, "--jobs", str(jobs)],
                                      options.out / f"bench-export-{jobs}.{fmt}")
            print(f"export {fmt:5} {label:20}: {wall:6.1f} s wall {cpu:6.1f} s CPU  peak {peak:5.0f} MB   "
                  f"{count / wall:8,.0f}/s wall {count / cpu:8,.0f}/s CPU   (target >= 50,000/s, <= 500 MB)")
    reports = [options.out / f"bench-report-{jobs}-learners.json" for jobs in options.jobs]
    if all(r.read_bytes() == reports[0].read_bytes() for r in reports):
        print(f"the reports (with module progress) of {', '.join(map(str, options.jobs))} jobs are identical")
    first = options.out / f"bench-export-{options.jobs[0]}.csv"
    if all(first.read_bytes() == (options.out / f"bench-export-{jobs}.csv").read_bytes() for jobs in options.jobs):
        print(f"the CSV exports of {', '.join(map(str, options.jobs))} jobs are byte-identical")


if __name__ == "__main__":
    main()
