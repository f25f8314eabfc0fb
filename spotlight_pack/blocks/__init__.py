"""Page blocks as registered units (docs/source-format.md, "Blocks").

Each kind is one module here (how it is read and checked from the sources, its model, how it
renders) and one player module in ``runtime/blocks/`` (behaviour and tracking). Adding a kind is a
new module and one line in ``KINDS``; the loader, the renderer and the player look kinds up here
and never switch on them.
"""

from __future__ import annotations

from ..model import Course
from .accordion import ACCORDION, SECTION
from .audio import AUDIO
from .base import BlockKind
from .check import CHECK
from .reflection import REFLECTION
from .scenario import SCENARIO
from .tabs import TAB, TABS
from .video import VIDEO

KINDS: dict[str, BlockKind] = {
    kind.name: kind for kind in (VIDEO, AUDIO, ACCORDION, SECTION, TABS, TAB, REFLECTION, CHECK, SCENARIO)
}
ENGINE_SCRIPT = "blocks/engine.js"


def used_kinds(course: Course) -> list[BlockKind]:
    """The kinds a course uses, in registry order."""
    used = {
        block.kind
        for module in course.modules
        for page in module.pages
        for _, blocks in page.blocks
        for block in blocks
    }
    return [kind for name, kind in KINDS.items() if name in used]


def block_scripts(course: Course) -> tuple[str, ...]:
    """Runtime files for the course's blocks: the engine, then each used kind's module; none when the
    course has no blocks, so a course without them carries no block code."""
    scripts = [script for kind in used_kinds(course) for script in kind.scripts]
    return tuple(dict.fromkeys([ENGINE_SCRIPT, *scripts])) if scripts else ()


def block_styles(course: Course) -> tuple[str, ...]:
    return tuple(dict.fromkeys(style for kind in used_kinds(course) for style in kind.styles))


__all__ = ["KINDS", "BlockKind", "block_scripts", "block_styles", "used_kinds"]
