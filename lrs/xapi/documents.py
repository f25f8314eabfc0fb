"""Document resource rules: ETags, preconditions, JSON merge."""

from __future__ import annotations

import hashlib
import json

from lrs.stores.base import ANY, Document, _Any
from lrs.xapi.errors import XAPIError
from lrs.xapi.jsontext import parse_json


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def _etags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()]


def precondition(
    current: Document | None, if_match: str | None, if_none_match: str | None, require: str = "never"
) -> str | None | _Any:
    """Check If-Match / If-None-Match against the current document.

    Returns the etag the write must still find (for the store's compare-and-swap). Raises 412
    when a header does not hold. When no header was sent, ``require`` decides: "never" lets
    the write through; "existing" answers 409 if the document exists; "always" also answers 400
    for a new document.
    """
    if if_match is not None:
        tags = _etags(if_match)
        if current is None or ("*" not in tags and current.etag not in tags):
            raise XAPIError("If-Match: the document's current ETag does not match", 412)
        return current.etag
    if if_none_match is not None:
        tags = _etags(if_none_match)
        if current is not None and ("*" in tags or current.etag in tags):
            raise XAPIError("If-None-Match: the document already exists", 412)
        return None if current is None else current.etag
    if require == "never":
        return ANY
    if current is not None:
        raise XAPIError(
            "the document exists: send If-Match with its ETag (or If-None-Match: *) to change it", 409
        )
    if require == "existing":
        return None
    raise XAPIError("If-Match or If-None-Match: one of them is required (If-None-Match: * to create)", 400)


def is_json_type(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def check_json_document(content: bytes) -> None:
    """A PUT document declared ``application/json`` is kept as the bytes sent (it need not be
    JSON), but one that is JSON must be JSON that a later merge or reader can parse back:
    the strict rules of :func:`lrs.xapi.jsontext.parse_json` (no lone surrogates, no U+0000,
    bounded nesting, finite numbers)."""
    try:
        json.loads(content.decode("utf-8"))
    except RecursionError:
        pass  # JSON, but too deep: parse_json says so
    except ValueError:
        return  # not JSON text at all: stored as the bytes it is
    parse_json(content, "document")


def merge_json(current: Document | None, content: bytes, content_type: str) -> bytes:
    """POST semantics: merge the top-level properties of two JSON objects."""
    incoming = parse_json(content, "document")
    if not isinstance(incoming, dict):
        raise XAPIError("document: POST needs a JSON object body to merge", 400)
    if current is None:
        return json.dumps(incoming).encode()
    if not is_json_type(current.content_type):
        raise XAPIError("document: the stored document is not JSON, so it cannot be merged", 400)
    try:
        stored = parse_json(current.content, "document")
    except XAPIError:
        raise XAPIError("document: the stored document is not a JSON object", 400) from None
    if not isinstance(stored, dict):
        raise XAPIError("document: the stored document is not a JSON object", 400)
    stored.update(incoming)
    return json.dumps(stored).encode()
