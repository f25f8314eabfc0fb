"""Spotlight LRS: a conformant xAPI learning record store on Flask.

Public API: :func:`create_app` (the Flask application factory) and, for direct store access
(CLI, analytics), :func:`lrs.stores.open_store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lrs.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` is imported on first use: analytics' worker processes import ``lrs`` but
    never Flask, which would add 30 MB to each of them."""
    if name == "create_app":
        from lrs.app import create_app

        return create_app
    raise AttributeError(f"module 'lrs' has no attribute {name!r}")
