"""Spotlight LRS: a conformant xAPI learning record store on Flask.

Public API: :func:`create_app` (the Flask application factory) and, for direct store access
(CLI, analytics), :func:`lrs.stores.open_store`.
"""

from lrs.app import create_app

__all__ = ["create_app"]
