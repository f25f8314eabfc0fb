"""SCORM 1.2 keeps only 4096 characters of suspend_data: a 500-page, 200-question course must fit, and
so must a diploma's whole state at its largest (60 pages, self-checks, a 100-question bank)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from spotlight_pack.model import (
    CompletionRule,
    Course,
    FeedbackPolicy,
    Module,
    Page,
    Pool,
    Question,
    QuestionType,
    Quiz,
    Text,
)
from spotlight_pack.questions.fill_in import FillInBody
from spotlight_pack.questions.numeric import NumericBody

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
    first.sco.locator("form[data-scored] fieldset.question").first.wait_for()  # the quiz engine is there
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


# ---- the state of a whole diploma with a 100-question bank, at its largest

WIDEST = "-1234567890.1234567"  # the longest number a numeric answer may be (real(10,7)): 19 characters saved
OTHER = "-9999999999.9999999"

WALK_AND_ANSWER = """async ([right, wrong]) => {
  const next = document.getElementById("next");
  const answerQuiz = async () => {
    const form = document.querySelector("section.page:not([hidden]) form.quiz");
    if (!form) return;
    for (let i = 0; i < 400 && !form.querySelector("fieldset.question:not([hidden])"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));  // the quiz engine loads with the first quiz
    }
    form.querySelectorAll("fieldset.question:not([hidden])").forEach((fieldset, n) => {
      fieldset.querySelector(".text-answer").value = n % 3 === 0 ? wrong : right;
    });
    form.querySelector('button[type="submit"]').click();
  };
  let shown = 1;
  while (!next.disabled) { next.click(); shown += 1; await answerQuiz(); }
  return shown;
}"""


def diploma(kind: QuestionType, key: str) -> Course:
    """60 pages in 12 modules, a 5-question self-check per module, and a final assessment drawing all
    100 questions of a 4-pool bank, one attempt: every question of ``kind`` with answer ``key``."""
    def text(value: str) -> Text:
        return Text.of({"en": value})

    def questions(prefix: str, count: int) -> tuple[Question, ...]:
        body = (NumericBody(Decimal(key), Decimal(key)) if kind is QuestionType.NUMERIC
                else FillInBody((("en", (key,)),)))
        return tuple(Question(f"{prefix}-{n}", kind, text(f"Question {n}?"), body) for n in range(count))

    modules = []
    for m in range(12):
        pages = tuple(Page(f"p{n}", text(f"Page {n}"), text(f"<p>Page {n}.</p>")) for n in range(5))
        quiz = Quiz(f"m{m}-quiz", text("Self-check"), None, (Pool("all", questions(f"m{m}", 5), 5),), scored=False,
                    feedback=FeedbackPolicy.AFTER_ATTEMPT)
        modules.append(Module(f"m{m}", text(f"Module {m}"), pages, quiz))
    pools = tuple(Pool(f"pool{p}", questions(f"bank{p}", 25), 25) for p in range(4))
    return Course(
        id="diploma", version="1.0.0", languages=("en",), locales=(("en", "en"),), title=text("Diploma"),
        description=text("The largest state a diploma can save."), mastery_score=80,
        completion=CompletionRule.PAGES_AND_ASSESSMENT, modules=tuple(modules),
        assessment=Quiz("assessment", text("Final assessment"), None, pools, scored=True, attempts=1),
        assets=(),
    )


@pytest.mark.parametrize(("kind", "right", "wrong", "keeps_typed"), [
    (QuestionType.NUMERIC, WIDEST, OTHER, True),  # the widest response that is never dropped
    (QuestionType.FILL_IN, "x" * 200, "y" * 200, False),  # typed text: dropped, the verdicts stay
])
def test_a_diploma_with_a_100_question_bank_fits_in_suspend_data(
    launch, kind: QuestionType, right: str, wrong: str, keeps_typed: bool
) -> None:
    course = diploma(kind, right)
    first = launch(course, "scorm12")
    assert first.frame().evaluate(WALK_AND_ANSWER, [right, wrong]) == 73
    summary = first.sco.locator("form[data-scored] .summary").inner_text()
    assert "You answered 66 of 100" in summary and "No attempts left: this result is final." in summary
    first.unload()
    stored = first.values()
    state = stored["cmi.suspend_data"]
    assert len(state) <= 4096, len(state)
    quizzes = state.split(".")[4].split("~")
    assert len(quizzes) == 13 and all(len(quiz) >= 7 for quiz in quizzes)  # every seed and attempt kept
    responses = [field for quiz in quizzes for field in quiz.split(",")[3:] if field]
    assert len(responses) == (160 if keeps_typed else 0)
    first.assert_clean()

    second = launch(course, "scorm12", {"cmi.core.lesson_location": stored["cmi.core.lesson_location"],
                                        "cmi.suspend_data": state, "cmi.core.lesson_status": "failed",
                                        "cmi.core.entry": "resume"})
    form = second.sco.locator("form[data-scored]")
    assert second.sco.locator("#menu a.visited").count() == 73
    assert form.locator(".verdict.wrong:not([hidden])").count() == 34  # right/wrong kept even without the text
    assert "this result is final" in form.locator(".summary").inner_text()
    assert form.locator(".retry").is_hidden()
    typed = form.locator(".text-answer").evaluate_all("fields => fields.filter(f => f.value).length")
    assert typed == (100 if keeps_typed else 0)
    second.unload()
    second.assert_clean()
