"""``spotlight-lrs roster import|list|export``: validation with line numbers, merges that never
lose data, the changes printed (and shown first with --dry-run), delimiters, on every store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from cohort import Cohort, course_iri, generate
from expected import enrolment
from helpers import load

from lrs.analytics.roster import load_roster, parse_roster
from lrs.cli import main
from lrs.stores import open_store

HEADER = "account_homepage,account_name,mbox,cohort,state,municipality,institution,role\n"
L0 = "account:https://campus.ibero.mx|L0000"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_then_reimport_updates_without_duplicates(tmp_path: Path, cohort: Cohort, roster_file: Path) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    rows = cohort.roster_csv.count("\n") - 1
    first = invoke("roster", "import", str(roster_file), "--store", url)
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == f"roster: {rows} added, 0 updated, 0 unchanged"
    again = invoke("roster", "import", str(roster_file), "--store", url)
    assert again.output.strip() == f"roster: 0 added, 0 updated, {rows} unchanged"
    moved = write(tmp_path, "moved.csv", HEADER
                  + "https://campus.ibero.mx,L0000,,2026-A,Guerrero,Chilpancingo,DIF,coordinator\n"
                  + "https://campus.ibero.mx,NEW1,,2026-C,Chihuahua,Chihuahua,IBERO,liaison\n")
    third = invoke("roster", "import", moved, "--store", url)
    lines = third.output.splitlines()
    assert lines[0] == f"roster: 1 added, 1 updated, {0} unchanged"
    assert lines[1] == "fields updated: institution (1), municipality (1), state (1)"
    assert "  added    account:https://campus.ibero.mx|NEW1" in lines
    assert (f"  updated  {L0}: state: Estado de México -> Guerrero; municipality: Naucalpan -> Chilpancingo; "
            "institution: IBERO -> DIF") in lines
    with open_store(url) as store:
        roster = load_roster(store)
        assert store.count_statements() == 0, "the roster is not stored as statements"
    assert len(roster) == rows + 1
    assert roster[L0]["municipality"] == "Chilpancingo"
    assert roster[L0]["course"] == "feminicide-investigation|first-contact-care", "a column not in the file stays"


def test_a_missing_column_keeps_and_an_empty_cell_clears_only_with_replace(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    full = write(tmp_path, "full.csv", HEADER + ",,ana@example.org,2026-A,Guerrero,Chilpancingo,DIF,liaison\n"
                 + ",,bob@example.org,2026-B,Chihuahua,Chihuahua,IBERO,liaison\n")
    assert invoke("roster", "import", full, "--store", url).exit_code == 0
    narrow = write(tmp_path, "narrow.csv", "mbox,cohort,institution\nana@example.org,2026-C,\nbob@example.org,,\n")
    kept = invoke("roster", "import", narrow, "--store", url)
    assert kept.output.splitlines()[:2] == ["roster: 0 added, 1 updated, 1 unchanged", "fields updated: cohort (1)"]
    with open_store(url) as store:
        roster = load_roster(store)
    assert roster["mbox:mailto:ana@example.org"] == {"cohort": "2026-C", "state": "Guerrero",
                                                     "municipality": "Chilpancingo", "institution": "DIF",
                                                     "role": "liaison"}
    assert roster["mbox:mailto:bob@example.org"]["institution"] == "IBERO"
    preview = invoke("roster", "import", narrow, "--store", url, "--replace", "--dry-run")
    assert preview.exit_code == 0
    assert preview.output.splitlines()[0] == "roster: 0 would be added, 2 would be updated, 0 unchanged"
    assert "  updated  mbox:mailto:bob@example.org: cohort: 2026-B -> (empty); institution: IBERO -> (empty)" in \
        preview.output
    assert preview.output.rstrip().endswith("dry run: nothing was stored")
    with open_store(url) as store:
        assert load_roster(store) == roster, "--dry-run stores nothing"
    cleared = invoke("roster", "import", narrow, "--store", url, "--replace")
    assert cleared.output.splitlines()[0] == "roster: 0 added, 2 updated, 0 unchanged"
    with open_store(url) as store:
        after = load_roster(store)
    assert after["mbox:mailto:bob@example.org"] == {"state": "Chihuahua", "municipality": "Chihuahua",
                                                    "role": "liaison"}
    assert after["mbox:mailto:ana@example.org"]["cohort"] == "2026-C"
    assert "institution" not in after["mbox:mailto:ana@example.org"]


def test_list_and_export_round_trip(tmp_path: Path, small: Cohort) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    source = write(tmp_path, "roster.csv", small.roster_csv)
    assert invoke("roster", "import", source, "--store", url).exit_code == 0
    listed = invoke("roster", "list", "--store", url)
    assert listed.exit_code == 0 and f"{len(small.attributes)} learners" in listed.output
    assert "Ciudad Juárez" in listed.output and "mbox:mailto:enlace0001@example.org" in listed.output
    as_json = json.loads(invoke("roster", "list", "--store", url, "--format", "json").output)
    exported = tmp_path / "exported.csv"
    assert invoke("roster", "export", "--store", url, "-o", str(exported)).exit_code == 0
    assert parse_roster(exported.read_text(encoding="utf-8")).attributes() == as_json
    other = f"sqlite:///{tmp_path}/other.db"
    assert invoke("roster", "import", str(exported), "--store", other).exit_code == 0
    with open_store(other) as store:
        assert load_roster(store) == as_json
    assert invoke("roster", "import", str(exported), "--store", url).output.startswith(
        f"roster: 0 added, 0 updated, {len(as_json)} unchanged")


def test_semicolon_and_tab_delimiters(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    semicolon = write(tmp_path, "excel.csv", "\ufeffmbox;institution;municipality;course\n"
                      "ana@example.org;Fiscalía, CDMX;Ecatepec;first-contact-care | protection-measures\n")
    result = invoke("roster", "import", semicolon, "--store", url)
    assert result.exit_code == 0, result.output
    tab = write(tmp_path, "sheet.tsv", "mbox\tstate\nbob@example.org\tGuerrero\n")
    assert invoke("roster", "import", tab, "--store", url).exit_code == 0
    excel = write(tmp_path, "sep.csv", "sep=;\nmbox;role\neve@example.org;liaison\n")
    assert invoke("roster", "import", excel, "--store", url).exit_code == 0
    with open_store(url) as store:
        roster = load_roster(store)
    assert roster["mbox:mailto:ana@example.org"] == {"institution": "Fiscalía, CDMX", "municipality": "Ecatepec",
                                                     "course": "first-contact-care|protection-measures"}
    assert roster["mbox:mailto:bob@example.org"] == {"state": "Guerrero"}
    assert roster["mbox:mailto:eve@example.org"] == {"role": "liaison"}
    pipes = write(tmp_path, "pipes.csv", "mbox|state\nana@example.org|Guerrero\n")
    wrong = invoke("roster", "import", pipes, "--store", url)
    assert wrong.exit_code != 0 and "Traceback" not in wrong.output
    assert "separated by commas (,), semicolons (;) or tabs" in wrong.output and "pipes.csv: line 1:" in wrong.output
    short = write(tmp_path, "short.csv", "mbox;state;role\nana@example.org;Guerrero\n")
    assert "line 2: 2 fields, the header has 3 (separated by semicolons (;))" in invoke(
        "roster", "import", short, "--store", url).output


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


def test_course_ids_unknown_to_the_lrs_are_a_warning(tmp_path: Path, small: Cohort) -> None:
    url = f"sqlite:///{tmp_path}/lrs.db"
    with open_store(url) as store:
        load(store, small.statements)
    roster = write(tmp_path, "typo.csv", "mbox,course\nana@example.org,protection-measures|first-contact-car\n")
    result = CliRunner().invoke(main, ["roster", "import", roster, "--store", url])
    assert result.exit_code == 0
    assert "warning: course ids the LRS does not know (yet): first-contact-car" in result.stderr
    assert "first-contact-care" in result.stderr


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
    narrow = write(tmp_path, "narrow.csv", "account_homepage,account_name,institution\n"
                   "https://campus.ibero.mx,L0000,DIF\n")
    assert "institution (1)" in invoke("roster", "import", narrow, "--store", any_store_url).output
    exported = invoke("roster", "export", "--store", any_store_url)
    assert exported.exit_code == 0 and "https://campus.ibero.mx,L0000,,2026-A" in exported.output
    result = invoke("report", "--store", any_store_url, "--format", "json", "--by", "municipality")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["statements"] == len(small.statements)
    never = 0
    for course in report["courses"]:
        truths = [t for t in small.truths if course_iri(t.course) == course["id"]]
        assert course["summary"]["launched"] == len(truths)
        assert course["summary"]["passed"] == sum(1 for t in truths if any(a.passed for a in t.attempts))
        assert course["enrolment"]["enrolled"] == sum(1 for c in small.enrolments.values()
                                                      if course["short_id"] in c)
        # The roster as the denominator, with learners who never launch, from the ground truth.
        want = enrolment(small, course["short_id"])
        assert {k: course["enrolment"][k] for k in want} == want
        never += want["not_started"]
        municipalities = {g["value"]: g["launched"] for g in course["groups"] if g["launched"]}
        expected: dict[str, int] = {}
        for t in truths:
            name = t.roster["municipality"] if t.roster else "(not in roster)"
            expected[name] = expected.get(name, 0) + 1
        assert municipalities == expected
    assert never > 0, "enrolled learners who never launched are counted"
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
