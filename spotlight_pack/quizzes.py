"""Reading a quiz file (``quiz.yaml``, ``assessment.yaml``): its policy, its pools, its questions.

The question types read their own keys (``spotlight_pack/questions``); this module reads what all
quizzes share and checks the bank as a whole. Problems name items by id ("question fcc-a03,
option b") and carry the file and line. See docs/source-format.md and ASSESSMENT-SCHEMA.md.
"""

from __future__ import annotations

import re
from typing import Any

from . import quiz_text
from .errors import display_path
from .model import FeedbackPolicy, Pool, Question, QuestionType, Quiz, SourceRef
from .questions import KINDS, ItemReader, QuizSource

QUESTION_ID = re.compile(r"^[a-z][a-z0-9-]*$")
POOL_ID = re.compile(r"^[a-z][a-z0-9-]*$")
ID_HINT = "lowercase letters, digits and hyphens, starting with a letter"
QUIZ_KEYS = ("title", "intro", "questions", "pools", "attempts", "feedback", "requires", "shuffle")
QUESTION_KEYS = frozenset({"id", "type", "prompt", "feedback", "shuffle"})
MAX_ATTEMPTS = 50  # one character of the saved state
MAX_QUESTIONS = 500


class QuizReader:
    """Reads the quiz files of one course; question ids are unique across all of them."""

    def __init__(self) -> None:
        self.question_ids: dict[str, SourceRef] = {}

    def read(self, source: QuizSource, quiz_id: str, scored: bool) -> Quiz | None:
        doc = source.doc
        top = ItemReader(source, (), "quiz" if not scored else "assessment")
        title = top.text("title")
        intro = top.text("intro", required=False)  # inline Markdown, like every quiz text
        for lang in source.languages if title else ():
            if quiz_text.plain(title[lang]) != " ".join(title[lang].split()):
                top.error(f"the title is shown in the menu as plain text: no Markdown ('{lang}')", "title")
        top.unknown_keys(QUIZ_KEYS, "a quiz")
        attempts = self._attempts(top)
        policy = self._feedback(top, scored)
        requires = self._requires(top, scored)
        shuffle = top.flag("shuffle", True)
        if top.has("pools") and top.has("questions"):
            top.error("give either pools (a bank) or questions (all shown), not both", "pools")
            return None
        pools = self._pools(top, quiz_id, shuffle) if top.has("pools") else self._flat(top, quiz_id, shuffle)
        if pools is None or title is None or not top.ok:
            return None
        quiz = Quiz(
            id=quiz_id,
            title=title,
            intro=intro,
            pools=tuple(pools),
            scored=scored,
            attempts=attempts,
            feedback=policy,
            requires_all_pages=requires,
            source=SourceRef(display_path(doc.path), 1),
        )
        if scored and not self._always_scored(quiz):
            top.error(
                "some attempts would draw no scored question (likert and long-fill-in are never scored): "
                "add scored questions or raise a pool's draw",
                "pools" if top.has("pools") else "questions",
            )
            return None
        return quiz

    # ----------------------------------------------------------------- policy

    def _attempts(self, top: ItemReader) -> int | None:
        value = top.value("attempts")
        if value is None and not top.has("attempts"):
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ATTEMPTS:
            top.error(f"attempts must be a whole number from 1 to {MAX_ATTEMPTS} (leave it out for unlimited)",
                      "attempts")
            return None
        return value

    def _feedback(self, top: ItemReader, scored: bool) -> FeedbackPolicy:
        default = FeedbackPolicy.AFTER_ATTEMPT if scored else FeedbackPolicy.IMMEDIATE
        value = top.value("feedback")
        if value is None and not top.has("feedback"):
            return default
        try:
            return FeedbackPolicy(value)
        except ValueError:
            choices = ", ".join(policy.value for policy in FeedbackPolicy)
            top.error(f"feedback must be one of {choices} (got {value!r})", "feedback")
            return default

    def _requires(self, top: ItemReader, scored: bool) -> bool:
        value = top.value("requires")
        if value is None and not top.has("requires"):
            return False
        if not scored:
            top.error("requires is for assessment.yaml (a self-check is always open)", "requires")
        elif value != "all-pages":
            top.error(f"requires must be all-pages (got {value!r})", "requires")
        return value == "all-pages"

    # ----------------------------------------------------------------- pools

    def _flat(self, top: ItemReader, quiz_id: str, shuffle: bool) -> list[Pool] | None:
        questions = self._questions(top, ("questions",), shuffle)
        if questions is None:
            return None
        return [Pool(quiz_id, tuple(questions), len(questions), None, top.ref("questions"))]

    def _pools(self, top: ItemReader, quiz_id: str, shuffle: bool) -> list[Pool] | None:
        raw = top.value("pools")
        if not isinstance(raw, list) or not raw:
            top.error("pools must be a non-empty list of pools (id, draw, questions)", "pools")
            return None
        pools: list[Pool] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            name = entry.get("id") if isinstance(entry, dict) else None
            pool = top.child(("pools", index), f"pool {name}" if isinstance(name, str) else f"pool {index + 1}")
            if not isinstance(entry, dict):
                pool.error("each pool is a mapping with id, draw and questions")
                top.ok = False
                continue
            pool.unknown_keys({"id", "title", "draw", "questions"}, "a pool")
            pool_id = pool.ident("id", POOL_ID, ID_HINT)
            if pool_id in seen:
                pool.error(f"pool id '{pool_id}' is used twice", "id")
            seen.add(pool_id or "")
            title = pool.text("title", required=False)
            questions = self._questions(pool, ("questions",), shuffle)
            draw = pool.value("draw")
            if questions is not None:
                if draw is None and not pool.has("draw"):
                    draw = len(questions)
                elif isinstance(draw, bool) or not isinstance(draw, int) or not 1 <= draw <= len(questions):
                    pool.error(f"draw must be a whole number from 1 to {len(questions)} (the pool's questions)", "draw")
            if not pool.ok or questions is None or pool_id is None:
                top.ok = False
                continue
            pools.append(Pool(pool_id, tuple(questions), draw, title, pool.ref()))
        return pools if top.ok else None

    def _questions(self, parent: ItemReader, keys: tuple[Any, ...], shuffle: bool) -> list[Question] | None:
        raw = parent.source.doc.get(*parent.at, *keys)
        if not isinstance(raw, list) or not raw:
            parent.error("questions must be a non-empty list", *keys)
            return None
        if len(raw) > MAX_QUESTIONS:
            parent.error(f"at most {MAX_QUESTIONS} questions per list", *keys)
            return None
        questions = [self._question(parent, (*keys, index), shuffle) for index in range(len(raw))]
        if not all(questions):
            parent.ok = False
            return None
        return [question for question in questions if question]

    def _question(self, parent: ItemReader, keys: tuple[Any, ...], shuffle: bool) -> Question | None:
        raw = parent.source.doc.get(*parent.at, *keys)
        name = raw.get("id") if isinstance(raw, dict) else None
        position = keys[-1] + 1
        label = f"question {name}" if isinstance(name, str) and name else f"question {position} of the list"
        item = parent.child(keys, label)
        if not isinstance(raw, dict):
            item.error("each question is a mapping with id, type, prompt, …")
            return None
        question_id = item.ident("id", QUESTION_ID, ID_HINT)
        if question_id:
            if question_id in self.question_ids:
                other = self.question_ids[question_id]
                item.error(f"id '{question_id}' is already used by the question at {other}", "id")
            else:
                self.question_ids[question_id] = item.ref("id")
        try:
            kind = KINDS[QuestionType(raw.get("type"))]
        except ValueError:
            choices = ", ".join(kind.value for kind in QuestionType)
            item.error(f"type must be one of {choices} (got {raw.get('type')!r})", "type")
            return None
        prompt = item.text("prompt")
        feedback = item.text("feedback", required=False)
        own_shuffle = item.flag("shuffle", shuffle)
        misplaced = self._keys_of_other_types(item, raw, kind.type)
        item.unknown_keys(QUESTION_KEYS | kind.keys, f"a {kind.type.value} question", skip=misplaced)
        body = kind.read(item)
        if body is None or prompt is None or question_id is None or not item.ok:
            return None
        return Question(
            id=question_id,
            type=kind.type,
            prompt=prompt,
            body=body,
            feedback=feedback,
            shuffle=own_shuffle and kind.shuffles,
            source=item.ref(),
        )

    @staticmethod
    def _keys_of_other_types(item: ItemReader, raw: dict[Any, Any], own: QuestionType) -> set[Any]:
        """Keys that belong to other types (``rubric`` on a single-choice question, ``answers`` on a
        numeric one), each reported naming the types it belongs to; truly unknown keys are left to
        ``unknown_keys``."""
        misplaced = set()
        for key in sorted(set(raw) - QUESTION_KEYS - KINDS[own].keys, key=str):
            owners = [kind.type.value for kind in KINDS.values() if key in kind.keys]
            if owners:
                item.error(f"'{key}' is a key of {' and '.join(owners)} questions, not of a {own.value} question", key)
                misplaced.add(key)
        return misplaced

    @staticmethod
    def _always_scored(quiz: Quiz) -> bool:
        """Whether every possible draw holds at least one scored question."""
        least = 0
        for pool in quiz.pools:
            unscored = sum(1 for question in pool.questions if not KINDS[question.type].scored)
            least += max(0, pool.draw - unscored)
        return least > 0

