"""One message per common YAML mistake, each with the line to look at and the fix.

PyYAML reports what its parser expected, in its own terms: "mapping values are not allowed here",
"expected <block end>, but found '?'" ('?' is its name for a key, not a character on the line). A
designer needs to hear which of the usual mistakes it is: a tab, a line indented differently from
its neighbours, a colon or a quote inside a text, a ``{es: …, en: …}`` line broken by a comma or a
question mark, a list item among keys. ``explain`` turns a parser error plus the file's text into
that message; anything it does not recognise still gets a plain-language version, never PyYAML's
token names.
"""

from __future__ import annotations

import re

import yaml

QUOTE_FIX = 'put the whole text in double quotes, and write a double quote inside it as \\" (or use « »)'
BLOCK_FORM = (
    "write the key alone on its line and each language's text on its own line below it, indented (es: …, then en: …)"
)
TOKEN_NAMES = {
    "'?'": "a new key",
    "'-'": "a list item ('- ')",
    "'<block mapping start>'": "a new block of keys",
    "'<block sequence start>'": "a new list",
    "'<block end>'": "the end of the block",
    "'<scalar>'": "more text",
    "'<stream end>'": "the end of the file",
    "'<document start>'": "'---'",
    "':'": "':'",
}
_NO_SPACE_KEY = re.compile(r"^\s*(?:- +)?([A-Za-z_][\w-]*):(\S.*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _quoted(line: str) -> str:
    shown = line.strip()
    return f"'{shown[:60]}…'" if len(shown) > 60 else f"'{shown}'"


def _plain(problem: str) -> str:
    """PyYAML's wording with its token names replaced by words a designer knows."""
    for token, words in TOKEN_NAMES.items():
        problem = problem.replace(f"found {token}", f"found {words}").replace(f"got {token}", f"got {words}")
    return problem


def _previous(lines: list[str], index: int) -> int | None:
    """Index of the closest non-blank, non-comment line before ``index``."""
    for candidate in range(index - 1, -1, -1):
        stripped = lines[candidate].strip()
        if stripped and not stripped.startswith("#"):
            return candidate
    return None


def _text_fix(line: str) -> str:
    """The line rewritten with its value in double quotes: ``es: "Nota: algo"``."""
    match = re.match(r"^(\s*(?:- +)?[^\s:#'\"][^:#]*?:\s+)(.*)$", line)
    if not match:
        return QUOTE_FIX
    value = match.group(2).strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'{QUOTE_FIX}: {match.group(1).strip()} "{value}"'


def explain(error: yaml.MarkedYAMLError, text: str) -> tuple[int | None, str]:
    """(line, message) for a YAML syntax error in ``text``."""
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
            return number, (
                "this line is indented with a tab: YAML indents with spaces only; replace the tab with spaces "
                "(two per level, lined up with the lines around it)"
            )
    problem = error.problem or ""
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return None, f"YAML syntax error: {_plain(problem or context)}"
    index = min(mark.line, len(lines) - 1)
    line = lines[index]
    start = error.context_mark.line if error.context_mark else index
    start_line = lines[min(start, len(lines) - 1)]

    if "quoted scalar" in context and "end of stream" in problem:
        return start + 1, (
            f"the quote that opens the text on this line ({_quoted(start_line)}) is never closed: end the text "
            f"with the same quote on this line; for a quote inside the text, {QUOTE_FIX.split(', and ')[1]}"
        )
    if "flow sequence" in context:
        return start + 1, (
            f"the [ … ] list that starts on this line is not closed or has a text with , : ? # [ ] {{ }} in it "
            f"({_quoted(start_line)}): close it with ']' on the same line, and put such texts in double quotes"
        )
    if "flow" in context:
        return start + 1, (
            f"the {{es: …, en: …}} form on this line breaks when a text contains , : ? # [ ] {{ }} or quotes "
            f"({_quoted(start_line)}): {BLOCK_FORM}; or put each text in double quotes"
        )
    if "found '}'" in problem or "found ']'" in problem:
        return index + 1, f"a '}}' or ']' on this line closes nothing ({_quoted(line)}): remove it, or {BLOCK_FORM}"
    if "'<scalar>'" in problem and re.search(r":\s+['\"]", line):
        return index + 1, (
            f"the text on this line starts with a quote, so YAML ends it at the next quote and cannot read "
            f"the rest ({_quoted(line)}): {_text_fix(_strip_outer_quotes(line))}"
        )
    if "mapping values are not allowed" in problem:
        return _colon(lines, index, mark.column)
    if "cannot start any token" in problem or "alias" in context or "anchor" in context:
        return index + 1, f"a text cannot start with @, `, * or & ({_quoted(line)}): {_text_fix(line)}"
    if "sequence entries are not allowed" in problem or "mapping keys are not allowed" in problem:
        return index + 1, f"a text cannot start with '- ' or '? ' ({_quoted(line)}): {_text_fix(line)}"
    if "block scalar" in context:
        return index + 1, f"a text cannot start with '|' or '>' ({_quoted(line)}): {_text_fix(line)}"
    if "another document" in problem:
        return index + 1, "a line '---' starts a second document: remove it (a course file holds one set of keys)"
    if "expected <block end>" in problem:
        return _misaligned(lines, index, start, problem)
    return index + 1, f"YAML syntax error: {_plain(problem or context)}: check the indentation and quotes here"


def _strip_outer_quotes(line: str) -> str:
    """``es: "Dijo "no" y se fue"`` as the text the designer meant, for the suggested fix."""
    match = re.match(r"^(\s*(?:- +)?[^\s:#'\"][^:#]*?:\s+)(['\"])(.*)$", line)
    if not match:
        return line
    value = match.group(3).rstrip()
    if not value.endswith(match.group(2)):
        return line  # '"Dijo" y se fue': the quotes are part of the text
    return match.group(1) + value[:-1].replace(match.group(2) * 2, match.group(2))


def _colon(lines: list[str], index: int, column: int) -> tuple[int, str]:
    """ "mapping values are not allowed here": a colon inside a text, a key with no space after its
    colon on the line above, or a key indented deeper than its neighbours."""
    line = lines[index]
    first_colon = re.search(r":(\s|$)", line)
    if first_colon and first_colon.start() < column:
        return index + 1, (
            f"the text on this line contains ': ' (a colon and a space), which YAML reads as another key "
            f"({_quoted(line)}): {_text_fix(line)}"
        )
    above = _previous(lines, index)
    if above is not None and (match := _NO_SPACE_KEY.match(lines[above])):
        return above + 1, (
            f"'{match.group(1)}:{match.group(2)[:40]}' needs a space after the colon: write "
            f"'{match.group(1)}: {match.group(2)[:40]}'"
        )
    if above is not None and _indent(line) > _indent(lines[above]):
        return index + 1, (
            f"this line is indented {_spaces(_indent(line))}, more than the line above "
            f"({_spaces(_indent(lines[above]))}): "
            "keys of the same block line up exactly; if the line above is a text that goes on here, put it "
            "on one line or in double quotes"
        )
    return index + 1, (
        f"YAML cannot read a key on this line ({_quoted(line)}): check its indentation against the lines "
        "above, and put texts that contain ': ' in double quotes"
    )


def _misaligned(lines: list[str], index: int, start: int, problem: str) -> tuple[int, str]:
    """ "expected <block end>, but found …": a line that belongs to no block, being indented
    differently from the keys (or items) it follows."""
    line = lines[index]
    above = _previous(lines, index)
    neighbour = lines[above] if above is not None else lines[min(start, len(lines) - 1)]
    key_indent = _indent(neighbour) + (len(neighbour.lstrip(" ")) - len(neighbour.lstrip(" ").lstrip("- ")))
    if "'-'" in problem:
        return index + 1, (
            f"a list item ('- ') among keys ({_quoted(line)}): the lines of one block are either all "
            "'key: value' or all '- ' items; remove the '- ', or put the list under its own key"
        )
    if "'<scalar>'" in problem:
        return index + 1, (f"YAML reads more text after a value on this line ({_quoted(line)}): {_text_fix(line)}")
    return index + 1, (
        f"this line is indented {_spaces(_indent(line))}, the key on the line above {_spaces(key_indent)}: keys "
        "of the same block line up exactly (spaces only); a key under a list item ('- ') lines up with the text "
        "after the '- '"
    )


def _spaces(count: int) -> str:
    return f"{count} space" if count == 1 else f"{count} spaces"


# --------------------------------------------------------------------------- well-formed YAML, wrong shape


def _block_form(languages: tuple[str, ...]) -> str:
    return ", then ".join(f"'{lang}: …'" for lang in languages) + ", each on its own line, indented under the key"


def not_per_language(label: str, value: object, languages: tuple[str, ...]) -> str:
    """Why a value that should hold one text per language does not, and what to write instead."""
    if isinstance(value, list):
        return (
            f"{label} is a list (its lines start with '- '), but it needs one text per language: remove the "
            f"'- ': {_block_form(languages)}"
        )
    if isinstance(value, str | int | float):
        return f"{label} is one text, but it needs one per language: {_block_form(languages)}"
    return f"{label} must have one text per language: {_block_form(languages)}"


def not_text(label: str, lang: str, value: object) -> str:
    """Why a language's text is not text."""
    if isinstance(value, bool):
        return (
            f"{label} in '{lang}' is read as {str(value).lower()}: YAML reads yes, no, on, off, true and false "
            "that way; put the text in double quotes"
        )
    if isinstance(value, list):
        return f"{label} in '{lang}' is a list (lines starting with '- '): write the text after '{lang}: ' instead"
    if isinstance(value, dict):
        return (
            f"{label} in '{lang}' is a block of keys: a text containing ': ' must be in double quotes, and a "
            "text on several lines must be indented under its key"
        )
    return f"{label} in '{lang}' must be text"


def not_a_language(label: str, key: object) -> str:
    """An extra key among the languages: usually a comma in a ``{es: …, en: …}`` line."""
    return (
        f"{label} has '{key}', which is not a course language: a comma inside {{es: …, en: …}} starts a new "
        "key, so write one text per line (es: … then en: …) or put the text in double quotes"
    )
