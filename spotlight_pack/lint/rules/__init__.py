"""The lint rules, one module per rule (or per pair of mirror rules); importing this registers them all."""

from . import (
    all_but_one,
    bank_draw,
    catch_all_options,
    feedback_key,
    key_length,
    key_position,
    matching_elimination,
    negative_stem,
    no_feedback,
    stem_clue,
    truefalse_balance,
)

__all__ = [
    "all_but_one",
    "bank_draw",
    "catch_all_options",
    "feedback_key",
    "key_length",
    "key_position",
    "matching_elimination",
    "negative_stem",
    "no_feedback",
    "stem_clue",
    "truefalse_balance",
]
