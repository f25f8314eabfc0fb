"""Text helpers shared by the rules: folding, words, light stemming, the question part of a stem."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import snowballstemmer

from .language import LanguageProfile

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
MARKUP = re.compile(r"[*_`]+")
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»")
BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.DOTALL)


def plain(text: str) -> str:
    """Lower case, no accents, no Markdown emphasis; punctuation kept."""
    decomposed = unicodedata.normalize("NFKD", MARKUP.sub("", text))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def fold(text: str) -> str:
    """``plain`` with punctuation turned into single spaces: for phrase matching."""
    return " ".join(re.sub(r"[^\w']+", " ", plain(text)).split())


def words(text: str) -> list[str]:
    return WORD.findall(MARKUP.sub("", text))


@cache
def _stemmer(name: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=1 << 16)
def _stem(word: str, stemmer: str) -> str:
    return fold(_stemmer(stemmer).stemWord(word)).replace("'", "")


def stem(word: str, profile: LanguageProfile) -> str:
    """The word's Snowball stem, folded: 'separación', 'separarse' and 'separó' share one. Cached: the
    pure-Python stemmers are slow and a course repeats its words."""
    return _stem(word.lower(), profile.stemmer)


def content_stems(text: str, profile: LanguageProfile) -> dict[str, str]:
    """Stem -> first word with that stem, for the content words of ``text`` (no stop words, no 1–2 letter words)."""
    found: dict[str, str] = {}
    for word in words(text):
        folded = fold(word).replace("'", "")
        if (len(folded) < 3 and not folded.isdigit()) or folded in profile.stop_words:
            continue
        found.setdefault(stem(word, profile), word)
    return found


def question_parts(stem_text: str) -> list[tuple[int, str]]:
    """The parts of a stem that state the task, with their offsets: every question ('…?', '¿…?') and
    the last sentence. A scenario before the question is left out, and so is quoted speech."""
    text = QUOTED.sub(lambda match: " " * len(match.group(0)), stem_text)
    sentences = [(match.start(), match.group(0)) for match in re.finditer(r"[^.!?]+[.!?]*", text)]
    sentences = [(start, sentence) for start, sentence in sentences if sentence.strip()]
    chosen = [(start, sentence) for start, sentence in sentences if sentence.rstrip().endswith("?")]
    if sentences and sentences[-1] not in chosen:
        chosen.append(sentences[-1])
    return chosen


def bold_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in BOLD.finditer(text)]


def opener(feedback: str) -> str:
    """The start of a feedback text (``plain``), without leading quotes, marks and Markdown."""
    return plain(re.sub(r"^[\s¡¿\"'“”«»*_(\[-]+", "", feedback))[:80]
