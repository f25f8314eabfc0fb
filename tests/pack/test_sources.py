"""The loader: a valid course loads; every kind of mistake is reported with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from spotlight_pack import SourceError, check, load_course
from spotlight_pack.model import CompletionRule, QuestionType


def test_mini_course_loads_into_the_model(mini_copy: Path) -> None:
    course = load_course(mini_copy)
    assert course.id == "mini" and course.version == "1.2.0"
    assert course.languages == ("es", "en")
    assert course.locale("es") == "es-MX"
    assert [module.id for module in course.modules] == ["basics", "practice"]
    assert [page.id for page in course.modules[0].pages] == ["welcome", "details"]
    assert course.modules[0].pages[0].title["en"] == "Welcome"
    assert course.completion is CompletionRule.PAGES_AND_ASSESSMENT
    assert course.assessment is not None and len(course.assessment.questions) == 3
    tf = course.assessment.questions[2]
    assert tf.type is QuestionType.TRUE_FALSE and tf.correct_ids == ("false",)
    assert course.modules[0].quiz is not None and not course.modules[0].quiz.scored
    assert [asset.path for asset in course.assets] == ["media/steps.svg"]
    html = course.modules[0].pages[0].html["es"]
    assert 'href="#page-practice--steps"' in html and 'alt="Diagrama de tres pasos' in html
    assert 'rel="noopener"' in html


def test_markdown_is_escaped_not_trusted(mini_copy: Path) -> None:
    page = mini_copy / "modules/02-practice/01-steps.en.md"
    page.write_text('# Steps\n\nUse 5 < 6 & "quotes" `<b>` safely.\n', encoding="utf-8")
    html = load_course(mini_copy).modules[1].pages[0].html["en"]
    assert "5 &lt; 6 &amp;" in html and "<code>&lt;b&gt;</code>" in html


def _problems(course_dir: Path) -> list[str]:
    return [str(problem) for problem in check(course_dir)]


BROKEN_SOURCES = [
    # (file to edit, old text, new text, expected "file:line: message" fragment)
    ("course.yaml", "mastery_score: 80", "mastery_score: 180", "course.yaml:11: mastery_score must be"),
    ("course.yaml", "version: 1.2.0", "version: one", "course.yaml:2: version must be MAJOR.MINOR.PATCH"),
    ("course.yaml", "  en: Minimal test course\n", "", "course.yaml:5: 'title' has no 'en' text (untranslated)"),
    ("course.yaml", "completion: pages-and-assessment", "completion: sometimes", "course.yaml:12: completion must be"),
    ("course.yaml", "id: mini", "id: Mini Course", "course.yaml:1: 'id' must be lowercase"),
    ("course.yaml", "publisher: Spotlight Pack", "publisher: [unclosed", "course.yaml:16: the [ … ] list that starts"),
    (
        "course.yaml",
        "  en: A small course used by the automated tests.",
        "  en: Un curso pequeño que usan las pruebas automáticas.",
        "course.yaml:8: 'description' is the same in every",
    ),
    (
        "modules/01-basics/01-welcome.en.md",
        "![Three-step diagram: listen, assess, refer]",
        "![]",
        "01-welcome.en.md:6: image media/steps.svg has no alt text",
    ),
    (
        "modules/01-basics/01-welcome.en.md",
        "(media/steps.svg)",
        "(media/missing.svg)",
        "01-welcome.en.md:6: image media/missing.svg does not exist",
    ),
    (
        "modules/01-basics/01-welcome.en.md",
        "(page:practice/steps)",
        "(page:practice/nowhere)",
        "01-welcome.en.md:3: link to page:practice/nowhere goes nowhere",
    ),
    (
        "modules/01-basics/01-welcome.en.md",
        "https://www.oas.org",
        "http://www.oas.org",
        "01-welcome.en.md:3: link http://www.oas.org",
    ),
    ("modules/01-basics/01-welcome.en.md", "# Welcome", "Welcome", "01-welcome.en.md:1: the first line must be"),
    (
        "modules/01-basics/02-details.en.md",
        "| 2 | Assess |",
        "| 2 | Assess |\n\n<script>x()</script>",
        "02-details.en.md:8: raw HTML is not allowed",
    ),
    (
        "modules/01-basics/02-details.en.md",
        "| Step | Action |",
        "# Another title\n\n| Step | Action |",
        "02-details.en.md:3: only the first line may be a level-1 heading",
    ),
    (
        "assessment.yaml",
        '        correct: true\n        text: {es: Escuchar, en: Listen}\n        feedback: {es: "Sí',
        '        text: {es: Escuchar, en: Listen}\n        feedback: {es: "Sí',
        "assessment.yaml:7: question mini-q1: a single question needs exactly one correct option (has 0)",
    ),
    ("assessment.yaml", "    type: multiple", "    type: essay", "assessment.yaml:16: question mini-q2: type must be"),
    ("assessment.yaml", "    answer: false", "    answer: maybe", "assessment.yaml:33: question mini-q3: a truefalse"),
    (
        "assessment.yaml",
        "  - id: mini-q2",
        "  - id: mini-q1",
        "assessment.yaml:15: question mini-q1: id 'mini-q1' is already used by the question at",
    ),
    ("assessment.yaml", "      - id: c\n", "      - id: z\n", "assessment.yaml:27: question mini-q2, option z: option"),
    (
        "modules/01-basics/quiz.yaml",
        "feedback_false: {es: Revise la tabla., en: Check the table.}",
        "feedback_false: {es: Revise la tabla.}",
        "quiz.yaml:8: question mini-s1: feedback_false has no 'en' text",
    ),
    (
        "modules/02-practice/module.yaml",
        "title: {es: Práctica, en: Practice}",
        "name: Practice",
        "module.yaml:1: 'title' is missing",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"), BROKEN_SOURCES, ids=[case[3].split(": ", 1)[-1][:40] for case in BROKEN_SOURCES]
)
def test_each_mistake_is_reported_with_file_and_line(
    mini_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    path = mini_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = _problems(mini_copy)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(SourceError):
        load_course(mini_copy)


def test_missing_translation_of_a_page_is_reported(mini_copy: Path) -> None:
    (mini_copy / "modules/02-practice/01-steps.en.md").unlink()
    problems = _problems(mini_copy)
    assert any("01-steps.es.md: page 'steps' has no 'en' version (expected 01-steps.en.md)" in p for p in problems)


def test_every_problem_is_reported_at_once(mini_copy: Path) -> None:
    course = mini_copy / "course.yaml"
    course.write_text(course.read_text(encoding="utf-8").replace("mastery_score: 80", "mastery_score: -1"))
    (mini_copy / "modules/01-basics/01-welcome.en.md").write_text("no title\n", encoding="utf-8")
    problems = _problems(mini_copy)
    assert any("course.yaml:11" in p for p in problems)
    assert any("01-welcome.en.md:1" in p for p in problems)


def test_valid_course_has_no_problems(mini_copy: Path) -> None:
    assert check(mini_copy) == []


def test_not_a_course_folder(tmp_path: Path) -> None:
    assert "no course.yaml" in str(check(tmp_path)[0])
    assert "not a folder" in str(check(tmp_path / "nothing")[0])
