"""``::: check ID``: a knowledge check inside a page, with the assessment engine's questions.

The questions are in ``<module folder>/ID.check.yaml``, written exactly like a module's ``quiz.yaml``
(any question type of ``spotlight_pack/questions``, pools, attempts, feedback policy;
docs/source-format.md), and read by the same reader: there is one question implementation. Each
language's page names the check where it goes; the form is the quiz engine's own (templates/
quiz_form.html.j2), put in place by the renderer where the block leaves a ``<spotlight-quiz>``
marker, and run in the player by the quiz engine (runtime/quiz.js), which the player opens when the
page is shown (``data.quizzes[].page``): the kind needs no player module of its own.

A check is never scored and never holds back completion: it gives feedback (``immediate`` unless the
file says otherwise), its answers are kept in the quizzes' part of the saved state, and each answer is
tracked (xAPI ``answered`` with the page as parent; SCORM, a ``cmi.interactions`` entry).
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
    scripts: tuple[str, ...] = ()  # the quiz engine runs it
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
        quiz, reason = ctx.read_check(ctx.module_id, ctx.page_id, words[0])
        if reason:
            ctx.problem(line, reason)
        if quiz is None:
            return None
        return Check(kind=self.name, id=words[0], quiz=quiz, html_id=ctx.html_id("check", words[0]),
                     level=ctx.heading_level)

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ctx.render("check.html.j2", check=block, lang=ctx.lang)


CHECK = CheckKind()
