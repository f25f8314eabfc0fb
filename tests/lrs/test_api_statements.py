"""Statements resource over HTTP (Flask test client, SQLite store)."""

from __future__ import annotations

import hashlib
import json
import uuid

from lrs_helpers import LRSClient, statement

from lrs.xapi.attachments import build_multipart, parse_multipart

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def post(lrs: LRSClient, body, **kwargs):
    return lrs.post("/statements", json=body, **kwargs)


def test_post_then_get_by_id_sets_lrs_properties(lrs: LRSClient) -> None:
    response = post(lrs, statement())
    assert response.status_code == 200
    [sid] = response.get_json()
    got = lrs.get(f"/statements?statementId={sid}")
    assert got.status_code == 200
    body = got.get_json()
    assert body["id"] == sid
    assert body["authority"]["account"]["name"]
    assert body["version"] == "1.0.0"
    assert "stored" in body and "timestamp" in body
    assert got.headers["X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Consistent-Through" in got.headers
    assert "Last-Modified" in got.headers


def test_put_is_idempotent_and_conflicts_on_different_content(lrs: LRSClient) -> None:
    sid = str(uuid.uuid4())
    first = lrs.put(f"/statements?statementId={sid}", json=statement())
    assert first.status_code == 204
    assert lrs.put(f"/statements?statementId={sid}", json=statement()).status_code == 204
    other = statement(verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    conflict = lrs.put(f"/statements?statementId={sid}", json=other)
    assert conflict.status_code == 409
    assert sid in conflict.get_json()["error"]


def test_put_needs_statement_id_matching_body(lrs: LRSClient) -> None:
    assert lrs.put("/statements", json=statement()).status_code == 400
    sid = str(uuid.uuid4())
    mismatch = lrs.put(f"/statements?statementId={sid}", json=statement(id=str(uuid.uuid4())))
    assert mismatch.status_code == 400
    assert "statement.id" in mismatch.get_json()["error"]


def test_invalid_statement_names_field_and_batch_stores_nothing(lrs: LRSClient) -> None:
    good = statement(id=str(uuid.uuid4()))
    bad = statement(verb={"id": "not an iri"})
    response = post(lrs, [good, bad])
    assert response.status_code == 400
    assert "statements[1].verb.id" in response.get_json()["error"]
    assert lrs.get(f"/statements?statementId={good['id']}").status_code == 404


def test_conflict_in_batch_stores_nothing(lrs: LRSClient) -> None:
    stored = statement(id=str(uuid.uuid4()))
    assert post(lrs, stored).status_code == 200
    fresh = statement(id=str(uuid.uuid4()))
    changed = dict(stored, verb={"id": "http://adlnet.gov/expapi/verbs/completed"})
    assert post(lrs, [fresh, changed]).status_code == 409
    assert lrs.get(f"/statements?statementId={fresh['id']}").status_code == 404


def test_bad_json_is_400_not_500(lrs: LRSClient) -> None:
    response = lrs.post("/statements", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]


def test_nan_and_infinity_are_not_json(lrs: LRSClient) -> None:
    """Python's json module reads NaN and Infinity; JSON (and every other reader) does not."""
    for number in ("NaN", "Infinity", "-Infinity"):
        body = json.dumps(statement(result={"score": {"raw": 1}})).replace('"raw": 1', f'"raw": {number}')
        assert number in body
        response = lrs.post("/statements", data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, number
        assert f"{number} is not a JSON number" in response.get_json()["error"]


def test_voiding_hides_statement_and_voided_lookup(lrs: LRSClient) -> None:
    [target] = post(lrs, statement()).get_json()
    voiding = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target})
    [voider] = post(lrs, voiding).get_json()
    assert lrs.get(f"/statements?statementId={target}").status_code == 404
    assert lrs.get(f"/statements?voidedStatementId={target}").get_json()["id"] == target
    ids = [s["id"] for s in lrs.get("/statements").get_json()["statements"]]
    assert target not in ids and voider in ids
    void_voider = statement(verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voider})
    assert post(lrs, void_voider).status_code == 400


def test_query_filters_and_more_paging(lrs: LRSClient) -> None:
    verb = "http://example.com/verbs/" + uuid.uuid4().hex
    sent = [post(lrs, statement(verb={"id": verb})).get_json()[0] for _ in range(5)]
    post(lrs, statement())
    seen: list[str] = []
    url = "/statements?" + "&".join([f"verb={verb}", "limit=2", "ascending=true"])
    while url:
        page = lrs.get(url.removeprefix("/xAPI"))
        assert page.status_code == 200
        body = page.get_json()
        seen += [s["id"] for s in body["statements"]]
        url = body["more"]
    assert seen == sent


def test_agent_filter_and_related_agents(lrs: LRSClient) -> None:
    instructor = {"mbox": "mailto:teacher@example.com"}
    [sid] = post(lrs, statement(context={"instructor": instructor})).get_json()
    agent = json.dumps(instructor)
    assert lrs.get(f"/statements?agent={agent}").get_json()["statements"] == []
    related = lrs.get(f"/statements?agent={agent}&related_agents=true").get_json()["statements"]
    assert [s["id"] for s in related] == [sid]


def test_query_parameter_errors_name_the_parameter(lrs: LRSClient) -> None:
    for query, name in [("limit=-1", "limit"), ("since=yesterday", "since"), ("agent={}", "agent"),
                        ("format=fancy", "format"), ("colour=blue", "colour"),
                        (f"statementId={uuid.uuid4()}&verb=http://x.com/v", "statementId")]:
        response = lrs.get(f"/statements?{query}")
        assert response.status_code == 400, query
        assert name in response.get_json()["error"]


def test_format_ids_and_canonical(lrs: LRSClient) -> None:
    [sid] = post(lrs, statement()).get_json()
    ids = lrs.get(f"/statements?statementId={sid}&format=ids").get_json()
    assert ids["object"] == {"id": "http://example.com/activities/intro"}
    assert ids["actor"] == {"objectType": "Agent", "mbox": "mailto:alice@example.com"}
    canonical = lrs.get(f"/statements?statementId={sid}&format=canonical", headers={"Accept-Language": "es"})
    assert canonical.get_json()["object"]["definition"]["name"] == {"es": "Introducción"}


def test_missing_version_and_credentials(lrs: LRSClient) -> None:
    assert lrs.get("/statements", version="").status_code == 400
    assert lrs.get("/statements", version="0.95").status_code == 400
    assert lrs.get("/statements", auth="").status_code == 401
    assert lrs.get("/statements", auth="Basic " + "eDp5").status_code == 401
    assert lrs.client.get("/xAPI/about").status_code == 200


def test_consistent_through_even_on_errors(lrs: LRSClient) -> None:
    response = lrs.get("/statements?limit=nope")
    assert response.status_code == 400
    assert "X-Experience-API-Consistent-Through" in response.headers


def test_attachment_multipart_round_trip(lrs: LRSClient) -> None:
    content = b"certificate bytes \x00\x01"
    sha2 = hashlib.sha256(content).hexdigest()
    body = statement(attachments=[{
        "usageType": "http://adlnet.gov/expapi/attachments/certificate",
        "display": {"en-US": "Certificate"}, "contentType": "application/pdf",
        "length": len(content), "sha2": sha2,
    }])
    payload, content_type = build_multipart(json.dumps(body).encode(), [(sha2, "application/pdf", content)])
    response = lrs.post("/statements", data=payload, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.get_json()
    [sid] = response.get_json()
    got = lrs.get(f"/statements?statementId={sid}&attachments=true")
    parts = parse_multipart(got.get_data(), got.headers["Content-Type"])
    assert json.loads(parts[0].content)["id"] == sid
    assert parts[1].content == content
    assert parts[1].headers["x-experience-api-hash"] == sha2


def test_attachment_with_wrong_hash_is_rejected(lrs: LRSClient) -> None:
    content = b"abc"
    declared = hashlib.sha256(b"other").hexdigest()
    body = statement(attachments=[{
        "usageType": "http://adlnet.gov/expapi/attachments/certificate",
        "display": {"en-US": "x"}, "contentType": "text/plain", "length": 3, "sha2": declared,
    }])
    payload, content_type = build_multipart(json.dumps(body).encode(), [(declared, "text/plain", content)])
    response = lrs.post("/statements", data=payload, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert "X-Experience-API-Hash" in response.get_json()["error"]


def test_scopes_limit_credentials(app, sqlite_store) -> None:
    from lrs.auth import create_credential

    writer, secret = create_credential(sqlite_store, ["statements/write"])
    writer_client = LRSClient(app, writer.key, secret)
    assert writer_client.post("/statements", json=statement()).status_code == 200
    assert writer_client.get("/statements").status_code == 403
    assert writer_client.get("/activities/state?activityId=http://x.com/a&agent="
                             + json.dumps({"mbox": "mailto:a@b.c"})).status_code == 403
    mine, secret2 = create_credential(sqlite_store, ["statements/write", "statements/read/mine"])
    mine_client = LRSClient(app, mine.key, secret2)
    [own] = mine_client.post("/statements", json=statement()).get_json()
    listed = [s["id"] for s in mine_client.get("/statements").get_json()["statements"]]
    assert listed == [own]
    sqlite_store.revoke_credential(mine.key)
    assert mine_client.get("/statements").status_code == 401


def test_xapi_2_rules(lrs2: LRSClient, lrs: LRSClient) -> None:
    peer = {"objectType": "contextAgent", "agent": {"mbox": "mailto:peer@example.com"}}
    context = {"contextAgents": [peer]}
    assert post(lrs2, statement(context=context)).status_code == 200
    assert post(lrs, statement(context=context)).status_code == 400
    naive = statement(timestamp="2026-01-01T10:00:00")
    assert post(lrs2, naive).status_code == 400
    assert post(lrs, naive).status_code == 200
    response = lrs2.get("/statements?limit=1")
    assert response.headers["X-Experience-API-Version"] == "2.0.0"


def test_alternate_request_syntax(lrs: LRSClient, lrs2: LRSClient) -> None:
    sid = str(uuid.uuid4())
    form = {
        "Authorization": lrs.auth,
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
        "content": json.dumps(statement()),
        "statementId": sid,
    }
    response = lrs.client.post("/xAPI/statements?method=PUT", data=form)
    assert response.status_code == 204
    assert lrs.get(f"/statements?statementId={sid}").status_code == 200
    form["X-Experience-API-Version"] = "2.0.0"
    assert lrs.client.post("/xAPI/statements?method=PUT", data=form).status_code == 400


def test_cors_preflight_and_headers(lrs: LRSClient) -> None:
    preflight = lrs.client.options("/xAPI/statements", headers={
        "Origin": "https://lms.example.com", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert "X-Experience-API-Version" in preflight.headers["Access-Control-Allow-Headers"]
    response = lrs.get("/statements", headers={"Origin": "https://lms.example.com"})
    assert "X-Experience-API-Consistent-Through" in response.headers["Access-Control-Expose-Headers"]


def test_activities_and_agents_resources(lrs: LRSClient) -> None:
    post(lrs, statement())
    activity = lrs.get("/activities?activityId=http://example.com/activities/intro").get_json()
    assert activity["definition"]["name"]["es"] == "Introducción"
    person = lrs.get("/agents?agent=" + json.dumps({"mbox": "mailto:alice@example.com"})).get_json()
    assert person == {"objectType": "Person", "name": ["Alice"], "mbox": ["mailto:alice@example.com"]}
    assert lrs.get("/agents").status_code == 400


def _jws(payload: dict, alg: str = "RS256") -> bytes:
    """A compact JWS signed with a fresh RSA key and carrying its self-signed certificate."""
    import base64
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    header = b64(json.dumps({"alg": alg, "x5c": [base64.b64encode(der).decode()]}).encode())
    body = b64(json.dumps(payload).encode())
    signature = key.sign(f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{b64(signature)}".encode()


def _signed_request(lrs: LRSClient, signed_payload: dict, body: dict):
    jws = _jws(signed_payload)
    sha2 = hashlib.sha256(jws).hexdigest()
    body = dict(body, attachments=[{
        "usageType": "http://adlnet.gov/expapi/attachments/signature", "display": {"en-US": "sig"},
        "contentType": "application/octet-stream", "length": len(jws), "sha2": sha2,
    }])
    payload, content_type = build_multipart(json.dumps(body).encode(),
                                            [(sha2, "application/octet-stream", jws)])
    return lrs.post("/statements", data=payload, headers={"Content-Type": content_type})


def test_signed_statement_is_verified(lrs: LRSClient) -> None:
    body = statement(id=str(uuid.uuid4()))
    assert _signed_request(lrs, body, body).status_code == 200
    tampered = dict(body, id=str(uuid.uuid4()))
    response = _signed_request(lrs, dict(tampered, verb={"id": "http://example.com/other"}), tampered)
    assert response.status_code == 400
    assert "signature" in response.get_json()["error"]
