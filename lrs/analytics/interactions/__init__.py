"""Item analysis per ``cmi.interaction`` type: one module per interactionType, one registry.

Each module defines ``INTERACTION``, an :class:`~lrs.analytics.interactions.base.Interaction`
that summarises learners' first answers to one question of its type (choice counts, answer
frequencies, a distribution, pairs, orders, open answers), says what its key is in words, and
gives the figures the CSV report lists. The report looks a question's type up here, never in an
``if type ==`` chain; a type this registry does not know is summarised as ``other``.
Response and pattern syntax: lrs.analytics.interactions.patterns (xAPI 1.0.3 Data, 2.4.4.1.1).
"""

from __future__ import annotations

from lrs.analytics.interactions import (
    choice,
    fill_in,
    likert,
    long_fill_in,
    matching,
    numeric,
    other,
    performance,
    sequencing,
    true_false,
)
from lrs.analytics.interactions.base import Answer, Interaction, ItemContext

__all__ = ["REGISTRY", "Answer", "Interaction", "ItemContext", "interaction_for"]

#: interactionType -> its analysis (the xAPI spec's ten types).
REGISTRY: dict[str, Interaction] = {
    module.INTERACTION.type: module.INTERACTION
    for module in (choice, true_false, fill_in, long_fill_in, numeric, matching, sequencing, likert,
                   performance, other)
}


def interaction_for(definition: dict) -> Interaction:
    """The analysis of a question's ``interactionType`` (``other`` when absent or unknown)."""
    return REGISTRY.get(str(definition.get("interactionType", "")), other.INTERACTION)
