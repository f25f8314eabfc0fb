"""State resource: /activities/state."""

from __future__ import annotations

from flask import Blueprint, Response

from lrs.api.documents import handle
from lrs.stores import DocumentScope
from lrs.xapi.errors import bad
from lrs.xapi.query import parse_agent
from lrs.xapi.validate import check_iri, check_uuid

bp = Blueprint("state", __name__)


def _scope(query: dict[str, str]) -> tuple[DocumentScope, str | None]:
    if "activityId" not in query:
        raise bad("activityId", "parameter is required")
    activity_id = check_iri(query["activityId"], "activityId")
    parsed = parse_agent(query.get("agent"))
    assert parsed is not None
    registration = query.get("registration")
    if registration is not None:
        registration = check_uuid(registration, "registration").lower()
    scope = DocumentScope("state", activity_id=activity_id, agent=parsed[1], registration=registration)
    return scope, query.get("stateId")


@bp.route("/activities/state", methods=["GET", "PUT", "POST", "DELETE"])
def state() -> Response:
    return handle(_scope, "stateId", "state", {"activityId", "agent", "registration", "stateId"})
