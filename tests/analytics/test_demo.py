"""``spotlight-lrs demo``: a generated cohort stored as the statements API stores it, with its
roster, on every store; never over a store that already holds statements."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lrs.analytics.cohort import generate
from lrs.analytics.roster import load_roster
from lrs.cli import main
from lrs.stores import open_store


def test_demo_fills_an_empty_store(any_store_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--store", any_store_url, "--learners", "40", "--seed", "9"])
    assert result.exit_code == 0, result.output
    expected = generate(40, 9)
    assert f"demo: {len(expected.statements):,} statements of 40 learners in 4 courses" in result.output
    assert "spotlight-lrs serve --store" in result.output
    with open_store(any_store_url) as store:
        assert store.count_statements() == len(expected.statements)
        assert set(load_roster(store)) == set(expected.attributes)
        stored = store.get_statement(expected.statements[0]["id"])
        assert stored is not None and stored.statement["authority"]["name"] == "spotlight-lrs demo"
    report = json.loads(runner.invoke(main, ["report", "--store", any_store_url, "--format", "json", "--by",
                                             "state"]).output)
    assert len(report["courses"]) == 4
    assert sum(c["enrolment"]["not_started"] for c in report["courses"]) > 0, "some enrolled never launch"
    assert sum(c["summary"]["failed"] for c in report["courses"]) > 0
    assert any(g["value"] == "(not in roster)" for c in report["courses"] for g in c["groups"])
    again = runner.invoke(main, ["demo", "--store", any_store_url])
    assert again.exit_code != 0 and "already holds" in again.output and "Traceback" not in again.output
