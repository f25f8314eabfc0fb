"""Statement validation to the xAPI specification (1.0.3 and 2.0.0).

Every check raises :class:`XAPIError` (400) whose message begins with the JSON path of the
offending field, e.g. ``statement.context.registration: not a UUID``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from lrs.xapi.errors import bad
from lrs.xapi.versions import is_v2

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
MBOX_RE = re.compile(r"^mailto:[^@\s:]+@[^@\s]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
# RFC 5646 language tags (langtag / privateuse / the irregular grandfathered tags).
LANG_RE = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?"
    r"(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z\d]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z\d]{1,8})+)?|[xX](?:-[A-Za-z\d]{1,8})+|"
    r"en-GB-oed|i-[a-z]{3,}|sgn-[A-Z]{2}-[A-Z]{2})$"
)
TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
DURATION_RE = re.compile(
    r"^P(?:\d+(?:\.\d+)?W|(?=\d|T\d)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$"
)
INTERACTION_TYPES = {
    "true-false", "choice", "fill-in", "long-fill-in", "matching", "performance",
    "sequencing", "likert", "numeric", "other",
}
INTERACTION_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
#: Longest identifier, in UTF-8 bytes: IRIs (activity, verb, extension keys, ...), mbox, openid,
#: account homePage and name, document ids. Stores index these; PostgreSQL's B-tree refuses
#: index entries over 2,704 bytes, and a State document's key holds four of them.
MAX_IDENTIFIER_BYTES = 512


# --- primitives ------------------------------------------------------------------------------


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise bad(path, "must be a JSON object")
    return value


def _keys(
    value: dict, path: str, allowed: tuple[str, ...] | list[str], required: tuple[str, ...] = ()
) -> None:
    for key in value:
        if key not in allowed:
            raise bad(f"{path}.{key}", "is not an allowed property here")
    for key in required:
        if key not in value:
            raise bad(f"{path}.{key}", "is required")


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise bad(path, "must be a string")
    return value


def _bool(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        raise bad(path, "must be true or false")


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(path, "must be a number")
    return float(value)


def check_uuid(value: Any, path: str) -> str:
    if not isinstance(value, str) or not UUID_RE.match(value):
        raise bad(path, "must be a UUID string")
    return value


def check_iri(value: Any, path: str) -> str:
    if not isinstance(value, str) or not IRI_RE.match(value):
        raise bad(path, "must be an absolute IRI")
    return check_identifier(value, path)


def check_identifier(value: str, path: str) -> str:
    """``value`` unless it is longer than :data:`MAX_IDENTIFIER_BYTES` in UTF-8."""
    if len(value) > MAX_IDENTIFIER_BYTES // 4 and len(value.encode("utf-8", "surrogatepass")) > MAX_IDENTIFIER_BYTES:
        raise bad(path, f"longer than {MAX_IDENTIFIER_BYTES} bytes (UTF-8), this LRS's limit for identifiers")
    return value


def check_language_map(value: Any, path: str) -> None:
    _object(value, path)
    for tag, text in value.items():
        if not LANG_RE.match(tag):
            raise bad(f"{path}.{tag}", "key is not an RFC 5646 language tag")
        if not isinstance(text, str):
            raise bad(f"{path}.{tag}", "must be a string")


def check_extensions(value: Any, path: str) -> None:
    _object(value, path)
    for key in value:
        check_iri(key, f"{path}[{key!r}]")


def parse_timestamp(value: Any, path: str, version: str) -> dt.datetime:
    """Parse an ISO 8601 timestamp; 2.0.0 requires an offset, neither allows ``-00:00``."""
    if not isinstance(value, str):
        raise bad(path, "must be an ISO 8601 timestamp string")
    match = TIMESTAMP_RE.match(value)
    if not match:
        raise bad(path, f"{value!r} is not an ISO 8601 timestamp")
    zone = match.group(8)
    if zone and zone[0] == "-" and set(zone[1:].replace(":", "")) == {"0"}:
        raise bad(path, "must not use the negative zero offset -00:00")
    if zone is None and is_v2(version):
        raise bad(path, "must include a time zone offset (xAPI 2.0.0)")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7) or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    tz = dt.UTC
    if zone and zone not in ("Z", "z"):
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        if hours > 23 or minutes > 59:
            raise bad(path, f"{value!r}: time zone offset {zone} is not a valid offset (at most 23:59)")
        offset = dt.timedelta(hours=hours, minutes=minutes)
        tz = dt.timezone(offset if zone[0] == "+" else -offset)
    try:
        moment = dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        moment.astimezone(dt.UTC)  # every stored time is compared in UTC: it must have one
    except (ValueError, OverflowError) as exc:
        raise bad(path, f"{value!r} is not a valid date and time ({exc})") from None
    return moment


def check_duration(value: Any, path: str) -> None:
    if not isinstance(value, str) or not DURATION_RE.match(value):
        raise bad(path, "must be an ISO 8601 duration such as PT1H30M")


# --- actors ---------------------------------------------------------------------------------


def _check_ifis(value: dict, path: str, required: bool) -> None:
    present = [k for k in IFI_KEYS if k in value]
    if len(present) > 1:
        raise bad(path, f"has more than one inverse functional identifier ({', '.join(present)})")
    if required and not present:
        raise bad(path, "needs one inverse functional identifier (mbox, mbox_sha1sum, openid or account)")
    if "mbox" in value and (not isinstance(value["mbox"], str) or not MBOX_RE.match(value["mbox"])):
        raise bad(f"{path}.mbox", "must be a mailto: IRI")
    if "mbox" in value:
        check_identifier(value["mbox"], f"{path}.mbox")
    if "mbox_sha1sum" in value and (
        not isinstance(value["mbox_sha1sum"], str) or not SHA1_RE.match(value["mbox_sha1sum"])
    ):
        raise bad(f"{path}.mbox_sha1sum", "must be a hex SHA-1 digest")
    if "openid" in value:
        check_iri(value["openid"], f"{path}.openid")
    if "account" in value:
        account = _object(value["account"], f"{path}.account")
        _keys(account, f"{path}.account", ("homePage", "name"), ("homePage", "name"))
        check_iri(account["homePage"], f"{path}.account.homePage")
        check_identifier(_string(account["name"], f"{path}.account.name"), f"{path}.account.name")


def check_agent(value: Any, path: str) -> None:
    agent = _object(value, path)
    _keys(agent, path, ("objectType", "name", *IFI_KEYS))
    if "objectType" in agent and agent["objectType"] != "Agent":
        raise bad(f"{path}.objectType", "must be 'Agent'")
    if "name" in agent:
        _string(agent["name"], f"{path}.name")
    _check_ifis(agent, path, required=True)


def check_group(value: Any, path: str) -> None:
    group = _object(value, path)
    _keys(group, path, ("objectType", "name", "member", *IFI_KEYS))
    if group.get("objectType") != "Group":
        raise bad(f"{path}.objectType", "must be 'Group'")
    if "name" in group:
        _string(group["name"], f"{path}.name")
    identified = any(k in group for k in IFI_KEYS)
    _check_ifis(group, path, required=False)
    if "member" in group:
        members = group["member"]
        if not isinstance(members, list):
            raise bad(f"{path}.member", "must be an array of Agents")
        for i, member in enumerate(members):
            check_agent(member, f"{path}.member[{i}]")
        if not identified and not members:
            raise bad(f"{path}.member", "an anonymous Group needs at least one member")
    elif not identified:
        raise bad(f"{path}.member", "an anonymous Group needs a member list")


def check_actor(value: Any, path: str) -> None:
    actor = _object(value, path)
    if actor.get("objectType") == "Group":
        check_group(actor, path)
    else:
        check_agent(actor, path)


# --- activities -----------------------------------------------------------------------------


def check_activity(value: Any, path: str) -> None:
    activity = _object(value, path)
    _keys(activity, path, ("objectType", "id", "definition"), ("id",))
    if "objectType" in activity and activity["objectType"] != "Activity":
        raise bad(f"{path}.objectType", "must be 'Activity'")
    check_iri(activity["id"], f"{path}.id")
    if "definition" in activity:
        check_definition(activity["definition"], f"{path}.definition")


def check_definition(value: Any, path: str) -> None:
    definition = _object(value, path)
    _keys(
        definition,
        path,
        ("name", "description", "type", "moreInfo", "extensions", "interactionType",
         "correctResponsesPattern", *INTERACTION_COMPONENT_LISTS),
    )
    for key in ("name", "description"):
        if key in definition:
            check_language_map(definition[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if key in definition:
            check_iri(definition[key], f"{path}.{key}")
    if "extensions" in definition:
        check_extensions(definition["extensions"], f"{path}.extensions")
    interaction = definition.get("interactionType")
    valid_type = isinstance(interaction, str) and interaction in INTERACTION_TYPES
    if "interactionType" in definition and not valid_type:
        raise bad(f"{path}.interactionType", f"must be one of {', '.join(sorted(INTERACTION_TYPES))}")
    if "correctResponsesPattern" in definition:
        if interaction is None:
            raise bad(f"{path}.correctResponsesPattern", "needs an interactionType")
        pattern = definition["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            raise bad(f"{path}.correctResponsesPattern", "must be an array of strings")
    for key in INTERACTION_COMPONENT_LISTS:
        if key not in definition:
            continue
        if interaction is None:
            raise bad(f"{path}.{key}", "needs an interactionType")
        components = definition[key]
        if not isinstance(components, list):
            raise bad(f"{path}.{key}", "must be an array of interaction components")
        seen: set[str] = set()
        for i, component in enumerate(components):
            cpath = f"{path}.{key}[{i}]"
            _object(component, cpath)
            _keys(component, cpath, ("id", "description"), ("id",))
            cid = _string(component["id"], f"{cpath}.id")
            if cid in seen:
                raise bad(f"{cpath}.id", f"duplicate interaction component id {cid!r}")
            seen.add(cid)
            if "description" in component:
                check_language_map(component["description"], f"{cpath}.description")


# --- statement parts ------------------------------------------------------------------------


def check_verb(value: Any, path: str) -> None:
    verb = _object(value, path)
    _keys(verb, path, ("id", "display"), ("id",))
    check_iri(verb["id"], f"{path}.id")
    if "display" in verb:
        check_language_map(verb["display"], f"{path}.display")


def check_statement_ref(value: Any, path: str) -> None:
    ref = _object(value, path)
    _keys(ref, path, ("objectType", "id"), ("objectType", "id"))
    if ref["objectType"] != "StatementRef":
        raise bad(f"{path}.objectType", "must be 'StatementRef'")
    check_uuid(ref["id"], f"{path}.id")


def check_object(value: Any, path: str, version: str, in_substatement: bool) -> None:
    obj = _object(value, path)
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        check_activity(obj, path)
    elif kind == "Agent":
        check_agent(obj, path)
    elif kind == "Group":
        check_group(obj, path)
    elif kind == "StatementRef":
        check_statement_ref(obj, path)
    elif kind == "SubStatement":
        if in_substatement:
            raise bad(path, "a SubStatement cannot contain another SubStatement")
        check_substatement(obj, path, version)
    else:
        raise bad(f"{path}.objectType", f"unknown objectType {kind!r}")


def check_result(value: Any, path: str) -> None:
    result = _object(value, path)
    _keys(result, path, ("score", "success", "completion", "response", "duration", "extensions"))
    if "score" in result:
        check_score(result["score"], f"{path}.score")
    for key in ("success", "completion"):
        if key in result:
            _bool(result[key], f"{path}.{key}")
    if "response" in result:
        _string(result["response"], f"{path}.response")
    if "duration" in result:
        check_duration(result["duration"], f"{path}.duration")
    if "extensions" in result:
        check_extensions(result["extensions"], f"{path}.extensions")


def check_score(value: Any, path: str) -> None:
    score = _object(value, path)
    _keys(score, path, ("scaled", "raw", "min", "max"))
    numbers = {k: _number(score[k], f"{path}.{k}") for k in ("scaled", "raw", "min", "max") if k in score}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        raise bad(f"{path}.scaled", "must be between -1 and 1")
    if "min" in numbers and "max" in numbers and numbers["min"] >= numbers["max"]:
        raise bad(f"{path}.min", "must be less than max")
    if "raw" in numbers:
        if "min" in numbers and numbers["raw"] < numbers["min"]:
            raise bad(f"{path}.raw", "must not be less than min")
        if "max" in numbers and numbers["raw"] > numbers["max"]:
            raise bad(f"{path}.raw", "must not be greater than max")


def check_context(value: Any, path: str, version: str, object_is_activity: bool) -> None:
    context = _object(value, path)
    allowed = ["registration", "instructor", "team", "contextActivities", "revision", "platform",
               "language", "statement", "extensions"]
    if is_v2(version):
        allowed += ["contextAgents", "contextGroups"]
    _keys(context, path, allowed)
    if "registration" in context:
        check_uuid(context["registration"], f"{path}.registration")
    if "instructor" in context:
        check_actor(context["instructor"], f"{path}.instructor")
    if "team" in context:
        check_group(context["team"], f"{path}.team")
    if "contextActivities" in context:
        activities = _object(context["contextActivities"], f"{path}.contextActivities")
        _keys(activities, f"{path}.contextActivities", CONTEXT_ACTIVITY_KEYS)
        for key, entry in activities.items():
            items = entry if isinstance(entry, list) else [entry]
            for i, item in enumerate(items):
                check_activity(item, f"{path}.contextActivities.{key}[{i}]")
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{path}.{key}")
            if not object_is_activity:
                raise bad(f"{path}.{key}", "is only allowed when the object is an Activity")
    if "language" in context and (not isinstance(context["language"], str) or
                                  not LANG_RE.match(context["language"])):
        raise bad(f"{path}.language", "must be an RFC 5646 language tag")
    if "statement" in context:
        check_statement_ref(context["statement"], f"{path}.statement")
    if "extensions" in context:
        check_extensions(context["extensions"], f"{path}.extensions")
    if "contextAgents" in context:
        _check_context_members(context["contextAgents"], f"{path}.contextAgents", "contextAgent", "agent")
    if "contextGroups" in context:
        _check_context_members(context["contextGroups"], f"{path}.contextGroups", "contextGroup", "group")


def _check_context_members(value: Any, path: str, object_type: str, member_key: str) -> None:
    if not isinstance(value, list):
        raise bad(path, f"must be an array of {object_type} objects")
    for i, item in enumerate(value):
        ipath = f"{path}[{i}]"
        _object(item, ipath)
        _keys(item, ipath, ("objectType", member_key, "relevantTypes"), ("objectType", member_key))
        if item["objectType"] != object_type:
            raise bad(f"{ipath}.objectType", f"must be {object_type!r}")
        if member_key == "agent":
            check_agent(item["agent"], f"{ipath}.agent")
        else:
            check_group(item["group"], f"{ipath}.group")
        if "relevantTypes" in item:
            types = item["relevantTypes"]
            if not isinstance(types, list) or not types:
                raise bad(f"{ipath}.relevantTypes", "must be a non-empty array of IRIs")
            for j, iri in enumerate(types):
                check_iri(iri, f"{ipath}.relevantTypes[{j}]")


def check_attachments(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise bad(path, "must be an array of attachments")
    for i, item in enumerate(value):
        ipath = f"{path}[{i}]"
        attachment = _object(item, ipath)
        _keys(attachment, ipath,
              ("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"),
              ("usageType", "display", "contentType", "length", "sha2"))
        check_iri(attachment["usageType"], f"{ipath}.usageType")
        check_language_map(attachment["display"], f"{ipath}.display")
        if "description" in attachment:
            check_language_map(attachment["description"], f"{ipath}.description")
        _string(attachment["contentType"], f"{ipath}.contentType")
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise bad(f"{ipath}.length", "must be a non-negative integer")
        sha2 = attachment["sha2"]
        if not isinstance(sha2, str) or not re.fullmatch(r"[0-9a-fA-F]{56,128}", sha2):
            raise bad(f"{ipath}.sha2", "must be a hex SHA-2 digest")
        if "fileUrl" in attachment:
            check_iri(attachment["fileUrl"], f"{ipath}.fileUrl")


def check_substatement(value: dict, path: str, version: str) -> None:
    allowed = ("objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments")
    _keys(value, path, allowed, ("actor", "verb", "object"))
    _check_core(value, path, version, in_substatement=True)


def _check_core(stmt: dict, path: str, version: str, in_substatement: bool) -> None:
    check_actor(stmt["actor"], f"{path}.actor")
    check_verb(stmt["verb"], f"{path}.verb")
    check_object(stmt["object"], f"{path}.object", version, in_substatement)
    if "result" in stmt:
        check_result(stmt["result"], f"{path}.result")
    if "context" in stmt:
        is_activity = _object(stmt["object"], f"{path}.object").get("objectType", "Activity") == "Activity"
        check_context(stmt["context"], f"{path}.context", version, is_activity)
    if "timestamp" in stmt:
        parse_timestamp(stmt["timestamp"], f"{path}.timestamp", version)
    if "attachments" in stmt:
        check_attachments(stmt["attachments"], f"{path}.attachments")


def check_authority(value: Any, path: str) -> None:
    authority = _object(value, path)
    if authority.get("objectType") == "Group":
        check_group(authority, path)
        members = authority.get("member", [])
        if any(k in authority for k in IFI_KEYS):
            raise bad(path, "a Group authority must be anonymous (an OAuth consumer and user pair)")
        if len(members) != 2:
            raise bad(f"{path}.member", "a Group authority needs exactly two members (OAuth consumer, user)")
    else:
        check_agent(authority, path)


def check_statement(value: Any, version: str, path: str = "statement") -> dict:
    """Validate one statement as received; return it (unchanged) for chaining."""
    stmt = _object(value, path)
    _keys(stmt, path,
          ("id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
           "version", "attachments", "objectType"),
          ("actor", "verb", "object"))
    if "objectType" in stmt:
        raise bad(f"{path}.objectType", "is not an allowed property of a top-level statement")
    if "id" in stmt:
        check_uuid(stmt["id"], f"{path}.id")
    _check_core(stmt, path, version, in_substatement=False)
    if "stored" in stmt:
        parse_timestamp(stmt["stored"], f"{path}.stored", version)
    if "authority" in stmt:
        check_authority(stmt["authority"], f"{path}.authority")
    if "version" in stmt:
        statement_version = stmt["version"]
        pattern = r"^(1\.0|2\.0)(\.\d+)?$" if is_v2(version) else r"^1\.0(\.\d+)?$"
        if not isinstance(statement_version, str) or not re.match(pattern, statement_version):
            raise bad(f"{path}.version", f"unsupported statement version {statement_version!r}")
    if stmt["verb"]["id"] == VOIDED_VERB and stmt["object"].get("objectType") != "StatementRef":
        raise bad(f"{path}.object", "a voiding statement's object must be a StatementRef")
    return stmt
