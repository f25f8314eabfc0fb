"""The xAPI rules layer on its own: validation messages, keys, comparison, formats."""

from __future__ import annotations

import pytest
from lrs_helpers import statement

from lrs.xapi.errors import XAPIError
from lrs.xapi.statements import build_record, format_canonical, same_statement
from lrs.xapi.validate import check_statement, parse_timestamp
from lrs.xapi.versions import V1, V2, negotiate

SUB = {"objectType": "SubStatement", "actor": {"mbox": "mailto:s@example.com"},
       "verb": {"id": "http://example.com/v"}, "object": {"id": "http://example.com/a"}}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"actor": {"name": "nobody"}}, "statement.actor"),
        ({"actor": {"mbox": "alice@example.com"}}, "statement.actor.mbox"),
        ({"actor": {"mbox": "mailto:a@b.c", "openid": "http://id.example.com/a"}}, "statement.actor"),
        ({"actor": {"objectType": "Group"}}, "statement.actor.member"),
        ({"verb": {"id": "experienced"}}, "statement.verb.id"),
        ({"verb": {"id": "http://x.com/v", "display": {"en_US": "x"}}}, "statement.verb.display.en_US"),
        ({"object": {"id": "http://x.com/a", "definition": {"interactionType": "essay"}}},
         "statement.object.definition.interactionType"),
        ({"result": {"score": {"scaled": 1.5}}}, "statement.result.score.scaled"),
        ({"result": {"score": {"raw": 11, "min": 0, "max": 10}}}, "statement.result.score.raw"),
        ({"result": {"duration": "1 hour"}}, "statement.result.duration"),
        ({"result": {"extensions": {"not-an-iri": 1}}}, "statement.result.extensions"),
        ({"context": {"registration": "1234"}}, "statement.context.registration"),
        ({"object": {"objectType": "Agent", "mbox": "mailto:a@b.c"}, "context": {"platform": "web"}},
         "statement.context.platform"),
        ({"timestamp": "2026-13-01T00:00:00Z"}, "statement.timestamp"),
        ({"timestamp": "2026-01-01T00:00:00-00:00"}, "statement.timestamp"),
        ({"id": "not-a-uuid"}, "statement.id"),
        ({"colour": "blue"}, "statement.colour"),
        ({"object": dict(SUB, object=SUB)}, "statement.object.object"),
        ({"verb": {"id": "http://adlnet.gov/expapi/verbs/voided"}}, "statement.object"),
        ({"version": "0.9"}, "statement.version"),
    ],
)
def test_invalid_statements_name_the_field(changes: dict, field: str) -> None:
    with pytest.raises(XAPIError) as info:
        check_statement(statement(**changes), V1)
    assert info.value.status == 400
    assert info.value.message.startswith(field), info.value.message


def test_valid_statement_with_substatement_and_context_passes() -> None:
    check_statement(statement(
        object=SUB,
        context={"registration": "6f1c4a52-8a3c-4d4e-9d8e-3c6a4f0b2a11", "language": "es-MX",
                 "instructor": {"account": {"homePage": "https://lms.example.com", "name": "t1"}}},
        result={"score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10}, "duration": "PT1H2M3.5S",
                "success": True},
        timestamp="2026-01-01T10:00:00.123+01:00",
    ), V1)


def test_version_negotiation() -> None:
    assert negotiate("1.0.1") == V1
    assert negotiate("2.0") == V2
    for bad in (None, "", "0.95", "3.0.0"):
        with pytest.raises(XAPIError):
            negotiate(bad)


def test_timestamps_need_offset_only_in_2_0() -> None:
    parse_timestamp("2026-01-01T10:00:00", "t", V1)
    with pytest.raises(XAPIError):
        parse_timestamp("2026-01-01T10:00:00", "t", V2)


def test_record_keys_cover_related_agents_and_activities() -> None:
    body = statement(
        id="6f1c4a52-8a3c-4d4e-9d8e-3c6a4f0b2a11",
        context={"instructor": {"mbox": "mailto:t@example.com"},
                 "contextActivities": {"parent": [{"id": "http://example.com/course"}]}},
        authority={"objectType": "Agent", "account": {"homePage": "https://lrs", "name": "k"}},
    )
    record = build_record(body)
    assert record.agent_keys == {"mbox:mailto:alice@example.com"}
    assert "mbox:mailto:t@example.com" in record.related_agent_keys
    assert "account:https://lrs|k" in record.related_agent_keys
    assert record.activity_ids == {"http://example.com/activities/intro"}
    assert "http://example.com/course" in record.related_activity_ids
    assert record.authority_keys == {"account:https://lrs|k"}


def test_same_statement_ignores_lrs_properties_and_duration_precision() -> None:
    sent = statement(id="6f1c4a52-8a3c-4d4e-9d8e-3c6a4f0b2a11", result={"duration": "PT1.2345S"},
                     context={"contextActivities": {"parent": {"id": "http://example.com/c"}}})
    stored = dict(sent, stored="x", authority={"mbox": "mailto:a@b.c"}, version="1.0.0",
                  result={"duration": "PT1.23S"},
                  context={"contextActivities": {"parent": [{"id": "http://example.com/c"}]}})
    assert same_statement(stored, sent)
    assert not same_statement(stored, dict(sent, verb={"id": "http://example.com/other"}))


def test_canonical_picks_one_language() -> None:
    out = format_canonical(statement(), ["es-ES", "en"])
    assert out["object"]["definition"]["name"] == {"es": "Introducción"}
    assert out["verb"]["display"] == {"en-US": "experienced"}
