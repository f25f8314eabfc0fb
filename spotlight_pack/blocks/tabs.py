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


@dataclass(frozen=True)
class Tab(Block):
    title: str
    html_id: str
    level: int


@dataclass(frozen=True)
class Tabs(Block):
    html_id: str
    titles: tuple[str, ...]


class TabKind:
    name = "tab"
    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    parents = frozenset({"tabs"})
    stateful = False

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        title = directive.argument.strip()
        if not title:
            ctx.problem(directive.line, "a tab needs its title on its first line: '::: tab Title'")
            return None
        if not directive.body_html.strip():
            ctx.problem(directive.line, f"tab '{title}' is empty: write its text before the closing ':::'")
        number = ctx.number("tab")
        return Tab(
            kind=self.name,
            id=str(number),
            title=title,
            html_id=ctx.html_id("tab", str(number)),
            level=ctx.heading_level,
        )

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ctx.render("tab.html.j2", tab=block, body=markup(directive.body_html))


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
TAB = TabKind()
