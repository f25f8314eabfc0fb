"""Source lines of quiz items, from the YAML line map the loader already keeps (``YamlDoc.lines``).

The model carries the line where each question and option starts; a warning points more precisely,
at the line of a prompt in one language, an option's text or its feedback. This module finds those:
it reads a quiz file again with the loader's own YAML reader and indexes questions by id and options
by question and option id, under ``questions:`` or under any ``pools[i].questions:``.

It also reads the designer's deliberate exceptions: a YAML comment ``# lint: ignore[rule-id, …]`` on
the line a warning points to, or on the first line of the question it concerns, silences that rule
there (like ``# noqa`` in Python linters), so that ``--strict`` stays usable with a reviewed
exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sources import YamlDoc, _Collector

IGNORE_COMMENT = re.compile(r"#\s*lint:\s*ignore\[([A-Za-z0-9_,\s-]+)\]")


@dataclass
class QuizLines:
    """Line lookups in one quiz file; every lookup returns None when the file could not be read."""

    doc: YamlDoc | None
    questions: dict[str, tuple[Any, ...]] = field(default_factory=dict)  # question id -> key path
    suppressed: dict[int, frozenset[str]] = field(default_factory=dict)

    def first_line(self) -> int | None:
        return self.doc.line("title") if self.doc else None

    def questions_line(self) -> int | None:
        if self.doc is None:
            return None
        key = "pools" if "pools" in self.doc.data else "questions"
        return self.doc.line(key)

    def has_pools(self) -> bool:
        return self.doc is not None and "pools" in self.doc.data

    def question_line(self, question_id: str, *keys: Any) -> int | None:
        path = self.questions.get(question_id)
        if self.doc is None or path is None:
            return None
        return self.doc.line(*path, *keys)

    def option_line(self, question_id: str, option_id: str, key: str) -> int | None:
        """The line of an option's ``text`` or ``feedback``. A true/false question writes its two options
        implicitly: ``answer`` stands for their text, ``feedback_true``/``feedback_false`` for their feedback."""
        path = self.questions.get(question_id)
        if self.doc is None or path is None:
            return None
        options = self.doc.get(*path, "options")
        if not isinstance(options, list):
            return self.doc.line(*path, "answer" if key == "text" else f"{key}_{option_id}")
        for index, option in enumerate(options):
            if isinstance(option, dict) and option.get("id") == option_id:
                return self.doc.line(*path, "options", index, key)
        return self.doc.line(*path, "options")

    def pool_line(self, pool_id: str, *keys: Any) -> int | None:
        pools = self.doc.get("pools") if self.doc else None
        for index, pool in enumerate(pools if isinstance(pools, list) else []):
            if isinstance(pool, dict) and pool.get("id") == pool_id:
                return self.doc.line("pools", index, *keys) if self.doc else None
        return self.questions_line()


def quiz_lines(path: Path, course_dir: Path) -> QuizLines:
    """Index a quiz file of ``course_dir`` that the loader has already accepted (so its size and place
    were checked): it is read again with the loader's own reader, rooted at the course folder."""
    collector = _Collector(course_dir)
    doc = collector.read_yaml(path) if path.is_file() else None
    if doc is None:
        return QuizLines(None)
    lines = QuizLines(doc, suppressed=_suppressions(path))
    lists: list[tuple[Any, ...]] = [("questions",)]
    pools = doc.get("pools")
    lists += [("pools", index, "questions") for index in range(len(pools))] if isinstance(pools, list) else []
    for list_path in lists:
        entries = doc.get(*list_path)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                lines.questions.setdefault(entry["id"], (*list_path, index))
    return lines


def _suppressions(path: Path) -> dict[int, frozenset[str]]:
    found: dict[int, frozenset[str]] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = IGNORE_COMMENT.search(text)
        if match:
            found[number] = frozenset(part.strip() for part in match.group(1).split(",") if part.strip())
    return found
