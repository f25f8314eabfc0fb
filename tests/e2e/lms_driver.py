"""Drive a package inside the test LMS like a learner, and read back what the LMS recorded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spotlight_pack.model import Question, QuestionType, Quiz

FINISH = {"scorm12": "LMSFinish", "scorm2004": "Terminate"}
SET = {"scorm12": "LMSSetValue", "scorm2004": "SetValue"}


@dataclass
class LmsRun:
    """One launch of a SCO in the harness page (``lms/lms.html``)."""

    watched: Any  # conftest.Watched
    base: str
    standard: str

    @property
    def page(self) -> Any:
        return self.watched.page

    @property
    def sco(self) -> Any:
        """The SCO's frame (a Playwright Frame, for locators and evaluate)."""
        return self.page.frame_locator("#sco")

    def frame(self) -> Any:
        return self.page.frames[1]

    def calls(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("window.lmsCalls"))

    def values(self) -> dict[str, str]:
        """Last value the SCO set for every element."""
        found: dict[str, str] = {}
        for call in self.calls():
            if call["method"] == SET[self.standard]:
                found[call["args"][0]] = call["args"][1]
        return found

    def methods(self) -> list[str]:
        return [call["method"] for call in self.calls()]

    def unload(self) -> None:
        """Close the SCO the way an LMS does (the frame goes away) and wait for its session to end."""
        self.page.evaluate("document.getElementById('sco').src = 'about:blank'")
        self.page.wait_for_function(
            f"window.lmsCalls.some(function (c) {{ return c.method === '{FINISH[self.standard]}'; }})"
        )

    def assert_clean(self) -> None:
        """No console error, nothing outside the test server, every write accepted, session finished once."""
        assert not self.watched.errors, self.watched.errors
        outside = [url for url in self.watched.requests if not url.startswith(self.base + "/") and url != "about:blank"]
        assert not outside, outside
        rejected = [call for call in self.calls() if call["method"] != "LMSGetValue" and call["method"] != "GetValue"
                    and call["result"] != "true"]
        assert not rejected, rejected
        assert self.methods().count(FINISH[self.standard]) == 1


def start(sco: Any) -> None:
    """Go past the content note, if the course has one."""
    button = sco.locator("#note-start")
    if button.count() and button.is_visible():
        button.click()


def walk_to_end(sco: Any) -> int:
    """Press Next until the last page; returns how many pages were shown."""
    shown = 1
    while sco.locator("#next").is_enabled():
        sco.locator("#next").click()
        shown += 1
    return shown


def choice(question: Question, correct: bool) -> tuple[str, ...]:
    """The option ids a learner picks to answer ``question`` right or wrong."""
    if correct:
        return question.correct_ids
    wrong = [option.id for option in question.options if not option.correct]
    if question.type is QuestionType.MULTIPLE:
        return tuple(option.id for option in question.options)  # every option: never the exact correct set
    return (wrong[0],)


def answer(sco: Any, quiz: Quiz, correct: bool) -> None:
    for question in quiz.questions:
        for option_id in choice(question, correct):
            sco.locator(f'label[for="q-{question.id}-{option_id}"]').click()
    sco.locator(f'form[data-quiz="{quiz.id}"] button[type="submit"]').click()
