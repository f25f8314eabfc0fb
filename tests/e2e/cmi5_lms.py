"""A cmi5 LMS for the end-to-end tests, strict the way ADL's CATAPULT player is.

It imports a cmi5 package (reads ``cmi5.xml``), serves its files, registers learners, launches AUs as
cmi5 §8 and §10 say (LMS.LaunchData, learner preferences, a ``launched`` statement, a one-time fetch
URL) and is the AU's xAPI endpoint: ``/lrs/`` checks every request the AU makes against the rules
of the cmi5 specification (AICC/CMI-5_Spec_Current, the section numbers below) before it forwards
it to our real LRS. A request that breaks a rule is refused with 403, as CATAPULT does, and
recorded in ``violations``; a test asserts that list is empty. Requests are handled one at a time,
so arrival order is the order the rules see.

What it enforces, per statement:
- every statement: UUID id (§9.1), UTC timestamp (§9.7), the launch actor (§9.2, CATAPULT 8.1.3),
  the registration (§9.6.1), the contextTemplate kept (§10.2.1: its contextActivities in their
  places, its extensions unchanged), the session id (§9.6.3.1), no voiding (§6.3), ``initialized``
  first and ``terminated`` last by arrival and by timestamp, nothing after ``terminated`` (§9.3,
  §7.1.3), learner preferences read before the first statement (CATAPULT 11.0.0.0-3), the moveon
  category only on cmi5 defined statements with success or completion (§9.6.2.2);
- cmi5 defined statements (cmi5 category, §7.1.3): an AU verb (§9.3), object = the launch
  activityId (§9.4), no verb twice in a session, at most one of passed/failed per session,
  completed and passed at most once per registration, no failed after passed (§9.3), nothing but
  initialized/terminated in Browse or Review (§10.2.2), the result rules of §9.5 (completion,
  success, score only where allowed, raw with min and max, duration where required, no progress
  on or after completed), masteryScore consistency and extension (§9.3.4, §9.3.5, §9.6.3.2);
- documents: LMS.LaunchData is only read (§10.2.1), the agent is the launch actor, the registration
  the launch one; learner preferences written only as §11 says.

``Registration.holds()`` is what the LMS shows for the AU afterwards: completed, passed, the latest
verdict and its score, and whether moveOn is satisfied (§13.1.4).
"""

from __future__ import annotations

import copy
import datetime
import http.server
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERBS = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/"
CMI5_CATEGORY = CMI5 + "context/categories/cmi5"
MOVEON_CATEGORY = CMI5 + "context/categories/moveon"
SESSION_ID = CMI5 + "context/extensions/sessionid"
MASTERY_EXT = CMI5 + "context/extensions/masteryscore"
PROGRESS_EXT = CMI5 + "result/extensions/progress"
AU_VERBS = {"initialized", "completed", "passed", "failed", "terminated"}
COURSE_NS = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
DURATION = re.compile(r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
                      r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$")


class Violation(Exception):
    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule


@dataclass
class Au:
    """One AU of an imported package, as cmi5.xml describes it (§13.1.4)."""

    publisher_id: str
    url: str
    move_on: str
    mastery: float | None


@dataclass
class Session:
    id: str
    mode: str
    token: str
    fetch_id: str
    token_fetched: bool = False
    prefs_fetched: bool = False
    initialized_at: datetime.datetime | None = None
    latest_at: datetime.datetime | None = None
    terminated: bool = False
    abandoned: bool = False
    defined: list[str] = field(default_factory=list)  # cmi5 defined verbs, in order
    statements: list[dict] = field(default_factory=list)  # what the AU sent, accepted


@dataclass
class Registration:
    code: str
    actor: dict
    activity_id: str
    au: Au
    mastery: float | None
    move_on: str
    completed: bool = False
    passed: bool = False
    verdicts: list[tuple[str, float | None]] = field(default_factory=list)  # (verb, score.scaled), in order
    sessions: list[Session] = field(default_factory=list)

    def satisfied(self) -> bool:
        """moveOn met (§13.1.4)."""
        return {
            "Passed": self.passed,
            "Completed": self.completed,
            "CompletedAndPassed": self.completed and self.passed,
            "CompletedOrPassed": self.completed or self.passed,
            "NotApplicable": True,
        }[self.move_on]

    def holds(self) -> dict[str, Any]:
        """What the LMS shows for this AU: the verdict (passed wins; else the latest failed) and its score."""
        passed = [scaled for verb, scaled in self.verdicts if verb == "passed"]
        latest = self.verdicts[-1] if self.verdicts else (None, None)
        verdict = "passed" if passed else latest[0]
        return {
            "completed": self.completed,
            "verdict": verdict,
            "score": passed[0] if passed else latest[1],
            "satisfied": self.satisfied(),
        }

    def session_verbs(self, index: int = -1, defined_only: bool = True) -> list[str]:
        session = self.sessions[index]
        if defined_only:
            return list(session.defined)
        return [s["verb"]["id"].rsplit("/", 1)[1] for s in session.statements]


def _utc(timestamp: Any) -> datetime.datetime:
    if not isinstance(timestamp, str) or not re.search(r"(Z|\+00:?(00)?)$", timestamp):
        raise Violation("9.7", f"timestamp not in UTC: {timestamp!r}")
    try:
        return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise Violation("9.7", f"timestamp not ISO 8601: {timestamp!r}") from None


class Cmi5Lms:
    """The test LMS: ``start()``, ``add_package()``, ``register()``, ``launch()``; see the module doc."""

    def __init__(self, lrs: Any, root: Path):
        self.lrs = lrs  # tests/e2e/xapi_support.LRS: our LRS, and its all-scope credential
        self.root = root
        self.aus: dict[str, Au] = {}
        self.registrations: list[Registration] = []
        self.sessions: dict[str, tuple[Registration, int]] = {}  # auth token → the session's registration, index
        self.fetches: dict[str, str] = {}  # fetch id → auth token (one use)
        self.violations: list[str] = []
        self.late: list[str] = []  # requests of an abandoned session: refused, but not the AU's fault
        self.lock = threading.Lock()
        self.server: http.server.ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        assert self.server
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # ------------------------------------------------------------------ course and launch

    def host(self, name: str, zip_path: Path) -> Path:
        """Serve a package's files under /pkg/<name>/ (any format: Tin Can packages too)."""
        target = self.root / "pkg" / name
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(target)
        return target

    def add_package(self, name: str, zip_path: Path) -> Au:
        """Import a cmi5 zip: serve it and read its (single) AU from cmi5.xml."""
        target = self.host(name, zip_path)
        tree = ElementTree.parse(target / "cmi5.xml")
        (node,) = tree.getroot().iter(COURSE_NS + "au")
        mastery = node.get("masteryScore")
        au = Au(
            publisher_id=node.get("id", ""),
            url=f"{self.origin}/pkg/{name}/{node.findtext(COURSE_NS + 'url', '').strip()}",
            move_on=node.get("moveOn", "NotApplicable"),
            mastery=float(mastery) if mastery else None,
        )
        self.aus[name] = au
        return au

    def register(self, package: str, mastery: float | None = None, move_on: str | None = None) -> Registration:
        """Enrol a new learner in the package's AU (the LMS may override masteryScore and moveOn, §10.2)."""
        au = self.aus[package]
        # no objectType (it is optional): the AU must send the actor exactly as given
        actor = {"name": "Ana Pérez",
                 "account": {"homePage": "https://lms.example.org", "name": f"ana-{uuid.uuid4().hex[:8]}"}}
        registration = Registration(
            code=str(uuid.uuid4()), actor=actor, activity_id=f"https://lms.example.org/aus/{uuid.uuid4()}", au=au,
            mastery=au.mastery if mastery is None else mastery, move_on=move_on or au.move_on,
        )
        status, body = self.lrs.call("POST", "agents/profile", {"agent": actor, "profileId": "cmi5LearnerPreferences"},
                                     {"languagePreference": "en-US,es-MX", "audioPreference": "on"})
        assert status == 204, body
        self.registrations.append(registration)
        return registration

    def launch(self, registration: Registration, mode: str = "Normal") -> str:
        """LaunchData, ``launched``, a fetch URL; returns the AU's launch URL (§8.1). An earlier session
        of the registration that did not terminate is abandoned (§9.3.6)."""
        with self.lock:
            for earlier in registration.sessions:
                if not earlier.terminated:
                    earlier.abandoned = True
            session = Session(id=str(uuid.uuid4()), mode=mode, token=uuid.uuid4().hex, fetch_id=uuid.uuid4().hex)
            registration.sessions.append(session)
            self.sessions[session.token] = (registration, len(registration.sessions) - 1)
            self.fetches[session.fetch_id] = session.token
        template = {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": registration.au.publisher_id}]},
            "extensions": {SESSION_ID: session.id},
        }
        launch_data: dict[str, Any] = {
            "contextTemplate": template, "launchMode": mode, "moveOn": registration.move_on,
            "returnURL": f"{self.origin}/return.html",
        }
        if registration.mastery is not None:
            launch_data["masteryScore"] = registration.mastery
        scope = {"activityId": registration.activity_id, "agent": registration.actor,
                 "registration": registration.code}
        status, body = self.lrs.call("PUT", "activities/state", dict(scope, stateId="LMS.LaunchData"), launch_data)
        assert status == 204, body
        context = copy.deepcopy(template)
        context["registration"] = registration.code
        context["contextActivities"]["category"] = [{"id": CMI5_CATEGORY}]
        context["extensions"].update({
            CMI5 + "context/extensions/launchmode": mode, CMI5 + "context/extensions/moveon": registration.move_on,
            CMI5 + "context/extensions/launchurl": registration.au.url,
        })
        if registration.mastery is not None:
            context["extensions"][MASTERY_EXT] = registration.mastery
        launched = {
            "id": str(uuid.uuid4()), "actor": registration.actor,
            "verb": {"id": VERBS + "launched", "display": {"en-US": "launched"}},
            "object": {"objectType": "Activity", "id": registration.activity_id}, "context": context,
            "timestamp": datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z"),
        }
        status, body = self.lrs.call("POST", "statements", body=launched)
        assert status == 200, body
        query = urllib.parse.urlencode({
            "endpoint": f"{self.origin}/lrs/", "fetch": f"{self.origin}/fetch/{session.fetch_id}",
            "actor": json.dumps(registration.actor), "registration": registration.code,
            "activityId": registration.activity_id,
        })
        return f"{registration.au.url}?{query}"

    @property
    def return_url(self) -> str:
        return f"{self.origin}/return.html"

    # ------------------------------------------------------------------ the rules

    def _violate(self, session: Session | None, error: Violation) -> None:
        self.violations.append(f"[session {session.id if session else '?'}] {error}")

    def check_statement(self, st: Any, session: Session, registration: Registration) -> None:
        """Raise Violation if ``st`` breaks a rule; else record it in ``session``/``registration``."""
        if not isinstance(st, dict) or not all(isinstance(st.get(key), dict) for key in ("actor", "verb", "object")):
            raise Violation("xAPI", "statement without actor, verb or object")
        if not UUID.match(str(st.get("id", ""))):
            raise Violation("9.1", f"statement id is not a UUID: {st.get('id')!r}")
        verb = str(st["verb"].get("id", ""))
        name = verb.rsplit("/", 1)[-1]
        if verb == VERBS + "voided":
            raise Violation("6.3", "an AU may not void statements")
        when = _utc(st.get("timestamp"))
        if st["actor"] != registration.actor:  # as CATAPULT: the launch actor, verbatim
            raise Violation("9.2", f"actor {st['actor']} is not the launch actor")
        context = st.get("context")
        if not isinstance(context, dict):
            raise Violation("9.6", "no context")
        if context.get("registration") != registration.code:
            raise Violation("9.6.1", f"registration {context.get('registration')!r}")
        activities = context.get("contextActivities") or {}
        for kind, items in session_template(session, registration)["contextActivities"].items():
            given = activities.get(kind) or []
            for index, item in enumerate(items):
                if index >= len(given) or given[index].get("id") != item["id"]:
                    raise Violation("10.2.1", f"contextTemplate's {kind}[{index}] changed or missing")
        extensions = context.get("extensions") or {}
        if extensions.get(SESSION_ID) != session.id:
            raise Violation("9.6.3.1", f"session id {extensions.get(SESSION_ID)!r}, expected {session.id}")
        categories = {item.get("id") for item in activities.get("category") or []}
        defined = CMI5_CATEGORY in categories
        result = st.get("result") if isinstance(st.get("result"), dict) else None
        if session.terminated:
            raise Violation("9.3.8", f"{name} after terminated")
        if not session.prefs_fetched:
            raise Violation("11.0 (CATAPULT 11.0.0.0-3)", "statement before the learner preferences were read")
        if session.initialized_at is None and not (defined and name == "initialized"):
            raise Violation("9.3", f"{name} before initialized")
        stamp = when
        if session.initialized_at is not None and stamp < session.initialized_at:
            raise Violation("9.3", f"{name} timestamped before initialized")
        progress = ((result or {}).get("extensions") or {}).get(PROGRESS_EXT)
        if progress is not None and (name == "completed" or registration.completed):
            raise Violation("9.5.5.1", f"progress on {name} once completed was sent")
        has_outcome = result is not None and ("success" in result or "completion" in result)
        if MOVEON_CATEGORY in categories and not (defined and has_outcome):
            raise Violation("9.6.2.2", f"moveon category on {name}")
        if defined:
            self._check_defined(st, name, result, categories, extensions, session, registration, stamp)
        session.latest_at = stamp if session.latest_at is None else max(session.latest_at, stamp)
        session.statements.append(st)

    def _check_defined(self, st: dict, name: str, result: dict | None, categories: set, extensions: dict,
                       session: Session, registration: Registration, stamp: datetime.datetime) -> None:
        account = st["actor"].get("account") or {}
        if not (account.get("homePage") and account.get("name")):
            raise Violation("9.2", "cmi5 defined statement without an account actor")
        if st["object"].get("id") != registration.activity_id:
            raise Violation("9.4", f"object {st['object'].get('id')!r} is not the launch activityId")
        if name not in AU_VERBS or st["verb"]["id"] != VERBS + name:
            raise Violation("9.3", f"{st['verb']['id']} is not a verb an AU may use in a cmi5 defined statement")
        if session.mode != "Normal" and name not in ("initialized", "terminated"):
            raise Violation("10.2.2", f"{name} in {session.mode} mode")
        if name in session.defined:
            raise Violation("9.3", f"{name} twice in one session")
        if name in ("passed", "failed") and {"passed", "failed"} & set(session.defined):
            raise Violation("9.3", f"{name} after another verdict in the same session")
        if name == "completed" and registration.completed:
            raise Violation("9.3.3", "completed twice in one registration")
        if name == "passed" and registration.passed:
            raise Violation("9.3.4", "passed twice in one registration")
        if name == "failed" and registration.passed:
            raise Violation("9.3", "failed after passed in one registration")
        if name == "terminated" and session.latest_at is not None and stamp < session.latest_at:
            raise Violation("9.3", "terminated is not the last statement by timestamp")
        result = result or {}
        if ("completion" in result) != (name == "completed") or result.get("completion", True) is not True:
            raise Violation("9.5.3", f"completion {result.get('completion')!r} on {name}")
        if ("success" in result) != (name in ("passed", "failed")) or (
                "success" in result and result["success"] is not (name == "passed")):
            raise Violation("9.5.2", f"success {result.get('success')!r} on {name}")
        if ("success" in result or "completion" in result) and MOVEON_CATEGORY not in categories:
            raise Violation("9.6.2.2", f"{name} without the moveon category")
        if name in ("completed", "passed", "failed", "terminated") and not DURATION.match(str(result.get("duration"))):
            raise Violation("9.5.4.1", f"{name} without a valid duration: {result.get('duration')!r}")
        score = result.get("score")
        scaled = None
        if score is not None:
            if name not in ("passed", "failed"):
                raise Violation("9.5.1", f"score on {name}")
            if "raw" in score and ("min" not in score or "max" not in score):
                raise Violation("9.5.1", "raw score without min and max")
            if "raw" in score and not score["min"] <= score["raw"] <= score["max"]:
                raise Violation("9.5.1", f"raw {score['raw']} outside min..max")
            scaled = score.get("scaled")
            if scaled is not None and not 0 <= scaled <= 1:
                raise Violation("9.5.1", f"scaled {scaled}")
            if registration.mastery is not None:
                if extensions.get(MASTERY_EXT) != registration.mastery:
                    raise Violation("9.6.3.2", f"masteryscore extension {extensions.get(MASTERY_EXT)!r}")
                if scaled is not None and (scaled >= registration.mastery) != (name == "passed"):
                    raise Violation("9.3.4/9.3.5", f"{name} with scaled {scaled}, mastery {registration.mastery}")
        if name == "initialized":
            session.initialized_at = stamp
        elif name == "terminated":
            session.terminated = True
        elif name == "completed":
            registration.completed = True
        elif name in ("passed", "failed"):
            registration.passed = registration.passed or name == "passed"
            registration.verdicts.append((name, scaled))
        session.defined.append(name)

    def check_document(self, method: str, resource: str, query: dict[str, str], body: bytes, session: Session,
                       registration: Registration) -> None:
        if session.terminated:
            raise Violation("9.3.8 (CATAPULT 8.1.2.0-2)", f"{method} {resource} after terminated")
        try:
            agent = json.loads(query.get("agent", "null"))
        except json.JSONDecodeError:
            raise Violation("xAPI", "agent parameter is not JSON") from None
        if agent != registration.actor:
            raise Violation("8.1.3", f"{resource} for agent {agent!r}, not the launch actor")
        if resource == "activities/state":
            if "registration" in query and query["registration"] != registration.code:
                raise Violation("8.1.4", f"state of registration {query['registration']!r}")
            if query.get("stateId") == "LMS.LaunchData" and method != "GET":
                raise Violation("10.2.1", f"{method} of LMS.LaunchData")
        elif resource == "agents/profile" and query.get("profileId") == "cmi5LearnerPreferences":
            if method == "GET":
                session.prefs_fetched = True
            else:
                try:
                    document = json.loads(body)
                except json.JSONDecodeError:
                    document = None
                if not isinstance(document, dict) or not {"languagePreference", "audioPreference"} <= set(document):
                    raise Violation("11.0", "cmi5LearnerPreferences without its two properties")
        elif resource != "agents/profile":
            raise Violation("xAPI", f"unexpected resource {resource}")

    # ------------------------------------------------------------------ the HTTP side

    def proxy(self, method: str, resource: str, raw_query: str, body: bytes, auth: str) -> tuple[int, bytes]:
        token = auth[6:] if auth.startswith("Basic ") else ""
        with self.lock:
            found = self.sessions.get(token)
            if found is None:
                self._violate(None, Violation("8.2", f"{method} {resource} without a fetched auth token"))
                return 401, b'{"error": "unknown token"}'
            registration, index = found
            session = registration.sessions[index]
            if not session.token_fetched:
                self._violate(session, Violation("8.2", "token used before it was fetched"))
                return 401, b'{"error": "token not fetched"}'
            if session.abandoned:
                self.late.append(f"{method} {resource} of abandoned session {session.id}")
                return 403, b'{"error": "session abandoned"}'
            query = dict(urllib.parse.parse_qsl(raw_query))
            # the rules run on a copy, kept only if the LRS stores what they accepted
            scratch_registration = copy.deepcopy(registration)
            scratch_session = scratch_registration.sessions[index]
            try:
                if resource == "statements" and method in ("POST", "PUT"):
                    statements = json.loads(body)
                    for st in statements if isinstance(statements, list) else [statements]:
                        self.check_statement(st, scratch_session, scratch_registration)
                elif resource == "statements":
                    raise Violation("xAPI", f"{method} statements (an AU only sends them)")
                else:
                    self.check_document(method, resource, query, body, scratch_session, scratch_registration)
            except (Violation, json.JSONDecodeError) as error:
                violation = error if isinstance(error, Violation) else Violation("xAPI", f"body is not JSON: {error}")
                self._violate(session, violation)
                return 403, json.dumps({"error": str(violation)}).encode()
            status, answer = self.forward(method, resource, raw_query, body)
            if status < 300:
                vars(registration).update(vars(scratch_registration))
            return status, answer

    def forward(self, method: str, resource: str, raw_query: str, body: bytes) -> tuple[int, bytes]:
        url = self.lrs.endpoint + resource + (f"?{raw_query}" if raw_query else "")
        request = urllib.request.Request(url, data=body if method in ("POST", "PUT") else None, method=method,
                                         headers={"Authorization": self.lrs.admin, "X-Experience-API-Version": "1.0.3",
                                                  "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def fetch(self, fetch_id: str) -> bytes:
        """The fetch URL: one auth token, once (§8.2)."""
        with self.lock:
            token = self.fetches.pop(fetch_id, None)
            if token is None:
                return b'{"error-code": "1", "error-text": "this fetch URL was already used"}'
            registration, index = self.sessions[token]
            registration.sessions[index].token_fetched = True
            return json.dumps({"auth-token": token}).encode()

    def start(self) -> None:
        owner = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(owner.root), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
                """Quiet: the tests report what matters."""

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _lrs(self, method: str) -> bool:
                parts = urllib.parse.urlsplit(self.path)
                if not parts.path.startswith("/lrs/"):
                    return False
                body = self._body() if method in ("POST", "PUT") else b""
                status, answer = owner.proxy(method, parts.path[5:], parts.query, body,
                                             self.headers.get("Authorization", ""))
                self._send(status, answer)
                return True

            def do_GET(self) -> None:  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                if self._lrs("GET"):
                    return None
                if path == "/favicon.ico":
                    return self._send(204, b"", "image/x-icon")
                if path == "/return.html":
                    page = b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>LMS</title></head>" \
                           b"<body><h1>Back in the LMS</h1></body></html>"
                    return self._send(200, page, "text/html; charset=utf-8")
                if path.startswith("/fetch/"):
                    owner.violations.append(f"8.2: GET of the fetch URL {path}")
                    return self._send(405, b'{"error-code": "3", "error-text": "use POST"}')
                return super().do_GET()

            def do_POST(self) -> None:  # noqa: N802
                path = urllib.parse.urlsplit(self.path).path
                if self._lrs("POST"):
                    return None
                if path.startswith("/fetch/"):
                    self._body()
                    return self._send(200, owner.fetch(path.rsplit("/", 1)[1]))
                return self._send(404, b"{}")

            def do_PUT(self) -> None:  # noqa: N802
                if not self._lrs("PUT"):
                    self._send(404, b"{}")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def session_template(session: Session, registration: Registration) -> dict:
    """The contextTemplate the LMS wrote into LMS.LaunchData for ``session``."""
    return {
        "contextActivities": {"grouping": [{"objectType": "Activity", "id": registration.au.publisher_id}]},
        "extensions": {SESSION_ID: session.id},
    }
