"""Statements resource: PUT, POST, GET (single, queries, ``more`` paging)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

from flask import Blueprint, Response, current_app, g, request

from lrs.api.common import json_body, json_response, params, read_scopes, require_scope, signing_key, store
from lrs.auth import has_scope
from lrs.definitions import remember_definitions
from lrs.stores import StatementConflict, StatementPage, StatementQuery
from lrs.xapi import statements as rules
from lrs.xapi.attachments import (
    build_multipart,
    check_no_raw_attachments,
    collect_attachments,
    parse_multipart,
)
from lrs.xapi.errors import XAPIError, bad
from lrs.xapi.jsontext import parse_json
from lrs.xapi.query import StatementRequest, parse_statement_request
from lrs.xapi.validate import check_statement, check_uuid
from lrs.xapi.versions import SUPPORTED

bp = Blueprint("statements", __name__)

READ = read_scopes("statements/read", "statements/read/mine")
WRITE = ("statements/write",)


@bp.route("/statements", methods=["GET", "PUT", "POST"])
def statements() -> Response:
    if request.method in ("GET", "HEAD"):
        return _get()
    require_scope(*WRITE)
    if request.method == "PUT":
        return _put()
    return _post()


# --- writing --------------------------------------------------------------------------------


def _read_body() -> tuple[list[dict], bool, dict[str, bytes]]:
    """(statements, was a single statement, attachment contents) from a JSON or multipart body."""
    content_type = request.headers.get("Content-Type", "")
    media = content_type.split(";")[0].strip().lower()
    if media == "multipart/mixed":
        parts = parse_multipart(request.get_data(), content_type)
        if parts[0].content_type.split(";")[0].strip().lower() != "application/json":
            raise XAPIError("multipart body: the first part must be application/json statements", 400)
        body = parse_json(parts[0].content, "multipart body: first part")
    elif media == "application/json":
        body, parts = json_body("statements"), None
    else:
        raise XAPIError("Content-Type: must be application/json or multipart/mixed", 400)
    single = isinstance(body, dict)
    batch = [body] if single else body
    if not isinstance(batch, list):
        raise XAPIError("statements: body must be a statement object or an array of statements", 400)
    max_batch = current_app.extensions["lrs.limits"].max_batch
    if len(batch) > max_batch:
        raise XAPIError(f"statements: {len(batch):,} in one request; this LRS takes at most {max_batch:,}", 413)
    for i, statement in enumerate(batch):
        check_statement(statement, g.version, "statement" if single else f"statements[{i}]")
    contents = collect_attachments(batch, parts[1:]) if parts is not None else {}
    if parts is None:
        check_no_raw_attachments(batch)
    return batch, single, contents


def _put() -> Response:
    query = params()
    unknown = sorted(set(query) - {"statementId"})
    if unknown:
        raise bad(unknown[0], "is not a parameter of PUT /statements")
    if "statementId" not in query:
        raise bad("statementId", "parameter is required for PUT")
    sid = check_uuid(query["statementId"], "statementId").lower()
    batch, single, contents = _read_body()
    if not single:
        raise XAPIError("statement: PUT takes one statement object, not an array", 400)
    statement = batch[0]
    if "id" in statement and statement["id"].lower() != sid:
        raise bad("statement.id", "does not match the statementId parameter")
    statement = dict(statement, id=sid)
    _store_batch([statement], contents)
    return Response(status=204)


def _post() -> Response:
    if params():
        raise XAPIError("POST /statements takes no query parameters", 400)
    batch, _single, contents = _read_body()
    ids = _store_batch(batch, contents)
    return json_response(ids)


def _store_batch(batch: list[dict], contents: dict[str, bytes]) -> list[str]:
    """Normalise, check conflicts and voiding, then store atomically; return ids in order."""
    db = store()
    now = dt.datetime.now(dt.UTC)
    normalised = [rules.normalise(s, g.version, g.credential.authority, now) for s in batch]
    ids = [s["id"] for s in normalised]
    as_sent = {sid: dict(s, id=sid) for sid, s in zip(ids, batch, strict=True)}
    if len(set(ids)) != len(ids):
        raise XAPIError("statements: the same id appears twice in one batch", 400)
    for attempt in range(3):
        existing = db.get_statements(ids)
        fresh = []
        for statement in normalised:
            found = existing.get(statement["id"])
            if found is None:
                fresh.append(statement)
            elif not rules.same_statement(found.statement, as_sent[statement["id"]]):
                raise XAPIError(f"statement {statement['id']} already exists with different content", 409)
        targets = {s["object"]["id"] for s in fresh if s["verb"]["id"] == rules.VOIDED_VERB}
        lookup = {s["id"]: s for s in normalised}
        stored_targets = db.get_statements(sorted(targets - set(lookup)))
        lookup.update({sid: found.statement for sid, found in stored_targets.items()})
        rules.check_voiding_targets(fresh, lookup)
        _check_may_void(stored_targets)
        if not fresh:
            return ids
        try:
            db.insert_statements([rules.build_record(s) for s in fresh], contents)
        except StatementConflict:
            if attempt == 2:
                raise XAPIError("statements: conflicting concurrent writes, try again", 409) from None
            continue
        remember_definitions(store(), fresh)
        return ids
    raise AssertionError("unreachable")


def _check_may_void(targets: dict) -> None:
    """Only a credential with ``all`` may void statements another credential stored: the write
    key inside a package is public, and must not let one learner hide another's record."""
    if has_scope(g.credential, "all"):
        return
    mine = rules.agent_key(g.credential.authority)
    for sid, found in targets.items():
        if rules.agent_key(found.statement.get("authority", {})) != mine:
            raise XAPIError(f"statement {sid} was stored with another credential; only a credential with "
                            "the 'all' scope may void it", 403)


# --- reading --------------------------------------------------------------------------------


def _get() -> Response:
    require_scope(*READ)
    query_params = params()
    if "more" in query_params:
        if len(query_params) > 1:
            raise bad("more", "cannot be combined with other parameters")
        original, cursor, version = _decode_more(query_params["more"])
        parsed = parse_statement_request(original, version)
    else:
        parsed, cursor = parse_statement_request(query_params, g.version), None
    mine = _mine_only()
    if parsed.statement_id is not None:
        return _get_one(parsed, mine)
    query = parsed.query
    if mine:
        query = StatementQuery(**{**query.__dict__, "authority": mine})
    try:
        page = store().query_statements(query, cursor)
    except ValueError:
        raise bad("more", "not a continuation this server issued") from None
    return _render(parsed, page)


def _mine_only() -> str | None:
    """The authority key to filter on when the credential may read only its own statements."""
    if has_scope(g.credential, "statements/read", "all/read"):
        return None
    return rules.agent_key(g.credential.authority)


def _get_one(parsed: StatementRequest, mine: str | None) -> Response:
    found = store().get_statement(parsed.statement_id or "")
    if found is None or found.voided != parsed.voided:
        kind = "voided statement" if parsed.voided else "statement"
        raise XAPIError(f"no {kind} with id {parsed.statement_id}", 404)
    if mine and rules.agent_key(found.statement.get("authority", {})) != mine:
        raise XAPIError(f"no statement with id {parsed.statement_id}", 404)
    response = _output([found.statement], parsed, single=True)
    response.headers["Last-Modified"] = _http_date(found.stored)
    return response


def _render(parsed: StatementRequest, page: StatementPage) -> Response:
    more = ""
    if page.cursor is not None:
        more = request.script_root + "/xAPI/statements?more=" + _encode_more(page.cursor)
    return _output(page.statements, parsed, single=False, more=more)


def _output(found: list[dict], parsed: StatementRequest, single: bool, more: str = "") -> Response:
    if parsed.format == "ids":
        shaped = [rules.format_ids(s) for s in found]
    elif parsed.format == "canonical":
        languages = [lang for lang, _q in request.accept_languages] or []
        shaped = [rules.format_canonical(s, languages) for s in found]
    else:
        shaped = found
    body = shaped[0] if single else {"statements": shaped, "more": more}
    if not parsed.attachments:
        return json_response(body)
    types = {a["sha2"]: a["contentType"] for s in found for a in s.get("attachments", [])}
    wanted = sorted(types)
    contents = store().get_attachments(wanted)
    payload, content_type = build_multipart(
        json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(),
        [(sha2, types[sha2], contents[sha2]) for sha2 in wanted if sha2 in contents],
    )
    return Response(payload, status=200, content_type=content_type)


def _encode_more(cursor: str) -> str:
    """A ``more`` token: the original query, the store's cursor and the version, signed.

    The HMAC (key from :func:`lrs.api.common.signing_key`, the same for every process serving
    one store) means a token cannot be forged or altered; its fields are validated anyway.
    """
    query = params()
    original = _decode_more(query["more"])[0] if "more" in query else query
    state = {"p": original, "c": cursor, "v": g.version}
    payload = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).rstrip(b"=")
    return (payload + b"." + _signature(payload)).decode("ascii")


def _signature(payload: bytes) -> bytes:
    digest = hmac.new(signing_key(), b"more:" + payload, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest)


def _unb64(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def _decode_more(token: str) -> tuple[dict[str, str], str, str]:
    """(original query parameters, store cursor, version) of a ``more`` token this LRS issued."""
    payload, _, signature = token.partition(".")
    try:
        expected = _signature(payload.encode("ascii"))
        if not hmac.compare_digest(expected, signature.encode("ascii")):
            raise ValueError("bad signature")
        state = json.loads(_unb64(payload))
        original, cursor, version = state["p"], state["c"], state["v"]
    except (ValueError, KeyError, TypeError):
        raise bad("more", "not a continuation this server issued") from None
    valid = (
        isinstance(original, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in original.items())
        and "more" not in original
        and isinstance(cursor, str) and cursor.isdigit() and len(cursor) <= 18
        and version in SUPPORTED
    )
    if not valid:
        raise bad("more", "not a continuation this server issued")
    return original, cursor, version


def _http_date(stored: str) -> str:
    moment = dt.datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
