"""``::: reflection ID`` with the question in its body: free text the learner keeps.

The text is saved with the learner's progress (the resume state, so it comes back in any later
session and on another device) and can be sent to the LRS for a tutor to read (``send=yes``: an
xAPI ``answered`` statement on a ``cmi.interaction`` of type ``long-fill-in``; nothing in SCORM).

Room: ``max=N`` characters (default 800, at most 4,000). SCORM 1.2 keeps 4,096 characters of
``cmi.suspend_data`` for the whole course, and the text takes about 1.4 characters of it per letter
(UTF-8 in base64url). When the whole state does not fit, the player keeps everything but the
reflections' text, and each reflection says so next to the box ("too long for the platform to save:
shorten it or copy it elsewhere"); SCORM 2004 (64,000) and the xAPI formats have room to spare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Block
from .base import Directive, PageContext, markup
from .strings import block_strings

DEFAULT_MAX = 800
LIMIT = 4000


@dataclass(frozen=True)
class Reflection(Block):
    iri: str
    html_id: str
    prompt: str
    max_length: int
    send: bool


class ReflectionKind:
    name = "reflection"
    scripts = ("blocks/reflection.js",)
    styles = ("blocks/reflection.css",)
    parents: frozenset[str] = frozenset()
    stateful = True

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        words, options, bad = directive.split()
        line = directive.line
        for word in bad:
            ctx.problem(line, f"'{word}' is not an option of ::: reflection (write name=value without spaces)")
        for option in sorted(set(options) - {"max", "send"}):
            ctx.problem(line, f"unknown option '{option}' for ::: reflection (options: max, send)")
        if len(words) != 1 or not re.match(r"^[a-z][a-z0-9-]*$", words[0]):
            ctx.problem(line, "write '::: reflection ID' with an id of lowercase letters, digits and hyphens")
            return None
        if not ctx.unique(self.name, words[0], line):
            return None
        max_length = DEFAULT_MAX
        if "max" in options:
            if not options["max"].isdigit() or not 1 <= int(options["max"]) <= LIMIT:
                ctx.problem(line, f"max must be a number of characters from 1 to {LIMIT:,}")
            else:
                max_length = int(options["max"])
        send = options.get("send", "no")
        if send not in {"yes", "no"}:
            ctx.problem(line, "send must be yes or no")
        if not directive.body_text:
            ctx.problem(line, "the reflection needs its question: write it between '::: reflection …' and ':::'")
            return None
        return Reflection(
            kind=self.name,
            id=words[0],
            iri=f"{ctx.iri}/reflection/{words[0]}",
            html_id=ctx.html_id("reflection", words[0]),
            prompt=directive.body_text,
            max_length=max_length,
            send=send == "yes",
        )

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ctx.render("reflection.html.j2", r=block, body=markup(directive.body_html), s=block_strings(ctx.lang))


REFLECTION = ReflectionKind()
