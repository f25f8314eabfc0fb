"""The rule registry: each rule is a function from an assessment view to findings, registered by id."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .language import LanguageProfile, profile_for
from .view import AssessmentView, ItemView, Location


@dataclass(frozen=True)
class Finding:
    """One warning before it becomes a ``Problem``; ``item`` lets a comment on the item's line silence it."""

    at: Location
    message: str
    item: ItemView | None = None


Check = Callable[[AssessmentView], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(rule_id: str, summary: str) -> Callable[[Check], Check]:
    """Register a rule under a stable id (the id users put in ``# lint: ignore[…]``)."""

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"lint rule '{rule_id}' is registered twice")
        RULES[rule_id] = Rule(rule_id, summary, check)
        return check

    return register


def profiled_languages(view: AssessmentView) -> Iterator[tuple[str, LanguageProfile]]:
    """The course languages that have a language profile (the language-aware rules skip the others)."""
    for lang in view.languages:
        profile = profile_for(lang)
        if profile is not None:
            yield lang, profile


def item_list(items: Iterable[ItemView], limit: int = 8) -> str:
    ids = [item.id for item in items]
    return ", ".join(ids[:limit]) + (", …" if len(ids) > limit else "")
