"""The course model: what a course *is*, independent of files, templates and package formats.

Everything here is immutable so that one loaded course can be rendered into many formats and
languages without one build changing what the next one sees. Every learner-visible text is a
``Text`` holding one string per language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Text:
    """A learner-visible string in every language of the course."""

    by_lang: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, mapping: dict[str, str]) -> Text:
        return cls(tuple(sorted(mapping.items())))

    def __getitem__(self, lang: str) -> str:
        for code, value in self.by_lang:
            if code == lang:
                return value
        raise KeyError(lang)

    def langs(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.by_lang)


class QuestionType(StrEnum):
    """Every question type a source may use; each has one unit in ``spotlight_pack/questions``."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "truefalse"
    FILL_IN = "fill-in"
    LONG_FILL_IN = "long-fill-in"
    NUMERIC = "numeric"
    MATCHING = "matching"
    SEQUENCING = "sequencing"
    LIKERT = "likert"


class FeedbackPolicy(StrEnum):
    """When a learner sees right/wrong, the keys and the feedback (docs/source-format.md)."""

    IMMEDIATE = "immediate"
    AFTER_ATTEMPT = "after-attempt"
    AFTER_PASS = "after-pass"
    FINAL = "final"
    NONE = "none"


class CompletionRule(StrEnum):
    PAGES = "pages"
    ASSESSMENT = "assessment"
    PAGES_AND_ASSESSMENT = "pages-and-assessment"


@dataclass(frozen=True, order=True)
class SourceRef:
    """Where an item was written: the file as the designer typed it and its line, for ``check`` and the lint."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Option:
    """A choice of a single/multiple question (or the true/false pair); feedback is optional."""

    id: str
    text: Text
    feedback: Text | None = None
    correct: bool = False
    source: SourceRef | None = None


@dataclass(frozen=True)
class QuestionBody:
    """The type-specific part of a question; each type defines its own in ``spotlight_pack/questions``.

    ``options`` is non-empty only for the types whose learner picks among options with a key
    (single, multiple, truefalse), so code that reviews options (the lint) needs no type switch.
    """

    @property
    def options(self) -> tuple[Option, ...]:
        return ()


@dataclass(frozen=True)
class Question:
    """One quiz item: what every type shares, plus its type's ``body``."""

    id: str
    type: QuestionType
    prompt: Text
    body: QuestionBody
    feedback: Text | None = None  # general feedback, shown with the key when the policy allows
    shuffle: bool = True  # False keeps the written order of options (scales, "both of the above")
    source: SourceRef | None = None

    @property
    def options(self) -> tuple[Option, ...]:
        return self.body.options

    @property
    def correct_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options if option.correct)


@dataclass(frozen=True)
class Pool:
    """Questions of which each attempt draws ``draw`` at random."""

    id: str
    questions: tuple[Question, ...]
    draw: int
    title: Text | None = None
    source: SourceRef | None = None


@dataclass(frozen=True)
class Quiz:
    """A module self-check (``scored=False``) or the final assessment: a bank of pools plus its policy."""

    id: str
    title: Text
    intro: Text | None
    pools: tuple[Pool, ...]
    scored: bool  # True for the final assessment; self-checks only give feedback
    attempts: int | None = None  # None: unlimited
    feedback: FeedbackPolicy = FeedbackPolicy.AFTER_ATTEMPT
    requires_all_pages: bool = False
    source: SourceRef | None = None

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question of the bank, pool by pool, in source order."""
        return tuple(question for pool in self.pools for question in pool.questions)

    @property
    def draw_count(self) -> int:
        """How many questions one attempt shows."""
        return sum(pool.draw for pool in self.pools)


@dataclass(frozen=True)
class Asset:
    """A media file the package must carry, as a path relative to the course folder."""

    path: str
    data: bytes = field(repr=False)
    lang: str | None = None
    """Set for captions and transcripts: only that language's packages carry the file."""


@dataclass(frozen=True)
class Block:
    """A unit of a page other than text (video, tabs, reflection, scenario …): ``kind`` names its
    registered module in ``spotlight_pack/blocks``, which subclasses this with what it needs."""

    kind: str
    id: str


@dataclass(frozen=True)
class Page:
    """A content page. ``html`` is already rendered, escaped Markdown, one per language."""

    id: str
    title: Text
    html: Text
    blocks: tuple[tuple[str, tuple[Block, ...]], ...] = ()
    """Per language, the page's blocks in document order (nested ones after their container)."""

    def blocks_in(self, lang: str) -> tuple[Block, ...]:
        return dict(self.blocks).get(lang, ())

    def checks(self) -> tuple[Quiz, ...]:
        """The quizzes of the page's in-page checks (blocks/check.py), in page order: the same in every
        language."""
        first = self.blocks[0][1] if self.blocks else ()
        return tuple(quiz for block in first if isinstance(quiz := getattr(block, "quiz", None), Quiz))


@dataclass(frozen=True)
class Module:
    id: str
    title: Text
    pages: tuple[Page, ...]
    quiz: Quiz | None


@dataclass(frozen=True)
class Course:
    id: str
    version: str
    languages: tuple[str, ...]
    locales: tuple[tuple[str, str], ...]
    title: Text
    description: Text
    mastery_score: int
    completion: CompletionRule
    modules: tuple[Module, ...]
    assessment: Quiz | None
    assets: tuple[Asset, ...]
    content_note: Text | None = None
    publisher: Text | None = None
    activity_iri_base: str = "https://spotlight-pack.org/xapi/activities"
    max_package_size: int = 50_000_000
    """Bytes one package may reach before ``check`` warns (LMS upload limits; package_size.py)."""

    def locale(self, lang: str) -> str:
        """BCP 47 tag of a course language, e.g. ``es`` -> ``es-MX``."""
        return dict(self.locales).get(lang, lang)

    @property
    def iri(self) -> str:
        """Stable activity IRI of the course: the same in every format and language."""
        return f"{self.activity_iri_base}/{self.id}"

    def module_iri(self, module: Module) -> str:
        return f"{self.iri}/{module.id}"

    def page_iri(self, module: Module, page: Page) -> str:
        return f"{self.iri}/{module.id}/{page.id}"

    def question_iri(self, question: Question) -> str:
        return f"{self.iri}/question/{question.id}"

    def quizzes(self) -> tuple[Quiz, ...]:
        """Every quiz the player runs: module self-checks, in-page checks (blocks with a ``quiz``), then
        the final assessment."""
        found = [module.quiz for module in self.modules if module.quiz]
        found += [quiz for module in self.modules for page in module.pages for quiz in page.checks()]
        if self.assessment:
            found.append(self.assessment)
        return tuple(found)
