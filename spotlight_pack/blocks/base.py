"""What every block kind shares: the directive it is written as, the context it is read in, and the
interface a kind module implements.

A block is written in a page as a fenced directive (markdown-it's container syntax)::

    ::: video media/first-call.webm poster=media/first-call.jpg
    The first call: what to say in the first minute
    :::

The word after the colons names the kind; the rest of the line is the kind's argument (a media
path, a title, an id) and ``name=value`` options; the lines up to the closing colons are the
block's body, in Markdown. Containers nest with longer fences (``::::`` around ``:::``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..model import Block, Quiz
from ..source_files import CourseFiles, FileKind, SourceFileError

ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
SAFE_MEDIA_PATH = re.compile(r"^media/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
OPTION = re.compile(r"^([a-z][a-z-]*)=(\S*)$")


@dataclass(frozen=True)
class Directive:
    """One ``::: kind argument`` … ``:::`` as written, its body already rendered."""

    name: str
    argument: str
    line: int
    body_html: str
    body_text: str
    """The body's text without markup (a title, a prompt)."""
    children: tuple[tuple[Block, str], ...] = ()
    """Directives nested directly inside, with their HTML; ``loose`` is True when the body also has
    text outside them."""
    loose: bool = False

    def split(self) -> tuple[list[str], dict[str, str], list[str]]:
        """Positional words, ``name=value`` options and the words that are neither (wrong options)."""
        words, options, bad = [], {}, []
        for word in self.argument.split():
            match = OPTION.match(word)
            if match:
                options[match.group(1)] = match.group(2)
            elif "=" in word:
                bad.append(word)
            else:
                words.append(word)
        return words, options, bad


@dataclass
class MediaUse:
    """A file a page uses, to be read, checked and packaged once per course."""

    kind: FileKind
    lang: str | None
    data: bytes | None = None


@dataclass
class PageContext:
    """What a kind may know and do while one page file (one language) is read."""

    path: Path
    lang: str
    languages: tuple[str, ...]
    course_dir: Path
    files: CourseFiles
    module_id: str
    page_id: str
    anchor: str
    """HTML id of the page's section: block ids are made unique in the package document with it."""
    iri: str
    """The page's activity IRI."""
    course_iri: str
    report: Callable[[Path, int | None, str], None]
    media: dict[str, MediaUse]
    read_check: Callable[[str, str, str], tuple[Quiz | None, str | None]] | None = None
    """(module id, page id, check id) → the quiz of the module's ``<id>.check.yaml``, read by the assessment
    engine's reader (the loader's), or None and why."""
    heading_level: int = 2
    counters: dict[str, int] = field(default_factory=dict)
    ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def problem(self, line: int | None, message: str) -> None:
        self.report(self.path, line, message)

    def number(self, kind: str) -> int:
        """1, 2, … for the blocks of ``kind`` on this page, in order."""
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    def unique(self, kind: str, block_id: str, line: int) -> bool:
        """False (reported) when the page already has a ``kind`` block with this id."""
        if (kind, block_id) in self.ids:
            self.problem(
                line, f"the {kind} id '{block_id}' is already used on this page (line {self.ids[kind, block_id]})"
            )
            return False
        self.ids[kind, block_id] = line
        return True

    def html_id(self, *parts: str) -> str:
        return "--".join([self.anchor, *parts])

    def media_path_problem(self, src: str) -> str | None:
        if not SAFE_MEDIA_PATH.match(src) or {".", ".."} & set(src.split("/")):
            return "must be a file under media/ with a plain ASCII name (letters, digits, . _ -)"
        return self.files.problem_with(self.course_dir / src)

    def use_media(self, src: str, line: int, kind: FileKind, what: str) -> bool:
        """Check a media path a block names and put the file in the package; False (reported) if not usable."""
        reason = self.media_path_problem(src)
        if reason:
            self.problem(line, f"{what} {src} {reason}")
            return False
        self.media.setdefault(src, MediaUse(kind, None))
        return True

    def read_text(self, src: str, line: int, what: str) -> str | None:
        """A captions or transcript file of this language, read now (its text goes into the page) and
        packaged for this language only; None (reported) when missing or unreadable."""
        reason = self.media_path_problem(src)
        if reason:
            self.problem(line, f"{what} {src} {reason}")
            return None
        try:
            text = self.files.read_text(self.course_dir / src, "text")
        except SourceFileError as error:
            self.report(self.course_dir / src, error.line, error.message)
            return None
        self.media[src] = MediaUse("text", self.lang, text.encode())
        return text

    def exists(self, src: str) -> bool:
        return SAFE_MEDIA_PATH.match(src) is not None and self.files.is_file(self.course_dir / src)

    def size(self, src: str) -> int | None:
        try:
            return (self.files.locate(self.course_dir / src)).stat().st_size
        except (OSError, SourceFileError):
            return None

    def render(self, template: str, **values: Any) -> str:
        return _environment().get_template(template).render(**values)


class BlockKind(Protocol):
    """One registered kind of block: how it is read and checked, and how it renders.

    ``scripts`` and ``styles`` are the runtime files (paths under ``spotlight_pack/runtime``) its
    behaviour in the player needs; they are bundled only into packages of courses that use the kind.
    ``parents`` names the kinds it may only appear in (``tab`` in ``tabs``), empty for any place.
    ``stateful``: its player module keeps something in the saved state (the layout hash covers it).
    """

    name: str
    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    parents: frozenset[str]
    stateful: bool

    def read(self, ctx: PageContext, directive: Directive) -> Block | None: ...

    def render(self, ctx: PageContext, block: Block, directive: Directive) -> str: ...


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("spotlight_pack", "templates/blocks"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def markup(html: str) -> Markup:
    """HTML the loader produced (rendered Markdown) for a template: already safe."""
    return Markup(html)


def human_size(size: int) -> str:
    """A file size as learners read it: 980 B, 12 KB, 1.4 MB (decimal units; Mexico writes a decimal
    point, as English does)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{round(size / 1000)} KB"
    return f"{size / 1_000_000:.1f} MB"
