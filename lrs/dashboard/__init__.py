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

from lrs.analytics import paused_cycle_collector
from lrs.analytics.report import GROUP_ATTRIBUTES, Aggregator, aggregate
from lrs.analytics.roster import DOC_ID, SCOPE, load_roster
from lrs.analytics.sources import Source, store_statements
from lrs.analytics.vocab import COURSE_TYPE, VOIDED
from lrs.auth import Authenticator, has_scope
from lrs.dashboard.pages import course_page, index_page
from lrs.stores.base import ERASURE_SCOPE_KIND, DocumentScope, Store, StreamFilter

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
    """The dashboard's figures, kept up to date by reading only what was stored since.

    One aggregator of every course follows the store: a request first adds the statements stored
    after the last position it read, so a page costs the new statements and the figures, not a
    new read of the whole store. The store is read again from the start only when the new
    statements could change what was already counted, so the figures always equal a fresh
    report's: a voiding statement among them, or a course newly declared in the LRS's activity
    definitions (earlier statements may belong to it). Finished reports are kept, a few, by what
    they depend on: the last position, the roster's etag, the course and the grouping.
    The aggregates stay in memory (per server process): about 150 MB for 25,000 learners.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one update at a time: others wait for it, not repeat it
        self._aggregated: Aggregator | None = None
        self._courses: frozenset[str] = frozenset()
        self._position = 0
        self._erasures = 0
        self._reports: OrderedDict[tuple, dict] = OrderedDict()

    def get(self, store: Store, course: str | None, by: str | None) -> dict:
        roster_doc = store.get_document(SCOPE, DOC_ID)
        with self._lock:
            last = store.last_position()
            # An erasure (lrs.erasure) removes counted statements: read everything again after one.
            erasures = len(store.list_document_ids(DocumentScope(ERASURE_SCOPE_KIND)))
            if erasures != self._erasures:
                self._aggregated, self._reports, self._erasures = None, OrderedDict(), erasures
            key = (last, roster_doc.etag if roster_doc else "", course, by)
            if key in self._reports:
                self._reports.move_to_end(key)
                return self._reports[key]
            report = self._follow(store, last).report(load_roster(store), by, course=course)
            self._reports[key] = report
            while len(self._reports) > CACHE_SIZE:
                self._reports.popitem(last=False)
            return report

    def _follow(self, store: Store, last: int) -> Aggregator:
        """The aggregates of every statement up to position ``last``."""
        courses = frozenset(store.activity_ids_of_type(COURSE_TYPE))
        aggregated, self._aggregated = self._aggregated, None  # an error half-way must not leave it half-updated
        if courses != self._courses or last < self._position:
            aggregated = None
        if aggregated is not None:
            new = store_statements(store, StreamFilter(after_position=self._position, through_position=last))
            with paused_cycle_collector():
                for statement in new:
                    if statement["verb"]["id"] == VOIDED:
                        aggregated = None  # a counted statement may be voided: start again
                        break
                    aggregated.add(statement)
        if aggregated is None:
            source = Source.of_store(store)
            aggregated, last, courses = aggregate(source), source.last_position(), source.courses
        self._aggregated, self._position, self._courses = aggregated, last, courses
        return aggregated


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
