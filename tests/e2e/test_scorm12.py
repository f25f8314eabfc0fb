"""A SCORM 1.2 package, built by the real pipeline, run by a learner under scorm-again's Scorm12API."""

from __future__ import annotations

import re

import pytest

from spotlight_pack.model import Course

pytestmark = pytest.mark.browser


def test_every_page_and_correct_assessment_passes(launch, mini_course: Course) -> None:
    lms = launch(mini_course, "scorm12")
    lms.start()
    pages = lms.walk_to_end()
    assert pages == sum(len(m.pages) + (1 if m.quiz else 0) for m in mini_course.modules) + 1
    assert mini_course.assessment
    lms.answer(mini_course.assessment, correct=True)
    assert "100" in lms.sco.locator(".summary").last.inner_text()
    lms.sco.locator("#exit").click()
    lms.sco.locator("#closed").wait_for()

    values = lms.values()
    assert values["cmi.core.lesson_status"] == "passed"
    assert values["cmi.core.score.raw"] == "100"
    assert (values["cmi.core.score.min"], values["cmi.core.score.max"]) == ("0", "100")
    assert values["cmi.core.exit"] == ""
    assert re.fullmatch(r"\d{4}:\d{2}:\d{2}\.\d{2}", values["cmi.core.session_time"])
    questions = mini_course.assessment.questions
    for n, question in enumerate(questions):
        assert values[f"cmi.interactions.{n}.id"] == question.id
        assert values[f"cmi.interactions.{n}.result"] == "correct"
        pattern = values[f"cmi.interactions.{n}.correct_responses.0.pattern"]
        assert values[f"cmi.interactions.{n}.student_response"] == pattern
        expected_type = "true-false" if question.type.value == "truefalse" else "choice"
        assert values[f"cmi.interactions.{n}.type"] == expected_type
        assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", values[f"cmi.interactions.{n}.time"])
    assert f"cmi.interactions.{len(questions)}.id" not in values
    # The LMS's own record agrees with what was sent.
    assert lms.page.evaluate("window.API.cmi.core.lesson_status") == "passed"
    assert lms.methods().count("LMSCommit") >= pages
    lms.assert_clean()


def test_wrong_answers_fail_then_a_better_attempt_passes(launch, mini_course: Course) -> None:
    assert mini_course.assessment
    lms = launch(mini_course, "scorm12")
    lms.start()
    lms.walk_to_end()
    lms.answer(mini_course.assessment, correct=False)
    values = lms.values()
    assert values["cmi.core.lesson_status"] == "failed"
    assert int(values["cmi.core.score.raw"]) < mini_course.mastery_score
    assert values["cmi.interactions.0.result"] == "wrong"
    summary = lms.sco.locator(".summary").last.inner_text()
    assert str(mini_course.mastery_score) in summary
    # announced to screen readers
    lms.frame().wait_for_function("text => document.getElementById('live').textContent === text", arg=summary)

    lms.sco.locator("form[data-quiz] .retry").last.click()
    lms.answer(mini_course.assessment, correct=True)
    values = lms.values()
    assert values["cmi.core.lesson_status"] == "passed"
    assert values["cmi.core.score.raw"] == "100"
    lms.unload()
    assert lms.values()["cmi.core.exit"] == ""
    lms.assert_clean()


def test_resume_where_the_learner_left(launch, mini_course: Course) -> None:
    first = launch(mini_course, "scorm12")
    first.start()
    for _ in range(2):
        first.sco.locator("#next").click()
    title = first.sco.locator("section.page:not([hidden]) h1").inner_text()
    first.unload()
    stored = first.values()
    assert stored["cmi.core.exit"] == "suspend"
    assert stored["cmi.core.lesson_status"] == "incomplete"
    assert len(stored["cmi.suspend_data"]) <= 4096
    first.assert_clean()

    second = launch(mini_course, "scorm12", {
        "cmi.core.lesson_location": stored["cmi.core.lesson_location"],
        "cmi.suspend_data": stored["cmi.suspend_data"],
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.entry": "resume",
    })
    second.sco.locator("section.page:not([hidden])").wait_for()
    assert second.sco.locator("section.page:not([hidden]) h1").inner_text() == title
    assert second.sco.locator("#menu a.visited").count() == 3
    current = second.sco.locator('#menu a[aria-current="page"]')
    assert current.count() == 1 and current.inner_text().startswith(title)
    second.unload()
    second.assert_clean()


def test_keyboard_only(launch, mini_course: Course) -> None:
    lms = launch(mini_course, "scorm12")
    sco = lms.sco
    lms.page.locator("#sco").focus()
    for _ in range(10):  # Tab to the Start button of the content note
        lms.page.keyboard.press("Tab")
        if sco.locator("#note-start").evaluate("b => b === document.activeElement"):
            break
    lms.page.keyboard.press("Enter")
    first_title = sco.locator("section.page:not([hidden]) h1")
    assert first_title.evaluate("h => h === document.activeElement")
    before = first_title.inner_text()
    for _ in range(40):  # Tab to Next
        lms.page.keyboard.press("Tab")
        if sco.locator("#next").evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Next button")
    lms.page.keyboard.press("Enter")
    heading = sco.locator("section.page:not([hidden]) h1")
    assert heading.inner_text() != before
    assert heading.evaluate("h => h === document.activeElement")
    lms.unload()
    lms.assert_clean()


def test_narrow_screen_has_no_horizontal_overflow(launch, mini_course: Course) -> None:
    lms = launch(mini_course, "scorm12", width=360)
    sco = lms.sco
    lms.start()
    toggle = sco.locator("#menu-toggle")
    assert toggle.is_visible() and not sco.locator("#menu").is_visible()
    while True:
        width = sco.locator("html").evaluate("html => [html.scrollWidth, html.clientWidth]")
        assert width[0] <= width[1], sco.locator("section.page:not([hidden]) h1").inner_text()
        if not sco.locator("#next").is_enabled():
            break
        sco.locator("#next").click()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    sco.locator("#menu a[data-page]").first.click()
    assert not sco.locator("#menu").is_visible()
    assert sco.locator("section.page:not([hidden]) h1").evaluate("h => h === document.activeElement")
    lms.unload()
    lms.assert_clean()


def test_api_found_through_the_opener(launch, mini_course: Course) -> None:
    lms = launch(mini_course, "scorm12", window=True)
    lms.start()
    lms.sco.locator("#next").click()
    lms.sco.locator("#exit").click()
    lms.sco.locator("#closed").wait_for()
    assert lms.methods()[0] == "LMSInitialize"
    current = lms.sco.locator('#menu a[aria-current="page"]').get_attribute("data-page")
    assert lms.values()["cmi.core.lesson_location"] == current
    lms.assert_clean()


def test_mastery_score_from_the_lms_wins(launch, mini_course: Course) -> None:
    assert mini_course.assessment and len(mini_course.assessment.questions) == 3
    lms = launch(mini_course, "scorm12", {"cmi.student_data.mastery_score": "60"})
    lms.start()
    lms.sco.locator("#menu a[data-page]").last.click()
    first, *rest = mini_course.assessment.questions
    for question, correct in [(first, False)] + [(question, True) for question in rest]:
        lms.choose(question, correct)
    lms.sco.locator("form[data-scored] button[type=submit]").click()
    values = lms.values()
    assert values["cmi.core.score.raw"] == "67"  # below the course's 80, above the LMS's 60
    assert values["cmi.core.lesson_status"] == "passed"
    assert "60" in lms.sco.locator("form[data-scored] .summary").inner_text()
    lms.unload()
    lms.assert_clean()


def test_lms_without_interactions_still_gets_the_result(launch, mini_course: Course) -> None:
    assert mini_course.assessment
    lms = launch(mini_course, "scorm12", unsupported=("cmi.interactions._children",))
    lms.start()
    lms.sco.locator("#menu a[data-page]").last.click()
    lms.answer(mini_course.assessment, correct=True)
    lms.unload()
    values = lms.values()
    assert not [element for element in values if element.startswith("cmi.interactions.")]
    assert values["cmi.core.score.raw"] == "100"
    lms.assert_clean()


def test_review_mode_writes_no_result(launch, mini_course: Course) -> None:
    assert mini_course.assessment
    lms = launch(mini_course, "scorm12", {"cmi.core.lesson_mode": "review", "cmi.core.lesson_status": "passed"})
    assert lms.page.evaluate("window.API.cmi.core.lesson_mode") == "review"
    lms.start()
    lms.sco.locator("#menu a[data-page]").last.click()
    lms.answer(mini_course.assessment, correct=False)
    lms.unload()
    written = set(lms.values())
    assert written <= {"cmi.core.lesson_location"}, written
    assert lms.page.evaluate("window.API.cmi.core.lesson_status") == "passed"
    lms.assert_clean()
