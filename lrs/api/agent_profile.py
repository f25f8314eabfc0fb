"""Agent Profile resource: /agents/profile."""

from __future__ import annotations

from flask import Blueprint, Response

from lrs.api.documents import handle
from lrs.stores import DocumentScope
from lrs.xapi.query import parse_agent

bp = Blueprint("agent_profile", __name__)


def _scope(query: dict[str, str]) -> tuple[DocumentScope, str | None]:
    parsed = parse_agent(query.get("agent"))
    assert parsed is not None
    return DocumentScope("agent_profile", agent=parsed[1]), query.get("profileId")


@bp.route("/agents/profile", methods=["GET", "PUT", "POST", "DELETE"])
def agent_profile() -> Response:
    return handle(_scope, "profileId", "profile", {"agent", "profileId"})
