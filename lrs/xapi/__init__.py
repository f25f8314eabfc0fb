"""xAPI rules: validation, normalisation, query parsing, versions, conflicts.

Plain functions over JSON-compatible values; this package imports neither Flask nor any
store (it builds :class:`lrs.stores.base.StatementRecord` values, a plain dataclass).
"""

from lrs.xapi.errors import XAPIError

__all__ = ["XAPIError"]
