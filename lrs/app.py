"""The Flask application factory: blueprints under /xAPI, version checks, auth, CORS, limits."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from lrs.alternate import AlternateSyntaxMiddleware
from lrs.api import about, activities, activity_profile, agent_profile, agents, state, statements
from lrs.api.common import authenticate, json_response, store, store_unavailable
from lrs.auth import Authenticator
from lrs.cors import CorsPolicy
from lrs.dashboard import install as install_dashboard
from lrs.limits import BodyGuard, Limits
from lrs.stores import DEFAULT_STORE_URL, Store, StoreUnavailable, open_store
from lrs.xapi.errors import XAPIError
from lrs.xapi.versions import SUPPORTED, V2, negotiate

PREFIX = "/xAPI"

log = logging.getLogger("lrs")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the LRS application.

    ``config`` keys: ``STORE`` (an open :class:`Store`) or ``STORE_URL`` (default
    ``sqlite:///lrs.db``); ``DEFAULT_XAPI_VERSION`` (``2.0.0`` or ``1.0.3``), the version an
    answer declares when the request named none (About, errors); the request limits
    ``MAX_BODY_BYTES``, ``MAX_BATCH``, ``BODY_IDLE_TIMEOUT``, ``BODY_TIMEOUT`` (see
    :class:`lrs.limits.Limits`); ``CORS_ORIGINS`` (origins allowed to call the xAPI routes from
    a browser; none: any, see :mod:`lrs.cors`); ``SIGNING_KEY`` (signs ``more`` links; default: a
    key kept in the store); ``PROXY_HOPS`` (reverse proxies whose ``X-Forwarded-For`` names the
    client); plus any Flask setting.
    """
    app = Flask("lrs", static_folder=None)
    app.config["DEFAULT_XAPI_VERSION"] = V2
    app.config.update(config or {})
    if app.config["DEFAULT_XAPI_VERSION"] not in SUPPORTED:
        raise ValueError(f"DEFAULT_XAPI_VERSION must be one of {SUPPORTED}")
    limits = Limits.from_config(app.config)
    cors = CorsPolicy(app.config.get("CORS_ORIGINS"))
    store: Store = app.config.get("STORE") or open_store(app.config.get("STORE_URL", DEFAULT_STORE_URL))
    app.extensions["lrs.store"] = store
    app.extensions["lrs.auth"] = Authenticator(store)
    app.extensions["lrs.limits"] = limits
    app.extensions["lrs.cors"] = cors
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.url_map.strict_slashes = False
    for blueprint in (about.bp, statements.bp, state.bp, activity_profile.bp, agent_profile.bp,
                      activities.bp, agents.bp):
        app.register_blueprint(blueprint, url_prefix=PREFIX)
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(XAPIError, _xapi_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
    app.register_error_handler(StoreUnavailable, store_unavailable)  # 503 + Retry-After
    app.wsgi_app = AlternateSyntaxMiddleware(app.wsgi_app, PREFIX)  # type: ignore[method-assign]
    install_dashboard(app)  # /dashboard: analytics pages (lrs/dashboard), beside the xAPI hooks
    default_version = app.config["DEFAULT_XAPI_VERSION"]

    def refusal_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
        if not environ.get("PATH_INFO", "").startswith(PREFIX):
            return []
        return [("X-Experience-API-Version", default_version), *cors.headers(environ.get("HTTP_ORIGIN"))]

    # Outermost: no route, middleware or dashboard page reads a body this has not bounded.
    app.wsgi_app = BodyGuard(app.wsgi_app, limits, refusal_headers)  # type: ignore[method-assign]
    if app.config.get("PROXY_HOPS"):  # the client address behind N reverse proxies (X-Forwarded-For)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_HOPS"]))  # type: ignore[method-assign]
    return app


def _xapi_route() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _before() -> Response | None:
    g.version = current_app.config["DEFAULT_XAPI_VERSION"]
    cors: CorsPolicy = current_app.extensions["lrs.cors"]
    origin = request.headers.get("Origin")
    if _xapi_route() and not cors.allows(origin):
        raise XAPIError(f"Origin: {origin[:200]} is not allowed to call this LRS (its CORS allow-list)", 403)
    if request.method == "OPTIONS" and _xapi_route():
        return Response(status=200)
    if request.endpoint == "about.about" or request.endpoint is None:
        return None
    if request.environ.get("lrs.alternate_error"):  # before the version: it may be in the unread form
        raise XAPIError(request.environ["lrs.alternate_error"], 400)
    g.version = negotiate(request.headers.get("X-Experience-API-Version"))
    if request.environ.get("lrs.alternate") and g.version == V2:
        raise XAPIError("the alternate request syntax (method=) does not exist in xAPI 2.0.0", 400)
    authenticate()
    return None


def _after(response: Response) -> Response:
    if request.endpoint == "statements.statements" and request.method in ("GET", "HEAD"):
        try:
            response.headers["X-Experience-API-Consistent-Through"] = store().consistent_through()
        except StoreUnavailable as error:  # the database went away after the query: the client retries
            response = store_unavailable(error)
    response.headers["X-Experience-API-Version"] = getattr(g, "version", V2)
    if _xapi_route():
        cors: CorsPolicy = current_app.extensions["lrs.cors"]
        for name, value in cors.headers(request.headers.get("Origin"), preflight=request.method == "OPTIONS"):
            if name == "Vary":
                response.vary.add(value)
            else:
                response.headers[name] = value
    return response


def _xapi_error(error: XAPIError) -> Response:
    return json_response({"error": error.message}, error.status, error.headers)


def _http_error(error: HTTPException) -> Response:
    response = json_response({"error": error.description or error.name}, error.code or 500)
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return response


def _unexpected(error: Exception) -> Response:
    if isinstance(error, json.JSONDecodeError | UnicodeDecodeError):
        return json_response({"error": f"body: not valid JSON ({error})"}, 400)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return json_response({"error": "internal server error"}, 500)
