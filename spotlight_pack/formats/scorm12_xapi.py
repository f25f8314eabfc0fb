"""SCORM 1.2 that also sends xAPI statements to an LRS fixed at build time.

For LMSs that only take SCORM 1.2 (Brightspace's legacy player, say) while analysts want every
interaction in the programme's LRS. The LMS tracks it exactly like ``scorm12``; the runtime also
posts statements with a write-only credential, the learner taken from ``cmi.core.student_id`` as an
account on ``actor_homepage``. Without an endpoint at build time, the package reads ``endpoint`` and
``auth`` from its launch URL, as Tin Can content does.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from urllib.parse import urlsplit

from . import cp12
from .common import LAUNCH_PAGE, Package, PackageInfo, spotlight_data

MARKER = b'"tracking":"scorm12-xapi"'


class Scorm12XapiFormat(cp12.Scorm12Package):
    name = "scorm12-xapi"
    tracking = "scorm12-xapi"
    summary = "SCORM 1.2 for the LMS plus xAPI statements to an LRS set at build time (--lrs-endpoint)"

    @classmethod
    def detect(cls, package: Package) -> bool:
        return cp12.is_scorm12(package) and MARKER in (package.content(LAUNCH_PAGE) or b"")

    def inspect(self, package: Package) -> PackageInfo:
        """The SCORM 1.2 description plus where statements go and whether a credential is inside."""
        info = cp12.inspect(package, self.name)
        settings = (spotlight_data(package) or {}).get("settings")
        settings = settings if isinstance(settings, dict) else {}
        endpoint = settings.get("lrs_endpoint")
        info.lrs_endpoint = str(endpoint) if endpoint else "from the launch URL (endpoint=…&auth=…)"
        auth = settings.get("lrs_auth")
        info.lrs_credential = _basic_key(str(auth)) if auth else None
        return info

    def skip_by_default(self, settings: Mapping[str, str]) -> str | None:
        if settings.get("lrs_endpoint"):
            return None
        return (
            "scorm12-xapi skipped: no LRS endpoint configured. To build it, set [xapi] endpoint, key and secret "
            "in spotlight-pack.toml, or pass --lrs-endpoint URL --lrs-key KEY --lrs-secret SECRET"
        )

    def settings_problems(self, settings: Mapping[str, str]) -> list[str]:
        problems = []
        endpoint = settings.get("lrs_endpoint")
        if endpoint:
            parts = urlsplit(endpoint)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                problems.append(f"LRS endpoint {endpoint!r} must be an absolute http(s) URL")
        if bool(settings.get("lrs_key")) != bool(settings.get("lrs_secret")):
            problems.append("give both the LRS key and its secret, or neither")
        if settings.get("lrs_key") and not endpoint:
            problems.append("an LRS key was given without an LRS endpoint")
        homepage = settings.get("actor_homepage")
        if homepage and urlsplit(homepage).scheme not in {"http", "https"}:
            problems.append(f"actor homepage {homepage!r} must be an absolute http(s) URL")
        return problems

    def runtime_settings(self, settings: Mapping[str, str]) -> dict[str, str]:
        """Endpoint, a ready Authorization value and the account homePage; never the raw secret."""
        runtime: dict[str, str] = {}
        if settings.get("lrs_endpoint"):
            endpoint = settings["lrs_endpoint"]
            runtime["lrs_endpoint"] = endpoint if endpoint.endswith("/") else endpoint + "/"
        if settings.get("lrs_key") and settings.get("lrs_secret"):
            token = base64.b64encode(f"{settings['lrs_key']}:{settings['lrs_secret']}".encode()).decode()
            runtime["lrs_auth"] = f"Basic {token}"
        if settings.get("actor_homepage"):
            runtime["actor_homepage"] = settings["actor_homepage"]
        return runtime


def _basic_key(authorization: str) -> str:
    """The key (never the secret) of a ``Basic`` Authorization value; "" when it is not one."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(token, validate=True).decode("utf-8").partition(":")[0]
    except (ValueError, UnicodeDecodeError):
        return ""
