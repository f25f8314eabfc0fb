"""Where statements come from: our store directly, or any conformant LRS over HTTP.

Both yield plain statement dicts in ascending stored order, a page at a time, so reports and
exports keep constant memory whatever the source.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from lrs.analytics.parallel import choose_jobs
from lrs.analytics.vocab import COURSE_TYPE
from lrs.stores.base import Store, StreamFilter

#: Statements per request to a remote LRS.
PAGE = 1000
#: Statements per read from our store: fewer, larger reads were fastest on SQLite (1M statements).
STORE_BATCH = 5000


class SourceError(Exception):
    """The remote LRS refused or answered something that is not a statement result."""


@dataclass
class Source:
    """Where a report or an export reads: our store or a remote LRS, and the roster to use.

    For our store, ``store_url`` lets worker processes open the same store and read parts of it
    (``jobs`` of them: see lrs.analytics.parallel), and ``courses`` are the course IRIs the
    store's canonical activity definitions declare, known before the first statement.
    """

    roster: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    store: Store | None = None
    store_url: str = ""
    filter: StreamFilter = field(default_factory=StreamFilter)
    remote: Iterator[dict] | None = None
    jobs: int = 1
    courses: frozenset[str] = frozenset()

    @classmethod
    def of_store(cls, store: Store, store_url: str = "", *, since: str | None = None,
                 until: str | None = None, verb: str | None = None, jobs: int = 1,
                 roster: Mapping[str, Mapping[str, str]] | None = None) -> Source:
        """Non-voided statements of our store (``since`` exclusive, ``until`` inclusive, by
        stored); ``jobs`` 0 chooses by the store's size (lrs.analytics.parallel.choose_jobs).

        The read stops at the last statement stored now: statements arriving meanwhile wait for
        the next report, which is therefore the same for any ``jobs``.
        """
        last = store.last_position()
        return cls(roster or {}, store, store_url,
                   StreamFilter(verb=verb, since=since, until=until, through_position=last),
                   jobs=choose_jobs(jobs, last, store_url),
                   courses=frozenset(store.activity_ids_of_type(COURSE_TYPE)))

    def last_position(self) -> int:
        """Where a read of our store ends (a parallel read is split up to there)."""
        assert self.store is not None
        through = self.filter.through_position
        return self.store.last_position() if through is None else through

    def definitions(self, activity_ids: Iterable[str]) -> Mapping[str, dict]:
        """The LRS's canonical activities (every language the content sent), when reading our
        store; a remote LRS's are not fetched (titles then come from the statements)."""
        if self.store is None:
            return {}
        return self.store.get_activities(list(activity_ids))

    def statements(self) -> Iterator[dict]:
        """Every statement in one stream, in this process."""
        if self.remote is not None:
            return self.remote
        assert self.store is not None
        return store_statements(self.store, self.filter)


def store_statements(store: Store, flt: StreamFilter | None = None) -> Iterator[dict]:
    """Statements of our store in stored order, read in batches sized for analytics."""
    return store.iter_statements(flt, batch_size=STORE_BATCH)


def remote_statements(endpoint: str, key: str, secret: str, since: str | None = None,
                      until: str | None = None, verb: str | None = None) -> Iterator[dict]:
    """Statements of a remote LRS through the ``tincan`` client, following ``more`` links.

    The pages' JSON is read as sent (``response.data``) rather than through tincan's object
    model, so statements keep every property, exactly as our store would hand them over.
    """
    from tincan import RemoteLRS, Verb  # imported here: only this source needs it

    lrs = RemoteLRS(endpoint=endpoint.rstrip("/") + "/", version="1.0.3", username=key, password=secret)
    query: dict = {"ascending": "true", "limit": PAGE}  # tincan sends str(value): "True" is not xAPI
    if since:
        query["since"] = since
    if until:
        query["until"] = until
    if verb:
        query["verb"] = Verb(id=verb)  # tincan sends the verb object's id
    try:
        response = lrs.query_statements(query)
        while True:
            page = _page(response)
            yield from page.get("statements", [])
            more = page.get("more")
            if not more:
                return
            response = lrs.more_statements(more)
    except OSError as exc:
        raise SourceError(f"cannot reach the LRS at {endpoint}: {exc}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # tincan's own parse of a page
        raise SourceError(f"the LRS at {endpoint} answered statements tincan cannot read: {exc}") from None


def _page(response) -> dict:  # noqa: ANN001 - tincan.LRSResponse has no type hints
    if not response.success:
        status = getattr(response.response, "status", "?")
        raise SourceError(f"the LRS answered HTTP {status}: {_text(response.data)[:200]}")
    try:
        page = json.loads(response.data)
    except ValueError:
        raise SourceError("the LRS answered something that is not JSON") from None
    if not isinstance(page, dict) or not isinstance(page.get("statements"), list):
        raise SourceError("the LRS answer has no statements list")
    return page


def _text(data: bytes | str) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
