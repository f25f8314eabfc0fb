"""One read of the store split across processes: the hot path of ``report`` and ``export``.

Statements are stored with increasing insertion positions (``Store.last_position()``), so one
read is cut into consecutive position ranges that worker processes read and fold at the same
time: aggregates merge in position order into what one pass gives (``Aggregator.merge``), and
export chunks are written in position order, so the output is byte-identical to a one-process
export. Python runs one thread at a time, hence processes; workers are *spawned* (not forked)
so that no database connection or lock crosses a fork, and each opens the store from its URL.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar

from lrs.stores import Store, StreamFilter, open_store

#: Below this many stored statements one process wins: starting workers costs about 0.3 s.
PARALLEL_FROM = 200_000
#: At most this many worker processes, whatever the CPU count (each holds a part's aggregates).
MAX_JOBS = 8

T = TypeVar("T")
K = TypeVar("K")


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def choose_jobs(requested: int, last_position: int, store_url: str) -> int:
    """``--jobs``: 0 chooses one process per CPU for large stores (by their last position), one
    process otherwise.

    Without a URL, or for a ``:memory:`` SQLite store (which exists only inside this process),
    the store is read here.
    """
    if not store_url or ":memory:" in store_url:
        return 1
    if requested > 0:
        return requested
    return min(available_cpus(), MAX_JOBS) if last_position >= PARALLEL_FROM else 1


def split(flt: StreamFilter, last: int, parts: int) -> list[StreamFilter]:
    """``flt`` cut into ``parts`` consecutive position ranges covering positions 1..``last``
    (its own position bounds are replaced)."""
    parts = max(1, min(parts, last))
    cuts = [last * i // parts for i in range(parts + 1)]
    return [replace(flt, after_position=low, through_position=high) for low, high in zip(cuts, cuts[1:], strict=False)]


def in_order(function: Callable[..., T], store_url: str, tasks: Sequence[tuple], jobs: int,
             shared: tuple = (), here: Store | None = None) -> Iterator[T]:
    """``function(store, *shared, *task)`` for every task, in ``jobs`` processes; results come
    back in task order, with at most ``2 * jobs`` waiting, so memory stays bounded however many
    tasks there are.

    Worker processes each open ``store_url`` and receive ``shared`` once. With ``here`` (this
    process's store), this process runs the first task itself while ``jobs - 1`` workers run the
    rest: its result then needs no handing over.
    """
    workers = jobs - 1 if here is not None else jobs
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max(workers, 1), mp_context=context, initializer=_start_worker,
                             initargs=(store_url, shared)) as pool:
        waiting: deque[Future[T]] = deque()
        remote = tasks[1:] if here is not None else tasks
        queued = iter(remote)
        for task in queued:
            waiting.append(pool.submit(_in_worker, function, *task))
            if len(waiting) >= 2 * jobs:
                break
        if here is not None and tasks:
            yield function(here, *shared, *tasks[0])
        for task in queued:
            yield waiting.popleft().result()
            waiting.append(pool.submit(_in_worker, function, *task))
        while waiting:
            yield waiting.popleft().result()


#: A worker process's store and shared arguments, set once when it starts.
_worker: dict[str, Any] = {}


def _start_worker(store_url: str, shared: tuple) -> None:
    _worker["store"] = open_store(store_url)
    _worker["shared"] = shared


def _in_worker(function: Callable[..., T], *task: Any) -> T:
    return function(_worker["store"], *_worker["shared"], *task)


class ChildFailed(RuntimeError):
    """A forked child of :func:`forked_map` raised or died before sending its results."""


def can_fork() -> bool:
    """Whether :func:`forked_map` may fork here: Linux only (macOS system libraries are not
    fork-safe, and Windows has no fork)."""
    return sys.platform.startswith("linux")


def forked_map(items: Sequence[K], jobs: int, here: Callable[[K], T], in_child: Callable[[K], T],
               weight: Callable[[K], float]) -> list[T]:
    """``[here(item) for item in items]``, shared out over this process and ``jobs - 1`` forked
    children, for work on large aggregates already in memory (the report's per-course figures).

    Children inherit the aggregates by fork: nothing is pickled on the way in, only their results
    come back. They run ``in_child``, which must not use anything of the parent's that holds a
    connection (it opens its own store): this is why :func:`in_order` spawns, and why only this
    read-free step forks. Items are grouped by ``weight`` (largest first, each to the lightest
    group); this process takes the first group. The results are in ``items``' order.
    """
    groups: list[list[int]] = [[] for _ in range(max(1, min(jobs, len(items))))]  # indices into items
    loads = [0.0] * len(groups)
    for index in sorted(range(len(items)), key=lambda i: weight(items[i]), reverse=True):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += weight(items[index])
    context = multiprocessing.get_context("fork")
    children = []
    for group in groups[1:]:
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_run_child, args=(in_child, [items[i] for i in group], sender), daemon=True)
        child.start()
        sender.close()
        children.append((child, receiver, group))
    results: list[T | None] = [None] * len(items)
    try:
        for index in groups[0]:
            results[index] = here(items[index])
        for child, receiver, group in children:
            try:
                status, payload = receiver.recv()
            except EOFError:
                child.join(timeout=5)
                raise ChildFailed(f"a report process ended without its results (exit code {child.exitcode})") from None
            if status != "ok":
                raise ChildFailed(f"a report process failed: {payload}")
            for index, result in zip(group, payload, strict=True):
                results[index] = result
    finally:
        for child, receiver, _ in children:
            receiver.close()
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
                child.join()
    return results  # type: ignore[return-value]  (every index was filled, or an error raised)


def _run_child(function: Callable[[K], T], group: list[K], sender: Any) -> None:  # noqa: ANN401
    try:
        results = [function(item) for item in group]
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    else:
        sender.send(("ok", results))
    finally:
        sender.close()
