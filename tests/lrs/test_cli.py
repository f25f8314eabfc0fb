"""``spotlight-lrs`` commands: credentials management and a real ``serve``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from click.testing import CliRunner

from lrs.cli import main
from lrs.stores import open_store


def test_credentials_create_list_revoke(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    runner = CliRunner()
    created = runner.invoke(main, ["credentials", "create", "--store", url, "--scope", "statements/write",
                                   "--scope", "state", "--name", "pilot", "--json"])
    assert created.exit_code == 0, created.output
    info = json.loads(created.output)
    assert info["scopes"] == ["statements/write", "state"]
    with open_store(url) as store:
        stored = store.get_credential(info["key"])
    assert stored is not None and info["secret"] not in stored.secret_hash
    listed = runner.invoke(main, ["credentials", "list", "--json"], env={"SPOTLIGHT_LRS_STORE": url})
    assert [c["key"] for c in json.loads(listed.output)] == [info["key"]]
    assert info["secret"] not in listed.output
    assert runner.invoke(main, ["credentials", "revoke", "--store", url, info["key"]]).exit_code == 0
    listed = runner.invoke(main, ["credentials", "list", "--store", url])
    assert "revoked" in listed.output
    missing = runner.invoke(main, ["credentials", "revoke", "--store", url, "nope"])
    assert missing.exit_code != 0 and "no credential" in missing.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_gunicorn_and_logs_each_request(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/serve.db"
    created = CliRunner().invoke(main, ["credentials", "create", "--store", url, "--json"])
    creds = json.loads(created.output)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", "from lrs.cli import main; main()", "serve", "--store", url,
         "--port", str(port), "--workers", "1"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        base = f"http://127.0.0.1:{port}/xAPI"
        for _ in range(100):
            try:
                requests.get(base + "/about", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        auth = (creds["key"], creds["secret"])
        headers = {"X-Experience-API-Version": "1.0.3"}
        body = {"actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://example.com/v"},
                "object": {"id": "http://example.com/a"}}
        posted = requests.post(base + "/statements", json=body, auth=auth, headers=headers, timeout=5)
        assert posted.status_code == 200
        got = requests.get(base + "/statements", auth=auth, headers=headers, timeout=5)
        assert got.json()["statements"][0]["id"] == posted.json()[0]
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "gunicorn" in output.lower()
    assert output.count('"GET /xAPI/statements') == 1
    assert output.count('"POST /xAPI/statements') == 1
