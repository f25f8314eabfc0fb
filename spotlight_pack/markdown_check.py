"""Markdown that would reach learners as raw text: found here, so ``check`` refuses it with the fix.

CommonMark never fails: whatever it cannot read as syntax it keeps as text. ``![foto](media/foto
huerto.svg)`` (a space in the path), ``**bold`` (never closed), ``[text][ref]`` (no definition),
``#Title`` (no space) or a table whose rows do not line up all come out as the characters the
designer typed. So after parsing we look at what is still text: any piece of syntax left there is a
problem. The rule is "check accepts exactly what the renderer renders": a construct is either
rendered (tables, reference links with their definition, autolinks, entities, setext headings,
nested emphasis, fenced code) or reported here.

Escapes are respected: ``\\*\\*`` is two asterisks the designer asked for. That is why the parser
keeps escapes as their own tokens (``text_join`` off) and renders them like text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

_OTHER = "\x00"  # stands for anything that is not plain text (escapes, code, links' edges)

_LINK = re.compile(r"(!?)\[([^\]\x00]*)\]\(([^)\x00]*)(\)?)")
_REFERENCE = re.compile(r"(!?)\[([^\]\x00]*)\]\[([^\]\x00]*)\]")
_SPACED_LINK = re.compile(r"(!?)\[([^\]\x00]*)\][ \t]+\((https://|http://|page:|mailto:|media/)")
_SHORT_IMAGE = re.compile(r"!\[([^\]\x00]*)\]?")
_FOOTNOTE = re.compile(r"\[\^([^\]\x00]*)\]")
_STRONG = re.compile(r"\*\*")
_UNDERSCORES = re.compile(r"(?<![_\w])__(?=[^\W_])|(?<=[^\W_])__(?![_\w])")
_BACKTICK = re.compile(r"`+")
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_ANGLE = re.compile(r"<([^<>\s\x00][^<>\x00]*)>")

_HEADING_NO_SPACE = re.compile(r"^ {0,3}(#{1,6})[^\s#]")
_TOO_DEEP = re.compile(r"^ {0,3}#{7,}")
_TABLE_ROW = re.compile(r"^ {0,3}(\|.*|.*\|\s*:?-{3,}:?\s*(\|.*)?)$")
_BAD_DEFINITION = re.compile(r"^ {0,3}\[([^\]^][^\]]*)\]:\s")
FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[(\^[^\]]*)\]:")


def markdown_parser(*, tables: bool = True) -> MarkdownIt:
    """CommonMark (with tables) that keeps escapes apart so the checks below can tell them from syntax.

    HTML is parsed (so it can be reported) but a page with any is never rendered."""
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    if tables:
        md.enable("table")
    md.core.ruler.disable("text_join")
    md.add_render_rule("text_special", _render_text_special)
    return md


def _render_text_special(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return escapeHtml(tokens[idx].content)


def _text_lines(children: list[Token]) -> list[str]:
    """The plain text of an inline token, one string per source line; anything else is ``_OTHER``."""
    lines = [""]
    for child in children:
        if child.type in {"softbreak", "hardbreak"}:
            lines.append("")
        elif child.type == "text":
            lines[-1] += child.content
        else:
            lines[-1] += _OTHER
    return lines


def _link_problem(match: re.Match[str]) -> str:
    kind = "image" if match.group(1) else "link"
    target = match.group(3).strip()
    shown = f"{match.group(1)}[{match.group(2)}]({match.group(3)}{match.group(4)}"
    if not match.group(4):
        return f"{kind} '{shown}' has no closing ')': learners would see it as text"
    if re.search(r"\s", target):
        if kind == "image":
            fixed = re.sub(r"\s+", "-", target)
            return (
                f"image path '{target}' has a space, so learners would see '{shown}' as text: rename the file "
                f"without spaces (e.g. {fixed}) and write ![…]({fixed})"
            )
        return (
            f"link address '{target}' has a space, so learners would see '{shown}' as text: "
            "write %20 for each space in the address"
        )
    return f"{kind} '{shown}' is not recognised (check its brackets and parentheses): learners would see it as text"


def leftovers(children: list[Token]) -> Iterator[tuple[int, str]]:
    """(line offset, message) for every piece of Markdown syntax an inline token kept as plain text."""
    for offset, text in enumerate(_text_lines(children)):
        reported: list[tuple[int, int]] = []
        for match in _LINK.finditer(text):
            reported.append(match.span())
            yield offset, _link_problem(match)
        for match in _SPACED_LINK.finditer(text):
            reported.append(match.span())
            kind = "image" if match.group(1) else "link"
            yield (
                offset,
                (
                    f"{kind} '{match.group(0)}…' has a space between ']' and '(': write {match.group(1)}[…](…) "
                    "with nothing between them"
                ),
            )
        for match in _REFERENCE.finditer(text):
            reported.append(match.span())
            label = match.group(3) or match.group(2)
            yield (
                offset,
                (
                    f"'[{match.group(2)}][{match.group(3)}]' refers to a link definition '[{label}]: …' that the "
                    f"page does not have: add a line '[{label}]: https://…' (or media/… for an image), or write "
                    "[text](https://…)"
                ),
            )
        for match in _SHORT_IMAGE.finditer(text):
            if not any(start <= match.start() < end for start, end in reported):
                yield (
                    offset,
                    (
                        f"image '{match.group(0)}' has no path: "
                        f"write ![{match.group(1) or 'description'}](media/file.svg)"
                    ),
                )
                break
        if match := _FOOTNOTE.search(text):
            yield (
                offset,
                (
                    f"footnotes such as '[^{match.group(1)}]' are not supported: put the note in the text, in "
                    "parentheses, or in the page's references"
                ),
            )
        if _STRONG.search(text):
            yield (
                offset,
                (
                    "'**' is left as text: bold needs **text** with no space after the opening or before the "
                    "closing asterisks, on one paragraph (write \\*\\* for literal asterisks)"
                ),
            )
        if _UNDERSCORES.search(text):
            yield (
                offset,
                (
                    "'__' is left as text: bold needs __text__ with no space inside, or use **text** "
                    "(write \\_\\_ for literal underscores)"
                ),
            )
        if _BACKTICK.search(text):
            yield offset, "'`' opens code that is never closed: close it with a second ` or write \\` for the character"
        if match := _ENTITY.search(text):
            yield offset, f"'{match.group(0)}' is not a known HTML entity: type the character itself"
        if match := _ANGLE.search(text):
            yield (
                offset,
                (
                    f"'<{match.group(1)}>' is shown with its angle brackets: for a link write <https://…> or "
                    "[text](https://…); for the characters, write \\<"
                ),
            )


def paragraph_line_problems(source: str) -> Iterator[tuple[int, str]]:
    """(line offset, message) for paragraph lines that look like a heading, a table row or a link
    definition but were read as plain text (``source`` is the paragraph as written)."""
    for offset, line in enumerate(source.split("\n")):
        if match := _HEADING_NO_SPACE.match(line):
            hashes = match.group(1)
            yield (
                offset,
                (
                    f"'{line.strip()[:30]}' is not a heading: put a space after '{hashes}' "
                    f"(or write \\{hashes[0]} for the character)"
                ),
            )
        elif _TOO_DEEP.match(line):
            yield offset, "headings go down to ###### (six levels): use fewer '#'"
        elif _TABLE_ROW.match(line):
            yield (
                offset,
                (
                    "this line looks like a table row but is not in a table: a table is a header row, then a "
                    "|---|---| row with as many columns, then one row per line, with a blank line before the table"
                ),
            )
        elif match := _BAD_DEFINITION.match(line):
            yield (
                offset,
                (
                    f"link definition '[{match.group(1)}]:' is not valid (its address has a space or is missing): "
                    f"write '[{match.group(1)}]: https://…' with no spaces in the address"
                ),
            )
