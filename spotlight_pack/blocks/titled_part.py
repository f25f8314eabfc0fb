"""A titled part of a container block: an accordion's ``::: section Title``, a tabs' ``::: tab Title``.

Both read the same way (a title on the directive's line, a body that should not be empty) and differ
only in their container, their block type and their template (``<name>.html.j2``, which gets the
block under its kind's name), so one kind serves both.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Block
from .base import Directive, PageContext, markup


class TitledPartKind:
    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    stateful = False

    def __init__(self, name: str, container: str, make: Callable[..., Block]) -> None:
        self.name = name
        self.parents = frozenset({container})
        self._make = make

    def read(self, ctx: PageContext, directive: Directive) -> Block | None:
        title = directive.argument.strip()
        if not title:
            ctx.problem(directive.line, f"a {self.name} needs its title on its first line: '::: {self.name} Title'")
            return None
        if not directive.body_html.strip():
            ctx.problem(directive.line, f"{self.name} '{title}' is empty: write its text before the closing ':::'")
        number = ctx.number(self.name)
        return self._make(
            kind=self.name,
            id=str(number),
            title=title,
            html_id=ctx.html_id(self.name, str(number)),
            level=ctx.heading_level,
        )

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str:
        return ctx.render(f"{self.name}.html.j2", **{self.name: block}, body=markup(directive.body_html))
