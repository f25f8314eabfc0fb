"""The analytics dashboard: server-rendered pages under ``/dashboard`` with inline SVG charts.

It is mounted beside the xAPI application rather than inside it, because the xAPI request hooks
demand an ``X-Experience-API-Version`` header that browsers never send, and answer errors in
JSON. It shares the store and the credential checks (``lrs.auth``): HTTP Basic with a credential
granting ``statements/read``, ``all/read`` or ``all``; anything else gets 401 and a login prompt.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lrs.analytics.report import GROUP_ATTRIBUTES, aggregate
from lrs.analytics.roster import DOC_ID, SCOPE, load_roster
from lrs.analytics.sources import Source
from lrs.auth import Authenticator, has_scope
from lrs.dashboard.pages import course_page, index_page
from lrs.stores.base import Store

PREFIX = "/dashboard"
READ_SCOPES = ("statements/read", "all/read")
CACHE_SIZE = 8

bp = Blueprint("dashboard", __name__)


def install(app: Flask) -> None:
    """Mount the dashboard at ``/dashboard`` on the LRS application ``app``."""
    dashboard = Flask("lrs.dashboard", static_folder=None)
    dashboard.extensions["lrs.store"] = app.extensions["lrs.store"]
    dashboard.extensions["lrs.auth"] = app.extensions["lrs.auth"]
    dashboard.extensions["lrs.dashboard.cache"] = _ReportCache()
    dashboard.register_blueprint(bp)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: dashboard})  # type: ignore[method-assign]


class _ReportCache:
    """The last few reports, keyed by what would change them (statement count, roster etag)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reports: OrderedDict[tuple, dict] = OrderedDict()

    def get(self, store: Store, course: str | None, by: str | None) -> dict:
        roster_doc = store.get_document(SCOPE, DOC_ID)
        key = (store.count_statements(), roster_doc.etag if roster_doc else "", course, by)
        with self._lock:
            if key in self._reports:
                self._reports.move_to_end(key)
                return self._reports[key]
        report = aggregate(Source.of_store(store), course).report(load_roster(store), by)
        with self._lock:
            self._reports[key] = report
            while len(self._reports) > CACHE_SIZE:
                self._reports.popitem(last=False)
        return report


@bp.before_request
def _authenticate() -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    credential = None
    if scheme.lower() == "basic" and encoded:
        try:
            key, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            sep = ""
        if sep:
            authenticator: Authenticator = current_app.extensions["lrs.auth"]
            credential = authenticator.authenticate(key, secret)
    if credential is not None and has_scope(credential, *READ_SCOPES):
        return None
    return Response("<!doctype html><title>Sign in</title><main><h1>Sign in required</h1><p>Use an LRS "
                    "credential with the statements/read, all/read or all scope.</p></main>", 401,
                    {"WWW-Authenticate": 'Basic realm="Spotlight LRS dashboard", charset="UTF-8"'},
                    mimetype="text/html")


def _report(course: str | None, by: str | None) -> dict:
    store: Store = current_app.extensions["lrs.store"]
    return current_app.extensions["lrs.dashboard.cache"].get(store, course, by)


def _html(body: str) -> Response:
    return Response(body, mimetype="text/html", headers={"Cache-Control": "no-store"})


@bp.get("/")
def index() -> Response:
    return _html(index_page(_report(None, None), request.script_root))


@bp.get("/course")
def course() -> Response:
    iri = request.args.get("id", "")
    by = request.args.get("by") or None
    if not iri:
        raise BadRequest("the id parameter (course IRI) is required")
    if by is not None and by not in GROUP_ATTRIBUTES:
        raise BadRequest(f"by must be one of {', '.join(GROUP_ATTRIBUTES)}")
    report = _report(iri, by)
    found = [c for c in report["courses"] if c["id"] == iri]
    if not found:
        raise NotFound(f"no statements for course {iri}")
    return _html(course_page(report, found[0], request.script_root))
