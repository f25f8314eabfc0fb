"""SCORM 1.2 keeps only 4096 characters of suspend_data: a 500-page, 200-question course must fit."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.browser

CLICK_THROUGH = """() => {
  const next = document.getElementById("next");
  let shown = 1;
  while (!next.disabled) { next.click(); shown += 1; }
  return shown;
}"""

ANSWER_ALL = """() => {
  const form = document.querySelector("form[data-scored]");
  form.querySelectorAll("fieldset").forEach((fieldset, n) => {
    fieldset.querySelectorAll("input")[n % 3 === 0 ? 1 : 0].click();  // every third answer wrong
  });
  form.querySelector('button[type="submit"]').click();
}"""


def test_500_pages_and_200_questions_fit_in_suspend_data(launch, synthetic) -> None:
    course = synthetic(500, 200)
    first = launch(course, "scorm12")
    assert first.frame().evaluate(CLICK_THROUGH) == 501
    first.frame().evaluate(ANSWER_ALL)
    first.unload()
    stored = first.values()
    state = stored["cmi.suspend_data"]
    assert len(state) <= 4096
    assert state.split(".")[4], "the answers were dropped although they fit"
    assert stored["cmi.core.score.raw"] == str(math.floor(100 * 133 / 200 + 0.5))  # 133 right of 200, half up
    assert stored["cmi.core.lesson_status"] == "failed"
    first.assert_clean()

    location = stored["cmi.core.lesson_location"]
    second = launch(course, "scorm12", {"cmi.core.lesson_location": location, "cmi.suspend_data": state,
                                        "cmi.core.lesson_status": "failed", "cmi.core.entry": "resume"})
    assert second.sco.locator("#menu a.visited").count() == 501
    assert second.sco.locator("form[data-scored] .verdict.wrong").count() == 67
    assert second.sco.locator("form[data-scored] input:checked").count() == 200
    second.unload()
    second.assert_clean()
