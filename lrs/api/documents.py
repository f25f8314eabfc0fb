"""The three document resources (state, activity profile, agent profile) share these rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Response, g, request

from lrs.api.common import json_response, params, read_scopes, require_scope, store
from lrs.stores import Document, DocumentScope, PreconditionFailed, utc_now
from lrs.xapi.documents import check_json_document, etag_of, is_json_type, merge_json, precondition
from lrs.xapi.errors import XAPIError, bad
from lrs.xapi.statements import store_timestamp
from lrs.xapi.validate import check_identifier
from lrs.xapi.versions import is_v2

#: Parses the request parameters into (scope, document id or None); validates them.
ScopeParser = Callable[[dict[str, str]], tuple[DocumentScope, str | None]]


def handle(parse_scope: ScopeParser, id_param: str, scope_name: str, allowed: set[str]) -> Response:
    """Dispatch one document request by method."""
    query = params()
    method = "GET" if request.method == "HEAD" else request.method
    writing = method in ("PUT", "POST", "DELETE")
    require_scope(scope_name) if writing else require_scope(*read_scopes(scope_name))
    unknown = sorted(set(query) - allowed - {"since"})
    if unknown:
        raise bad(unknown[0], f"is not a parameter of this resource (allowed: {', '.join(sorted(allowed))})")
    scope, doc_id = parse_scope(query)
    if doc_id is not None:
        check_identifier(doc_id, id_param)
    if "since" in query and (method != "GET" or doc_id is not None):
        raise bad("since", f"is only allowed when listing ids (GET without {id_param})")
    if method == "GET":
        return _get(scope, doc_id, query)
    if doc_id is None and (method != "DELETE" or scope.kind != "state"):
        raise bad(id_param, "parameter is required")
    if method == "DELETE":
        return _delete(scope, doc_id)
    assert doc_id is not None
    return _write(scope, doc_id, merge=method == "POST")


def _get(scope: DocumentScope, doc_id: str | None, query: dict[str, str]) -> Response:
    db = store()
    if doc_id is None:
        since = store_timestamp(query["since"], "since", g.version) if "since" in query else None
        list_scope = scope
        return json_response(db.list_document_ids(list_scope, since))
    document = db.get_document(scope, doc_id)
    if document is None:
        raise XAPIError("no such document", 404)
    response = Response(document.content, status=200, content_type=document.content_type)
    response.headers["ETag"] = f'"{document.etag}"'
    response.headers["Last-Modified"] = _http_date(document.updated)
    return response


def _delete(scope: DocumentScope, doc_id: str | None) -> Response:
    db = store()
    if doc_id is None:
        db.delete_documents(scope)
        return Response(status=204)
    current = db.get_document(scope, doc_id)
    expected = precondition(current, request.headers.get("If-Match"), request.headers.get("If-None-Match"))
    try:
        db.delete_document(scope, doc_id, expected)
    except PreconditionFailed:
        raise XAPIError("the document changed meanwhile; fetch it again", 412) from None
    return Response(status=204)


def _write(scope: DocumentScope, doc_id: str, merge: bool) -> Response:
    db = store()
    content = request.get_data()
    content_type = request.headers.get("Content-Type") or "application/octet-stream"
    # PUT preconditions: profiles always demand If-Match/If-None-Match; state documents only
    # from xAPI 2.0.0 on, and only to overwrite an existing document.
    if merge:
        require = "never"
    elif scope.kind != "state":
        require = "always"
    else:
        require = "existing" if is_v2(g.version) else "never"
    if not merge and is_json_type(content_type):
        check_json_document(content)
    for _attempt in range(5):
        current = db.get_document(scope, doc_id)
        expected = precondition(
            current, request.headers.get("If-Match"), request.headers.get("If-None-Match"), require=require
        )
        if merge:
            if not content_type.split(";")[0].strip().lower() == "application/json":
                raise XAPIError("Content-Type: POST merges JSON documents; send application/json", 400)
            body = merge_json(current, content, content_type)
            if current is not None:
                expected = current.etag
            elif expected != current:
                expected = None
        else:
            body = content
        document = Document(body, "application/json" if merge else content_type, etag_of(body), utc_now())
        try:
            db.save_document(scope, doc_id, document, expected)
        except PreconditionFailed:
            if request.headers.get("If-Match") or request.headers.get("If-None-Match") or require != "never":
                raise XAPIError("the document changed meanwhile; fetch it again", 412) from None
            continue
        return Response(status=204)
    raise XAPIError("the document kept changing under concurrent writes; try again", 409)


def _http_date(stored: str) -> str:
    moment = dt.datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
