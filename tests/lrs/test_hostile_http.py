"""Hostile input through the real server (``spotlight-lrs serve``, gunicorn, 127.0.0.1): every
family of issue 10 ends with a 4xx JSON answer and a clear message, never a 500, a hang or an
HTML page, and nothing of a refused request is stored. Raw sockets where HTTP clients would
refuse to send the input."""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from lrs_helpers import ServedLRS, body_of, status_of

pytestmark = pytest.mark.slow

VERB = {"id": "http://adlnet.gov/expapi/verbs/experienced"}
ACTOR = {"mbox": "mailto:learner@example.org", "name": "Learner"}
ACTIVITY = "http://example.org/activities/a"
V1 = {"X-Experience-API-Version": "1.0.3"}


def make(**overrides) -> dict:
    statement = {"actor": ACTOR, "verb": VERB, "object": {"id": ACTIVITY}}
    statement.update(overrides)
    return statement


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedLRS]:
    workdir = tmp_path_factory.mktemp("hostile")
    with ServedLRS(f"sqlite:///{workdir}/lrs.db", workdir, "--read-timeout", "1", "--body-timeout", "3",
                   "--max-batch", "50", workers=2) as served:
        yield served


def count(lrs: ServedLRS) -> int:
    session = lrs.session()
    total, url = 0, lrs.base + "/xAPI/statements?limit=500"
    while url:
        response = session.get(url, timeout=10)
        assert response.status_code == 200, response.text[:300]
        page = response.json()
        total += len(page["statements"])
        url = lrs.base + page["more"] if page["more"] else ""
    return total


def post_raw_json(lrs: ServedLRS, text: str, path: str = "/xAPI/statements", method: str = "POST"):
    return lrs.session().request(method, lrs.base + path, data=text.encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, timeout=10)


def assert_refused(response, status: int = 400, words: str = "") -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/json")
    message = response.json()["error"]
    assert words.lower() in message.lower(), message


# --- 1. strings that no store can keep ---------------------------------------------------------

SURROGATE_PLACES = [  # noqa: E501 - one statement per line reads best
    '{"actor":{"mbox":"mailto:a@example.org","name":"\\ud800"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/a"}}',
    '{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v","display":{"en":"x\\udfff"}},"object":{"id":"http://x.org/a"}}',
    '{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/a","definition":{"extensions":{"http://x.org/e":["\\ud83d"]}}}}',
    '{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/a"},"result":{"extensions":{"http://x.org/e":{"\\udc00k":1}}}}',
    '{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v"},"object":{"objectType":"SubStatement","actor":{"mbox":"mailto:b@example.org","name":"\\ud800"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/a"}}}',
    '{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/a"},'
    '"attachments":[{"usageType":"http://x.org/u","display":{"en":"\\ud800"},"contentType":"text/plain","length":1,'
    '"sha2":"' + "a" * 64 + '","fileUrl":"http://x.org/f"}]}',
    '{"actor":{"mbox":"mailto:a@example.org","name":"nul\\u0000"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/a"}}',
    '{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v"},"object":{"id":"http://x.org/a"},"context":{"extensions":{"http://x.org/e":"\\u0000"}}}',
]


@pytest.mark.parametrize("text", SURROGATE_PLACES)
def test_strings_no_store_keeps_are_400_and_reads_still_work(lrs: ServedLRS, text: str) -> None:
    before = count(lrs)
    assert_refused(post_raw_json(lrs, text), 400)
    assert_refused(post_raw_json(lrs, "[" + text + "]"), 400)
    assert count(lrs) == before


def test_document_resources_refuse_surrogates_in_parameters_and_bodies(lrs: ServedLRS) -> None:
    session = lrs.session()
    state = lrs.base + "/xAPI/activities/state"
    agent = '{"mbox":"mailto:a@example.org","name":"\\ud800"}'
    base_params = {"activityId": ACTIVITY, "stateId": "s1"}
    response = session.put(state, params={**base_params, "agent": agent}, data=b"{}",
                           headers={"Content-Type": "application/json"}, timeout=10)
    assert_refused(response, 400, "surrogate")
    good_agent = json.dumps({"mbox": "mailto:a@example.org"})
    for body in (b'{"a":"\\ud800"}', b'{"\\udfff":1}', b'{"a":"\\u0000"}'):
        for method in ("PUT", "POST"):
            response = session.request(method, state, params={**base_params, "agent": good_agent}, data=body,
                                       headers={"Content-Type": "application/json"}, timeout=10)
            assert_refused(response, 400)
    got = session.get(state, params={**base_params, "agent": good_agent}, timeout=10)
    assert got.status_code == 404  # nothing was stored
    # Parameters: NUL, bytes that are not UTF-8, identifiers longer than the stores index.
    query = f"activityId={ACTIVITY}&agent={good_agent}"
    for bad_query in (query + "&stateId=%00", query + "&stateId=%FF%FE",
                      f"activityId={ACTIVITY}%ED%A0%80&agent={good_agent}&stateId=x",
                      query + "&stateId=" + "s" * 600,
                      f"activityId=http://x.org/{'a' * 600}&agent={good_agent}&stateId=x"):
        response = session.put(state + "?" + bad_query, data=b"x", headers={"Content-Type": "text/plain"},
                               timeout=10)
        assert_refused(response, 400)


def test_non_characters_are_kept_and_read_back(lrs: ServedLRS) -> None:
    name = "no\ufffe\uffff\ufdd0 text \U0010fffe"
    sid = str(uuid.uuid4())
    session = lrs.session()
    assert session.post(lrs.base + "/xAPI/statements", json=make(id=sid, actor={**ACTOR, "name": name}),
                        timeout=10).status_code == 200
    got = session.get(lrs.base + "/xAPI/statements", params={"statementId": sid}, timeout=10).json()
    assert got["actor"]["name"] == name


# --- 5. the other 500s -------------------------------------------------------------------------


def test_deep_nesting_is_400_everywhere(lrs: ServedLRS) -> None:
    session = lrs.session()
    for depth in (100, 1_000, 100_000):
        deep = "[" * depth + "]" * depth
        statement = json.dumps(make(result={"extensions": {"http://x.org/e": "DEEP"}})).replace('"DEEP"', deep)
        assert_refused(post_raw_json(lrs, statement), 400, "nested deeper")
        merge = session.post(lrs.base + "/xAPI/activities/state",
                             params={"activityId": ACTIVITY, "stateId": "deep",
                                     "agent": json.dumps({"mbox": "mailto:a@example.org"})},
                             data='{"a":' + deep + "}", headers={"Content-Type": "application/json"}, timeout=10)
        assert_refused(merge, 400, "nested deeper")
        agent = '{"mbox":"mailto:a@example.org","name":' + deep + "}"
        for resource in ("agents", "statements"):
            response = session.get(lrs.base + f"/xAPI/{resource}", params={"agent": agent}, timeout=10)
            if depth > 1_000:  # a request line over 8,190 bytes: gunicorn refuses it before the app
                assert response.status_code == 414
            else:
                assert_refused(response, 400, "nested deeper")


@pytest.mark.parametrize("timestamp", ["2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00-99:00",
                                       "2026-01-01T00:00:00+05:99", "2026-01-01T00:00:00+0560",
                                       "9999-12-31T23:59:59-00:01", "0001-01-01T00:00:00+00:01"])
def test_invalid_offsets_and_times_outside_utc_are_400(lrs: ServedLRS, timestamp: str) -> None:
    session = lrs.session()
    assert_refused(session.post(lrs.base + "/xAPI/statements", json=make(timestamp=timestamp), timeout=10), 400)
    for name in ("since", "until"):
        assert_refused(session.get(lrs.base + "/xAPI/statements", params={name: timestamp}, timeout=10), 400)


def test_since_and_until_at_the_datetime_limits(lrs: ServedLRS) -> None:
    session = lrs.session()
    for params in ({"since": "0001-01-01T00:00:00Z"}, {"until": "9999-12-31T23:59:59.999999Z"},
                   {"since": "0001-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z"}):
        assert session.get(lrs.base + "/xAPI/statements", params=params, timeout=10).status_code == 200
    for name in ("since", "until"):
        response = session.get(lrs.base + "/xAPI/activities/state", params={
            "activityId": ACTIVITY, "agent": json.dumps({"mbox": "mailto:a@example.org"}),
            name: "9999-12-31T23:59:59-05:00"}, timeout=10)
        assert_refused(response, 400)


def test_non_finite_numbers_are_400(lrs: ServedLRS) -> None:
    for number in ("1e400", "-1e400", "NaN", "Infinity", "1" * 5000):
        text = ('{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v"},'
                '"object":{"id":"http://x.org/a"},"result":{"score":{"raw":' + number + "}}}")
        assert_refused(post_raw_json(lrs, text), 400)


def test_alternate_syntax_form_that_is_not_utf8_is_a_json_400(lrs: ServedLRS) -> None:
    form = b"X-Experience-API-Version=1.0.3&Authorization=" + lrs.auth_header.replace(" ", "+").encode() + \
        b"&content=%FF%FE%00"
    request = (f"POST /xAPI/statements?method=PUT HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(form)}\r\n"
               "Connection: close\r\n\r\n").encode() + form
    response, _ = lrs.raw(request)
    assert status_of(response) == 400, response[:300]
    assert "not UTF-8" in json.loads(body_of(response))["error"]
    raw_form = b"X-Experience-API-Version=1.0.3&content=\xff\xfe"
    response, _ = lrs.raw(request.replace(form, raw_form).replace(
        f"Content-Length: {len(form)}".encode(), f"Content-Length: {len(raw_form)}".encode()))
    assert status_of(response) == 400 and json.loads(body_of(response))["error"]


def test_alternate_syntax_head_announces_no_body(lrs: ServedLRS) -> None:
    form = f"X-Experience-API-Version=1.0.3&Authorization={lrs.auth_header}".replace(" ", "+").encode()
    request = (f"POST /xAPI/statements?method=HEAD HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(form)}\r\n\r\n").encode()
    response, _ = lrs.raw(request + form, timeout=5)
    assert status_of(response) == 200, response[:300]
    head = response.partition(b"\r\n\r\n")[0].lower()
    assert b"content-length: 0" in head and body_of(response) == b""


def test_more_links_cannot_be_forged_and_work_on_every_server_of_a_store(lrs: ServedLRS, tmp_path: Path) -> None:
    session = lrs.session()
    assert session.post(lrs.base + "/xAPI/statements", json=[make(), make(), make()], timeout=10).status_code == 200
    more = session.get(lrs.base + "/xAPI/statements", params={"limit": 1}, timeout=10).json()["more"]
    assert more
    token = more.split("more=", 1)[1]
    payload, _, signature = token.partition(".")
    state = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged_states = [dict(state, c="99999999999999999999999"), dict(state, p=["x"]), dict(state, v="3.0"),
                     dict(state, p={"agent": "[]"}), dict(state, c="-1")]
    forged = [base64.urlsafe_b64encode(json.dumps(s).encode()).decode().rstrip("=") + "." + signature
              for s in forged_states]
    for bad in [*forged, payload, token + "x", "AAAA", "!!", token.replace(".", ".A", 1), "." * 10]:
        assert_refused(session.get(lrs.base + "/xAPI/statements", params={"more": bad}, timeout=10), 400, "more")
    assert session.get(lrs.base + more, timeout=10).status_code == 200
    # A second server of the same store (another machine behind the same load balancer) accepts it.
    with ServedLRS(lrs.store_url, tmp_path) as other:
        answered = other.session().get(other.base + more, timeout=10)
        assert answered.status_code == 200, answered.text[:300]
        assert len(answered.json()["statements"]) == 1


# --- 2. bodies bounded in size and time --------------------------------------------------------


def _headers(lrs: ServedLRS, extra: str) -> bytes:
    return (f"POST /xAPI/statements HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {lrs.auth_header}\r\n"
            f"X-Experience-API-Version: 1.0.3\r\nContent-Type: application/json\r\n{extra}\r\n").encode()


def test_content_length_over_the_limit_is_413_before_the_body_is_sent(lrs: ServedLRS) -> None:
    response, _ = lrs.raw(_headers(lrs, f"Content-Length: {50 * 1024 * 1024}\r\n"))
    assert status_of(response) == 413, response[:300]
    assert "limit" in json.loads(body_of(response))["error"]


def test_chunked_body_over_the_limit_is_413(lrs: ServedLRS) -> None:
    chunk = b"[" + b" " * (1024 * 1024 - 2) + b"]"
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(12)) + b"0\r\n\r\n"
    response, _ = lrs.raw(_headers(lrs, "Transfer-Encoding: chunked\r\n") + chunks)
    assert status_of(response) == 413, response[:300]


def test_invalid_chunked_encoding_is_a_json_400(lrs: ServedLRS) -> None:
    for chunks in (b"zz\r\n[]\r\n0\r\n\r\n", b"2\r\n[]XX0\r\n\r\n", b"5\r\n[]\r\n0\r\n\r\n"):
        response, _ = lrs.raw(_headers(lrs, "Transfer-Encoding: chunked\r\n") + chunks, shutdown=True)
        assert status_of(response) == 400, response[:300]
        assert json.loads(body_of(response))["error"].startswith("body:")


def test_content_length_larger_than_the_body_is_answered_not_held(lrs: ServedLRS) -> None:
    response, _ = lrs.raw(_headers(lrs, "Content-Length: 100\r\n") + b"[1,2,3", timeout=15)
    assert status_of(response) == 408, response[:300]
    assert "no data" in json.loads(body_of(response))["error"]


def test_a_dribbled_body_is_cut_off(lrs: ServedLRS) -> None:
    import socket
    import time

    with socket.create_connection(("127.0.0.1", lrs.port), timeout=20) as sock:
        sock.sendall(_headers(lrs, "Content-Length: 1000\r\n"))
        answered = b""
        for _ in range(40):  # one byte every 0.5 s: under the idle timeout, over the total one
            try:
                sock.sendall(b" ")
            except OSError:
                break
            time.sleep(0.5)
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                answered += sock.recv(65536)
            sock.setblocking(True)
            if answered:
                break
    assert status_of(answered) == 408, answered[:300]


def test_unfinished_headers_release_the_worker(lrs: ServedLRS) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", lrs.port), timeout=10) as sock:
        sock.sendall(b"POST /xAPI/statements HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Experience-API-Version: 1.0")
        assert sock.recv(65536) == b""  # closed by the server after --read-timeout, not held


def test_too_many_statements_in_one_batch_is_413(lrs: ServedLRS) -> None:
    before = count(lrs)
    response = lrs.session().post(lrs.base + "/xAPI/statements", json=[make() for _ in range(51)], timeout=10)
    assert_refused(response, 413, "at most 50")
    assert count(lrs) == before


# --- 4. CORS -----------------------------------------------------------------------------------


def test_cors_default_answers_any_origin_without_credentials(lrs: ServedLRS) -> None:
    import requests

    preflight = requests.options(lrs.base + "/xAPI/statements", headers={
        "Origin": "https://lms.example.org", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version"}, timeout=10)
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-experience-api-version", "if-match"} <= allowed
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    simple = lrs.session().get(lrs.base + "/xAPI/statements", headers={"Origin": "https://evil.example"}, timeout=10)
    assert simple.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in simple.headers
    assert "ETag" in simple.headers["Access-Control-Expose-Headers"]
    dashboard = requests.get(lrs.base + "/dashboard/", headers={"Origin": "https://evil.example"}, timeout=10)
    assert not [h for h in dashboard.headers if h.lower().startswith("access-control-")]
    dashboard_preflight = requests.options(lrs.base + "/dashboard/", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, timeout=10)
    assert not [h for h in dashboard_preflight.headers if h.lower().startswith("access-control-")]


def test_cors_allow_list_echoes_listed_origins_and_refuses_others(tmp_path: Path) -> None:
    import requests

    with ServedLRS(f"sqlite:///{tmp_path}/cors.db", tmp_path, "--cors-origin", "https://lms.example.org",
                   "--cors-origin", "https://other.example.org:8443") as lrs:
        url = lrs.base + "/xAPI/statements"
        for origin in ("https://lms.example.org", "https://other.example.org:8443"):
            preflight = requests.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
                                         timeout=10)
            assert preflight.status_code == 200
            assert preflight.headers["Access-Control-Allow-Origin"] == origin
            assert "Origin" in preflight.headers["Vary"]
            assert "Access-Control-Allow-Credentials" not in preflight.headers
            got = lrs.session().get(url, headers={"Origin": origin}, timeout=10)
            assert got.status_code == 200 and got.headers["Access-Control-Allow-Origin"] == origin
        refused = requests.options(url, headers={"Origin": "https://evil.example",
                                                 "Access-Control-Request-Method": "POST"}, timeout=10)
        assert refused.status_code == 403
        assert "Access-Control-Allow-Origin" not in refused.headers
        posted = lrs.session().post(url, json=make(), headers={"Origin": "https://evil.example"}, timeout=10)
        assert_refused(posted, 403, "not allowed")
        assert "Access-Control-Allow-Origin" not in posted.headers
        no_origin = lrs.session().post(url, json=make(), timeout=10)  # a server, not a browser
        assert no_origin.status_code == 200


# --- what was accepted can be read back, exported and reported ---------------------------------


def test_after_the_hostile_requests_the_store_exports_and_reports(lrs: ServedLRS) -> None:
    assert lrs.session().post(lrs.base + "/xAPI/statements", json=make(actor={**ACTOR, "name": "Ñandú \ufffe"}),
                              timeout=10).status_code == 200
    assert count(lrs) > 0
    for command in (["export", "--format", "jsonl"], ["export", "--format", "csv"], ["report", "--format", "json"]):
        done = subprocess.run([sys.executable, "-c", "from lrs.cli import main; main()", *command,
                               "--store", lrs.store_url, "--jobs", "1"],
                              cwd=lrs.repo, env=lrs.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in lrs.log_path.read_text()
