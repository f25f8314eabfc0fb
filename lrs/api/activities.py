"""Activities resource: the canonical definition of an Activity."""

from __future__ import annotations

from flask import Blueprint, Response

from lrs.api.common import json_response, params, read_scopes, require_scope, store
from lrs.xapi.errors import bad
from lrs.xapi.validate import check_iri

bp = Blueprint("activities", __name__)


@bp.route("/activities", methods=["GET"])
def activities() -> Response:
    require_scope(*read_scopes("statements/read", "define", "profile", "state"))
    query = params()
    unknown = sorted(set(query) - {"activityId"})
    if unknown:
        raise bad(unknown[0], "is not a parameter of GET /activities")
    if "activityId" not in query:
        raise bad("activityId", "parameter is required")
    activity_id = check_iri(query["activityId"], "activityId")
    found = store().get_activity(activity_id)
    return json_response(found or {"objectType": "Activity", "id": activity_id})
