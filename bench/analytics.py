"""Benchmark: ``spotlight-lrs report`` and ``export`` over 1,000,000 statements.

    .venv/bin/python bench/analytics.py [--statements 1000000] [--store sqlite:///bench-analytics.db]

Fills the store (once; reused when it already holds enough statements) with the generated cohort
of tests/analytics replicated under new learner identities, then runs the real commands as child
processes and reports wall time, throughput and each child's peak memory (max RSS from wait4).
Each command runs with its default ``--jobs`` (one worker process per CPU for a store this size)
and with ``--jobs 1`` (one process), unless ``--jobs`` says otherwise.
Targets (issue 6): report <= 10 s, export >= 50,000 statements/s, peak memory <= 500 MB.
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
sys.path[0:1] = [str(ROOT), str(ROOT / "tests" / "analytics")]

from cohort import generate  # noqa: E402

from lrs.analytics.vocab import COURSE_TYPE  # noqa: E402
from lrs.definitions import remember_definitions  # noqa: E402
from lrs.stores import open_store  # noqa: E402
from lrs.xapi.statements import build_record, normalise  # noqa: E402

AUTHORITY = {"objectType": "Agent", "name": "bench", "account": {"homePage": "https://lrs.bench", "name": "bench"}}


def fill(url: str, wanted: int) -> int:
    """Make the store hold at least ``wanted`` statements; return how many it holds."""
    with open_store(url) as store:
        have = store.count_statements()
        template = generate().statements
        if not store.activity_ids_of_type(COURSE_TYPE):  # a store filled before definitions were kept
            remember_definitions(store, template)
        if have >= wanted:
            return have
        now = dt.datetime.now(dt.UTC)
        copy_number = 0
        batch = []
        started = time.perf_counter()
        while have < wanted:
            copy_number += 1
            for statement in template:
                if have >= wanted:
                    break
                made = copy.deepcopy(statement)
                made["id"] = str(uuid.uuid4())
                actor = made["actor"]
                if "account" in actor:
                    actor["account"]["name"] += f"-{copy_number}"
                else:
                    actor["mbox"] = actor["mbox"].replace("@", f"+{copy_number}@")
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
    options = parser.parse_args()
    count = fill(options.store, options.statements)
    print(f"store: {options.store} ({count:,} statements); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    options.out.mkdir(parents=True, exist_ok=True)
    wall, cpu, peak = measure([options.store], options.out / "bench-read.txt", READ_ONLY)
    print(f"store read:          {wall:6.1f} s wall {cpu:6.1f} s CPU  peak {peak:5.0f} MB   "
          "(iter_statements alone, one process)")
    for jobs in options.jobs:
        label = f"--jobs {jobs}" if jobs else "default jobs"
        wall, cpu, peak = measure(["report", "--store", options.store, "--format", "json", "--jobs", str(jobs)],
                                  options.out / f"bench-report-{jobs}.json")
        print(f"report {label:13}: {wall:6.1f} s wall {cpu:6.1f} s CPU  peak {peak:5.0f} MB   "
              f"(target <= 10 s, <= 500 MB)")
        for fmt in ("csv", "jsonl"):
            wall, cpu, peak = measure(["export", "--store", options.store, "--format", fmt, "--jobs", str(jobs)],
                                      options.out / f"bench-export-{jobs}.{fmt}")
            print(f"export {fmt:5} {label:7}: {wall:6.1f} s wall {cpu:6.1f} s CPU  peak {peak:5.0f} MB   "
                  f"{count / wall:8,.0f}/s wall {count / cpu:8,.0f}/s CPU   (target >= 50,000/s, <= 500 MB)")
    first = options.out / f"bench-export-{options.jobs[0]}.csv"
    if all(first.read_bytes() == (options.out / f"bench-export-{jobs}.csv").read_bytes() for jobs in options.jobs):
        print(f"the CSV exports of {', '.join(map(str, options.jobs))} jobs are byte-identical")


if __name__ == "__main__":
    main()
