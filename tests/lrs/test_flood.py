"""A real server under attack keeps serving: while one client posts a 50 MB body and others flood
wrong secrets, a good client's single-statement POSTs all succeed. (Its latency is measured by
``bench/lrs.py --security``; tests never assert on time.)"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from lrs_helpers import ServedLRS

pytestmark = pytest.mark.slow

GOOD_POSTS = 40
FLOODERS = 4
DEADLINE_S = 60.0


def _statement() -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:good@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "http://example.org/activities/flood"}}


def test_good_client_is_served_through_a_big_body_and_a_wrong_secret_flood(tmp_path: Path) -> None:
    with ServedLRS(f"sqlite:///{tmp_path}/flood.db", tmp_path, workers=2) as lrs:
        url = lrs.base + "/xAPI/statements"
        stop = threading.Event()
        flood_statuses: list[int] = []
        big_outcome: list[str] = []

        def big_body() -> None:
            chunk = b" " * (1024 * 1024)

            def chunks():
                yield b"["
                for _ in range(50):
                    if stop.is_set():
                        return
                    yield chunk
                yield b"]"

            try:
                response = requests.post(url, data=chunks(), auth=(lrs.key, lrs.secret), timeout=30,
                                         headers={"X-Experience-API-Version": "1.0.3",
                                                  "Content-Type": "application/json"})
                big_outcome.append(str(response.status_code))
            except requests.RequestException as exc:  # the server stopped reading: expected
                big_outcome.append(type(exc).__name__)

        def flood(number: int) -> None:
            session = requests.Session()
            session.auth = (lrs.key if number % 2 else f"guess-{number}", "wrong-secret")
            session.headers["X-Experience-API-Version"] = "1.0.3"
            while not stop.is_set():
                with contextlib.suppress(requests.RequestException):
                    flood_statuses.append(session.post(url, json=_statement(), timeout=10).status_code)

        threads = [threading.Thread(target=big_body)] + [
            threading.Thread(target=flood, args=(n,)) for n in range(FLOODERS)]
        good = lrs.session()
        assert good.post(url, json=_statement(), timeout=10).status_code == 200  # a package already in use
        for thread in threads:
            thread.start()
        statuses, latencies = [], []
        deadline = time.monotonic() + DEADLINE_S
        try:
            time.sleep(0.5)  # let the flood and the big body start
            for _ in range(GOOD_POSTS):
                assert time.monotonic() < deadline, "the good client made too little progress"
                started = time.monotonic()
                statuses.append(good.post(url, json=_statement(), timeout=30).status_code)
                latencies.append(time.monotonic() - started)
            while 429 not in flood_statuses and time.monotonic() < deadline:  # until the back-off shows
                time.sleep(0.1)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        assert statuses == [200] * GOOD_POSTS
        assert flood_statuses and set(flood_statuses) <= {401, 429}
        assert 429 in flood_statuses, "the flood was never throttled"
        assert big_outcome and big_outcome[0] in ("413", "ConnectionError", "ChunkedEncodingError"), big_outcome
        log = lrs.log_path.read_text()
        assert "Traceback" not in log and '" 500 ' not in log
