"""``:::: accordion`` holding ``::: section Title`` blocks: the WAI-ARIA APG accordion pattern.

Each section is a heading whose button shows or hides its panel (``aria-expanded``,
``aria-controls``; the panel is a region labelled by the button). Up/Down arrows, Home and End move
between the headers (runtime/blocks/accordion.js). In the HTML every panel is open, so a page read
without JavaScript, or printed, shows everything; the script closes them when the page starts. The
heading level follows the page's outline (one below the heading the accordion comes after).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Block
from .base import Directive, PageContext, markup
from .titled_part import TitledPartKind


@dataclass(frozen=True)
class Section(Block):
    title: str
    html_id: str
    level: int


@dataclass(frozen=True)
class Accordion(Block):
    html_id: str
    sections: int


class AccordionKind:
    name = "accordion"
    scripts = ("blocks/accordion.js",)
    styles = ("blocks/accordion.css",)
    parents: frozenset[str] = frozenset()
    stateful = False

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        sections = [block for block, _ in directive.children if block.kind == "section"]
        if directive.loose or len(sections) != len(directive.children) or not sections:
            ctx.problem(
                directive.line,
                "an accordion holds only '::: section Title' blocks, each closed by ':::', inside '::::' fences",
            )
            return None
        number = ctx.number("accordion")
        return Accordion(
            kind=self.name, id=str(number), html_id=ctx.html_id("accordion", str(number)), sections=len(sections)
        )

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ctx.render("accordion.html.j2", accordion=block, body=markup(directive.body_html))


ACCORDION = AccordionKind()
SECTION = TitledPartKind("section", "accordion", Section)
