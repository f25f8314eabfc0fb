"""Page blocks that report through xAPI (docs/xapi-runtime.md, "Statements of page blocks"): one
module per kind, one registry, as for interaction types (lrs.analytics.interactions).

Each module defines ``BLOCK``, a :class:`~lrs.analytics.blocks.base.Block` that claims the
statements of its kind (by the object's activity type, or a context extension only its
statements carry), keeps per-learner aggregates of them in each course, and turns those into a
section of the course's report (``media``, ``scenarios``) with its words for the plain-text and
CSV formats and a template for the dashboard (``lrs/templates/dashboard/blocks/<section>.html``).
The report never asks a statement's kind in an ``if`` chain: it looks the claim up here.
Claimed statements count towards a learner's activity (first and last, a module's last
activity) but never as a page, a question or an outcome of a module or the course.
"""

from __future__ import annotations

from lrs.analytics.blocks import media, scenario
from lrs.analytics.blocks.base import Block

__all__ = ["BY_EXTENSION", "BY_TYPE", "REGISTRY", "Block"]

REGISTRY: tuple[Block, ...] = (media.BLOCK, scenario.BLOCK)
#: Object activity type -> the block that claims statements about such activities.
BY_TYPE: dict[str, Block] = {kind: block for block in REGISTRY for kind in block.types}
#: Context extension -> the block whose statements (and only those) carry it. The report claims a
#: statement for a block by its object's type first, then by its context's extensions.
BY_EXTENSION: dict[str, Block] = {key: block for block in REGISTRY for key in block.context_extensions}

