"""The fast YAML path (libyaml's events) gives exactly what the reference loader (PyYAML's pure parser
under the course bounds) gives: the same values of the same types, the same line of every node, and
the same error with the same line, on every YAML file of the project and on edge cases written by
hand, mutated from real files and generated at random (fixed seeds). The fast path may only decline
(and leave a file to the reference loader); it must never read a file differently."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest

from spotlight_pack import source_files
from spotlight_pack.source_files import DEFAULT_SOURCE_LIMITS, SourceFileError, _fast_load, _reference_load, load_yaml

ROOT = Path(__file__).resolve().parents[2]
PROJECT_YAML = sorted(
    path
    for folder in ("course_sources", "tests/fixtures")
    for path in (ROOT / folder).rglob("*.yaml")
)
pytestmark = pytest.mark.skipif(source_files._CSafeLoader is None, reason="PyYAML built without libyaml: one path")


def typed(value: Any) -> Any:
    """``value`` with every type spelled out (1 == True == 1.0 in Python, not in a course file)."""
    if isinstance(value, dict):
        return ("dict", [(typed(key), typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def outcome(read: Any, text: str) -> tuple[Any, ...]:
    try:
        doc = read(Path("quiz.yaml"), text)
    except SourceFileError as error:
        return ("error", error.message, error.line)
    return ("ok", typed(doc.data), sorted(doc.lines.items(), key=repr))


def reference(path: Path, text: str) -> Any:
    return _reference_load(path, text, DEFAULT_SOURCE_LIMITS)


def assert_same(text: str) -> tuple[Any, ...]:
    fast, slow = outcome(load_yaml, text), outcome(reference, text)
    assert fast == slow, text
    return fast


def test_every_yaml_file_of_the_project_reads_the_same_and_takes_the_fast_path() -> None:
    assert len(PROJECT_YAML) > 50  # the four diplomas and every fixture
    for path in PROJECT_YAML:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        result = assert_same(text)
        if result[0] == "ok":  # a fixture may be broken on purpose; a valid file must not be left to the slow path
            assert _fast_load(text, DEFAULT_SOURCE_LIMITS.max_yaml_depth) is not None, path


# Edge cases: values of every implicit type, quoting, block scalars, flow collections, and each
# place where libyaml and the pure parser are known to differ (the fast path must decline those).
EDGE_CASES = [
    "a: 1\nb: 0.5\nc: 1e3\nd: -2\ne: 0x1F\nf: 0o7\ng: 017\nh: 1:20\ni: 1_000\nj: +1\n",
    "a: .inf\nb: -.inf\nc: .nan\nd: ~\ne: null\nf:\ng: yes\nh: No\ni: on\nj: off\nk: true\n",
    "a: 2024-01-02\nb: 2024-01-02 10:00:00\nc: 2024-01-02T10:00:00Z\nd: 2024-13-45\n",
    "a: 'it''s'\nb: \"\\x41\\u00e9\\U0001F600\\n\\t\\\\ \\\"\"\nc: \"\\/\"\nd: \"\\N\\_\\L\\P\"\n",
    "a: |\n  x\n\n  y\nb: >\n  x\n  y\n\n  z\nc: |-\n  x\n\nd: |+\n  x\n\ne: |2\n   x\nf: >-  # c\n  x\n",
    "a: |#c\n  x\n", "a: |-x\n  x\n", "a: |12\n  x\n", "a: |0\n  x\n", "a: >+-\n  x\n",
    "a: b\tc\n", "a:\tb\n", "a: b\t\n", "a: [b,\tc]\n", "- a\t\n", "a: |\n \tx\n",
    "a: {b: c?}\n", "a: [b?c]\n", "a: {es: ¿Qué?, en: What?}\n", "a: b?\n", "a: {? b: c}\n", "a: {b, c: d}\n",
    "a: {b:?c}\n", "a: [b:, c]\n", "a: {b:[c]}\n", "a: [b:c]\n", "a: {b: http://x.org/?q=1}\n",
    "a: b #c\n", "a: b#c\n", "a: Número #1 del protocolo\n", "a: b #", "a: b  # c\n# d\n", "#c\na: b\n",
    "a: 1\na: 2\n", "1: a\ntrue: b\n", "a: {b: 1, b: 2}\n", "? [a, b]\n: c\n", "? a\n: b\n", "<<: {a: 1}\n", "=: a\n",
    "a: &x 1\nb: *x\n", "a: *x\n", "a: !!str 1\n", "a: !!int ''\n", "a: !x y\n", "a: ! y\n", "!!map {a: b}\n",
    "%YAML 1.1\n---\na: b\n", "%YAML 2.0\n---\na: b\n", "%FOO bar\n---\na: b\n", "--- \na: b\n...\n",
    "a: b\n---\nc: d\n",
    "", "# only a comment\n", "- a\n- b\n", "just text\n", "a: b\n  c: d\n", "a:\n b: c\n  d: e\n", "a: - b\n",
    "a: @b\n", "a: `b\n", "a: %b\n", "a: |x\n", "a: \"unclosed\n", "a: [b, c\n", "a: {b: c\n", "a: 'x\n\n  y'\n",
    "k" * 1100 + ": v\n", "a: " + "x" * 5000 + "\n", "a: \"" + "é" * 300 + "\"\n", "a: 😀 日本 ñ\n", "a: \u00a0b\n",
    "a: b\u2028c\n", "a: b\x85c\n", "\ufeffa: b\n", "a: b\r\nc: d\n", "a: \x07\n", "a: \ud800\n",
    "a:\n  - id: x\n    text: {es: a, en: b}\n  -\n    - c\n    - [d, {e: f}]\n",
]


@pytest.mark.parametrize("text", EDGE_CASES, ids=range(len(EDGE_CASES)))
def test_edge_cases_read_the_same(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("text", [
    "a: {b: c?}\n", "a: b\tc\n", "a: |#c\n  x\n", "a: &x 1\n", "a: !!str 1\n", "a: 1\na: 2\n",
    "a: b\n---\nc: d\n", "\ufeffa: b\n", "a: b\u2028c\n", "- a\n", "? [a, b]\n: c\n", "a: 2024-13-45\n",
    "a: b #c\n", "a: \x07\n",
])  # fmt: skip
def test_the_fast_path_declines_what_it_may_read_differently(text: str) -> None:
    assert _fast_load(text, DEFAULT_SOURCE_LIMITS.max_yaml_depth) is None


def test_nesting_is_bounded_before_anything_is_built() -> None:
    depth = DEFAULT_SOURCE_LIMITS.max_yaml_depth
    within = "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    beyond = "a: " + "[" * depth + "]" * depth + "\n"
    assert _fast_load(within, depth) is not None and _fast_load(beyond, depth) is None
    assert assert_same(beyond)[:1] == ("error",)
    deep = "a: " + "[" * 100_000 + "\n"  # no recursion anywhere: a message, not a RecursionError
    assert _fast_load(deep, depth) is None
    result = assert_same(deep)
    assert result[0] == "error" and "nested more than 32 levels" in result[1]


def test_a_control_character_is_a_message_with_its_line() -> None:
    for text in ("a: b\nc: d\x07e\n", "a: b\nc: \ud800\n"):
        result = assert_same(text)
        assert result[0] == "error" and result[2] == 2 and "is not allowed in a YAML file" in result[1], result


def test_aliases_are_refused_before_they_multiply() -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 9) + "]\n" for n in range(8)
    )
    result = assert_same(laughs)
    assert result[0] == "error" and "anchor &a is not allowed" in result[1] and result[2] == 1


def _mutations(seed: int, count: int) -> list[str]:
    """Real files with a few characters inserted, deleted or copied elsewhere: near-valid YAML, where
    the two parsers' corners are."""
    rng = random.Random(seed)
    pieces = list(":-#[]{},'\"|>!&*?%@` \t\n\\") + ["a", "1", "é", "  ", "\n  ", ": ", "- ", "# ", "---\n", "...\n"]
    texts = [path.read_text(encoding="utf-8") for path in PROJECT_YAML if path.stat().st_size < 6000]
    found = []
    for _ in range(count):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            choice = rng.random()
            if choice < 0.4:
                text = text[:at] + rng.choice(pieces) + text[at:]
            elif choice < 0.7:
                text = text[:at] + text[at + rng.randint(1, 5):]
            else:
                start = rng.randrange(len(text) + 1)
                text = text[:at] + text[start : start + rng.randint(1, 30)] + text[at:]
        found.append(text)
    return found


BITS = ["a", "b c", "¿Qué?", "Who?", "x:y", "x: y", "10:30", "#1", " #c", "a#b", "-", "- x", "[x]", "{x}", "x,y", "'",
        '"', "!x", "&x", "*x", "%x", "@x", "`x", "|", ">", "1", "0.5", "0x1F", "1:20", "2024-01-02", "yes", "~",
        ".nan", "<<", "=", "...", "---", "\\", "é", "😀", "", " ", "http://x.org/a?b=c", "a?b", "**b**",
        "٣"]  # fmt: skip


def _generated(seed: int, count: int) -> list[str]:
    """Random trees written in random styles (block, flow, plain, quoted, block scalars) with risky texts
    left unquoted: about a quarter are valid, so the accepting path is exercised too."""
    rng = random.Random(seed)

    def scalar() -> str | None:
        text = "".join(rng.choice(BITS) for _ in range(rng.randint(1, 3)))
        style = rng.random()
        if style < 0.55:
            return text
        if style < 0.7:
            return "'" + text.replace("'", "''") + "'"
        if style < 0.85:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return None  # a block scalar

    def tree(depth: int) -> tuple[str, Any]:
        if depth > 3 or rng.random() < 0.4:
            return ("scalar", scalar())
        if rng.random() < 0.6:
            return ("map", [(scalar() or "k", tree(depth + 1)) for _ in range(rng.randint(0, 3))])
        return ("list", [tree(depth + 1) for _ in range(rng.randint(0, 3))])

    def flow(node: tuple[str, Any]) -> str:
        kind, value = node
        if kind == "scalar":
            return value if value is not None else "z"
        if kind == "map":
            return "{" + ", ".join(f"{key}: {flow(item)}" for key, item in value) + "}"
        return "[" + ", ".join(flow(item) for item in value) + "]"

    def block(node: tuple[str, Any], indent: int) -> str:
        kind, value = node
        pad = " " * indent
        out = []
        for entry in value:
            key, item = entry if kind == "map" else ("-", entry)
            lead = f"{pad}{key}:" if kind == "map" else f"{pad}-"
            if item[0] == "scalar" and item[1] is None:
                header = rng.choice(["|", ">", "|-", ">+"])
                out.append(f"{lead} {header}\n{pad}  {rng.choice(BITS)}\n{pad}  {rng.choice(BITS)}")
            elif item[0] == "scalar":
                out.append(f"{lead} {item[1]}")
            elif rng.random() < 0.3 or not item[1]:
                out.append(f"{lead} {flow(item)}")
            else:
                out.append(f"{lead}\n" + block(item, indent + 2))
        return "\n".join(out)

    return [
        block(("map", [(scalar() or "k", tree(1)) for _ in range(rng.randint(1, 4))]), 0) + rng.choice(["", "\n", " #"])
        for _ in range(count)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mutated_real_files_read_the_same(seed: int) -> None:
    for text in _mutations(seed, 200):
        assert_same(text)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_documents_read_the_same(seed: int) -> None:
    accepted = sum(assert_same(text)[0] == "ok" for text in _generated(seed, 1000))
    assert accepted > 100  # the accepting path, not only errors
