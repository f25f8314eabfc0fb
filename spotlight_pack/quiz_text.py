"""Quiz texts (prompts, options, feedback, …) are one paragraph of inline Markdown.

``check`` accepts exactly what ``html`` renders: emphasis, strong, code, line breaks, links
(https://, page:module/page, mailto:) and images under media/. A construct that would need block
HTML (a list, a heading, a quote, a second paragraph) cannot go inside a question's legend or an
option's label, so it is a problem with the fix spelled out, never raw Markdown on the learner's
screen. ``plain`` is the same text without markup, for SCORM/xAPI descriptions.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape

_BLOCKS = {
    "heading_open": "a '#' at the start of a line makes a heading",
    "bullet_list_open": "a '-', '*' or '+' and a space at the start of a line make a list",
    "ordered_list_open": "a number and '.' or ')' at the start of a line make a numbered list",
    "blockquote_open": "a '>' at the start of a line makes a quote",
    "code_block": "a line indented by four spaces makes a code block",
    "fence": "``` makes a code block",
    "hr": "a line of '-', '*' or '_' makes a rule",
    "html_block": "raw HTML is not allowed",
    "table_open": "tables are not allowed",
}
_FIX = (
    "quiz texts take one paragraph of inline Markdown (**bold**, *italic*, `code`, links, images); "
    "put a backslash before the character (\\1. \\- \\#) to write it as text"
)
_SPACES = re.compile(r"\s+")
# Text in which no Markdown construct can start (most quiz texts): no markup character, no line
# break, no list, heading, quote or rule marker at the start. It renders as itself, escaped.
# One line that cannot start a block (heading, quote, list, code, HTML block, rule): only inline
# Markdown can be in it, so markdown-it's inline parser alone reads it (a bank has hundreds).
_ONE_INLINE_LINE = re.compile(
    r"(?![ \t]*(?:[#>]|[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|```|~~~|<|=+[ \t]*$|[-*_](?:[ \t]*[-*_]){2,}[ \t]*$)"
    r"|[ ]{4}|\t)[^\n\r]*"
)
_PLAIN = re.compile(r"(?![ \t]*(?:\d{1,9}[.)]|[-+*>#=_])|[ ]{4}|\t)[^*_`\[\]!<>#&\\\n\r]*")


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "typographer": False})


def parse(text: str) -> tuple[list[Token], list[str]]:
    """The inline tokens of ``text`` and the problems that keep it from rendering as inline HTML."""
    if _PLAIN.fullmatch(text):
        return [Token("text", "", 0, content=text)], []
    tokens = _tokens(text)
    problems: list[str] = []
    kinds = [token.type for token in tokens]
    for kind, reason in _BLOCKS.items():
        if kind in kinds:
            problems.append(f"{reason}: {_FIX}")
    if kinds.count("paragraph_open") > 1:
        problems.append(f"a blank line starts a second paragraph: {_FIX}")
    children = [child for token in tokens if token.type == "inline" for child in token.children or []]
    if any(child.type == "html_inline" for child in children):
        problems.append("raw HTML is not allowed in quiz texts: use Markdown")
    return children, problems


def _tokens(text: str) -> list[Token]:
    if _ONE_INLINE_LINE.fullmatch(text):
        return _parser().parseInline(text)
    return _parser().parse(text)


@cache
def html(text: str) -> str:
    """Inline HTML of a checked quiz text (escaped; links and images as on content pages)."""
    from .sources import page_anchor

    if _PLAIN.fullmatch(text):
        return escape(text.strip())
    tokens = _tokens(text)
    for token in tokens:
        for child in token.children or []:
            if child.type == "image":
                child.attrSet("loading", "lazy")
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if href.startswith("page:") and "/" in href:
                    target = href.removeprefix("page:")
                    child.attrSet("href", "#" + page_anchor(*target.split("/", 1)))
                    child.attrSet("data-page", target)
                elif href.startswith("https://"):
                    child.attrSet("target", "_blank")
                    child.attrSet("rel", "noopener")
                    child.attrSet("class", "external")
    rendered = _parser().renderer.render(tokens, _parser().options, {}).strip()
    return rendered.removeprefix("<p>").removesuffix("</p>")


@cache
def plain(text: str) -> str:
    """The text a learner reads, without markup: images give their alt text."""
    parts: list[str] = []
    for child in parse(text)[0]:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "image":
            parts.append("".join(grandchild.content for grandchild in child.children or []))
    return _SPACES.sub(" ", "".join(parts)).strip()
