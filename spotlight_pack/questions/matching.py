"""``matching``: each source goes with one target; the learner picks the target of each source in
a select (no drag and drop). ``pairs`` lists 2–10 source/target pairs; ``distractors`` optionally
adds targets that match nothing, so the last pair cannot be found by elimination.

Tracked as ``matching``. SCORM 1.2 identifies items by one character: sources 0-9 by written
position, targets a-j by their position on the page (``0.c,1.a``); SCORM 2004 and xAPI use the
ids (``s1[.]t1[,]s2[.]t2``), and xAPI lists ``source`` and ``target`` components.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import quiz_text
from ..model import Question, QuestionBody, QuestionType, Text
from .base import (
    OPTION_IDS,
    Component,
    Inline,
    Interaction,
    ItemReader,
    Patterns,
    QuestionKind,
    component_data,
    read_components,
    scorm12_id,
    scrambled,
)

MAX_ITEMS = 10


def _plain_target(item: ItemReader, text: Text) -> None:
    """Targets are the options of a select, which shows text only: no Markdown there."""
    for lang in item.languages:
        if quiz_text.plain(text[lang]) != " ".join(text[lang].split()):
            item.error(f"a target is shown in a list, as plain text: no Markdown, link or image ('{lang}')", "text")


@dataclass(frozen=True)
class MatchingBody(QuestionBody):
    sources: tuple[Component, ...]
    targets: tuple[Component, ...]  # the target of source i is targets[i]; distractors follow

    @property
    def pairs(self) -> tuple[tuple[Component, Component], ...]:
        return tuple(zip(self.sources, self.targets, strict=False))


class MatchingKind(QuestionKind):
    type = QuestionType.MATCHING
    keys = frozenset({"pairs", "distractors"})
    shuffles = True
    interaction = Interaction("matching", "matching", "matching")
    template = "matching.html.j2"
    scripts = ("questions/matching.js",)
    styles = ("questions/matching.css",)
    hint = "matchEach"

    def read(self, item: ItemReader) -> QuestionBody | None:
        pairs = item.items("pairs", 2, MAX_ITEMS, "pairs", lambda entry: (entry.get("source") or {}).get("id")
                           if isinstance(entry.get("source"), dict) else None)
        if pairs is None:
            return None
        sources: list[Component] = []
        targets: list[Component] = []
        for pair in pairs:
            if not pair.ok:
                item.ok = False
                continue
            pair.unknown_keys({"source", "target"}, "a pair")
            for key, found in (("source", sources), ("target", targets)):
                side = pair.child((key,), f"{pair.label}, {key}")
                if side.mapping() is None:
                    pair.error(f"{key} must be a mapping with id and text", key)
                    continue
                side.unknown_keys({"id", "text"}, f"a {key}")
                ident, text = side.ident(), side.text("text")
                if ident is None or text is None:
                    pair.ok = False
                    continue
                if key == "target":
                    _plain_target(side, text)
                found.append(Component(ident, text, side.ref()))
            if not pair.ok:
                item.ok = False
        distractors: list[Component] = []
        if item.has("distractors"):
            distractors = read_components(item, "distractors", 1, MAX_ITEMS, "distractors") or []
            for index, distractor in enumerate(distractors):
                _plain_target(item.child(("distractors", index), f"{item.label}, distractor {distractor.id}"),
                              distractor.text)
        if not item.ok:
            return None
        all_targets = targets + distractors
        if len(all_targets) > len(OPTION_IDS):
            item.error(f"pairs and distractors give {len(all_targets)} targets: at most {len(OPTION_IDS)}", "pairs")
        for what, group in (("source", sources), ("target", all_targets)):
            ids = [component.id for component in group]
            for ident in sorted({ident for ident in ids if ids.count(ident) > 1}):
                item.error(f"{what} id '{ident}' is used twice", "pairs")
        if not item.ok:
            return None
        return MatchingBody(tuple(sources), tuple(all_targets))

    def _body(self, question: Question) -> MatchingBody:
        assert isinstance(question.body, MatchingBody)
        return question.body

    def layout(self, question: Question) -> str:
        body = self._body(question)
        return ",".join(item.id for item in body.sources) + ":" + ",".join(item.id for item in body.targets)

    def public(self, question: Question, lang: str, plain: Inline) -> dict[str, Any]:
        body = self._body(question)
        return {
            "sources": component_data(body.sources, lang, plain),
            "targets": component_data(self.shown_targets(question), lang, plain),
        }

    def shown_targets(self, question: Question) -> list[Component]:
        """Targets in an order that does not pair them with the sources (the page's source order)."""
        return scrambled(self._body(question).targets, question.id, lambda item: item.id)

    def key(self, question: Question, lang: str) -> Any:
        return [target.id for _, target in self._body(question).pairs]

    def patterns(self, question: Question, lang: str, locale: str) -> Patterns:
        body = self._body(question)
        shown = [target.id for target in self.shown_targets(question)]
        scorm12 = ",".join(f"{scorm12_id(n)}.{OPTION_IDS[shown.index(target.id)]}" for n, (_, target) in
                           enumerate(body.pairs))
        tagged = "[,]".join(f"{source.id}[.]{target.id}" for source, target in body.pairs)
        return Patterns((scorm12,), (tagged,), (tagged,))
