"""The report's per-course figures in forked processes: same results, in order, and a child's
failure is an error in the parent, never a hang or a partial report."""

from __future__ import annotations

import os

import pytest

from lrs.analytics.parallel import ChildFailed, can_fork, forked_map

pytestmark = pytest.mark.skipif(not can_fork(), reason="forked_map forks on Linux only (it runs serially elsewhere)")


def test_results_come_back_in_order_whoever_computed_them() -> None:
    items = [f"course-{n}" for n in range(7)]
    pids: dict[str, int] = {}

    def here(item: str) -> tuple[str, int]:
        pids[item] = os.getpid()
        return item.upper(), os.getpid()

    def in_child(item: str) -> tuple[str, int]:
        return item.upper(), os.getpid()

    results = forked_map(items, 3, here, in_child, weight=lambda item: int(item[-1]) + 1)
    assert [name for name, _ in results] == [item.upper() for item in items]
    workers = {pid for _, pid in results}
    assert len(workers) == 3 and os.getpid() in workers
    assert set(pids) == {item for item, (_, pid) in zip(items, results, strict=True) if pid == os.getpid()}


def test_a_child_that_raises_fails_the_whole_call() -> None:
    def in_child(item: int) -> int:
        raise ValueError(f"bad course {item}")

    with pytest.raises(ChildFailed, match="ValueError: bad course"):
        forked_map([1, 2], 2, lambda item: item, in_child, weight=lambda item: item)


def test_a_child_that_dies_fails_the_whole_call() -> None:
    def in_child(item: int) -> int:
        os._exit(3)

    with pytest.raises(ChildFailed, match="exit code 3"):
        forked_map([1, 2], 2, lambda item: item, in_child, weight=lambda item: item)


def test_one_job_or_one_item_runs_here() -> None:
    def in_child(item: int) -> int:
        raise AssertionError("no child expected")

    assert forked_map([1, 2, 3], 1, lambda item: item * 2, in_child, weight=float) == [2, 4, 6]
    assert forked_map([5], 4, lambda item: item * 2, in_child, weight=float) == [10]
