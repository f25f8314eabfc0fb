"""Each common YAML mistake gets its own message, at the line to fix, with the fix.

Through ``check``, as a designer meets them: the file and line, what is wrong in their terms (never
PyYAML's token names such as "found '?'"), and what to write instead. The block form the docs teach
(one text per line) must load as it is written there.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from spotlight_pack import check, load_course
from spotlight_pack.source_files import SourceFileError, load_yaml

ROOT = Path(__file__).resolve().parents[2]
QUIZ = "modules/01-basics/quiz.yaml"
BLOCK_QUIZ = """title:
  es: Autoevaluación
  en: Self-check
questions:
  - id: mini-s1
    type: truefalse
    prompt:
      es: ¿Escuchar es el primer paso?
      en: Is listening the first step?
    answer: true
    feedback_true:
      es: Correcto.
      en: Right.
    feedback_false:
      es: Revise la tabla.
      en: Check the table.
"""

# (file, text that replaces the file or (old, new), line, fragments the message must contain)
MISTAKES = [
    ("tab", QUIZ, ("    type: truefalse", "\ttype: truefalse"), 4, ["indented with a tab", "spaces only"]),
    (
        "deeper indentation",
        QUIZ,
        ("    answer: true", "     answer: true"),
        6,
        ["indented 5 spaces, the key on the line above 4 spaces"],
    ),
    (
        "key out of its list item",
        QUIZ,
        ("    type: truefalse", "  type: truefalse"),
        4,
        ["indented 2 spaces, the key on the line above 4 spaces", "lines up with the text after the '- '"],
    ),
    (
        "shallower than its siblings",
        "course.yaml",
        ("  en: Minimal test course", " en: Minimal test course"),
        7,
        ["indented 1 space, the key on the line above 2 spaces"],
    ),
    (
        "unquoted colon",
        "course.yaml",
        ("  en: Minimal test course", "  en: Note: a minimal test course"),
        7,
        ["contains ': '", 'en: "Note: a minimal test course"'],
    ),
    (
        "no space after the colon",
        "course.yaml",
        ("  es: Curso mínimo de prueba", "  es:Curso mínimo de prueba"),
        6,
        ["needs a space after the colon", "'es: Curso mínimo de prueba'"],
    ),
    (
        "unclosed quote",
        "course.yaml",
        ("  en: Minimal test course", '  en: "Minimal test course'),
        7,
        ["quote that opens the text on this line", "is never closed"],
    ),
    (
        "quotes inside a quoted text",
        "course.yaml",
        ("  en: Minimal test course", '  en: "The "minimal" course"'),
        7,
        ["starts with a quote", 'en: "The \\"minimal\\" course"'],
    ),
    (
        "question mark in a {es:, en:} line",
        QUIZ,
        (
            'prompt: {es: "¿Escuchar es el primer paso?", en: "Is listening the first step?"}',
            "prompt: {es: ¿Escuchar es el primer paso?, en: Is listening the first step?}",
        ),
        5,
        ["{es: …, en: …} form on this line breaks", "each language's text on its own line"],
    ),
    (
        "colon in a {es:, en:} line",
        QUIZ,
        ("feedback_true: {es: Correcto., en: Right.}", "feedback_true: {es: Correcto: bien., en: Right: good.}"),
        7,
        ["{es: …, en: …} form on this line breaks"],
    ),
    (
        "comma in a {es:, en:} line",
        QUIZ,
        ("feedback_true: {es: Correcto., en: Right.}", "feedback_true: {es: Sí, correcto., en: Yes, right.}"),
        7,
        ["which is not a course language", "a comma inside {es: …, en: …} starts a new key"],
    ),
    (
        "yes read as true",
        QUIZ,
        ("feedback_true: {es: Correcto., en: Right.}", "feedback_true:\n      es: Sí\n      en: Yes"),
        9,
        ["in 'en' is read as true", "put the text in double quotes"],
    ),
    (
        "a list item among keys",
        "course.yaml",
        ("  en: Minimal test course", "  - en: Minimal test course"),
        7,
        ["a list item ('- ') among keys"],
    ),
    (
        "a list where the languages go",
        "course.yaml",
        ("  es: Curso mínimo de prueba\n  en: Minimal test course", "  - es: Curso mínimo de prueba\n  - en: Minimal"),
        5,
        ["'title' is a list", "remove the '- '"],
    ),
    (
        "one text where the languages go",
        "modules/02-practice/module.yaml",
        ("title: {es: Práctica, en: Practice}", "title: Práctica"),
        1,
        ["'title' is one text, but it needs one per language", "'es: …', then 'en: …'"],
    ),
    (
        "duplicate key",
        "course.yaml",
        ("  en: Minimal test course", "  en: Minimal test course\n  en: Another title"),
        8,
        ["key 'en' appears twice in this block (first on line 7)"],
    ),
    (
        "text starting with *",
        "course.yaml",
        ("  en: Minimal test course", "  en: *Minimal* test course"),
        7,
        ["a text cannot start with @, `, * or &", 'en: "*Minimal* test course"'],
    ),
    (
        "text starting with !",
        "course.yaml",
        ("  en: Minimal test course", "  en: !Minimal test course"),
        7,
        ["a text cannot start with '!'"],
    ),
    (
        "a # glued to a word",
        "course.yaml",
        ("  en: Minimal test course", "  en: Minimal test course #1"),
        7,
        ["'#1' after the text is read as a YAML comment and dropped"],
    ),
    (
        "a second document",
        "modules/02-practice/module.yaml",
        ("title: {es: Práctica, en: Practice}", "title: {es: Práctica, en: Practice}\n---\n"),
        2,
        ["a line '---' starts a second document"],
    ),
]


@pytest.mark.parametrize(
    ("name", "file", "change", "line", "fragments"), MISTAKES, ids=[mistake[0] for mistake in MISTAKES]
)
def test_each_yaml_mistake_has_its_own_message(
    mini_copy: Path, name: str, file: str, change: tuple[str, str], line: int, fragments: list[str]
) -> None:
    path = mini_copy / file
    text = path.read_text(encoding="utf-8")
    assert change[0] in text, f"fixture changed: {change[0]!r} not in {file}"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    problems = [str(problem) for problem in check(mini_copy)]
    at_line = [problem for problem in problems if f"{file}:{line}: " in problem]
    assert at_line, problems
    message = " ".join(at_line)
    for fragment in fragments:
        assert fragment in message, message
    for problem in problems:
        assert not re.search(r"found '[?\-]'|<block|<scalar>", problem), problem
        if name == "tab":
            assert "double quotes" not in problem, "a tab is not a quoting problem"


def test_the_block_form_the_docs_teach_loads(mini_copy: Path) -> None:
    """Commas, question marks and quotes in texts written one per line, as docs/source-format.md shows."""
    text = BLOCK_QUIZ.replace("Correcto.", "Sí, correcto. ¿Lo ve? «Así» es, 10:30 h.").replace("Right.", "Yes, right?")
    (mini_copy / QUIZ).write_text(text, encoding="utf-8")
    course = load_course(mini_copy)
    question = course.modules[0].quiz.questions[0]  # type: ignore[union-attr]
    assert question.options[0].feedback["es"] == "Sí, correcto. ¿Lo ve? «Así» es, 10:30 h."


def test_paths_are_printed_as_typed(tmp_path: Path) -> None:
    """A course under a folder with accents: the path in each message is the one the designer typed."""
    course = tmp_path / "cursos" / "protección" / "mini"
    shutil.copytree(ROOT / "tests" / "fixtures" / "courses" / "mini", course)
    (course / "course.yaml").write_text("id: mini\nversion: [1\n", encoding="utf-8")
    problems = [str(problem) for problem in check(course)]
    assert problems and all("protección" in problem and "%C3" not in problem for problem in problems), problems


@pytest.mark.parametrize("document", ["docs/source-format.md", "README.md"])
def test_every_yaml_example_in_the_docs_loads(document: str) -> None:
    """A designer copies the examples: each one must be YAML that loads as written."""
    text = (ROOT / document).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert blocks, f"{document} has YAML examples"
    for number, block in enumerate(blocks, 1):
        if not re.match(r"[A-Za-z_]", block):  # a fragment (a list item, say): give it the key it sits under
            block = "example:\n" + (block if block.startswith(" ") else "  " + block.replace("\n", "\n  "))
        try:
            load_yaml(Path(f"{document}#{number}"), block)
        except SourceFileError as error:
            pytest.fail(f"{document}, YAML example {number}, line {error.line}: {error.message}")
