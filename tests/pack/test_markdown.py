"""Check accepts exactly what the renderer renders: no Markdown ever reaches a learner as raw text.

Two sides. Every construct the renderer would leave as text is a ``check`` problem with its file,
line and fix (the broken cases below). And every page of every fixture course and of the four
diplomas, rendered as learners get it, has no Markdown syntax left in its visible text; the
``markdown`` fixture course holds every construct check accepts (reference links, autolinks,
entities, setext headings, nested emphasis, tables, fenced code, escapes) so that side is tested on
all of them. The scan below reads the HTML with its own parser and its own patterns, independent of
``spotlight_pack.markdown_check``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from spotlight_pack import check, load_course
from spotlight_pack.render import render_package
from spotlight_pack.sources import find_courses

ROOT = Path(__file__).resolve().parents[2]
COURSES = find_courses(ROOT / "tests" / "fixtures" / "courses") + find_courses(ROOT / "course_sources")

RAW_MARKDOWN = {
    "image syntax": re.compile(r"!\["),
    "link syntax": re.compile(r"\]\(|\]\[|\]\s+\(https?:"),
    "footnote": re.compile(r"\[\^"),
    "bold asterisks": re.compile(r"\*\*"),
    "bold underscores": re.compile(r"(?<![_\w])__(?=[^\W_])|(?<=[^\W_])__(?![_\w])"),
    "backtick": re.compile(r"`"),
    "heading hashes": re.compile(r"(?m)^[ \t]*#"),
    "table delimiter row": re.compile(r"\|\s*:?-{3,}"),
    "table row": re.compile(r"(?m)^[ \t]*\|.*\|[ \t]*$"),
    "HTML entity": re.compile(r"&#?[A-Za-z0-9]+;"),
    "angle brackets": re.compile(r"<[^<>\s]+>"),
}
BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "legend", "label", "div", "section"}


class _VisibleText(HTMLParser):
    """The text a learner reads, one chunk per block element, keyed by the page it is on.

    Code (``<code>``, ``<pre>``) shows characters on purpose, and scripts and styles are not read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[tuple[str, str]] = []
        self.page = "(before the first page)"
        self.skipping = 0
        self.current = ""

    def _flush(self) -> None:
        if self.current.strip():
            self.chunks.append((self.page, self.current))
        self.current = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "code", "pre"}:
            self.skipping += 1
        if tag == "section":
            self.page = dict(attrs).get("id") or self.page
        if tag in BLOCKS or tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "code", "pre"}:
            self.skipping -= 1
        if tag in BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current += data


def raw_markdown(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [
        f"{page}: {name} in {text.strip()[:100]!r}"
        for page, text in parser.chunks
        for name, pattern in RAW_MARKDOWN.items()
        if pattern.search(text)
    ]


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scanner itself must fail on raw Markdown, or the test below proves nothing."""
    found = raw_markdown(
        '<section id="p"><p>![a](media/a b.svg) **x</p><p>#Title</p><p>| a |\n|---|</p><p>&amp;foo;</p>'
        "<td>`x</td><p>[^1] and [t][r]</p><code>**fine**</code></section>"
    )
    kinds = {line.split(": ")[1].split(" in ")[0] for line in found}
    assert kinds == {
        "image syntax",
        "link syntax",
        "bold asterisks",
        "heading hashes",
        "table delimiter row",
        "table row",
        "HTML entity",
        "backtick",
        "footnote",
    }


@pytest.mark.parametrize("course_dir", COURSES, ids=[f"{path.parent.name}/{path.name}" for path in COURSES])
def test_no_markdown_survives_on_any_page(course_dir: Path) -> None:
    course = load_course(course_dir)
    found: list[str] = []
    for lang in course.languages:
        html = render_package(course, lang, "scorm12")["index.html"].decode()
        found += [f"{lang} {line}" for line in raw_markdown(html)]
    assert not found, "\n".join(found)


def test_every_accepted_construct_renders() -> None:
    course = load_course(ROOT / "tests" / "fixtures" / "courses" / "markdown")
    inline, blocks = (page.html["en"] for page in course.modules[0].pages)
    assert inline.count('class="external">') == 4  # inline, reference, collapsed, shortcut
    assert 'class="external url">https://www.scjn.gob.mx/</a>' in inline  # autolink
    assert '<a href="mailto:contacto@example.org">' in inline
    assert inline.count('<img src="media/steps.svg"') == 2  # inline and by reference
    assert "<h2>Setext heading</h2>" in inline
    assert "<em><strong>both</strong></em>" in inline and "<br />" in inline
    assert "© \xa0— ó é" in inline  # entities decoded
    assert "\\" not in inline and "[not a link]" in inline  # escapes give the character
    label = "A table with long words: Fraction, Descripción, Plazo, Autoridad responsable, Fundamento"
    assert f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">' in blocks
    assert "<pre><code>A fenced block: **not bold**" in blocks


def _problems_after(mini: Path, page: str, text: str) -> list[str]:
    path = mini / "modules" / "01-basics" / page
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + text + "\n", encoding="utf-8")
    return [str(problem) for problem in check(mini)]


# The line of the first added line in 02-details.en.md (it has 6 lines, then a blank line).
FIRST = 8
BROKEN = [
    ("![Foto del huerto](media/foto huerto.svg)", FIRST, "image path 'media/foto huerto.svg' has a space"),
    ("![Foto](media/foto huerto.svg)", FIRST, "rename the file without spaces (e.g. media/foto-huerto.svg)"),
    ("See [the law](https://example.org/ley general.pdf).", FIRST, "link address 'https://example.org/ley general"),
    ("See [the law] (https://example.org/ley.pdf).", FIRST, "has a space between ']' and '('"),
    ("See [the law](https://example.org/ley.pdf.", FIRST, "has no closing ')'"),
    ("See [the law][ley].", FIRST, "refers to a link definition '[ley]: …' that the page does not have"),
    ("See ![the map][map].", FIRST, "refers to a link definition '[map]: …'"),
    ("An image ![with no path].", FIRST, "image '![with no path]' has no path"),
    ("A note.[^1]", FIRST, "footnotes such as '[^1]' are not supported"),
    ("Text.\n\n[^1]: https://example.org/source", FIRST + 2, "footnotes ('[^1]: …') are not supported"),
    ("This is **not closed.", FIRST, "'**' is left as text"),
    ("This is ** spaced** bold.", FIRST, "'**' is left as text"),
    ("This is __not closed.", FIRST, "'__' is left as text"),
    ("Use the `code here.", FIRST, "'`' opens code that is never closed"),
    ("First line\n#Heading without a space", FIRST + 1, "'#Heading without a space' is not a heading"),
    ("####### Seven", FIRST, "headings go down to ######"),
    ("| a | b |\n|---|\n| 1 | 2 |", FIRST, "looks like a table row but is not in a table"),
    ("| a | b |\n|---|\n| 1 | 2 |", FIRST + 1, "looks like a table row but is not in a table"),
    ("[ley]: https://example.org/ley general.pdf", FIRST, "link definition '[ley]:' is not valid"),
    ("Copy &nbps; here.", FIRST, "'&nbps;' is not a known HTML entity"),
    ("Visit <www.oas.org> today.", FIRST, "'<www.oas.org>' is shown with its angle brackets"),
    ("    An indented paragraph", FIRST, "shows as code, in a box, as raw text"),
    ("![Un mapa](media/mapa ñ.svg)", FIRST, "media/mapa ñ.svg"),
    ("![Un mapa](<media/niña.svg>)", FIRST, "image media/niña.svg must be a file under media/ with a plain ASCII name"),
    ("![Un mapa](<media/niña.svg>)", FIRST, "rename it, e.g. media/nina.svg"),
]


@pytest.mark.parametrize(("text", "line", "expected"), BROKEN, ids=[case[2][:50] for case in BROKEN])
def test_raw_markdown_is_a_check_problem_with_line_and_fix(
    mini_copy: Path, text: str, line: int, expected: str
) -> None:
    problems = _problems_after(mini_copy, "02-details.en.md", text)
    assert any(f"02-details.en.md:{line}: " in problem and expected in problem for problem in problems), problems


def test_a_title_with_markdown_is_a_problem(mini_copy: Path) -> None:
    page = mini_copy / "modules" / "01-basics" / "02-details.en.md"
    page.write_text(page.read_text(encoding="utf-8").replace("# Details", "# Details **now**"), encoding="utf-8")
    assert any("02-details.en.md:1: the page title is plain text" in str(problem) for problem in check(mini_copy))


@pytest.mark.parametrize(
    "text",
    [
        "Escaped: \\*\\* and \\_\\_ and \\` and \\#1 and \\[x\\](y) and \\<b\\>.",
        "Blanks ____ and snake_case_name and 5 * 3 * 2.",
        "\\#hashtag at the start of a line.",
        "[Named][ok] link.\n\n[ok]: https://example.org/",
        "A [link *with* emphasis](https://example.org/) and ***nested** emphasis*.",
    ],
)
def test_what_renders_is_accepted(mini_copy: Path, text: str) -> None:
    assert _problems_after(mini_copy, "02-details.en.md", text) == []
