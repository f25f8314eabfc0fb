"""What every block's analysis offers (lrs.analytics.blocks)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any

#: A title lookup in the report's language: activity IRI -> readable name.
Titles = Callable[[str], str]


class Block:
    """The analysis of one kind of page block. Subclasses set the class attributes.

    ``section``: the key of the course report that holds its rows, and the name of the template
    that shows them (``dashboard/blocks/<section>.html``); ``types``: object activity types it
    claims; ``context_extensions``: context extensions that mark its statements.
    """

    section = ""
    types: frozenset[str] = frozenset()
    context_extensions: frozenset[str] = frozenset()
    #: Verbs the content sends on its own (a media's ``terminated`` at the session's end): not
    #: the learner's activity in the block's module.
    passive_verbs: frozenset[str] = frozenset()

    def new(self) -> Any:
        """An empty aggregate for one course (picklable: parallel readers send it back)."""
        raise NotImplementedError

    def add(self, aggregate: Any, learner: str, statement: dict, when: float) -> None:
        """Fold in one statement of this block's kind by ``learner`` at ``when``."""
        raise NotImplementedError

    def merge(self, aggregate: Any, later: Any) -> None:
        """Fold in the aggregate of statements stored after ``aggregate``'s own."""
        raise NotImplementedError

    def rows(self, aggregate: Any, learners: Collection[str], launched: int, name: Titles,
             module_of: Callable[[str], str | None]) -> list[dict]:
        """The section's rows over ``learners`` (those the report covers; ``launched`` of them
        launched the course), sorted so every process gives the same."""
        raise NotImplementedError

    def text(self, rows: list[dict], t: Callable[[str], str]) -> list[str]:
        """Lines of the plain-text report (a heading first)."""
        raise NotImplementedError

    def figures(self, row: dict) -> Iterator[tuple[str, str, object]]:
        """(item, metric, value) rows of the long-format CSV report for one row."""
        raise NotImplementedError
