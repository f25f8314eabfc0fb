"""The neutral view of quizzes and assessments that every lint rule reads.

Rules never touch the course model or the YAML: they see plain items (stem, options with text per
language and a key flag, feedback, source lines, pool and draw). ``assessment_views`` is the ONE
function that builds this view from the model, so when the model changes (registered question types,
pools, attempts, feedback policies, source lines on questions and options) only it changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import display_path
from ..model import Course, Option, Question, Quiz, Text
from ..questions import kind_of
from .lines import QuizLines, quiz_lines

Texts = Mapping[str, str]  # language -> text; empty when the source has none


@dataclass(frozen=True)
class Location:
    """Where to look: a file as the user sees it, and a line (None when unknown)."""

    path: str
    line: int | None


@dataclass(frozen=True)
class OptionView:
    id: str
    text: Texts
    correct: bool
    feedback: Texts
    at: Location  # the line of its text
    feedback_at: Location
    position: int  # 1-based, in source order (what print and review show)


@dataclass(frozen=True)
class ItemView:
    """One question as the lint sees it. ``type`` is the question type's name (single, multiple, …)."""

    id: str
    type: str
    stem: Texts
    options: tuple[OptionView, ...]
    feedback: Texts  # general (question-level) feedback
    at: Location
    stem_at: Mapping[str, Location]  # per language
    pool: str
    shuffle: bool  # options are shuffled for each attempt
    scored: bool = True  # False for the types that never count (likert, long-fill-in)
    sources: int = 0  # matching: the sources to match, and the targets offered (pairs plus distractors)
    targets: int = 0

    @property
    def keys(self) -> tuple[OptionView, ...]:
        return tuple(option for option in self.options if option.correct)

    @property
    def distractors(self) -> tuple[OptionView, ...]:
        return tuple(option for option in self.options if not option.correct)

    def has_feedback(self) -> bool:
        return any(self.feedback.values()) or any(any(option.feedback.values()) for option in self.options)


@dataclass(frozen=True)
class PoolView:
    """A named group of questions of which each attempt shows ``draw``."""

    id: str
    draw: int
    items: tuple[ItemView, ...]
    at: Location  # the line of the draw (or the pool)
    declared: bool = True  # False for the implicit pool of a flat `questions:` list (it draws them all)


@dataclass(frozen=True)
class BankView:
    """How attempts are assembled: the pools, and how many attempts a learner has (None = unlimited)."""

    pools: tuple[PoolView, ...]
    attempts: int | None


@dataclass(frozen=True)
class AssessmentView:
    """A module self-check (``scored`` False) or the final assessment, with the items of all its pools."""

    id: str
    scored: bool
    languages: tuple[str, ...]
    items: tuple[ItemView, ...]
    at: Location  # the file's first line (its title)
    items_at: Location  # the line of its question list: where assessment-wide findings point
    feedback_policy: str | None = None  # immediate | after-attempt | after-pass | final | none
    bank: BankView | None = None  # None: draws and attempts unknown (a view built by hand)
    suppressed: Mapping[int, frozenset[str]] = field(default_factory=dict)  # line -> silenced rule ids


def assessment_views(course: Course, course_dir: Path) -> list[AssessmentView]:
    """Every quiz and the assessment of a loaded course, as the lint's neutral view.

    Every question of every pool is in ``items`` (the item rules judge the whole bank, not one draw);
    pools, draws, attempts, the feedback policy, shuffling and question-level feedback come from the
    model; lines per language (prompt, option text, feedback) from the YAML line map
    (``lines.quiz_lines``), falling back to the model's line of the question or option.
    """
    views = []
    for module in course.modules:
        if module.quiz is not None:
            views.append(_quiz_view(course, module.quiz, _module_quiz_file(course_dir, module.id), course_dir))
    if course.assessment is not None:
        views.append(_quiz_view(course, course.assessment, Path(course_dir) / "assessment.yaml", course_dir))
    return views


def _module_quiz_file(course_dir: Path, module_id: str) -> Path:
    """The quiz.yaml of a module: its folder is ``NN-<module id>`` (see docs/source-format.md)."""
    for folder in sorted((Path(course_dir) / "modules").iterdir()):
        if folder.is_dir() and folder.name.split("-", 1)[-1] == module_id and folder.name.split("-", 1)[0].isdigit():
            return folder / "quiz.yaml"
    return Path(course_dir) / "modules" / module_id / "quiz.yaml"


def _quiz_view(course: Course, quiz: Quiz, path: Path, course_dir: Path) -> AssessmentView:
    lines = quiz_lines(path, Path(course_dir))
    shown = display_path(path)
    items_at = Location(shown, lines.questions_line())
    pools = []
    for pool in quiz.pools:
        items = tuple(_item_view(question, pool.id, lines, shown) for question in pool.questions)
        declared = lines.has_pools()
        at = Location(shown, lines.pool_line(pool.id, "draw") or lines.pool_line(pool.id)) if declared else items_at
        pools.append(PoolView(pool.id, pool.draw, items, at, declared))
    return AssessmentView(
        id=quiz.id,
        scored=quiz.scored,
        languages=course.languages,
        items=tuple(item for pool in pools for item in pool.items),
        at=Location(shown, lines.first_line()),
        items_at=items_at,
        feedback_policy=quiz.feedback.value,
        bank=BankView(tuple(pools), quiz.attempts),
        suppressed=lines.suppressed,
    )


def _texts(text: Text | None) -> dict[str, str]:
    return dict(text.by_lang) if text is not None else {}


def _item_view(question: Question, pool: str, lines: QuizLines, shown: str) -> ItemView:
    options = tuple(
        _option_view(question, option, position, lines, shown)
        for position, option in enumerate(question.options, start=1)
    )
    first = question.source.line if question.source else None
    return ItemView(
        id=question.id,
        type=question.type.value,
        stem=_texts(question.prompt),
        options=options,
        feedback=_texts(question.feedback),
        at=Location(shown, lines.question_line(question.id) or first),
        stem_at={
            lang: Location(shown, lines.question_line(question.id, "prompt", lang) or first)
            for lang in question.prompt.langs()
        },
        pool=pool,
        shuffle=question.shuffle,
        scored=kind_of(question).scored,
        sources=len(getattr(question.body, "sources", ())),
        targets=len(getattr(question.body, "targets", ())),
    )


def _option_view(question: Question, option: Option, position: int, lines: QuizLines, shown: str) -> OptionView:
    first = option.source.line if option.source else None
    return OptionView(
        id=option.id,
        text=_texts(option.text),
        correct=option.correct,
        feedback=_texts(option.feedback),
        at=Location(shown, lines.option_line(question.id, option.id, "text") or first),
        feedback_at=Location(shown, lines.option_line(question.id, option.id, "feedback") or first),
        position=position,
    )
