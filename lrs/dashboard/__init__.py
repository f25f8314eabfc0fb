"""The analytics dashboard: server-rendered pages under ``/dashboard`` with inline SVG charts.

It is mounted beside the xAPI application rather than inside it, because the xAPI request hooks
demand an ``X-Experience-API-Version`` header that browsers never send, and answer errors in
JSON. It shares the store and the credential checks (``lrs.auth``): HTTP Basic with a credential
granting ``statements/read``, ``all/read`` or ``all``; anything else gets 401 and a login prompt.

Pages speak Spanish or English: the ``lang`` parameter of the language switch (kept in a cookie),
else the browser's ``Accept-Language``. Filters (a period of activity and roster attributes) are
query parameters of plain GET forms, so everything works without JavaScript.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lrs.analytics import paused_cycle_collector
from lrs.analytics.i18n import LANGUAGES, negotiate
from lrs.analytics.report import GROUP_ATTRIBUTES, Aggregator, Window, aggregate
from lrs.analytics.roster import DOC_ID, SCOPE, load_roster
from lrs.analytics.sources import Source, store_statements
from lrs.analytics.vocab import COURSE_TYPE, VOIDED
from lrs.api.common import store_unavailable
from lrs.auth import Authenticator, has_scope
from lrs.dashboard.pages import Page, course_page, index_page, learners_page, submissions_page
from lrs.stores.base import ERASURE_SCOPE_KIND, DocumentScope, Store, StoreUnavailable, StreamFilter

PREFIX = "/dashboard"
READ_SCOPES = ("statements/read", "all/read")
CACHE_SIZE = 8
#: Cookie keeping the language chosen with the switch (a year, this path only).
LANG_COOKIE = "spotlight_dashboard_lang"
LANG_MAX_AGE = 365 * 24 * 3600
#: Query parameters that select what the figures cover, carried from page to page.
FILTERS = ("from", "to", *GROUP_ATTRIBUTES)

bp = Blueprint("dashboard", __name__)


def install(app: Flask) -> None:
    """Mount the dashboard at ``/dashboard`` on the LRS application ``app``."""
    dashboard = Flask("lrs.dashboard", static_folder=None)
    dashboard.extensions["lrs.store"] = app.extensions["lrs.store"]
    dashboard.extensions["lrs.auth"] = app.extensions["lrs.auth"]
    dashboard.extensions["lrs.dashboard.cache"] = _ReportCache()
    dashboard.register_blueprint(bp)
    dashboard.register_error_handler(StoreUnavailable, store_unavailable)  # 503 + Retry-After, as the API
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: dashboard})  # type: ignore[method-assign]


class _ReportCache:
    """The dashboard's figures, kept up to date by reading only what was stored since.

    One aggregator of every course follows the store: a request first adds the statements stored
    after the last position it read, so a page costs the new statements and the figures, not a
    new read of the whole store. The store is read again from the start only when the new
    statements could change what was already counted, so the figures always equal a fresh
    report's: a voiding statement among them, or a course newly declared in the LRS's activity
    definitions (earlier statements may belong to it). A period of activity (``window``) needs
    its own read of the store; the last two are kept. Finished reports are kept, a few, by what
    they depend on: the last position, the roster's etag and every choice of the page.
    The aggregates stay in memory (per server process): about 150 MB for 25,000 learners.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # one update at a time: others wait for it, not repeat it
        self._aggregated: Aggregator | None = None
        self._courses: frozenset[str] = frozenset()
        self._position = 0
        self._windows: OrderedDict[tuple, Aggregator] = OrderedDict()
        self._erasures = 0
        self._reports: OrderedDict[tuple, dict] = OrderedDict()

    def get(self, store: Store, course: str | None, by: str | None, *, lang: str = "en",
            filters: Mapping[str, str] | None = None, window: Window | None = None,
            show_learners: bool = False, submissions: bool = False) -> dict:
        roster_doc = store.get_document(SCOPE, DOC_ID)
        filters = dict(sorted((filters or {}).items()))
        with self._lock:
            last = store.last_position()
            # An erasure (lrs.erasure) removes counted statements: read everything again after one.
            erasures = len(store.list_document_ids(DocumentScope(ERASURE_SCOPE_KIND)))
            if erasures != self._erasures:
                self._aggregated, self._reports, self._erasures = None, OrderedDict(), erasures
                self._windows = OrderedDict()
            key = (last, roster_doc.etag if roster_doc else "", course, by, lang, tuple(filters.items()), window,
                   show_learners, submissions)
            if key in self._reports:
                self._reports.move_to_end(key)
                return self._reports[key]
            aggregated = self._follow(store, last) if window is None else self._window(store, last, window)
            report = aggregated.report(load_roster(store), by, show_learners, course, lang=lang, filters=filters,
                                       definitions=lambda ids: store.get_activities(list(ids)),
                                       submissions=submissions)
            self._reports[key] = report
            while len(self._reports) > CACHE_SIZE:
                self._reports.popitem(last=False)
            return report

    def _window(self, store: Store, last: int, window: Window) -> Aggregator:
        """The aggregates of what learners did in ``window``, up to position ``last``."""
        courses = frozenset(store.activity_ids_of_type(COURSE_TYPE))
        key = (window, last, courses)
        if key not in self._windows:
            source = Source.of_store(store)
            self._windows[key] = aggregate(source, window=window)
            while len(self._windows) > 2:
                self._windows.popitem(last=False)
        return self._windows[key]

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
    return Response("<!doctype html><html lang=\"en\"><title>Sign in</title><main><h1>Sign in required</h1><p>Use "
                    "an LRS credential with the statements/read, all/read or all scope.</p><p lang=\"es\">Use una "
                    "credencial del LRS con el alcance statements/read, all/read o all.</p></main></html>", 401,
                    {"WWW-Authenticate": 'Basic realm="Spotlight LRS dashboard", charset="UTF-8"'},
                    mimetype="text/html")


def _language() -> tuple[str, bool]:
    """The page's language, and whether the switch just chose it (then it goes in the cookie)."""
    chosen = request.args.get("lang", "")
    if chosen in LANGUAGES:
        return chosen, True
    kept = request.cookies.get(LANG_COOKIE, "")
    if kept in LANGUAGES:
        return kept, False
    return negotiate(request.headers.get("Accept-Language")), False


def _day(name: str, end_of_day: bool) -> float | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        day = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
    except ValueError:
        raise BadRequest(f"{name} must be a date such as 2026-03-31") from None
    return (day + dt.timedelta(days=1)).timestamp() - 1e-6 if end_of_day else day.timestamp()


def _page() -> Page:
    """What every page needs from the request: language, filters, period, where it is mounted."""
    lang, chosen = _language()
    selected = {name: value for name in FILTERS if (value := request.args.get(name, "").strip())}
    start, end = _day("from", False), _day("to", True)
    window = Window(start, end) if start is not None or end is not None else None
    return Page(lang=lang, chosen=chosen, root=request.script_root, path=request.path, args=request.args,
                selected=selected, window=window)


def _report(page: Page, course: str | None, by: str | None, show_learners: bool = False,
            submissions: bool = False) -> dict:
    store: Store = current_app.extensions["lrs.store"]
    filters = {a: page.selected[a] for a in GROUP_ATTRIBUTES if a in page.selected}
    return current_app.extensions["lrs.dashboard.cache"].get(
        store, course, by, lang=page.lang, filters=filters, window=page.window, show_learners=show_learners,
        submissions=submissions)


def _roster_values() -> dict[str, list[str]]:
    roster = load_roster(current_app.extensions["lrs.store"])
    return {a: sorted({entry.get(a, "") for entry in roster.values()} - {""}) for a in GROUP_ATTRIBUTES}


def _html(page: Page, body: str) -> Response:
    response = Response(body, mimetype="text/html",
                        headers={"Cache-Control": "no-store", "Vary": "Accept-Language, Cookie",
                                 "Content-Language": page.lang})
    if page.chosen:
        response.set_cookie(LANG_COOKIE, page.lang, max_age=LANG_MAX_AGE, path=request.script_root or "/",
                            samesite="Lax", httponly=True, secure=request.is_secure)
    return response


def _course(page: Page, by: str | None, show_learners: bool = False, submissions: bool = False) -> tuple[dict, dict]:
    iri = request.args.get("id", "")
    if not iri:
        raise BadRequest("the id parameter (course IRI) is required")
    if by is not None and by not in GROUP_ATTRIBUTES:
        raise BadRequest(f"by must be one of {', '.join(GROUP_ATTRIBUTES)}")
    report = _report(page, iri, by, show_learners, submissions)
    found = [c for c in report["courses"] if c["id"] == iri]
    if not found:
        raise NotFound(f"no statements for course {iri}")
    return report, found[0]


@bp.get("/")
def index() -> Response:
    page = _page()
    return _html(page, index_page(_report(page, None, None), page, _roster_values()))


@bp.get("/course")
def course() -> Response:
    page = _page()
    report, found = _course(page, request.args.get("by") or None)
    return _html(page, course_page(report, found, page, _roster_values()))


@bp.get("/learners")
def learners() -> Response:
    """One course's learners with their module progress (identities: a read credential can read
    them through the xAPI API anyway; the course pages never show them)."""
    page = _page()
    report, found = _course(page, None, show_learners=True)
    return _html(page, learners_page(report, found, page, _roster_values()))


@bp.get("/submissions")
def submissions() -> Response:
    """One course's open answers (long-fill-in) with their rubrics, for tutors, by group
    (identities: as for the learner list)."""
    page = _page()
    report, found = _course(page, request.args.get("by") or "cohort", submissions=True)
    return _html(page, submissions_page(report, found, page, _roster_values()))
