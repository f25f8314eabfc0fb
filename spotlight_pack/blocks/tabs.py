"""``:::: tabs`` holding ``::: tab Title`` blocks: the WAI-ARIA APG tabs pattern (automatic activation).

The HTML has every panel with its title as a heading, in order: that is what a page without
JavaScript and a printed page show. The player module (runtime/blocks/tabs.js) builds the
``tablist`` from the titles: Left/Right arrows move between tabs (wrapping), Home/End go to the first
and last, the focused tab is shown; Tab moves into the panel.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Block
from .base import Directive, PageContext, markup
from .strings import block_strings
from .titled_part import TitledPartKind


@dataclass(frozen=True)
class Tab(Block):
    title: str
    html_id: str
    level: int


@dataclass(frozen=True)
class Tabs(Block):
    html_id: str
    titles: tuple[str, ...]


class TabsKind:
    name = "tabs"
    scripts = ("blocks/tabs.js",)
    styles = ("blocks/tabs.css",)
    parents: frozenset[str] = frozenset()
    stateful = False

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        tabs = [block for block, _ in directive.children if isinstance(block, Tab)]
        if directive.loose or len(tabs) != len(directive.children) or len(tabs) < 2:
            ctx.problem(
                directive.line,
                "tabs hold only '::: tab Title' blocks (at least two), each closed by ':::', inside '::::' fences",
            )
            return None
        number = ctx.number("tabs")
        return Tabs(
            kind=self.name,
            id=str(number),
            html_id=ctx.html_id("tabs", str(number)),
            titles=tuple(tab.title for tab in tabs),
        )

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ctx.render("tabs.html.j2", tabs=block, body=markup(directive.body_html), s=block_strings(ctx.lang))


TABS = TabsKind()
TAB = TitledPartKind("tab", "tabs", Tab)
