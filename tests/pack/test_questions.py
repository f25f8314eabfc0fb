"""Question banks and question types in the sources: what loads, what `check` reports (file:line,
items named by id), the patterns each type is tracked with, and quiz texts as inline Markdown."""

from __future__ import annotations

import html
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from spotlight_pack import check, load_course
from spotlight_pack.errors import SourceError
from spotlight_pack.model import FeedbackPolicy, QuestionType
from spotlight_pack.questions import KINDS, kind_of
from spotlight_pack.questions.long_fill_in import LongFillInBody
from spotlight_pack.questions.matching import MatchingBody
from spotlight_pack.questions.numeric import NumericBody
from spotlight_pack.render import LAUNCH_FILE, QUIZ_SCRIPT_FILE, SCRIPT_FILE, render_package

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "courses"
BANK = FIXTURES / "bank"


@pytest.fixture
def bank_copy(tmp_path: Path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(BANK, target)
    return target


def problems_after(course: Path, file: str, old: str, new: str) -> list[str]:
    path = course / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [str(problem) for problem in check(course)]


def test_bank_loads_with_pools_policy_and_source_lines() -> None:
    course = load_course(BANK)
    quiz = course.assessment
    assert quiz is not None
    assert [(pool.id, pool.draw, len(pool.questions)) for pool in quiz.pools] == [("classic", 2, 4), ("types", 7, 7)]
    assert quiz.draw_count == 9 and quiz.attempts == 2 and quiz.requires_all_pages
    assert quiz.feedback is FeedbackPolicy.AFTER_ATTEMPT
    assert {question.type for question in quiz.questions} == set(QuestionType) - {QuestionType.LIKERT} | {
        QuestionType.LIKERT}
    first = quiz.questions[0]
    assert str(first.source) == "tests/fixtures/courses/bank/assessment.yaml:11" or str(first.source).endswith(
        "bank/assessment.yaml:11")
    assert [option.source.line for option in first.options if option.source] == [16, 20, 23, 25]
    assert first.options[2].feedback is None  # per-option feedback is optional
    assert not quiz.questions[1].shuffle and quiz.questions[0].shuffle  # shuffle: false kept
    assert not quiz.questions[3].shuffle  # truefalse is never shuffled
    self_check = course.modules[0].quiz
    assert self_check is not None and self_check.feedback is FeedbackPolicy.IMMEDIATE and self_check.attempts is None
    assert [pool.id for pool in self_check.pools] == ["basics-quiz"]  # the flat form: one pool drawing all
    match = next(q for q in quiz.questions if q.id == "bank-match")
    assert isinstance(match.body, MatchingBody)
    assert [(s.id, t.id) for s, t in match.body.pairs] == [("listen", "belief"), ("assess", "risk"),
                                                            ("refer", "service")]
    assert [t.id for t in match.body.targets] == ["belief", "risk", "service", "blame"]
    numeric = next(q for q in quiz.questions if q.id == "bank-range")
    assert numeric.body == NumericBody(Decimal("2.5"), Decimal("3.5"))
    assert "media/steps.svg" in [asset.path for asset in course.assets]  # shown by a question prompt


# Each planted mistake: (file, old, new, expected "file:line: message" fragment).
MISTAKES = [
    ("assessment.yaml", "attempts: 2", "attempts: 0", "assessment.yaml:3: assessment: attempts must be a whole number"),
    ("assessment.yaml", "feedback: after-attempt", "feedback: later", "assessment.yaml:4: assessment: feedback must"),
    ("assessment.yaml", "requires: all-pages", "requires: half", "assessment.yaml:5: assessment: requires must be"),
    ("assessment.yaml", "    draw: 2", "    draw: 5", "assessment.yaml:9: pool classic: draw must be a whole number"),
    ("assessment.yaml", "  - id: types", "  - id: classic", "assessment.yaml:48: pool classic: pool id 'classic' is"),
    ("assessment.yaml", "        shuffle: false", "        shuffle: never",
     "assessment.yaml:29: question bank-c2: shuffle must be true or false"),
    ("assessment.yaml", "    type: fill-in", "    type: essay", "assessment.yaml:52: question bank-fill: type must be"),
    ("assessment.yaml", "answers: {es: [valorar, evaluar], en: [assess, assessing]}",
     "answers: {es: [valorar, Valorar], en: [assess]}",
     "assessment.yaml:54: question bank-fill: accepted answers 'valorar' and 'Valorar' are the same"),
    ("assessment.yaml", "answers: {es: [valorar, evaluar], en: [assess, assessing]}", "answers: [valorar]",
     "assessment.yaml:54: question bank-fill: answers gives the accepted answers per language"),
    ("assessment.yaml", "answers: {es: [valorar, evaluar], en: [assess, assessing]}", "answers: {es: [valorar]}",
     "assessment.yaml:54: question bank-fill: answers needs 1 to 5 accepted answers in 'en'"),
    ("assessment.yaml", "        answer: 3\n", "        answer: \"3,5\"\n",
     "assessment.yaml:60: question bank-number: answer must be a number"),
    ("assessment.yaml", "        min: 2.5\n", "        min: 4.5\n",
     "assessment.yaml:65: question bank-range: min (4.5) is larger than max (3.5)"),
    ("assessment.yaml", "        min: 2.5\n        max: 3.5\n", "        answer: 3\n        min: 2.5\n",
     "question bank-range: give either answer (exact) or min and/or max"),
    ("assessment.yaml", "            target: {id: risk,", "            target: {id: belief,",
     "question bank-match: target id 'belief' is used twice"),
    ("assessment.yaml", "Sending to the right service}", "Sending to the **right** service}",
     "assessment.yaml:76: question bank-match, pair refer, target: a target is shown in a list, as plain text"),
    ("assessment.yaml", "          - source: {id: refer, text: {es: Canalizar, en: Refer}}",
     "          - source: {id: refer}",
     "assessment.yaml:75: question bank-match, pair refer, source: text is missing"),
    ("assessment.yaml", "          - {id: send, text: {es: Canalizar, en: Refer}}",
     "          - {id: Send Now, text: {es: Canalizar, en: Refer}}",
     "question bank-order, step Send Now: id must be lowercase letters"),
    ("assessment.yaml", "        scale:\n", "        scale: 5\n        points:\n",
     "assessment.yaml:97: question bank-survey: scale must be a list of 2 to 10 points"),
    ("assessment.yaml", "            feedback: {es: \"Así empieza la atención.\", en: \"That is how care begins.\"}",
     "            feedback: {es: \"Así empieza la atención.\"}",
     "assessment.yaml:19: question bank-c1, option a: feedback has no 'en' text"),
    ("assessment.yaml", "            text: {es: Canalizar, en: Refer}\n            feedback",
     "            text: {es: Canalizar, en: Refer}\n            hint: x\n            feedback",
     "question bank-c1, option b: unknown key 'hint' (an option has: correct, feedback, id, text)"),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"), MISTAKES, ids=[m[3].split(": ", 1)[-1][:50] for m in MISTAKES]
)
def test_each_bank_mistake_is_reported_with_file_line_and_item(
    bank_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    problems = problems_after(bank_copy, file, old, new)
    assert any(expected in problem for problem in problems), problems


def test_an_attempt_without_a_scored_question_is_refused(bank_copy: Path) -> None:
    (bank_copy / "assessment.yaml").write_text(
        "title: {es: Evaluación, en: Assessment}\n"
        "pools:\n"
        "  - id: survey\n"
        "    questions:\n"
        "      - id: bank-a2\n"
        "        type: likert\n"
        "        prompt: {es: \"¿Útil?\", en: \"Useful?\"}\n"
        "        scale: [{id: nope, text: {es: Nada, en: Not at all}}, {id: yep, text: {es: Mucho, en: A lot}}]\n",
        encoding="utf-8",
    )
    problems = [str(problem) for problem in check(bank_copy)]
    assert any("assessment.yaml:2: assessment: some attempts would draw no scored question" in p for p in problems), (
        problems)


def test_pools_and_questions_together_are_refused(bank_copy: Path) -> None:
    problems = problems_after(bank_copy, "assessment.yaml", "pools:\n", "questions: []\npools:\n")
    assert any("give either pools (a bank) or questions (all shown), not both" in problem for problem in problems)


def test_requires_is_for_the_assessment_only(bank_copy: Path) -> None:
    problems = problems_after(bank_copy, "modules/01-basics/quiz.yaml", "questions:", "requires: all-pages\nquestions:")
    assert any("quiz.yaml:2: quiz: requires is for assessment.yaml" in problem for problem in problems), problems


# --------------------------------------------------------------------------- tracking patterns


def test_every_type_has_its_interaction_types_and_patterns() -> None:
    course = load_course(BANK)
    found = {}
    for question in (q for quiz in course.quizzes() for q in quiz.questions):
        kind = kind_of(question)
        patterns = kind.patterns(question, "en", "en")
        found[question.id] = ((kind.interaction.scorm12, kind.interaction.scorm2004, kind.interaction.xapi),
                              patterns.scorm2004, patterns.xapi)
    assert found["bank-c3"] == (("choice",) * 3, ("a[,]b",), ("a[,]b",))
    assert found["bank-c4"] == (("true-false",) * 3, ("false",), ("false",))
    assert found["bank-fill"] == (("fill-in",) * 3, ("{case_matters=false}{lang=en}assess",
                                                     "{case_matters=false}{lang=en}assessing"),
                                  ("{case_matters=false}{lang=en}assess", "{case_matters=false}{lang=en}assessing"))
    assert found["bank-number"] == (("numeric",) * 3, ("3[:]3",), ("3",))
    assert found["bank-range"] == (("numeric",) * 3, ("2.5[:]3.5",), ("2.5[:]3.5",))
    assert found["bank-match"][1] == ("listen[.]belief[,]assess[.]risk[,]refer[.]service",)
    assert found["bank-order"][1] == ("greet[,]hear[,]gauge[,]send",)
    assert found["bank-open"] == (("fill-in", "long-fill-in", "long-fill-in"), None, None)
    assert found["bank-survey"] == (("likert",) * 3, None, None)
    assert found["bank-s1"][1] == ("{case_matters=false}{lang=en}listen", "{case_matters=false}{lang=en}listening")
    assert not KINDS[QuestionType.LIKERT].scored and not KINDS[QuestionType.LONG_FILL_IN].scored


def test_scorm12_patterns_use_one_character_ids_within_255() -> None:
    course = load_course(BANK)
    for question in (q for quiz in course.quizzes() for q in quiz.questions):
        patterns = kind_of(question).patterns(question, "es", "es-MX").scorm12 or ()
        for pattern in patterns:
            assert len(pattern) <= 255
            if question.type in (QuestionType.MATCHING, QuestionType.SEQUENCING, QuestionType.MULTIPLE):
                assert re.fullmatch(r"[0-9a-z](\.[0-9a-z])?(,[0-9a-z](\.[0-9a-z])?)*", pattern), pattern


# --------------------------------------------------------------------------- rendering


def quiz_text(page: str) -> str:
    """The visible text of every quiz form of a rendered page (tags dropped, entities decoded)."""
    forms = re.findall(r'<form class="quiz".*?</form>', page, re.S)
    assert forms
    text = " ".join(re.sub(r"<[^>]+>", " ", form) for form in forms)
    return html.unescape(text)


MARKDOWN_LEFT_OVER = re.compile(r"\*\*|__|\]\(|!\[|`|(^|\s)[#>]\s|(^|\s)\*\S[^*]*\*")


WITH_QUIZZES = sorted(
    p for p in FIXTURES.iterdir() if (p / "assessment.yaml").is_file() or list(p.glob("modules/*/quiz.yaml"))
)


@pytest.mark.parametrize("course_dir", WITH_QUIZZES, ids=lambda p: p.name)
def test_every_quiz_of_every_fixture_renders_its_markdown(course_dir: Path) -> None:
    course = load_course(course_dir)
    for lang in course.languages:
        page = render_package(course, lang, "none")[LAUNCH_FILE].decode()
        text = quiz_text(page)
        assert not MARKDOWN_LEFT_OVER.search(text), MARKDOWN_LEFT_OVER.search(text)
    if course_dir.name == "bank":
        page = render_package(course, "en", "none")[LAUNCH_FILE].decode()
        assert "What comes <strong>first</strong>?" in page
        assert "Fill in form <code>F-1</code>" in page
        assert '<img src="media/steps.svg" alt="Three-step diagram" loading="lazy" /> How many' in page


@pytest.mark.parametrize(("text", "problem"), [
    ("1. First do this", "a number and '.' or ')' at the start of a line make a numbered list"),
    ("- a list", "make a list"),
    ("# Title", "makes a heading"),
    ("> quote", "makes a quote"),
    ("One.\n\nTwo.", "a blank line starts a second paragraph"),
    ("Use <b>bold</b>", "raw HTML is not allowed in quiz texts"),
    ("![](media/steps.svg)", "has no alt text"),
    ("See [x](http://example.org)", "must use https://"),
    ("See [x](page:nowhere/else)", "goes nowhere"),
])
def test_markdown_a_quiz_cannot_render_is_a_check_error(bank_copy: Path, text: str, problem: str) -> None:
    problems = problems_after(bank_copy, "assessment.yaml", 'en: "What comes **first**?"',
                              f"en: {json.dumps(text)}")
    assert any(problem in found and "assessment.yaml:13" in found for found in problems), problems


def test_keys_and_feedback_are_not_in_the_page_source() -> None:
    course = load_course(BANK)
    page = render_package(course, "en", "none")[LAUNCH_FILE].decode()
    for secret in ("That is how care begins.", "That comes at the end.", "Never judge.", "assessing",
                   "Listen, assess and refer.", "A good answer starts with listening.", '"correct":[',
                   '"correct":true', "feedback_true"):
        assert secret not in page, secret
    data = json.loads(re.search(r'id="spotlight-data">(.*?)</script>', page, re.S).group(1))
    order = next(q for q in data["questions"] if q["id"] == "bank-order")
    assert [step["id"] for step in order["steps"]] != ["greet", "hear", "gauge", "send"]  # not the key
    steps = re.findall(r'data-step="([a-z-]+)"', page)
    assert steps != ["greet", "hear", "gauge", "send"] and sorted(steps) == sorted(["greet", "hear", "gauge", "send"])


def test_a_package_carries_only_the_question_modules_it_uses() -> None:
    mini = render_package(load_course(FIXTURES / "mini"), "en", "scorm12")
    script = mini[QUIZ_SCRIPT_FILE].decode()
    assert "quizKinds.truefalse" in script and "quizKinds.single" in script
    for unused in ("quizKinds.matching", "quizKinds.sequencing", "quizKinds.numeric", "quizKinds.likert"):
        assert unused not in script
    assert "quizKinds" not in mini[SCRIPT_FILE].decode()  # content pages do not load the quiz engine
    assert ".pair select" not in mini["spotlight/player.css"].decode()  # nor styles of unused types
    bank = render_package(load_course(BANK), "en", "scorm12")
    assert all(f"quizKinds.{name}" in bank[QUIZ_SCRIPT_FILE].decode()
               for name in ("matching", "sequencing", "numeric", "likert"))
    assert ".pair select" in bank["spotlight/player.css"].decode()


def test_bank_renders_the_same_bytes_twice() -> None:
    course = load_course(BANK)
    assert render_package(course, "es", "cmi5") == render_package(course, "es", "cmi5")


def test_the_documented_example_of_every_type_is_valid(bank_copy: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "source-format.md").read_text(encoding="utf-8")
    section = doc.split("#### Question types", 1)[1].split("#### Markdown in quiz texts", 1)[0]
    examples = re.findall(r"```yaml\n(.*?)```", section, re.S)
    assert len(examples) == len(QuestionType)
    documented = "".join(examples)
    assert {f"type: {kind.value}\n" for kind in QuestionType} <= {
        line.strip() + "\n" for line in documented.splitlines() if line.strip().startswith("type:")}
    (bank_copy / "assessment.yaml").write_text(
        "title: {es: Evaluación, en: Assessment}\nquestions:\n" + documented, encoding="utf-8")
    assert [str(problem) for problem in check(bank_copy)] == []
    course = load_course(bank_copy)
    assert course.assessment is not None and len(course.assessment.questions) == 10


# --------------------------------------------------------------------------- long-fill-in rubric


def test_a_rubric_loads_and_is_shown_before_the_answer_and_carried_for_tracking() -> None:
    course = load_course(BANK)
    question = next(q for q in course.assessment.questions if q.id == "bank-open")
    assert isinstance(question.body, LongFillInBody) and question.body.rubric is not None
    assert question.body.rubric["en"].startswith("Names listening without judgement as the **first step**")
    files = render_package(course, "en", "scorm2004")
    page = files[LAUNCH_FILE].decode()
    fieldset = page.split('data-question="bank-open"', 1)[1].split("</fieldset>", 1)[0]
    rubric, answer = fieldset.index('class="rubric"'), fieldset.index("<textarea")
    assert rubric < answer  # read before answering
    assert "the <strong>first step</strong>" in fieldset[rubric:answer]
    assert 'aria-describedby="q-bank-open-rubric"' in fieldset
    data = json.loads(re.search(r'id="spotlight-data">(.*?)</script>', page, re.S).group(1))
    shown = next(q for q in data["questions"] if q["id"] == "bank-open")
    assert shown["rubric"] == ("Names listening without judgement as the first step and says which service you "
                               "would refer to.")  # plain text: the SCORM description
    # The xAPI extension holds every course language, so both languages' packages send one definition.
    assert shown["extensions"] == {"https://spotlight-pack.org/xapi/extensions/rubric": {
        course.locale("en"): shown["rubric"],
        course.locale("es"): "Nombra la escucha sin juicios como primer paso y dice a qué servicio canalizaría.",
    }}
    spanish = render_package(course, "es", "cmi5")[LAUNCH_FILE].decode()
    data_es = json.loads(re.search(r'id="spotlight-data">(.*?)</script>', spanish, re.S).group(1))
    assert next(q for q in data_es["questions"] if q["id"] == "bank-open")["extensions"] == shown["extensions"]
    # Without a rubric, nothing of it anywhere.
    plain = next(q for q in data["questions"] if q["id"] == "bank-fill")
    assert "rubric" not in plain and "extensions" not in plain


RUBRIC_MISTAKES = [
    # on another type: named, with the types it belongs to
    ("        prompt: {es: \"¿Qué se hace **primero**?\", en: \"What comes **first**?\"}\n",
     "        prompt: {es: \"¿Qué se hace **primero**?\", en: \"What comes **first**?\"}\n"
     "        rubric: {es: Escuchar, en: Listen}\n",
     "assessment.yaml:14: question bank-c1: 'rubric' is a key of long-fill-in questions, not of a single question"),
    # a language missing
    ("          es: \"Nombra la escucha sin juicios como **primer paso** y dice a qué servicio canalizaría.\"\n", "",
     "assessment.yaml:91: question bank-open: rubric has no 'es' text"),
    # not per language
    ("        rubric:\n          es: \"Nombra la escucha sin juicios como **primer paso** y dice a qué servicio "
     "canalizaría.\"\n          en: \"Names listening without judgement as the **first step** and says which service "
     "you would refer to.\"\n", "        rubric: Listen first\n", "assessment.yaml:91: question bank-open: rubric"),
    # too long for an xAPI definition
    ("would refer to.\"\n", "would refer to." + " More." * 200 + "\"\n",
     "question bank-open: the rubric is at most 1000 characters ('en' has"),
    # Markdown a quiz text cannot hold
    ("would refer to.\"\n", "would refer to.\n\n# Heading\"\n", "assessment.yaml:93: a '#' at the start of a line"),
]


@pytest.mark.parametrize(("old", "new", "expected"), RUBRIC_MISTAKES, ids=["other-type", "language", "not-text",
                                                                           "too-long", "markdown"])
def test_rubric_mistakes_are_reported_with_file_line(bank_copy: Path, old: str, new: str, expected: str) -> None:
    problems = problems_after(bank_copy, "assessment.yaml", old, new)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(SourceError):
        load_course(bank_copy)
