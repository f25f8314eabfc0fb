"""Where statements come from: our store directly, or any conformant LRS over HTTP.

Both yield plain statement dicts in ascending stored order, a page at a time, so reports and
exports keep constant memory whatever the source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from lrs.stores.base import Store, StreamFilter

#: Statements per request to a remote LRS.
PAGE = 1000
#: Statements per read from our store: fewer, larger reads were fastest on SQLite (1M statements).
STORE_BATCH = 5000


class SourceError(Exception):
    """The remote LRS refused or answered something that is not a statement result."""


def store_statements(store: Store, since: str | None = None, until: str | None = None,
                     verb: str | None = None) -> Iterator[dict]:
    """Non-voided statements of our own store (``since`` exclusive, ``until`` inclusive, by stored)."""
    return store.iter_statements(StreamFilter(verb=verb, since=since, until=until), batch_size=STORE_BATCH)


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
