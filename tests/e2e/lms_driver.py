"""Drive a package inside the test LMS like a learner, and read back what the LMS recorded."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spotlight_pack.build import package_bytes
from spotlight_pack.model import Course, Question, QuestionType, Quiz
from spotlight_pack.render import render_package

FINISH = {"scorm12": "LMSFinish", "scorm2004": "Terminate"}
SET = {"scorm12": "LMSSetValue", "scorm2004": "SetValue"}


def unpack(course: Course, fmt: str, lang: str, folder: Path) -> Path:
    """Write the package a learner would get into ``folder``: the real, validated zip of ``fmt``.

    ``none`` is the preview player (what ``spotlight-pack preview`` serves): rendered, not zipped.
    """
    if fmt == "none":
        for name, data in render_package(course, lang, fmt).items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    else:
        with zipfile.ZipFile(io.BytesIO(package_bytes(course, fmt, lang))) as archive:
            archive.extractall(folder)
    return folder


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
        outside = [url for url in self.watched.requests if not url.startswith(self.base + "/")]
        assert not outside, outside
        reads = {"LMSGetValue", "GetValue"}
        rejected = [call for call in self.calls() if call["method"] not in reads and call["result"] != "true"]
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
