"""Question banks, attempts, feedback policies and every question type, in all five formats.

One learner per format takes the ``bank`` fixture course: the assessment is closed until every
page was seen; an attempt draws 2 of 4 classic questions plus one of every other type; a resumed
attempt shows the same questions in the same order with the answer already given; a new attempt
draws again from a new seed; after the last attempt the verdict is final and the course says so.
Every answer is then checked in what the SCORM runtime (scorm-again's data model) or our LRS
recorded: the interaction type, the learner's response and the correct-responses pattern in that
standard's own syntax (written out literally below, from SCORM 1.2 RTE 3.4, SCORM 2004 RTE 4.2.9
and xAPI Data 2.4.4.1). The ``policies`` fixture course then shows each feedback policy.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import assessment_support as helpers  # noqa: E402
import xapi_support as support  # noqa: E402
from assessment_support import (  # noqa: E402
    FORMATS,
    Learner,
    Record,
    World,
    answer,
    form_of,
    keys_shown,
    visible_questions,
)

from spotlight_pack import build  # noqa: E402
from spotlight_pack.model import Course  # noqa: E402
from spotlight_pack.questions.matching import MatchingKind  # noqa: E402
from spotlight_pack.questions.sequencing import SequencingKind  # noqa: E402
from spotlight_pack.sources import load_course  # noqa: E402

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
BANK = FIXTURES / "bank"
POLICIES = FIXTURES / "policies"
CLASSIC = {"bank-c1", "bank-c2", "bank-c3", "bank-c4"}
TYPES_POOL = ["bank-fill", "bank-number", "bank-range", "bank-match", "bank-order", "bank-open", "bank-survey"]

# What the learner does: right and wrong answers (choice ids, typed text, target per source, order).
RIGHT: dict[str, Any] = {
    "bank-c1": ["a"], "bank-c2": ["c"], "bank-c3": ["a", "b"], "bank-c4": ["false"],
    "bank-fill": "  Assessing ", "bank-number": "3", "bank-range": "3,25",
    "bank-match": {"listen": "belief", "assess": "risk", "refer": "service"},
    "bank-order": ["greet", "hear", "gauge", "send"],
    "bank-open": "I would listen first, without judging.", "bank-survey": "agree",
}
WRONG: dict[str, Any] = {
    "bank-c1": ["d"], "bank-c2": ["a"], "bank-c3": ["a", "c"], "bank-c4": ["true"],
    "bank-fill": "wait", "bank-number": "4", "bank-range": "-9.5",
    "bank-match": {"listen": "blame", "assess": "risk", "refer": "service"},
    "bank-order": ["hear", "greet", "gauge", "send"],
    "bank-open": "Call someone else.", "bank-survey": "disagree",
}
INTERACTION_TYPES = {
    "bank-c1": "choice", "bank-c2": "choice", "bank-c3": "choice", "bank-c4": "true-false",
    "bank-fill": "fill-in", "bank-number": "numeric", "bank-range": "numeric", "bank-match": "matching",
    "bank-order": "sequencing", "bank-open": "long-fill-in", "bank-survey": "likert",
}


@pytest.fixture(scope="module")
def bank() -> Course:
    return load_course(BANK)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    workdir = tmp_path_factory.mktemp("assessment-e2e")
    with support.lrs_and_content(workdir) as (lrs, content):
        credentials = {
            "cmi5": support.basic(*lrs.credential("statements/write", "state", "profile", name="cmi5")),
            "tincan": support.basic(*lrs.credential("statements/write", "state", name="tincan")),
        }
        key, secret = lrs.credential("statements/write", name="scorm12-xapi")
        with support.chromium() as browser:
            world = World(lrs, content, browser, credentials)
            for course in (BANK, POLICIES):
                zips = build([course], formats=[f for f in FORMATS if f != "scorm12-xapi"], languages=["en"],
                             out=workdir / "dist")
                zips += build([course], formats=["scorm12-xapi"], languages=["en"], out=workdir / "dist",
                              settings={"lrs_endpoint": lrs.endpoint, "lrs_key": key, "lrs_secret": secret})
                for path in zips:
                    fmt = re.search(r"-(scorm12-xapi|scorm12|scorm2004|cmi5|tincan)-en\.zip$", path.name)
                    assert fmt, path
                    world.add(f"{course.name}--{fmt.group(1)}", Path(path))
            yield world


# --------------------------------------------------------------------------- the learner's hands


def options_shown(form: Any, question: str) -> list[str]:
    options = form.locator(f"fieldset[data-question='{question}'] .option")
    return [item.get_attribute("data-option") for item in options.all()]


def answer_all(form: Any, answers: dict[str, Any]) -> list[str]:
    shown = visible_questions(form)
    for question in shown:
        answer(form, question, answers[question])
    form.locator("button[type=submit]").click()
    form.locator(".summary").wait_for(state="visible")
    return shown


def visit_every_page(course: Any) -> None:
    course.locator("#menu a[data-page]").first.click(force=True)
    while course.locator("#next").is_enabled():
        course.locator("#next").click()


def verdicts_shown(form: Any) -> list[str]:
    return [item.inner_text() for item in form.locator(".verdict:not([hidden])").all()]


# --------------------------------------------------------------------------- what the standards hold


def shown_letters(course: Course, question_id: str) -> dict[str, str]:
    """SCORM 1.2 one-letter ids of matching targets and sequencing steps: their position in the page."""
    question = next(q for quiz in course.quizzes() for q in quiz.questions if q.id == question_id)
    shown = (MatchingKind().shown_targets(question) if question_id == "bank-match"
             else SequencingKind().shown_steps(question))
    return {item.id: "abcdefghij"[index] for index, item in enumerate(shown)}


def expected_type(standard: str, question: str) -> str:
    if standard == "scorm12" and question == "bank-open":
        return "fill-in"  # SCORM 1.2 has no long-fill-in
    return INTERACTION_TYPES[question]


def expected_patterns(course: Course, standard: str, question: str) -> tuple[str, ...] | None:
    letters = shown_letters(course, question) if question in ("bank-match", "bank-order") else {}
    table: dict[str, dict[str, tuple[str, ...] | None]] = {
        "scorm12": {
            "bank-c1": ("a",), "bank-c2": ("c",), "bank-c3": ("a,b",), "bank-c4": ("f",),
            "bank-fill": ("assess", "assessing"), "bank-number": ("3",), "bank-range": None,
            "bank-match": (f"0.{letters.get('belief')},1.{letters.get('risk')},2.{letters.get('service')}",),
            "bank-order": (",".join(letters.get(step, "") for step in ("greet", "hear", "gauge", "send")),),
            "bank-open": None, "bank-survey": None,
        },
        "scorm2004": {
            "bank-c1": ("a",), "bank-c2": ("c",), "bank-c3": ("a[,]b",), "bank-c4": ("false",),
            "bank-fill": ("{case_matters=false}{lang=en}assess", "{case_matters=false}{lang=en}assessing"),
            "bank-number": ("3[:]3",), "bank-range": ("2.5[:]3.5",),
            "bank-match": ("listen[.]belief[,]assess[.]risk[,]refer[.]service",),
            "bank-order": ("greet[,]hear[,]gauge[,]send",), "bank-open": None, "bank-survey": None,
        },
        "xapi": {
            "bank-c1": ("a",), "bank-c2": ("c",), "bank-c3": ("a[,]b",), "bank-c4": ("false",),
            "bank-fill": ("{case_matters=false}{lang=en}assess", "{case_matters=false}{lang=en}assessing"),
            "bank-number": ("3",), "bank-range": ("2.5[:]3.5",),
            "bank-match": ("listen[.]belief[,]assess[.]risk[,]refer[.]service",),
            "bank-order": ("greet[,]hear[,]gauge[,]send",), "bank-open": None, "bank-survey": None,
        },
    }
    return table[standard][question]


def expected_response(course: Course, standard: str, question: str, value: Any) -> str:
    if question in ("bank-c1", "bank-c2", "bank-c3"):
        return ("," if standard == "scorm12" else "[,]").join(value)
    if question == "bank-c4":
        return value[0][0] if standard == "scorm12" else value[0]
    if question in ("bank-fill", "bank-open"):
        typed = value.strip()
        return "{lang=en}" + typed if standard == "scorm2004" else typed
    if question in ("bank-number", "bank-range"):
        return value.replace(",", ".")
    if question == "bank-match":
        if standard == "scorm12":
            letters = shown_letters(course, question)
            return ",".join(f"{n}.{letters[value[source]]}" for n, source in enumerate(("listen", "assess", "refer")))
        return "[,]".join(f"{source}[.]{value[source]}" for source in ("listen", "assess", "refer"))
    if question == "bank-order":
        if standard == "scorm12":
            letters = shown_letters(course, question)
            return ",".join(letters[step] for step in value)
        return "[,]".join(value)
    assert question == "bank-survey"
    return {"disagree": "0", "neutral": "1", "agree": "2"}[value] if standard == "scorm12" else value


def expected_result(standard: str, question: str, right: bool) -> str:
    if question in ("bank-open", "bank-survey"):
        return "neutral"
    if right:
        return "correct"
    return "incorrect" if standard == "scorm2004" else "wrong"


RUBRIC_EN = "Names listening without judgement as the first step and says which service you would refer to."
RUBRIC_ES = "Nombra la escucha sin juicios como primer paso y dice a qué servicio canalizaría."


def expected_description(course: Course, standard: str, question: str) -> Any:
    """The open question's rubric, as plain text: SCORM 2004's description, xAPI's rubric extension."""
    if question != "bank-open" or standard == "scorm12":  # SCORM 1.2 interactions have no description
        return None
    if standard == "scorm2004":
        return "{lang=" + course.locale("en") + "}" + RUBRIC_EN
    return {course.locale("en"): RUBRIC_EN, course.locale("es"): RUBRIC_ES}  # every language: one definition


def check_records(course: Course, standard: str, records: list[Record], attempts: list[tuple[list[str], bool]]) -> None:
    """``attempts``: (questions shown, answered right?) in order; the records must be exactly those."""
    expected = [(question, right) for shown, right in attempts for question in shown]
    assert [record.question for record in records] == [question for question, _ in expected], standard
    for record, (question, right) in zip(records, expected, strict=True):
        value = (RIGHT if right else WRONG)[question]
        where = f"{standard} {question} {'right' if right else 'wrong'}"
        assert record.type == expected_type(standard, question), where
        assert record.patterns == expected_patterns(course, standard, question), where
        assert record.response == expected_response(course, standard, question, value), where
        assert record.result == expected_result(standard, question, right), where
        assert record.described == expected_description(course, standard, question), where
        if standard == "xapi":
            lists = {
                "choice": {"choices": ["a", "b", "c", "d"] if question != "bank-c2" else ["a", "b", "c"]},
                "true-false": {}, "fill-in": {}, "numeric": {}, "long-fill-in": {},
                "matching": {"source": ["listen", "assess", "refer"]},
                "sequencing": {"choices": ["gauge", "greet", "hear", "send"]},
                "likert": {"scale": ["disagree", "neutral", "agree"]},
            }[record.type]
            for name, ids in lists.items():
                assert sorted(record.components[name]) == sorted(ids), where
            if record.type == "matching":
                assert sorted(record.components["target"]) == ["belief", "blame", "risk", "service"], where


# --------------------------------------------------------------------------- banks, attempts, every type


@pytest.mark.parametrize("fmt", FORMATS)
def test_bank_attempts_and_every_type_recorded(world: World, bank: Course, fmt: str) -> None:
    learner = Learner(fmt, f"bank--{fmt}")

    # 1. The assessment opens only after every page; the attempt draws from its seed; leave mid-way.
    first = world.launch(learner)
    first.course.locator("#menu a[data-page='assessment']").click(force=True)
    form = form_of(first.course, "assessment")
    form.locator(".gate", has_text="every page").wait_for()
    assert visible_questions(form) == []
    visit_every_page(first.course)
    drawn = visible_questions(form)
    assert form.locator(".attempt-info").inner_text() == "Attempt 1 of 2."
    rubric = form.locator("fieldset[data-question='bank-open'] .rubric")
    assert rubric.is_visible() and RUBRIC_EN in " ".join(rubric.inner_text().split())  # before any answer
    assert form.locator("#q-bank-open-answer").get_attribute("aria-describedby") == "q-bank-open-rubric"
    orders = {q: options_shown(form, q) for q in drawn if q in CLASSIC}
    classic = [q for q in drawn if q in CLASSIC]
    answer(form, classic[0], RIGHT[classic[0]])
    first.exit()
    seed = helpers.seeds(world.state(learner))[-1]
    assert drawn == helpers.drawn_ids(bank, "assessment", seed)
    assert len(classic) == 2 and drawn[2:] == TYPES_POOL
    for question in bank.assessment.questions:
        if question.id in orders:
            expected = helpers.option_order(question, seed) if question.shuffle else [o.id for o in question.options]
            assert orders[question.id] == expected, question.id

    # 2. Resumed: the same questions in the same order, the answer kept. All wrong: verdicts, no keys.
    second = world.launch(learner)
    form = form_of(second.course, "assessment")
    assert visible_questions(form) == drawn
    for question, order in orders.items():
        assert options_shown(form, question) == order, question
    box = form.locator(f"fieldset[data-question='{classic[0]}'] input[value='{RIGHT[classic[0]][0]}']")
    assert box.is_checked()
    answer_all(form, WRONG)
    summary = form.locator(".summary").inner_text()
    assert "Not passed" in summary and "You have 1 attempt left." in summary
    assert verdicts_shown(form).count("Incorrect") == 7 and keys_shown(form) == 0
    assert "That comes at the end." not in second.watched.page.content() if fmt in ("cmi5", "tincan") else True

    # 3. A new attempt draws again from a new seed; all right; the last attempt: the verdict is final.
    form.locator(".retry").click()
    assert form.locator(".attempt-info").inner_text() == "Attempt 2 of 2."
    redrawn = answer_all(form, RIGHT)
    summary = form.locator(".summary").inner_text()
    assert "You passed" in summary and "No attempts left: this result is final." in summary
    assert form.locator(".retry").is_hidden()
    assert verdicts_shown(form).count("Correct") == 7 and keys_shown(form) > 0  # after-attempt: keys once final
    second.exit()
    new_seed = helpers.seeds(world.state(learner))[-1]
    assert new_seed != seed and redrawn == helpers.drawn_ids(bank, "assessment", new_seed)

    # 4. Relaunched, the final verdict stands: no new attempt.
    third = world.launch(learner)
    form = form_of(third.course, "assessment")
    third.course.locator("#menu a[data-page='assessment']").click(force=True)
    assert "this result is final" in form.locator(".summary").inner_text()
    assert form.locator(".retry").is_hidden() and form.locator("button[type=submit]").is_hidden()
    third.exit()

    # 5. What the LMS / LRS recorded: every question of both attempts, with its type and pattern.
    for standard, records in world.records(learner, answered=len(drawn) + len(redrawn)).items():
        check_records(bank, standard, records, [(drawn, False), (redrawn, True)])
    if fmt == "scorm12":
        assert [status.get("cmi.core.lesson_status") for status in learner.statuses[1:]] == ["passed", None]
    if fmt == "scorm2004":
        assert learner.statuses[1]["cmi.success_status"] == "passed"


# --------------------------------------------------------------------------- feedback policies


def open_quiz(course: Any, quiz: str) -> Any:
    course.locator("#menu-toggle").click() if course.locator("#menu-toggle").is_visible() else None
    course.locator(f"#menu a[data-page='{quiz}']").click(force=True)
    form = form_of(course, quiz)
    form.locator("fieldset.question").first.wait_for(state="visible")
    return form


def attempt(form: Any, code: str, right: bool) -> str:
    answer(form, f"pol-{code}1", ["a"] if right else ["b"])
    answer(form, f"pol-{code}2", "Assess" if right else "wait")
    form.locator("button[type=submit]").click()
    form.locator(".summary").wait_for(state="visible")
    return form.locator(".summary").inner_text()


def html(course: Any) -> str:
    return course.locator("html").evaluate("e => e.outerHTML")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_feedback_policy(world: World, fmt: str) -> None:
    learner = Learner(fmt, f"policies--{fmt}")
    session = world.launch(learner)
    course = session.course
    nothing_yet = ("Option i-b", "General i", "Option a-a", "Option f-b", "General f", "Fill n", "Option p-a")
    assert not [text for text in nothing_yet if text in html(course)]  # feedback is not in the page's source

    # immediate: one question checked alone shows its verdict, its key and its feedback at once.
    form = open_quiz(course, "immediate-quiz")
    assert keys_shown(form) == 0 and verdicts_shown(form) == []
    answer(form, "pol-i1", ["b"])
    form.locator("fieldset[data-question='pol-i1'] button.check").click()
    first = form.locator("fieldset[data-question='pol-i1']")
    assert first.locator(".verdict").inner_text() == "Incorrect"
    assert first.locator(".key-mark").count() == 1 and "Option i-b" in first.inner_text()
    assert "General i" in first.inner_text() and "Option i-a" not in first.inner_text()  # feedback of chosen only
    assert form.locator("fieldset[data-question='pol-i2'] .key").is_hidden()
    answer(form, "pol-i2", "ASSESS")
    form.locator("fieldset[data-question='pol-i2'] button.check").click()
    assert "You answered 1 of 2" in form.locator(".summary").inner_text()  # the last check ends the attempt
    assert verdicts_shown(form) == ["Incorrect", "Correct"]

    # after-attempt: which items were wrong, no keys while an attempt remains; keys once final.
    form = open_quiz(course, "after-attempt-quiz")
    assert "You have 1 attempt left." in attempt(form, "a", right=False)
    assert verdicts_shown(form) == ["Incorrect", "Incorrect"] and keys_shown(form) == 0
    assert "Option a-b" not in html(course)
    form.locator(".retry").click()
    assert "this result is final" in attempt(form, "a", right=False)
    assert form.locator(".key-mark").count() == 1 and "Option a-b" in form.inner_text()
    assert "Correct answer: assess" in form.inner_text()

    # final: nothing per item until the last attempt, then everything.
    form = open_quiz(course, "final-quiz")
    attempt(form, "f", right=False)
    assert verdicts_shown(form) == [] and keys_shown(form) == 0 and "General f" not in html(course)
    form.locator(".retry").click()
    attempt(form, "f", right=True)
    assert verdicts_shown(form) == ["Correct", "Correct"] and "General f" in form.inner_text()

    # none: never anything per item, not even once final.
    form = open_quiz(course, "none-quiz")
    attempt(form, "n", right=False)
    form.locator(".retry").click()
    assert "this result is final" in attempt(form, "n", right=False)
    assert verdicts_shown(form) == [] and keys_shown(form) == 0 and "Fill n" not in html(course)

    # after-pass (the scored assessment): nothing while not passed; everything once passed.
    form = open_quiz(course, "assessment")
    assert "Not passed" in attempt(form, "p", right=False)
    assert verdicts_shown(form) == [] and keys_shown(form) == 0 and "Option p-a" not in html(course)
    form.locator(".retry").click()
    summary = attempt(form, "p", right=True)
    assert "You passed" in summary and "this result is final" in summary
    assert verdicts_shown(form) == ["Correct", "Correct"] and "Option p-a" in form.inner_text()
    session.exit()
