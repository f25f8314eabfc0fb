"""Blocks inside a page's Markdown: the directive syntax, and rendering the token tree with each
directive handed to its kind.

One container rule (mdit-py-plugins' ``container``) recognises every ``::: word …`` fence; the word
is looked up in the registry here, so an unknown or misspelt kind is a file:line problem rather than
text left on the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from ..model import Block
from .base import Directive, PageContext

OPEN = "container_block_open"
CLOSE = "container_block_close"
FENCE_LINE = re.compile(r"^[ \t]{0,3}:{3,}")
MAX_FENCE_WORK = 4_000_000
"""Opening fences times lines in one page: the container rule looks for each fence's end line by
line, so unclosed fences cost their count times the page's lines. Real pages: a few fences, a few
hundred lines."""


def enable_blocks(md: MarkdownIt) -> MarkdownIt:
    """Teach a parser the ``::: kind …`` fences (any word: unknown ones are reported, not ignored)."""
    container_plugin(md, "block", validate=lambda params, *_: bool(re.match(r"^\s*[A-Za-z]", params)))
    return md


def fence_work_problem(text: str) -> str | None:
    lines = text.split("\n")
    fences = sum(1 for line in lines if FENCE_LINE.match(line))
    if fences * len(lines) > MAX_FENCE_WORK:
        return (
            f"holds {fences:,} ':::' fences in {len(lines):,} lines, more than a page can be checked for "
            "(docs/source-format.md); it is not parsed"
        )
    return None


def _close_of(tokens: Sequence[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].type == OPEN:
            depth += 1
        elif tokens[index].type == CLOSE:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _plain(tokens: Sequence[Token]) -> str:
    parts = []
    for token in tokens:
        if token.type == "inline":
            parts.append(
                "".join(
                    child.content
                    for child in token.children or []
                    if child.type in {"text", "text_special", "code_inline"}
                )
            )
    return " ".join(part.strip() for part in parts if part.strip())


class BlockRenderer:
    """Renders a page's tokens to HTML, each directive by its kind; collects the blocks read."""

    def __init__(self, md: MarkdownIt, ctx: PageContext, offset: int) -> None:
        from . import KINDS  # the registry imports the kind modules, which import base

        self.md = md
        self.ctx = ctx
        self.offset = offset
        self.kinds = KINDS
        self.blocks: list[Block] = []

    def render(self, tokens: Sequence[Token], parent: str | None = None) -> tuple[str, list[tuple[Block, str]], bool]:
        """HTML of ``tokens``, the blocks directly in them with their HTML, and whether there is
        anything else (text) beside those blocks."""
        out: list[str] = []
        pending: list[Token] = []
        children: list[tuple[Block, str]] = []
        loose = False
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type != OPEN:
                if token.type == "heading_open":
                    self.ctx.heading_level = min(int(token.tag[1]) + 1, 6)
                if token.type == "inline" and token.content.strip().startswith(":::"):
                    self.ctx.problem(self._line(token), "':::' closes a block, but no block is open here")
                pending.append(token)
                loose = True
                index += 1
                continue
            if pending:
                out.append(self.md.renderer.render(pending, self.md.options, {}))
                pending = []
            close = _close_of(tokens, index)
            result = self._directive(token, tokens[index + 1 : close], parent)
            if result:
                children.append(result)
                out.append(result[1])
            index = close + 1
        if pending:
            out.append(self.md.renderer.render(pending, self.md.options, {}))
        return "".join(out), children, loose

    def _line(self, token: Token) -> int | None:
        return token.map[0] + self.offset + 1 if token.map else None

    def _directive(self, token: Token, inner: Sequence[Token], parent: str | None) -> tuple[Block, str] | None:
        line = self._line(token) or 0
        words = token.info.split(None, 1)
        name = words[0] if words else ""
        argument = words[1].strip() if len(words) > 1 else ""
        kind = self.kinds.get(name)
        if kind is None:
            known = ", ".join(sorted(k.name for k in self.kinds.values() if not k.parents))
            self.ctx.problem(line, f"unknown block '::: {name}' (blocks: {known})")
            return None
        if kind.parents and parent not in kind.parents:
            self.ctx.problem(
                line,
                f"'::: {name}' belongs inside '::: {' or '.join(sorted(kind.parents))}' "
                "(with a longer fence around it)",
            )
            return None
        level = self.ctx.heading_level
        body, children, loose = self.render(inner, parent=name)
        self.ctx.heading_level = level
        directive = Directive(
            name=name,
            argument=argument,
            line=line,
            body_html=body,
            body_text=_plain(inner),
            children=tuple(children),
            loose=loose,
        )
        block = kind.read(self.ctx, directive)
        if block is None:
            return None
        self.blocks.append(block)
        return block, kind.render(self.ctx, block, directive)
