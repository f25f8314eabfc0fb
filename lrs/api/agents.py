"""Agents resource: the Person object the LRS knows for an Agent."""

from __future__ import annotations

from flask import Blueprint, Response

from lrs.api.common import json_response, params, read_scopes, require_scope, store
from lrs.xapi.errors import bad
from lrs.xapi.query import parse_agent
from lrs.xapi.validate import IFI_KEYS

bp = Blueprint("agents", __name__)


@bp.route("/agents", methods=["GET"])
def agents() -> Response:
    require_scope(*read_scopes("statements/read", "define", "profile", "state"))
    query = params()
    unknown = sorted(set(query) - {"agent"})
    if unknown:
        raise bad(unknown[0], "is not a parameter of GET /agents")
    parsed = parse_agent(query.get("agent"))
    assert parsed is not None
    agent, key = parsed
    known = store().get_agent(key) or {}
    person: dict = {"objectType": "Person"}
    name = known.get("name") or agent.get("name")
    if name:
        person["name"] = [name]
    for ifi in IFI_KEYS:
        if ifi in agent:
            person[ifi] = [agent[ifi]]
    return json_response(person)
