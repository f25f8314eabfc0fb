"""``spotlight-lrs report`` on the generated cohort: every figure against the ground truth."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from cohort import COURSES, Cohort, course_iri, modules, page_sequence
from expected import figures, funnel, items, module_figures

from lrs.cli import main


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def by_state(store_with_roster: str) -> dict:
    return json.loads(run("report", "--store", store_with_roster, "--by", "state", "--format", "json"))


def _check(actual: dict, expected: dict) -> None:
    for name in ("launched", "completed", "passed", "failed"):
        assert actual[name] == expected[name], name
    for name in ("pass_rate", "score_median", "time_to_complete_median_s", "attempts_to_pass_median"):
        assert actual[name] == pytest.approx(expected[name]), name
    assert [b["count"] for b in actual["score_distribution"]] == expected["histogram"]
    assert actual["attempts_to_pass_distribution"] == expected["attempts"]


@pytest.mark.parametrize("course", list(COURSES))
def test_course_figures(by_state: dict, cohort: Cohort, course: str) -> None:
    found = {c["id"]: c for c in by_state["courses"]}
    assert set(found) == {course_iri(c) for c in COURSES}
    report = found[course_iri(course)]
    truths = [t for t in cohort.truths if t.course == course]
    _check(report["summary"], figures(truths))
    groups = {g["value"]: g for g in report["groups"]}
    states = {t.roster["state"] if t.roster else "(not in roster)" for t in truths}
    assert set(groups) == states
    for state in states:
        _check(groups[state], figures(t for t in truths if (t.roster["state"] if t.roster else
                                                                "(not in roster)") == state))


@pytest.mark.parametrize("course", list(COURSES))
def test_modules_and_funnel(by_state: dict, cohort: Cohort, course: str) -> None:
    report = next(c for c in by_state["courses"] if c["id"] == course_iri(course))
    truths = [t for t in cohort.truths if t.course == course]
    assert [m["id"] for m in report["modules"]] == [f"{course_iri(course)}/{m}" for m in modules(course)]
    for module in report["modules"]:
        expected = module_figures(truths, module["id"])
        for name, value in expected.items():
            assert module[name] == pytest.approx(value), (module["id"], name)
    expected_funnel = funnel(truths, course)
    assert [(p["page"], p["reached"]) for p in report["funnel"]] == expected_funnel
    assert [p["share"] for p in report["funnel"]] == pytest.approx([n / len(truths) for _, n in expected_funnel])
    assert [p["module"] for p in report["funnel"]] == [m for _, m in page_sequence(course)]


@pytest.mark.parametrize("course", list(COURSES))
def test_item_analysis(by_state: dict, cohort: Cohort, course: str) -> None:
    report = next(c for c in by_state["courses"] if c["id"] == course_iri(course))
    truths = [t for t in cohort.truths if t.course == course]
    expected = items(truths, course)
    found = {i["id"]: i for i in report["items"]}
    assert set(found) == set(expected), "only the final assessment's questions are analysed"
    for iri, want in expected.items():
        item = found[iri]
        assert item["respondents"] == want["respondents"]
        assert item["difficulty"] == pytest.approx(want["difficulty"])
        if want["discrimination"] is None:
            assert item["discrimination"] is None
        else:
            assert item["discrimination"] == pytest.approx(want["discrimination"])
        assert {c["id"]: c["count"] for c in item["choices"] if c["count"]} == want["choices"]
        assert item["correct_response"] == want["key"]
        assert item["upper_lower"] == pytest.approx(want["upper_lower"])
    base = course_iri(course) + "/question/"
    assert found[base + "a1"]["flags"] == ["too easy"]
    assert found[base + "a2"]["flags"] == ["too hard"]
    assert found[base + "a3"]["flags"] == ["negative discrimination"]
    assert all(not found[base + q]["flags"] or found[base + q]["difficulty"] >= 0.9
               for q in ("a4", "a5", "a6", "a7", "a8"))


def test_filters_since_until_and_course(store_with_roster: str, cohort: Cohort) -> None:
    everything = json.loads(run("report", "--store", store_with_roster, "--format", "json"))
    assert everything["statements"] == len(cohort.statements)
    one = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--course",
                         "protection-measures"))
    assert [c["id"] for c in one["courses"]] == [course_iri("protection-measures")]
    future = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--since",
                            "2999-01-01T00:00:00Z"))
    assert future["courses"] == []
    past = json.loads(run("report", "--store", store_with_roster, "--format", "json", "--until",
                          "2000-01-01T00:00:00Z"))
    assert past["statements"] == 0


def test_no_identities_unless_asked(small_db: str, small: Cohort) -> None:
    secrets = [t.name for t in small.truths] + [t.key.split("|")[-1].split(":")[-1] for t in small.truths]
    for fmt in ("table", "csv", "json", "html"):
        text = run("report", "--store", small_db, "--by", "municipality", "--format", fmt)
        assert not any(s in text for s in secrets), fmt
    shown = json.loads(run("report", "--store", small_db, "--format", "json", "--show-learners",
                           "--course", "reeducation-men"))
    rows = shown["courses"][0]["learners"]
    truths = {t.key: t for t in small.truths if t.course == "reeducation-men"}
    assert {r["learner"] for r in rows} == set(truths)
    for row in rows:
        truth = truths[row["learner"]]
        assert row["passed"] == any(a.passed for a in truth.attempts)
        assert row["name"] == truth.name


def test_formats(store_with_roster: str, by_state: dict) -> None:
    table = run("report", "--store", store_with_roster, "--by", "state", "--course", "first-contact-care")
    summary = next(c for c in by_state["courses"] if c["short_id"] == "first-contact-care")["summary"]
    assert f"course  {summary['launched']}" in " ".join(table.split("  ")) or str(summary["launched"]) in table
    assert "Guerrero" in table and "negative discrimination" in table
    frame = pd.read_csv(io.StringIO(run("report", "--store", store_with_roster, "--by", "state", "--format", "csv")),
                        keep_default_na=False)
    launched = frame[(frame.section == "course") & (frame.metric == "launched")]
    assert dict(zip(launched.course, launched.value.astype(int), strict=True)) == {
        c["id"]: c["summary"]["launched"] for c in by_state["courses"]}
    html = run("report", "--store", store_with_roster, "--format", "html")
    assert html.count("<svg") >= 4 * 4 and "<table>" in html and "http" not in html.split("<body>")[0].replace(
        "http://www.w3.org", "")


def test_bad_input_is_one_clear_line(store_with_roster: str, tmp_path: Path) -> None:
    runner = CliRunner()
    cases = [
        ["report", "--store", store_with_roster, "--since", "yesterday"],
        ["report", "--store", "mysql://nowhere"],
        ["report", "--store", store_with_roster, "--by", "planet"],
        ["report", "--from-lrs", "http://127.0.0.1:9/xAPI"],
    ]
    for args in cases:
        result = runner.invoke(main, args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output and result.exception is None or isinstance(
            result.exception, SystemExit), args
        assert "Error" in result.output, args
