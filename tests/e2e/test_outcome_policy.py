"""The outcome policy (runtime/lib/outcome.js) run in Node: what each format's rules report, and when.

The browser tests (test_retakes.py) play the sequences through real LMSs; these pin the policy's
edges, including the hook for an attempt limit (``attemptsExhausted``) that no course uses yet.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from importlib import resources
from typing import Any

import pytest

OUTCOME_JS = resources.files("spotlight_pack").joinpath("runtime", "lib", "outcome.js").read_text(encoding="utf-8")
XAPI = {"holdFailed": True, "passOnce": False, "oneVerdictPerSession": False}
CMI5 = {"holdFailed": True, "passOnce": True, "oneVerdictPerSession": True}
SCORM = {"holdFailed": False, "passOnce": False, "oneVerdictPerSession": False}
NOTHING = {"completed": False, "passed": False, "failed": False, "score": None}


def run(rules: dict, steps: list[Any], reported: dict | None = None, mastery: int | None = None) -> list[Any]:
    """Feed ``steps`` (results, or "end") to a tracker; returns the events of each step, then `reported`."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
            pytest.fail("node is missing (SPOTLIGHT_REQUIRE_BROWSER=1)")
        pytest.skip("node is missing")
    passes = "null" if mastery is None else f"function (score) {{ return score >= {mastery}; }}"
    script = f"""{OUTCOME_JS}
var opts = Object.assign({json.dumps(rules)}, {{reported: {json.dumps(reported or NOTHING)}, passes: {passes}}});
var tracker = outcomeTracker(opts);
var out = {json.dumps(steps)}.map(function (step) {{
  return step === "end" ? tracker.end() : tracker.update(step);
}});
out.push(tracker.reported);
process.stdout.write(JSON.stringify(out));"""
    done = subprocess.run([node], input=script, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def attempt(score: int, session_best: int | None = None, completed: bool = True, session_completed: bool = True,
            exhausted: bool = False, mastery: int = 80) -> dict:
    """The player's result after an assessment submitted in this session (best so far ``score``)."""
    return {"completed": completed, "passed": score >= mastery, "scoreRaw": score, "progress": 1,
            "session": {"completed": session_completed, "scoreRaw": score if session_best is None else session_best},
            "attemptsExhausted": exhausted}


def resumed(score: int | None, completed: bool = True, mastery: int = 80) -> dict:
    """The result a resumed course reports before the learner acts."""
    return {"completed": completed, "passed": None if score is None else score >= mastery, "scoreRaw": score,
            "progress": 1, "session": {"completed": False, "scoreRaw": None}, "attemptsExhausted": False}


def test_xapi_holds_failed_until_the_end_and_sends_the_best_score() -> None:
    *events, reported = run(XAPI, [attempt(67), attempt(67, 33), "end"])
    assert events == [[{"verb": "completed"}], [], [{"verb": "failed", "score": 67}]]
    assert reported == {"completed": True, "passed": False, "failed": True, "score": 67}


def test_fail_then_pass_reports_only_passed() -> None:
    for rules in (XAPI, CMI5):
        *events, _ = run(rules, [attempt(67), attempt(100), "end"])
        assert events == [[{"verb": "completed"}], [{"verb": "passed", "score": 100}], []], rules


def test_scorm_writes_every_verdict_at_once_best_score_only() -> None:
    *events, reported = run(SCORM, [attempt(33), attempt(67), attempt(67, 50), attempt(100), "end"])
    assert events == [
        [{"verb": "completed"}, {"verb": "failed", "score": 33}],
        [{"verb": "failed", "score": 67}],
        [],
        [{"verb": "passed", "score": 100}],
        [],
    ]
    assert reported == {"completed": True, "passed": True, "failed": True, "score": 100}


def test_a_resumed_course_reports_nothing_until_the_learner_acts() -> None:
    before = {"completed": True, "passed": False, "failed": True, "score": 67}
    for rules in (XAPI, CMI5, SCORM):
        *events, reported = run(rules, [resumed(67), "end"], reported=before)
        assert events == [[], []], rules
        assert reported == before


def test_after_passing_no_failed_and_cmi5_passes_once() -> None:
    before = {"completed": True, "passed": True, "failed": False, "score": 80}
    *events, _ = run(CMI5, [attempt(80, 40), attempt(100, 100), "end"], reported=before)
    assert events == [[], [], []]  # cmi5 §9.3: one passed per registration, no failed after passed
    *events, reported = run(XAPI, [attempt(80, 40), attempt(100, 100), "end"], reported=before)
    assert events == [[], [{"verb": "passed", "score": 100}], []]  # the LRS gets the better score
    assert reported["score"] == 100


def test_the_lms_score_counts_when_the_saved_state_lost_it() -> None:
    """The LMS holds failed with 67; the course's own state was lost and she scores 33: 67 stays."""
    before = {"completed": True, "passed": False, "failed": True, "score": 67}
    *events, _ = run(SCORM, [attempt(33)], reported=before)
    assert events == [[]]
    *events, _ = run(XAPI, [attempt(33), "end"], reported=before)
    assert events == [[], [{"verb": "failed", "score": 67}]]


def test_cmi5_mastery_decides_and_one_verdict_per_session() -> None:
    """LaunchData's masteryScore (here 60) decides, not the player's `passed`; after a failed verdict
    went out (no attempt left), nothing else is reported in that session."""
    *events, _ = run(CMI5, [attempt(67)], mastery=60)
    assert events == [[{"verb": "completed"}, {"verb": "passed", "score": 67}]]
    *events, _ = run(CMI5, [attempt(33, exhausted=True), attempt(100), "end"])
    assert events == [[{"verb": "completed"}, {"verb": "failed", "score": 33}], [], []]


def test_attempts_exhausted_sends_the_held_failed_at_once() -> None:
    *events, reported = run(XAPI, [attempt(33), attempt(67, exhausted=True), "end"])
    assert events == [[{"verb": "completed"}], [{"verb": "failed", "score": 67}], []]
    assert reported["failed"] is True


def test_completed_once_and_only_when_reached_in_this_session() -> None:
    pages_only = {"completed": True, "passed": None, "scoreRaw": None, "progress": 1,
                  "session": {"completed": True, "scoreRaw": None}, "attemptsExhausted": False}
    *events, _ = run(XAPI, [pages_only, pages_only])
    assert events == [[{"verb": "completed"}], []]
    *events, _ = run(XAPI, [resumed(None), dict(pages_only, session={"completed": False, "scoreRaw": None})])
    assert events == [[], []]  # completed in an earlier session: not reported again
