"""Question banks: a pool too small for its draw, and draws that make two attempts nearly identical.

``bank-too-small`` points at each pool that draws more than half its questions (or more than it has);
``attempts-overlap`` at the assessment when two attempts as a whole share more than half their
questions, including a flat question list that every attempt shows whole.

With ``d`` questions drawn at random from a pool of ``n``, two attempts share on average ``d²/n`` of
those questions, a share ``d/n`` of the draw (the hypergeometric mean; Chen, Ankenmann & Spray, 2003,
call it the test overlap rate, which for random selection equals the draw over the pool size). Over
several pools the share is ``Σ dᵢ²/nᵢ / Σ dᵢ``. When retakes are allowed and more than half of the
next attempt is questions the learner has already seen (with their feedback), a retake measures
memory of the last attempt rather than learning. Only scored assessments that allow more than one
attempt are judged (a pool that draws more than it has is reported everywhere), and only pools that
hold a scored question (a survey or open question seen again gives nothing away). Both thresholds
are shares of the draw, so they follow the size of the bank.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, rule
from ..view import AssessmentView, PoolView

MAX_OVERLAP = 0.5


def _retakes(view: AssessmentView) -> bool:
    """A scored assessment whose learner may take it again: where repeated questions matter."""
    return view.scored and view.bank is not None and view.bank.attempts != 1


def _judged(pool: PoolView) -> bool:
    """A pool with a scored question (a pool of survey or open questions repeats nothing that counts)."""
    return any(item.scored for item in pool.items)


@rule("bank-too-small", "a pool holds fewer than twice the questions it draws")
def bank_too_small(view: AssessmentView) -> Iterator[Finding]:
    if view.bank is None:
        return
    for pool in filter(_judged, view.bank.pools):
        size = len(pool.items)
        if pool.draw > size:
            yield Finding(
                pool.at,
                f"pool '{pool.id}' draws {pool.draw} questions but has {size}: every attempt shows all of them; "
                f"give it at least {2 * pool.draw} questions or lower its draw",
            )
        elif pool.declared and _retakes(view) and size and pool.draw / size > MAX_OVERLAP:
            yield Finding(
                pool.at,
                f"pool '{pool.id}' draws {pool.draw} of its {size} questions: two attempts share "
                f"{pool.draw / size:.0%} of them; give it at least {2 * pool.draw} questions or lower its draw",
            )


def expected_overlap(draws: list[tuple[int, int]]) -> float:
    """Expected share of an attempt's questions that another attempt also shows; ``draws`` = (draw, size)."""
    shown = sum(min(draw, size) for draw, size in draws if size)
    if not shown:
        return 0.0
    return sum(min(draw, size) ** 2 / size for draw, size in draws if size) / shown


@rule("attempts-overlap", "two attempts of a scored assessment share most of their questions")
def attempts_overlap(view: AssessmentView) -> Iterator[Finding]:
    bank = view.bank
    if bank is None or not _retakes(view):
        return
    draws = [(pool.draw, len(pool.items)) for pool in bank.pools if _judged(pool)]
    overlap = expected_overlap(draws)
    if overlap <= MAX_OVERLAP:
        return
    shown = sum(min(draw, size) for draw, size in draws)
    if overlap >= 1:
        what = f"every attempt shows the same {shown} questions"
    else:
        what = f"two attempts share on average {overlap * shown:.1f} of their {shown} questions ({overlap:.0%})"
    if all(pool.declared for pool in bank.pools):
        how = "give each pool at least twice as many questions as it draws, or allow one attempt (attempts: 1)"
    else:
        how = ("make it a bank (pools: whose draw is at most half of each pool's questions), or allow one attempt "
               "(attempts: 1)")
    yield Finding(view.items_at, f"{what}: a retake can be passed from memory of the last one; {how}")
