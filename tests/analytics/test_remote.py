"""``--from-lrs``: report and export from a conformant LRS over HTTP (ours, on 127.0.0.1) through
the tincan client, following ``more`` links, with the same figures as reading the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cohort import Cohort
from helpers import serve

from lrs import create_app
from lrs.analytics.sources import PAGE
from lrs.auth import create_credential
from lrs.cli import main
from lrs.stores import open_store


@pytest.fixture(scope="module")
def remote(small_db: str, small: Cohort) -> Iterator[tuple[str, str, str, str, int]]:
    """(xAPI endpoint, key, secret, store URL, statements) of a live LRS holding a 60-learner cohort."""
    url = small_db
    store = open_store(url)
    credential, secret = create_credential(store, ["statements/read"], name="analyst")
    with serve(create_app({"STORE": store})) as base:
        yield f"{base}/xAPI/", credential.key, secret, url, len(small.statements)
    store.close()


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_report_from_remote_equals_report_from_store(remote: tuple, small: Cohort, tmp_path: Path) -> None:
    endpoint, key, secret, url, count = remote
    assert count > 2 * PAGE, "the cohort must span several pages so `more` is followed"
    roster = tmp_path / "roster.csv"
    roster.write_text(small.roster_csv, encoding="utf-8")
    remote_report = json.loads(invoke("report", "--from-lrs", endpoint, "--key", key, "--secret", secret,
                                      "--format", "json", "--roster", str(roster), "--lang", "es"))
    local_report = json.loads(invoke("report", "--store", url, "--format", "json", "--lang", "es"))
    assert remote_report["courses"][0]["modules"][0]["name"] == "Módulo 1", "titles from the statements too"
    assert remote_report["statements"] == count
    assert remote_report == local_report


def test_export_from_remote(remote: tuple) -> None:
    endpoint, key, secret, url, count = remote
    lines = invoke("export", "--from-lrs", endpoint, "--key", key, "--secret", secret, "--format", "jsonl")
    ids = [json.loads(line)["id"] for line in lines.splitlines()]
    assert len(ids) == len(set(ids)) == count
    local = invoke("export", "--store", url, "--format", "jsonl")
    assert ids == [json.loads(line)["id"] for line in local.splitlines()], "same stored order"


def test_remote_errors_are_one_line(remote: tuple) -> None:
    endpoint, key, secret, _, _ = remote
    wrong = CliRunner().invoke(main, ["report", "--from-lrs", endpoint, "--key", key, "--secret", "nope"])
    assert wrong.exit_code != 0 and "HTTP 401" in wrong.output and "Traceback" not in wrong.output
    missing = CliRunner().invoke(main, ["export", "--from-lrs", endpoint])
    assert missing.exit_code != 0 and "--key and --secret" in missing.output


def test_a_failed_export_leaves_no_file(remote: tuple, tmp_path: Path) -> None:
    """-o FILE is written whole or not at all: the CSV header is written before the LRS refuses."""
    endpoint, key, secret, _, _ = remote
    target = tmp_path / "statements.csv"
    failed = CliRunner().invoke(main, ["export", "--from-lrs", endpoint, "--key", key, "--secret", "nope",
                                       "-o", str(target)])
    assert failed.exit_code != 0 and "HTTP 401" in failed.output
    assert list(tmp_path.iterdir()) == []
    target.write_text("an earlier export\n", encoding="utf-8")
    CliRunner().invoke(main, ["export", "--from-lrs", endpoint, "--key", key, "--secret", "nope", "-o", str(target)])
    assert target.read_text(encoding="utf-8") == "an earlier export\n"
    invoke("export", "--from-lrs", endpoint, "--key", key, "--secret", secret, "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("statement_id,") and list(tmp_path.iterdir()) == [target]


def test_filters_reach_the_remote_lrs(remote: tuple) -> None:
    endpoint, key, secret, url, _ = remote
    source = ["--from-lrs", endpoint, "--key", key, "--secret", secret]
    passed = "http://adlnet.gov/expapi/verbs/passed"
    remote_ids = invoke("export", *source, "--format", "jsonl", "--verb", passed).splitlines()
    local_ids = invoke("export", "--store", url, "--format", "jsonl", "--verb", passed).splitlines()
    assert remote_ids == local_ids and remote_ids
    assert all(json.loads(line)["verb"]["id"] == passed for line in remote_ids)
    assert invoke("export", *source, "--format", "jsonl", "--since", "2999-01-01T00:00:00Z") == ""
    assert invoke("export", *source, "--format", "jsonl", "--until", "2000-01-01T00:00:00Z") == ""
