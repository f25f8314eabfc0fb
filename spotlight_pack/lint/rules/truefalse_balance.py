"""True/false keys strongly unbalanced.

A learner who always answers the majority key scores its share without knowing anything (Millman,
Bishop & Ebel, 1965, on test-wiseness); Grosse & Wright (1985) show that with an unequally split key,
learners' habit of answering "true" (or "false") when unsure shifts scores by up to a standard
deviation. Unlike option length, the designer chooses every true/false key,
so an unbalanced set is flagged even when it is too small for a test to call it a bias: when the
majority key covers at least ``MIN_SHARE`` of the items and outnumbers the other by at least
``MIN_GAP``. In larger sets, a two-sided exact binomial test (p <= ``stats.ALPHA``) with a majority of
at least ``MIN_SHARE_TESTED`` also flags it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, rule
from ..stats import ALPHA, imbalance
from ..view import AssessmentView

MIN_ITEMS = 4
MIN_SHARE = 3 / 4
MIN_GAP = 3
MIN_SHARE_TESTED = 2 / 3


@rule("truefalse-balance", "true/false keys are strongly unbalanced")
def truefalse_balance(view: AssessmentView) -> Iterator[Finding]:
    items = [item for item in view.items if item.type == "truefalse" and len(item.keys) == 1]
    true_count = sum(item.keys[0].id == "true" for item in items)
    false_count = len(items) - true_count
    found = imbalance(true_count, false_count)
    if found.total < MIN_ITEMS:
        return
    share = found.observed / found.total
    chosen = share >= MIN_SHARE and 2 * found.observed - found.total >= MIN_GAP
    tested = found.p_value <= ALPHA and share >= MIN_SHARE_TESTED
    if not (chosen or tested):
        return
    majority = "true" if true_count > false_count else "false"
    yield Finding(
        view.items_at,
        f"{found.observed} of {found.total} true/false keys are '{majority}': a learner who always answers "
        f"'{majority}' scores {round(100 * share)}% on them without knowing; balance true and false statements",
    )
