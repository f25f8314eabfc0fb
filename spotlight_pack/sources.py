"""The source loader: turns a course folder into a ``Course``, or says exactly what is wrong.

Designers edit YAML and Markdown by hand, so every problem is reported with its file and line, all
problems are collected in one pass (fixing them one per build would be maddening), and nothing is
returned from a course that has any.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, normalizeReference
from markdown_it.token import Token

from . import quiz_text
from .blocks.base import MediaUse, PageContext
from .blocks.download import download_link, is_download
from .blocks.markdown import BlockRenderer, enable_blocks, fence_work_problem
from .blocks.scenario import load_scenario
from .errors import Problem, SourceError, display_path
from .markdown_check import FOOTNOTE_DEFINITION, leftovers, markdown_parser, paragraph_line_problems
from .media_check import media_problems
from .model import Asset, Block, CompletionRule, Course, Module, Page, Quiz, Text
from .package_size import DEFAULT_MAX_PACKAGE_SIZE, parse_size
from .questions import QuizSource
from .quizzes import QuizReader
from .source_files import CourseFiles, SourceFileError, YamlDoc, load_yaml
from .yaml_messages import not_a_language, not_per_language, not_text

ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
ORDERED_NAME = re.compile(r"^(\d+)-([a-z][a-z0-9-]*)$")
PAGE_FILE = re.compile(r"^(\d+)-([a-z][a-z0-9-]*)\.([a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.md$")
VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+$")
SAFE_MEDIA_NAME = re.compile(r"^media/[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
MEDIA_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
UNTRANSLATED_MIN_LENGTH = 25
SCENARIO_FOLDER = "*"
CHECK_FILE = re.compile(r"^([a-z][a-z0-9-]*)\.check\.yaml$")  # an in-page check's questions (blocks/check.py)
"""In the page-files map of a module, the key under which a scenario's folder stands for a page."""


# --------------------------------------------------------------------------- problems, and reading files


class _Collector:
    """Gathers problems for one course, each tied to a file and line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.files = CourseFiles(root, report=self.add)
        """Every file is read through here: never outside the course folder, never past the limits."""

    def add(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(display_path(path), line, message))

    def read_yaml(self, path: Path) -> YamlDoc | None:
        try:
            return load_yaml(path, self.files.read_text(path, "yaml"), self.files.limits)
        except SourceFileError as error:
            self.add(path, error.line, error.message)
            return None

    def text(
        self, doc: YamlDoc, languages: tuple[str, ...], *keys: Any, required: bool = True, label: str | None = None
    ) -> Text | None:
        """A per-language text at ``keys``; reports missing languages and look-alike translations.

        ``label`` names the text in messages (e.g. "question q1, option b: text") instead of its
        dotted YAML path."""
        value = doc.get(*keys)
        label = label or "'" + ".".join(str(key) for key in keys) + "'"
        if value is None:
            if required:
                self.add(doc.path, doc.line(*keys), f"{label} is missing: give it in {', '.join(languages)}")
            return None
        if not isinstance(value, dict):
            self.add(doc.path, doc.line(*keys), not_per_language(label, value, languages))
            return None
        texts: dict[str, str] = {}
        for lang in languages:
            entry = value.get(lang)
            if entry is None or (isinstance(entry, str) and not entry.strip()):
                self.add(doc.path, doc.line(*keys), f"{label} has no '{lang}' text (untranslated)")
            elif isinstance(entry, bool) or not isinstance(entry, str | int | float):
                self.add(doc.path, doc.line(*keys, lang), not_text(label, lang, entry))
            else:
                texts[lang] = str(entry).strip()
        for extra in sorted(set(value) - set(languages), key=str):
            self.add(doc.path, doc.line(*keys, extra), not_a_language(label, extra))
        if len(texts) != len(languages):
            return None
        self.untranslated(doc.path, doc.line(*keys), label, texts)
        return Text.of(texts)

    def untranslated(self, path: Path, line: int | None, label: str, texts: dict[str, str]) -> None:
        values = list(texts.values())
        if len(values) > 1 and len(set(values)) == 1:
            sample = values[0]
            if len(sample) >= UNTRANSLATED_MIN_LENGTH and " " in sample:
                self.add(path, line, f"{label} is the same in every language (untranslated?)")


# --------------------------------------------------------------------------- Markdown


def _markdown() -> MarkdownIt:
    """CommonMark with tables. HTML is parsed (so it can be reported) but a page containing any is
    never rendered: a course with a problem builds nothing. Tables render inside a scrolling region
    (``_table_open``) so a wide one scrolls on a phone instead of squeezing its words; ``:::`` fences
    are page blocks (``blocks/markdown.py``)."""
    md = markdown_parser(tables=True)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return enable_blocks(md)


def _table_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    label = escapeHtml(str(tokens[idx].meta.get("label", "")))
    return f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">\n<table>\n'


def _table_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</table>\n</div>\n"


@dataclass
class _PageSource:
    title: str
    html: str
    media: list[tuple[str, int]]
    blocks: list[Block]


class _PageRenderer:
    """Renders one Markdown page to safe HTML and checks its links, images, headings and blocks."""

    def __init__(
        self,
        collector: _Collector,
        course_dir: Path,
        page_ids: set[str],
        languages: tuple[str, ...] = (),
        course_iri: str = "",
        media: dict[str, MediaUse] | None = None,
        read_check: Callable[[str, str, str], tuple[Quiz | None, str | None]] | None = None,
    ) -> None:
        self.collector = collector
        self.course_dir = course_dir
        self.page_ids = page_ids
        self.languages = languages
        self.course_iri = course_iri
        self.media: dict[str, MediaUse] = media if media is not None else {}
        self.read_check = read_check
        self.md = _markdown()

    def render(self, path: Path, module_id: str = "", page_id: str = "", lang: str = "") -> _PageSource | None:
        try:
            source = self.collector.files.read_markdown(path)
        except SourceFileError as error:
            self.collector.add(path, error.line, error.message)
            return None
        if reason := fence_work_problem(source):
            self.collector.add(path, None, reason)
            return None
        lines = source.splitlines()
        first = next((number for number, line in enumerate(lines) if line.strip()), None)
        if first is None:
            self.collector.add(path, 1, "page is empty: start it with '# Title'")
            return None
        heading = re.match(r"^#\s+(.+?)\s*#*\s*$", lines[first])
        if not heading:
            self.collector.add(path, first + 1, "the first line must be the page title as '# Title'")
            return None
        title = heading.group(1).strip()
        if _has_markup(self.md, title):
            self.collector.add(
                path, first + 1, "the page title is plain text: remove the Markdown (* _ ` [ ] < >) from it"
            )
        body_offset = first + 1
        body = "\n".join(lines[body_offset:])
        return self.render_body(path, body, body_offset, title, module_id, page_id, lang)

    def render_body(
        self, path: Path, body: str, body_offset: int, title: str, module_id: str, page_id: str, lang: str,
        anchor: str = "",
    ) -> _PageSource | None:
        """Markdown (without its title line) to HTML; ``anchor`` makes block ids unique when several
        files render into one page (a scenario's scenes)."""
        env: dict[str, Any] = {}
        tokens = self.md.parse(body, env)
        lines = [""] * body_offset + body.split("\n")
        media: list[tuple[str, int]] = []
        ctx = PageContext(
            path=path,
            lang=lang,
            languages=self.languages,
            course_dir=self.course_dir,
            files=self.collector.files,
            module_id=module_id,
            page_id=page_id,
            anchor=anchor or page_anchor(module_id, page_id),
            iri=f"{self.course_iri}/{module_id}/{page_id}",
            course_iri=self.course_iri,
            report=self.collector.add,
            media=self.media,
            read_check=self.read_check,
        )
        if not self._check_tokens(path, tokens, body_offset, media, ctx):
            return None
        self._footnote_definitions(path, env, lines, body_offset)
        _label_tables(tokens, title)
        blocks = BlockRenderer(self.md, ctx, body_offset)
        html, _, _ = blocks.render(tokens)
        return _PageSource(title=title, html=html, media=media, blocks=blocks.blocks)

    def _check_tokens(
        self, path: Path, tokens: list[Token], offset: int, media: list[tuple[str, int]], ctx: PageContext
    ) -> bool:
        """Report problems in a parsed page; False when it contains raw HTML and must not be rendered."""
        safe = True
        for index, token in enumerate(tokens):
            line = _line(token, offset)
            if token.type == "html_block" or any(child.type == "html_inline" for child in token.children or []):
                self.collector.add(path, line, "raw HTML is not allowed in pages: use Markdown")
                safe = False
            if token.type == "heading_open" and token.tag == "h1":
                self.collector.add(path, line, "only the first line may be a level-1 heading: use '##' inside a page")
            if token.type == "code_block":
                self.collector.add(
                    path,
                    line,
                    "a line indented by four spaces or a tab shows as code, in a box, as raw text: remove the "
                    "indentation (to continue a list item, indent it as far as the item's text)",
                )
            self._leftovers(path, token, line, tokens[index - 1].type if index else "")
            children = token.children or []
            for child in list(children):
                if child.type == "image":
                    self._image(path, line, child, media)
                elif child.type == "link_open" and is_download(str(child.attrGet("href") or "")):
                    meta = download_link(ctx, line, child)
                    if meta:
                        close = next(
                            i for i in range(children.index(child), len(children)) if children[i].type == "link_close"
                        )
                        children.insert(close, Token("text", "", 0, content=f" {meta}"))
                elif child.type == "link_open":
                    self._link(path, line, child)
        return safe

    def _leftovers(self, path: Path, token: Token, line: int | None, opened_by: str) -> None:
        """Report Markdown that an inline token kept as text (see ``markdown_check``)."""
        if token.type != "inline" or line is None:
            return
        found = list(leftovers(token.children or []))
        if opened_by == "paragraph_open":
            found += paragraph_line_problems(token.content)
        for offset, message in sorted(set(found)):
            self.collector.add(path, line + offset, message)

    def _footnote_definitions(self, path: Path, env: dict[str, Any], lines: list[str], offset: int) -> None:
        """``[^1]: https://…`` is a valid link definition to CommonMark, so it vanishes from the page."""
        consumed = {label for label in env.get("references", {}) if label.startswith("^")}
        if not consumed:
            return
        for number, text in enumerate(lines[offset:], offset + 1):
            match = FOOTNOTE_DEFINITION.match(text)
            if match and normalizeReference(match.group(1)) in consumed:
                self.collector.add(
                    path,
                    number,
                    f"footnotes ('[{match.group(1)}]: …') are not supported: put the note in the text or in the "
                    "page's references",
                )

    def _image(self, path: Path, line: int | None, token: Token, media: list[tuple[str, int]]) -> None:
        raw = str(token.attrGet("src") or "")  # percent-encoded by markdown-it: media/ni%C3%B1a.svg
        src = as_typed(raw)  # for messages, as the designer typed it: media/niña.svg
        alt = "".join(child.content for child in token.children or []).strip()
        if not alt:
            self.collector.add(path, line, f"image {src} has no alt text: write what it shows in ![…]({src})")
        if not SAFE_MEDIA_NAME.match(raw) or {".", ".."} & set(src.split("/")):
            self.collector.add(
                path,
                line,
                f"image {src} must be a file under media/ with a plain ASCII name (letters, digits, . _ -): "
                f"rename it, e.g. {_ascii_name(src)}",
            )
            return
        if PurePosixPath(src).suffix.lower() not in MEDIA_SUFFIXES:
            self.collector.add(path, line, f"image {src} is not a web image ({', '.join(sorted(MEDIA_SUFFIXES))})")
        elif reason := self.collector.files.problem_with(self.course_dir / src):
            self.collector.add(path, line, f"image {src} {reason}")
        else:
            media.append((src, line or 0))
        token.attrSet("loading", "lazy")

    def _link(self, path: Path, line: int | None, token: Token) -> None:
        href = as_typed(str(token.attrGet("href") or ""))
        if href.startswith("page:"):
            target = href.removeprefix("page:")
            if target not in self.page_ids:
                self.collector.add(path, line, f"link to {href} goes nowhere: no page '{target}' (module-id/page-id)")
            token.attrSet("href", "#" + page_anchor(*target.split("/", 1)) if "/" in target else "#")
            token.attrSet("data-page", target)
        elif href.startswith("https://"):
            token.attrSet("target", "_blank")
            token.attrSet("rel", "noopener")
            # An autolink's text is the address itself: class url lets it wrap on a phone (player.css).
            token.attrSet("class", "external url" if token.markup == "autolink" else "external")
        elif href.startswith("mailto:"):
            pass
        elif href.startswith("http://"):
            self.collector.add(path, line, f"link {href} must use https:// (LMSs block mixed content)")
        else:
            self.collector.add(path, line, f"link '{href}' is neither https://… nor page:module-id/page-id nor mailto:")


_ENCODED_BY_MARKDOWN = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+|%20")


def as_typed(url: str) -> str:
    """A link or image address as the designer wrote it: markdown-it percent-encodes accents and spaces
    (``media/ni%C3%B1a.svg``); escapes the designer typed (``%2e``) stay as they are."""

    def decode(match: re.Match[str]) -> str:
        try:
            return unquote(match.group(0), errors="strict")
        except UnicodeDecodeError:  # not UTF-8, so not markdown-it's doing: the designer typed it
            return match.group(0)

    return _ENCODED_BY_MARKDOWN.sub(decode, url)


def _ascii_name(src: str) -> str:
    """A media path with plain ASCII letters in place of accents and hyphens in place of spaces."""
    plain = unicodedata.normalize("NFKD", src).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._/-]+", "-", plain).strip("-")
    return plain if plain.startswith("media/") else "media/" + plain.rsplit("/", 1)[-1]


def _has_markup(md: MarkdownIt, text: str) -> bool:
    """Whether a title has Markdown in it (titles are shown and announced as plain text)."""
    children = [child for token in md.parseInline(text) for child in token.children or []]
    return any(child.type not in {"text", "text_special"} for child in children) or any(leftovers(children))


def _label_tables(tokens: list[Token], title: str) -> None:
    """Name each table's scrolling region after the heading above it (or the page title) and its
    column headers, so a screen reader user who lands on it knows which table it is, and no two
    landmarks of a page share a name (the page's own section is named after its title)."""
    heading = title
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            heading = _plain(tokens[index + 1]) or heading
        elif token.type == "table_open":
            columns = []
            for cell in tokens[index + 1 :]:
                if cell.type == "thead_close":
                    break
                if cell.type == "inline":
                    columns.append(_plain(cell))
            token.meta["label"] = f"{heading}: {', '.join(column for column in columns if column)}"


def _plain(inline: Token) -> str:
    """The text of an inline token without its markup."""
    parts = (child.content for child in inline.children or [] if child.type not in {"image", "softbreak"})
    return " ".join("".join(parts).split())


def page_anchor(module_id: str, page_id: str) -> str:
    """HTML id of a page's section; links between pages point at it."""
    return f"page-{module_id}--{page_id}"


def _line(token: Token, offset: int) -> int | None:
    return token.map[0] + offset + 1 if token.map else None


# --------------------------------------------------------------------------- the course


class _CourseLoader:
    def __init__(self, course_dir: Path) -> None:
        self.dir = course_dir
        self.problems = _Collector(course_dir)
        self.languages: tuple[str, ...] = ()
        self.quizzes = QuizReader()
        self.renderer: _PageRenderer | None = None
        self.course_iri = ""
        self.media: dict[str, MediaUse] = {}  # files pages, blocks and quiz texts use, read once
        self.module_folders: dict[str, Path] = {}
        self.checks: dict[Path, tuple[str, Quiz | None]] = {}  # in-page checks: the page using each, its quiz
        self.quiz_files: dict[str, Path] = {}  # quiz id -> its file: ids must not repeat

    def load(self) -> Course | None:
        course_file = self.dir / "course.yaml"
        if not self.dir.is_dir():
            self.problems.add(self.dir, None, "not a folder: give the path of a course folder")
            return None
        if not course_file.is_file() and not course_file.is_symlink():
            self.problems.add(self.dir, None, "no course.yaml in this folder: is it a course?")
            return None
        doc = self.problems.read_yaml(course_file)
        if doc is None:
            return None
        data = doc.data
        course_id = self._id(doc, "id")
        if course_id and course_id != self.dir.name:
            self.problems.add(
                course_file, doc.line("id"), f"id '{course_id}' must match the folder name '{self.dir.name}'"
            )
        version = str(data.get("version", ""))
        if not VERSION_PATTERN.match(version):
            self.problems.add(course_file, doc.line("version"), "version must be MAJOR.MINOR.PATCH, e.g. 1.0.0")
        self.languages = self._languages(doc)
        if not self.languages:
            return None
        locales = self._locales(doc)
        title = self.problems.text(doc, self.languages, "title")
        description = self.problems.text(doc, self.languages, "description")
        content_note = self.problems.text(doc, self.languages, "content_note", required=False)
        publisher = self._publisher(doc)
        mastery = data.get("mastery_score", 80)
        if isinstance(mastery, bool) or not isinstance(mastery, int) or not 0 <= mastery <= 100:
            self.problems.add(
                course_file, doc.line("mastery_score"), "mastery_score must be a whole number from 0 to 100"
            )
            mastery = 80
        completion = self._completion(doc)
        iri_base = str(data.get("activity_iri_base", Course.activity_iri_base)).rstrip("/")
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", iri_base):
            self.problems.add(
                course_file, doc.line("activity_iri_base"), "activity_iri_base must be an absolute http(s) IRI"
            )
        known = {
            "id",
            "version",
            "languages",
            "locales",
            "title",
            "description",
            "mastery_score",
            "completion",
            "content_note",
            "publisher",
            "activity_iri_base",
            "max_package_size",
        }
        for key in sorted(set(data) - known, key=str):
            self.problems.add(course_file, doc.line(key), f"unknown key '{key}' (known: {', '.join(sorted(known))})")

        self.course_iri = f"{iri_base}/{course_id}"
        max_package_size = parse_size(data.get("max_package_size", DEFAULT_MAX_PACKAGE_SIZE))
        if max_package_size is None:
            self.problems.add(
                course_file, doc.line("max_package_size"), "max_package_size must be a size such as 50 MB or 200 MB"
            )
        modules = self._modules()
        assessment_file = self.dir / "assessment.yaml"
        assessment = self._quiz(assessment_file, "assessment", scored=True) if assessment_file.is_file() else None
        assets = self._assets(self.media)  # pages', blocks' and quiz texts' files, read and checked
        if completion != CompletionRule.PAGES and not assessment_file.is_file():
            self.problems.add(
                course_file, doc.line("completion"), f"completion '{completion}' needs an assessment.yaml"
            )
        if self.problems.problems:
            return None
        assert course_id and title and description  # guaranteed when no problem was found
        return Course(
            id=course_id,
            version=version,
            languages=self.languages,
            locales=locales,
            title=title,
            description=description,
            mastery_score=mastery,
            completion=completion,
            modules=tuple(modules),
            assessment=assessment,
            assets=tuple(assets),
            content_note=content_note,
            publisher=publisher,
            activity_iri_base=iri_base,
            max_package_size=max_package_size or DEFAULT_MAX_PACKAGE_SIZE,
        )

    def _id(self, doc: YamlDoc, *keys: Any) -> str | None:
        value = doc.get(*keys)
        label = ".".join(str(key) for key in keys)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problems.add(
                doc.path,
                doc.line(*keys),
                f"'{label}' must be lowercase letters, digits and hyphens, starting with a letter (got {value!r})",
            )
            return None
        return value

    def _languages(self, doc: YamlDoc) -> tuple[str, ...]:
        value = doc.data.get("languages")
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(lang, str) and re.match(r"^[a-z]{2,3}$", lang) for lang in value)
        ):
            self.problems.add(doc.path, doc.line("languages"), "languages must be a list of codes such as [es, en]")
            return ()
        if len(set(value)) != len(value):
            self.problems.add(doc.path, doc.line("languages"), "languages lists a language twice")
        return tuple(dict.fromkeys(value))

    def _locales(self, doc: YamlDoc) -> tuple[tuple[str, str], ...]:
        value = doc.data.get("locales", {})
        if not isinstance(value, dict):
            self.problems.add(doc.path, doc.line("locales"), "locales must map languages to tags, e.g. {es: es-MX}")
            return ()
        result = []
        for lang, tag in value.items():
            if lang not in self.languages:
                self.problems.add(
                    doc.path, doc.line("locales", lang), f"locale for '{lang}', which is not a course language"
                )
            elif not isinstance(tag, str) or not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$", tag):
                self.problems.add(doc.path, doc.line("locales", lang), f"locale '{tag}' is not a BCP 47 tag like es-MX")
            else:
                result.append((lang, tag))
        return tuple(sorted(result))

    def _publisher(self, doc: YamlDoc) -> Text | None:
        value = doc.data.get("publisher")
        if value is None:
            return None
        if isinstance(value, str):
            return Text.of({lang: value for lang in self.languages})
        return self.problems.text(doc, self.languages, "publisher")

    def _completion(self, doc: YamlDoc) -> CompletionRule:
        value = doc.data.get("completion", CompletionRule.PAGES_AND_ASSESSMENT.value)
        try:
            return CompletionRule(value)
        except ValueError:
            choices = ", ".join(rule.value for rule in CompletionRule)
            self.problems.add(doc.path, doc.line("completion"), f"completion must be one of {choices}")
            return CompletionRule.PAGES_AND_ASSESSMENT

    # ----------------------------------------------------------------- modules and pages

    def _modules(self) -> list[Module]:
        modules_dir = self.dir / "modules"
        if not modules_dir.is_dir():
            self.problems.add(self.dir, None, "no modules/ folder: a course needs at least one module")
            return []
        folders = self._ordered(modules_dir, directories=True)
        page_files: dict[str, dict[str, dict[str, Path]]] = {}
        for module_id, folder in folders:
            page_files[module_id] = self._page_files(folder)
        page_ids = {f"{module_id}/{page_id}" for module_id, pages in page_files.items() for page_id in pages}
        self.module_folders = dict(folders)
        renderer = self.renderer = _PageRenderer(
            self.problems, self.dir, page_ids, self.languages, self.course_iri, self.media, self._check
        )
        modules: list[Module] = []
        for module_id, folder in folders:
            module = self._module(module_id, folder, page_files[module_id], renderer, self.media)
            if module:
                modules.append(module)
        if not folders:
            self.problems.add(modules_dir, None, "no module folders (named like 01-introduction)")
        return modules

    def _assets(self, uses: dict[str, MediaUse]) -> list[Asset]:
        """The media files pages, blocks and quiz texts use, read safely and checked (no active content in
        SVG, no file that
        is not what its extension says, no two names equal but for case)."""
        assets = []
        folded: dict[str, str] = {}
        for src in sorted(uses):
            use = uses[src]
            path = self.dir / src
            if src.casefold() in folded:
                self.problems.add(
                    path, None, f"{src} and {folded[src.casefold()]} differ only in case: one would overwrite the "
                    "other on a case-insensitive LMS server; rename one"
                )
            folded[src.casefold()] = src
            if use.data is not None:  # captions and transcripts, read and checked by their block
                assets.append(Asset(path=src, data=use.data, lang=use.lang))
                continue
            try:
                data = self.problems.files.read_bytes(path, use.kind)
            except SourceFileError as error:
                self.problems.add(path, error.line, error.message)
                continue
            for line, message in media_problems(src, data):
                self.problems.add(path, line, message)
            assets.append(Asset(path=src, data=data))
        return assets

    def _list(self, folder: Path) -> list[Path]:
        try:
            return self.problems.files.list_dir(folder)
        except SourceFileError as error:
            self.problems.add(folder, error.line, error.message)
            return []

    def _ordered(self, folder: Path, directories: bool) -> list[tuple[str, Path]]:
        found: list[tuple[int, str, Path]] = []
        seen: dict[str, Path] = {}
        for entry in self._list(folder):
            if entry.name.startswith(".") or entry.is_dir() != directories:
                continue
            match = ORDERED_NAME.match(entry.name)
            if not match:
                self.problems.add(entry, None, "module folders are named NN-module-id, e.g. 02-first-contact")
                continue
            number, item_id = int(match.group(1)), match.group(2)
            if item_id in seen:
                self.problems.add(entry, None, f"module id '{item_id}' is also used by {seen[item_id].name}")
                continue
            seen[item_id] = entry
            found.append((number, item_id, entry))
        return [(item_id, entry) for _, item_id, entry in sorted(found)]

    def _page_files(self, folder: Path) -> dict[str, dict[str, Path]]:
        """page id -> language -> file, in page order; reports misnamed files and gaps between languages."""
        ordered: list[tuple[int, str]] = []
        pages: dict[str, dict[str, Path]] = {}
        numbers: dict[str, int] = {}
        for entry in self._list(folder):
            if entry.name in {"module.yaml", "quiz.yaml"} or entry.name.startswith("."):
                continue
            if entry.name.endswith(".check.yaml"):
                if not CHECK_FILE.match(entry.name):
                    self.problems.add(entry, None, "a check's questions are in ID.check.yaml, ID in lowercase letters, "
                                      "digits and hyphens, e.g. first-call.check.yaml")
                continue
            scenario = ORDERED_NAME.match(entry.name)
            if scenario and entry.is_dir() and self.problems.files.is_file(entry / "scenario.yaml"):
                number, page_id = int(scenario.group(1)), scenario.group(2)
                if page_id in pages:
                    self.problems.add(entry, None, f"'{page_id}' is the id of a page and of a scenario")
                    continue
                pages[page_id] = {SCENARIO_FOLDER: entry}
                numbers[page_id] = number
                ordered.append((number, page_id))
                continue
            match = PAGE_FILE.match(entry.name)
            if not match or not entry.is_file():
                self.problems.add(entry, None, "pages are named NN-page-id.LANG.md, e.g. 01-objectives.es.md")
                continue
            number, page_id, lang = int(match.group(1)), match.group(2), match.group(3)
            if lang not in self.languages:
                self.problems.add(entry, None, f"'{lang}' is not a course language ({', '.join(self.languages)})")
                continue
            if SCENARIO_FOLDER in pages.get(page_id, {}):
                self.problems.add(entry, None, f"'{page_id}' is the id of a page and of a scenario")
                continue
            if page_id in numbers and numbers[page_id] != number:
                self.problems.add(entry, None, f"page '{page_id}' has different numbers in different languages")
                continue
            if page_id not in pages:
                pages[page_id] = {}
                numbers[page_id] = number
                ordered.append((number, page_id))
            pages[page_id][lang] = entry
        for page_id, by_lang in pages.items():
            for lang in self.languages:
                if lang not in by_lang and SCENARIO_FOLDER not in by_lang:
                    existing = next(iter(by_lang.values()))
                    self.problems.add(
                        existing,
                        None,
                        f"page '{page_id}' has no '{lang}' version (expected {numbers[page_id]:02d}-"
                        f"{page_id}.{lang}.md)",
                    )
        return {page_id: pages[page_id] for _, page_id in sorted(ordered)}

    def _module(
        self,
        module_id: str,
        folder: Path,
        files: dict[str, dict[str, Path]],
        renderer: _PageRenderer,
        media: dict[str, MediaUse],
    ) -> Module | None:
        meta_file = folder / "module.yaml"
        title = None
        if not meta_file.is_file():
            self.problems.add(folder, None, "no module.yaml (it holds the module title per language)")
        else:
            doc = self.problems.read_yaml(meta_file)
            if doc:
                title = self.problems.text(doc, self.languages, "title")
                for key in sorted(set(doc.data) - {"title"}, key=str):
                    self.problems.add(meta_file, doc.line(key), f"unknown key '{key}' (module.yaml has: title)")
        pages: list[Page] = []
        for page_id, by_lang in files.items():
            if SCENARIO_FOLDER in by_lang:
                page = load_scenario(self, renderer, module_id, page_id, by_lang[SCENARIO_FOLDER])
            else:
                page = self._page(module_id, page_id, by_lang, renderer, media)
            if page:
                pages.append(page)
        quiz_file = folder / "quiz.yaml"
        quiz = self._quiz(quiz_file, f"{module_id}-quiz", scored=False) if quiz_file.is_file() else None
        if not files and quiz is None:
            self.problems.add(folder, None, "module has no pages")
        self._unused_checks(folder)
        if title is None:
            return None
        return Module(id=module_id, title=title, pages=tuple(pages), quiz=quiz)

    def _page(
        self,
        module_id: str,
        page_id: str,
        by_lang: dict[str, Path],
        renderer: _PageRenderer,
        media: dict[str, MediaUse],
    ) -> Page | None:
        titles: dict[str, str] = {}
        bodies: dict[str, str] = {}
        blocks: dict[str, tuple[Block, ...]] = {}
        known = len(self.problems.problems)
        for lang, path in by_lang.items():
            source = renderer.render(path, module_id, page_id, lang)
            if source is None:
                continue
            titles[lang] = source.title
            bodies[lang] = source.html
            blocks[lang] = tuple(source.blocks)
            for src, _line_number in source.media:
                media.setdefault(src, MediaUse("media", None))
        if len(titles) != len(self.languages):
            return None
        if len(self.problems.problems) == known:  # a block that could not be read is reported already
            self._same_blocks(page_id, by_lang, blocks)
        first = by_lang[self.languages[0]]
        self.problems.untranslated(first, 1, "'page title'", titles)
        if len(set(bodies.values())) == 1 and len(self.languages) > 1 and len(next(iter(bodies.values()))) > 80:
            self.problems.add(first, 2, f"page '{page_id}' has the same text in every language (untranslated?)")
        return Page(id=page_id, title=Text.of(titles), html=Text.of(bodies), blocks=tuple(sorted(blocks.items())))

    def _same_blocks(self, page_id: str, by_lang: dict[str, Path], blocks: dict[str, tuple[Block, ...]]) -> None:
        """Every language of a page has the same blocks in the same order (the same video, the same
        reflection ids…): tracking and the saved state must not depend on the language."""
        first = self.languages[0]
        expected = [(block.kind, block.id) for block in blocks.get(first, ())]
        for lang in self.languages[1:]:
            found = [(block.kind, block.id) for block in blocks.get(lang, ())]
            if found != expected:
                shown = lambda items: ", ".join(f"{kind} {block_id}" for kind, block_id in items) or "none"  # noqa: E731
                self.problems.add(
                    by_lang[lang],
                    None,
                    f"page '{page_id}' has other blocks in '{lang}' than in '{first}' ({shown(found)}; "
                    f"{first}: {shown(expected)}): every language needs the same blocks in the same order",
                )

    # ----------------------------------------------------------------- quizzes

    def _quiz(self, path: Path, quiz_id: str, scored: bool) -> Quiz | None:
        """A quiz file, read by ``quizzes.QuizReader``; its texts are checked like page Markdown."""
        other = self.quiz_files.setdefault(quiz_id, path)
        if other != path:  # e.g. module 'a' with check 'b-quiz' and module 'a-b' with quiz.yaml
            self.problems.add(path, None, f"its quiz id '{quiz_id}' (module id, '-', check id or 'quiz') is also "
                              f"that of {display_path(other)}: rename the check")
            return None
        doc = self.problems.read_yaml(path)
        if doc is None:
            return None
        return self.quizzes.read(QuizSource(doc, self.languages, self.problems, self._check_quiz_text), quiz_id, scored)

    def _check(self, module_id: str, page_id: str, check_id: str) -> tuple[Quiz | None, str | None]:
        """The quiz of an in-page check (blocks/check.py), read once for all the page's languages; a
        check belongs to one page (its answers are tracked as that page's)."""
        path = self.module_folders[module_id] / f"{check_id}.check.yaml"
        if path not in self.checks:
            if not self.problems.files.is_file(path):
                folder = path.parent.name
                return None, f"no {check_id}.check.yaml in the module folder {folder} for '::: check {check_id}'"
            self.checks[path] = (page_id, self._quiz(path, f"{module_id}-{check_id}", scored=False))
        owner, quiz = self.checks[path]
        if owner != page_id:
            return None, f"check '{check_id}' is on page '{owner}' already: each page needs checks of its own"
        return quiz, None

    def _unused_checks(self, folder: Path) -> None:
        """A ``.check.yaml`` that no page names is work the learner never sees: say so."""
        for entry in self._list(folder):
            match = CHECK_FILE.match(entry.name)
            if match and entry not in self.checks:
                self.problems.add(entry, None, f"no page of this module has '::: check {match.group(1)}': "
                                  "put it where the questions belong, or remove the file")

    def _check_quiz_text(self, path: Path, line: int | None, text: str) -> None:
        children, problems = quiz_text.parse(text)
        for problem in problems:
            self.problems.add(path, line, problem)
        if self.renderer is None:  # no modules folder: reported already
            return
        media: list[tuple[str, int]] = []
        for child in children:
            if child.type == "image":
                self.renderer._image(path, line, child, media)
            elif child.type == "link_open":
                self.renderer._link(path, line, child)
        for src, _ in media:
            self.media.setdefault(src, MediaUse("media", None))


def check_course(course_dir: Path) -> list[Problem]:
    """Every problem in a course folder; an empty list means it builds."""
    loader = _CourseLoader(Path(course_dir))
    loader.load()
    return sorted(loader.problems.problems)


def load_course(course_dir: Path) -> Course:
    """Load a course folder into the model; raises ``SourceError`` listing every problem."""
    loader = _CourseLoader(Path(course_dir))
    course = loader.load()
    if course is None:
        raise SourceError(loader.problems.problems or [Problem(display_path(Path(course_dir)), None, "not a course")])
    return course


def find_courses(root: Path) -> list[Path]:
    """Course folders (those with a course.yaml) directly under ``root``, in name order."""
    return sorted(path for path in Path(root).iterdir() if (path / "course.yaml").is_file())
