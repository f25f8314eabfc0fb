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

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from spotlight_pack.blocks import KINDS as BLOCK_KINDS
from spotlight_pack.blocks import block_scripts, block_styles
from spotlight_pack.i18n import ui_strings
from spotlight_pack.model import Course, Module, Page, Question, QuestionType, Quiz
from spotlight_pack.sources import page_anchor
from spotlight_pack.study_time import StudyTime, estimate

LAUNCH_FILE = "index.html"
SCRIPT_FILE = "spotlight/player.js"
STYLE_FILE = "spotlight/player.css"

_REQUIRES = re.compile(r"^// @requires (lib/[a-z0-9-]+\.js)$", re.MULTILINE)
_RESERVED_PATHS = frozenset({LAUNCH_FILE, SCRIPT_FILE, STYLE_FILE})


def _runtime_file(relative: str) -> str:
    path = resources.files("spotlight_pack").joinpath("runtime", *relative.split("/"))
    return path.read_text(encoding="utf-8")


def available_trackings() -> tuple[str, ...]:
    """Tracking adapters shipped in ``runtime/adapters``: adding a file there adds a tracking mode."""
    folder = resources.files("spotlight_pack").joinpath("runtime", "adapters")
    names = (item.name for item in folder.iterdir())
    return tuple(sorted(name.removesuffix(".js") for name in names if name.endswith(".js")))


_COMMENT_LINE = re.compile(r"^[ \t]*//")
_CSS_COMMENT = re.compile(r"/\*.*?\*/\s*", re.DOTALL)
_CSS_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def _style_sheet(blocks: tuple[str, ...] = ()) -> str:
    """player.css, then the style sheets of the page blocks the course uses (``blocks``), without
    comments and indentation: phones download only what styles the page."""
    css = "".join(_runtime_file(name) for name in ("player.css", *blocks))
    return _CSS_INDENT.sub("", _CSS_COMMENT.sub("", css))


def _without_comment_lines(source: str) -> str:
    """Drop whole-line ``//`` comments: they explain the source, learners' phones need not download them.

    Such a line could only be something else inside a template literal (then the file is left as it
    is) or inside a block comment (a line that closes one is kept).
    """
    lines = source.strip().split("\n")
    if any("`" in line for line in lines if not _COMMENT_LINE.match(line)):
        return source.strip()
    return "\n".join(line for line in lines if not _COMMENT_LINE.match(line) or "*/" in line)


@cache
def build_script(tracking: str, blocks: tuple[str, ...] = ()) -> str:
    """The one script of a package: state codec, the libraries the adapter requires, the adapter, the
    modules of the page blocks the course uses (``blocks``, paths under runtime/), the player.

    Wrapped in a single function scope so nothing leaks into the LMS frame's globals.
    """
    if tracking not in available_trackings():
        raise ValueError(f"unknown tracking '{tracking}' (have: {', '.join(available_trackings())})")
    adapter = _runtime_file(f"adapters/{tracking}.js")
    parts = ["state.js", *dict.fromkeys(_REQUIRES.findall(adapter)), f"adapters/{tracking}.js", *blocks, "player.js"]
    body = "\n".join(f"// ---- {name}\n{_without_comment_lines(_runtime_file(name))}\n" for name in parts)
    return f'(function () {{\n"use strict";\n{body}}})();\n'


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


def _layout(entries: list[_Entry], questions: list[Question], lang: str = "") -> str:
    """Fingerprint of what the saved state indexes, so a state from another course version is ignored."""
    parts = [entry.key for entry in entries]
    parts += [
        f"{block.kind}:{block.id}"
        for entry in entries
        if entry.page
        for block in entry.page.blocks_in(lang)
        if BLOCK_KINDS[block.kind].stateful
    ]
    parts += [f"{q.id}:{','.join(option.id for option in q.options)}" for q in questions]
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


def _course_data(
    course: Course,
    lang: str,
    tracking: str,
    settings: Mapping[str, str],
    entries: list[_Entry],
    study: StudyTime,
) -> dict[str, Any]:
    questions = [(quiz, question) for quiz in course.quizzes() for question in quiz.questions]
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
        "layout": _layout(entries, [question for _, question in questions], lang),
        "modules": [
            {"id": module.id, "iri": course.module_iri(module), "title": module.title[lang]}
            for module in course.modules
        ],
        "pages": [
            {"id": e.key, "module": e.module.id if e.module else "", "kind": e.kind, "iri": e.iri,
             "title": e.title}
            for e in entries
        ],
        "questions": [
            {
                "id": question.id,
                "quiz": quiz.id,
                "iri": course.question_iri(question),
                "type": question.type.value,
                "prompt": question.prompt[lang],
                "options": [{"id": option.id, "text": option.text[lang]} for option in question.options],
                "correct": list(question.correct_ids),
            }
            for quiz, question in questions
        ],
        "studyTime": _study_data(study),
        "strings": dict(ui_strings(lang)),
    }


def _json_for_script(data: Mapping[str, Any]) -> Markup:
    """JSON that cannot close its ``<script>`` element nor start markup inside it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


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
    html = _environment().get_template("index.html.j2").render(
        lang=lang,
        locale=course.locale(lang),
        course=course,
        entries=entries,
        s=strings,
        data_json=_json_for_script(data),
        study=study,
        study_total=strings["studyTotal"].replace("{time}", spoken_duration(study.minutes, strings)),
        study_how=strings["studyHow"].replace("{rate}", str(study.words_per_minute)),
        single=QuestionType.SINGLE,
        multiple=QuestionType.MULTIPLE,
        Markup=Markup,
    )
    files = {
        LAUNCH_FILE: html.encode(),
        SCRIPT_FILE: script.encode(),
        STYLE_FILE: _style_sheet(block_styles(course)).encode(),
    }
    for asset in sorted(course.assets, key=lambda asset: asset.path):
        if asset.lang not in (None, lang):
            continue  # captions and transcripts of another language
        if asset.path in _RESERVED_PATHS:
            raise ValueError(f"course {course.id}: asset path {asset.path} clashes with a player file")
        files[asset.path] = asset.data
    return files
