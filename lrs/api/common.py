"""Helpers shared by the blueprints: the store, credentials, JSON in and out."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Response, current_app, g, request

from lrs.auth import Authenticator, AuthFailure, has_scope, stored_secret
from lrs.stores import Credential, Store, StoreUnavailable
from lrs.xapi.errors import XAPIError
from lrs.xapi.jsontext import check_text, parse_json


def store() -> Store:
    return current_app.extensions["lrs.store"]


def signing_key() -> bytes:
    """The key that signs ``more`` tokens: ``SIGNING_KEY`` from the configuration, else a random
    key kept in the store, so every process and machine serving one store accepts the tokens of
    the others (a per-process key would break paging behind a load balancer)."""
    key = current_app.extensions.get("lrs.signing_key")
    if key is None:
        configured = current_app.config.get("SIGNING_KEY")
        key = configured.encode() if configured else stored_secret(store(), "signing-key")
        current_app.extensions["lrs.signing_key"] = key
    return key


def authenticate() -> Credential:
    """Resolve HTTP Basic credentials into ``g.credential`` or answer 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise XAPIError("Authorization: HTTP Basic credentials are required", 401)
    try:
        key, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        raise XAPIError("Authorization: malformed Basic credentials", 401) from None
    if not sep:
        raise XAPIError("Authorization: malformed Basic credentials (no ':' between key and secret)", 401)
    authenticator: Authenticator = current_app.extensions["lrs.auth"]
    try:
        credential = authenticator.verify(key, secret, request.remote_addr or "")
    except AuthFailure as failure:
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else None
        raise XAPIError(failure.message, failure.status, headers) from None
    g.credential = credential
    return credential


def require_scope(*scopes: str) -> None:
    """403 unless the request's credential grants one of ``scopes``."""
    if not has_scope(g.credential, *scopes):
        needed = ", ".join(scopes)
        raise XAPIError(f"credential lacks the scope for this request (needs one of: {needed})", 403)


def read_scopes(*scopes: str) -> tuple[str, ...]:
    """Scopes that may read a resource: its own plus all/read."""
    return (*scopes, "all/read")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    response = Response(body, status=status, mimetype="application/json", headers=headers)
    return response


def json_body(field: str = "body") -> Any:
    """The request body parsed as strict JSON (:func:`lrs.xapi.jsontext.parse_json`), with a 400
    naming the problem."""
    raw = request.get_data()
    if not raw:
        raise XAPIError(f"{field}: empty; a JSON body is required", 400)
    return parse_json(raw, field)


def params() -> dict[str, str]:
    """Query parameters as a plain dict, decoded strictly.

    Werkzeug replaces bytes that are not UTF-8 with U+FFFD, which would silently store another
    document id than the one sent; here they are a 400, as are U+0000 (no store keeps it in
    text) and a repeated parameter.
    """
    result: dict[str, str] = {}
    for part in request.environ.get("QUERY_STRING", "").split("&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition("=")
        name = _decode_component(raw_name, "query parameter name")
        value = _decode_component(raw_value, name)
        if name in result:
            raise XAPIError(f"{name}: given more than once", 400)
        result[name] = value
    return result


def _decode_component(raw: str, field: str) -> str:
    # WSGI hands the query string over as latin-1 text of the bytes sent.
    data = unquote_to_bytes(raw.replace("+", " ").encode("latin-1", "replace"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise XAPIError(f"{field[:100]}: not UTF-8 text", 400) from None
    return check_text(text, field[:100])


def store_unavailable(error: StoreUnavailable) -> Response:
    """503 with ``Retry-After`` when the store cannot serve now (its pool stayed busy for the pool
    timeout, or the database is restarting): a client should try again, not see a 500 or wait
    without end."""
    return json_response({"error": f"the LRS cannot serve this request now: {error}"}, 503,
                         {"Retry-After": str(error.retry_after)})
