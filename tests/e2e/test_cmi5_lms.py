"""The test LMS (cmi5_lms.py) refuses what the cmi5 specification forbids: each rule the retake tests
rely on, broken once on purpose (no browser, no LRS: the rules run before anything is forwarded)."""

from __future__ import annotations

import copy
import datetime
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cmi5_lms import (  # noqa: E402
    CMI5_CATEGORY,
    MASTERY_EXT,
    MOVEON_CATEGORY,
    PROGRESS_EXT,
    SESSION_ID,
    VERBS,
    Au,
    Cmi5Lms,
    Registration,
    Session,
    Violation,
)

PUBLISHER = "https://example.org/course/au"
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "ana"}}


class Au5:
    """A registration with one Normal session whose learner preferences were read, and a clock."""

    def __init__(self, mode: str = "Normal"):
        self.lms = Cmi5Lms(lrs=None, root=Path("."))
        au = Au(publisher_id=PUBLISHER, url="https://lms.example.org/au/index.html", move_on="CompletedAndPassed",
                mastery=0.8)
        self.registration = Registration(code=str(uuid.uuid4()), actor=ACTOR, activity_id="https://lms.example.org/aus/1",
                                         au=au, mastery=0.8, move_on="CompletedAndPassed")
        self.clock = datetime.datetime(2025, 5, 1, 10, 0, tzinfo=datetime.UTC)
        self.new_session(mode)

    def new_session(self, mode: str = "Normal") -> None:
        session = Session(id=str(uuid.uuid4()), mode=mode, token="t", fetch_id="f", token_fetched=True,
                          prefs_fetched=True)
        self.registration.sessions.append(session)

    @property
    def session(self) -> Session:
        return self.registration.sessions[-1]

    def statement(self, verb: str, result: dict | None = None, defined: bool = True, moveon: bool | None = None,
                  extensions: dict | None = None) -> dict:
        self.clock += datetime.timedelta(seconds=1)
        category = [{"id": CMI5_CATEGORY}] if defined else []
        if moveon if moveon is not None else (defined and result is not None and
                                               ("success" in result or "completion" in result)):
            category.append({"id": MOVEON_CATEGORY})
        context: dict[str, Any] = {
            "registration": self.registration.code,
            "contextActivities": {"grouping": [{"id": PUBLISHER}, {"id": "https://example.org/course"}]},
            "extensions": {SESSION_ID: self.session.id, **(extensions or {})},
        }
        if category:
            context["contextActivities"]["category"] = category
        statement = {
            "id": str(uuid.uuid4()), "actor": ACTOR, "verb": {"id": VERBS + verb},
            "object": {"id": self.registration.activity_id if defined else "https://example.org/page"},
            "context": context, "timestamp": self.clock.isoformat().replace("+00:00", "Z"),
        }
        if result is not None:
            statement["result"] = result
        return statement

    def send(self, statement: dict) -> None:
        """What the proxy does: the rules on a copy, kept only when they pass."""
        scratch = copy.deepcopy(self.registration)
        self.lms.check_statement(statement, scratch.sessions[-1], scratch)
        vars(self.registration).update(vars(scratch))

    def refuses(self, statement: dict, rule: str) -> None:
        with pytest.raises(Violation) as caught:
            self.send(statement)
        assert caught.value.rule.startswith(rule), caught.value


def verdict(verb: str, scaled: float, mastery: float | None = 0.8) -> dict:
    return {"success": verb == "passed", "duration": "PT1M", "score": {"scaled": scaled, "raw": round(scaled * 100),
                                                                        "min": 0, "max": 100}}


MASTERY = {MASTERY_EXT: 0.8}


def test_a_valid_session_is_accepted_and_recorded() -> None:
    au = Au5()
    au.send(au.statement("initialized"))
    au.send(au.statement("experienced", {"extensions": {PROGRESS_EXT: 50}}, defined=False))
    au.send(au.statement("completed", {"completion": True, "duration": "PT2M"}))
    au.send(au.statement("passed", verdict("passed", 0.9), extensions=MASTERY))
    au.send(au.statement("terminated", {"duration": "PT3M"}))
    assert au.registration.holds() == {"completed": True, "verdict": "passed", "score": 0.9, "satisfied": True}
    assert au.registration.session_verbs() == ["initialized", "completed", "passed", "terminated"]


Case = Callable[[Au5], None]


def _before_initialized(au: Au5) -> None:
    au.refuses(au.statement("experienced", defined=False), "9.3")


def _after_terminated(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.send(au.statement("terminated", {"duration": "PT1S"}))
    au.refuses(au.statement("experienced", defined=False), "9.3.8")


def _two_verdicts(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.send(au.statement("failed", verdict("failed", 0.5), extensions=MASTERY))
    au.refuses(au.statement("passed", verdict("passed", 1), extensions=MASTERY), "9.3")


def _passed_twice_in_registration(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.send(au.statement("passed", verdict("passed", 1), extensions=MASTERY))
    au.send(au.statement("terminated", {"duration": "PT1S"}))
    au.new_session()
    au.send(au.statement("initialized"))
    au.refuses(au.statement("passed", verdict("passed", 1), extensions=MASTERY), "9.3.4")


def _failed_after_passed(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.send(au.statement("passed", verdict("passed", 1), extensions=MASTERY))
    au.send(au.statement("terminated", {"duration": "PT1S"}))
    au.new_session()
    au.send(au.statement("initialized"))
    au.refuses(au.statement("failed", verdict("failed", 0.5), extensions=MASTERY), "9.3")


def _completed_twice(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.send(au.statement("completed", {"completion": True, "duration": "PT1S"}))
    au.send(au.statement("terminated", {"duration": "PT1S"}))
    au.new_session()
    au.send(au.statement("initialized"))
    au.refuses(au.statement("completed", {"completion": True, "duration": "PT1S"}), "9.3.3")


def _browse_verdict(au: Au5) -> None:
    au.new_session("Browse")
    au.send(au.statement("initialized"))
    au.refuses(au.statement("passed", verdict("passed", 1), extensions=MASTERY), "10.2.2")


def _score_on_completed(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.refuses(au.statement("completed", {"completion": True, "duration": "PT1S", "score": {"scaled": 1}}), "9.5.1")


def _no_moveon_category(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.refuses(au.statement("completed", {"completion": True, "duration": "PT1S"}, moveon=False), "9.6.2.2")


def _moveon_on_initialized(au: Au5) -> None:
    au.refuses(au.statement("initialized", moveon=True), "9.6.2.2")


def _passed_below_mastery(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.refuses(au.statement("passed", verdict("passed", 0.7), extensions=MASTERY), "9.3.4")


def _no_mastery_extension(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.refuses(au.statement("failed", verdict("failed", 0.5)), "9.6.3.2")


def _no_duration(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.refuses(au.statement("terminated"), "9.5.4.1")


def _progress_after_completed(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.send(au.statement("completed", {"completion": True, "duration": "PT1S"}))
    au.refuses(au.statement("experienced", {"extensions": {PROGRESS_EXT: 100}}, defined=False), "9.5.5.1")


def _other_session(au: Au5) -> None:
    au.send(au.statement("initialized"))
    statement = au.statement("experienced", defined=False)
    statement["context"]["extensions"][SESSION_ID] = str(uuid.uuid4())
    au.refuses(statement, "9.6.3.1")


def _template_changed(au: Au5) -> None:
    statement = au.statement("initialized")
    statement["context"]["contextActivities"]["grouping"].reverse()
    au.refuses(statement, "10.2.1")


def _terminated_not_last_by_time(au: Au5) -> None:
    au.send(au.statement("initialized"))
    au.send(au.statement("experienced", defined=False))
    statement = au.statement("terminated", {"duration": "PT1S"})
    statement["timestamp"] = au.registration.sessions[-1].statements[-1]["timestamp"].replace("Z", "") + "-01:00"
    au.refuses(statement, "9.7")  # not UTC
    statement["timestamp"] = au.registration.sessions[-1].initialized_at.isoformat().replace("+00:00", "Z")
    au.refuses(statement, "9.3")


def _no_preferences(au: Au5) -> None:
    au.session.prefs_fetched = False
    au.refuses(au.statement("initialized"), "11.0")


@pytest.mark.parametrize("case", [
    _before_initialized, _after_terminated, _two_verdicts, _passed_twice_in_registration, _failed_after_passed,
    _completed_twice, _browse_verdict, _score_on_completed, _no_moveon_category, _moveon_on_initialized,
    _passed_below_mastery, _no_mastery_extension, _no_duration, _progress_after_completed, _other_session,
    _template_changed, _terminated_not_last_by_time, _no_preferences,
], ids=lambda case: case.__name__.strip("_"))
def test_the_lms_refuses(case: Case) -> None:
    case(Au5())


def test_documents() -> None:
    au = Au5()
    query = {"agent": '{"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "ana"}}',
             "stateId": "LMS.LaunchData", "activityId": au.registration.activity_id,
             "registration": au.registration.code}
    au.lms.check_document("GET", "activities/state", query, b"", au.session, au.registration)
    with pytest.raises(Violation, match="10.2.1"):
        au.lms.check_document("PUT", "activities/state", query, b"{}", au.session, au.registration)
    with pytest.raises(Violation, match="8.1.3"):
        au.lms.check_document("GET", "activities/state", dict(query, agent='{"mbox": "mailto:x@example.org"}'), b"",
                              au.session, au.registration)
    au.session.terminated = True
    with pytest.raises(Violation, match="after terminated"):
        au.lms.check_document("PUT", "activities/state", dict(query, stateId="bookmark"), b"{}", au.session,
                              au.registration)
