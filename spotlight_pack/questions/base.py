"""What every question type shares: the interface of a type, and the reader its loader uses.

A question type is one Python module here plus one JavaScript module in ``runtime/questions/``.
The Python side says how the type is read and checked from YAML (problems name the item by id and
carry the file and line), what its model is (a ``QuestionBody``), how it renders (a template under
``templates/questions/``), what the player needs to show and score it, and how it is tracked: its
SCORM 1.2, SCORM 2004 and xAPI interaction type and its correct-responses patterns. Nothing outside
this package switches on a question's type.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Protocol

from ..errors import display_path
from ..model import Option, Question, QuestionBody, QuestionType, SourceRef, Text

OPTION_IDS = "abcdefghij"  # SCORM 1.2 choice responses are single characters: at most ten options
COMPONENT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
SCORM12_MAX = 255  # CMIFeedback (SCORM 1.2 RTE 3.4.2.7): student_response and patterns


class Problems(Protocol):
    """The loader's problem collector (``sources._Collector``): what a question reader uses of it."""

    def add(self, path: Path, line: int | None, message: str) -> None: ...

    def text(
        self, doc: Any, languages: tuple[str, ...], *keys: Any, required: bool = True, label: str | None = None
    ) -> Text | None: ...


class InlineChecker(Protocol):
    """Checks one quiz text as inline Markdown (reports problems; collects the images it shows)."""

    def __call__(self, path: Path, line: int | None, text: str) -> None: ...


@dataclass(frozen=True)
class QuizSource:
    """One quiz file being read: its YAML with lines, the course languages, where problems go."""

    doc: Any  # sources.YamlDoc
    languages: tuple[str, ...]
    problems: Problems
    check_inline: InlineChecker

    @cached_property
    def display(self) -> str:
        """The file as the designer typed it (resolved once: a bank has hundreds of items)."""
        return display_path(self.doc.path)


class ItemReader:
    """Reads one mapping of a quiz file (a question, an option, a pair…), naming it in every problem
    by what the designer wrote ("question fcc-a03, option b"), never by a YAML path."""

    def __init__(self, source: QuizSource, at: tuple[Any, ...], label: str) -> None:
        self.source = source
        self.at = at
        self.label = label
        self.ok = True  # False once a problem was reported about this item or its children

    @property
    def path(self) -> Path:
        return self.source.doc.path

    @property
    def languages(self) -> tuple[str, ...]:
        return self.source.languages

    def value(self, key: Any) -> Any:
        return self.source.doc.get(*self.at, key)

    def has(self, key: Any) -> bool:
        raw = self.source.doc.get(*self.at)
        return isinstance(raw, dict) and key in raw

    def line(self, *keys: Any) -> int | None:
        return self.source.doc.line(*self.at, *keys)

    def ref(self, *keys: Any) -> SourceRef:
        return SourceRef(self.source.display, self.line(*keys))

    def error(self, message: str, *keys: Any) -> None:
        self.ok = False
        self.source.problems.add(self.path, self.line(*keys), f"{self.label}: {message}")

    def child(self, keys: tuple[Any, ...], label: str) -> ItemReader:
        return ItemReader(self.source, (*self.at, *keys), label)

    def mapping(self) -> dict[Any, Any] | None:
        raw = self.source.doc.get(*self.at)
        return raw if isinstance(raw, dict) else None

    def unknown_keys(self, known: Iterable[str], what: str, skip: Iterable[Any] = ()) -> None:
        """Reports every key of the mapping not in ``known`` (``skip``: keys already reported)."""
        raw = self.mapping() or {}
        allowed = sorted(known)
        for key in sorted(set(raw) - set(allowed) - set(skip), key=str):
            self.error(f"unknown key '{key}' ({what} has: {', '.join(allowed)})", key)

    def text(self, key: str, required: bool = True) -> Text | None:
        """A text in every course language, checked as inline Markdown."""
        found = self.source.problems.text(
            self.source.doc, self.languages, *self.at, key, required=required, label=f"{self.label}: {key}"
        )
        if found is None:
            if required or self.has(key):
                self.ok = False
            return None
        for lang in self.languages:
            self.source.check_inline(self.path, self.line(key, lang) or self.line(key), found[lang])
        return found

    def flag(self, key: str, default: bool) -> bool:
        value = self.value(key)
        if value is None and not self.has(key):
            return default
        if not isinstance(value, bool):
            self.error(f"{key} must be true or false", key)
            return default
        return value

    def ident(self, key: str = "id", pattern: re.Pattern[str] = COMPONENT_ID, hint: str = "") -> str | None:
        value = self.value(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not pattern.match(value):
            self.error(
                f"{key} must be {hint or 'lowercase letters, digits and hyphens (at most 32)'} (got {value!r})", key
            )
            return None
        return value

    def items(
        self, key: str, lo: int, hi: int, what: str, name: Callable[[dict[Any, Any]], Any] | None = None
    ) -> list[ItemReader] | None:
        """The entries of a list of mappings, each with a reader labelled by ``name(entry)`` (its id) or
        its position."""
        raw = self.value(key)
        if not isinstance(raw, list) or not lo <= len(raw) <= hi:
            self.error(f"{key} must be a list of {lo} to {hi} {what}", key)
            return None
        readers = []
        for index, entry in enumerate(raw):
            found = (name or (lambda mapping: mapping.get("id")))(entry) if isinstance(entry, dict) else None
            label = f"{self.label}, {what.rstrip('s')} {found}" if isinstance(found, str | int) else (
                f"{self.label}, {what.rstrip('s')} {index + 1}"
            )
            reader = self.child((key, index), label)
            if not isinstance(entry, dict):
                reader.error(f"each entry of {key} is a mapping (id: …, text: …)")
            readers.append(reader)
        return readers


@dataclass(frozen=True)
class Interaction:
    """The interaction type a question is tracked as in each standard."""

    scorm12: str  # cmi.interactions.n.type (RTE 3.4.2.7.2)
    scorm2004: str  # cmi.interactions.n.type (RTE 4.2.9)
    xapi: str  # definition.interactionType (xAPI Data 2.4.4.1, "Interaction Activities")


@dataclass(frozen=True)
class Patterns:
    """Correct-responses patterns per standard; ``None`` means the element is not written at all
    (a survey item has no correct response: xAPI omits correctResponsesPattern, SCORM writes none)."""

    scorm12: tuple[str, ...] | None
    scorm2004: tuple[str, ...] | None
    xapi: tuple[str, ...] | None

    def as_data(self) -> dict[str, list[str] | None]:
        return {
            name: None if value is None else list(value)
            for name, value in (("scorm12", self.scorm12), ("scorm2004", self.scorm2004), ("xapi", self.xapi))
        }


Inline = Callable[[str], str]  # raw quiz text → its HTML (Markup) or plain text


class QuestionKind:
    """One question type. Subclasses fill in the class attributes and the methods below."""

    type: ClassVar[QuestionType]
    keys: ClassVar[frozenset[str]] = frozenset()  # YAML keys of this type besides the common ones
    scored: ClassVar[bool] = True  # False: never counts in the score (surveys, open answers)
    shuffles: ClassVar[bool] = False  # whether the per-attempt shuffle reorders anything of this type
    interaction: ClassVar[Interaction]
    template: ClassVar[str]  # under templates/questions/
    scripts: ClassVar[tuple[str, ...]]  # under runtime/, in order (a type may build on another's script)
    styles: ClassVar[tuple[str, ...]] = ()  # style sheets under runtime/ beyond player.css
    hint: ClassVar[str]  # interface string key of the instruction under the prompt

    def read(self, item: ItemReader) -> QuestionBody | None:
        """The body of the question ``item`` describes, or None after reporting why not."""
        raise NotImplementedError

    def layout(self, question: Question) -> str:
        """The ids a saved state indexes (a state saved under other ids is ignored on resume)."""
        return ",".join(option.id for option in question.options)

    def public(self, question: Question, lang: str, plain: Inline) -> dict[str, Any]:
        """What the player may show before anything is due: texts and ids, never the key."""
        return {}

    def extensions(self, question: Question, locales: Mapping[str, str], plain: Inline) -> dict[str, Any]:
        """Extensions of the xAPI interaction definition (IRI -> value), the same in every language's
        package (``locales``: course language -> its BCP 47 tag), so that an LRS holds one definition."""
        return {}

    def key(self, question: Question, lang: str) -> Any:
        """What the player scores a response against (sealed in the package, see render.py)."""
        return None

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        raise NotImplementedError

    def feedback(self, question: Question, lang: str, html: Inline) -> dict[str, str]:
        """Per-option feedback as HTML, by option id (sealed with the key)."""
        return {}


# --------------------------------------------------------------------------- helpers for the types


def read_options(item: ItemReader, key: str, what: str = "options") -> list[Option] | None:
    """Options with ids a–j (SCORM 1.2 choice responses are one character each), text, optional
    feedback and ``correct``."""
    readers = item.items(key, 2, len(OPTION_IDS), what)
    if readers is None:
        return None
    options: list[Option] = []
    seen: set[str] = set()
    for reader in readers:
        if not reader.ok:
            continue
        option_id = reader.value("id")
        if not isinstance(option_id, str) or option_id not in OPTION_IDS:
            reader.error(f"option id must be one letter from a to j (got {option_id!r})", "id")
        elif option_id in seen:
            reader.error(f"option id '{option_id}' is used twice", "id")
        else:
            seen.add(option_id)
        correct = reader.flag("correct", False)
        reader.unknown_keys({"id", "text", "feedback", "correct"}, "an option")
        text = reader.text("text")
        feedback = reader.text("feedback", required=False)
        if reader.ok and text is not None:
            options.append(Option(str(option_id), text, feedback, correct, reader.ref()))
        else:
            item.ok = False
    return options if item.ok else None


@dataclass(frozen=True)
class Component:
    """An id with a text: a matching source or target, a sequencing step, a likert point."""

    id: str
    text: Text
    source: SourceRef | None = None


def read_components(item: ItemReader, key: str, lo: int, hi: int, what: str) -> list[Component] | None:
    readers = item.items(key, lo, hi, what)
    if readers is None:
        return None
    found: list[Component] = []
    seen: set[str] = set()
    for reader in readers:
        if not reader.ok:
            item.ok = False
            continue
        reader.unknown_keys({"id", "text"}, f"a {what.rstrip('s')}")
        ident = reader.ident()
        if ident in seen:
            reader.error(f"id '{ident}' is used twice", "id")
        text = reader.text("text")
        if ident is None or text is None or not reader.ok:
            item.ok = False
            continue
        seen.add(ident)
        found.append(Component(ident, text, reader.ref()))
    return found if item.ok else None


def component_data(components: Iterable[Component], lang: str, plain: Inline) -> list[dict[str, str]]:
    return [{"id": component.id, "text": plain(component.text[lang])} for component in components]


def scorm12_id(index: int) -> str:
    """SCORM 1.2 identifies choices, matching items and likert points by one character, 0-9 a-z."""
    return "0123456789abcdefghijklmnopqrstuvwxyz"[index]


def plain_number(value: int | float | Decimal) -> str:
    """A number as SCORM's CMIDecimal / real(10,7) wants it: no exponent, no superfluous zeros."""
    number = Decimal(str(value))
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def lang_prefix(locale: str) -> str:
    return "{lang=" + locale + "}"


def texts_of(mapping: Mapping[str, Text | None], lang: str, html: Inline) -> dict[str, str]:
    return {name: html(text[lang]) for name, text in mapping.items() if text is not None}


def scrambled(items: Iterable[Any], salt: str, ident: Callable[[Any], str]) -> list[Any]:
    """``items`` in an order fixed by ``salt`` but unrelated to the written one, so that the written
    order (which is the key of a sequencing question) is not what the page's source shows. Never
    the written order itself when there are two or more items."""
    listed = list(items)
    order = sorted(listed, key=lambda item: hashlib.sha256(f"{salt}\n{ident(item)}".encode()).digest())
    if len(order) > 1 and order == listed:
        order = order[1:] + order[:1]
    return order
