"""The one error type the rules layer raises; the HTTP layer turns it into a response."""

from __future__ import annotations


class XAPIError(Exception):
    """A client mistake (or a conflict) with the HTTP status the xAPI spec prescribes."""

    def __init__(self, message: str, status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        #: Extra response headers (``Retry-After`` on a 429, for example).
        self.headers = headers or {}


def bad(field: str, problem: str) -> XAPIError:
    """A 400 whose message starts with the offending field's path."""
    return XAPIError(f"{field}: {problem}" if field else problem, 400)
