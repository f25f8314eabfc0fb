"""Statement normalisation, index keys, comparison and output formats."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

from lrs.stores.base import StatementRecord, format_timestamp
from lrs.xapi.errors import XAPIError, bad
from lrs.xapi.validate import IFI_KEYS, VOIDED_VERB, parse_timestamp
from lrs.xapi.versions import is_v2

#: Properties the LRS sets itself, ignored when comparing a re-sent statement with the stored one.
LRS_SET = ("authority", "stored", "version")


def agent_key(agent: dict) -> str | None:
    """The identity key of an Agent or identified Group (None for an anonymous Group)."""
    if "mbox" in agent:
        return "mbox:" + agent["mbox"].lower()
    if "mbox_sha1sum" in agent:
        return "mbox_sha1sum:" + agent["mbox_sha1sum"].lower()
    if "openid" in agent:
        return "openid:" + agent["openid"]
    if "account" in agent:
        account = agent["account"]
        return f"account:{account['homePage']}|{account['name']}"
    return None


def actor_keys(actor: dict) -> set[str]:
    """Keys an agent filter matches for this actor: itself and, for a Group, its members."""
    keys = {k for k in [agent_key(actor)] if k}
    for member in actor.get("member", []) if actor.get("objectType") == "Group" else []:
        key = agent_key(member)
        if key:
            keys.add(key)
    return keys


def _context_activity_ids(context: dict) -> set[str]:
    found: set[str] = set()
    for entry in context.get("contextActivities", {}).values():
        for activity in entry if isinstance(entry, list) else [entry]:
            found.add(activity["id"])
    return found


def _context_agent_keys(context: dict) -> set[str]:
    keys: set[str] = set()
    for key in ("instructor", "team"):
        if key in context:
            keys |= actor_keys(context[key])
    for item in context.get("contextAgents", []):
        keys |= actor_keys(item["agent"])
    for item in context.get("contextGroups", []):
        keys |= actor_keys(item["group"])
    return keys


def _object_keys(obj: dict) -> tuple[set[str], set[str]]:
    """(agent keys, activity ids) of a statement object."""
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        return actor_keys(obj), set()
    if kind == "Activity":
        return set(), {obj["id"]}
    return set(), set()


def build_record(statement: dict) -> StatementRecord:
    """Index keys of a validated, normalised statement for the store."""
    obj = statement["object"]
    agents = actor_keys(statement["actor"])
    obj_agents, obj_activities = _object_keys(obj)
    agents |= obj_agents
    related_agents = set(agents)
    related_activities = set(obj_activities)
    context = statement.get("context", {})
    related_agents |= _context_agent_keys(context)
    related_activities |= _context_activity_ids(context)
    authority = statement.get("authority")
    authority_keys = actor_keys(authority) if authority else set()
    related_agents |= authority_keys
    if obj.get("objectType") == "SubStatement":
        related_agents |= actor_keys(obj["actor"])
        sub_agents, sub_activities = _object_keys(obj["object"])
        related_agents |= sub_agents | _context_agent_keys(obj.get("context", {}))
        related_activities |= sub_activities | _context_activity_ids(obj.get("context", {}))
    ref = obj["id"] if obj.get("objectType") == "StatementRef" else None
    voids = ref if statement["verb"]["id"] == VOIDED_VERB else None
    return StatementRecord(
        id=statement["id"],
        statement=statement,
        verb_id=statement["verb"]["id"],
        agent_keys=frozenset(agents),
        related_agent_keys=frozenset(related_agents),
        activity_ids=frozenset(obj_activities),
        related_activity_ids=frozenset(related_activities),
        registration=context.get("registration"),
        authority_keys=frozenset(authority_keys),
        statement_ref=ref,
        voids=voids,
        attachment_hashes=frozenset(a["sha2"] for a in statement.get("attachments", [])),
    )


def canonical_form(statement: dict) -> dict:
    """A copy with the spellings the LRS stores: lower-case id, context activities as arrays.

    Copies only the dicts it changes (the rest is shared with ``statement``), since this runs
    for every statement received.
    """
    result = dict(statement)
    if "id" in result:
        result["id"] = result["id"].lower()
    if isinstance(result.get("object"), dict) and "context" in result["object"]:
        result["object"] = _arrays_in_context(result["object"])
    return _arrays_in_context(result)


def _arrays_in_context(part: dict) -> dict:
    activities = part.get("context", {}).get("contextActivities")
    if not activities or all(isinstance(v, list) for v in activities.values()):
        return part
    fixed = {k: [v] if isinstance(v, dict) else v for k, v in activities.items()}
    return dict(part, context=dict(part["context"], contextActivities=fixed))


def normalise(statement: dict, version: str, authority: dict, now: dt.datetime) -> dict:
    """Fill in what the LRS sets: id, timestamp, authority, version (``stored`` is the store's)."""
    result = canonical_form(statement)
    result.setdefault("id", str(uuid.uuid4()))
    if "timestamp" not in result:
        result["timestamp"] = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    result["authority"] = authority
    result.pop("stored", None)
    if "version" not in result:
        result["version"] = "2.0.0" if is_v2(version) else "1.0.0"
    return result


def _truncate_durations(statement: dict) -> None:
    """Durations compare only to 0.01 s (xAPI 2.0.0 4.2.7): cut longer second fractions."""
    for part in (statement, statement.get("object", {})):
        result = part.get("result")
        if isinstance(result, dict) and isinstance(result.get("duration"), str):
            result["duration"] = _SECONDS_FRACTION.sub(
                lambda m: f"{m.group(1)}.{m.group(2)[:2]}".rstrip("0").rstrip(".") + "S", result["duration"]
            )


_SECONDS_FRACTION = re.compile(r"(\d+)\.(\d+)S$")


def same_statement(stored: dict, incoming: dict) -> bool:
    """Whether a re-sent statement equals the stored one, ignoring what the LRS sets."""
    a = {k: v for k, v in canonical_form(stored).items() if k not in LRS_SET}
    b = {k: v for k, v in canonical_form(incoming).items() if k not in LRS_SET}
    _truncate_durations(a)
    _truncate_durations(b)
    a["id"] = a.get("id", "").lower()
    b["id"] = b.get("id", a["id"]).lower()
    if "timestamp" not in b:
        a.pop("timestamp", None)
    elif "timestamp" in a:
        try:
            same_time = parse_timestamp(a.pop("timestamp"), "", "1.0.3") == parse_timestamp(
                b.pop("timestamp"), "", "1.0.3")
        except XAPIError:
            return False
        if not same_time:
            return False
    return a == b


def check_voiding_targets(statements: list[dict], lookup: dict[str, dict]) -> None:
    """Reject voiding statements whose target is itself a voiding statement."""
    for i, statement in enumerate(statements):
        if statement["verb"]["id"] != VOIDED_VERB:
            continue
        target = lookup.get(statement["object"]["id"])
        if target is not None and target["verb"]["id"] == VOIDED_VERB:
            raise bad(f"statements[{i}].object.id", "cannot void a voiding statement")


def iter_activities(statement: dict) -> Iterator[dict]:
    """Every Activity object a statement mentions (object, context activities, sub-statement)."""
    def from_part(part: dict) -> Iterator[dict]:
        obj = part["object"]
        if obj.get("objectType", "Activity") == "Activity":
            yield obj
        for entry in part.get("context", {}).get("contextActivities", {}).values():
            yield from entry if isinstance(entry, list) else [entry]

    yield from from_part(statement)
    if statement["object"].get("objectType") == "SubStatement":
        yield from from_part(statement["object"])


def iter_agents(statement: dict) -> Iterator[dict]:
    """Agents a statement names directly (actor, agent object, instructor), with their names."""
    for agent in (statement["actor"], statement["object"], statement.get("context", {}).get("instructor")):
        if agent and agent.get("objectType", "Agent") == "Agent" and any(k in agent for k in IFI_KEYS):
            yield agent


def merge_activity(current: dict | None, incoming: dict) -> dict:
    """The canonical Activity after seeing ``incoming``: language maps merged, the rest replaced.

    Builds new dicts down to the definition level instead of deep-copying (a hot path: every
    activity of every statement); the values taken over are never mutated afterwards.
    """
    merged = {**current} if current else {"objectType": "Activity", "id": incoming["id"]}
    merged["objectType"] = "Activity"
    definition = incoming.get("definition")
    if not definition:
        return merged
    target = dict(merged.get("definition") or {})
    merged["definition"] = target
    for key, value in definition.items():
        if key in ("name", "description") and isinstance(target.get(key), dict):
            target[key] = {**target[key], **value}
        else:
            target[key] = value
    return merged


# --- output formats ----------------------------------------------------------------------------


def _ids_actor(actor: dict) -> dict:
    out = {"objectType": actor.get("objectType", "Agent")}
    for key in IFI_KEYS:
        if key in actor:
            out[key] = actor[key]
    if out["objectType"] == "Group" and agent_key(actor) is None:
        out["member"] = [_ids_actor(m) for m in actor.get("member", [])]
    return out


def _ids_object(obj: dict) -> dict:
    kind = obj.get("objectType", "Activity")
    if kind in ("Agent", "Group"):
        return _ids_actor(obj)
    if kind == "Activity":
        return {"id": obj["id"]}
    if kind == "SubStatement":
        return _ids_core(obj)
    return obj


def _ids_core(part: dict) -> dict:
    out = dict(part)
    out["actor"] = _ids_actor(part["actor"])
    out["verb"] = {"id": part["verb"]["id"]}
    out["object"] = _ids_object(part["object"])
    if "context" in part:
        context = dict(part["context"])
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _ids_actor(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                k: [{"id": a["id"]} for a in (v if isinstance(v, list) else [v])]
                for k, v in context["contextActivities"].items()
            }
        part_context_agents = context.get("contextAgents")
        if part_context_agents:
            context["contextAgents"] = [dict(c, agent=_ids_actor(c["agent"])) for c in part_context_agents]
        part_context_groups = context.get("contextGroups")
        if part_context_groups:
            context["contextGroups"] = [dict(c, group=_ids_actor(c["group"])) for c in part_context_groups]
        out["context"] = context
    return out


def format_ids(statement: dict) -> dict:
    """The ``format=ids`` form: agents, activities and verbs reduced to their identifiers."""
    out = _ids_core(statement)
    if "authority" in out:
        out["authority"] = _ids_actor(out["authority"])
    return out


def _pick_language(value: dict, languages: list[str]) -> dict:
    if not value:
        return value
    lowered = {k.lower(): k for k in value}
    for lang in languages:
        lang = lang.lower()
        if lang in lowered:
            return {lowered[lang]: value[lowered[lang]]}
        for key_lower, key in lowered.items():
            if key_lower.split("-")[0] == lang.split("-")[0]:
                return {key: value[key]}
    first = next(iter(value))
    return {first: value[first]}


def format_canonical(statement: Any, languages: list[str]) -> Any:
    """The ``format=canonical`` form: every language map cut to the best-matching language."""
    if isinstance(statement, list):
        return [format_canonical(item, languages) for item in statement]
    if not isinstance(statement, dict):
        return statement
    out = {}
    for key, value in statement.items():
        if key in ("display", "name", "description") and isinstance(value, dict):
            out[key] = _pick_language(value, languages)
        elif key == "extensions":
            out[key] = value
        else:
            out[key] = format_canonical(value, languages)
    return out


def store_timestamp(value: str, field: str, version: str) -> str:
    """A query timestamp parameter converted to the store's fixed-width UTC format."""
    return format_timestamp(parse_timestamp(value, field, version))


__all__ = [
    "agent_key",
    "build_record",
    "canonical_form",
    "check_voiding_targets",
    "format_canonical",
    "format_ids",
    "iter_activities",
    "iter_agents",
    "merge_activity",
    "normalise",
    "same_statement",
    "store_timestamp",
]
