"""Helpers shared by the blueprints: the store, credentials, JSON in and out."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import Response, current_app, g, request

from lrs.auth import Authenticator, has_scope
from lrs.stores import Credential, Store, StoreUnavailable
from lrs.xapi.errors import XAPIError


def store() -> Store:
    return current_app.extensions["lrs.store"]


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
    authenticator: Authenticator = current_app.extensions["lrs.auth"]
    credential = authenticator.authenticate(key, secret) if sep else None
    if credential is None:
        raise XAPIError("Authorization: unknown key, wrong secret or revoked credential", 401)
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
    """The request body parsed as JSON, with a 400 naming the problem."""
    raw = request.get_data()
    if not raw:
        raise XAPIError(f"{field}: empty; a JSON body is required", 400)
    try:
        return strict_json(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise XAPIError(f"{field}: not valid JSON ({exc})", 400) from None


def strict_json(raw: str | bytes) -> Any:
    """``json.loads`` without its extensions to JSON: NaN, Infinity and -Infinity are refused
    (RFC 8259 has no such numbers, and no other LRS or store could read them back)."""
    return json.loads(raw, parse_constant=_not_json)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def params() -> dict[str, str]:
    """Query parameters as a plain dict; a repeated parameter is a client error."""
    result: dict[str, str] = {}
    for name, values in request.args.lists():
        if len(values) > 1:
            raise XAPIError(f"{name}: given more than once", 400)
        result[name] = values[0]
    return result


def store_unavailable(error: StoreUnavailable) -> Response:
    """503 with ``Retry-After`` when the store cannot serve now (its pool stayed busy for the pool
    timeout, or the database is restarting): a client should try again, not see a 500 or wait
    without end."""
    return json_response({"error": f"the LRS cannot serve this request now: {error}"}, 503,
                         {"Retry-After": str(error.retry_after)})
