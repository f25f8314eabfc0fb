"""State, Activity Profile and Agent Profile resources: ETags, preconditions, merge, lists."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from lrs_helpers import LRSClient

AGENT = json.dumps({"objectType": "Agent", "mbox": "mailto:learner@example.com"})
ACTIVITY = "http://example.com/activities/course"


def state_url(**extra: str) -> str:
    return "/activities/state?" + urlencode({"activityId": ACTIVITY, "agent": AGENT, **extra})


def profile_url(**extra: str) -> str:
    return "/activities/profile?" + urlencode({"activityId": ACTIVITY, **extra})


def agent_profile_url(**extra: str) -> str:
    return "/agents/profile?" + urlencode({"agent": AGENT, **extra})


def test_state_put_get_with_etag_and_last_modified(lrs: LRSClient) -> None:
    put = lrs.put(state_url(stateId="bookmark"), data=b"page-3", headers={"Content-Type": "text/plain"})
    assert put.status_code == 204
    got = lrs.get(state_url(stateId="bookmark"))
    assert got.status_code == 200
    assert got.get_data() == b"page-3"
    assert got.headers["Content-Type"].startswith("text/plain")
    assert got.headers["ETag"].startswith('"') and len(got.headers["ETag"]) == 42
    assert "Last-Modified" in got.headers
    assert lrs.get(state_url(stateId="missing")).status_code == 404


def test_state_post_merges_json_objects(lrs: LRSClient) -> None:
    url = state_url(stateId="progress")
    assert lrs.post(url, json={"a": 1, "b": 1}).status_code == 204
    assert lrs.post(url, json={"b": 2, "c": 3}).status_code == 204
    assert json.loads(lrs.get(url).get_data()) == {"a": 1, "b": 2, "c": 3}
    assert lrs.post(url, data=b"[1]", headers={"Content-Type": "application/json"}).status_code == 400
    lrs.put(state_url(stateId="blob"), data=b"raw", headers={"Content-Type": "application/octet-stream"})
    assert lrs.post(state_url(stateId="blob"), json={"x": 1}).status_code == 400
    assert lrs.get(state_url(stateId="blob")).get_data() == b"raw"


def test_state_list_since_registration_and_delete_all(lrs: LRSClient) -> None:
    registration = "6f1c4a52-8a3c-4d4e-9d8e-3c6a4f0b2a11"
    lrs.put(state_url(stateId="one"), json={"n": 1})
    lrs.put(state_url(stateId="two", registration=registration), json={"n": 2})
    assert sorted(lrs.get(state_url()).get_json()) == ["one", "two"]
    assert lrs.get(state_url(registration=registration)).get_json() == ["two"]
    assert lrs.get(state_url(since="2000-01-01T00:00:00Z")).status_code == 200
    assert lrs.get(state_url(stateId="one", since="2000-01-01T00:00:00Z")).status_code == 400
    assert lrs.delete(state_url(registration=registration)).status_code == 204
    assert lrs.get(state_url()).get_json() == ["one"]
    assert lrs.delete(state_url()).status_code == 204
    assert lrs.get(state_url()).get_json() == []


def test_state_parameter_errors_name_the_parameter(lrs: LRSClient) -> None:
    cases = [
        ("/activities/state?" + urlencode({"agent": AGENT, "stateId": "x"}), "activityId"),
        ("/activities/state?" + urlencode({"activityId": ACTIVITY, "stateId": "x"}), "agent"),
        (state_url(stateId="x", registration="nope"), "registration"),
        ("/activities/state?" + urlencode({"activityId": ACTIVITY, "agent": "{", "stateId": "x"}), "agent"),
    ]
    for url, field in cases:
        response = lrs.get(url)
        assert response.status_code == 400, url
        assert field in response.get_json()["error"]
    assert lrs.put(state_url(), json={}).status_code == 400


def test_profile_put_needs_precondition_headers(lrs: LRSClient) -> None:
    url = profile_url(profileId="settings")
    assert lrs.put(url, json={"v": 1}).status_code == 400
    assert lrs.put(url, json={"v": 1}, headers={"If-None-Match": "*"}).status_code == 204
    etag = lrs.get(url).headers["ETag"]
    assert lrs.put(url, json={"v": 2}).status_code == 409
    assert lrs.put(url, json={"v": 2}, headers={"If-None-Match": "*"}).status_code == 412
    assert lrs.put(url, json={"v": 2}, headers={"If-Match": '"0000"'}).status_code == 412
    assert json.loads(lrs.get(url).get_data()) == {"v": 1}
    assert lrs.put(url, json={"v": 2}, headers={"If-Match": etag}).status_code == 204
    assert json.loads(lrs.get(url).get_data()) == {"v": 2}
    assert lrs.delete(url, headers={"If-Match": etag}).status_code == 412
    assert lrs.delete(url).status_code == 204
    assert lrs.get(url).status_code == 404


def test_profile_delete_needs_profile_id(lrs: LRSClient) -> None:
    assert lrs.delete(profile_url()).status_code == 400
    assert lrs.delete(agent_profile_url()).status_code == 400


def test_agent_profile_round_trip_and_list(lrs: LRSClient) -> None:
    url = agent_profile_url(profileId="prefs")
    assert lrs.post(url, json={"lang": "es"}).status_code == 204
    assert json.loads(lrs.get(url).get_data()) == {"lang": "es"}
    assert lrs.get(agent_profile_url()).get_json() == ["prefs"]


def test_head_answers_like_get_without_body(lrs: LRSClient) -> None:
    lrs.put(state_url(stateId="h"), json={"k": 1})
    head = lrs.request("HEAD", state_url(stateId="h"))
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["ETag"]


def test_state_overwrite_needs_precondition_only_in_2_0(lrs: LRSClient, lrs2: LRSClient) -> None:
    url = state_url(stateId="v2")
    assert lrs2.put(url, json={"n": 1}).status_code == 204
    assert lrs2.put(url, json={"n": 2}).status_code == 409
    etag = lrs2.get(url).headers["ETag"]
    assert lrs2.put(url, json={"n": 2}, headers={"If-Match": etag}).status_code == 204
    assert lrs.put(url, json={"n": 3}).status_code == 204
