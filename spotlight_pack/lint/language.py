"""What the language-aware rules need to know about a language, and a registry of languages.

A language is one module in ``lint/languages/`` that calls ``register`` with a ``LanguageProfile``:
adding French is one file (stop words, its Snowball stemmer's name, phrases), no rule changes. Rules skip a course
language that has no profile (documented in docs/source-format.md), rather than guessing.

Patterns that look at phrases (``all_of_the_above``, ``none_of_the_above``, the feedback openers) run on
*folded* text: lower case, accents removed, punctuation turned into spaces (see ``text.fold``).
``negative_words`` runs on the raw stem, case-insensitively, so the rule can see whether the word was
written in capitals or bold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageProfile:
    code: str
    stop_words: frozenset[str]  # folded; function words that say nothing about content
    stemmer: str  # name of the language's Snowball stemmer (snowballstemmer.algorithms())
    all_of_the_above: tuple[re.Pattern[str], ...]
    none_of_the_above: tuple[re.Pattern[str], ...]
    negative_words: re.Pattern[str]  # NOT, EXCEPT, … (raw text, IGNORECASE)
    subordinators: frozenset[str]  # lower case: a negation after one of these is in a condition, not the task
    right_openers: re.Pattern[str]  # feedback that says "right" (folded, anchored at the start)
    wrong_openers: re.Pattern[str]  # feedback that says "wrong"
    yes_no_openers: tuple[re.Pattern[str], re.Pattern[str]]  # bare "Yes." / "No." (ambiguous in true/false)


LANGUAGES: dict[str, LanguageProfile] = {}


def register(profile: LanguageProfile) -> LanguageProfile:
    if profile.code in LANGUAGES:
        raise ValueError(f"language profile '{profile.code}' is registered twice")
    LANGUAGES[profile.code] = profile
    return profile


def profile_for(lang: str) -> LanguageProfile | None:
    """The profile of a course language (``es``, or ``es-MX`` falling back to ``es``), if any."""
    from . import languages  # noqa: F401  (registers the built-in profiles)

    return LANGUAGES.get(lang) or LANGUAGES.get(lang.split("-", 1)[0].lower())


def phrases(*patterns: str) -> tuple[re.Pattern[str], ...]:
    """Compile phrase patterns matched as whole words in folded text."""
    return tuple(re.compile(rf"(?:^|\b){pattern}(?:\b|$)") for pattern in patterns)
