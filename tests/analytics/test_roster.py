"""``spotlight-lrs roster import``: validation with line numbers, updates without duplicates,
kept apart from statements, on every store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from cohort import Cohort, course_iri, generate
from helpers import load

from lrs.analytics.roster import load_roster
from lrs.cli import main
from lrs.stores import open_store

HEADER = "account_homepage,account_name,mbox,cohort,state,municipality,institution,role\n"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_import_then_reimport_updates_without_duplicates(tmp_path: Path, cohort: Cohort, roster_file: Path) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    rows = cohort.roster_csv.count("\n") - 1
    first = invoke("roster", "import", str(roster_file), "--store", url)
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"roster: {rows} added, 0 updated, 0 unchanged"
    again = invoke("roster", "import", str(roster_file), "--store", url)
    assert again.output.strip() == f"roster: 0 added, 0 updated, {rows} unchanged"
    moved = tmp_path / "moved.csv"
    moved.write_text(HEADER + "https://campus.ibero.mx,L0000,,2026-A,Guerrero,Chilpancingo,DIF,coordinator\n"
                     "https://campus.ibero.mx,NEW1,,2026-C,Chihuahua,Chihuahua,IBERO,liaison\n", encoding="utf-8")
    third = invoke("roster", "import", str(moved), "--store", url)
    assert third.output.strip() == "roster: 1 added, 1 updated, 0 unchanged"
    with open_store(url) as store:
        roster = load_roster(store)
        assert store.count_statements() == 0, "the roster is not stored as statements"
    assert len(roster) == rows + 1
    assert roster["account:https://campus.ibero.mx|L0000"]["municipality"] == "Chilpancingo"


def test_errors_name_their_lines_and_store_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "https://campus.ibero.mx,L1,,2026-A,Guerrero,Chilpancingo,DIF,liaison\n"  # line 2: fine
        + ",,not-an-email,2026-A,Guerrero,Chilpancingo,DIF,liaison\n"  # line 3
        + ",,,2026-A,Guerrero,Chilpancingo,DIF,liaison\n"  # line 4: no identity
        + "https://campus.ibero.mx,L2,,2026-A\n"  # line 5: short row
        + "https://campus.ibero.mx,L1,,2026-B,Chihuahua,Chihuahua,DIF,liaison\n"  # line 6: duplicate of 2
        + "https://campus.ibero.mx,L3,a@b.mx,2026-A,Guerrero,Chilpancingo,DIF,liaison\n",  # line 7: two ids
        encoding="utf-8")
    result = invoke("roster", "import", str(bad), "--store", url)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    for line in (3, 4, 5, 6, 7):
        assert f"bad.csv: line {line}: " in result.output, line
    assert "line 2:" not in result.output
    assert "same learner as line 2" in result.output
    with open_store(url) as store:
        assert load_roster(store) == {}
    header = tmp_path / "header.csv"
    header.write_text("email,state\nx@y.mx,Guerrero\n", encoding="utf-8")
    result = invoke("roster", "import", str(header), "--store", url)
    assert result.exit_code != 0 and "line 1: unknown column(s) email" in result.output
    missing = invoke("roster", "import", str(tmp_path / "nope.csv"), "--store", url)
    assert missing.exit_code != 0 and "cannot read" in missing.output


def test_roster_and_report_on_every_store(any_store_url: str, tmp_path: Path) -> None:
    """The contract-relevant parts on sqlite, PostgreSQL and TinyDB: roster kept and merged,
    statements streamed in full to report and export."""
    small = generate(learners=30, seed=11)
    roster = tmp_path / "roster.csv"
    roster.write_text(small.roster_csv, encoding="utf-8")
    with open_store(any_store_url) as store:
        load(store, small.statements)
    assert invoke("roster", "import", str(roster), "--store", any_store_url).exit_code == 0
    assert "0 added" in invoke("roster", "import", str(roster), "--store", any_store_url).output
    result = invoke("report", "--store", any_store_url, "--format", "json", "--by", "municipality")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["statements"] == len(small.statements)
    for course in report["courses"]:
        truths = [t for t in small.truths if course_iri(t.course) == course["id"]]
        assert course["summary"]["launched"] == len(truths)
        assert course["summary"]["passed"] == sum(1 for t in truths if any(a.passed for a in t.attempts))
        municipalities = {g["value"]: g["launched"] for g in course["groups"]}
        expected: dict[str, int] = {}
        for t in truths:
            name = t.roster["municipality"] if t.roster else "(not in roster)"
            expected[name] = expected.get(name, 0) + 1
        assert municipalities == expected
    exported = invoke("export", "--store", any_store_url, "--format", "jsonl")
    assert exported.exit_code == 0
    assert sorted(json.loads(line)["id"] for line in exported.stdout.splitlines()) == sorted(
        s["id"] for s in small.statements)


def test_intake_is_a_cohort_and_mbox_needs_no_mailto(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    path = tmp_path / "intake.csv"
    path.write_text("\ufeffMBOX,Intake,State\nAna@Example.org,2026-A,Guerrero\n", encoding="utf-8")
    assert invoke("roster", "import", str(path), "--store", url).exit_code == 0
    with open_store(url) as store:
        assert load_roster(store) == {"mbox:mailto:ana@example.org": {"cohort": "2026-A", "state": "Guerrero"}}
