"""``::: check ID``: a knowledge check inside a page, with the assessment engine's questions.

The questions are in ``<module folder>/ID.check.yaml``, written exactly like a module's ``quiz.yaml``
(any question type of ``spotlight_pack/questions``, pools, feedback policy; docs/source-format.md),
and read by the same reader: there is one question implementation. Each language's page names the
check where it goes; the form is the quiz engine's own, put in place by the renderer (the block
leaves a ``<spotlight-quiz>`` marker). A check is never scored: it gives feedback (``immediate`` unless
the file says otherwise) and is tracked as answered (xAPI ``answered`` statements whose parent is the
page; SCORM, like self-checks, records only the assessment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Block, Quiz
from .base import Directive, PageContext


@dataclass(frozen=True)
class Check(Block):
    quiz: Quiz
    html_id: str
    level: int


class CheckKind:
    name = "check"
    scripts = ("blocks/check.js",)
    styles = ("blocks/check.css",)
    parents: frozenset[str] = frozenset()
    stateful = False  # its answers are the quiz engine's, in the quizzes' part of the state

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        words, options, bad = directive.split()
        line = directive.line
        if len(words) != 1 or options or bad or not re.match(r"^[a-z][a-z0-9-]*$", words[0]) or words[0] == "quiz":
            ctx.problem(line, "write '::: check ID' (lowercase letters, digits, hyphens; not 'quiz'), with the "
                        "questions in ID.check.yaml beside the module's pages")
            return None
        if directive.body_text:
            ctx.problem(line, "a check's questions are in its .check.yaml file: leave the block empty")
        if ctx.read_check is None or not ctx.unique(self.name, words[0], line):
            return None
        quiz, reason = ctx.read_check(ctx.module_id, words[0])
        if reason:
            ctx.problem(line, reason)
        if quiz is None:
            return None
        return Check(kind=self.name, id=words[0], quiz=quiz, html_id=ctx.html_id("check", words[0]),
                     level=ctx.heading_level)

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ctx.render("check.html.j2", check=block, lang=ctx.lang)


CHECK = CheckKind()
