"""Render a course into the files of a package: one HTML player page, one script, one style sheet, media.

Format builders add the manifest and schemas around what this returns; everything learners see or
run comes from here, so every format shows the same player. The output is a pure function of its
arguments (no timestamps, stable ordering) so packages are reproducible byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import rcssmin
import rjsmin
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from spotlight_pack import quiz_text
from spotlight_pack.blocks import KINDS as BLOCK_KINDS
from spotlight_pack.blocks import block_scripts, block_styles
from spotlight_pack.i18n import ui_strings
from spotlight_pack.model import Course, FeedbackPolicy, Module, Page, Question, Quiz
from spotlight_pack.questions import KINDS, kind_of
from spotlight_pack.sources import page_anchor
from spotlight_pack.study_time import StudyTime, estimate

LAUNCH_FILE = "index.html"
SCRIPT_FILE = "spotlight/player.js"
QUIZ_SCRIPT_FILE = "spotlight/quiz.js"  # loaded by the player when a quiz page is first shown
STYLE_FILE = "spotlight/player.css"

_REQUIRES = re.compile(r"^// @requires (lib/[a-z0-9-]+\.js)$", re.MULTILINE)
_EMBEDDED_QUIZ = re.compile(r'<spotlight-quiz data-quiz="([a-z][a-z0-9-]*)"></spotlight-quiz>')
_RESERVED_PATHS = frozenset({LAUNCH_FILE, SCRIPT_FILE, QUIZ_SCRIPT_FILE, STYLE_FILE})


def _runtime_file(relative: str) -> str:
    path = resources.files("spotlight_pack").joinpath("runtime", *relative.split("/"))
    return path.read_text(encoding="utf-8")


def available_trackings() -> tuple[str, ...]:
    """Tracking adapters shipped in ``runtime/adapters``: adding a file there adds a tracking mode."""
    folder = resources.files("spotlight_pack").joinpath("runtime", "adapters")
    names = (item.name for item in folder.iterdir())
    return tuple(sorted(name.removesuffix(".js") for name in names if name.endswith(".js")))


@cache
def build_style(questions: tuple[str, ...] = ()) -> str:
    """The one style sheet: the player's, then those of the question types and page blocks the course
    uses (``questions``: paths under runtime/)."""
    return rcssmin.cssmin("\n".join(_runtime_file(name) for name in ("player.css", *questions))) + "\n"


def question_files(course: Course, attribute: str) -> tuple[str, ...]:
    """The runtime files (``scripts`` or ``styles``) of the question types the course uses, in
    registry order: no others, so packages stay small."""
    used = {question.type for quiz in course.quizzes() for question in quiz.questions}
    kinds = [kind for kind in KINDS.values() if kind.type in used]
    return tuple(dict.fromkeys(name for kind in kinds for name in getattr(kind, attribute)))


def _bundle(parts: list[str], tail: str = "") -> str:
    """Runtime files in one function scope (nothing leaks into the page's globals but what ``tail``
    sets), without comments and spaces (rjsmin renames nothing): phones download every byte."""
    body = "\n".join(_runtime_file(name) for name in parts)
    return rjsmin.jsmin(f'(function () {{\n"use strict";\n{body}{tail}}})();\n') + "\n"


@cache
def build_script(tracking: str, blocks: tuple[str, ...] = ()) -> str:
    """The script every page loads: the state codec, the libraries the adapter requires, the adapter,
    the modules of the page blocks the course uses (``blocks``, paths under runtime/; none for a
    course without blocks), the player."""
    if tracking not in available_trackings():
        raise ValueError(f"unknown tracking '{tracking}' (have: {', '.join(available_trackings())})")
    adapter = _runtime_file(f"adapters/{tracking}.js")
    libraries = [*dict.fromkeys(_REQUIRES.findall(adapter))]
    return _bundle(["state.js", *libraries, f"adapters/{tracking}.js", *blocks, "player.js"])


@cache
def build_quiz_script(questions: tuple[str, ...]) -> str:
    """The script of quiz pages, loaded by the player the first time one is shown (a content page
    never pays for it): the state codec's helpers, the quiz engine, the modules ``questions`` (paths
    under runtime/) of the question types the course uses. It hands the engine to the player as
    ``window.spotlightQuizEngine``, its one global."""
    return _bundle(["state.js", "quiz.js", *questions], "\nwindow.spotlightQuizEngine = quizEngine;\n")


@dataclass(frozen=True)
class _Entry:
    """One screen of the player: a content page, a module self-check or the final assessment."""

    key: str  # bookmark value, unique in the course: "module-id/page-id" for pages (page ids repeat)
    anchor: str  # HTML id of the section
    kind: str  # page | quiz | assessment
    module: Module | None
    title: str
    iri: str
    page: Page | None = None
    quiz: Quiz | None = None


def _entries(course: Course, lang: str) -> list[_Entry]:
    entries: list[_Entry] = []
    for module in course.modules:
        for page in module.pages:
            key, anchor = f"{module.id}/{page.id}", page_anchor(module.id, page.id)
            iri = course.page_iri(module, page)
            entries.append(_Entry(key, anchor, "page", module, page.title[lang], iri, page=page))
        if quiz := module.quiz:
            iri, anchor = f"{course.module_iri(module)}/{quiz.id}", f"quiz-{quiz.id}"
            entries.append(_Entry(quiz.id, anchor, "quiz", module, quiz.title[lang], iri, quiz=quiz))
    if quiz := course.assessment:
        iri, anchor = f"{course.iri}/{quiz.id}", f"quiz-{quiz.id}"
        entries.append(_Entry(quiz.id, anchor, "assessment", None, quiz.title[lang], iri, quiz=quiz))
    keys = [entry.key for entry in entries]
    duplicates = ", ".join(sorted({key for key in keys if keys.count(key) > 1}))
    if duplicates:
        raise ValueError(f"course {course.id}: page and quiz ids must be unique, repeated: {duplicates}")
    return entries


def _layout(entries: list[_Entry], quizzes: tuple[Quiz, ...], lang: str = "") -> str:
    """Fingerprint of what the saved state indexes, so a state from another course version is ignored.
    Page blocks count only when they keep state (reflections, scenarios)."""
    parts = [entry.key for entry in entries]
    parts += [
        f"{block.kind}:{block.id}"
        for entry in entries
        if entry.page
        for block in entry.page.blocks_in(lang)
        if BLOCK_KINDS[block.kind].stateful
    ]
    for quiz in quizzes:
        parts.append(f"{quiz.id}:" + ",".join(f"{pool.id}/{pool.draw}" for pool in quiz.pools))
        parts += [f"{q.id}:{q.type.value}:{kind_of(q).layout(q)}" for q in quiz.questions]
    digest = hashlib.sha256("\n".join(parts).encode()).digest()
    return base64.urlsafe_b64encode(digest[:6]).decode()


def spoken_duration(minutes: int, strings: Mapping[str, str]) -> str:
    """``3 horas y 5 minutos``: a duration in words, which screen readers say right (``3 h`` they spell)."""
    hours, rest = divmod(minutes, 60)

    def unit(count: int, one: str, many: str) -> str:
        return strings[one if count == 1 else many].replace("{n}", str(count))

    if not hours:
        return unit(rest, "minute", "minutes")
    if not rest:
        return unit(hours, "hour", "hours")
    both = strings["hoursAndMinutes"]
    return both.replace("{hours}", unit(hours, "hour", "hours")).replace("{minutes}", unit(rest, "minute", "minutes"))


def _study_data(study: StudyTime) -> dict[str, Any]:
    """The estimate as the package carries it, for ``spotlight-pack inspect`` to read back from any format."""
    return {
        "minutes": study.minutes,
        "wordsPerMinute": study.words_per_minute,
        "parts": [{"id": part.id, "title": part.title, "minutes": part.minutes} for part in study.parts],
    }


def _seal(value: Any, salt: str) -> str:
    """``value`` as JSON, XORed with a keystream seeded by ``salt``, in base64: the keys and their
    feedback are not in plain view in the page source or the DOM until the policy says they are due.
    This is obfuscation, not protection (see docs/source-format.md): the player can undo it, so
    anyone who reads its script can. ``quizUnseal`` in runtime/quiz.js is the inverse."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    state = _fnv1a(salt)
    out = bytearray(len(data))
    for index, byte in enumerate(data):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        out[index] = byte ^ (state >> 24)
    return base64.b64encode(bytes(out)).decode()


def _fnv1a(text: str) -> int:
    """FNV-1a, 32 bits, over the characters of an id (ASCII), as ``quizHash`` computes it in JS."""
    value = 2166136261
    for char in text:
        value = ((value ^ ord(char)) * 16777619) & 0xFFFFFFFF
    return value


def _question_data(course: Course, quiz: Quiz, question: Question, lang: str) -> dict[str, Any]:
    kind = kind_of(question)
    interaction = kind.interaction
    sealed = {
        "key": kind.key(question, lang),
        "patterns": kind.patterns(question, lang, course.locale(lang)).as_data(),
        "feedback": quiz_text.html(question.feedback[lang]) if question.feedback else "",
        "options": kind.feedback(question, lang, quiz_text.html),
    }
    data = {
        "id": question.id,
        "quiz": quiz.id,
        "iri": course.question_iri(question),
        "type": question.type.value,
        "prompt": quiz_text.plain(question.prompt[lang]),
        "scored": kind.scored,
        "shuffle": question.shuffle,
        "interaction": {"scorm12": interaction.scorm12, "scorm2004": interaction.scorm2004, "xapi": interaction.xapi},
        **kind.public(question, lang, quiz_text.plain),
        "sealed": _seal(sealed, question.id),
    }
    locales = {code: course.locale(code) for code in course.languages}
    if extensions := kind.extensions(question, locales, quiz_text.plain):
        data["extensions"] = extensions  # xAPI definition extensions (quiz.js adds them to every answer)
    return data


def _course_data(
    course: Course,
    lang: str,
    tracking: str,
    settings: Mapping[str, str],
    entries: list[_Entry],
    study: StudyTime,
) -> dict[str, Any]:
    quizzes = course.quizzes()
    # in-page checks: the page they are on (the player opens them with it; xAPI parents their answers to it)
    embedded = {quiz.id: entry.key for entry in entries if entry.page for quiz in entry.page.checks()}
    questions: list[dict[str, Any]] = []
    quiz_data: list[dict[str, Any]] = []
    for quiz in quizzes:
        pools = []
        for pool in quiz.pools:
            first = len(questions)
            questions += [_question_data(course, quiz, question, lang) for question in pool.questions]
            pools.append({"id": pool.id, "draw": pool.draw, "questions": list(range(first, len(questions)))})
        quiz_data.append({
            **({"page": embedded[quiz.id]} if quiz.id in embedded else {}),
            "id": quiz.id,
            "scored": quiz.scored,
            "attempts": quiz.attempts,
            "feedback": quiz.feedback.value,
            "requiresAllPages": quiz.requires_all_pages,
            "pools": pools,
        })
    return {
        "id": course.id,
        "version": course.version,
        "iri": course.iri,
        "lang": lang,
        "locale": course.locale(lang),
        "title": course.title[lang],
        "description": course.description[lang],
        "tracking": tracking,
        "settings": dict(sorted(settings.items())),
        "masteryScore": course.mastery_score,
        "completion": course.completion.value,
        "layout": _layout(entries, quizzes, lang),
        "modules": [
            {"id": module.id, "iri": course.module_iri(module), "title": module.title[lang]}
            for module in course.modules
        ],
        "pages": [
            {"id": e.key, "module": e.module.id if e.module else "", "kind": e.kind, "iri": e.iri,
             "title": e.title}
            for e in entries
        ],
        "quizzes": quiz_data,
        "quizScript": QUIZ_SCRIPT_FILE if quizzes else "",  # a course without quizzes has no quiz.js
        "questions": questions,
        "studyTime": _study_data(study),
        "strings": dict(ui_strings(lang)),
    }


def _json_for_script(data: Mapping[str, Any]) -> Markup:
    """JSON that cannot close its ``<script>`` element nor start markup inside it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _inline_html(text: str) -> Markup:
    """A quiz text (checked by the loader) as inline HTML for the templates."""
    return Markup(quiz_text.html(text))


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("spotlight_pack", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_package(
    course: Course, lang: str, tracking: str, settings: Mapping[str, str] | None = None
) -> dict[str, bytes]:
    """Every file of the package except the manifest and schemas, keyed by package-relative POSIX path."""
    if lang not in course.languages:
        raise ValueError(f"course {course.id} has no language '{lang}' (has: {', '.join(course.languages)})")
    strings = ui_strings(lang)
    script = build_script(tracking, block_scripts(course))
    entries = _entries(course, lang)
    study = estimate(course, lang)
    data = _course_data(course, lang, tracking, settings or {}, entries, study)
    context: dict[str, Any] = dict(
        lang=lang,
        locale=course.locale(lang),
        course=course,
        entries=entries,
        s=strings,
        data_json=_json_for_script(data),
        kind_of=kind_of,
        inline=_inline_html,
        plain=quiz_text.plain,
        immediate=FeedbackPolicy.IMMEDIATE,
        study=study,
        study_total=strings["studyTotal"].replace("{time}", spoken_duration(study.minutes, strings)),
        study_how=strings["studyHow"].replace("{rate}", str(study.words_per_minute)),
        Markup=Markup,
    )
    quizzes = {quiz.id: quiz for quiz in course.quizzes()}
    form = _environment().get_template("quiz_form.html.j2")

    def embed(html: str) -> Markup:
        """A page's HTML with the quiz form of each in-page check (blocks/check.py) in its place."""
        return Markup(_EMBEDDED_QUIZ.sub(lambda match: form.render(**context, quiz=quizzes[match.group(1)]), html))

    html = _environment().get_template("index.html.j2").render(**context, embed=embed)
    files = {
        LAUNCH_FILE: html.encode(),
        SCRIPT_FILE: script.encode(),
        STYLE_FILE: build_style(question_files(course, "styles") + block_styles(course)).encode(),
    }
    if course.quizzes():
        files[QUIZ_SCRIPT_FILE] = build_quiz_script(question_files(course, "scripts")).encode()
    for asset in sorted(course.assets, key=lambda asset: asset.path):
        if asset.lang not in (None, lang):
            continue  # captions and transcripts of another language
        if asset.path in _RESERVED_PATHS:
            raise ValueError(f"course {course.id}: asset path {asset.path} clashes with a player file")
        files[asset.path] = asset.data
    return files
