"""The renderer's promises that need no browser: deterministic, self-contained, small, escaped."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from spotlight_pack.i18n import LANGUAGES, ui_strings
from spotlight_pack.model import Course, Text
from spotlight_pack.render import (
    LAUNCH_FILE,
    QUIZ_SCRIPT_FILE,
    SCRIPT_FILE,
    STYLE_FILE,
    available_trackings,
    render_package,
)
from spotlight_pack.sources import load_course

BUDGET = 50 * 1024  # JS + CSS bytes of the first page
QUIZ_BUDGET = 30 * 1024  # the quiz engine with every question type, loaded with the first quiz page
BANK = Path(__file__).resolve().parents[1] / "fixtures" / "courses" / "bank"
E2E = Path(__file__).resolve().parent
ACORN = E2E / "node_modules" / "acorn"


def missing(reason: str) -> None:
    if os.environ.get("SPOTLIGHT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SPOTLIGHT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def course_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="spotlight-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_same_input_same_bytes(mini_course: Course) -> None:
    assert render_package(mini_course, "es", "scorm12") == render_package(mini_course, "es", "scorm12")


# Parses stdin as an ES2017 script: anything newer (object spread, ?., ??, …) breaks older phones.
ES2017_CHECK = """
const source = require("fs").readFileSync(0, "utf8");
try { require("acorn").parse(source, {ecmaVersion: 2017, sourceType: "script"}); }
catch (error) { console.log(error.message); process.exit(1); }
"""


@pytest.mark.parametrize("tracking", available_trackings())
def test_every_adapter_bundles_into_one_small_es2017_script(mini_course: Course, tracking: str) -> None:
    files = render_package(mini_course, "en", tracking)
    script = files[SCRIPT_FILE].decode()
    assert len(files[SCRIPT_FILE]) + len(files[STYLE_FILE]) <= BUDGET
    assert script.count("function createAdapter(") == 1
    node = shutil.which("node")
    if node is None or not (ACORN / "package.json").is_file():
        missing("node and tests/e2e/node_modules (npm ci) are needed to parse the script")
    done = subprocess.run([node, "-e", ES2017_CHECK], input=script, text=True, capture_output=True, cwd=E2E)
    assert done.returncode == 0, f"{tracking}: not ES2017: {done.stdout}{done.stderr}"


def test_the_quiz_engine_comes_with_the_first_quiz_page(mini_course: Course) -> None:
    files = render_package(load_course(BANK), "en", "scorm12")  # every question type
    script = files[QUIZ_SCRIPT_FILE].decode()
    assert len(files[QUIZ_SCRIPT_FILE]) <= QUIZ_BUDGET
    assert QUIZ_SCRIPT_FILE not in files[LAUNCH_FILE].decode().split('id="spotlight-data"')[0]  # not on the page
    assert course_data(files[LAUNCH_FILE].decode())["quizScript"] == QUIZ_SCRIPT_FILE
    no_quiz = dataclasses.replace(mini_course, assessment=None, modules=tuple(
        dataclasses.replace(module, quiz=None) for module in mini_course.modules))
    assert QUIZ_SCRIPT_FILE not in render_package(no_quiz, "en", "scorm12")
    node = shutil.which("node")
    if node is None or not (ACORN / "package.json").is_file():
        missing("node and tests/e2e/node_modules (npm ci) are needed to parse the script")
    done = subprocess.run([node, "-e", ES2017_CHECK], input=script, text=True, capture_output=True, cwd=E2E)
    assert done.returncode == 0, f"quiz script: not ES2017: {done.stdout}{done.stderr}"


def test_page_loads_only_files_of_the_package(mini_course: Course) -> None:
    files = render_package(mini_course, "en", "scorm12")
    html = files[LAUNCH_FILE].decode()
    loaded = re.findall(r'<(?:script|img|link)\b[^>]*?\b(?:src|href)="([^"]+)"', html)
    assert loaded and all(url in files for url in loaded)
    assert {asset.path for asset in mini_course.assets} <= set(files)
    assert "url(" not in files[STYLE_FILE].decode() and "@import" not in files[STYLE_FILE].decode()
    assert not re.search(r"\son[a-z]+=", html)  # no inline handlers (blocked by strict CSPs)


def test_course_text_cannot_break_out_of_the_data_block(mini_course: Course) -> None:
    hostile = "</script><script>alert(1)</script> & <b>"
    course = dataclasses.replace(mini_course, title=Text.of({"es": hostile, "en": hostile}))
    html = render_package(course, "en", "none")[LAUNCH_FILE].decode()
    assert "<script>alert(1)" not in html
    assert course_data(html)["title"] == hostile


def test_interface_strings_follow_the_course_language(mini_course: Course) -> None:
    assert all(set(ui_strings(lang)) == set(ui_strings("en")) for lang in LANGUAGES)
    html = render_package(mini_course, "es", "none")[LAUNCH_FILE].decode()
    assert '<html lang="es-MX">' in html
    assert ">Siguiente<" in html and ">Next<" not in html
    assert course_data(html)["strings"] == dict(ui_strings("es"))


def test_data_describes_pages_questions_and_iris(mini_course: Course) -> None:
    data = course_data(render_package(mini_course, "en", "scorm12")[LAUNCH_FILE].decode())
    assert data["masteryScore"] == mini_course.mastery_score
    assert data["completion"] == mini_course.completion.value
    assert data["pages"][-1]["kind"] == "assessment"
    module = mini_course.modules[0]
    assert data["pages"][0]["id"] == f"{module.id}/{module.pages[0].id}"
    assert data["pages"][0]["iri"] == mini_course.page_iri(module, module.pages[0])
    expected = [question.id for quiz in mini_course.quizzes() for question in quiz.questions]
    assert [q["id"] for q in data["questions"]] == expected
    assert all(q["iri"].startswith(mini_course.iri + "/") for q in data["questions"])


def test_layout_changes_when_pages_change(synthetic) -> None:
    def layout(course: Course) -> str:
        return course_data(render_package(course, "en", "none")[LAUNCH_FILE].decode())["layout"]

    assert layout(synthetic(20, 5)) == layout(synthetic(20, 5))
    assert layout(synthetic(20, 5)) != layout(synthetic(21, 5))


def test_unknown_tracking_or_language_is_refused(mini_course: Course) -> None:
    with pytest.raises(ValueError, match="unknown tracking"):
        render_package(mini_course, "en", "aicc")
    with pytest.raises(ValueError, match="no language"):
        render_package(mini_course, "fr", "none")
