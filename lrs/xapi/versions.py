"""Which xAPI versions we speak, chosen per request by ``X-Experience-API-Version``."""

from __future__ import annotations

import re

from lrs.xapi.errors import XAPIError

V1 = "1.0.3"
V2 = "2.0.0"
SUPPORTED = (V1, V2)

_V1_RE = re.compile(r"^1\.0(\.\d+)?$")
_V2_RE = re.compile(r"^2\.0(\.\d+)?$")


def negotiate(header: str | None) -> str:
    """The version whose rules govern a request: 1.0.x -> 1.0.3, 2.0.x -> 2.0.0; else 400."""
    if header is None or not header.strip():
        raise XAPIError("X-Experience-API-Version header is required", 400)
    value = header.strip()
    if _V1_RE.match(value):
        return V1
    if _V2_RE.match(value):
        return V2
    raise XAPIError(f"X-Experience-API-Version: unsupported version {value!r} (supported: 1.0.x, 2.0.x)", 400)


def is_v2(version: str) -> bool:
    return version == V2
