"""The LRS's cross-origin policy (CORS), for the xAPI routes only.

Packages run on the LMS's origin and post to the LRS from the learner's browser, so the xAPI
routes must answer cross-origin requests. They authenticate with an ``Authorization`` header that
their own JavaScript sets, never with cookies or credentials the browser keeps, so the LRS never
sends ``Access-Control-Allow-Credentials``: a page on another site cannot make a browser spend
credentials it holds for the LRS, because the LRS never honours any.

- Default (no allow-list): every origin may call, answered with ``Access-Control-Allow-Origin: *``.
- With an allow-list (``serve --cors-origin``, env ``SPOTLIGHT_LRS_CORS_ORIGINS``, config
  ``CORS_ORIGINS``): a listed origin is echoed (with ``Vary: Origin``); any other gets 403, for
  its preflight and for the request itself. Requests without ``Origin`` (servers, curl) are not
  cross-origin and are unaffected.
- Routes outside ``/xAPI`` (the dashboard) send no CORS headers at all.
"""

from __future__ import annotations

from collections.abc import Iterable

ALLOW_METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
ALLOW_HEADERS = (
    "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, Accept-Language, "
    "X-Requested-With"
)
EXPOSE_HEADERS = (
    "ETag, Last-Modified, Content-Type, X-Experience-API-Version, X-Experience-API-Consistent-Through, "
    "Retry-After"
)
MAX_AGE = "86400"


class CorsPolicy:
    """Which origins may call the xAPI routes, and the headers that say so."""

    def __init__(self, origins: Iterable[str] | str | None = None) -> None:
        if isinstance(origins, str):
            origins = origins.replace(",", " ").split()
        self.origins = frozenset(o.strip().rstrip("/").lower() for o in origins or () if o.strip())

    @property
    def any_origin(self) -> bool:
        return not self.origins

    def allows(self, origin: str | None) -> bool:
        """Whether a request with this ``Origin`` header (None: none sent) may be served."""
        return origin is None or self.any_origin or origin.rstrip("/").lower() in self.origins

    def headers(self, origin: str | None, preflight: bool = False) -> list[tuple[str, str]]:
        """CORS response headers for an allowed request (nothing for a refused origin)."""
        if not self.allows(origin):
            return []
        if self.any_origin:
            found = [("Access-Control-Allow-Origin", "*")]
        elif origin is None:
            return []
        else:
            found = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        found.append(("Access-Control-Expose-Headers", EXPOSE_HEADERS))
        if preflight:
            found += [("Access-Control-Allow-Methods", ALLOW_METHODS),
                      ("Access-Control-Allow-Headers", ALLOW_HEADERS),
                      ("Access-Control-Max-Age", MAX_AGE)]
        return found
