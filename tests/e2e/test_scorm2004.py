"""A SCORM 2004 package run by a learner under scorm-again's Scorm2004API."""

from __future__ import annotations

import re

import pytest

from spotlight_pack.model import Course

pytestmark = pytest.mark.browser

DURATION = r"PT\d+H\d+M\d+(\.\d{1,2})?S"


def test_completes_and_passes(launch, mini_course: Course) -> None:
    assert mini_course.assessment
    lms = launch(mini_course, "scorm2004")
    lms.start()
    lms.walk_to_end()
    assert lms.values()["cmi.completion_status"] == "incomplete"
    lms.answer(mini_course.assessment, correct=True)
    lms.sco.locator("#exit").click()
    lms.sco.locator("#closed").wait_for()

    values = lms.values()
    assert values["cmi.completion_status"] == "completed"
    assert values["cmi.success_status"] == "passed"
    assert float(values["cmi.score.scaled"]) == 1
    assert values["cmi.score.raw"] == "100"
    assert values["cmi.progress_measure"] == "1"
    assert values["cmi.exit"] == "normal"
    assert values["adl.nav.request"] == "exitAll"
    assert re.fullmatch(DURATION, values["cmi.session_time"])
    for n, question in enumerate(mini_course.assessment.questions):
        assert values[f"cmi.interactions.{n}.id"] == f"{mini_course.iri}/question/{question.id}"
        assert values[f"cmi.interactions.{n}.result"] == "correct"
        assert re.fullmatch(DURATION, values[f"cmi.interactions.{n}.latency"])
    api = "window.API_1484_11.cmi"
    assert lms.page.evaluate(f"[{api}.completion_status, {api}.success_status]") == ["completed", "passed"]
    lms.assert_clean()


def test_failed_attempt_suspends_and_resumes(launch, mini_course: Course) -> None:
    assert mini_course.assessment
    first = launch(mini_course, "scorm2004")
    first.start()
    first.walk_to_end()
    first.answer(mini_course.assessment, correct=False)
    first.unload()
    stored = first.values()
    assert stored["cmi.success_status"] == "failed"
    assert stored["cmi.exit"] == "suspend"
    assert "adl.nav.request" not in stored
    first.assert_clean()

    resume = {"cmi.location": stored["cmi.location"], "cmi.suspend_data": stored["cmi.suspend_data"],
              "cmi.entry": "resume"}
    second = launch(mini_course, "scorm2004", resume)
    form = second.sco.locator('form[data-scored]')
    form.locator(".retry").wait_for()  # the submitted attempt is shown again, with its feedback
    assert form.locator(".verdict.wrong").count() >= 1
    second.unload()
    second.assert_clean()
