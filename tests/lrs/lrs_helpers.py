"""Helpers for the LRS HTTP tests (imported by tests; pytest puts this folder on sys.path)."""

from __future__ import annotations

import base64


class LRSClient:
    """A Flask test client that sends xAPI headers and a credential by default."""

    def __init__(self, app, key: str, secret: str, version: str = "1.0.3") -> None:
        self.app = app
        self.client = app.test_client()
        self.auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.version = version

    def request(self, method: str, path: str, *, version: str | None = None, auth: str | None = None,
                headers: dict[str, str] | None = None, **kwargs):
        sent = {
            "X-Experience-API-Version": self.version if version is None else version,
            "Authorization": self.auth if auth is None else auth,
        }
        sent.update(headers or {})
        sent = {k: v for k, v in sent.items() if v != ""}
        return self.client.open("/xAPI" + path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)


def statement(**overrides) -> dict:
    """A small valid statement; keyword arguments replace top-level properties."""
    body = {
        "actor": {"objectType": "Agent", "name": "Alice", "mbox": "mailto:alice@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"id": "http://example.com/activities/intro",
                   "definition": {"name": {"en-US": "Intro", "es": "Introducción"}}},
    }
    body.update(overrides)
    return body
