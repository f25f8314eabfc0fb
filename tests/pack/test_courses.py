"""The real diplomas: clean sources, the same structure in every language, every format builds."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from spotlight_pack import check, load_course, validate
from spotlight_pack.build import BuildTarget, package_bytes
from spotlight_pack.formats import FORMATS
from spotlight_pack.model import Course, QuestionType

ROOT = Path(__file__).resolve().parents[2]
COURSES = sorted(path for path in (ROOT / "course_sources").iterdir() if (path / "course.yaml").is_file())
DIPLOMAS = {"first-contact-care", "reeducation-men", "protection-measures", "feminicide-investigation"}


def test_the_four_diplomas_are_there() -> None:
    assert {path.name for path in COURSES} >= DIPLOMAS


@pytest.mark.parametrize("course_dir", COURSES, ids=[path.name for path in COURSES])
def test_sources_have_no_problems(course_dir: Path) -> None:
    assert [str(problem) for problem in check(course_dir)] == []


@cache
def _course(course_dir: Path) -> Course:
    return load_course(course_dir)


def _structure(course: Course, lang: str) -> list[object]:
    """Everything but the wording: ids, order, question types and answer keys, per language."""
    shape: list[object] = []
    for module in course.modules:
        shape.append(("module", module.id, [page.id for page in module.pages], bool(page_text(module, lang))))
        if module.quiz:
            shape.append(
                (
                    "quiz",
                    [(q.id, q.type, [option.id for option in q.options], q.correct_ids) for q in module.quiz.questions],
                )
            )
    if course.assessment:
        shape.append(
            (
                "assessment",
                [
                    (q.id, q.type, [option.id for option in q.options], q.correct_ids)
                    for q in course.assessment.questions
                ],
            )
        )
    return shape


def page_text(module: object, lang: str) -> str:
    return "".join(page.html[lang] for page in module.pages)  # type: ignore[attr-defined]


def _page_skeleton(html: str) -> tuple[object, ...]:
    """The visible skeleton of a rendered page: heading levels in order, and how many tables,
    images, list items and quotations it has. Translations must keep it; only words may differ."""
    return (
        tuple(re.findall(r"<h([1-6])\b", html)),
        html.count("<table"),
        html.count("<img"),
        html.count("<li"),
        html.count("<blockquote"),
    )


@pytest.mark.parametrize("course_dir", COURSES, ids=[path.name for path in COURSES])
def test_languages_share_one_structure(course_dir: Path) -> None:
    course = _course(course_dir)
    assert set(course.languages) == {"es", "en"} and course.languages[0] == "es"
    shapes = {lang: _structure(course, lang) for lang in course.languages}
    assert shapes["es"] == shapes["en"]
    for module in course.modules:
        for page in module.pages:
            assert page.html["es"] != page.html["en"], f"{module.id}/{page.id} is not translated"


@pytest.mark.parametrize("course_dir", COURSES, ids=[path.name for path in COURSES])
def test_every_page_and_quiz_has_the_same_skeleton_in_every_language(course_dir: Path) -> None:
    """Same modules, pages, questions and options in the same order, and for every page the same
    heading levels, tables, images and list items in every language: a translation that drops a
    section or a step, or a page added in one language only, fails here."""
    course = _course(course_dir)
    primary, *others = course.languages
    for lang in others:
        for module in course.modules:
            for page in module.pages:
                assert _page_skeleton(page.html[lang]) == _page_skeleton(page.html[primary]), (
                    f"{course.id}/{module.id}/{page.id}: the {lang} page does not have the {primary} page's skeleton"
                )
    quizzes = [module.quiz for module in course.modules] + [course.assessment]
    files = sorted(path.relative_to(course_dir).as_posix() for path in (course_dir / "modules").rglob("*.md"))
    by_lang = {
        lang: sorted(f.rsplit(".", 2)[0] for f in files if f.endswith(f".{lang}.md")) for lang in course.languages
    }
    assert all(pages == by_lang[primary] for pages in by_lang.values()), "every page file exists in every language"
    for quiz in quizzes:
        for question in quiz.questions if quiz else ():
            for lang in course.languages:
                assert question.prompt[lang].strip(), f"{question.id}: no {lang} prompt"
                for option in question.options:
                    assert option.text[lang].strip() and option.feedback[lang].strip(), (
                        f"{question.id}/{option.id}: no {lang} text or feedback"
                    )


@pytest.mark.parametrize(
    "course_dir", [p for p in COURSES if p.name in DIPLOMAS], ids=[p.name for p in COURSES if p.name in DIPLOMAS]
)
def test_diploma_meets_the_programme_standard(course_dir: Path) -> None:
    course = _course(course_dir)
    assert course.mastery_score == 80 and course.content_note is not None
    assert course.assessment is not None and len(course.assessment.questions) >= 15
    kinds = {question.type for question in course.assessment.questions}
    classic = {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE}
    assert classic <= kinds, f"assessment mixes single, multiple and truefalse, has {kinds}"
    with_self_check = [module for module in course.modules if module.quiz]
    assert len(with_self_check) >= 4, "at least four modules close with a self-check"
    for module in with_self_check:
        assert "objective" in module.pages[0].id, f"{module.id} opens with its learning objectives"
        assert any("reference" in page.id for page in module.pages), f"{module.id} lists its references"
    all_text = " ".join(page.html["en"] for module in course.modules for page in module.pages).lower()
    assert "glossary" in all_text and "spotlight" in all_text


TARGETS = [(course_dir, fmt, lang) for course_dir in COURSES for fmt in FORMATS for lang in ("es", "en")]


@pytest.mark.parametrize(
    ("course_dir", "format_name", "lang"), TARGETS, ids=[f"{c.name}-{f}-{lang}" for c, f, lang in TARGETS]
)
def test_every_course_builds_in_every_format_and_language(
    course_dir: Path, format_name: str, lang: str, tmp_path: Path
) -> None:
    course = _course(course_dir)
    path = tmp_path / BuildTarget(course, format_name, lang).file_name
    path.write_bytes(package_bytes(course, format_name, lang))
    assert validate(path) == []
