"""How long a course takes to study, computed from its content, so no one has to guess (or pad) it.

The estimate for one language of a course is, per module:

    minutes = words / study_rate(lang) + FIGURE_MINUTES * figures + SELF_CHECK_MINUTES * questions

and the final assessment adds ``ASSESSMENT_MINUTES`` per question an attempt shows. Each module is
rounded up to whole minutes; the total is the sum of those, so the figures a learner sees add up.

- ``words``: the words a learner reads on the module's pages (titles, text, lists, tables), counted on
  the rendered page, so Markdown syntax, link targets and image alt text are not counted.
- ``study_rate``: the silent reading rate for non-fiction (Brysbaert 2019, 238 words per minute for
  English) slowed to the pace of reading to learn. Carver (1992) measured reading to learn at about
  200 words per minute where the same readers read for comprehension ("rauding") at 300, so the study
  rate is two thirds of the reading rate. Brysbaert also shows that reading rates in other languages
  follow from how many words a language needs for the same message: ``WORDS_PER_ENGLISH_WORD``
  holds that ratio, measured on the four diplomas, whose es and en texts say the same thing.
- ``figures``: each image gets a fixed allowance to look at and understand it.
- ``questions``: those of the module's self-check and of its pages' in-page checks, as one attempt shows
  them (a bank counts its draws, not every question it holds).
- per question: about a minute to read and answer a multiple-choice item (the usual allowance in test
  design) plus half a minute to read its feedback.

When pages gain audio or video, their running time belongs in ``_module_part`` as one more term.

References: M. Brysbaert (2019), "How many words do we read per minute? A review and meta-analysis of
reading rate", Journal of Memory and Language 109, 104047, doi:10.1016/j.jml.2019.104047.
R. P. Carver (1992), "Reading rate: theory, research, and practical implications", Journal of
Reading 36(2), 84-95.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

from .model import Course, Module, Quiz

ENGLISH_READING_RATE = 238
"""Words per minute, adults reading English non-fiction silently (Brysbaert 2019)."""
STUDY_FACTOR = 200 / 300
"""Reading to learn against reading for comprehension (Carver 1992: 200 against 300 words per minute)."""
WORDS_PER_ENGLISH_WORD = {"en": 1.0, "es": 1.03}
"""Words a language needs per English word for the same message: es measured on the four diplomas
(about 70,000 Spanish words against 68,000 English ones; ``tests/pack/test_study_time.py`` keeps the
figure honest). A language missing here is read at the English rate."""
FIGURE_MINUTES = 1.0
SELF_CHECK_MINUTES = 1.5
ASSESSMENT_MINUTES = 1.5

_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_IMAGE = re.compile(r"<img\b")


def study_rate(lang: str) -> float:
    """Words per minute at which a learner studies text in ``lang``."""
    return ENGLISH_READING_RATE * WORDS_PER_ENGLISH_WORD.get(lang, 1.0) * STUDY_FACTOR


def count_words(text: str) -> int:
    """Words in plain text: runs of letters and digits, with inner hyphens, apostrophes and dots
    (``art. 187`` is two words, ``NOM-046`` and ``U.S.`` one)."""
    return len(_WORD.findall(text))


def html_words(fragment: str) -> int:
    """Words a reader sees in an HTML fragment (tags, attributes and alt text are not read)."""
    return count_words(html.unescape(_TAG.sub(" ", fragment)))


@dataclass(frozen=True)
class StudyPart:
    """One line of the estimate: a module, or the final assessment (``id`` ``assessment``)."""

    id: str
    title: str
    minutes: int
    words: int = 0
    figures: int = 0
    questions: int = 0


@dataclass(frozen=True)
class StudyTime:
    lang: str
    words_per_minute: int
    parts: tuple[StudyPart, ...]

    @property
    def minutes(self) -> int:
        return sum(part.minutes for part in self.parts)


def _questions_shown(quiz: Quiz | None) -> int:
    """Questions one attempt shows: the draws of a bank, not the whole bank."""
    return quiz.draw_count if quiz else 0


def _in_page_checks(module: Module) -> list[Quiz]:
    """The quizzes of the module's in-page knowledge checks (blocks/check.py)."""
    return [quiz for page in module.pages for quiz in page.checks()]


def _module_part(module: Module, lang: str, rate: float) -> StudyPart:
    words = sum(count_words(page.title[lang]) + html_words(page.html[lang]) for page in module.pages)
    figures = sum(len(_IMAGE.findall(page.html[lang])) for page in module.pages)
    questions = _questions_shown(module.quiz) + sum(_questions_shown(quiz) for quiz in _in_page_checks(module))
    minutes = words / rate + FIGURE_MINUTES * figures + SELF_CHECK_MINUTES * questions
    return StudyPart(module.id, module.title[lang], max(1, math.ceil(minutes)), words, figures, questions)


def estimate(course: Course, lang: str) -> StudyTime:
    """The study time of ``course`` read in ``lang``: one part per module, then the final assessment."""
    rate = study_rate(lang)
    parts = [_module_part(module, lang, rate) for module in course.modules]
    if course.assessment is not None:
        questions = _questions_shown(course.assessment)
        minutes = max(1, math.ceil(ASSESSMENT_MINUTES * questions))
        parts.append(StudyPart("assessment", course.assessment.title[lang], minutes, questions=questions))
    return StudyTime(lang, round(rate), tuple(parts))


def iso_duration(minutes: int) -> str:
    """``PT3H5M``: an ISO 8601 duration, as LOM's typicalLearningTime holds it."""
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
_CLOCK = re.compile(r"^(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$")


def parse_duration(text: str | None) -> int | None:
    """Minutes in an ISO 8601 duration (``PT1H30M``) or a clock time (``01:30:00``), as LOM metadata
    writes typical learning time; None when it is neither."""
    value = (text or "").strip()
    if match := _DURATION.match(value):
        if value in {"P", "PT"}:
            return None
        days, hours, minutes, seconds = (float(group) if group else 0.0 for group in match.groups())
        return round(days * 1440 + hours * 60 + minutes + seconds / 60)
    if match := _CLOCK.match(value):
        hours, minutes, seconds = (float(group) if group else 0.0 for group in match.groups())
        return round(hours * 60 + minutes + seconds / 60)
    return None
