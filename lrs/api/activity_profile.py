"""Activity Profile resource: /activities/profile."""

from __future__ import annotations

from flask import Blueprint, Response

from lrs.api.documents import handle
from lrs.stores import DocumentScope
from lrs.xapi.errors import bad
from lrs.xapi.validate import check_iri

bp = Blueprint("activity_profile", __name__)


def _scope(query: dict[str, str]) -> tuple[DocumentScope, str | None]:
    if "activityId" not in query:
        raise bad("activityId", "parameter is required")
    activity_id = check_iri(query["activityId"], "activityId")
    return DocumentScope("activity_profile", activity_id=activity_id), query.get("profileId")


@bp.route("/activities/profile", methods=["GET", "PUT", "POST", "DELETE"])
def activity_profile() -> Response:
    return handle(_scope, "profileId", "profile", {"activityId", "profileId"})
