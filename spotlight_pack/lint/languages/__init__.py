"""Built-in language profiles: one module per language, each registers itself (see ``lint.language``)."""

from . import en, es

__all__ = ["en", "es"]
