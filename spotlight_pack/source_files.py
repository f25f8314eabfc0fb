"""How the loader reads a course's files: never outside the course folder, never past the limits, and
YAML without aliases or deep nesting.

Course sources may come from contributors (a CI building a pull request), so every file is
untrusted input:

- **Where.** A file is read only if its real path, every link resolved, lies inside the course
  folder's real path (the course folder itself may be a link). Links that point outside are reported
  and never followed, in ``media/``, in ``modules/`` or anywhere else; directory listings skip them
  too. The file is opened with ``O_NOFOLLOW`` and ``O_NONBLOCK`` and must be a regular file (no FIFO
  that would block, no device). Names must match the disk's spelling exactly, so a course builds the
  same on a case-insensitive disk (macOS, Windows) as on Linux.
- **How much.** Sizes are checked with ``fstat`` before anything is read or parsed, per kind of file
  and for the whole course (``SourceLimits``, documented in docs/source-format.md), and reads stop
  at the limit whatever ``fstat`` said.
- **YAML.** Aliases and anchors are refused (a course never needs them, and they are how "billion
  laughs" documents multiply), nesting is bounded before Python's recursion limit can be reached, and
  every value is built under a guard so that a bad date or a 5,000-digit number is a message, not a
  traceback.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
import yaml.constructor

from .yaml_messages import explain

KiB = 1024
MiB = 1024 * KiB
FileKind = Literal["page", "yaml", "media", "av", "text"]
MARKDOWN_MARKERS = ("[", "]", "*", "_", "<", "`", "|")


@dataclass(frozen=True)
class SourceLimits:
    """What a course may hold before the loader refuses it; every default is far above real courses
    (the four diplomas: pages under 10 KB, YAML under 40 KB, images under 10 KB, about 340 files)."""

    max_page_size: int = 1 * MiB
    max_page_markers: int = 20_000
    """Markdown markers ``[ ] * _ < ` |`` in one page (the densest real page has 240). markdown-it's
    cost grows with the square of unclosed brackets and emphasis runs: 20,000 cost under a second."""
    max_yaml_size: int = 256 * KiB
    """PyYAML parses about 50–100 KB of CPU time per second: 256 KiB is a few seconds at worst."""
    max_media_size: int = 20 * MiB
    """Images and documents (PDF, Office, CSV)."""
    max_av_size: int = 100 * MiB
    """One video or audio file: ten minutes of 720p video at 1.2 Mbit/s are about 90 MB."""
    max_text_size: int = 1 * MiB
    """One captions (WebVTT) or transcript file: an hour of dense captions is about 100 KB."""
    max_course_size: int = 500 * MiB
    """All the files read for one course together."""
    max_entries: int = 10_000
    """Files and folders listed in one course."""
    max_yaml_depth: int = 32
    """Nested mappings and lists in one YAML file (the deepest real one has 6)."""

    def size_limit(self, kind: FileKind) -> int:
        return {
            "page": self.max_page_size,
            "yaml": self.max_yaml_size,
            "media": self.max_media_size,
            "av": self.max_av_size,
            "text": self.max_text_size,
        }[kind]


DEFAULT_SOURCE_LIMITS = SourceLimits()


class SourceFileError(Exception):
    """A file that is not read (outside the course, too large, not text, …); ``line`` when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class CourseFiles:
    """Every read of a course's files goes through here."""

    def __init__(
        self,
        root: Path,
        limits: SourceLimits | None = None,
        report: Callable[[Path, int | None, str], None] | None = None,
    ) -> None:
        self.root = Path(os.path.abspath(root))
        self.real_root = Path(os.path.realpath(root))
        self.limits = limits or DEFAULT_SOURCE_LIMITS  # read at call time, so a program may set its own
        self.report = report or (lambda path, line, message: None)
        self.bytes_read = 0
        self.entries_seen = 0
        self._listings: dict[Path, set[str]] = {}

    # ----------------------------------------------------------------- where

    def locate(self, path: Path) -> Path:
        """The real path of ``path`` if it lies inside the course folder; else ``SourceFileError``."""
        absolute = Path(os.path.abspath(path))
        if not absolute.is_relative_to(self.root):
            raise SourceFileError("is outside the course folder; it is not read")
        real = Path(os.path.realpath(absolute))
        if not real.is_relative_to(self.real_root):
            raise SourceFileError("is a link to a file outside the course folder; it is not read")
        return real

    def problem_with(self, path: Path) -> str | None:
        """Why ``path`` cannot be used as a course file (missing, outside, not a file, wrong case)."""
        try:
            real = self.locate(path)
        except SourceFileError as error:
            return error.message
        if not os.path.lexists(real):
            return self._missing(path)
        if not real.is_file():
            return "is not a regular file"
        return self._case_problem(path)

    def is_file(self, path: Path) -> bool:
        """A regular file inside the course (links outside and dangling links are not files here)."""
        try:
            return self.locate(path).is_file()
        except SourceFileError:
            return False

    def _missing(self, path: Path) -> str:
        parent = Path(os.path.abspath(path)).parent
        try:
            names = self._listing(Path(os.path.realpath(parent)))
        except OSError:
            return "does not exist"
        other = next((name for name in sorted(names) if name.casefold() == path.name.casefold()), None)
        if other:
            return f"does not exist (there is {other}: names are case-sensitive on LMS servers)"
        return "does not exist"

    def _case_problem(self, path: Path) -> str | None:
        """On a case-insensitive disk ``Media/Steps.svg`` opens ``media/steps.svg``; refuse it there
        too, so a course that builds on a Mac builds on Linux and its zip names match its files."""
        relative = Path(os.path.abspath(path)).relative_to(self.root)
        folder = self.real_root
        for part in relative.parts:
            try:
                names = self._listing(folder)
            except OSError:
                return None
            if part not in names:
                actual = next((name for name in sorted(names) if name.casefold() == part.casefold()), part)
                return f"is spelled {actual} on disk: write the name exactly (LMS servers are case-sensitive)"
            folder = Path(os.path.realpath(folder / part))
        return None

    def _listing(self, folder: Path) -> set[str]:
        if folder not in self._listings:
            self._listings[folder] = set(os.listdir(folder))
        return self._listings[folder]

    def list_dir(self, folder: Path) -> list[Path]:
        """The entries of a course folder, in name order, without links that lead outside the course
        (each one is reported) and without more entries than ``max_entries`` for the whole course."""
        self.locate(folder)
        entries = []
        for entry in sorted(Path(folder).iterdir()):
            self.entries_seen += 1
            if self.entries_seen > self.limits.max_entries:
                raise SourceFileError(
                    f"holds more than {self.limits.max_entries:,} files and folders (the limit); not read further"
                )
            if entry.is_symlink():
                try:
                    self.locate(entry)
                except SourceFileError as error:
                    self.report(entry, None, error.message)
                    continue
            entries.append(entry)
        return entries

    # ----------------------------------------------------------------- how much

    def read_bytes(self, path: Path, kind: FileKind) -> bytes:
        """The bytes of a course file, under its size limit and the course's total."""
        real = self.locate(path)
        case = self._case_problem(path) if os.path.lexists(real) else None
        if case:
            raise SourceFileError(case)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            handle = os.open(real, flags)
        except FileNotFoundError:
            raise SourceFileError(self._missing(path)) from None
        except OSError as error:
            raise SourceFileError(f"cannot be read ({error.strerror})") from None
        try:
            info = os.fstat(handle)
            if not stat.S_ISREG(info.st_mode):
                raise SourceFileError("is not a regular file; it is not read")
            limit = self.limits.size_limit(kind)
            if info.st_size > limit:
                raise SourceFileError(
                    f"is {info.st_size:,} bytes, more than the limit of {limit:,} for a {kind} file "
                    "(docs/source-format.md); it is not read"
                )
            if self.bytes_read + info.st_size > self.limits.max_course_size:
                raise SourceFileError(
                    f"takes the course past its total limit of {self.limits.max_course_size:,} bytes; it is not read"
                )
            data = _read_at_most(handle, limit + 1)
        finally:
            os.close(handle)
        if len(data) > limit:
            raise SourceFileError(f"grew past the limit of {limit:,} bytes while being read; it is not read")
        self.bytes_read += len(data)
        return data

    def read_markdown(self, path: Path) -> str:
        """A page's text, refused before parsing when it holds more markers than any real page."""
        text = self.read_text(path, "page")
        markers = sum(text.count(marker) for marker in MARKDOWN_MARKERS)
        if markers > self.limits.max_page_markers:
            raise SourceFileError(
                f"holds {markers:,} Markdown markers ({' '.join(MARKDOWN_MARKERS)}), more than the limit of "
                f"{self.limits.max_page_markers:,} (docs/source-format.md); it is not parsed"
            )
        return text

    def read_text(self, path: Path, kind: FileKind) -> str:
        """A UTF-8 text file with its line ends made ``\\n`` (as Python's text mode does)."""
        data = self.read_bytes(path, kind)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SourceFileError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
        return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_at_most(handle: int, size: int) -> bytes:
    parts = []
    remaining = size
    while remaining > 0:
        chunk = os.read(handle, min(remaining, 1 * MiB))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


# --------------------------------------------------------------------------- YAML with line numbers


@dataclass
class YamlDoc:
    """Parsed YAML plus the line of every node, keyed by its path from the root."""

    path: Path
    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def get(self, *keys: Any) -> Any:
        """The value at ``keys`` (mapping keys and list indexes), or None when any step is missing."""
        value: Any = self.data
        for key in keys:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            else:
                return None
        return value

    def line(self, *keys: Any) -> int | None:
        """Line of the deepest node on ``keys`` that exists (so a missing key points at its parent)."""
        found = self.lines.get(keys)
        if found is not None:
            return found
        for end in range(len(keys) - 1, -1, -1):
            if keys[:end] in self.lines:
                return self.lines[keys[:end]]
        return None


class _CourseYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader composing without aliases or anchors, to a bounded depth."""

    max_depth = DEFAULT_SOURCE_LIMITS.max_yaml_depth

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise SourceFileError(
                f"YAML alias *{event.anchor} is not allowed in course sources: write the value out in full "
                "(a text that starts with * or &, such as *emphasis*, goes in double quotes)",
                line,
            )
        if getattr(event, "anchor", None) is not None:
            raise SourceFileError(
                f"YAML anchor &{event.anchor} is not allowed in course sources: remove it and write values out "
                "(a text that starts with * or & goes in double quotes)",
                line,
            )
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise SourceFileError(
                    f"YAML nested more than {self.max_depth} levels deep; course files need a few", line
                )
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def load_yaml(path: Path, text: str, limits: SourceLimits = DEFAULT_SOURCE_LIMITS) -> YamlDoc:
    """Parse one course YAML file; ``SourceFileError`` (with a line when known) says what is wrong.

    A file is read first with libyaml's event parser (``_fast_load``); whatever that path does not
    accept as plainly valid (an error, an alias, a tag, a nesting past the limit, a duplicate key, …)
    is read again by the reference loader below, so that every message is the reference loader's."""
    fast = _fast_load(text, limits.max_yaml_depth)
    if fast is not None:
        return YamlDoc(path, *fast)
    return _reference_load(path, text, limits)


def _reference_load(path: Path, text: str, limits: SourceLimits) -> YamlDoc:
    """PyYAML's pure-Python loader under the bounds of ``_CourseYamlLoader``: the slow path, and the
    one whose behaviour defines what a course YAML file means and how each mistake is worded."""
    try:
        loader = _CourseYamlLoader(text)  # its reader refuses control characters at once
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise SourceFileError(
            f"the character U+{error.character:04X} is not allowed in a YAML file (a control character or "
            "a lone surrogate): delete it; it is often invisible, pasted from another program",
            line,
        ) from None
    loader.max_depth = limits.max_yaml_depth
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        line, message = explain(error, text)  # each common mistake gets its own message and fix
        raise SourceFileError(message, line) from None
    except yaml.YAMLError as error:
        raise SourceFileError(f"YAML syntax error: {error}") from None
    finally:
        loader.dispose()
    if node is None:
        raise SourceFileError("file is empty", 1)
    lines: dict[tuple[Any, ...], int] = {}
    data = _node_to_data(node, (), lines, yaml.SafeLoader(""))
    if not isinstance(data, dict):
        raise SourceFileError("expected a mapping of keys (key: value) at the top of the file", 1)
    return YamlDoc(path, data, lines)


PLAIN_TAGS = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}


def _node_to_data(
    node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int], constructor: yaml.SafeLoader
) -> Any:
    """Build Python values from a composed node, recording every node's line. Recursion is bounded by
    the loader's depth limit (and aliases, which could make the tree a graph, never get this far)."""
    line = node.start_mark.line + 1
    lines[path] = line
    expected = PLAIN_TAGS.get(type(node))
    if expected is not None and node.tag != expected:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise SourceFileError(f"YAML tag {tag} is not allowed in course sources: remove it", line)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, constructor)
            if isinstance(key, list | dict | set):
                key = str(key)  # an unhashable key; reported as unknown by the caller
            if key in result:  # PyYAML keeps the last one silently: a text would vanish
                raise SourceFileError(
                    f"key '{key}' appears twice in this block (first on line {lines[(*path, key)]}): keep one",
                    key_node.start_mark.line + 1,
                )
            result[key] = _node_to_data(value_node, (*path, key), lines, constructor)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_node_to_data(item, (*path, index), lines, constructor) for index, item in enumerate(node.value)]
    return _construct(node, constructor)


def _construct(node: yaml.Node, constructor: yaml.SafeLoader) -> Any:
    line = node.start_mark.line + 1
    _check_trailing_comment(node)
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as error:
        if isinstance(node, yaml.ScalarNode) and node.tag.startswith("!") and not node.tag.startswith("!!"):
            raise SourceFileError(
                f"a text cannot start with '!' (YAML reads {node.tag} as a tag): put the whole text in double quotes",
                line,
            ) from None
        problem = getattr(error, "problem", None) or str(error)
        raise SourceFileError(f"YAML error: {problem}", line) from None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        raise SourceFileError(f"YAML error: {problem}", line) from None
    except (ValueError, OverflowError, TypeError, IndexError) as error:
        # e.g. a date like 2024-13-45, a number with more digits than Python converts, or "!!int ''"
        raise SourceFileError(
            f"YAML value {_excerpt(node)} is not valid ({error}); put it in double quotes", line
        ) from None


_GLUED_COMMENT = re.compile(r"[ \t]+#(\S[^\n]*)")


def _check_trailing_comment(node: yaml.Node) -> None:
    """``es: Número #1 del protocolo`` loses "#1 del protocolo": YAML reads it as a comment. A comment
    whose '#' touches its first word is almost always text, so it is refused with the fix."""
    if not isinstance(node, yaml.ScalarNode) or node.style is not None or not isinstance(node.value, str):
        return
    mark = node.end_mark
    buffer = getattr(mark, "buffer", None)
    if not isinstance(buffer, str):
        return
    end = buffer.find("\n", mark.pointer)
    rest = buffer[mark.pointer : end if end >= 0 else len(buffer)].rstrip("\0")  # the reader ends its buffer with NUL
    if match := _GLUED_COMMENT.match(rest):
        raise SourceFileError(
            f"'#{match.group(1)[:30]}' after the text is read as a YAML comment and dropped: put the whole "
            f'text in double quotes ("{node.value[:30]} #{match.group(1)[:20]}…"), or write a comment as "# …"',
            mark.line + 1,
        )


def _excerpt(node: yaml.Node) -> str:
    value = str(getattr(node, "value", ""))
    return repr(value if len(value) <= 40 else value[:37] + "...")


# --------------------------------------------------------------------------- the fast path: libyaml's events


_CSafeLoader = getattr(yaml, "CSafeLoader", None)  # None when PyYAML was built without libyaml
_STR_TAG = "tag:yaml.org,2002:str"
# Left to the reference loader: line ends other than "\n" and a byte-order mark (libyaml's marks would
# not mean lines and columns of the text), and tabs (the pure loader refuses a tab in many places
# where libyaml accepts it: "a: b\tc", "a:\tb", a tab before a comment).
_DEFER_CHARACTERS = ("\t", "\r", "\x85", "\u2028", "\u2029", "\ufeff")


class _Defer(Exception):
    """Something the fast path leaves to the reference loader (which accepts it or words the problem)."""


def _fast_load(text: str, max_depth: int) -> tuple[Any, dict[tuple[Any, ...], int]] | None:
    """(data, lines) of a plainly valid course file, or None to let ``_reference_load`` read it.

    libyaml parses; this loop builds the values from its events with an explicit stack (no recursion,
    whatever the nesting) and gives up, before anything grows, on the first alias, anchor, tag, node
    deeper than ``max_depth``, complex or duplicate key, second document, value the constructor
    refuses, comment glued to a text, or plain text with a '?' inside a flow collection (the pure
    loader ends a plain text there, ``{en: Who?, es: ¿Quién?}``, and refuses the file; libyaml reads
    it): those files are rare, and the reference loader's message for them is the one the designer
    must see. Anything libyaml itself refuses is read again by the reference loader, which words the
    error. The result is the reference loader's to the value and the line:
    tests/pack/test_source_files_yaml.py compares both on every YAML file of the project and on
    thousands of mutated and hand-written edge cases. Limits hold as in the reference loader: the
    file's size is checked before it is read, the depth before a node is built, and the parser
    keeps one event at a time, so nothing grows past what the text holds.
    """
    if _CSafeLoader is None or any(character in text for character in _DEFER_CHARACTERS):
        return None
    try:
        return _build_from_events(yaml.parse(text, Loader=_CSafeLoader), text, max_depth)
    except (_Defer, yaml.YAMLError, UnicodeError):
        return None
    except (ValueError, OverflowError, TypeError, IndexError):  # a value the constructor refuses
        return None


_resolver = yaml.resolver.Resolver()
# "|", ">" with an optional chomping (+ -) and indentation (1-9) indicator, then spaces and a comment or
# nothing: libyaml also takes "|#c" or "|-x", which the pure loader refuses.
_BLOCK_HEADER = re.compile(r"[|>](?:[+-][1-9]?|[1-9][+-]?)?(?:[ ]+(?:#.*)?)?$")


def _build_from_events(events: Any, text: str, max_depth: int) -> tuple[Any, dict[tuple[Any, ...], int]]:
    constructor = yaml.constructor.SafeConstructor()
    source_lines: list[str] | None = None
    lines: dict[tuple[Any, ...], int] = {}
    # One frame per open collection: [container, its path, the pending key (mappings) or _NO_KEY,
    # whether it is a flow collection ([…] or {…})].
    stack: list[list[Any]] = []
    root: Any = _NO_KEY
    documents = 0
    for event in events:
        kind = type(event)
        if kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Defer
            continue
        if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
            stack.pop()
            continue
        if kind not in _NODE_EVENTS:
            continue  # stream start and end, document end
        if kind is yaml.AliasEvent or event.anchor is not None or event.tag is not None or len(stack) >= max_depth:
            raise _Defer
        line = event.start_mark.line + 1
        if kind is yaml.ScalarEvent:
            # A quoted or block scalar is a string; a plain one may be a number, a date, true, null…
            tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit) if event.implicit[0] else _STR_TAG
            if tag == _STR_TAG:
                value: Any = event.value
            else:
                value = constructor.construct_object(
                    yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style), deep=True
                )
            if event.style in ("|", ">"):  # a block scalar: its header as the pure loader reads it, or defer
                if source_lines is None:
                    source_lines = text.split("\n")
                start = event.start_mark
                if start.line >= len(source_lines) or not _BLOCK_HEADER.match(source_lines[start.line][start.column :]):
                    raise _Defer
            elif not event.style:  # a plain scalar: is a '#' glued to a word after it (a comment eating text)?
                if stack and stack[-1][3] and "?" in event.value:
                    raise _Defer  # the pure loader ends a plain text at '?' inside […] or {…}
                if source_lines is None:
                    source_lines = text.split("\n")
                end = event.end_mark
                rest = source_lines[end.line][end.column :] if end.line < len(source_lines) else ""
                if _GLUED_COMMENT.match(rest):
                    raise _Defer
        elif kind is yaml.MappingStartEvent:
            value = {}
        else:
            value = []
        if not stack:
            if root is not _NO_KEY:
                raise _Defer
            root = value
            path: tuple[Any, ...] = ()
            lines[path] = line
        else:
            frame = stack[-1]
            parent = frame[0]
            if type(parent) is list:
                path = (*frame[1], len(parent))
                lines[path] = line
                parent.append(value)
            elif frame[2] is _NO_KEY:  # this node is a key
                if kind is not yaml.ScalarEvent or value in parent or isinstance(value, list | dict | set):
                    raise _Defer
                frame[2] = value
                lines[(*frame[1], value)] = line
                continue
            else:
                key = frame[2]
                frame[2] = _NO_KEY
                path = (*frame[1], key)
                parent[key] = value
        if kind is not yaml.ScalarEvent:
            stack.append([value, path, _NO_KEY, event.flow_style])
    if root is _NO_KEY or type(root) is not dict or stack:
        raise _Defer
    return root, lines


_NO_KEY = object()
_NODE_EVENTS = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
