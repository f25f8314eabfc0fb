"""Parsing of request parameters (statement queries, agents, document resources)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lrs.stores.base import StatementQuery
from lrs.xapi.errors import bad
from lrs.xapi.jsontext import parse_json
from lrs.xapi.statements import agent_key, store_timestamp
from lrs.xapi.validate import check_actor, check_iri, check_uuid

#: Server-side maximum page size; ``limit=0`` means this.
MAX_LIMIT = 500

STATEMENT_PARAMS = {
    "statementId", "voidedStatementId", "agent", "verb", "activity", "registration", "related_activities",
    "related_agents", "since", "until", "limit", "format", "attachments", "ascending",
}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "attachments", "format"}
FORMATS = ("exact", "ids", "canonical")


@dataclass(frozen=True)
class StatementRequest:
    """A parsed GET /statements: one statement by id, or a query."""

    statement_id: str | None
    voided: bool
    query: StatementQuery
    format: str
    attachments: bool


def parse_bool(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):
        raise bad(name, "must be true or false")
    return value.lower() == "true"


def parse_agent(raw: str | None, name: str = "agent", required: bool = True) -> tuple[dict, str] | None:
    """A JSON Agent (or identified Group) parameter -> (object, identity key)."""
    if raw is None:
        if required:
            raise bad(name, "parameter is required")
        return None
    agent = parse_json(raw, name)
    check_actor(agent, name)
    key = agent_key(agent)
    if key is None:
        raise bad(name, "must be identified by mbox, mbox_sha1sum, openid or account")
    return agent, key


def parse_statement_request(params: Mapping[str, str], version: str) -> StatementRequest:
    unknown = sorted(set(params) - STATEMENT_PARAMS)
    if unknown:
        raise bad(unknown[0], "is not a statement query parameter")
    fmt = params.get("format", "exact")
    if fmt not in FORMATS:
        raise bad("format", f"must be one of {', '.join(FORMATS)}")
    attachments = parse_bool(params, "attachments")
    for name in ("statementId", "voidedStatementId"):
        if name in params:
            extra = sorted(set(params) - SINGLE_PARAMS)
            if extra or ("statementId" in params and "voidedStatementId" in params):
                raise bad(name, f"cannot be combined with {', '.join(extra) or 'the other id parameter'}")
            sid = check_uuid(params[name], name).lower()
            return StatementRequest(sid, name == "voidedStatementId", StatementQuery(), fmt, attachments)
    agent = parse_agent(params.get("agent"), required=False)
    if "verb" in params:
        check_iri(params["verb"], "verb")
    if "activity" in params:
        check_iri(params["activity"], "activity")
    if "registration" in params:
        check_uuid(params["registration"], "registration")
    limit = MAX_LIMIT
    if "limit" in params:
        try:
            limit = int(params["limit"])
        except ValueError:
            raise bad("limit", "must be a non-negative integer") from None
        if limit < 0:
            raise bad("limit", "must be a non-negative integer")
        limit = min(limit or MAX_LIMIT, MAX_LIMIT)
    query = StatementQuery(
        agent=agent[1] if agent else None,
        related_agents=parse_bool(params, "related_agents"),
        verb=params.get("verb"),
        activity=params.get("activity"),
        related_activities=parse_bool(params, "related_activities"),
        registration=params["registration"].lower() if "registration" in params else None,
        since=store_timestamp(params["since"], "since", version) if "since" in params else None,
        until=store_timestamp(params["until"], "until", version) if "until" in params else None,
        ascending=parse_bool(params, "ascending"),
        limit=limit,
    )
    return StatementRequest(None, False, query, fmt, attachments)
