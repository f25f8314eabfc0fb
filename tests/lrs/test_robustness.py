"""Client mistakes never cause a 500: every field of a rich statement replaced by wrong types."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest
from lrs_helpers import LRSClient

RICH = {
    "id": "6f1c4a52-8a3c-4d4e-9d8e-3c6a4f0b2a11",
    "actor": {"objectType": "Group", "name": "Team", "member": [{"mbox": "mailto:a@example.com"}]},
    "verb": {"id": "http://example.com/v", "display": {"en": "did"}},
    "object": {
        "objectType": "SubStatement",
        "actor": {"account": {"homePage": "https://lms.example.com", "name": "u1"}},
        "verb": {"id": "http://example.com/v2"},
        "object": {"id": "http://example.com/q1", "definition": {
            "interactionType": "choice", "correctResponsesPattern": ["a"],
            "choices": [{"id": "a", "description": {"en": "A"}}], "extensions": {"http://x.com/e": 1}}},
    },
    "result": {"score": {"scaled": 0.5, "raw": 1, "min": 0, "max": 2}, "success": True, "duration": "PT1S",
               "extensions": {"http://x.com/r": {}}},
    "context": {"registration": "6f1c4a52-8a3c-4d4e-9d8e-3c6a4f0b2a12", "language": "es",
                "instructor": {"mbox": "mailto:t@example.com"},
                "contextActivities": {"parent": [{"id": "http://example.com/course"}]},
                "statement": {"objectType": "StatementRef", "id": "6f1c4a52-8a3c-4d4e-9d8e-3c6a4f0b2a13"}},
    "timestamp": "2026-01-01T00:00:00Z",
    "attachments": [{"usageType": "http://x.com/u", "display": {"en": "d"}, "contentType": "text/plain",
                     "length": 1, "sha2": "a" * 64, "fileUrl": "http://x.com/f"}],
}
WRONG = [None, 7, 1.5, True, "text", [], {}, [1], {"x": 1}]


def paths(value: object, prefix: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from paths(item, (*prefix, index))


def replaced(path: tuple, new: object) -> dict:
    body = copy.deepcopy(RICH)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return body


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_no_wrong_type_anywhere_causes_a_500(lrs: LRSClient, version: str) -> None:
    assert lrs.post("/statements", json=RICH, version=version).status_code == 200
    for path in paths(RICH):
        for wrong in WRONG:
            body = replaced(path, wrong)
            response = lrs.post("/statements", json=body, version=version)
            assert response.status_code in (200, 400, 409), (path, wrong, response.get_data()[:200])


@pytest.mark.parametrize("query", [
    "agent=[]", "agent=1", 'agent={"mbox":1}', "verb=", "limit=1e3", "since=2026-02-30T00:00:00Z",
    "ascending=maybe", "related_agents=1", "statementId=%00", "more=AAAA", "more=!!",
    "attachments=yes", "registration=" + "a" * 500,
])
def test_bad_query_parameters_are_400(lrs: LRSClient, query: str) -> None:
    assert lrs.get(f"/statements?{query}").status_code == 400


@pytest.mark.parametrize("body", [b"1", b'"s"', b"null", b"[1]", b"[[]]", b"{}", b"\xff\xfe"])
def test_bad_bodies_are_400(lrs: LRSClient, body: bytes) -> None:
    response = lrs.post("/statements", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "error" in json.loads(response.get_data())
