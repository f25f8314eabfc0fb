"""A quiz or assessment without any feedback.

Feedback that explains why an answer is right or wrong is what makes a self-check teach (Shute, 2008,
"Focus on formative feedback"); per-option feedback is optional in the source format, so a quiz can
end up with none by accident. Not flagged when the assessment's feedback policy is ``none``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import Finding, rule
from ..view import AssessmentView


@rule("no-feedback", "no question of the quiz has any feedback")
def no_feedback(view: AssessmentView) -> Iterator[Finding]:
    if view.feedback_policy == "none" or not view.items or any(item.has_feedback() for item in view.items):
        return
    kind = "assessment" if view.scored else "self-check"
    yield Finding(
        view.at,
        f"no question of this {kind} has feedback: a learner who answers wrong is not told why; add feedback "
        "to the questions or their options",
    )
